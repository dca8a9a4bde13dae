"""What ``scaffold new`` does once its arguments are parsed, with no command-line library.

typer (``scaffold.cli``) and the typer-free fast path (``scaffold.fast_new``) both parse the
arguments into a :class:`NewRequest` and call :func:`run`, so the command behaves the same
whichever parsed it. Errors are raised as :class:`CommandFailed` and each caller prints them
its way (typer's ``echo`` or a plain write; the same bytes).
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


class CommandFailed(Exception):
    """``scaffold new`` stops: ``str(error)`` is the one-line message, ``code`` the exit."""

    def __init__(self, message: str, code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.code = code


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


def run(request: NewRequest, *, one_shot: bool = False) -> None:
    """Create (or, with ``dry_run``, list) the project ``request`` describes.

    ``one_shot`` says the process ends when this returns (the console script's fast path): the
    cyclic garbage collector is then stopped before the render, see :func:`_stop_collecting`.
    """
    from scaffold import answers as answers_mod
    from scaffold import names, render, summary
    from scaffold.catalogue import OPTIONS

    try:
        project = names.parse(request.name)
        given: dict[str, Any] = dict(request.flags)
        given["project_name"] = project.distribution
        if request.with_:
            extras = next((o for o in OPTIONS if o.kind == "multi"), None)
            if extras is None:
                raise answers_mod.AnswerError("no extras are available in this version")
            given[extras.key] = list(request.with_)
        layers: list[tuple[str, Any]] = [("flag", given)]
        if request.set_:
            layers.append(("--set", answers_mod.parse_sets(list(request.set_))))
        if request.answers_file is not None:
            layers.append(("answers file", answers_mod.load_file(request.answers_file)))
        interactive = not request.defaults and sys.stdin.isatty() and not request.as_json
        asker = None
        if interactive:
            from scaffold import prompts

            asker = prompts.ask
        resolved = answers_mod.resolve(layers, ask=asker)
    except (names.InvalidName, answers_mod.AnswerError) as error:
        raise CommandFailed(str(error)) from None
    except KeyboardInterrupt:
        raise CommandFailed("aborted; nothing was written", EXIT_INTERRUPTED) from None

    target = request.output_dir / project.distribution
    try:
        render.check_target(target.absolute())
    except render.RenderError as error:
        raise CommandFailed(str(error)) from None

    if interactive:
        from scaffold import prompts

        try:
            prompts.confirm(resolved, summary.answers_text(resolved))
        except (prompts.Aborted, KeyboardInterrupt):
            raise CommandFailed("aborted; nothing was written", EXIT_INTERRUPTED) from None

    if one_shot:
        _stop_collecting()
    try:
        if request.dry_run:
            files = render.preview(resolved.answers)
            summary.report_dry_run(resolved, target, files, as_json=request.as_json)
            return
        result = render.create(
            resolved.answers, target, git=not request.no_git, lock=not request.no_lock
        )
    except render.RenderError as error:
        raise CommandFailed(str(error)) from None
    except KeyboardInterrupt:
        raise CommandFailed("interrupted; nothing was written", EXIT_INTERRUPTED) from None
    summary.report_created(resolved, result, as_json=request.as_json)


def _stop_collecting() -> None:
    """Stop CPython's cyclic garbage collector for the rest of this (short-lived) process.

    Importing Copier and what it pulls in (pydantic, prompt_toolkit, plumbum, Jinja) creates
    ~100,000 long-lived objects - classes, functions, pydantic schemas - and so triggers ~150
    collections that traverse them and find no garbage: ~35 ms of the ~240 ms import
    (benchmarks/RESULTS.md). Only the console script's one-shot run asks for this, after any
    prompting and right before the render, and never turns it back on: re-enabling would make
    the next collection traverse all those objects at once and cost the saving back (the
    fast path freezes them instead, just before the process exits). Memory is not the price:
    a render leaves ~1,400 objects in cycles, and peak RSS is 53.7 MB without the collector,
    53.0 MB with. Reference counting still frees everything that is not in a cycle.
    """
    gc.disable()
