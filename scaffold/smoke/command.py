"""``scaffold smoke``: the command line over selection, runner and report.

Its ``--framework``/``--database``/... filters are generated from the catalogue's matrix
options, so a new option gets its filter without a change here. Only light modules are
imported at the top (``scaffold --help`` loads this module); the runner is imported when a run
starts.
"""

from __future__ import annotations

import contextlib
import inspect
import threading
import time
from pathlib import Path
from typing import Annotated

import typer

from scaffold import catalogue
from scaffold.smoke.processes import DEFAULT_HEALTH_TIMEOUT
from scaffold.smoke.results import FAILED, NOT_RUN, NOTHING_RAN, PASSED, ComboResult, StepResult
from scaffold.smoke.selection import (
    STEPS,
    combo_id,
    parse_extras,
    parse_filters,
    select,
    with_needs,
)


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

    from scaffold.smoke.report import print_summary, step_line, write_report
    from scaffold.smoke.runner import run

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
