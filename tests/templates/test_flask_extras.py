"""Render the Flask template with all four app-level extras and run the project's own checks.

Three renders keep CI time down while covering both auth styles and every kind of database:
sqlite + jwt, postgresql + session and mongodb + session. The project's tests use the real Redis
server from SCAFFOLD_TEST_REDIS_URL (a db number of the Flask range, 6-10) and, for postgresql,
the real PostgreSQL server; they start a real Celery worker. Each run uses its own Redis key
prefix and deletes its keys, so it never collides with another run. Without
SCAFFOLD_TEST_MONGODB_URL the MongoDB project's tests that need the server skip with their
reason; the rest must pass.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.projects import check_project, project_env, redis_url, render

pytestmark = pytest.mark.template

EXTRAS = ["redis", "worker", "metrics", "logging"]


@pytest.mark.parametrize(
    ("database", "auth", "redis_db"),
    [("sqlite", "jwt", 6), ("postgresql", "session", 7), ("mongodb", "session", 8)],
)
def test_flask_extras_pass_the_projects_own_checks(
    tmp_path: Path, database: str, auth: str, redis_db: int
) -> None:
    env = project_env(database)  # skips when the database server's variable is unset
    env["REDIS_URL"] = redis_url(redis_db)
    project = render(
        tmp_path / "proj",
        project_name="flask-extras",
        framework="flask",
        database=database,
        auth=auth,
        ci="github",
        extras=EXTRAS,
    )
    package = project / "src" / "flask_extras"
    for module in ("redis_store.py", "metrics.py", "logs.py", "tasks.py", "worker.py"):
        assert (package / module).is_file(), module
    compose = (project / "compose.yaml").read_text()
    assert "flask_extras.worker:celery_app" in compose
    assert "REDIS_URL: redis://redis:6379/0" in compose

    output = check_project(project, env)
    if database == "mongodb" and "MONGODB_URL" not in env:
        assert "MONGODB_URL is not set: these tests need a MongoDB server" in output
    else:
        assert " skipped" not in output
