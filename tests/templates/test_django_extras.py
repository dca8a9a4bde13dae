"""Render the Django template with the redis, worker, metrics and logging extras and run the
generated project's own checks, its tests included, against the real Redis.

Two renders only (CI time): sqlite + jwt and postgresql + session. The project's suite starts a
real Celery worker, checks the cache, the login rate limit and /ready against Redis, scrapes
/metrics and reads its own JSON logs. REDIS_URL points at a database number of Django's range
(11-15) so that the other frameworks' runs on the same server never meet these keys; the suite
deletes its own keys anyway.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.projects import check_project, project_env, redis_url, render

pytestmark = pytest.mark.template

EXTRAS = ["redis", "worker", "metrics", "logging"]


@pytest.mark.parametrize(
    ("database", "auth", "redis_db"), [("sqlite", "jwt", 11), ("postgresql", "session", 12)]
)
def test_django_extras_pass_the_projects_own_checks(
    tmp_path: Path, database: str, auth: str, redis_db: int
) -> None:
    env = project_env(database)  # skips when the database server's variable is unset
    env["REDIS_URL"] = redis_url(redis_db)
    project = render(
        tmp_path / "proj",
        project_name="django-extras",
        framework="django",
        database=database,
        auth=auth,
        ci="github",
        extras=EXTRAS,
    )
    package = project / "django_extras"
    assert (package / "worker.py").is_file()
    assert (package / "core" / "redis_store.py").is_file()
    assert (package / "accounts" / "throttle.py").is_file()
    assert (package / "core" / "requestlog.py").is_file()
    assert (package / "items" / "tasks.py").is_file()
    pyproject = (project / "pyproject.toml").read_text()
    for dependency in ("redis", "celery[redis]", "django-prometheus"):
        assert f'"{dependency}>=' in pyproject
    compose = (project / "compose.yaml").read_text()
    assert '"celery", "-A", "django_extras.worker", "worker"' in compose
    assert "REDIS_URL: redis://redis:6379/0" in compose
    example = (project / ".env.example").read_text()
    assert "REDIS_URL=" in example
    assert "LOGIN_MAX_ATTEMPTS=5\n" in example

    output = check_project(project, env)
    # With REDIS_URL set nothing may skip: the Redis and worker tests really ran.
    assert " skipped" not in output
    for module in ("test_redis.py", "test_worker.py", "test_metrics.py", "test_logging.py"):
        assert (project / "tests" / module).is_file()


def test_django_without_extras_has_none_of_their_files(tmp_path: Path) -> None:
    project = render(
        tmp_path / "proj", project_name="plain", framework="django", database="sqlite", auth="jwt"
    )
    assert not (project / "plain" / "worker.py").exists()
    assert not (project / "plain" / "core" / "redis_store.py").exists()
    assert not list((project / "tests").glob("test_worker.py"))
    pyproject = (project / "pyproject.toml").read_text()
    assert "celery" not in pyproject
    assert "redis" not in pyproject
    assert "prometheus" not in pyproject
