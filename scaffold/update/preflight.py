"""What must hold before an update touches anything, and who its commits are by.

An update either completes or changes nothing (docs/update.md, exit 2), so every refusal is
decided here, up front: the repository is a clean checkout on a branch with nothing in
progress, no ref blocks the pristine branch, and the merge would not overwrite an untracked or
ignored file (git's own merge and checkout would, silently).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from scaffold import gitops
from scaffold.update.errors import UpdateError
from scaffold.update.plan import Plan
from scaffold.update.project import PRISTINE_BRANCH, PRISTINE_REF, Project

#: Files git keeps in its directory while an operation waits for the user.
_IN_PROGRESS = (
    ("MERGE_HEAD", "a merge"),
    ("CHERRY_PICK_HEAD", "a cherry-pick"),
    ("REVERT_HEAD", "a revert"),
    ("rebase-merge", "a rebase"),
    ("rebase-apply", "a rebase or am"),
    ("BISECT_LOG", "a bisect"),
)


def open_repo(project: Project) -> gitops.Git:
    """The project's git repository; it must be the repository's root."""

    if not gitops.available():
        raise UpdateError("git is not installed; scaffold update needs git")
    git = gitops.Git(project.root)
    proc = git.run("rev-parse", "--show-toplevel", check=False)
    if proc.returncode != 0:
        raise UpdateError(f"{project.root} is not a git repository; run `git init` and commit")
    if Path(proc.stdout.strip()).resolve() != project.root:
        raise UpdateError(
            f"{project.root} is not the root of its git repository ({proc.stdout.strip()}); "
            "scaffold update needs the project at the repository root"
        )
    return git


def preflight(git: gitops.Git) -> str:
    """Refuse to start unless the tree is clean, on a branch, and not in the middle of anything.

    Returns the current branch's full ref name.
    """
    if git.commit_of("HEAD") is None:
        raise UpdateError("the repository has no commits yet; commit the project first")
    for marker, what in _IN_PROGRESS:
        if git.path(marker).exists():
            raise UpdateError(
                f"the repository is in the middle of {what}; finish or abort it first"
            )
    index_lock = git.path("index.lock")
    if index_lock.exists():
        raise UpdateError(
            f"{index_lock} exists: another git command is running, or one was killed; "
            "if none is running, remove that file"
        )
    branch = git.run("symbolic-ref", "--quiet", "HEAD", check=False).stdout.strip()
    if not branch:
        raise UpdateError("HEAD is detached; check out a branch first")
    if branch == PRISTINE_REF:
        raise UpdateError(f"you are on {PRISTINE_BRANCH}; check out your own branch first")
    for prefix in _ref_prefixes(PRISTINE_REF):
        if git.ok("show-ref", "--verify", "--quiet", prefix):
            raise UpdateError(
                f"the ref {prefix} exists, so git cannot create {PRISTINE_REF}; rename it "
                f"(`git branch -m {prefix.removeprefix('refs/heads/')} <new-name>`)"
            )
    dirty = git.out("status", "--porcelain", "--untracked-files=normal")
    if dirty:
        count = len(dirty.splitlines())
        raise UpdateError(
            f"the working tree has {count} uncommitted change(s); commit or stash them first "
            "(see `git status`)"
        )
    return str(branch)


def _ref_prefixes(ref: str) -> list[str]:
    """``refs/heads/scaffold`` for ``refs/heads/scaffold/pristine``: refs that would block it."""
    parts = ref.split("/")
    return ["/".join(parts[:i]) for i in range(3, len(parts))]


def would_clobber(root: Path, plan: Plan) -> list[str]:
    """Untracked or ignored paths on disk that the merge would overwrite or remove.

    A file the update adds, a parent directory it needs where a file or symlink stands, or a
    directory where it writes a file that still holds files git does not track. Git's merge and
    checkout overwrite ignored files without asking; scaffold refuses instead.
    """
    deleted = {path for status, path in plan.changes if status == "D"}
    written = sorted(path for status, path in plan.changes if status in "AT")
    found: set[str] = set()
    for path in written:
        parts = path.split("/")
        for i in range(1, len(parts)):
            parent = "/".join(parts[:i])
            on_disk = root / parent
            if (on_disk.is_symlink() or (on_disk.exists() and not on_disk.is_dir())) and (
                parent not in deleted
            ):
                found.add(parent)
        target = root / path
        if not (target.is_symlink() or target.exists()) or path in deleted:
            continue
        if target.is_dir() and not target.is_symlink():
            for folder, _dirs, files in os.walk(target):
                for name in files:
                    inner = (Path(folder) / name).relative_to(root).as_posix()
                    if inner not in deleted:
                        found.add(inner)
        elif not any(status != "A" and p == path for status, p in plan.changes):
            found.add(path)
    return sorted(found)


def git_identity(git: gitops.Git, answers: Mapping[str, object]) -> dict[str, str]:
    """The user's git identity if configured, otherwise one from the answers (like ``new``)."""
    proc = git.run("config", "--get-regexp", r"^user\.(name|email)$", check=False)
    configured = dict(line.split(" ", 1) for line in proc.stdout.splitlines() if " " in line)
    env: dict[str, str] = {}
    for key, var, fallback in (
        ("user.name", "NAME", str(answers.get("author_name") or "scaffold")),
        ("user.email", "EMAIL", str(answers.get("author_email") or "scaffold@localhost")),
    ):
        for role in ("AUTHOR", "COMMITTER"):
            env[f"GIT_{role}_{var}"] = (
                os.environ.get(f"GIT_{role}_{var}") or configured.get(key) or fallback
            )
    return env
