"""The few git operations ``scaffold update`` and ``scaffold check`` need, as plain subprocesses.

Everything goes through the ``git`` command line (no library): it is the same git the user runs
to resolve conflicts, so what scaffold does can always be inspected and undone with it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path


class GitError(RuntimeError):
    """A git command failed; the message is git's own last line of stderr."""


@dataclass
class Git:
    """A git repository at ``root``, with extra environment for every command."""

    root: Path
    env: dict[str, str] = field(default_factory=dict)

    def run(
        self,
        *args: str,
        check: bool = True,
        cwd: Path | None = None,
        env: Mapping[str, str] | None = None,
    ) -> subprocess.CompletedProcess[str]:
        """Run ``git args`` in the repository; raise :class:`GitError` when ``check`` fails."""
        full_env = {**os.environ, **self.env, **(env or {})}
        # Output scaffold parses must not depend on the user's language or pager.
        full_env.update({"LC_ALL": "C", "GIT_PAGER": "cat", "GIT_TERMINAL_PROMPT": "0"})
        proc = subprocess.run(
            ["git", *args],
            cwd=cwd or self.root,
            env=full_env,
            capture_output=True,
            text=True,
            check=False,
        )
        if check and proc.returncode != 0:
            last = (proc.stderr.strip().splitlines() or [f"exit {proc.returncode}"])[-1]
            raise GitError(f"git {args[0]} failed: {last}")
        return proc

    def out(self, *args: str, env: Mapping[str, str] | None = None) -> str:
        return self.run(*args, env=env).stdout.strip()

    def ok(self, *args: str) -> bool:
        return self.run(*args, check=False).returncode == 0

    def commit_of(self, ref: str) -> str | None:
        """The commit ``ref`` names, or None when it does not exist."""
        proc = self.run("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}", check=False)
        return proc.stdout.strip() or None

    def tree_of(self, commit: str) -> str:
        return self.out("rev-parse", f"{commit}^{{tree}}")

    def is_ancestor(self, commit: str, of: str) -> bool:
        return self.ok("merge-base", "--is-ancestor", commit, of)

    def path(self, name: str) -> Path:
        """An absolute path inside the git directory (``MERGE_HEAD``, ``objects``...)."""
        return (self.root / self.out("rev-parse", "--git-path", name)).resolve()

    def name_status(self, old: str, new: str) -> list[tuple[str, str]]:
        """``(status letter, path)`` for each file that differs between two trees/commits."""
        raw = self.out("diff-tree", "-r", "--no-renames", "--name-status", "-z", old, new)
        parts = [p for p in raw.split("\0") if p] if raw else []
        return [(parts[i][0], parts[i + 1]) for i in range(0, len(parts) - 1, 2)]


def available() -> bool:
    return shutil.which("git") is not None


@contextmanager
def scratch(git: Git) -> Iterator[Git]:
    """The same repository, but every object git writes goes to a throw-away directory.

    Reads still see the real objects (they are an alternate), so a dry run can build commits
    and run ``merge-tree`` exactly as the real update would, and leave no trace in ``.git``.
    """
    objects = git.path("objects")
    with tempfile.TemporaryDirectory(prefix="scaffold-objects-") as tmp:
        env = {
            **git.env,
            "GIT_OBJECT_DIRECTORY": str(Path(tmp) / "objects"),
            "GIT_ALTERNATE_OBJECT_DIRECTORIES": str(objects),
        }
        (Path(tmp) / "objects").mkdir()
        yield Git(git.root, env)


def import_objects(scratch_git: Git, git: Git) -> None:
    """Copy the objects a :func:`scratch` store holds into the real repository.

    Object files are named by their content's hash and never change, so copying the ones the
    repository lacks (write to a temporary name, then rename) is as safe as git writing them.
    """
    source = Path(scratch_git.env["GIT_OBJECT_DIRECTORY"])
    target = git.path("objects")
    for file in sorted(source.rglob("*")):
        relative = file.relative_to(source)
        if not file.is_file() or relative.parts[0] == "info":
            continue
        destination = target / relative
        if destination.exists():
            continue
        destination.parent.mkdir(parents=True, exist_ok=True)
        partial = destination.with_name(f".{destination.name}.scaffold-tmp")
        shutil.copyfile(file, partial)
        partial.chmod(0o444)
        partial.replace(destination)


def tree_from_directory(git: Git, directory: Path, keep: Sequence[tuple[str, str, str]]) -> str:
    """Write ``directory``'s files (as ``git add --all`` sees them) as a tree; return its id.

    A private index is used, so the user's index and working tree are never touched. ``keep``
    adds ``(mode, blob, path)`` entries that are not rendered but must stay (``uv.lock``).
    """
    with tempfile.TemporaryDirectory(prefix="scaffold-index-") as tmp:
        env = {
            "GIT_INDEX_FILE": str(Path(tmp) / "index"),
            "GIT_WORK_TREE": str(directory),
            "GIT_DIR": git.out("rev-parse", "--absolute-git-dir"),
        }
        git.run("add", "--all", cwd=directory, env=env)
        for mode, blob, path in keep:
            git.run("update-index", "--add", "--cacheinfo", f"{mode},{blob},{path}", env=env)
        return git.out("write-tree", env=env)


def commit_tree(git: Git, tree: str, parents: Sequence[str], message: str) -> str:
    args = ["commit-tree", tree]
    for parent in parents:
        args += ["-p", parent]
    return git.out(*args, "-m", message)


@dataclass
class MergePreview:
    """What merging ``theirs`` into ``ours`` would give, computed without a working tree."""

    tree: str
    conflicts: list[str]
    messages: str


def merge_preview(git: Git, ours: str, theirs: str) -> MergePreview:
    """``git merge-tree --write-tree`` (git >= 2.38): the merged tree and the conflicted paths."""
    proc = git.run("merge-tree", "--write-tree", "--name-only", "-z", ours, theirs, check=False)
    if proc.returncode not in (0, 1):
        last = (proc.stderr.strip().splitlines() or ["unknown error"])[-1]
        raise GitError(f"git merge-tree failed (git >= 2.38 is needed): {last}")
    tree, _, rest = proc.stdout.partition("\0")
    names, _, messages = rest.partition("\0\0") if proc.returncode == 1 else ("", "", rest)
    conflicts = sorted({n for n in names.split("\0") if n})
    return MergePreview(tree=tree.strip(), conflicts=conflicts, messages=messages)
