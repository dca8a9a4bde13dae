"""Render the Django template with auth=oauth (OpenID Connect through django-allauth) and run the
project's own checks, on each database.

The generated suite runs the whole login against a real provider on 127.0.0.1
(tests/oidc_provider.py): discovery, PKCE, the token endpoint, RS256-signed ID tokens checked
against the JWKS, then the Django session on the items API. These tests make sure those tests
exist in the project, ran, and passed.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.projects import check_project, project_env, render, run

pytestmark = pytest.mark.template

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"

OIDC_TESTS = [
    "test_login_creates_the_user_and_starts_a_session",
    "test_a_second_login_reuses_the_user",
    "test_login_goes_on_to_next_on_this_site_only",
    "test_an_existing_user_is_never_claimed_by_email",
    "test_tampered_state_is_refused",
    "test_a_callback_cannot_be_replayed",
    "test_a_bad_id_token_is_refused[wrong-audience]",
    "test_a_bad_id_token_is_refused[expired]",
    "test_a_bad_id_token_is_refused[wrong-issuer]",
    "test_a_bad_id_token_is_refused[wrong-nonce]",
    "test_an_id_token_signed_with_another_key_is_refused",
    "test_login_is_503_when_oidc_is_not_configured",
    "test_login_is_503_when_the_provider_is_down",
    "test_callback_is_503_when_the_provider_went_down",
    "test_logout_ends_the_session",
    "test_there_is_no_password_login",
    "test_a_disabled_user_cannot_sign_in",
]


@pytest.mark.parametrize("database", ["sqlite", "postgresql", "mysql"])
def test_django_oauth_project_passes_its_own_checks(tmp_path: Path, database: str) -> None:
    env = project_env(database)  # skips when the server's SCAFFOLD_TEST_* variable is unset
    project = render(
        tmp_path / "proj",
        project_name="django-oidc",
        framework="django",
        database=database,
        auth="oauth",
        ci="github",
    )
    accounts = project / "django_oidc" / "accounts"
    assert (accounts / "provider.py").is_file()
    assert (accounts / "adapter.py").is_file()
    assert not (accounts / "throttle.py").exists()  # no password login to throttle
    assert "RegisterSerializer" not in (accounts / "serializers.py").read_text()
    shared_provider = TEMPLATES / "_shared" / "tests" / "oidc_provider.py"
    assert (project / "tests" / "oidc_provider.py").read_bytes() == shared_provider.read_bytes()
    assert '"django-allauth[socialaccount]>=' in (project / "pyproject.toml").read_text()
    example = (project / ".env.example").read_text()
    for setting in ("OIDC_ISSUER=\n", "OIDC_CLIENT_ID=\n", "OIDC_CLIENT_SECRET=\n"):
        assert setting in example
    assert "OIDC_CLIENT_SECRET" not in (project / ".env").read_text()
    assert "## OpenID Connect login" in (project / "README.md").read_text()

    output = check_project(project, env)
    assert " skipped" not in output

    # The login tests, by name: each ran and passed (-rA lists them).
    pytest_oidc = ["pytest", "-q", "-rA", "-p", "no:cacheprovider", "tests/test_auth_oidc.py"]
    report = run(["uv", "run", "--quiet", *pytest_oidc], project, env)
    for name in OIDC_TESTS:
        assert f"PASSED tests/test_auth_oidc.py::{name}" in report, name
    assert f"{len(OIDC_TESTS)} passed" in report


def test_django_without_oauth_has_no_allauth(tmp_path: Path) -> None:
    project = render(
        tmp_path / "proj", project_name="plain", framework="django", database="sqlite", auth="jwt"
    )
    assert not (project / "plain" / "accounts" / "provider.py").exists()
    assert not (project / "tests" / "oidc_provider.py").exists()
    assert "allauth" not in (project / "pyproject.toml").read_text()
    assert "allauth" not in (project / "config" / "settings" / "base.py").read_text()
    assert "OIDC_" not in (project / ".env.example").read_text()
