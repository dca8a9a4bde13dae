"""What production accepts as SECRET_KEY: long, random, and not a known placeholder."""

from django.core.exceptions import ImproperlyConfigured

# Known placeholders (the docs' and tutorials' examples), lower-cased.
PLACEHOLDERS = ("changeme", "change-me", "secret", "your-secret-key", "django-insecure")


def refuse_weak_secret_key(secret_key: str) -> None:
    """Raise ImproperlyConfigured for a short, placeholder or low-entropy key.

    The value itself is never part of the message: it would end up in logs.
    """
    if (
        len(secret_key) < 50
        or secret_key.lower().startswith(PLACEHOLDERS)
        or len(set(secret_key)) < 10
    ):
        raise ImproperlyConfigured(
            "SECRET_KEY must be set to a random value of at least 50 characters in production "
            "(not a placeholder, at least 10 distinct characters), "
            'e.g. python -c "import secrets; print(secrets.token_urlsafe(50))"'
        )
