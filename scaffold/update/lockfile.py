"""``uv.lock`` across an update: is it current, and re-resolving it after the merge.

The generated CI and Dockerfile run ``uv run --locked``, so a merge that changes
``pyproject.toml`` without relocking breaks the project's next build. A clean merge relocks and
commits "Refresh uv.lock"; a merge left with conflicts cannot (pyproject.toml may hold conflict
markers), so the user is told to, and the next ``scaffold update`` relocks a stale lock.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

from scaffold import gitops
from scaffold.update.errors import Interrupted, UpdateError
from scaffold.update.outcome import Outcome

LOCK = "uv.lock"
UNDONE = "the update was undone; nothing was changed"


def uv_lock_tracked(git: gitops.Git, commit: str) -> bool:
    """``uv.lock`` is committed in ``commit`` (a project made with ``--no-lock`` has none)."""
    return bool(git.out("ls-tree", "--name-only", commit, "--", LOCK))


def lock_state(root: Path) -> tuple[str, str]:
    """Whether ``uv.lock`` matches ``pyproject.toml``: ``("current"|"stale"|"unknown", why)``.

    ``uv lock --check --offline`` compares without resolving anything new; only its explicit
    "needs to be updated" counts as stale (no uv, no interpreter or no cache is "unknown").
    """
    uv = shutil.which("uv")
    if uv is None:
        return "unknown", "uv is not installed"
    env = {**os.environ, "UV_PYTHON_DOWNLOADS": "never"}
    env.pop("VIRTUAL_ENV", None)
    proc = subprocess.run(
        [uv, "lock", "--check", "--offline", "--quiet"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode == 0:
        return "current", ""
    text = proc.stderr + proc.stdout
    if "needs to be updated" in text:
        return "stale", "uv.lock does not match pyproject.toml"
    last = (text.strip().splitlines() or ["unknown error"])[-1]
    return "unknown", f"`uv lock --check` failed: {last}"


def relock(git: gitops.Git, undo: Callable[[], None], outcome: Outcome) -> None:
    """Re-resolve uv.lock for the merged pyproject.toml and commit it.

    Interrupted, the whole update is undone with ``undo`` (a rerun does it again, relock
    included). When uv cannot resolve (offline, no interpreter), the merge stays and ``check``
    keeps saying the lock is stale until ``scaffold update`` relocks.
    """
    from scaffold.render import uv_lock

    try:
        ok = uv_lock(git.root, outcome.notes)
    except KeyboardInterrupt:
        undo()
        raise Interrupted(f"interrupted while re-resolving uv.lock: {UNDONE}") from None
    if not ok:
        git.run("checkout-index", "--force", "--", LOCK, check=False)
        outcome.notes.append("uv.lock is stale: run `scaffold update` again to re-resolve it")
        return
    if not git.out("status", "--porcelain", "--", LOCK):
        return
    head = git.out("rev-parse", "HEAD")
    try:
        blob = git.out("hash-object", "-w", "--", LOCK)
        with gitops.temporary_directory("scaffold-index-") as tmp:
            index = {"GIT_INDEX_FILE": str(tmp / "index")}
            git.run("read-tree", head, env=index)
            git.run("update-index", "--cacheinfo", f"100644,{blob},{LOCK}", env=index)
            tree = git.out("write-tree", env=index)
        commit = gitops.user_commit(git, tree, [head], "Refresh uv.lock")
    except KeyboardInterrupt:
        undo()
        raise Interrupted(f"interrupted: {UNDONE}") from None
    except gitops.GitError as error:
        undo()
        raise UpdateError(f"{error}: {UNDONE}") from None
    with gitops.deferred_signals():
        git.run("update-ref", "-m", "scaffold update: refresh uv.lock", "HEAD", commit, head)
        git.run("update-index", "--", LOCK)
    outcome.notes.append("uv.lock re-resolved and committed")
