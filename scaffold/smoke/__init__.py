"""``scaffold smoke``: prove that every combination a user can pick really works.

For each combination of the catalogue's matrix options, the smoke test renders a project with
the real CLI and then does what its user would do, timing every step:

1. ``render``  ``scaffold new NAME --defaults --no-git`` with the combination's flags;
2. ``sync``    ``uv sync --locked`` (one shared uv cache for the whole run);
3. ``ruff``    ``ruff check .`` and ``ruff format --check .``;
4. ``pytest``  the project's own test suite, against a fresh database on this machine's server;
5. ``checks``  hadolint, the compose/CI/Dependabot schemas, kubernetes-validate, and the
               Dockerfile's app imported and built the way gunicorn loads it (no server needed);
6. ``dev``     the README's first command, until ``/health`` answers 200, then stopped;
7. ``fuzz``    the dev server again, fuzzed by schemathesis against its own OpenAPI document,
               signed in where the auth mode allows (see :mod:`scaffold.smoke.fuzz`);
8. ``prod``    the compose ``migrate`` command, then the Dockerfile's CMD, the same way;
9. ``image``   the README's container commands: the image built, migrated and started, then
               probed (see :mod:`scaffold.smoke.image`).

A step that needs a database server whose URL is not in the environment, a checker that is not
installed or a container engine that is not there is reported NOT RUN, never as passed.

The modules, in the order a run goes through them: :mod:`~scaffold.smoke.selection` (which
combinations and steps), :mod:`~scaffold.smoke.runner` (each combination's steps, timed and
recorded), :mod:`~scaffold.smoke.steps` (what each step does), :mod:`~scaffold.smoke.services`
(scratch databases), :mod:`~scaffold.smoke.project_facts` (the commands a project documents),
:mod:`~scaffold.smoke.processes` (commands and servers, shared with the repository's tests and
benchmarks), :mod:`~scaffold.smoke.results` and :mod:`~scaffold.smoke.report` (the outcome),
:mod:`~scaffold.smoke.command` (the CLI). This package re-exports what callers use, so
``from scaffold import smoke; smoke.select(...)`` keeps working.
"""

from __future__ import annotations

from scaffold.constants import SERVICE_ENV
from scaffold.smoke.command import register, smoke
from scaffold.smoke.processes import (
    DEFAULT_HEALTH_TIMEOUT,
    STOP_TIMEOUT,
    free_port,
    health_status,
    kill_all,
    project_env,
    run_command,
    running_server,
    serve_until_healthy,
    tool,
)
from scaffold.smoke.project_facts import (
    app_target,
    dockerfile_cmd,
    dotenv,
    migrate_command,
    production_env,
    readme_dev_command,
)
from scaffold.smoke.results import (
    FAILED,
    NOT_RUN,
    NOTHING_RAN,
    PASSED,
    TAIL_CHARS,
    ComboResult,
    Report,
    StepResult,
)
from scaffold.smoke.selection import (
    FULL_KEYS,
    NEEDS,
    SELECTIONS,
    SHARD_KEYS,
    STEPS,
    combo_id,
    dir_name,
    extras_option,
    parse_extras,
    parse_filters,
    select,
    shards,
    with_needs,
)
from scaffold.smoke.services import (
    INSTALL,
    DatabaseError,
    NotRun,
    ScratchDatabase,
    Services,
    scratch_name,
)

__all__ = [
    "DEFAULT_HEALTH_TIMEOUT",
    "FAILED",
    "FULL_KEYS",
    "INSTALL",
    "NEEDS",
    "NOTHING_RAN",
    "NOT_RUN",
    "PASSED",
    "SELECTIONS",
    "SERVICE_ENV",
    "SHARD_KEYS",
    "STEPS",
    "STOP_TIMEOUT",
    "TAIL_CHARS",
    "ComboResult",
    "DatabaseError",
    "NotRun",
    "Report",
    "ScratchDatabase",
    "Services",
    "StepResult",
    "app_target",
    "combo_id",
    "dir_name",
    "dockerfile_cmd",
    "dotenv",
    "extras_option",
    "free_port",
    "health_status",
    "kill_all",
    "migrate_command",
    "parse_extras",
    "parse_filters",
    "production_env",
    "project_env",
    "readme_dev_command",
    "register",
    "run_command",
    "running_server",
    "scratch_name",
    "select",
    "serve_until_healthy",
    "shards",
    "smoke",
    "tool",
    "with_needs",
]


def __getattr__(name: str) -> object:
    """The runner and report, imported on first use: ``scaffold --help`` never needs them."""
    if name in ("run", "run_combination", "CombinationRun", "PROJECT_NAME", "StepCallback"):
        from scaffold.smoke import runner

        return getattr(runner, name)
    if name in ("print_summary", "failure_text", "step_line", "tail", "write_report"):
        from scaffold.smoke import report

        return getattr(report, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
