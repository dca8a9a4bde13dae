"""Render a project for the page in a child process that a timeout can kill.

The render is the CLI's own: :func:`scaffold.render.render_tree` for Explore (what
``scaffold new --dry-run`` renders) and :func:`scaffold.render.create` with ``git=False`` for the
download (what ``scaffold new --no-git`` writes, ``uv lock`` included). It runs in a process
forked from a forkserver that has already imported Copier, so a render costs a fork rather than
an interpreter start, and a render that overruns its time is killed with its process group
(``uv lock`` too), which a thread cannot be. The files land in a temporary directory this
module creates and always removes; they are read back without following links and returned as
bytes, so nothing a request names is ever opened on disk.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import stat
import tempfile
from collections.abc import Mapping
from contextlib import suppress
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path

TEMP_PREFIX = "scaffold-serve-"


class RenderFailed(RuntimeError):
    """The render could not finish; the message is one line for the user."""


class RenderUnavailable(RenderFailed):
    """The server could not render now (a 503, not the answers' fault)."""


class RenderTimeout(RenderUnavailable):
    """The render took longer than its time limit and was killed."""


@dataclass(frozen=True)
class File:
    data: bytes
    mode: int  # permission bits, e.g. 0o644 or 0o755


@dataclass(frozen=True)
class Project:
    """A rendered project, in memory: its directory name and its files by relative path."""

    name: str
    files: dict[str, File]
    notes: list[str] = field(default_factory=list)
    #: CPU seconds the render process used (it starts at zero when forked): the render itself.
    cpu: float = 0.0


def _context() -> multiprocessing.context.BaseContext:
    methods = multiprocessing.get_all_start_methods()
    if "forkserver" not in methods:  # Windows: no fork at all
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    # The server imports these once and every render forks from it. (Each child still re-runs
    # a main *script* before its work, as multiprocessing does; `python -m scaffold` and the
    # console script make that nothing or three lines.)
    # jinja2_ansible_filters: Copier loads it for every render (its default Jinja extension).
    context.set_forkserver_preload(
        ["scaffold.__main__", "scaffold.render", "copier._main", "jinja2_ansible_filters"]
    )
    return context


_CONTEXT = _context()


def start() -> None:
    """Start the forkserver now (it imports Copier), so the first render does not wait for it."""
    if _CONTEXT.get_start_method() == "forkserver":
        from multiprocessing import forkserver

        forkserver.ensure_running()


def render(answers: Mapping[str, object], *, download: bool, timeout: float) -> Project:
    """Render ``answers`` (already checked) and return the files; blocks, so run it in a thread.

    ``download`` renders what ``scaffold new --no-git`` writes (with ``uv lock``), otherwise
    what Explore shows (the same render without the lock file).
    """
    name = str(answers["project_name"])
    with tempfile.TemporaryDirectory(prefix=TEMP_PREFIX) as tmp:
        target = Path(tmp) / name
        receive, send = _CONTEXT.Pipe(duplex=False)
        process = _CONTEXT.Process(  # type: ignore[attr-defined]
            target=_child, args=(dict(answers), str(target), download, send), daemon=True
        )
        try:
            try:
                process.start()
            except OSError as error:  # e.g. a TMPDIR too long for the forkserver's socket
                raise RenderUnavailable(f"cannot start a render process: {error}") from error
            finally:
                send.close()
            process.join(timeout)
            if process.is_alive():
                _kill(process.pid)
                process.join()
                raise RenderTimeout(f"the render took longer than {timeout:g} s and was stopped")
            outcome = (
                receive.recv() if receive.poll() else ("error", "the render process died", 0.0)
            )
        finally:
            receive.close()
            if process.pid is not None and process.is_alive():  # never leave it running
                _kill(process.pid)
                process.join()
        status, detail, cpu = outcome
        if status != "ok":
            raise RenderFailed(str(detail))
        return Project(name=name, files=_read_tree(target), notes=list(detail), cpu=cpu)


def _kill(pid: int | None) -> None:
    """Kill the child and whatever it started (it leads its own process group)."""
    if pid is None:
        return
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError, AttributeError):
        with suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def _child(answers: dict[str, object], target: str, download: bool, send: Connection) -> None:
    """In the child: render into ``target`` and send back ``("ok", notes)`` or an error."""
    if hasattr(os, "setsid"):
        os.setsid()
    from scaffold import render

    try:
        if download:
            result = render.create(answers, Path(target), git=False, lock=True)
            outcome: tuple[str, object] = ("ok", result.notes)
        else:
            render.render_tree(answers, Path(target))
            outcome = ("ok", [])
    except render.RenderError as error:
        outcome = ("error", str(error))
    except Exception as error:  # Copier, Jinja and OS errors alike, as the CLI reports them
        outcome = ("error", f"rendering failed: {type(error).__name__}: {error}")
    times = os.times()
    send.send((*outcome, times.user + times.system))
    send.close()


def _read_tree(root: Path) -> dict[str, File]:
    """Every regular file under ``root`` by POSIX path; links are neither followed nor kept."""
    files: dict[str, File] = {}
    for folder, dirs, names in os.walk(root):
        base = Path(folder)
        dirs[:] = [d for d in dirs if not (base / d).is_symlink()]
        for filename in names:
            path = base / filename
            info = path.lstat()
            if stat.S_ISREG(info.st_mode):
                relative = path.relative_to(root).as_posix()
                files[relative] = File(path.read_bytes(), stat.S_IMODE(info.st_mode))
    return dict(sorted(files.items()))
