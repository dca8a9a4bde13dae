"""Render the Django template (auth=jwt) on each database and run the project's own checks.

The generated project's pytest runs against the real server named by project_env(): Django's
test runner creates a uniquely named database there and drops it afterwards. That suite also
checks `makemigrations --check` and `check --deploy` with the production settings.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.projects import check_project, project_env, render

pytestmark = pytest.mark.template


@pytest.mark.parametrize("database", ["sqlite", "postgresql", "mysql"])
def test_django_project_passes_its_own_checks(tmp_path: Path, database: str) -> None:
    env = project_env(database)  # skips when the server's SCAFFOLD_TEST_* variable is unset
    project = render(
        tmp_path / "proj",
        project_name="django-proj",
        framework="django",
        database=database,
        auth="jwt",
        ci="github",
    )
    package = project / "django_proj"
    assert (project / "manage.py").is_file()
    assert (project / "config" / "settings" / "prod.py").is_file()
    assert (package / "accounts" / "migrations" / "0001_initial.py").is_file()
    assert (package / "items" / "migrations" / "0001_initial.py").is_file()
    assert not (project / ".gitlab-ci.yml").exists()
    assert "SECRET_KEY=" in (project / ".env").read_text()
    assert "SECRET_KEY=\n" in (project / ".env.example").read_text()

    example = (project / ".env.example").read_text()
    for setting in CONTRACT_SETTINGS:
        assert re.search(rf"^#? ?{setting}=", example, re.MULTILINE), setting

    output = check_project(project, env)
    # Every test the contract names exists, and ran (none of them skips).
    assert " skipped" not in output
    for module, names in CONTRACT_TESTS.items():
        text = (project / "tests" / module).read_text()
        for name in names:
            assert f"def {name}(" in text, (module, name)


# docs/api-contract.md: the settings and the test names the three frameworks share.
CONTRACT_SETTINGS = (
    "MAX_BODY_BYTES",
    "MAX_JSON_DEPTH",
    "API_DOCS",
    "TRUSTED_PROXIES",
    "LOGIN_MAX_ATTEMPTS",
    "LOGIN_MAX_ATTEMPTS_PER_IP",
    "LOGIN_ATTEMPT_WINDOW_SECONDS",
)
CONTRACT_TESTS = {
    "test_hostile_input.py": (
        "test_huge_id_is_4xx",
        "test_huge_offset_is_4xx",
        "test_nul_in_text_is_4xx",
        "test_deep_json_is_400",
        "test_big_body_is_413",
        "test_validation_error_is_short",
        "test_update_racing_delete_never_500",
    ),
    "test_api_contract.py": ("test_api_anonymous", "test_api_signed_in"),
    "test_security.py": (
        "test_security_headers",
        "test_docs_off_in_production",
        "test_login_throttled_per_account",
        "test_login_throttled_per_ip",
        "test_forwarded_for_only_from_trusted_proxies",
        "test_register_same_answer_for_existing_email",
        "test_common_password_refused",
        "test_short_password_refused",
        "test_placeholder_secret_refused",
        "test_secret_not_printed",
        "test_logout_ends_session",
        "test_password_change_ends_every_session",
        "test_refresh_rotates",
        "test_refresh_reuse_revokes_family",
        "test_logout_revokes_access_token",
    ),
}
