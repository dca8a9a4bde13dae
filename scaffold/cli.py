"""The ``scaffold`` command line: typer commands that parse arguments and call a domain module.

Each command imports its module inside its body, so ``scaffold --help`` loads neither Copier
nor questionary. Errors reach :func:`main` as :class:`~scaffold.errors.ScaffoldError` (or
click's usage errors) and are printed there, once, as a single ``error:`` line.
"""

import inspect
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperCommand, TyperGroup

from scaffold import __version__
from scaffold.catalogue import OPTIONS, OPTIONS_BY_KEY, Option
from scaffold.constants import EXIT_INTERRUPTED, EXIT_USAGE
from scaffold.errors import ScaffoldError

try:  # typer >= 0.26 ships its own copy of click
    from typer._click import exceptions as click_exceptions
except ImportError:  # pragma: no cover - older typer uses click itself
    from click import exceptions as click_exceptions  # type: ignore[no-redef]

#: click >= 8.2 signals "no arguments: show the help" with an error of its own.
_NO_ARGS_IS_HELP = getattr(click_exceptions, "NoArgsIsHelpError", ())


class ScaffoldGroup(TyperGroup):
    """The top-level command: every error of every command is reported by
    :func:`run_reporting_errors`, however the app is called (console script, ``python -m``,
    typer's test runner)."""

    def main(self, *args: Any, standalone_mode: bool = True, **kwargs: Any) -> Any:
        code = run_reporting_errors(
            lambda: super(ScaffoldGroup, self).main(*args, standalone_mode=False, **kwargs)
        )
        if standalone_mode:
            sys.exit(code)
        return code


app = typer.Typer(
    name="scaffold",
    cls=ScaffoldGroup,
    help="Generate a production-ready Python backend (FastAPI, Flask or Django).\n\n"
    "Examples:\n\n"
    "  scaffold new myapi                      # interactive\n\n"
    "  scaffold new myapi --defaults           # FastAPI + SQLite + JWT + GitHub Actions\n\n"
    "  scaffold new shop -f django -d postgresql -a session --ci gitlab\n\n"
    "  scaffold options                        # every option, choice and rule",
    no_args_is_help=True,
    add_completion=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    # click caps help at 80 columns unless told otherwise; use the whole terminal.
    context_settings={"max_content_width": 10_000},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"scaffold {__version__}")
        raise typer.Exit


@app.callback()
def main_callback(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """Generate a production-ready Python backend (FastAPI, Flask or Django)."""


# --- completion and help, from the catalogue ---------------------------------------------------


def _choices(option: Option, incomplete: str) -> list[tuple[str, str]]:
    return [(c.value, c.help) for c in option.choices if c.value.startswith(incomplete)]


def complete_extra(incomplete: str) -> list[tuple[str, str]]:
    """``--with`` values: the extras."""
    extras = next((o for o in OPTIONS if o.kind == "multi"), None)
    return _choices(extras, incomplete) if extras else []


def complete_set(incomplete: str) -> list[tuple[str, str]]:
    """``--set`` values: ``KEY=`` for every option, then that option's choices."""
    key, sep, value = incomplete.partition("=")
    if not sep:
        return [(f"{o.key}=", o.help) for o in OPTIONS if o.key.startswith(key)]
    option = OPTIONS_BY_KEY.get(key)
    if option is None:
        return []
    return [(f"{key}={v}", h) for v, h in _choices(option, value)]


def _completer(option: Option):
    return lambda incomplete: _choices(option, incomplete)


def _flag_help(option: Option) -> str:
    if option.choices:
        return f"{option.help} [{'|'.join(option.values)}; default: {option.default}]"
    if option.default_from_git:
        return (
            f"{option.help} [default: git config {option.default_from_git}, else {option.default}]"
        )
    return f"{option.help} [default: {option.default}]"


def _catalogue_params() -> list[inspect.Parameter]:
    """One typer option per catalogue question that has a flag: every prompt is also a flag."""
    params = []
    for option in OPTIONS:
        if option.flag is None or option.kind == "multi":
            continue
        names = [option.flag, *([option.short] if option.short else [])]
        params.append(
            inspect.Parameter(
                option.key,
                inspect.Parameter.KEYWORD_ONLY,
                default=None,
                annotation=Annotated[
                    str | None,
                    typer.Option(
                        *names,
                        help=_flag_help(option),
                        show_default=False,
                        metavar=option.metavar,
                        autocompletion=_completer(option) if option.choices else None,
                    ),
                ],
            )
        )
    return params


class ReadableCommand(TyperCommand):
    """A command whose help names its arguments as most tools do: ``NAME``.

    typer >= 0.26 writes a required argument as ``{NAME}`` in the usage line and adds its
    Python type in the list (``NAME <str>``), which reads like a template placeholder.
    """

    def collect_usage_pieces(self, ctx: typer.Context) -> list[str]:
        pieces = super().collect_usage_pieces(ctx)
        return [p[1:-1] if p.startswith("{") and p.endswith("}") else p for p in pieces]

    def format_options(self, ctx: typer.Context, formatter) -> None:  # type: ignore[no-untyped-def]
        args, opts = [], []
        for param in self.get_params(ctx):
            record = param.get_help_record(ctx)
            if record is None:
                continue
            if param.param_type_name == "argument":
                args.append((param.metavar or (param.name or "").upper(), record[1]))
            else:
                opts.append(record)
        for title, rows in (("Arguments", args), ("Options", opts)):
            if rows:
                with formatter.section(title):
                    formatter.write_dl(rows)


# --- commands ------------------------------------------------------------------------------------


def new(
    name: Annotated[
        str,
        typer.Argument(
            help="Project name, e.g. my-api (package my_api); lowercase, at most 40 characters.",
            metavar="NAME",
            show_default=False,
        ),
    ],
    with_: Annotated[
        list[str] | None,
        typer.Option(
            "--with",
            help="Add an extra (repeatable); see `scaffold options`.",
            metavar="EXTRA",
            autocompletion=complete_extra,
        ),
    ] = None,
    set_: Annotated[
        list[str] | None,
        typer.Option(
            "--set",
            help="Answer any option: KEY=VALUE (repeatable).",
            metavar="KEY=VALUE",
            autocompletion=complete_set,
        ),
    ] = None,
    answers_file: Annotated[
        Path | None,
        typer.Option(
            "--answers-file",
            help="Replay answers from a YAML file.",
            dir_okay=False,
            metavar="FILE",
        ),
    ] = None,
    defaults: Annotated[
        bool, typer.Option("--defaults", "-y", help="Use defaults for everything not given.")
    ] = False,
    output_dir: Annotated[
        Path,
        typer.Option(
            "--output-dir",
            "-o",
            help="Where to create the project directory.",
            metavar="DIR",
            show_default="the current directory",
        ),
    ] = Path(),
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print the files it would write; write nothing.")
    ] = False,
    no_git: Annotated[
        bool, typer.Option("--no-git", help="Skip git init and the initial commit.")
    ] = False,
    no_lock: Annotated[
        bool, typer.Option("--no-lock", help="Skip `uv lock` (the README says how to lock).")
    ] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print a machine-readable summary.")
    ] = False,
    **flags: str | None,
) -> None:
    """Create a new project. Interactive on a terminal; never waits for input otherwise."""
    from scaffold import new_command

    new_command.run(
        new_command.NewRequest(
            name=name,
            with_=tuple(with_ or ()),
            set_=tuple(set_ or ()),
            answers_file=answers_file,
            defaults=defaults,
            output_dir=output_dir,
            dry_run=dry_run,
            no_git=no_git,
            no_lock=no_lock,
            as_json=as_json,
            flags={k: v for k, v in flags.items() if v is not None},
        )
    )


new.__signature__ = inspect.signature(new).replace(  # type: ignore[attr-defined]
    parameters=[p for p in inspect.signature(new).parameters.values() if p.kind != p.VAR_KEYWORD]
    + _catalogue_params()
)
app.command(
    "new",
    cls=ReadableCommand,
    epilog="Examples: scaffold new my-api --defaults | scaffold new shop -f django -d postgresql",
)(new)


@app.command("options")
def options(
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """List every option, its choices and default, and the combinations that are invalid."""
    from scaffold import summary

    summary.report_options(as_json=as_json)


def _register_commands() -> None:
    """``update``/``check``, ``smoke`` and ``serve`` are defined next to their domain code; each
    module's ``register(app)`` adds them."""
    from scaffold import serve, smoke, update

    update.register(app)
    smoke.register(app)
    serve.register(app)


_register_commands()


# --- the one place errors are printed ------------------------------------------------------------


def _error(message: str) -> None:
    typer.echo(f"error: {message}", err=True)


def run_reporting_errors(run: Callable[[], object]) -> int:
    """Run the parsed command line; print any error as one ``error:`` line; the exit status."""
    try:
        result = run()
    except ScaffoldError as error:
        _error(str(error))
        return error.exit_code
    except _NO_ARGS_IS_HELP as error:
        error.show()  # `scaffold` alone: the help, as click would print it
        return EXIT_USAGE
    except click_exceptions.UsageError as error:
        hint = f" (see `{error.ctx.command_path} --help`)" if error.ctx else ""
        _error(f"{error.format_message()}{hint}")
        return error.exit_code
    except click_exceptions.ClickException as error:
        _error(error.format_message())
        return error.exit_code
    except (typer.Abort, KeyboardInterrupt):
        _error("aborted; nothing was written")
        return EXIT_INTERRUPTED
    return result if isinstance(result, int) else 0


def main(args: list[str] | None = None) -> int:
    """Console-script entry point."""
    return app(args=args, prog_name="scaffold", standalone_mode=False)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
