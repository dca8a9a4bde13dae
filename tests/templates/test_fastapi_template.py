"""Render the FastAPI template on each database and run the project's own checks.

The generated project's pytest runs against the real server named by project_env(): it
creates its own uniquely named database there and drops it afterwards. MongoDB runs when
SCAFFOLD_TEST_MONGODB_URL is set; without it the project's database tests must skip with
their reason and everything else in the project (settings, CORS, liveness, OpenAPI) must pass.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.projects import (
    MONGODB_SKIP_REASON,
    check_project,
    project_env,
    redis_url,
    render,
    sql_mentions,
)

pytestmark = pytest.mark.template


@pytest.mark.parametrize("database", ["sqlite", "postgresql", "mysql", "mongodb"])
def test_fastapi_project_passes_its_own_checks(tmp_path: Path, database: str) -> None:
    env = project_env(database)  # skips when the server's SCAFFOLD_TEST_* variable is unset
    project = render(
        tmp_path / "proj",
        project_name="fast-proj",
        framework="fastapi",
        database=database,
        auth="jwt",
        ci="github",
    )
    package = project / "src" / "fast_proj"
    assert (package / "main.py").is_file()
    assert not (project / ".gitlab-ci.yml").exists()
    if database == "mongodb":
        assert "beanie" in (package / "models.py").read_text()
        assert (package / "migrate.py").is_file()
        assert not (package / "migrations").exists()
        assert not (project / "alembic.ini").exists()
        assert not (project / "tests" / "test_migrations.py").exists()
        assert "\nMONGODB_URL=mongodb://app:" in (project / ".env").read_text()
    else:
        assert (package / "migrations" / "versions" / "0001_initial.py").is_file()

    output = check_project(project, env)
    assert_database_tests_ran(project, database, env, output)


@pytest.mark.parametrize(
    ("auth", "extras"),
    [
        ("none", []),
        ("session", ["redis", "worker", "metrics", "logging", "kubernetes"]),
        ("oauth", ["redis", "worker", "logging"]),
    ],
    ids=["none", "session-extras", "oauth-extras"],
)
def test_fastapi_on_mongodb_with_every_auth(tmp_path: Path, auth: str, extras: list[str]) -> None:
    env = project_env("mongodb")
    if "redis" in extras:
        env["REDIS_URL"] = redis_url(14)
    project = render(
        tmp_path / "proj",
        project_name="fast-mongo",
        framework="fastapi",
        database="mongodb",
        auth=auth,
        ci="gitlab",
        extras=extras,
    )
    if auth == "session":
        package = project / "src" / "fast_mongo"
        # With the redis extra, sessions are Redis keys that expire with them; MongoDB holds none.
        assert "class UserSession" not in (package / "models.py").read_text()
        assert "async def start_session" in (package / "redis_store.py").read_text()
    output = check_project(project, env)
    assert_database_tests_ran(project, "mongodb", env, output)


def assert_database_tests_ran(
    project: Path, database: str, env: dict[str, str], output: str
) -> None:
    """A MongoDB project has no SQL, and its database tests ran unless no server was named."""
    if database != "mongodb":
        assert " skipped" not in output
        return
    assert sql_mentions(project) == []
    if "MONGODB_URL" in env:
        assert " skipped" not in output
    else:
        assert MONGODB_SKIP_REASON in output
        # Settings, CORS, liveness and the docs never need the server.
        assert " passed" in output
