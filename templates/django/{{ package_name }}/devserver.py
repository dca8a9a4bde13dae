"""`uv run dev`: apply migrations, then run Django's auto-reloading server on 127.0.0.1:$PORT."""

import os

import django
from django.core.management import call_command


def main() -> None:
    """Migrate the database (once, not on every reload), then serve (PORT defaults to 8000)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    django.setup()
    # The auto-reloader re-runs this script in a child process with RUN_MAIN=true.
    if os.environ.get("RUN_MAIN") != "true":
        call_command("migrate", interactive=False)
    call_command("runserver", f"127.0.0.1:{os.environ.get('PORT', '8000')}")
