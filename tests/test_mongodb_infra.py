"""MongoDB in the shared infrastructure: compose, both CIs and Kubernetes name the same server.

No MongoDB server runs here, so these tests prove what can be proven without one: the files a
MongoDB project gets are valid under their schemas, start a real ``mongo`` service with a
healthcheck and credentials from ``.env``, and point the app at it with ``MONGODB_URL``; and
Django refuses MongoDB with the catalogue's reason.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from scaffold import catalogue
from scaffold.cli import app
from tests.projects import assert_valid_ci, check_jsonschema, render

pytestmark = pytest.mark.template
FRAMEWORKS = [
    combo["framework"]
    for combo in catalogue.combinations(["framework", "database"])
    if combo["database"] == "mongodb"
]


@pytest.fixture(scope="module", params=FRAMEWORKS)
def github_project(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    framework = request.param
    return render(
        tmp_path_factory.mktemp(framework) / "proj",
        project_name="mongo-proj",
        framework=framework,
        database="mongodb",
        auth="jwt",
        ci="github",
        extras=["redis", "worker", "kubernetes"],
    )


def test_mongodb_is_offered_by_fastapi_and_flask_only() -> None:
    assert FRAMEWORKS == ["fastapi", "flask"]


def test_compose_runs_mongo_with_a_healthcheck_and_a_password(github_project: Path) -> None:
    check_jsonschema(github_project, "--builtin-schema", "vendor.compose-spec", "compose.yaml")
    compose = yaml.safe_load((github_project / "compose.yaml").read_text())
    mongo = compose["services"]["mongo"]
    assert mongo["image"].startswith("mongo:")
    assert "mongosh" in " ".join(mongo["healthcheck"]["test"])
    assert mongo["environment"]["MONGO_INITDB_ROOT_PASSWORD"].startswith("${DB_PASSWORD:?")
    assert all(port.startswith("127.0.0.1:") for port in mongo["ports"])
    for name in ("app", "migrate", "worker"):
        environment = compose["services"][name]["environment"]
        assert environment["MONGODB_URL"].startswith("mongodb://app:${DB_PASSWORD:?")
        assert "@mongo:27017/" in environment["MONGODB_URL"]
        assert "DATABASE_URL" not in environment
    depends = compose["services"]["migrate"]["depends_on"]
    assert depends == {"mongo": {"condition": "service_healthy"}}
    assert "db" not in compose["services"]


def test_github_ci_tests_against_a_mongo_service(github_project: Path) -> None:
    workflow = github_project / ".github" / "workflows" / "ci.yml"
    assert_valid_ci(github_project, "github")
    job = yaml.safe_load(workflow.read_text())["jobs"]["test"]
    assert job["services"]["mongo"]["image"].startswith("mongo:")
    assert "mongosh" in job["services"]["mongo"]["options"]
    assert job["env"]["MONGODB_URL"] == "mongodb://127.0.0.1:27017/test"
    assert "DATABASE_URL" not in job["env"]


def test_kubernetes_reads_mongodb_url_from_the_secret(github_project: Path) -> None:
    k8s = github_project / "deploy" / "k8s"
    for manifest in ("deployment.yaml", "migrate-job.yaml", "worker-deployment.yaml"):
        text = (k8s / manifest).read_text()
        assert "key: MONGODB_URL" in text
        assert "DATABASE_URL" not in text
    readme = (github_project / "README.md").read_text()
    assert "--from-literal=MONGODB_URL='mongodb://" in readme
    assert "docker compose up -d mongo" in readme


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_gitlab_ci_tests_against_a_mongo_service(tmp_path: Path, framework: str) -> None:
    project = render(
        tmp_path / "proj", framework=framework, database="mongodb", auth="none", ci="gitlab"
    )
    assert_valid_ci(project, "gitlab")
    job = yaml.safe_load((project / ".gitlab-ci.yml").read_text())["test"]
    assert [s["alias"] for s in job["services"]] == ["mongo"]
    assert job["variables"]["MONGODB_URL"] == "mongodb://mongo:27017/test"


def test_django_with_mongodb_is_refused_with_the_reason(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        ["new", "shop", "--defaults", "-f", "django", "-d", "mongodb", "-o", str(tmp_path)],
    )
    assert result.exit_code == 2
    assert "choose FastAPI or Flask for MongoDB" in result.output
    assert not (tmp_path / "shop").exists()
