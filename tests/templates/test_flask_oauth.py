"""Render the Flask template with auth=oauth and run the project's own checks on each database.

The generated suite runs the whole OpenID Connect login against the small provider it starts on
127.0.0.1 (tests/oidc_provider.py): no server besides the database is needed. Beyond "the suite
passed", these tests check that the OIDC tests themselves ran and passed, by name. On MongoDB
without SCAFFOLD_TEST_MONGODB_URL, those that store users must skip with the MongoDB reason and
the others (configuration, provider down, CSRF) must still pass.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.projects import (
    MONGODB_SKIP_REASON,
    TEMPLATES,
    check_project,
    project_env,
    redis_url,
    render,
    run,
    sql_mentions,
)

pytestmark = pytest.mark.template

OIDC_TESTS = [
    "test_login_creates_the_user_whose_session_reaches_the_api",
    "test_a_second_login_is_the_same_user",
    "test_a_tampered_state_is_refused",
    "test_a_callback_in_another_browser_is_refused",
    "test_an_invalid_id_token_is_refused[wrong-audience]",
    "test_an_invalid_id_token_is_refused[expired]",
    "test_login_is_503_until_oidc_is_configured",
    "test_login_is_503_when_the_provider_is_down",
    "test_callback_is_503_when_the_provider_goes_down",
    "test_logout_ends_the_session",
]
# The OIDC tests that need no database: they run on MongoDB even without a server. Sessions
# live in the database, so a test that opens one (login state, CSRF, a cookie) is not here.
OIDC_TESTS_WITHOUT_DATABASE = [
    "test_login_is_503_until_oidc_is_configured",
    "test_login_is_503_when_the_provider_is_down",
    "test_oidc_settings_come_from_the_environment",
]


def assert_oidc_tests_passed(project: Path, env: dict[str, str], *, database: bool = True) -> None:
    """The OIDC tests passed; with `database=False`, those needing one were skipped instead."""
    output = run(
        ["uv", "run", "--quiet", "pytest", "-v", "-p", "no:cacheprovider", "tests/test_auth.py"],
        project,
        env,
    )
    for name in OIDC_TESTS + OIDC_TESTS_WITHOUT_DATABASE:
        ran = database or name in OIDC_TESTS_WITHOUT_DATABASE
        assert f"tests/test_auth.py::{name} {'PASSED' if ran else 'SKIPPED'}" in output, name


@pytest.mark.parametrize("database", ["sqlite", "postgresql", "mysql", "mongodb"])
def test_flask_oauth_project_passes_its_own_checks(tmp_path: Path, database: str) -> None:
    env = project_env(database)  # skips when the server's SCAFFOLD_TEST_* variable is unset
    project = render(
        tmp_path / "proj",
        project_name="flask-oidc",
        framework="flask",
        database=database,
        auth="oauth",
        ci="github",
    )
    package = project / "src" / "flask_oidc"
    assert (package / "auth.py").is_file()
    assert (package / "accounts.py").is_file()
    assert not (package / "passwords.py").exists()
    assert not (package / "users.py").exists()
    provider = (project / "tests" / "oidc_provider.py").read_bytes()
    assert provider == (TEMPLATES / "_shared" / "tests" / "oidc_provider.py").read_bytes()
    pyproject = (project / "pyproject.toml").read_text()
    assert '"authlib>=' in pyproject
    assert "argon2" not in pyproject
    env_example = (project / ".env.example").read_text()
    for setting in ("OIDC_ISSUER=", "OIDC_CLIENT_ID=", "OIDC_CLIENT_SECRET=", "OIDC_SCOPES="):
        assert f"\n{setting}" in env_example, setting
    assert "/api/v1/auth/callback" in env_example
    assert "## OpenID Connect login" in (project / "README.md").read_text()

    if database == "mongodb":
        assert "issuer_subject_unique" in (package / "mongodb.py").read_text()
        assert "\nMONGODB_URL=mongodb://app:" in (project / ".env").read_text()

    output = check_project(project, env)
    if database == "mongodb":
        assert sql_mentions(project) == []
    with_database = database != "mongodb" or "MONGODB_URL" in env
    if with_database:
        assert " skipped" not in output
    else:
        assert MONGODB_SKIP_REASON in output
    assert_oidc_tests_passed(project, env, database=with_database)


def test_flask_oauth_with_the_app_extras(tmp_path: Path) -> None:
    env = project_env("postgresql")
    env["REDIS_URL"] = redis_url(8)
    project = render(
        tmp_path / "proj",
        project_name="flask-oidc-extras",
        framework="flask",
        database="postgresql",
        auth="oauth",
        ci="gitlab",
        extras=["redis", "worker", "metrics", "logging"],
    )
    output = check_project(project, env)
    assert " skipped" not in output
    assert_oidc_tests_passed(project, env)
