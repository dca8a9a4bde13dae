"""The ``scaffold`` command line: a thin layer over the catalogue, answers and render modules.

Copier and questionary are imported inside the commands that need them, so ``scaffold --help``
and ``scaffold --version`` start fast.
"""

import inspect
from pathlib import Path
from typing import Annotated

import typer

from scaffold import __version__
from scaffold.catalogue import OPTIONS, Option

EXIT_USAGE = 2

app = typer.Typer(
    name="scaffold",
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
)


def fail(message: str, code: int = EXIT_USAGE) -> typer.Exit:
    """Print a one-line error to stderr and return the exit to raise."""
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


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


def _flag_help(option: Option) -> str:
    if option.choices:
        return f"{option.help} [{'|'.join(option.values)}; default: {option.default}]"
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
                    typer.Option(*names, help=_flag_help(option), show_default=False),
                ],
            )
        )
    return params


def new(
    name: Annotated[str, typer.Argument(help="Project name, e.g. my-api (package my_api).")],
    with_: Annotated[
        list[str] | None,
        typer.Option("--with", help="Add an extra (repeatable); see `scaffold options`."),
    ] = None,
    set_: Annotated[
        list[str] | None,
        typer.Option("--set", help="Answer any option: KEY=VALUE (repeatable)."),
    ] = None,
    answers_file: Annotated[
        Path | None,
        typer.Option("--answers-file", help="Replay answers from a YAML file.", dir_okay=False),
    ] = None,
    defaults: Annotated[
        bool, typer.Option("--defaults", "-y", help="Use defaults for everything not given.")
    ] = False,
    output_dir: Annotated[
        Path, typer.Option("--output-dir", "-o", help="Where to create the project directory.")
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

    request = new_command.NewRequest(
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
    try:
        new_command.run(request)
    except new_command.CommandFailed as error:
        raise fail(str(error), error.code) from None


new.__signature__ = inspect.signature(new).replace(  # type: ignore[attr-defined]
    parameters=[p for p in inspect.signature(new).parameters.values() if p.kind != p.VAR_KEYWORD]
    + _catalogue_params()
)
app.command(
    "new",
    epilog="Examples: scaffold new my-api --defaults | scaffold new shop -f django -d postgresql",
)(new)


@app.command("options")
def options(
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """List every option, its choices and default, and the combinations that are invalid."""
    from scaffold import summary

    summary.report_options(as_json=as_json)


def main() -> int:
    """Console-script entry point."""
    try:
        app()
    except SystemExit as exit_:
        return int(exit_.code or 0) if not isinstance(exit_.code, str) else 1
    return 0


def top_level_help() -> str:
    """What ``scaffold --help`` prints on a terminal of 80 columns or more (click wraps help to
    78 columns there); ``scaffold/_help.py`` stores it for ``scaffold/__main__.py``."""
    command = typer.main.get_command(app)
    context = command.make_context("scaffold", [], resilient_parsing=True, terminal_width=78)
    return context.get_help() + "\n"


def help_sources() -> tuple[str, ...]:
    """The modules the top-level help is built from, relative to the package."""
    return ("cli.py", *(f"{name.rsplit('.', 1)[1]}.py" for name in COMMAND_MODULES))


def write_stored_help(path: Path | None = None) -> Path:
    """Regenerate ``scaffold/_help.py`` (after changing a command or its help):
    ``uv run python -c "from scaffold.cli import write_stored_help; write_stored_help()"``."""
    from scaffold.__main__ import sources_checksum

    text = top_level_help()
    if '"""' in text or "\\" in text:
        raise ValueError("the help text cannot be stored as a plain triple-quoted string")
    sources = help_sources()
    listed = ", ".join(f'"{name}"' for name in sources) + ("," if len(sources) == 1 else "")
    path = path or Path(__file__).with_name("_help.py")
    path.write_text(
        '"""What ``scaffold --help`` prints, so scaffold/__main__.py can answer it without typer.\n'
        "\n"
        "Generated by scaffold.cli.write_stored_help(); do not edit. __main__ ignores it once any\n"
        "of SOURCES differs from CHECKSUM, and tests/test_fast_help.py fails until it is\n"
        "regenerated:\n"
        "\n"
        '    uv run python -c "from scaffold.cli import write_stored_help; write_stored_help()"\n'
        '"""\n'
        "\n"
        f"SOURCES = ({listed})\n"
        f'CHECKSUM = "{sources_checksum(sources)}"\n'
        f'TEXT = """\\\n{text}"""\n',
        encoding="utf-8",
    )
    return path


def _register_commands() -> None:
    """Commands that live in their own modules; each module's ``register(app)`` adds them.

    Those modules import their heavy dependencies inside the command bodies, so registering
    them costs nothing at start-up.
    """
    import importlib

    for name in COMMAND_MODULES:
        importlib.import_module(name).register(app)


#: Modules with more commands (each defines ``register(app: typer.Typer) -> None``).
COMMAND_MODULES: tuple[str, ...] = ("scaffold.update", "scaffold.smoke", "scaffold.serve")

_register_commands()
