"""Help, errors and completion of the command line, as a user meets them in a shell.

Each test re-runs an observation from issues 18 and 20 through the real console entry point
(``python -m scaffold``) in a subprocess with no terminal.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from scaffold.catalogue import OPTIONS_BY_KEY
from tests.projects import REPO


def scaffold(
    *args: str, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "scaffold", *args],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, **(env or {})},
        cwd=cwd,
    )


def test_the_console_script_is_typer_with_no_second_parser_or_stored_help() -> None:
    scripts = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"][
        "scripts"
    ]
    assert scripts == {"scaffold": "scaffold.cli:main"}
    for gone in ("fast_new.py", "output.py", "_help.py"):
        assert not (REPO / "scaffold" / gone).exists(), gone
    source = "\n".join(p.read_text(encoding="utf-8") for p in (REPO / "scaffold").glob("*.py"))
    assert "gc.disable" not in source
    assert "gc.freeze" not in source


def test_help_uses_the_whole_terminal_width() -> None:
    """Observed: `COLUMNS=200 scaffold --help` still cut the commands' descriptions at 80."""
    proc = scaffold("--help", env={"COLUMNS": "200"})
    assert proc.returncode == 0, proc.stderr
    assert "List every option, its choices and default, and the combinations that are invalid." in (
        proc.stdout
    )
    commands = proc.stdout.split("Commands:", 1)[1]
    assert "..." not in commands
    narrow = scaffold("--help", env={"COLUMNS": "60"})
    assert max(len(line) for line in narrow.stdout.splitlines()) <= 60


def test_new_help_has_readable_metavars() -> None:
    """Observed: `new --help` showed `<list[str]>` and `{name}` as metavars."""
    proc = scaffold("new", "--help", env={"COLUMNS": "200"})
    assert proc.returncode == 0, proc.stderr
    assert "<" not in proc.stdout
    assert "{" not in proc.stdout
    assert "Usage: scaffold new [OPTIONS] NAME" in proc.stdout
    assert "--with EXTRA" in proc.stdout
    assert "--set KEY=VALUE" in proc.stdout
    assert "-f, --framework FRAMEWORK" in proc.stdout


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (
            ["new", "x", "--wth", "redis"],
            ["No such option: --wth", "--with", "scaffold new --help"],
        ),
        (["nwe", "x"], ["No such command 'nwe'", "'new'"]),
        (["new"], ["Missing argument 'NAME'"]),
        (["new", "x", "-f"], ["-f", "requires an argument"]),
    ],
)
def test_option_typos_are_one_line_errors_with_the_suggestion(
    tmp_path: Path, args: list[str], fragments: list[str]
) -> None:
    """Observed: option typos printed typer's three-line usage block."""
    proc = scaffold(*args, cwd=tmp_path)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("error: ")
    for fragment in fragments:
        assert fragment in lines[0]
    assert list(tmp_path.iterdir()) == []


def complete(words: str) -> list[str]:
    """What bash completion offers for the last of ``words`` (typer's bash protocol)."""
    parts = words.split(" ")
    proc = scaffold(
        env={
            "_SCAFFOLD_COMPLETE": "complete_bash",
            "COMP_WORDS": words,
            "COMP_CWORD": str(len(parts) - 1),
        }
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.split()


def test_completion_offers_values_from_the_catalogue() -> None:
    """Observed: completion did not offer values for -f, --with or --set."""
    assert complete("scaffold new x -f ") == list(OPTIONS_BY_KEY["framework"].values)
    assert complete("scaffold new x --database m") == ["mysql", "mongodb"]
    assert complete("scaffold new x --with w") == ["worker", "websockets"]
    assert set(complete("scaffold new x --with ")) == set(OPTIONS_BY_KEY["extras"].values)
    assert complete("scaffold new x --set fr") == ["framework="]
    assert complete("scaffold new x --set auth=") == [
        f"auth={v}" for v in OPTIONS_BY_KEY["auth"].values
    ]


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["MyAPI"], "lowercase: use 'myapi'"),
        (["ok", "-f", "Django"], "lowercase; use 'django'"),
        (["a" * 41], "the limit is 40"),
    ],
)
def test_upper_case_and_over_long_input_is_refused(
    tmp_path: Path, args: list[str], fragment: str
) -> None:
    """Observed: `MyAPI` was silently lowercased (exit 0) while `-f Django` was refused."""
    proc = scaffold("new", *args, "-y", "--no-lock", "--no-git", cwd=tmp_path)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert fragment in lines[0]
    assert list(tmp_path.iterdir()) == []
