"""``scaffold new`` from the console script without typer, for the usual invocations.

Importing typer and letting it parse ``new``'s ~20 options (it builds a pydantic validator for
each) costs ~50 ms, more than a tenth of ``scaffold new --defaults`` (benchmarks/RESULTS.md).
This module parses the common shapes itself and calls the same :func:`scaffold.new_command.run`
as typer's command; for anything else it answers ``None`` and typer handles the whole command
line as before, errors and help included. It therefore only accepts what it is sure typer reads
the same way:

- one positional NAME, anywhere, and no ``--``;
- the options in the tables below as ``--long``, ``--long VALUE``, ``--long=VALUE`` or
  ``-s VALUE``; a VALUE that is empty or starts with ``-`` sends the whole line to typer, and so
  does a single-valued option given twice, ``--answers-file``, ``--help`` and anything unknown;
- no shell-completion request and not Windows (where click expands wildcards itself).

tests/test_fast_new.py checks that the tables name exactly typer's options, and that for many
command lines this parser either declines or builds the request typer's command builds.
"""

from __future__ import annotations

import errno
import gc
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from scaffold import output
from scaffold.new_command import EXIT_INTERRUPTED, CommandFailed, NewRequest, run

#: Flags without a value -> NewRequest field.
SWITCHES: Mapping[str, str] = {
    "--defaults": "defaults",
    "-y": "defaults",
    "--dry-run": "dry_run",
    "--no-git": "no_git",
    "--no-lock": "no_lock",
    "--json": "as_json",
}
#: Repeatable options -> NewRequest field.
REPEATABLE: Mapping[str, str] = {"--with": "with_", "--set": "set_"}
#: Options always left to typer (their checks live in click's types).
LEFT_TO_TYPER: frozenset[str] = frozenset({"--answers-file", "--help"})
COMPLETION_VAR = "_SCAFFOLD_COMPLETE"


def _completion_var(name: str) -> bool:
    """Whether ``name`` may be click's shell-completion variable: ``_SCAFFOLD_COMPLETE`` for
    the console script, another ``_<PROG>_COMPLETE`` when run under another program name."""
    return name.startswith("_") and name.endswith("_COMPLETE")


def valued_options() -> dict[str, str]:
    """Options with one value -> NewRequest field, or ``flag:<key>`` for a catalogue flag."""
    from scaffold.catalogue import OPTIONS

    options = {"--output-dir": "output_dir", "-o": "output_dir"}
    for option in OPTIONS:
        if option.flag is None or option.kind == "multi":
            continue  # the same options scaffold.cli._catalogue_params gives typer
        for name in (option.flag, option.short):
            if name:
                options[name] = f"flag:{option.key}"
    return options


def parse(argv: Sequence[str]) -> NewRequest | None:
    """The request for ``scaffold new ARGV``, or ``None`` when typer should parse it."""
    if os.name == "nt" or any(_completion_var(name) for name in os.environ):
        return None
    valued = valued_options()
    names: list[str] = []
    fields: dict[str, object] = {}
    flags: dict[str, str] = {}
    repeated: dict[str, list[str]] = {"with_": [], "set_": []}
    args = list(argv)
    while args:
        arg = args.pop(0)
        if not arg.startswith("-") or arg == "-":
            if arg == "-":
                return None
            names.append(arg)
            continue
        option, has_inline, inline = arg.partition("=")
        if not option.startswith("--"):
            has_inline, option = "", arg  # "-o=x" is not an inline value to click
        if option in SWITCHES and not has_inline:
            fields[SWITCHES[option]] = True
            continue
        if option not in valued and option not in REPEATABLE:
            return None  # unknown, left to typer, or a switch given a value
        if has_inline:
            value = inline
        elif args:
            value = args.pop(0)
        else:
            return None
        if not value or value.startswith("-"):
            return None
        if option in REPEATABLE:
            repeated[REPEATABLE[option]].append(value)
            continue
        target = valued[option]
        if target in fields:
            return None  # given twice
        if target.startswith("flag:"):
            flags[target.removeprefix("flag:")] = value
            fields[target] = True
        else:
            fields[target] = Path(value)
    if len(names) != 1:
        return None
    return NewRequest(
        name=names[0],
        with_=tuple(repeated["with_"]),
        set_=tuple(repeated["set_"]),
        defaults=bool(fields.get("defaults", False)),
        output_dir=fields.get("output_dir", Path()),  # type: ignore[arg-type]
        dry_run=bool(fields.get("dry_run", False)),
        no_git=bool(fields.get("no_git", False)),
        no_lock=bool(fields.get("no_lock", False)),
        as_json=bool(fields.get("as_json", False)),
        flags=flags,
    )


def main(argv: Sequence[str]) -> int | None:
    """Run ``scaffold new ARGV`` and return its exit code, or ``None`` to let typer run it.

    Exits as typer's standalone mode does: a Ctrl-C that the command does not handle is exit
    130, an end of input "Aborted!" and exit 1, a closed pipe exit 1 without a traceback.
    """
    request = parse(argv)
    if request is None:
        return None
    try:
        return _run(request)
    finally:
        _skip_collection_at_exit()


def _run(request: NewRequest) -> int:
    try:
        run(request, one_shot=True)
    except CommandFailed as error:
        output.echo(f"error: {error}", err=True)
        return error.code
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except EOFError:
        output.echo(err=True)
        output.echo("Aborted!", err=True)
        return 1
    except OSError as error:
        if error.errno != errno.EPIPE:
            raise
        from typer._click.utils import PacifyFlushWrapper

        sys.stdout = PacifyFlushWrapper(sys.stdout)  # type: ignore[assignment]
        sys.stderr = PacifyFlushWrapper(sys.stderr)  # type: ignore[assignment]
        return 1
    return 0


def _skip_collection_at_exit() -> None:
    """Let the interpreter's shutdown leave alone the objects that exist now.

    This is the end of the process. While shutting down, CPython runs full garbage collections
    (even with the collector disabled) over everything still alive - here ~150,000 objects of
    Copier, pydantic and prompt_toolkit - and that took ~60 ms, a sixth of the command
    (benchmarks/RESULTS.md). ``gc.freeze()`` moves them to the permanent generation, which those
    collections skip; memory is returned with the process either way. What is skipped is
    finalizing cyclic garbage, and a render leaves none that has a finalizer (no files, no
    ``__del__``: tests/test_fast_new.py checks), so nothing that would have run is lost.
    """
    gc.freeze()
