"""Render the FastAPI template with auth=oauth and prove its OpenID Connect login end to end.

The project's own suite runs the whole authorization-code flow (PKCE, state, nonce, signed ID
tokens) against the small provider in its tests/oidc_provider.py, over real HTTP on 127.0.0.1;
these tests check that those tests were there, ran and passed, on each database.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.projects import TEMPLATES, check_project, project_env, render, run

pytestmark = pytest.mark.template

OIDC_TESTS = (
    "test_login_redirects_with_state_nonce_and_pkce",
    "test_login_creates_the_user_whose_token_reaches_the_items_api",
    "test_a_second_login_reuses_the_user",
    "test_an_unverified_email_is_not_linked_to_an_account",
    "test_a_tampered_state_is_refused",
    "test_a_callback_without_a_login_in_progress_is_refused",
    "test_a_bad_id_token_is_refused[wrong-audience]",
    "test_a_bad_id_token_is_refused[expired]",
    "test_a_bad_id_token_is_refused[wrong-issuer]",
    "test_a_bad_id_token_is_refused[wrong-nonce]",
    "test_login_is_503_until_oidc_is_configured",
    "test_an_unreachable_provider_is_503",
    "test_there_is_no_password_login",
    "test_logout_revokes_every_token_issued_so_far",
    "test_refresh_issues_a_new_pair",
    "test_users_cannot_touch_each_others_items",
)


@pytest.mark.parametrize("database", ["sqlite", "postgresql", "mysql"])
def test_fastapi_oauth_project_passes_its_own_checks(tmp_path: Path, database: str) -> None:
    env = project_env(database)  # skips when the server's SCAFFOLD_TEST_* variable is unset
    project = render(
        tmp_path / "proj",
        project_name="fast-oidc",
        framework="fastapi",
        database=database,
        auth="oauth",
        ci="gitlab" if database == "mysql" else "github",
    )
    package = project / "src" / "fast_oidc"
    assert (package / "oidc.py").is_file()
    assert (package / "accounts.py").is_file()
    shipped = (TEMPLATES / "_shared" / "tests" / "oidc_provider.py").read_bytes()
    assert (project / "tests" / "oidc_provider.py").read_bytes() == shipped
    # No password anywhere: the provider authenticates users.
    assert "pwdlib" not in (project / "pyproject.toml").read_text()
    assert "hashed_password" not in (package / "models.py").read_text()
    env_example = (project / ".env.example").read_text()
    for setting in ("OIDC_ISSUER=", "OIDC_CLIENT_ID=", "OIDC_CLIENT_SECRET=", "OIDC_SCOPES="):
        assert setting in env_example
    assert "/api/v1/auth/callback" in (project / "README.md").read_text()

    check_project(project, env)

    # check_project's run is quiet: list the OIDC tests by name to prove each one ran and passed.
    output = run(
        ["uv", "run", "--quiet", "pytest", "-v", "-p", "no:cacheprovider", "tests/test_auth.py"],
        project,
        env,
    )
    passed = set(re.findall(r"tests/test_auth\.py::(\S+) PASSED", output))
    assert set(OIDC_TESTS) <= passed, sorted(set(OIDC_TESTS) - passed)
    assert " skipped" not in output
    assert " failed" not in output
