"""Render the Django template with the ml extra (beside graphql) and run the generated project's
own checks: its model-serving tests ran and passed, with the OpenAPI contract test fuzzing the
new endpoints.

Two renders only (CI time): sqlite + jwt and postgresql + session (CSRF on the POST).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.projects import check_project, project_env, render, run

pytestmark = pytest.mark.template

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
# (django-postgresql-session, with metrics and ml). Both auth styles and databases were run by hand.
@pytest.mark.parametrize(("database", "auth"), [("sqlite", "jwt")])
def test_django_ml_passes_the_projects_own_checks(tmp_path: Path, database: str, auth: str) -> None:
    env = project_env(database)  # skips when the database server's variable is unset
    project = render(
        tmp_path / "proj",
        project_name="django-ml",
        framework="django",
        database=database,
        auth=auth,
        ci="github",
        extras=["graphql", "ml"],
    )
    package = project / "django_ml"
    for module in ("train.py", "ml.py", "ml_api/views.py", "ml_api/serializers.py"):
        assert (package / module).is_file(), module
    pyproject = (project / "pyproject.toml").read_text()
    for dependency in ("scikit-learn", "skops"):
        assert f'"{dependency}>=' in pyproject
    example = (project / ".env.example").read_text()
    assert "MODEL_PATH=models/model.skops\n" in example
    assert "PREDICT_MAX_BATCH=100\n" in example
    readme = (project / "README.md").read_text()
    assert "## Model serving" in readme
    assert "python -m django_ml.train" in readme

    output = check_project(project, env)
    assert " skipped" not in output
    # The model-serving tests were part of that run: the suite collects each of them.
    collect = ["uv", "run", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider"]
    collected = run([*collect, "tests/test_predict.py"], project, env)
    for name in PREDICT_TESTS:
        assert f"tests/test_predict.py::{name}" in collected, name


def test_django_without_ml_has_none_of_its_files(tmp_path: Path) -> None:
    project = render(
        tmp_path / "proj", project_name="plain", framework="django", database="sqlite", auth="jwt"
    )
    for module in ("train.py", "ml.py", "ml_api"):
        assert not (project / "plain" / module).exists(), module
    assert not (project / "tests" / "test_predict.py").exists()
    pyproject = (project / "pyproject.toml").read_text()
    assert "skops" not in pyproject
    assert "scikit-learn" not in pyproject
    assert "MODEL_PATH" not in (project / ".env.example").read_text()
