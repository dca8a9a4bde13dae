"""Render the FastAPI template with all four app-level extras and run the project's own checks.

Two renders keep CI time down while covering both auth styles and both kinds of database:
sqlite + jwt, and postgresql + session. The project's tests use the real Redis server from
SCAFFOLD_TEST_REDIS_URL (on a db number of the FastAPI range, 1-5) and, for postgresql, the
real PostgreSQL server; one of them starts a real Celery worker. Each run uses its own Redis key
prefix and deletes its keys, so it never collides with another run.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.projects import check_project, project_env, redis_url, render

pytestmark = pytest.mark.template

EXTRAS = ["redis", "worker", "metrics", "logging"]


@pytest.mark.parametrize(
    ("database", "auth", "redis_db"), [("sqlite", "jwt", 1), ("postgresql", "session", 2)]
)
def test_fastapi_extras_pass_the_projects_own_checks(
    tmp_path: Path, database: str, auth: str, redis_db: int
) -> None:
    env = project_env(database)  # skips when the database server's variable is unset
    env["REDIS_URL"] = redis_url(redis_db)
    project = render(
        tmp_path / "proj",
        project_name="fast-extras",
        framework="fastapi",
        database=database,
        auth=auth,
        ci="github",
        extras=EXTRAS,
    )
    package = project / "src" / "fast_extras"
    for module in ("redis_store.py", "metrics.py", "logs.py", "worker.py", "api/tasks.py"):
        assert (package / module).is_file(), module
    compose = (project / "compose.yaml").read_text()
    assert '["celery", "-A", "fast_extras.worker", "worker", "--loglevel=INFO"]' in compose
    assert "REDIS_URL: redis://redis:6379/0" in compose
    assert "PROMETHEUS_MULTIPROC_DIR" in (project / "gunicorn.conf.py").read_text()

    output = check_project(project, env)
    # With REDIS_URL set, the only skip is the inline (no-Redis) task test: the Redis tests and
    # the real-worker test ran.
    assert output.count("SKIPPED") == 1, output
    assert "tasks go to a real worker" in output
