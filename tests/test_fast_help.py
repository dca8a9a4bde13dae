"""``scaffold --help`` is answered from scaffold/_help.py without importing typer; the stored text
must be exactly what typer prints, and typer must answer whenever it might not be."""

import os
import subprocess
import sys

import pytest

from scaffold import __main__ as entry
from scaffold import _help
from scaffold.cli import help_sources, top_level_help

REGENERATE = (
    'regenerate it: uv run python -c "from scaffold.cli import write_stored_help; '
    'write_stored_help()"'
)


def run(code: str, *args: str, columns: int) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": str(columns)}
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=60,
    )


def typer_help(columns: int) -> str:
    """What typer itself prints for ``scaffold --help`` on a terminal that wide."""
    code = "import sys; sys.argv[0] = 'scaffold'; from scaffold.cli import main; sys.exit(main())"
    proc = run(code, "--help", columns=columns)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_stored_help_is_current() -> None:
    assert help_sources() == _help.SOURCES, f"scaffold/_help.py is out of date; {REGENERATE}"
    assert entry.sources_checksum(_help.SOURCES) == _help.CHECKSUM, (
        f"scaffold/_help.py is out of date; {REGENERATE}"
    )
    assert top_level_help() == _help.TEXT, f"scaffold/_help.py is out of date; {REGENERATE}"


@pytest.mark.parametrize("columns", [80, 120])
def test_stored_help_is_what_typer_prints(columns: int) -> None:
    assert typer_help(columns) == _help.TEXT


def test_help_is_answered_without_typer() -> None:
    code = (
        "import sys; sys.argv = ['scaffold', '--help']\n"
        "from scaffold.__main__ import main\n"
        "code = main()\n"
        "print('TYPER', 'typer' in sys.modules, code)\n"
    )
    proc = run(code, columns=100)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == _help.TEXT + "TYPER False 0\n"


def test_a_narrow_terminal_gets_typer_wrapping() -> None:
    code = "import sys\nsys.argv = ['scaffold', '--help']\nfrom scaffold.__main__ import main\n"
    proc = run(code + "main()", columns=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == typer_help(60) != _help.TEXT


def test_stale_stored_help_is_ignored(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "100")
    assert entry.stored_help() == _help.TEXT
    monkeypatch.setattr(_help, "CHECKSUM", "00000000")
    assert entry.stored_help() is None
