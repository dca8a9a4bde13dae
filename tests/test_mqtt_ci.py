"""With the mqtt extra, both generated CIs give the test job a real MQTT broker.

The project's ingestion tests skip without ``MQTT_URL``; a CI that never sets it would stay green
while proving nothing about the ingester. So the workflow and the GitLab job must start an
(anonymous, job-local) Mosquitto broker and name it in ``MQTT_URL``, and stay valid under their
schemas. Render only, plus check-jsonschema: fast.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from scaffold import render
from scaffold.catalogue import defaults
from tests.projects import assert_valid_ci


def _project(tmp_path: Path, ci: str, extras: list[str]) -> Path:
    answers = {**defaults(), "ci": ci, "extras": extras}
    render.render_tree(answers, tmp_path / "p")
    return tmp_path / "p"


def test_github_workflow_starts_a_broker_before_the_tests(tmp_path: Path) -> None:
    project = _project(tmp_path, "github", ["mqtt"])
    workflow = project / ".github" / "workflows" / "ci.yml"
    assert_valid_ci(project, "github")
    job = yaml.safe_load(workflow.read_text())["jobs"]["test"]
    assert job["env"]["MQTT_URL"] == "mqtt://127.0.0.1:1883"
    runs = [step.get("run", "") for step in job["steps"]]
    broker = next(i for i, run in enumerate(runs) if "eclipse-mosquitto" in run)
    tests = next(i for i, run in enumerate(runs) if "pytest" in run)
    assert broker < tests
    assert "-p 127.0.0.1:1883:1883" in runs[broker]
    # The image's default config listens on localhost inside the container only.
    assert "/mosquitto-no-auth.conf" in runs[broker]


def test_gitlab_job_has_a_broker_service(tmp_path: Path) -> None:
    project = _project(tmp_path, "gitlab", ["mqtt"])
    assert_valid_ci(project, "gitlab")
    job = yaml.safe_load((project / ".gitlab-ci.yml").read_text())["test"]
    (broker,) = [s for s in job["services"] if s["alias"] == "mosquitto"]
    assert broker["name"].startswith("eclipse-mosquitto:")
    assert broker["command"] == ["mosquitto", "-c", "/mosquitto-no-auth.conf"]
    assert job["variables"]["MQTT_URL"] == "mqtt://mosquitto:1883"


@pytest.mark.parametrize("ci", ["github", "gitlab"])
def test_without_mqtt_no_broker(tmp_path: Path, ci: str) -> None:
    project = _project(tmp_path, ci, [])
    name = ".github/workflows/ci.yml" if ci == "github" else ".gitlab-ci.yml"
    text = (project / name).read_text()
    assert "mosquitto" not in text
    assert "MQTT_URL" not in text
