"""``python -m scaffold`` and the ``scaffold`` console script.

``scaffold --version`` and ``scaffold --help`` are answered here without importing typer (and so
the CLI): that import alone is most of the commands' start-up (benchmarks/RESULTS.md). The help
is the text typer itself printed, stored in ``scaffold/_help.py`` with a checksum of the sources
it came from; when those sources changed since (or the terminal is narrower than the 80 columns
it was wrapped for), typer renders it as usual. The usual ``scaffold new`` command lines are
parsed by ``scaffold.fast_new``, also without typer (~50 ms of the command). Everything else goes
to ``scaffold.cli``.
"""

import os
import sys
import zlib

#: The help text was rendered for this width; click wraps to the same text on wider terminals.
HELP_COLUMNS = 80


def main() -> int:
    """Console-script entry point."""
    args = sys.argv[1:]
    if args == ["--version"]:
        from scaffold import __version__

        sys.stdout.write(f"scaffold {__version__}\n")
        return 0
    if args == ["--help"]:
        text = stored_help()
        if text is not None:
            sys.stdout.write(text)
            return 0
    if args[:1] == ["new"]:
        from scaffold import fast_new

        code = fast_new.main(args[1:])
        if code is not None:
            return code
    from scaffold.cli import main as cli_main

    return cli_main()


def sources_checksum(sources: tuple[str, ...]) -> str:
    """CRC-32 of the scaffold modules the top-level help is built from (names relative to the
    package), so a change to any of them retires the stored help."""
    # os.path, not pathlib: importing pathlib costs about as much as the rest of `--help` here.
    package = os.path.dirname(os.path.abspath(__file__))  # noqa: PTH100, PTH120
    checksum = 0
    for name in sources:
        with open(os.path.join(package, name), "rb") as source:  # noqa: PTH118, PTH123
            checksum = zlib.crc32(source.read(), checksum)
    return f"{checksum:08x}"


def stored_help() -> str | None:
    """``scaffold/_help.py``'s text if it is what typer would print here, else None."""
    if terminal_columns() < HELP_COLUMNS:
        return None
    try:
        from scaffold import _help
    except ImportError:
        return None
    try:
        if sources_checksum(_help.SOURCES) != _help.CHECKSUM:
            return None
    except OSError:  # a source is missing: let typer answer
        return None
    return _help.TEXT


def terminal_columns() -> int:
    """``shutil.get_terminal_size().columns`` (what click wraps help to) without importing
    shutil, which alone costs as much as the rest of this path."""
    try:
        columns = int(os.environ.get("COLUMNS", "0"))
    except ValueError:
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns or HELP_COLUMNS


if __name__ == "__main__":
    raise SystemExit(main())
