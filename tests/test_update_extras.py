"""`scaffold update --with` adds the real-time and API extras to a project that already exists.

A user who started without them must get the same project as one who chose them at `new`:
the modules, their dependencies (re-locked), their migrations and their tests, which then pass
against this machine's real Redis and MQTT broker.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.projects import check_project, project_env, redis_url, service_url
from tests.update_helpers import PKG, commit_all, git, read, scaffold

pytestmark = [pytest.mark.template, pytest.mark.usefixtures("git_identity")]

EXTRAS = ["redis", "websockets", "mqtt", "graphql"]


def test_update_with_adds_the_extras_and_their_tests_pass(tmp_path: Path) -> None:
    env = project_env("sqlite")
    env["REDIS_URL"] = redis_url(15)
    env["MQTT_URL"] = service_url("mqtt")
    code, output = scaffold("new", PKG, "-y", "-o", str(tmp_path))
    assert code == 0, output
    project = tmp_path / PKG
    (project / "NOTES.md").write_text("# kept across the update\n", encoding="utf-8")
    commit_all(project)

    flags = [word for extra in EXTRAS for word in ("--with", extra)]
    code, output = scaffold("update", *flags, str(project))
    assert code == 0, output
    answers = yaml.safe_load(read(project, ".scaffold-answers.yml"))
    assert sorted(answers["extras"]) == sorted(EXTRAS)
    assert git(project, "status", "--porcelain") == ""
    assert read(project, "NOTES.md") == "# kept across the update\n"
    package = project / "src" / PKG
    for module in ("chat.py", "ingest.py", "redis_store.py", "graphql_api/schema.py"):
        assert (package / module).is_file(), module
    lock = read(project, "uv.lock")
    for dependency in ("redis", "aiomqtt", "strawberry-graphql"):
        assert f'name = "{dependency}"' in lock, dependency

    output = check_project(project, env)  # lint, format, hadolint, the project's own tests
    skipped = [line for line in output.splitlines() if line.startswith("SKIPPED")]
    extra_tests = ("test_websockets.py", "test_ingest.py", "test_telemetry.py", "test_graphql.py")
    assert not [line for line in skipped if any(name in line for name in extra_tests)], output
