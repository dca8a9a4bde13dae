"""Running a generated project's commands and servers: the one harness for smoke, tests, benchmarks.

Every command a generated project runs here gets :func:`project_env` (this process's environment
without what would leak into the project: our virtualenv, pytest's variables, a ``DATABASE_URL``),
runs in its own process group (so ``uv run``'s children die with it on a timeout or Ctrl-C), and
every server is started, waited for and stopped by :func:`running_server`. Before these lived
here, the repository's tests and benchmarks each kept their own copies, and the copies disagreed
on what to scrub and how long to wait.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DEFAULT_HEALTH_TIMEOUT = 90.0
STOP_TIMEOUT = 20.0
#: Environment that must not leak from this process into a generated project's commands.
SCRUB_PREFIXES = ("VIRTUAL_ENV", "UV_PROJECT", "PYTEST_", "PYTHONPATH", "PYTHONHOME", "COV_")
SCRUB_NAMES = (
    "DATABASE_URL",
    "REDIS_URL",
    "MONGODB_URL",
    "MQTT_URL",
    "ENVIRONMENT",
    "APP_ENV",
    "SECRET_KEY",
    "DJANGO_SETTINGS_MODULE",
    "FLASK_APP",
    "PORT",
    "HOST",
    "WEB_CONCURRENCY",
)

_live: set[subprocess.Popen[Any]] = set()
_live_lock = threading.Lock()
#: Set on Ctrl-C: worker threads then start nothing new (except dropping scratch databases).
stopping = threading.Event()


def project_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """This process's environment minus what would leak into a project, plus ``extra``.

    ``UV_PYTHON_DOWNLOADS=never``: the projects use an interpreter already on the machine. The
    uv cache is left as configured, so every project shares it.
    """
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(SCRUB_PREFIXES) and k not in SCRUB_NAMES
    }
    env["UV_PYTHON_DOWNLOADS"] = "never"
    env["NO_COLOR"] = "1"
    env.update(extra or {})
    return env


def tool(name: str) -> str | None:
    """A checker executable: this interpreter's own (the dev venv) first, then PATH."""
    import shutil

    local = Path(sys.executable).parent / name
    if local.is_file() and os.access(local, os.X_OK):
        return str(local)
    return shutil.which(name)


def free_port() -> int:
    """A TCP port nobody listens on right now (the OS picks it)."""
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def kill_group(proc: subprocess.Popen[Any], sig: int) -> None:
    """Signal ``proc``'s whole process group (it was started in a session of its own)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, sig)


def kill_all() -> None:
    """Kill every process group started here (on Ctrl-C: they are in new sessions)."""
    stopping.set()
    with _live_lock:
        procs = list(_live)
    for proc in procs:
        kill_group(proc, signal.SIGKILL)


def popen(
    cmd: Sequence[str], cwd: Path, env: Mapping[str, str], *, cleanup: bool = False, **kwargs: Any
) -> Any:
    """Start ``cmd`` in a new session and remember it for :func:`kill_all`.

    After Ctrl-C nothing new starts, except ``cleanup`` commands (dropping a scratch database).
    """
    if stopping.is_set() and not cleanup:
        raise OSError("interrupted: not starting new commands")
    proc = subprocess.Popen(
        [str(word) for word in cmd], cwd=cwd, env=dict(env), start_new_session=True, **kwargs
    )
    with _live_lock:
        _live.add(proc)
    return proc


def forget(proc: subprocess.Popen[Any]) -> None:
    """``proc`` has ended: :func:`kill_all` no longer needs to know of it."""
    with _live_lock:
        _live.discard(proc)


def run_command(
    cmd: Sequence[str],
    cwd: Path,
    env: Mapping[str, str],
    timeout: float,
    *,
    cleanup: bool = False,
) -> tuple[int, str]:
    """Run ``cmd`` in its own process group; return its exit code and combined output.

    On timeout the whole group is killed (``uv run`` children included) and the code is 124.
    ``cleanup`` commands still run after Ctrl-C (dropping a scratch database must not be skipped).
    """
    header = f"$ {' '.join(str(word) for word in cmd)}\n"
    try:
        proc = popen(
            cmd,
            cwd,
            env,
            cleanup=cleanup,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            text=True,
            errors="replace",
        )
    except OSError as error:
        return 127, f"{header}{error}\n"
    try:
        out, _ = proc.communicate(timeout=timeout)
        code = proc.returncode
    except subprocess.TimeoutExpired:
        kill_group(proc, signal.SIGKILL)
        out, _ = proc.communicate()
        out += f"\n[timed out after {timeout:.0f}s; process group killed]\n"
        code = 124
    finally:
        forget(proc)
    return code, header + (out or "")


def health_status(url: str, headers: Mapping[str, str] | None = None) -> int | None:
    """The HTTP status of ``url``, without following redirects; None if nothing answers."""
    import http.client
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=3)
    try:
        path = parts.path + (f"?{parts.query}" if parts.query else "") or "/"
        conn.request("GET", path, headers={"Host": f"127.0.0.1:{parts.port}", **(headers or {})})
        return conn.getresponse().status
    except (OSError, http.client.HTTPException):
        return None
    finally:
        conn.close()


def wait_until_healthy(
    url: str,
    exited: Callable[[], str | None],
    *,
    timeout: float = DEFAULT_HEALTH_TIMEOUT,
    headers: Mapping[str, str] | None = None,
    interval: float = 0.5,
    health: Callable[[str, Mapping[str, str] | None], int | None] | None = None,
) -> str | None:
    """Poll ``url`` until it answers 200; None then, else why not.

    ``exited()`` says why the server is gone (None while it runs), so a crash is reported at
    once instead of after the whole ``timeout``. ``health`` replaces :func:`health_status`
    (the image step keeps its own, which its run was given).
    """
    health = health or health_status
    from urllib.parse import urlsplit

    shown = urlsplit(url).path or url
    start, last = time.monotonic(), None
    while time.monotonic() - start < timeout:
        gone = exited()
        if gone is not None:
            return f"{gone} before {shown} was 200"
        last = health(url, headers)
        if last == 200:
            return None
        time.sleep(interval)
    return f"{shown} was not 200 within {timeout:.0f}s (last: {last})"


class ServerNotHealthy(RuntimeError):
    """The server exited or never answered 200; ``output`` is its log so far."""

    def __init__(self, problem: str, output: str) -> None:
        super().__init__(problem)
        self.problem, self.output = problem, output


@dataclass
class Server:
    """A server :func:`running_server` started: where it answers and its process group."""

    base_url: str
    port: int
    pid: int
    log: Path
    #: What went wrong while stopping it (filled in when the ``with`` block ends).
    problems: list[str] = field(default_factory=list)

    def output(self) -> str:
        """The server's log so far."""
        return self.log.read_bytes().decode(errors="replace") if self.log.is_file() else ""


@contextlib.contextmanager
def running_server(
    cmd: Sequence[str],
    cwd: Path,
    env: Mapping[str, str],
    log: Path,
    *,
    port: int | None = None,
    health_path: str = "/health",
    health_headers: Mapping[str, str] | None = None,
    timeout: float = DEFAULT_HEALTH_TIMEOUT,
    stop_timeout: float = STOP_TIMEOUT,
) -> Iterator[Server]:
    """Start ``cmd``, wait until ``health_path`` answers 200, yield it, and always stop it.

    The server gets ``PORT`` (a free one unless given) and ``HOST=127.0.0.1``; its output goes
    to ``log``. It is stopped with SIGTERM to its process group; one still running
    ``stop_timeout`` seconds later is killed, and that is recorded in ``Server.problems`` (``docker
    stop`` would have to kill it too). Raises :class:`ServerNotHealthy` if it never gets healthy.
    """
    port = port or free_port()
    env = {**env, "PORT": str(port), "HOST": "127.0.0.1"}
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as sink:
        sink.write(f"$ PORT={port} {' '.join(str(word) for word in cmd)}\n".encode())
        sink.flush()
        try:
            proc = popen(cmd, cwd, env, stdout=sink, stderr=subprocess.STDOUT)
        except OSError as error:
            raise ServerNotHealthy(f"could not start {cmd[0]}: {error}", "") from None
    server = Server(f"http://127.0.0.1:{port}", port, proc.pid, log)

    def exited() -> str | None:
        code = proc.poll()
        return None if code is None else f"exited with code {code}"

    try:
        problem = wait_until_healthy(
            server.base_url + health_path, exited, timeout=timeout, headers=health_headers
        )
        if problem is not None:
            raise ServerNotHealthy(problem, server.output())
        yield server
    finally:
        if proc.poll() is None:
            kill_group(proc, signal.SIGTERM)
            try:
                proc.wait(stop_timeout)
            except subprocess.TimeoutExpired:
                server.problems.append(f"still running {stop_timeout:.0f}s after SIGTERM; killed")
                kill_group(proc, signal.SIGKILL)
                proc.wait()
        kill_group(proc, signal.SIGKILL)  # stragglers left in the group
        forget(proc)


def serve_until_healthy(
    cmd: Sequence[str],
    cwd: Path,
    env: Mapping[str, str],
    log: Path,
    *,
    timeout: float = DEFAULT_HEALTH_TIMEOUT,
    stop_timeout: float = STOP_TIMEOUT,
) -> tuple[bool, str]:
    """Start ``cmd`` on a free port, wait for ``/health`` 200, stop it; (ok, output).

    A server that had to be killed after SIGTERM fails, as one that never got healthy does.
    """
    try:
        with running_server(
            cmd, cwd, env, log, timeout=timeout, stop_timeout=stop_timeout
        ) as server:
            pass
    except ServerNotHealthy as error:
        return False, f"{error.output}\n[smoke] {error.problem}\n"
    output = server.output()
    if not server.problems:
        return True, output
    return False, output + "".join(f"\n[smoke] {p}" for p in server.problems) + "\n"
