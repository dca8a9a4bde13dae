"""Writing scaffold's short messages without importing typer, where that gives the same bytes.

``typer.echo`` (click's ``echo``) writes ``message + "\\n"`` and flushes; it strips ANSI styles
when the stream is not a terminal (nor a Jupyter kernel's). ``typer.style`` wraps text in ANSI
codes. Importing typer for those costs ~40 ms, a tenth of ``scaffold new`` (benchmarks/
RESULTS.md), so on the streams where click writes the text itself - an UTF-8 text stream, not on
Windows (where click translates the codes), not Jupyter's - these helpers do the same; on any
other stream they hand over to typer. tests/test_fast_new.py compares the bytes with typer's.
"""

from __future__ import annotations

import codecs
import re
import sys
from typing import TextIO

#: What click's ``strip_ansi`` removes (``click._compat._ansi_re``).
_ANSI = re.compile(r"\033\[[;?0-9]*[a-zA-Z]")
#: click's foreground colour codes (``click.termui._ansi_colors``), the basic eight.
_COLOURS = {
    "black": 30,
    "red": 31,
    "green": 32,
    "yellow": 33,
    "blue": 34,
    "magenta": 35,
    "cyan": 36,
    "white": 37,
}
_RESET = "\033[0m"


def direct(stream: TextIO) -> bool:
    """Whether click's ``echo`` would write to ``stream`` as is (stripped or not)."""
    if sys.platform.startswith("win") or type(stream).__module__.startswith("ipykernel."):
        return False
    try:
        return codecs.lookup(stream.encoding or "ascii").name == "utf-8"
    except (AttributeError, LookupError):  # an odd stream: click decides
        return False


def echo(message: str = "", *, err: bool = False) -> None:
    """``typer.echo(message, err=err)``, without typer where click would write it as is."""
    stream = sys.stderr if err else sys.stdout
    try:
        strip = direct(stream) and not stream.isatty()
        keep = direct(stream) and not strip
    except ValueError:  # closed: let click raise what it raises
        strip = keep = False
    if not (strip or keep):
        import typer

        typer.echo(message, err=err)
        return
    if strip and "\033" in message:
        message = _ANSI.sub("", message)
    stream.write(message + "\n")
    stream.flush()


def style(text: str, *, fg: str | None = None, bold: bool | None = None) -> str:
    """``typer.style(text, fg=fg, bold=bold)`` for the basic colours scaffold uses."""
    if fg is not None and fg not in _COLOURS:
        import typer

        return typer.style(text, fg=fg, bold=bold)
    bits = []
    if fg:
        bits.append(f"\033[{_COLOURS[fg]}m")
    if bold is not None:
        bits.append(f"\033[{1 if bold else 22}m")
    return "".join([*bits, text, _RESET])
