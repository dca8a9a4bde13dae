"""What ``scaffold new`` does once typer has parsed its arguments.

Failures are raised as :class:`~scaffold.errors.ScaffoldError`; ``scaffold.cli.main`` prints
them. Nothing is written unless every answer is valid and the render succeeds.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scaffold import answers as answers_mod
from scaffold import names, render, summary
from scaffold.catalogue import OPTIONS
from scaffold.errors import Interrupted, ScaffoldError


@dataclass(frozen=True)
class NewRequest:
    """The parsed arguments of ``scaffold new``; ``flags`` holds the catalogue flags given."""

    name: str
    with_: tuple[str, ...] = ()
    set_: tuple[str, ...] = ()
    answers_file: Path | None = None
    defaults: bool = False
    output_dir: Path = field(default_factory=Path)
    dry_run: bool = False
    no_git: bool = False
    no_lock: bool = False
    as_json: bool = False
    flags: Mapping[str, str] = field(default_factory=dict)


def _layers(request: NewRequest, distribution: str) -> list[tuple[str, Mapping[str, Any]]]:
    """The answers given on the command line, highest precedence first."""
    given: dict[str, Any] = dict(request.flags)
    given["project_name"] = distribution
    if request.with_:
        extras = next((o for o in OPTIONS if o.kind == "multi"), None)
        if extras is None:
            raise answers_mod.AnswerError("no extras are available in this version")
        given[extras.key] = list(request.with_)
    layers: list[tuple[str, Mapping[str, Any]]] = [("flag", given)]
    if request.set_:
        layers.append(("--set", answers_mod.parse_sets(list(request.set_))))
    if request.answers_file is not None:
        layers.append(("answers file", answers_mod.load_file(request.answers_file)))
    return layers


def run(request: NewRequest) -> None:
    """Create (or, with ``dry_run``, list) the project ``request`` describes."""
    project = names.parse(request.name)
    target = request.output_dir / project.distribution
    render.check_target(target.absolute())  # before any question: nothing asked in vain
    layers = _layers(request, project.distribution)
    interactive = not request.defaults and sys.stdin.isatty() and not request.as_json
    try:
        if interactive:
            from scaffold import prompts

            resolved = prompts.interview(layers)
        else:
            resolved = answers_mod.resolve(layers)
    except KeyboardInterrupt:
        raise Interrupted("aborted; nothing was written") from None

    try:
        if request.dry_run:
            files = render.preview(resolved.answers)
            summary.report_dry_run(resolved, target, files, as_json=request.as_json)
            return
        result = render.create(
            resolved.answers, target, git=not request.no_git, lock=not request.no_lock
        )
    except KeyboardInterrupt:
        raise Interrupted("interrupted; nothing was written") from None
    summary.report_created(resolved, result, as_json=request.as_json)


__all__ = ["NewRequest", "ScaffoldError", "run"]
