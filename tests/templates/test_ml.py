"""Render each framework with the ml extra (beside GraphQL) and run the project's own checks.

One render per framework, each pairing a database with an auth style the CI matrix does not give
the extra (the pairwise matrix has it with fastapi-sqlite-jwt, fastapi-mysql-jwt,
flask-mongodb-jwt and django-postgresql-session); every framework x {sqlite, postgresql} x
{jwt, session} was run by hand for issue 22. The
project's suite trains the model once into a temporary directory; every predict test of the
contract (docs/api-contract.md) must run and pass, and the schemathesis contract test fuzzes the
two new operations.
"""

from __future__ import annotations

import difflib
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
#: Where the package lives, and the modules the extra adds beside train.py and ml.py.
LAYOUT = {
    "fastapi": ("src/ml_demo", ("api/predict.py", "schemas/predict.py")),
    "flask": ("src/ml_demo", ()),
    "django": ("ml_demo", ("ml_api/views.py", "ml_api/serializers.py")),
}


@pytest.mark.parametrize(
    ("framework", "database", "auth"),
    [
        ("fastapi", "postgresql", "session"),
        ("flask", "postgresql", "session"),
        ("django", "sqlite", "jwt"),
    ],
)
def test_ml_passes_the_projects_own_checks(
    tmp_path: Path, framework: str, database: str, auth: str
) -> None:
    env = project_env(database)  # skips when the database server's variable is unset
    project = render(
        tmp_path / "proj",
        project_name="ml-demo",
        framework=framework,
        database=database,
        auth=auth,
        ci="github",
        extras=["graphql", "ml"],
    )
    package, modules = LAYOUT[framework]
    for module in ("train.py", "ml.py", *modules):
        assert (project / package / module).is_file(), module
    pyproject = (project / "pyproject.toml").read_text()
    for dependency in ("scikit-learn", "skops"):
        assert f'"{dependency}>=' in pyproject, dependency
    example = (project / ".env.example").read_text()
    for setting in ("MODEL_PATH", "MODEL_SHA256", "PREDICT_MAX_BATCH"):
        assert setting in example, setting
    readme = (project / "README.md").read_text()
    assert "## Model serving" in readme
    assert "python -m ml_demo.train" in readme

    output = check_project(project, env)
    assert " skipped" not in output
    predict = run(
        ["uv", "run", "--no-sync", "pytest", "-q", "-rA", "-p", "no:cacheprovider", PREDICT_FILE],
        project,
        env,
    )
    for name in PREDICT_TESTS:
        assert f"PASSED {PREDICT_FILE}::{name}" in predict, name


@pytest.mark.parametrize("framework", sorted(LAYOUT))
def test_without_ml_nothing_of_it_is_rendered(tmp_path: Path, framework: str) -> None:
    project = render(
        tmp_path / "proj", project_name="ml-demo", framework=framework, database="sqlite"
    )
    package, modules = LAYOUT[framework]
    for module in ("train.py", "ml.py", *modules):
        assert not (project / package / module).exists(), module
    assert not (project / PREDICT_FILE).exists()
    pyproject = (project / "pyproject.toml").read_text()
    assert "skops" not in pyproject
    assert "scikit-learn" not in pyproject
    assert "MODEL_PATH" not in (project / ".env.example").read_text()


def test_train_py_is_one_module_for_every_framework(tmp_path: Path) -> None:
    """One template (``_shared/ml/train.py.jinja``) writes every framework's train.py.

    The same names for ml.py and the tests to import, the same files written the same way; only
    the reason scikit-learn is imported inside ``train()`` is Django's own.
    """
    texts = {}
    for framework, (package, _) in LAYOUT.items():
        project = render(
            tmp_path / framework,
            project_name="ml-demo",
            framework=framework,
            database="sqlite",
            extras=["ml"],
        )
        texts[framework] = (project / package / "train.py").read_text()
    assert texts["fastapi"] == texts["flask"]
    changed = [
        line
        for line in difflib.unified_diff(
            texts["fastapi"].splitlines(), texts["django"].splitlines(), n=0, lineterm=""
        )
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]
    assert changed, "Django's train.py says why scikit-learn is imported late"
    assert all(line[1:].lstrip().startswith("#") for line in changed), changed
    assert "in every Django process" in texts["django"]
    train = texts["fastapi"]
    for expected in ('MODEL_NAME = "iris-classifier"', "FEATURES = (", "os.fsync("):
        assert expected in train, expected
    # scikit-learn only inside train(): importing the module for its names stays cheap.
    assert "\nimport sklearn" not in train
    assert "\n    import sklearn" in train
