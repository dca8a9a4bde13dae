"""The steps a user takes with a freshly rendered project, one function per step.

Each takes the :class:`~scaffold.smoke.runner.CombinationRun` (the project, its logs, the
servers) and returns ``(ok, output)``, or raises :class:`~scaffold.smoke.services.NotRun` when
this machine lacks what the step needs. The commands are the project's own, as its README
documents them: ``uv sync --locked``, ``ruff``, ``pytest``, the dev and production servers.

:func:`sync_project`, :func:`lint_project` and :func:`test_project` are the same commands for
a project on its own, without a run: the repository's template tests use them, so they prove
a generated project exactly the way ``scaffold smoke`` does.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from scaffold import catalogue
from scaffold.smoke.processes import (
    free_port,
    health_status,
    project_env,
    run_command,
    serve_until_healthy,
    tool,
)
from scaffold.smoke.project_facts import (
    IMPORT_APP,
    app_target,
    build_stage_training,
    dockerfile_cmd,
    migrate_command,
    production_env,
    readme_dev_command,
)
from scaffold.smoke.runner import PROJECT_NAME
from scaffold.smoke.services import INSTALL, NotRun

if TYPE_CHECKING:
    from scaffold.smoke.runner import CombinationRun

TIMEOUTS: dict[str, float] = {
    "render": 300,
    "sync": 900,
    "ruff": 180,
    "pytest": 900,
    "checks": 300,
    "migrate": 300,
}


def sync_project(project: Path, env: Mapping[str, str], *, locked: bool = True) -> tuple[bool, str]:
    """``uv sync``: ``--locked`` proves the rendered ``uv.lock`` matches ``pyproject.toml``."""
    cmd = ["uv", "sync", "--locked"] if locked else ["uv", "sync"]
    code, output = run_command(cmd, project, env, TIMEOUTS["sync"])
    return code == 0, output


def lint_project(project: Path, env: Mapping[str, str]) -> tuple[bool, str]:
    """``ruff check .`` and ``ruff format --check .``, both run even when the first fails."""
    outputs, ok = [], True
    for args in (["check", "."], ["format", "--check", "."]):
        cmd = ["uv", "run", "--no-sync", "ruff", *args]
        code, output = run_command(cmd, project, env, TIMEOUTS["ruff"])
        ok = ok and code == 0
        outputs.append(output)
    return ok, "\n".join(outputs)


def test_project(project: Path, env: Mapping[str, str], *args: str) -> tuple[bool, str]:
    """The project's own test suite, ``pytest`` with ``args``."""
    cmd = ["uv", "run", "--no-sync", "pytest", *args]
    code, output = run_command(cmd, project, env, TIMEOUTS["pytest"])
    return code == 0, output


test_project.__test__ = False  # type: ignore[attr-defined]  # not a test of this repository


def render(run: CombinationRun) -> tuple[bool, str]:
    """``scaffold new`` with the combination's flags, through the real CLI a user types."""
    flags: list[str] = []
    for key, value in run.combo.items():
        option = catalogue.OPTIONS_BY_KEY[key]
        if option.kind == "multi":
            flags += [word for v in value.split(",") if v for word in ("--with", v)]
        elif option.flag:
            flags += [option.flag, value]
        else:
            flags += ["--set", f"{key}={value}"]
    cmd = [
        sys.executable,
        "-m",
        "scaffold",
        "new",
        PROJECT_NAME,
        "--defaults",
        "--no-git",
        "--output-dir",
        str(run.root),
        *flags,
    ]
    env = project_env()
    if os.environ.get("PYTHONPATH"):  # scaffold itself may live there
        env["PYTHONPATH"] = os.environ["PYTHONPATH"]
    code, output = run_command(cmd, run.root, env, TIMEOUTS["render"])
    if code == 0 and not run.project.is_dir():
        return False, output + f"\n[smoke] exit 0 but {run.project} does not exist\n"
    return code == 0, output


def sync(run: CombinationRun) -> tuple[bool, str]:
    """``uv sync --locked``: the rendered lock file installs as it is."""
    return sync_project(run.project, project_env())


def ruff(run: CombinationRun) -> tuple[bool, str]:
    """The project is ruff-clean as generated: a user's first commit must not need a fix-up."""
    return lint_project(run.project, project_env())


def pytest(run: CombinationRun) -> tuple[bool, str]:
    """The project's own suite, against a fresh database on this machine's server."""
    return run.with_databases("test", lambda extra: test_project(run.project, project_env(extra)))


def train_as_the_image_does(project: Path, env: dict[str, str]) -> tuple[bool, str]:
    """Run the Dockerfile's build-stage training (the ml extra's model), if it has one."""
    training = build_stage_training(project)
    if training is None:
        return True, ""
    code, output = run_command(
        ["uv", "run", "--no-sync", *training], project, env, TIMEOUTS["checks"]
    )
    return code == 0, output + (
        "" if code == 0 else "\n[smoke] the image's model training failed\n"
    )


def checks(run: CombinationRun) -> tuple[bool, str]:
    """What needs no server: hadolint, the compose/CI/Dependabot schemas, the Kubernetes
    manifests, and the Dockerfile's app imported the way gunicorn loads it.

    A missing checker makes the step NOT RUN (with its install command) if all that ran passed.
    """
    project, outputs, ok = run.project, [], True
    env = project_env()
    absent: list[str] = []

    def check(exe: str | None, name: str, *args: str) -> None:
        nonlocal ok
        if exe is None:
            absent.append(name)
            outputs.append(f"[smoke] {name} not found: {INSTALL[name]}\n")
            return
        code, output = run_command([exe, *args], project, env, TIMEOUTS["checks"])
        ok = ok and code == 0
        outputs.append(output)

    def problem(message: str) -> None:
        nonlocal ok
        ok = False
        outputs.append(f"[smoke] {message}\n")

    if (project / "Dockerfile").is_file():
        check(tool("hadolint"), "hadolint", "Dockerfile")
        try:
            target = app_target(dockerfile_cmd(project))
        except ValueError as error:
            problem(str(error))
        else:
            trained, output = train_as_the_image_does(project, env)
            ok = ok and trained
            outputs.append(output)
            # Builds the app as gunicorn will, with no database reachable: a server that is
            # down (MongoDB here, whose tests are NOT RUN) still proves the app imports.
            code, output = run_command(
                ["uv", "run", "--no-sync", "python", "-c", IMPORT_APP, target],
                project,
                project_env(production_env(project)),
                TIMEOUTS["checks"],
            )
            ok = ok and code == 0
            outputs.append(f"[smoke] import {target}\n{output}")
    else:
        problem("Dockerfile is missing")
    jsonschema = tool("check-jsonschema")
    schema = "check-jsonschema"
    if (project / "compose.yaml").is_file():
        check(jsonschema, schema, "--builtin-schema", "vendor.compose-spec", "compose.yaml")
    else:
        problem("compose.yaml is missing")
    workflows = sorted(
        p.relative_to(project).as_posix()
        for pattern in ("*.yml", "*.yaml")
        for p in (project / ".github" / "workflows").glob(pattern)
    )
    if workflows:
        check(jsonschema, schema, "--builtin-schema", "vendor.github-workflows", *workflows)
    elif run.combo.get("ci") == "github":
        problem("ci=github but there is no .github/workflows/*.yml")
    dependabot = [
        p.relative_to(project).as_posix() for p in (project / ".github").glob("dependabot.y*ml")
    ]
    if dependabot:
        check(jsonschema, schema, "--builtin-schema", "vendor.dependabot", *dependabot)
    elif run.combo.get("ci") == "github":
        problem("ci=github but there is no .github/dependabot.yml")
    if (project / ".gitlab-ci.yml").is_file():
        check(
            jsonschema,
            schema,
            "--builtin-schema",
            "vendor.gitlab-ci",
            "--data-transform",
            "gitlab-ci",
            ".gitlab-ci.yml",
        )
    elif run.combo.get("ci") == "gitlab":
        problem("ci=gitlab but there is no .gitlab-ci.yml")
    if run.combo.get("ci") == "none" and (workflows or (project / ".gitlab-ci.yml").exists()):
        problem("ci=none but CI configuration was rendered")
    manifests = sorted(
        p.relative_to(project).as_posix()
        for pattern in ("*.yaml", "*.yml")
        for p in (project / "deploy" / "k8s").glob(pattern)
        if p.stem != "kustomization"  # kustomize's own file, not a Kubernetes object
    )
    if manifests:
        k8s = "kubernetes-validate"
        check(tool(k8s), k8s, "--strict", "--quiet", *manifests)
    if ok and absent:  # what ran passed, but the missing checkers proved nothing
        reason = "; ".join(f"{name} not found ({INSTALL[name]})" for name in absent)
        raise NotRun(reason, "\n".join(outputs))
    return ok, "\n".join(outputs)


def dev(run: CombinationRun) -> tuple[bool, str]:
    """The README's first command serves ``/health`` 200 and stops on SIGTERM."""
    try:
        cmd = readme_dev_command(run.project)
    except ValueError as error:
        return False, f"[smoke] {error}\n"

    def body(extra: dict[str, str]) -> tuple[bool, str]:
        return serve_until_healthy(
            ["uv", "run", *cmd],
            run.project,
            project_env(extra),
            run.logs / "dev-server.log",
            timeout=run.health_timeout,
        )

    run.logs.mkdir(parents=True, exist_ok=True)
    return run.with_databases("dev", body)


def prod(run: CombinationRun) -> tuple[bool, str]:
    """Production as compose and the Dockerfile run it: ``migrate``, then the ``CMD``."""
    try:
        serve = dockerfile_cmd(run.project)
        migrate = migrate_command(run.project)
    except ValueError as error:
        return False, f"[smoke] {error}\n"

    def body(extra: dict[str, str]) -> tuple[bool, str]:
        settings = production_env(run.project)
        if run.combo.get("database") == "sqlite":
            settings.pop("DATABASE_URL", None)  # the app's own default file
        env = project_env({**settings, **extra, "WEB_CONCURRENCY": "1"})
        trained, training = train_as_the_image_does(run.project, env)
        if not trained:
            return False, training
        code, migrated = run_command(
            ["uv", "run", "--no-sync", *migrate], run.project, env, TIMEOUTS["migrate"]
        )
        if code != 0:
            return False, migrated + "\n[smoke] the compose migrate command failed\n"
        ok, served = serve_until_healthy(
            ["uv", "run", "--no-sync", *serve],
            run.project,
            env,
            run.logs / "prod-server.log",
            timeout=run.health_timeout,
        )
        return ok, migrated + "\n" + served

    run.logs.mkdir(parents=True, exist_ok=True)
    return run.with_databases("prod", body)


def image(run: CombinationRun) -> tuple[bool, str]:
    """The README's container commands, built, migrated, served and probed (see
    :mod:`scaffold.smoke.image`); NOT RUN without a container engine."""
    from scaffold.smoke import image as smoke_image

    try:
        engine = smoke_image.find_engine(
            os.environ, lambda cmd, timeout: run_command(cmd, run.root, project_env(), timeout)
        )
    except smoke_image.NoEngine as error:
        raise NotRun(str(error), missing=smoke_image.CONTAINER_CMD_ENV) from None

    def body(extra: dict[str, str]) -> tuple[bool, str]:
        step = smoke_image.ImageRun(
            project=run.project,
            engine=engine,
            run=run_command,
            env=project_env(),
            health=health_status,
            port=free_port(),
            health_timeout=run.health_timeout,
        )
        return step.execute(extra)

    return run.with_databases("image", body)


def fuzz(run: CombinationRun) -> tuple[bool, str]:
    """schemathesis against the live dev server (see :mod:`scaffold.smoke.fuzz`)."""
    from scaffold.smoke.fuzz import fuzz_live_server

    return fuzz_live_server(run)


#: Every step by name, in :data:`~scaffold.smoke.selection.STEPS` order.
STEP_FUNCTIONS: dict[str, Callable[[CombinationRun], tuple[bool, str]]] = {
    "render": render,
    "sync": sync,
    "ruff": ruff,
    "pytest": pytest,
    "checks": checks,
    "dev": dev,
    "fuzz": fuzz,
    "prod": prod,
    "image": image,
}
