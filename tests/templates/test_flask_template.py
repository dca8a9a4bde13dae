"""Render the Flask template (auth=jwt) on each database and run the project's own checks.

The generated project's pytest runs against the real server named by project_env(): it
creates its own uniquely named database there and drops it afterwards.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.projects import check_project, project_env, render

pytestmark = pytest.mark.template


@pytest.mark.parametrize("database", ["sqlite", "postgresql", "mysql"])
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
    assert (package / "migrations" / "versions" / "0001_initial.py").is_file()
    assert not (project / ".gitlab-ci.yml").exists()
    assert "SECRET_KEY=" in (project / ".env").read_text()

    output = check_project(project, env)
    assert " skipped" not in output
