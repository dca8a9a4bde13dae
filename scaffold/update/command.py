"""The ``update`` and ``check`` commands: parse options, call :mod:`.run` or :mod:`.check`,
print the outcome, exit with the code docs/update.md promises.

The domain modules are imported inside the command bodies, so ``scaffold --help`` does not
load them.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from scaffold import gitops
from scaffold.update.errors import (
    EXIT_BEHIND,
    EXIT_CONFLICTS,
    EXIT_ERROR,
    EXIT_INTERRUPTED,
    Interrupted,
    UpdateError,
)

if TYPE_CHECKING:
    from scaffold.update.outcome import Outcome


def _print(outcome: Outcome, *, as_json: bool, patch: str = "") -> None:
    if as_json:
        typer.echo(json.dumps(asdict(outcome), indent=2))
        return
    typer.echo(outcome.message)
    conflicted = set(outcome.conflicts)
    for change in outcome.changes:
        if change["path"] not in conflicted:
            typer.echo(f"  {change['status']:<9} {change['path']}")
    for path in outcome.conflicts:
        typer.echo(f"  CONFLICT  {path}")
    for note in outcome.notes:
        typer.echo(f"note: {note}")
    for warning in outcome.warnings:
        typer.echo(f"warning: {warning}", err=True)
    if patch:
        typer.echo(patch, nl=False)


def _fail(message: str, code: int = EXIT_ERROR, *, as_json: bool = False) -> typer.Exit:
    if as_json:
        typer.echo(json.dumps({"status": "error", "message": message}))
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


def register(app: typer.Typer) -> None:
    """Add ``update`` and ``check`` to the CLI."""

    @app.command("update")
    def update_command(
        path: Annotated[
            Path, typer.Argument(help="The project to update (default: current directory).")
        ] = Path(),
        set_: Annotated[
            list[str] | None,
            typer.Option("--set", help="Change an answer: KEY=VALUE (repeatable)."),
        ] = None,
        with_: Annotated[
            list[str] | None, typer.Option("--with", help="Add an extra (repeatable).")
        ] = None,
        dry_run: Annotated[
            bool, typer.Option("--dry-run", help="List what would change; change nothing.")
        ] = False,
        diff: Annotated[
            bool, typer.Option("--diff", help="Print the patch it would apply; change nothing.")
        ] = False,
        no_lock: Annotated[
            bool, typer.Option("--no-lock", help="Do not re-run `uv lock` after the merge.")
        ] = False,
        allow_downgrade: Annotated[
            bool,
            typer.Option(
                "--allow-downgrade",
                help="Update even when a newer scaffold last updated the project.",
            ),
        ] = False,
        as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
    ) -> None:
        """Merge the installed templates into a project, keeping every edit you made.

        Exit 0 when updated (and uv.lock re-resolved) or already current, 1 when the merge has
        conflicts to resolve, 2 when it could not start (nothing was changed).
        Examples: scaffold update | scaffold update --set auth=jwt | scaffold update --dry-run
        """

        from scaffold.update.run import update

        try:
            outcome, patch = update(
                path,
                sets=set_ or (),
                with_=with_ or (),
                dry_run=dry_run,
                show_diff=diff,
                lock=not no_lock,
                allow_downgrade=allow_downgrade,
            )
        except Interrupted as error:
            raise _fail(str(error), EXIT_INTERRUPTED, as_json=as_json) from None
        except (UpdateError, gitops.GitError) as error:
            raise _fail(str(error), as_json=as_json) from None
        except KeyboardInterrupt:  # after the update finished (it says so) or while printing
            raise _fail("interrupted", EXIT_INTERRUPTED) from None
        _print(outcome, as_json=as_json, patch=patch)
        if outcome.status == "conflicts":
            raise typer.Exit(EXIT_CONFLICTS)

    @app.command("check")
    def check_command(
        path: Annotated[
            Path, typer.Argument(help="The project to check (default: current directory).")
        ] = Path(),
        as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
    ) -> None:
        """Is the project current with the installed templates? For the project's own CI.

        Exit 0 current (or ahead: a newer scaffold updated it, with a warning), 1 behind (says
        what `scaffold update` would change), 2 not a scaffold project or invalid answers.
        """

        from scaffold.update.check import check

        try:
            outcome = check(path)
        except (UpdateError, gitops.GitError) as error:
            raise _fail(str(error), as_json=as_json) from None
        _print(outcome, as_json=as_json)
        if outcome.status == "behind":
            raise typer.Exit(EXIT_BEHIND)
