"""``uv lock`` for a freshly rendered project, and what to tell the user when it fails.

uv's error is several lines of causes and hints; the user needs the one that names the problem
and the step that fixes it, which differs: install an interpreter, get online, or fix a
dependency constraint. Anything else is shown as uv's first error line.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

UV_INSTALL = "https://docs.astral.sh/uv/getting-started/installation/"


def lock(tree: Path, python: str | None = None) -> str | None:
    """Run ``uv lock`` in ``tree``: ``None`` when it worked, else a one- or two-line note.

    ``python`` is the project's minimum Python version, named in the interpreter advice.
    """
    uv = shutil.which("uv")
    if uv is None:
        return f"uv not found: install it ({UV_INSTALL}), then run `uv lock` in the project"
    env = {**os.environ, "UV_PYTHON_DOWNLOADS": "never"}
    env.pop("VIRTUAL_ENV", None)
    proc = subprocess.run(
        [uv, "lock", "--quiet"], cwd=tree, env=env, capture_output=True, text=True, check=False
    )
    if proc.returncode == 0:
        return None
    return explain(proc.stderr, python)


def _lines(stderr: str) -> list[str]:
    return [line.strip() for line in stderr.splitlines() if line.strip()]


def _first(lines: list[str], prefix: str) -> str | None:
    return next(
        (line.removeprefix(prefix).strip() for line in lines if line.startswith(prefix)), None
    )


def explain(stderr: str, python: str | None = None) -> str:
    """The note for a failed ``uv lock`` whose standard error is ``stderr``."""
    lines = _lines(stderr)
    error = _first(lines, "error:") or (lines[0] if lines else "no message")
    text = " ".join(lines)
    wanted = f"Python {python}" if python else "the project's Python"
    if re.search(r"No interpreter found|Failed to inspect Python interpreter|No Python", text):
        found = re.search(r"for (Python [^ ]+)", text)
        what = found.group(1) if found else wanted
        return (
            f"uv lock failed: no {what} interpreter found on this machine.\n"
            f"  Install one (`uv python install {python or '3'}`, or your OS's package) or pick "
            "a version you have with --python, then run `uv lock` in the project."
        )
    if re.search(
        r"network was disabled|Failed to fetch|error sending request|dns error|"
        r"Could not connect|Connection refused|timed out",
        text,
        re.IGNORECASE,
    ):
        last = next((line for line in reversed(lines) if line.startswith("cause:")), error)
        cause = last.removeprefix("cause:").strip()
        return (
            f"uv lock failed: the package index could not be reached ({cause}).\n"
            "  Run `uv lock` in the project when online."
        )
    if "No solution found" in text:
        because = _first(lines, "cause:") or error
        return (
            f"uv lock failed: the dependencies cannot be resolved: {because}\n"
            "  Adjust the constraint in pyproject.toml, then run `uv lock` in the project."
        )
    return f"uv lock failed: {error}\n  Run `uv lock` in the project to see uv's full message."
