"""The project as a whole: migrations, production settings, the OpenAPI schema."""

import functools
import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
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


PRODUCTION_VIEW = """
import json
from io import StringIO
from django.conf import settings as s
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.urls import NoReverseMatch, reverse
report = StringIO()
try:
    call_command("check", deploy=True, fail_level="WARNING", stdout=report)
except SystemCheckError as failed:
    report.write(str(failed))
try:
    docs = reverse("swagger-ui")
except NoReverseMatch:
    docs = None
hsts = [s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_HSTS_PRELOAD]
print(json.dumps({"check": report.getvalue(), "api_docs": s.API_DOCS, "docs": docs, "hsts": hsts}))
"""


@functools.cache
def production() -> dict:
    """What `check --deploy` finds and what the production settings say, from one process
    that runs them with a real secret key (one Django start serves every test that asks)."""
    env = {"SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "api.example.com"}
    result = manage("shell", "-v", "0", "-c", PRODUCTION_VIEW, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_check_deploy_is_clean_with_production_settings() -> None:
    report = production()["check"]
    assert "System check identified no issues" in report, report


@pytest.mark.parametrize("secret_key", ["", "too-short", "django-insecure-" + "x" * 50])
def test_production_refuses_to_start_without_a_real_secret_key(secret_key: str) -> None:
    result = manage("check", SECRET_KEY=secret_key, ALLOWED_HOSTS="api.example.com")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_requires_allowed_hosts() -> None:
    result = manage("check", SECRET_KEY=secrets.token_urlsafe(50), ALLOWED_HOSTS="")
    assert result.returncode != 0
    assert "ALLOWED_HOSTS must be set" in result.stderr


def test_an_empty_database_url_means_unset() -> None:
    # Imported here: the settings package sorts beside the project's own package.
    from config.settings.database import database_config

    default = "sqlite:///app.db"
    assert database_config("", default=default) == database_config(default, default=default)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("notaurl", "DATABASE_URL is not a URL"),
        ("postgresql//app:s3cret@db:5432/app", "DATABASE_URL is not a URL"),
        ("postgresql://app:s3cret@db:port/app", "DATABASE_URL is not a URL"),
        ("oracle://app:s3cret@db/app", "Unsupported database in DATABASE_URL: 'oracle'"),
    ],
)
def test_a_bad_database_url_is_a_clear_error(url: str, message: str) -> None:
    from config.settings.database import database_config

    with pytest.raises(ImproperlyConfigured, match=message) as refused:
        database_config(url, default="sqlite:///app.db")
    assert "s3cret" not in str(refused.value)  # the URL's password never reaches the logs


def test_a_mariadb_url_names_the_mysql_backend() -> None:
    # mariadb:// works in every framework's project: MariaDB speaks MySQL's protocol.
    from config.settings.database import database_config

    default = "sqlite:///app.db"
    mariadb = database_config("mariadb://app:pw@db:3306/app", default=default)
    assert mariadb == database_config("mysql://app:pw@db:3306/app", default=default)


def test_a_bad_database_url_is_refused_when_settings_load() -> None:
    env = {"SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "api.example.com"}
    result = manage("check", DATABASE_URL="notaurl", **env)
    assert result.returncode != 0
    assert "DATABASE_URL is not a URL" in result.stderr


def test_openapi_schema_has_no_warnings(tmp_path: Path) -> None:
    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "openapi.yaml")
    )
    assert "/api/v1/items" in (tmp_path / "openapi.yaml").read_text()
