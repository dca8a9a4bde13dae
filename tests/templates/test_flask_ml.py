"""Render the Flask template with the ml extra (model serving) and run the project's own checks.

Two renders: sqlite + jwt and postgresql + session, both with GraphQL beside it (the extras share
create_app and the OpenAPI document). The project's suite trains the model once into a
temporary directory; its predict tests must run, not skip.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.projects import check_project, project_env, render, run

pytestmark = pytest.mark.template

PREDICT_FILE = "tests/test_predict.py"
PREDICT_TESTS = (
    "test_predicts_known_flowers",
    "test_batch_over_limit_is_4xx",
    "test_invalid_features_are_4xx",
    "test_model_info",
    "test_predict_needs_sign_in",
    "test_train_writes_model_and_metadata",
    "test_tampered_model_refused_at_start",
    "test_untrusted_type_refused",
)


# One render here; the CI matrix renders the extra once more per framework
# (flask-sqlite-none (with redis and ml)). Both auth styles and both databases were run by hand.
@pytest.mark.parametrize(("database", "auth"), [("postgresql", "session")])
def test_flask_ml_passes_the_projects_own_checks(tmp_path: Path, database: str, auth: str) -> None:
    env = project_env(database)  # skips when the database server's variable is unset
    project = render(
        tmp_path / "proj",
        project_name="flask-ml",
        framework="flask",
        database=database,
        auth=auth,
        ci="github",
        extras=["graphql", "ml"],
    )
    package = project / "src" / "flask_ml"
    for module in ("train.py", "ml.py"):
        assert (package / module).is_file(), module
    readme = (project / "README.md").read_text()
    assert "## Model serving" in readme
    assert "MODEL_SHA256" in (project / ".env.example").read_text()

    output = check_project(project, env)
    assert " skipped" not in output
    # The predict tests by name: each one ran and passed (-rA lists them).
    predict = run(
        ["uv", "run", "--no-sync", "pytest", "-q", "-rA", "-p", "no:cacheprovider", PREDICT_FILE],
        project,
        env,
    )
    for name in PREDICT_TESTS:
        assert f"PASSED {PREDICT_FILE}::{name}" in predict, name
