"""The smoke test's ``image`` step: build a generated project's image and prove it in a container.

What it runs is the project README's "Container image" section, word for word (so a user can
paste it): ``docker build``, the migration in a one-off container, then the server detached.
The step only fills in what the reader supplies: the image and container names (unique per
run), the values of the ``-e NAME`` variables the README passes from the shell (the scratch
database), the services' URLs, and ``PORT``: every container shares this machine's network
(``--network host``, as the README says), so each run gets a free port, never the default 8000.

Then it requires: ``/health`` answers 200 on that port; the image's own ``HEALTHCHECK`` command,
run in the container, succeeds (so it follows ``PORT``); the server's process is not root; the
app can write nothing under its working directory or its venv except the volumes the README
mounts; the server's log has no ``ERROR``, ``CRITICAL`` or traceback; and after SIGTERM the
container exits 0 within ``STOP_GRACE`` seconds (``docker stop``'s default before it kills).

The engine is Docker when ``docker info`` works, otherwise the command named by
``SCAFFOLD_CONTAINER_CMD``: anything with Docker's ``build``, ``run``, ``exec``, ``logs``,
``inspect``, ``kill``, ``wait``, ``rm``, ``rmi`` and ``volume rm`` (podman, or the buildah/podman
wrapper of the machines without a Docker engine), whose containers share the host's network.
With neither, the step is NOT RUN, never passed.
"""

from __future__ import annotations

import json
import re
import secrets
import shlex
import shutil
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from scaffold.smoke.processes import wait_until_healthy

CONTAINER_CMD_ENV = "SCAFFOLD_CONTAINER_CMD"
SECTION = "## Container image"
#: Seconds between SIGTERM and the container's exit: ``docker stop``'s default grace period.
STOP_GRACE = 10.0
BUILD_TIMEOUT = 900.0
COMMAND_TIMEOUT = 300.0
#: ``docker run`` options that take a value as the next word.
VALUE_OPTIONS = frozenset(
    {
        "-e",
        "--env",
        "--env-file",
        "-v",
        "--volume",
        "--name",
        "--network",
        "-p",
        "--publish",
        "-u",
        "--user",
        "-w",
        "--workdir",
        "--mount",
        "--entrypoint",
        "--tmpfs",
    }
)
#: What a log line of a healthy start never says.
BAD_LOG = re.compile(r"\bERROR\b|\bCRITICAL\b|Traceback \(most recent call last\)")

#: Run inside the container by ``exec``, as the user the app runs as: which paths under the
#: working directory and the venv it could write (arguments: mount points to leave out), and
#: the uid of process 1 (the server).
PROBE = """
import json, os, sys
skip = set(sys.argv[1:])
writable = []
for root in dict.fromkeys([os.getcwd(), sys.prefix]):
    for top, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if os.path.join(top, d) not in skip]
        for path in [top, *(os.path.join(top, f) for f in files)]:
            if not os.path.islink(path) and os.access(path, os.W_OK):
                writable.append(path)
with open("/proc/1/status") as status:
    uid = next(int(l.split()[1]) for l in status if l.startswith("Uid:"))
print(json.dumps({"pid1_uid": uid, "uid": os.getuid(), "roots": [os.getcwd(), sys.prefix],
                  "writable": writable}))
"""

Runner = Callable[..., tuple[int, str]]


class NoEngine(RuntimeError):
    """No container engine here: the step cannot run (NOT RUN, never passed)."""


@dataclass(frozen=True)
class Engine:
    """The argv prefix of the container command (``docker`` or a wrapper)."""

    argv: tuple[str, ...]

    def __call__(self, *args: str) -> list[str]:
        return [*self.argv, *args]


def find_engine(environ: Mapping[str, str], run: Runner) -> Engine:
    """Docker if its engine answers ``docker info``, else ``SCAFFOLD_CONTAINER_CMD``.

    ``run(cmd, timeout)`` runs a command and returns (exit code, output). A ``docker`` client
    with no engine behind it (no daemon, no socket) does not count.
    """
    tried = []
    docker = shutil.which("docker", path=environ.get("PATH"))
    if docker:
        code, _ = run([docker, "info"], 60)
        if code == 0:
            return Engine((docker,))
        tried.append("`docker info` failed (no Docker engine)")
    else:
        tried.append("no docker on PATH")
    wrapper = environ.get(CONTAINER_CMD_ENV, "").strip()
    if wrapper:
        argv = tuple(shlex.split(wrapper))
        if not argv or not (shutil.which(argv[0], path=environ.get("PATH"))):
            raise NoEngine(f"{CONTAINER_CMD_ENV}={wrapper!r} is not an executable")
        return Engine(argv)
    raise NoEngine(f"{'; '.join(tried)} and {CONTAINER_CMD_ENV} is not set")


# --------------------------------------------------------------------------- the README


@dataclass
class RunCommand:
    """One ``docker run`` line: its options, the image, and the command after it."""

    options: list[str]
    image: str
    command: list[str]

    @property
    def detached(self) -> bool:
        return "-d" in self.options or "--detach" in self.options


@dataclass
class ReadmeCommands:
    """The README's container section: build arguments, the migration, the server."""

    image: str
    build: list[str]
    migrate: RunCommand
    serve: RunCommand
    lines: list[str] = field(default_factory=list)


def split_run(words: Sequence[str]) -> RunCommand:
    """``run OPTIONS IMAGE [COMMAND...]`` (``words`` after ``docker``) into its parts."""
    rest = iter(words[1:])
    options: list[str] = []
    for word in rest:
        if word in VALUE_OPTIONS:
            options += [word, next(rest, "")]
        elif word.startswith("-"):
            options.append(word)
        else:
            return RunCommand(options, word, list(rest))
    raise ValueError(f"`docker {' '.join(words)}` names no image")


def readme_lines(text: str) -> list[str]:
    """The shell lines of the first code block under ``## Container image`` (``\\`` joined)."""
    lines = text.splitlines()
    try:
        start = lines.index(SECTION)
    except ValueError:
        raise ValueError(f"README.md has no {SECTION!r} section") from None
    body: list[str] = []
    inside = False
    for line in lines[start + 1 :]:
        if line.startswith("## "):
            break
        if line.lstrip().startswith("```"):
            if inside:
                break
            inside = True
            continue
        if inside:
            body.append(line)
    if not body:
        raise ValueError(f"README.md's {SECTION!r} section has no code block")
    joined: list[str] = []
    pending = ""
    for line in body:
        if line.rstrip().endswith("\\"):
            pending += line.rstrip()[:-1] + " "
            continue
        joined.append(pending + line)
        pending = ""
    if pending:
        joined.append(pending)
    return [" ".join(line.split()) for line in joined if line.strip()]


def readme_commands(project: Path) -> ReadmeCommands:
    """The build, migrate and serve commands of the project's README, parsed.

    ``ValueError`` (one line, for the report) when the section is missing or does not build,
    migrate and start a server.
    """
    readme = project / "README.md"
    if not readme.is_file():
        raise ValueError("README.md is missing")
    lines = readme_lines(readme.read_text(encoding="utf-8"))
    build: list[str] | None = None
    runs: list[RunCommand] = []
    for line in lines:
        words = shlex.split(line, comments=True)
        if len(words) < 2 or words[0] != "docker":
            continue  # export, curl: the step supplies the values and probes itself
        if words[1] == "build":
            build = words[1:]
        elif words[1] == "run":
            runs.append(split_run(words[1:]))
    if build is None:
        raise ValueError(f"README.md's {SECTION!r} has no `docker build`")
    image = tag_of(build)
    migrate = next((r for r in runs if not r.detached and r.command), None)
    serve = next((r for r in runs if r.detached), None)
    if migrate is None or serve is None:
        raise ValueError(
            f"README.md's {SECTION!r} needs a `docker run --rm IMAGE <migrate>` and a "
            "`docker run -d ... IMAGE`"
        )
    for run in (migrate, serve):
        if run.image != image:
            raise ValueError(f"README.md runs image {run.image!r} but builds {image!r}")
    return ReadmeCommands(image, build, migrate, serve, lines)


def tag_of(build: Sequence[str]) -> str:
    """The ``-t``/``--tag`` of a ``build`` argument list."""
    words = list(build)
    for i, word in enumerate(words):
        if word in ("-t", "--tag") and i + 1 < len(words):
            return words[i + 1]
        if word.startswith("--tag="):
            return word.split("=", 1)[1]
    raise ValueError("README.md's `docker build` has no -t NAME")


def retag_build(build: Sequence[str], tag: str) -> list[str]:
    """``build`` with its tag replaced by ``tag``."""
    words = list(build)
    for i, word in enumerate(words):
        if word in ("-t", "--tag"):
            words[i + 1] = tag
        elif word.startswith("--tag="):
            words[i] = f"--tag={tag}"
    return words


def run_args(
    run: RunCommand,
    *,
    image: str,
    name: str,
    env: Mapping[str, str],
    extra: Mapping[str, str],
) -> tuple[list[str], list[str], list[str]]:
    """The argv (after the engine) of ``run`` for one smoke run, its volumes and mount points.

    ``--name`` becomes ``name``; a named volume ``V`` becomes ``<name>-V`` (removed afterwards);
    ``-e KEY`` gets its value from ``env`` (what docker would pass from the shell; dropped when
    unset, as docker does); ``extra`` is appended as ``-e KEY=VALUE`` unless the README already
    passes that key.
    """
    args: list[str] = ["run"]
    volumes: list[str] = []
    mounts: list[str] = []
    passed: set[str] = set()
    words = iter(run.options)
    for word in words:
        if word not in VALUE_OPTIONS:
            args.append(word)
            continue
        value = next(words, "")
        if word == "--name":
            value = name
        elif word in ("-v", "--volume"):
            source, _, target = value.partition(":")
            if source and not source.startswith(("/", ".", "~")):
                source = f"{name}-{source}"
                volumes.append(source)
            mounts.append(target.split(":", 1)[0])
            value = f"{source}:{target}"
        elif word in ("-e", "--env"):
            key = value.split("=", 1)[0]
            passed.add(key)
            if "=" not in value:
                if key in extra:
                    value = f"{key}={extra[key]}"
                elif key in env:
                    value = f"{key}={env[key]}"
                else:
                    continue
        args += [word, value]
    for key, value in extra.items():
        if key not in passed:
            args += ["-e", f"{key}={value}"]
    return [*args, image, *run.command], volumes, mounts


# --------------------------------------------------------------------------- the step


@dataclass
class ImageRun:
    """One run of the step against one project; ``run`` is
    :func:`scaffold.smoke.processes.run_command`."""

    project: Path
    engine: Engine
    run: Runner
    env: Mapping[str, str]
    health: Callable[[str], int | None]
    port: int
    health_timeout: float
    out: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def call(self, *args: str, timeout: float = COMMAND_TIMEOUT, cleanup: bool = False) -> int:
        start = time.monotonic()
        code, output = self.run(
            self.engine(*args), self.project, self.env, timeout, cleanup=cleanup
        )
        self.out.append(
            f"{output.rstrip()}\n[smoke] exit {code} in {time.monotonic() - start:.1f}s\n"
        )
        return code

    def capture(
        self, *args: str, timeout: float = COMMAND_TIMEOUT, log: bool = True
    ) -> tuple[int, str]:
        """Run and return the output without its ``$ command`` header line (logged if ``log``
        or if the command failed)."""
        code, output = self.run(self.engine(*args), self.project, self.env, timeout)
        self.out.append(output if log or code != 0 else output.split("\n", 1)[0] + "\n")
        return code, output.split("\n", 1)[1] if "\n" in output else ""

    def fail(self, message: str) -> None:
        self.problems.append(message)

    def healthcheck(self, image: str) -> list[str] | None:
        """The image's HEALTHCHECK as an argv to ``exec``; None (and a problem) if it has none."""
        code, output = self.capture("image", "inspect", image, log=False)
        if code != 0:
            self.fail("could not inspect the image")
            return None
        try:
            data = json.loads(output[output.index("[") :])[0]
        except (ValueError, IndexError, KeyError):
            self.fail("could not read the image's configuration")
            return None
        # Docker keeps it in Config, podman beside it.
        check = (data.get("Config") or {}).get("Healthcheck") or data.get("Healthcheck") or {}
        test = check.get("Test") or []
        if not test or test[0] not in ("CMD", "CMD-SHELL"):
            self.fail(
                "the image has no HEALTHCHECK (podman's OCI format drops it: build with "
                "--format docker)"
            )
            return None
        return list(test[1:]) if test[0] == "CMD" else ["/bin/sh", "-c", test[1]]

    def state(self, name: str) -> str:
        code, output = self.run(
            self.engine("inspect", "--format", "{{.State.Status}}", name),
            self.project,
            self.env,
            60,
        )
        return output.strip().splitlines()[-1] if code == 0 and output.strip() else "unknown"

    def wait_healthy(self, name: str, url: str) -> bool:
        """Poll ``url`` as :func:`~scaffold.smoke.processes.running_server` does; the
        container's state is asked at most every 3 s (each ask is an engine command)."""
        polled = [0.0]

        def exited() -> str | None:
            if time.monotonic() - polled[0] < 3:
                return None
            polled[0] = time.monotonic()
            state = self.state(name)
            return f"the container {state}" if state in ("exited", "stopped", "dead") else None

        start = time.monotonic()
        problem = wait_until_healthy(
            url, exited, timeout=self.health_timeout, health=lambda url, _: self.health(url)
        )
        if problem is not None:
            self.fail(problem)
            return False
        self.out.append(f"[smoke] {url} answered 200 after {time.monotonic() - start:.1f}s\n")
        return True

    def probe(self, name: str, mounts: Sequence[str]) -> None:
        code, output = self.capture("exec", name, "python", "-c", PROBE, *mounts)
        try:
            facts = json.loads(output.strip().splitlines()[-1])
        except (ValueError, IndexError):
            self.fail(f"the probe in the container failed (exit {code})")
            return
        if facts["pid1_uid"] == 0 or facts["uid"] == 0:
            self.fail("the app runs as root")
        if facts["writable"]:
            shown = ", ".join(facts["writable"][:5])
            self.fail(
                f"the app can write {len(facts['writable'])} path(s) under "
                f"{' and '.join(facts['roots'])}: {shown}"
            )

    def stop(self, name: str) -> None:
        """SIGTERM, then the exit code must be 0 within ``STOP_GRACE`` seconds."""
        if self.call("kill", "--signal", "TERM", name) != 0:
            self.fail("could not send SIGTERM to the container")
            return
        start = time.monotonic()
        code, output = self.capture("wait", name, timeout=STOP_GRACE + 5)
        took = time.monotonic() - start
        words = output.split()
        status = words[-1] if words else ""
        if code != 0 or took > STOP_GRACE:
            self.fail(f"the container was still running {STOP_GRACE:.0f}s after SIGTERM")
        elif status != "0":
            self.fail(f"the container exited {status or '?'} after SIGTERM, not 0")
        else:
            self.out.append(f"[smoke] stopped cleanly {took:.1f}s after SIGTERM\n")

    def check_logs(self, name: str) -> None:
        code, output = self.capture("logs", name)
        if code != 0:
            self.fail("could not read the container's logs")
            return
        bad = [line for line in output.splitlines() if BAD_LOG.search(line)]
        if bad:
            self.fail(f"the server logged {len(bad)} error line(s), first: {bad[0].strip()}")

    def execute(self, extra: Mapping[str, str]) -> tuple[bool, str]:
        """The whole step with the services' URLs in ``extra``; (ok, output)."""
        try:
            readme = readme_commands(self.project)
        except ValueError as error:
            return False, f"[smoke] {error}\n"
        name = f"scaffold-smoke-{secrets.token_hex(4)}"
        self.out.append("[smoke] README.md's container section:\n  " + "\n  ".join(readme.lines))
        self.out.append(f"\n[smoke] image and container {name}; PORT={self.port}\n")
        volumes: list[str] = []
        try:
            self.prove(readme, name, extra, volumes)
        finally:
            self.call("rm", "-f", name, timeout=120, cleanup=True)
            for volume in dict.fromkeys(volumes):
                self.call("volume", "rm", "-f", volume, timeout=120, cleanup=True)
            self.call("rmi", "-f", name, timeout=120, cleanup=True)
        text = "\n".join(self.out) + "".join(f"\n[smoke] {p}" for p in self.problems)
        return not self.problems, text + "\n"

    def prove(
        self, readme: ReadmeCommands, name: str, extra: Mapping[str, str], volumes: list[str]
    ) -> None:
        """Build, migrate, serve and probe; every shortfall is added to ``problems``."""
        if self.call(*retag_build(readme.build, name), timeout=BUILD_TIMEOUT) != 0:
            self.fail("the image did not build")
            return
        check = self.healthcheck(name)
        migrate, made, _ = run_args(
            readme.migrate, image=name, name=name, env=self.env, extra=extra
        )
        volumes += made
        if self.call(*migrate) != 0:
            self.fail("the README's migration command failed in the container")
            return
        serve_extra = {**extra, "PORT": str(self.port)}
        serve, made, mounts = run_args(
            readme.serve, image=name, name=name, env=self.env, extra=serve_extra
        )
        volumes += made
        if self.call(*serve) != 0:
            self.fail("the container did not start")
            return
        url = f"http://127.0.0.1:{self.port}/health"
        if self.wait_healthy(name, url):
            if check is not None and self.call("exec", name, *check) != 0:
                self.fail(f"the HEALTHCHECK command failed with PORT={self.port}")
            self.probe(name, mounts)
            self.stop(name)
        self.check_logs(name)
