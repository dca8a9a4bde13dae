"""Render the FastAPI template with the ml extra (beside GraphQL) and run the project's own checks.

Two renders cover both auth styles that guard the model endpoints (jwt, and session with its
CSRF token) and both kinds of database: sqlite + jwt, and postgresql + session. The project's
suite trains the model once into a temporary directory, then runs the predict tests and the
schemathesis contract test, which fuzzes the two new operations too.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.projects import check_project, project_env, render

pytestmark = pytest.mark.template


# One render here; the CI matrix renders the extra once more per framework
# (fastapi-mysql-jwt, with ml). Both auth styles and databases were run by hand.
@pytest.mark.parametrize(("database", "auth"), [("postgresql", "session")])
def test_fastapi_ml_passes_the_projects_own_checks(
    tmp_path: Path, database: str, auth: str
) -> None:
    env = project_env(database)  # skips when the database server's variable is unset
    project = render(
        tmp_path / "proj",
        project_name="fast-ml",
        framework="fastapi",
        database=database,
        auth=auth,
        ci="github",
        extras=["graphql", "ml"],
    )
    package = project / "src" / "fast_ml"
    for module in ("train.py", "ml.py", "api/predict.py", "schemas/predict.py"):
        assert (package / module).is_file(), module
    assert (project / "tests" / "test_predict.py").is_file()
    pyproject = (project / "pyproject.toml").read_text()
    assert '"scikit-learn>=1.5"' in pyproject
    assert '"skops>=0.10"' in pyproject
    assert "MODEL_SHA256" in (project / ".env.example").read_text()
    assert "## Model serving" in (project / "README.md").read_text()

    output = check_project(project, env)
    skipped = [line for line in output.splitlines() if line.startswith("SKIPPED")]
    assert not [line for line in skipped if "test_predict" in line], output
