"""Writing scaffold's plain messages without importing typer, where that gives the same bytes.

``typer.echo`` (click's ``echo``) writes ``message + "\\n"`` and flushes; styles are dropped
when the stream is not a terminal. Importing typer for that costs ~40 ms, a tenth of
``scaffold new`` (benchmarks/RESULTS.md). So where click would write exactly the unstyled text
- not a terminal, not a Jupyter kernel's stream, an UTF-8 stream that click leaves as it is -
these helpers write it themselves; anywhere else they hand over to typer.
"""

from __future__ import annotations

import codecs
import re
import sys
from typing import Any, TextIO

#: What click's ``strip_ansi`` removes (``click._compat._ansi_re``).
_ANSI = re.compile(r"\033\[[;?0-9]*[a-zA-Z]")


def plain(stream: TextIO) -> bool:
    """Whether click's ``echo`` would write to ``stream`` the text as given, without styles."""
    try:
        if stream.isatty():
            return False
        encoding = codecs.lookup(stream.encoding or "ascii").name
    except (AttributeError, LookupError, ValueError):  # odd or closed stream: click decides
        return False
    return encoding == "utf-8" and not type(stream).__module__.startswith("ipykernel.")


def echo(message: str = "", *, err: bool = False) -> None:
    """``typer.echo(message, err=err)``, without typer when the stream is plain."""
    stream = sys.stderr if err else sys.stdout
    if not plain(stream):
        import typer

        typer.echo(message, err=err)
        return
    if "\033" in message:  # click strips escapes on a stream that is not a terminal
        message = _ANSI.sub("", message)
    stream.write(message + "\n")
    stream.flush()


def styler(stream: TextIO) -> Any:
    """``typer.style`` for text written to ``stream``: on a plain stream the styles would be
    stripped again, so the text is returned as it is."""
    if plain(stream):
        return lambda text, **styles: text
    import typer

    return typer.style
