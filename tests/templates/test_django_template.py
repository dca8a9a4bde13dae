"""Render the Django template (auth=jwt) on each database and run the project's own checks.

The generated project's pytest runs against the real server named by project_env(): Django's
test runner creates a uniquely named database there and drops it afterwards. That suite also
checks `makemigrations --check` and `check --deploy` with the production settings.
"""

from __future__ import annotations

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

    check_project(project, env)
