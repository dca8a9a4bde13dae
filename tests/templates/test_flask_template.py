"""Render the Flask template (auth=jwt) on each database and run the project's own checks.

The generated project's pytest runs against the real server named by project_env(): it
creates its own uniquely named database there and drops it afterwards. MongoDB runs when
SCAFFOLD_TEST_MONGODB_URL is set; without it the project's database tests must skip with
their reason and everything else in the project must still pass.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.projects import check_project, project_env, render

pytestmark = pytest.mark.template

MONGODB_SKIP_REASON = "MONGODB_URL is not set: these tests need a MongoDB server"
# What a MongoDB project must not contain: the SQL stack and its settings.
SQL_ONLY = ("sqlalchemy", "alembic", "flask-migrate", "flask_migrate", "DATABASE_URL")


def sql_mentions(project: Path) -> list[str]:
    """Files of the project's own code, tests and dependencies that mention the SQL stack."""
    files = [project / "pyproject.toml", project / ".env.example", project / ".env"]
    files += sorted((project / "src").rglob("*.py")) + sorted((project / "tests").rglob("*.py"))
    if (project / "uv.lock").is_file():
        files.append(project / "uv.lock")
    return [
        f"{path.relative_to(project)}: {word}"
        for path in files
        for word in SQL_ONLY
        if word in path.read_text(encoding="utf-8")
    ]


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

    output = check_project(project, env)
    if database == "mongodb":
        assert sql_mentions(project) == []
    if database == "mongodb" and "MONGODB_URL" not in env:
        assert MONGODB_SKIP_REASON in output
    else:
        assert " skipped" not in output
