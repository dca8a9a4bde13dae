"""Who scaffold's commits are by: the user's git identity when git config sets one.

``scaffold new`` commits the generated project and fills the catalogue's author answers; both
come from here, so a user with ``user.name`` and ``user.email`` configured never sees the
placeholder identity in their history or their ``pyproject.toml``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path

#: Used only when neither git config, the environment nor the answers name anyone.
FALLBACK_NAME = "scaffold"
FALLBACK_EMAIL = "scaffold@localhost"


def git_config(key: str, cwd: Path | None = None) -> str | None:
    """``git config --get KEY`` as git resolves it from ``cwd`` (global, system, repo)."""
    if shutil.which("git") is None:
        return None
    proc = subprocess.run(
        ["git", "config", "--get", key],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )
    value = proc.stdout.strip()
    return value if proc.returncode == 0 and value else None


def commit_env(answers: Mapping[str, object], cwd: Path | None = None) -> dict[str, str]:
    """The environment for a commit in ``cwd``: the user's identity first.

    ``GIT_AUTHOR_*``/``GIT_COMMITTER_*`` already in the environment and ``user.*`` in git
    config win, as in any git commit; only what neither sets is filled in from the answers'
    author (so a machine without any git identity can still make the initial commit).
    """
    env = dict(os.environ)
    for part, key, answer, fallback in (
        ("NAME", "user.name", "author_name", FALLBACK_NAME),
        ("EMAIL", "user.email", "author_email", FALLBACK_EMAIL),
    ):
        if git_config(key, cwd):
            continue
        value = str(answers.get(answer) or fallback)
        for role in ("AUTHOR", "COMMITTER"):
            env.setdefault(f"GIT_{role}_{part}", value)
    return env
