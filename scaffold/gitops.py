"""The few git operations ``scaffold update`` and ``scaffold check`` need, as plain subprocesses.

Everything goes through the ``git`` command line (no library): it is the same git the user runs
to resolve conflicts, so what scaffold does can always be inspected and undone with it.

Two rules keep an interrupted update from leaving a broken repository:

- a git command scaffold starts always runs to its end. It runs in its own session, so Ctrl-C
  at the terminal (sent to the whole foreground process group) does not reach it, and when
  scaffold itself is interrupted it waits for the command before unwinding. Killing git half
  way is what leaves ``.git/index.lock`` behind or a checkout half written;
- read-only commands never take the optional index lock (``GIT_OPTIONAL_LOCKS=0``).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

#: The user's environment variables that point git at another repository, index or object
#: store; scaffold sets the ones it needs explicitly.
_REPOSITORY_VARS = (
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_COMMON_DIR",
    "GIT_NAMESPACE",
    "GIT_CEILING_DIRECTORIES",
)


class GitError(RuntimeError):
    """A git command failed; the message is git's own last line of stderr."""


def last_line(proc: subprocess.CompletedProcess[str]) -> str:
    """Git's own last word on a failure: the last line of stderr, else of stdout."""
    lines = proc.stderr.strip().splitlines() or proc.stdout.strip().splitlines()
    return lines[-1] if lines else f"exit {proc.returncode}"


def run_to_end(
    args: Sequence[str], *, cwd: Path, env: Mapping[str, str], stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Run a command to its end even if this process is interrupted meanwhile.

    The child gets its own session (a terminal's Ctrl-C does not reach it). SIGINT, SIGTERM and
    SIGHUP that reach scaffold while it runs are held (:func:`deferred_signals`) and raised again
    once the child has finished and its output is read, so nothing is left running unwatched.
    (Retrying an interrupted ``Popen.communicate`` is not safe: interrupted early enough, every
    later call fails at once, and a retry loop spins forever.)
    """
    with deferred_signals() as received:
        proc = subprocess.run(
            list(args),
            cwd=cwd,
            env=dict(env),
            input=stdin,
            stdin=None if stdin is not None else subprocess.DEVNULL,
            capture_output=True,
            text=True,
            start_new_session=True,
            check=False,
        )
    for signum in dict.fromkeys(received):
        signal.raise_signal(signum)  # to whatever handler was there before
    return proc


#: The signals that stop an update; held while refs move (:func:`deferred_signals`).
SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)
)


@contextmanager
def deferred_signals() -> Iterator[list[int]]:
    """Hold SIGINT/SIGTERM/SIGHUP while refs and files move; the list says which arrived.

    The caller finishes the step it started, then acts on them (undo, or stop after). Outside
    the main thread (no handlers can be installed there) signals are not held.
    """
    received: list[int] = []

    def handler(signum: int, frame: object) -> None:
        received.append(signum)

    previous: dict[int, object] = {}
    try:
        for signum in SIGNALS:
            previous[signum] = signal.signal(signum, handler)
    except ValueError:
        pass
    try:
        yield received
    finally:
        for signum, old in previous.items():
            signal.signal(signum, old)  # type: ignore[arg-type]


@contextmanager
def temporary_directory(prefix: str) -> Iterator[Path]:
    """``tempfile.TemporaryDirectory``, but removed whole even when a signal arrives meanwhile
    (the interrupt is raised once it is gone, unless an exception is already on its way)."""
    path = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield path
    finally:
        with deferred_signals() as received:
            shutil.rmtree(path, ignore_errors=True)
        if received and sys.exc_info()[0] is None:
            raise KeyboardInterrupt


@dataclass
class Git:
    """A git repository at ``root``, with extra environment for every command."""

    root: Path
    env: dict[str, str] = field(default_factory=dict)
    _git_dirs: tuple[Path, Path] | None = field(default=None, repr=False, compare=False)

    def full_env(self, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in _REPOSITORY_VARS}
        env.update(self.env)
        env.update(extra or {})
        # Output scaffold parses must not depend on the user's language or pager.
        env.update({"LC_ALL": "C", "GIT_PAGER": "cat", "GIT_TERMINAL_PROMPT": "0"})
        env.setdefault("GIT_OPTIONAL_LOCKS", "0")
        return env

    def run(
        self,
        *args: str,
        check: bool = True,
        cwd: Path | None = None,
        env: Mapping[str, str] | None = None,
        stdin: str | None = None,
    ) -> subprocess.CompletedProcess[str]:
        """Run ``git args`` in the repository; raise :class:`GitError` when ``check`` fails."""
        proc = run_to_end(["git", *args], cwd=cwd or self.root, env=self.full_env(env), stdin=stdin)
        if check and proc.returncode != 0:
            raise GitError(f"git {args[0]} failed: {last_line(proc)}")
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

    def _dirs(self) -> tuple[Path, Path]:
        if self._git_dirs is None:
            git_dir, common = self.out("rev-parse", "--git-dir", "--git-common-dir").splitlines()
            self._git_dirs = ((self.root / git_dir).resolve(), (self.root / common).resolve())
        return self._git_dirs

    def path(self, name: str) -> Path:
        """An absolute path in this worktree's git directory (``MERGE_HEAD``, ``index.lock``)."""
        return self._dirs()[0] / name

    def common_dir(self) -> Path:
        """The git directory shared by all worktrees (where refs and objects live)."""
        return self._dirs()[1]

    def name_status(self, old: str, new: str) -> list[tuple[str, str]]:
        """``(status letter, path)`` for each file that differs between two trees/commits."""
        raw = self.out("diff-tree", "-r", "--no-renames", "--name-status", "-z", old, new)
        parts = [p for p in raw.split("\0") if p] if raw else []
        return [(parts[i][0], parts[i + 1]) for i in range(0, len(parts) - 1, 2)]

    def config_bool(self, key: str) -> bool:
        proc = self.run("config", "--type=bool", "--get", key, check=False)
        return proc.stdout.strip() == "true"


def available() -> bool:
    return shutil.which("git") is not None


@contextmanager
def scratch(git: Git) -> Iterator[Git]:
    """The same repository, but every object git writes goes to a throw-away directory.

    Reads still see the real objects (they are an alternate), so a dry run can build commits
    and run ``merge-tree`` exactly as the real update would, and leave no trace in ``.git``.
    """
    objects = git.common_dir() / "objects"
    with temporary_directory("scaffold-objects-") as tmp:
        env = {
            **git.env,
            "GIT_OBJECT_DIRECTORY": str(Path(tmp) / "objects"),
            "GIT_ALTERNATE_OBJECT_DIRECTORIES": str(objects),
        }
        (Path(tmp) / "objects").mkdir()
        yield Git(git.root, env, git._git_dirs)


def import_objects(scratch_git: Git, git: Git) -> None:
    """Copy the objects a :func:`scratch` store holds into the real repository.

    Object files are named by their content's hash and never change, so copying the ones the
    repository lacks (write to a temporary name, then rename) is as safe as git writing them.
    """
    source = Path(scratch_git.env["GIT_OBJECT_DIRECTORY"])
    target = git.common_dir() / "objects"
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


def pristine_env(home: Path, objects: Path, identity: Mapping[str, str]) -> dict[str, str]:
    """Environment for a git that sees no user or system configuration at all.

    No ``~/.gitconfig`` or ``/etc/gitconfig``, no ``$XDG_CONFIG_HOME/git/ignore`` or
    ``attributes`` (``HOME`` and ``XDG_CONFIG_HOME`` point at an empty directory), no
    ``info/exclude``, hooks or signing: the pristine render becomes the same tree on every
    machine. Objects go to ``objects`` (the scratch store of the update).
    """
    return {
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / "xdg"),
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_ATTR_NOSYSTEM": "1",
        "GIT_OBJECT_DIRECTORY": str(objects),
        **identity,
    }


@contextmanager
def isolated(scratch_git: Git, identity: Mapping[str, str] | None = None) -> Iterator[Git]:
    """A private, empty git directory writing to ``scratch_git``'s store, reading the user's
    objects, and blind to every git setting of the user's (see :func:`pristine_env`). It lives
    beside the scratch store (made once, removed with it); each use gets a fresh index."""
    objects = Path(scratch_git.env["GIT_OBJECT_DIRECTORY"])
    home = objects.parent / "pristine"
    env = pristine_env(home, objects, identity or {})
    if not (home / "git").exists():
        (home / "xdg").mkdir(parents=True)
        Git(home, env).run("init", "--quiet", "--bare", "--template=", str(home / "git"))
    (home / "index").unlink(missing_ok=True)
    env.update(
        GIT_DIR=str(home / "git"),
        GIT_INDEX_FILE=str(home / "index"),
        GIT_ALTERNATE_OBJECT_DIRECTORIES=scratch_git.env["GIT_ALTERNATE_OBJECT_DIRECTORIES"],
    )
    yield Git(home, env)


def pristine_tree(scratch_git: Git, directory: Path, keep: Sequence[tuple[str, str, str]]) -> str:
    """Write ``directory`` as a git tree in the scratch store, blind to the user's git settings.

    ``git add --all`` then honours only the rendered project's own ``.gitignore`` and
    ``.gitattributes``, as in ``scaffold new``. ``keep`` adds ``(mode, blob, path)`` entries
    that are not rendered but must stay (``uv.lock``).
    """
    with isolated(scratch_git) as iso:
        work = {"GIT_WORK_TREE": str(directory)}
        iso.run("add", "--all", cwd=directory, env=work)
        for mode, blob, path in keep:
            iso.run("update-index", "--add", "--cacheinfo", f"{mode},{blob},{path}", env=work)
        return iso.out("write-tree")


def pristine_commit(
    scratch_git: Git, tree: str, parents: Sequence[str], message: str, identity: Mapping[str, str]
) -> str:
    """A commit on the pristine branch: no user configuration, never signed."""
    with isolated(scratch_git, identity) as iso:
        args = ["commit-tree", tree]
        for parent in parents:
            args += ["-p", parent]
        return iso.out(*args, "-m", message)


def user_commit(git: Git, tree: str, parents: Sequence[str], message: str) -> str:
    """A commit for the user's branch, signed when the user's configuration asks for it.

    ``git commit-tree`` ignores ``commit.gpgSign``; ``git commit`` and ``git merge`` honour it,
    so scaffold asks for the signature explicitly. A signing failure is a :class:`GitError`
    raised before any ref moved.
    """
    args = ["commit-tree", tree]
    for parent in parents:
        args += ["-p", parent]
    if git.config_bool("commit.gpgSign"):
        args.append("-S")
    proc = git.run(*args, "-m", message, check=False)
    if proc.returncode != 0:
        what = "sign" if "-S" in args else "write"
        raise GitError(f"git could not {what} the commit: {last_line(proc)}")
    return proc.stdout.strip()


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
        raise GitError(f"git merge-tree failed (git >= 2.38 is needed): {last_line(proc)}")
    tree, _, rest = proc.stdout.partition("\0")
    names, _, messages = rest.partition("\0\0") if proc.returncode == 1 else ("", "", rest)
    conflicts = conflicted_paths(n for n in names.split("\0") if n)
    return MergePreview(tree=tree.strip(), conflicts=conflicts, messages=messages)


def conflicted_paths(paths: Iterable[str]) -> list[str]:
    """The user's paths among git's conflicted ones, sorted.

    For a file/symlink or file/directory conflict git stores one side as ``PATH~<commit>``, a
    name that depends on the commit id (so a dry run cannot predict it); it is reported as
    ``PATH``, which is the file the user resolves.
    """
    return sorted({path.rpartition("~")[0] if is_side_file(path) else path for path in paths})


def is_side_file(path: str) -> bool:
    """``PATH~<commit>``: where git's merge puts one side of a file/symlink conflict."""
    stem, tilde, suffix = path.rpartition("~")
    return bool(stem and tilde and _SIDE_SUFFIX.fullmatch(suffix))


_SIDE_SUFFIX = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")


def is_shallow(git: Git) -> bool:
    """A shallow clone: git keeps the cut-off commits in ``shallow``."""
    return (git.common_dir() / "shallow").is_file()


# --- the update lock ------------------------------------------------------------------------


class LockHeld(RuntimeError):
    """Another ``scaffold update`` holds the lock."""


@dataclass
class LockInfo:
    """Who holds (or held) the lock file."""

    pid: int | None
    host: str | None
    started: float | None

    @property
    def stale(self) -> bool:
        """The holder ran on this machine and no longer runs."""
        if self.pid is None or self.host != socket.gethostname():
            return False
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return True
        except PermissionError:  # alive, someone else's
            return False
        return False


def read_lock(path: Path) -> LockInfo | None:
    """The lock file's holder, or None when there is no lock file."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError:
        return LockInfo(None, None, None)
    try:
        data = json.loads(text)
        return LockInfo(int(data["pid"]), str(data["host"]), float(data["started"]))
    except (ValueError, KeyError, TypeError):
        return LockInfo(None, None, None)


@contextmanager
def update_lock(path: Path, notes: list[str]) -> Iterator[None]:
    """Hold ``path`` (``.git/scaffold-update.lock``) for the duration, against concurrent runs.

    The file is created complete or not at all (written aside, then hard-linked into place,
    which fails if it exists). A lock whose process no longer runs on this machine is stale:
    it is taken over, and ``notes`` says so.
    """
    payload = json.dumps({"pid": os.getpid(), "host": socket.gethostname(), "started": time.time()})
    aside = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    aside.write_text(payload, encoding="utf-8")
    try:
        for _attempt in range(3):
            try:
                os.link(aside, path)
                break
            except FileExistsError:
                holder = read_lock(path)
                if holder is None:
                    continue
                if not holder.stale:
                    who = f"pid {holder.pid}" if holder.pid else "another process"
                    raise LockHeld(
                        f"another scaffold update ({who}) is running in this repository; "
                        f"if none is, remove {path}"
                    ) from None
                # Move the stale file aside under our own name, so that two runs taking it
                # over at once cannot remove each other's fresh lock.
                stale = path.with_name(f"{path.name}.{os.getpid()}.stale")
                with suppress(FileNotFoundError):
                    path.replace(stale)
                    taken = read_lock(stale)
                    if taken is not None and taken.stale:
                        stale.unlink()
                        notes.append(f"removed a stale update lock left by pid {holder.pid}")
                    else:  # someone's fresh lock: put it back
                        with suppress(FileExistsError):
                            os.link(stale, path)
                        stale.unlink()
        else:
            raise LockHeld(f"could not take the update lock {path}; try again")
    finally:
        aside.unlink(missing_ok=True)
    try:
        yield
    finally:
        with suppress(FileNotFoundError):
            path.unlink()
