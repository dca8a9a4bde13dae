"""What DATABASE_URL may name: SQLite, PostgreSQL or MySQL/MariaDB, as a plain URL."""

import re

import environ
from django.core.exceptions import ImproperlyConfigured

ENGINES = (
    "django.db.backends.sqlite3",
    "django.db.backends.postgresql",
    "django.db.backends.mysql",
)
EXPECTED_URLS = "expected sqlite:///path, postgresql://... or mysql://..."


def database_config(url: str, default: str) -> dict:
    """The DATABASES entry for a plain DATABASE_URL; empty means unset, i.e. `default`.

    A malformed URL, or one naming another database, raises ImproperlyConfigured; the message
    never quotes the URL (its password would end up in logs).
    """
    url = url if url.strip() else default
    scheme, sep, _ = url.partition("://")
    if not sep or not re.fullmatch(r"[A-Za-z][\w+.-]*", scheme):
        raise ImproperlyConfigured(f"DATABASE_URL is not a URL ({EXPECTED_URLS})")
    if scheme == "mariadb":  # MySQL's protocol; django-environ knows it only as mysql://
        url = "mysql" + url.removeprefix("mariadb")
    try:
        config = environ.Env.db_url_config(url)
    except ValueError:  # e.g. a port that is not a number
        raise ImproperlyConfigured(f"DATABASE_URL is not a URL ({EXPECTED_URLS})") from None
    if config.get("ENGINE") not in ENGINES:
        raise ImproperlyConfigured(
            f"Unsupported database in DATABASE_URL: {scheme!r} ({EXPECTED_URLS})"
        )
    return config
