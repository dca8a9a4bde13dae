"""The project as a whole: migrations, production settings, the OpenAPI schema."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[1]


def manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run manage.py in a fresh process with production settings and the given environment."""
    return subprocess.run(
        [sys.executable, "manage.py", *args, "--settings=config.settings.prod"],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.django_db
def test_migrations_match_the_models() -> None:
    # Raises SystemExit when a model change has no migration.
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_check_deploy_is_clean_with_production_settings() -> None:
    result = manage(
        "check",
        "--deploy",
        "--fail-level=WARNING",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="api.example.com",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize("secret_key", ["", "too-short", "django-insecure-" + "x" * 50])
def test_production_refuses_to_start_without_a_real_secret_key(secret_key: str) -> None:
    result = manage("check", SECRET_KEY=secret_key, ALLOWED_HOSTS="api.example.com")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_requires_allowed_hosts() -> None:
    result = manage("check", SECRET_KEY=secrets.token_urlsafe(50), ALLOWED_HOSTS="")
    assert result.returncode != 0
    assert "ALLOWED_HOSTS must be set" in result.stderr


def test_openapi_schema_has_no_warnings(tmp_path: Path) -> None:
    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "openapi.yaml")
    )
    assert "/api/v1/items" in (tmp_path / "openapi.yaml").read_text()
