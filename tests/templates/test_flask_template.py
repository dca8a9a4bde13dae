"""Render the Flask template (auth=jwt) on each database and run the project's own checks.

The generated project's pytest runs against the real server named by project_env(): it
creates its own uniquely named database there and drops it afterwards. MongoDB runs when
SCAFFOLD_TEST_MONGODB_URL is set; without it the project's database tests must skip with
their reason and everything else in the project must still pass.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.projects import (
    MONGODB_SKIP_REASON,
    check_project,
    project_env,
    render,
    sql_mentions,
)

pytestmark = pytest.mark.template


@pytest.mark.parametrize("database", ["sqlite", "postgresql", "mysql", "mongodb"])
def test_flask_project_passes_its_own_checks(tmp_path: Path, database: str) -> None:
    env = project_env(database)  # skips when the server's SCAFFOLD_TEST_* variable is unset
    project = render(
        tmp_path / "proj",
        project_name="flask-proj",
        framework="flask",
        database=database,
        auth="jwt",
        ci="github",
    )
    package = project / "src" / "flask_proj"
    assert (package / "__init__.py").is_file()
    assert (package / "auth.py").is_file()
    assert (package / "users.py").is_file()
    assert not (project / ".gitlab-ci.yml").exists()
    assert "SECRET_KEY=" in (project / ".env").read_text()
    if database == "mongodb":
        assert (package / "mongodb.py").is_file()
        assert not (package / "migrations").exists()
        assert not (project / "tests" / "test_migrations.py").exists()
        assert "MONGODB_URL=" in (project / ".env.example").read_text()
        # .env points the app (never the tests) at compose's MongoDB, password included.
        assert "\nMONGODB_URL=mongodb://app:" in (project / ".env").read_text()
    else:
        assert (package / "migrations" / "versions" / "0001_initial.py").is_file()
        assert not (package / "mongodb.py").exists()

    # The security and hostile-input contract (docs/api-contract.md) ships as tests.
    tests = project / "tests"
    assert (tests / "test_api_contract.py").is_file()
    assert (tests / "test_security.py").is_file()
    assert (package / "common-passwords.txt.gz").is_file()
    assert "schemathesis" in (project / "pyproject.toml").read_text()
    env_example = (project / ".env.example").read_text()
    for setting in ("MAX_BODY_BYTES", "MAX_JSON_DEPTH", "TRUSTED_PROXIES", "LOGIN_MAX_ATTEMPTS"):
        assert f"{setting}=" in env_example, setting
    assert "LOGIN_RATE_LIMIT" not in env_example
    if database != "mongodb":
        assert (tests / "test_hostile_input.py").is_file()

    output = check_project(project, env)
    if database == "mongodb":
        assert sql_mentions(project) == []
    if database == "mongodb" and "MONGODB_URL" not in env:
        assert MONGODB_SKIP_REASON in output
    else:
        assert " skipped" not in output
