"""How a smoke run is shown: a line per finished step, the summary table, the JSON report.

The table has one column per step, so a step added to :data:`~scaffold.smoke.selection.STEPS`
shows up here without a change.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from scaffold import catalogue
from scaffold.smoke.results import FAILED, NOT_RUN, PASSED, ComboResult, Report, StepResult


def step_line(step: StepResult) -> str:
    """``sync ✓ 12.3s``, ``image ✗ 40.1s``, ``image not run (why)``: one step's progress line."""
    if step.status == NOT_RUN:
        return f"{step.name} not run ({step.reason})"
    mark = "✓" if step.status == PASSED else "✗"
    return f"{step.name} {mark} {step.seconds:.1f}s" + (
        f" ({step.summary})" if step.summary else ""
    )


def tail(text: str, lines: int = 40) -> str:
    """The last ``lines`` lines of ``text``: where a failing command says what went wrong."""
    return "\n".join(text.rstrip().splitlines()[-lines:])


def failure_text(result: ComboResult, lines: int = 40) -> str:
    """Each failed step of ``result`` with the tail of its output."""
    parts = []
    for step in result.failed:
        counted = f", {step.summary}" if step.summary else ""
        parts.append(f"--- {result.id}: {step.name} failed ({step.seconds:.1f}s{counted})")
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
    counted = [
        f"{r.id} {s.name}: {s.summary}" for r in report.results for s in r.steps if s.summary
    ]
    if counted:
        console.print("counted: " + "; ".join(counted), highlight=False)
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
    """The run as JSON at ``path`` (what CI uploads: every step's outcome and a failure's tail)."""
    import json

    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report.to_json(), indent=2) + "\n", encoding="utf-8")
