"""Running combinations: each one's steps in order, timed, logged and recorded, several at once.

:class:`CombinationRun` owns the bookkeeping every step shares (skipping a step whose needs
failed, NOT RUN for a missing server, a log file per step, scratch databases around a body);
what each step does is in :mod:`scaffold.smoke.steps`. A step never crashes the run: an
exception in it is reported as that step's failure with the traceback.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from scaffold.constants import SERVICE_ENV
from scaffold.smoke.processes import DEFAULT_HEALTH_TIMEOUT, kill_all, stopping
from scaffold.smoke.results import FAILED, NOT_RUN, PASSED, ComboResult, Report, StepResult
from scaffold.smoke.selection import NEEDS, STEPS, dir_name, extras_option, with_needs
from scaffold.smoke.services import (
    DatabaseError,
    NotRun,
    ScratchDatabase,
    Services,
    scratch_name,
)

#: Hyphenated on purpose: exercises the distribution -> package name conversion.
PROJECT_NAME = "smoke-app"
#: The steps that talk to the project's database or cache, so need their servers.
SERVER_STEPS = ("pytest", "dev", "fuzz", "prod", "image")

#: Told of each step of a combination: once as it starts (``None``), once with its result.
StepCallback = Callable[[ComboResult, str, "StepResult | None"], None]


class CombinationRun:
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
        #: step -> what it counted, for its progress line and the report (set by the step).
        self.summaries: dict[str, str] = {}

    # -- bookkeeping

    def record(self, name: str, fn: Callable[[], tuple[bool, str]]) -> None:
        """Run step ``name`` if it was asked for, record it, and tell ``on_step``."""
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
        status = PASSED if ok else FAILED
        return StepResult(name, status, seconds, output, summary=self.summaries.get(name, ""))

    def write_log(self, name: str, output: str) -> None:
        """A step's full output, kept where the run's summary says to look."""
        self.logs.mkdir(parents=True, exist_ok=True)
        (self.logs / f"{name}.log").write_text(output, encoding="utf-8")

    def services_needed(self) -> list[str]:
        """The servers this project talks to: its database, and Redis and MQTT when it uses them."""
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
        if "mqtt" in extras:
            kinds.append("mqtt")
        return kinds

    def missing_service(self, step: str) -> str:
        """The variable to set for ``step`` to run here; empty if nothing is missing."""
        if step not in SERVER_STEPS:
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
                if kind in ("redis", "mqtt"):  # the project's tests use their own keys/topics
                    name = f"{kind.upper()}_URL"
                    env[name] = url
                    notes.append(f"[smoke] {name} from {SERVICE_ENV[kind]}\n")
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

    def run(self) -> ComboResult:
        """Every step in order; a step whose needs did not pass is NOT RUN, saying which."""
        from scaffold.smoke.steps import STEP_FUNCTIONS

        self.root.mkdir(parents=True, exist_ok=True)
        for name in STEPS:
            self.record(name, lambda name=name: STEP_FUNCTIONS[name](self))
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
    runner = CombinationRun(
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
    stopping.clear()
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
        if on_result and not stopping.is_set():
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
