"""What a smoke run found: each step's outcome, each combination's, and the whole run's.

Three outcomes, never two: a step that could not run here (a server's URL unset, a checker or
container engine missing) is NOT RUN with the reason, so an incomplete run never looks green.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scaffold import catalogue
from scaffold.smoke.selection import STEPS, combo_id

PASSED, FAILED, NOT_RUN = "passed", "failed", "not run"
#: Exit code of a run in which no combination fully ran (and none failed): nothing was proven.
NOTHING_RAN = 3
#: How much of a failed step's output the JSON report keeps (its end says what went wrong).
TAIL_CHARS = 6000


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
    #: What the step counted, when it counts something (``fuzz``: ``3 failures``).
    summary: str = ""

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
        if self.summary:
            data["summary"] = self.summary
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
