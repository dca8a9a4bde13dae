"""Benchmarks for scaffold and for the projects it generates; writes benchmarks/RESULTS.md.

    uv run python benchmarks/run.py                 # everything (several minutes)
    uv run python benchmarks/run.py --quick         # fewer runs, shorter load tests
    uv run python benchmarks/run.py --only new,startup

Sections (``--only`` takes any of them, comma-separated):

- ``new``: ``scaffold new --defaults --no-lock --no-git`` against the raw ``copier copy`` of the
  same template with the same answers, interleaved run by run so the ratio is stable, plus the
  full default ``scaffold new`` (uv lock + git init) for information.
- ``startup``: ``scaffold --help`` and ``scaffold --version``, next to the floor they cannot go
  under (a bare interpreter, and ``import typer``).
- ``green``: time-to-green per framework: ``scaffold new`` -> ``uv sync`` -> ``uv run pytest``
  with a warm uv cache.
- ``throughput``: each framework rendered with PostgreSQL + JWT, migrated into a fresh database,
  served by its Dockerfile CMD under gunicorn, loaded with ``wrk`` on ``/health`` and on the
  authenticated items list, next to a bare hello-world of the same framework under the same
  server, config, virtualenv and worker count (``benchmarks/bare/``); with the servers' CPU per
  request, which stays meaningful when other work shares the cores.
- ``update``: ``scaffold update`` on an unchanged project and with a changed answer.

Every figure is a median of several runs. Nothing here asserts on time: the numbers are for
people, and the tests (tests/test_benchmarks_smoke.py) only check the pure functions below.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import re
import resource
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BENCH_DIR = REPO / "benchmarks"
BARE_DIR = BENCH_DIR / "bare"
TEMPLATES = REPO / "templates"
RESULTS = BENCH_DIR / "RESULTS.md"
SECTIONS = ("new", "startup", "green", "throughput", "update")
FRAMEWORKS = ("fastapi", "flask", "django")
POSTGRES_ADMIN_URL = os.environ.get(
    "SCAFFOLD_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
#: Every request the load test and the sign-up send carries this, as a TLS-terminating proxy
#: would: Django's production settings redirect plain http to https otherwise.
PROXY_HEADERS = {"X-Forwarded-Proto": "https"}
PASSWORD = "Bench-correct-horse-42!"  # noqa: S105 - a throwaway user in a throwaway database


# --------------------------------------------------------------------------- pure functions


def median(values: Sequence[float]) -> float:
    """The median; the statistic every figure here reports (robust to one noisy run)."""
    if not values:
        raise ValueError("median of no values")
    return float(statistics.median(values))


_UNITS = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}


def parse_duration(text: str) -> float:
    """A wrk duration (``812.00us``, ``1.53ms``, ``2.01s``, ``1.00m``) in seconds."""
    match = re.fullmatch(r"\s*([0-9.]+)\s*(us|ms|s|m|h)\s*", text)
    if not match:
        raise ValueError(f"not a wrk duration: {text!r}")
    return float(match.group(1)) * _UNITS[match.group(2)]


_SCALE = {"": 1.0, "k": 1e3, "K": 1e3, "M": 1e6, "G": 1e9}


def parse_count(text: str) -> float:
    """A wrk count that may carry a metric suffix (``12.3k``)."""
    match = re.fullmatch(r"\s*([0-9.]+)([kKMG]?)\s*", text)
    if not match:
        raise ValueError(f"not a wrk count: {text!r}")
    return float(match.group(1)) * _SCALE[match.group(2)]


@dataclass
class WrkResult:
    """What one wrk run reports: throughput, latency percentiles and every kind of error."""

    requests: int
    requests_per_s: float
    p50_s: float
    p99_s: float
    non_2xx: int = 0
    socket_errors: int = 0

    @property
    def errors(self) -> int:
        return self.non_2xx + self.socket_errors


def parse_wrk(output: str) -> WrkResult:
    """Parse ``wrk --latency`` output; raises ValueError when a needed line is missing."""
    requests = re.search(r"^\s*(\d+) requests in ", output, re.MULTILINE)
    rps = re.search(r"^Requests/sec:\s*([0-9.]+)", output, re.MULTILINE)
    p50 = re.search(r"^\s*50(?:\.0+)?%\s+([0-9.]+\w+)", output, re.MULTILINE)
    p99 = re.search(r"^\s*99(?:\.0+)?%\s+([0-9.]+\w+)", output, re.MULTILINE)
    if not (requests and rps and p50 and p99):
        raise ValueError("wrk output lacks the request count, Requests/sec or --latency lines")
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s*(\d+)", output)
    socket = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    return WrkResult(
        requests=int(requests.group(1)),
        requests_per_s=float(rps.group(1)),
        p50_s=parse_duration(p50.group(1)),
        p99_s=parse_duration(p99.group(1)),
        non_2xx=int(non_2xx.group(1)) if non_2xx else 0,
        socket_errors=sum(int(n) for n in socket.groups()) if socket else 0,
    )


def median_wrk(results: Sequence[WrkResult]) -> WrkResult:
    """Median of each figure over several wrk runs; errors are summed, never hidden."""
    return WrkResult(
        requests=sum(r.requests for r in results),
        requests_per_s=median([r.requests_per_s for r in results]),
        p50_s=median([r.p50_s for r in results]),
        p99_s=median([r.p99_s for r in results]),
        non_2xx=sum(r.non_2xx for r in results),
        socket_errors=sum(r.socket_errors for r in results),
    )


def fmt_s(seconds: float) -> str:
    """A duration for the table: ms below one second, else seconds."""
    if seconds < 0.01:
        return f"{seconds * 1000:.2f} ms"
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    return f"{seconds:.2f} s" if seconds < 10 else f"{seconds:.1f} s"


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A GitHub-flavoured markdown table (cells are str()-ed; ``|`` is escaped)."""

    def cell(value: object) -> str:
        return str(value).replace("|", r"\|").replace("\n", " ")

    lines = [
        "| " + " | ".join(cell(h) for h in headers) + " |",
        "|" + "|".join("---" for _ in headers) + "|",
    ]
    lines += ["| " + " | ".join(cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def verdict(ok: bool | None) -> str:
    """Goal column marker."""
    return "n/a" if ok is None else ("yes" if ok else "**no**")


def parse_only(value: str | None) -> list[str]:
    """``--only new,startup`` -> the sections in run order; unknown names are an error."""
    if not value:
        return list(SECTIONS)
    wanted = [part.strip() for part in value.split(",") if part.strip()]
    unknown = sorted(set(wanted) - set(SECTIONS))
    if unknown:
        raise ValueError(f"unknown section(s) {', '.join(unknown)}; choose from {SECTIONS}")
    return [s for s in SECTIONS if s in wanted]


def dockerfile_cmd(dockerfile: str) -> list[str]:
    """The exec-form ``CMD [...]`` of the final stage of a Dockerfile."""
    cmds = re.findall(r"^CMD\s+(\[.*\])\s*$", dockerfile, re.MULTILINE)
    if not cmds:
        raise ValueError("no exec-form CMD [...] in the Dockerfile")
    return list(json.loads(cmds[-1]))


# --------------------------------------------------------------------------- process helpers


@dataclass
class Timed:
    """One timed command: wall seconds, exit code and (on failure) the tail of its output."""

    seconds: float
    returncode: int
    output: str = ""
    cpu: float = 0.0  # user + system CPU seconds of the process and its children


def children_cpu() -> float:
    """CPU seconds used so far by waited-for child processes (a stable figure on a busy box)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_timed(
    cmd: Sequence[str | Path],
    *,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float = 900,
) -> Timed:
    """Run ``cmd`` to completion, timing its wall clock (process start-up included)."""
    cpu_start = children_cpu()
    start = time.perf_counter()
    proc = subprocess.run(
        [str(c) for c in cmd],
        cwd=cwd,
        env=dict(env) if env is not None else None,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    elapsed = time.perf_counter() - start
    cpu = children_cpu() - cpu_start
    tail = "" if proc.returncode == 0 else (proc.stdout + proc.stderr)[-2000:]
    return Timed(elapsed, proc.returncode, tail, cpu)


#: Where child processes keep compiled bytecode; main() points both at fresh temp dirs.
PYCACHE: dict[str, Path] = {}


def clean_env(*, cold: bool = False, **extra: str) -> dict[str, str]:
    """The environment for every child: no venv of ours leaking in, no uv downloads.

    Bytecode: by default children cache it in a private directory (``PYTHONPYCACHEPREFIX``),
    as an installed tool does from its second run on, even when this shell sets
    ``PYTHONDONTWRITEBYTECODE`` (which makes every run recompile every module it imports, and
    triples import times); scaffold's compiled Jinja templates likewise go to a private
    ``XDG_CACHE_HOME``. ``cold=True`` measures a first run: nothing cached, nothing reused.
    """
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("VIRTUAL_ENV", "UV_PROJECT"))
        and k not in ("DATABASE_URL", "PYTHONDONTWRITEBYTECODE", "PYTHONPYCACHEPREFIX")
    }
    env["UV_PYTHON_DOWNLOADS"] = "never"
    if cold:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        if "cold" in PYCACHE:  # an empty tree: no __pycache__ next to a source is used either
            env["PYTHONPYCACHEPREFIX"] = str(PYCACHE["cold"])
            # and no compiled Jinja templates (scaffold.render.CompiledTemplates): a first run
            env["XDG_CACHE_HOME"] = tempfile.mkdtemp(dir=PYCACHE["cold"].parent, prefix="xdg-")
    elif "warm" in PYCACHE:
        env["PYTHONPYCACHEPREFIX"] = str(PYCACHE["warm"])
        env["XDG_CACHE_HOME"] = str(PYCACHE["warm"].parent / "xdg-warm")
    env.update(extra)
    return env


def venv_bin(name: str) -> Path:
    """An executable of scaffold's own virtualenv (the one running this script)."""
    return Path(sys.executable).parent / name


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def http(
    method: str,
    url: str,
    *,
    json_body: object | None = None,
    form: Mapping[str, str] | None = None,
    token: str | None = None,
    timeout: float = 10,
) -> tuple[int, object]:
    """One HTTP request with the stdlib; returns (status, parsed JSON body or text)."""
    headers = dict(PROXY_HEADERS)
    data = None
    if json_body is not None:
        data = json.dumps(json_body).encode()
        headers["Content-Type"] = "application/json"
    elif form is not None:
        data = urllib.parse.urlencode(form).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, data=data, headers=headers, method=method)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, raw = error.code, error.read()
    try:
        return status, json.loads(raw)
    except ValueError:
        return status, raw.decode(errors="replace")


def wait_healthy(url: str, proc: subprocess.Popen[bytes], log: Path, timeout: float = 90) -> None:
    """Poll ``url`` until it answers 200; fail with the server log if it dies or never does."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited {proc.returncode}:\n{log.read_text()[-3000:]}")
        with contextlib.suppress(OSError):
            if http("GET", url, timeout=2)[0] == 200:
                return
        time.sleep(0.2)
    raise RuntimeError(f"{url} not healthy after {timeout:.0f} s:\n{log.read_text()[-3000:]}")


@contextlib.contextmanager
def server(
    cmd: Sequence[str], *, cwd: Path, env: Mapping[str, str], port: int, log: Path
) -> Iterator[tuple[str, int]]:
    """Start a server in its own process group, wait for /health, and always stop it.

    Yields its base URL and its process group (see ``group_cpu``)."""
    with log.open("wb") as out:
        proc = subprocess.Popen(
            cmd,
            cwd=cwd,
            env=dict(env),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(f"{base}/health", proc, log)
        yield base, proc.pid
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def group_cpu(pgid: int) -> float:
    """CPU seconds (user + system) used so far by the live processes of a process group: a
    server's master and workers. Unlike requests per second it hardly moves when other work
    shares the cores. NaN where there is no /proc."""
    total, found = 0, False
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[2]) == pgid:  # fields after "(comm)": state ppid pgrp ... utime stime
            total += int(fields[11]) + int(fields[12])
            found = True
    return total / os.sysconf("SC_CLK_TCK") if found else float("nan")


# --------------------------------------------------------------------------- report


@dataclass
class Report:
    """Sections of RESULTS.md, filled as the benchmarks run."""

    quick: bool
    started: str = field(default_factory=lambda: time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()))
    load_before: tuple[float, float, float] = field(default_factory=os.getloadavg)
    sections: list[str] = field(default_factory=list)
    section_start: tuple[str, tuple[float, float, float]] = field(
        default_factory=lambda: (time.strftime("%H:%M", time.gmtime()), os.getloadavg())
    )

    def start_section(self) -> None:
        """Note the time and load as a section starts (printed under its table)."""
        self.section_start = (time.strftime("%H:%M", time.gmtime()), os.getloadavg())

    def add(self, title: str, body: str) -> None:
        began, load_before = self.section_start
        stamp = f"{began}-{time.strftime('%H:%M UTC', time.gmtime())}"
        load = f"before {fmt_load(load_before)}, after {fmt_load(os.getloadavg())}"
        text = f"## {title}\n\n{body}\n\nMeasured {stamp}; load average (1/5/15 min) {load}.\n"
        print(text, flush=True)
        self.sections.append(text)

    def render(self, previous: str = "") -> str:
        """The whole file; sections not re-run and the hand-written findings are kept."""
        kept, findings = split_previous(previous, self.sections)
        load_after = os.getloadavg()
        facts = machine_facts()
        facts.append(
            (
                "Load average (1/5/15 min)",
                f"before {fmt_load(self.load_before)}; after {fmt_load(load_after)}",
            )
        )
        facts.append(("Mode", "quick (fewer runs, short load tests)" if self.quick else "full"))
        head = (
            "# Benchmark results\n\n"
            f"Measured {self.started} with `uv run python benchmarks/run.py"
            f"{' --quick' if self.quick else ''}`. Every figure is the median of the runs "
            "shown; variants that are compared are run interleaved, run by run.\n\n"
            + markdown_table(["Machine", ""], facts)
            + "\n"
        )
        sections = sorted([*kept, *self.sections], key=section_number)
        return head + "\n" + "\n".join(sections) + findings


def section_number(text: str) -> int:
    """``## 3. Time to green`` -> 3 (sections sort by their number)."""
    match = re.match(r"## (\d+)\.", text)
    return int(match.group(1)) if match else 99


FINDINGS = "## What we found"


def split_previous(previous: str, fresh: Sequence[str]) -> tuple[list[str], str]:
    """From an earlier RESULTS.md: the numbered sections this run did not redo, and the
    hand-written ``## What we found`` tail, so a partial run (``--only``) loses neither."""
    findings = ""
    if FINDINGS in previous:
        previous, tail = previous.split(FINDINGS, 1)
        findings = "\n" + FINDINGS + tail
    redone = {section_number(s) for s in fresh}
    chunks = re.split(r"(?m)^(?=## )", previous)
    kept = [
        c.rstrip() + "\n"
        for c in chunks
        if c.startswith("## ") and section_number(c) not in redone and section_number(c) != 99
    ]
    return kept, findings


def fmt_load(load: tuple[float, float, float]) -> str:
    return " / ".join(f"{x:.2f}" for x in load)


def _version_of(cmd: Sequence[str]) -> str:
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=20, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return "not found"
    text = (proc.stdout + proc.stderr).strip().splitlines()
    return text[0] if text else "unknown"


def machine_facts() -> list[tuple[str, str]]:
    """Cores, CPU, OS and the versions of everything measured."""
    from importlib.metadata import version

    cpu = memory = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                break
    packages = ", ".join(
        f"{name} {version(name)}" for name in ("copier", "typer", "jinja2", "questionary")
    )
    head = _version_of(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"])
    return [
        ("CPU", f"{os.cpu_count()} cores, {cpu}"),
        ("Memory", memory),
        ("OS", platform.platform()),
        ("Python", platform.python_version()),
        ("uv", _version_of(["uv", "--version"])),
        ("Packages", packages),
        ("wrk", _version_of(["wrk", "--version"]) if shutil.which("wrk") else "not installed"),
        ("PostgreSQL", _version_of(["psql", "--version"])),
        ("scaffold commit", head),
    ]


# --------------------------------------------------------------------------- 1. new vs copier


def bench_new(report: Report, runs: int, work: Path) -> None:
    """``scaffold new --no-lock --no-git`` vs raw ``copier copy``, interleaved."""
    scaffold, copier = venv_bin("scaffold"), venv_bin("copier")
    keys = ("scaffold", "copier", "scaffold cold", "copier cold", "full")
    wall: dict[str, list[float]] = {k: [] for k in keys}
    cpu: dict[str, list[float]] = {k: [] for k in keys}
    failures: list[str] = []
    for i in range(runs + 1):  # run 0 warms the page cache and .pyc files; not counted
        name = f"bench-new-{i}"
        variants: list[tuple[str, list[str | Path]]] = [
            (
                "scaffold",
                [scaffold, "new", name, "--defaults", "--no-lock", "--no-git", "-o", work / "s"],
            ),
            (
                "copier",
                [
                    copier, "copy", "--quiet", "--defaults",
                    "-d", f"project_name={name}",
                    "-d", f"secret_key={secrets.token_urlsafe(50)}",
                    "-d", f"db_password={secrets.token_urlsafe(24)}",
                    TEMPLATES, work / "c" / name,
                ],
            ),
        ]  # fmt: skip
        variants += [(f"{key} cold", cmd) for key, cmd in variants]
        if i % 2:  # alternate the order too, so neither always runs first
            variants.reverse()
        for key, cmd in variants:
            if key.endswith("cold"):  # its own output directory, same answers
                cmd = [*cmd[:-1], Path(f"{cmd[-1]}-cold")]
            result = run_timed(cmd, env=clean_env(cold=key.endswith("cold")))
            if result.returncode:
                failures.append(f"{key}: exit {result.returncode}: {result.output[-300:]}")
            elif i:
                wall[key].append(result.seconds)
                cpu[key].append(result.cpu)
    for i in range(max(1, runs // 2)):
        result = run_timed(
            [scaffold, "new", f"bench-full-{i}", "--defaults", "-o", work / "f"], env=clean_env()
        )
        if result.returncode:
            failures.append(f"full: exit {result.returncode}: {result.output[-300:]}")
        else:
            wall["full"].append(result.seconds)
            cpu["full"].append(result.cpu)
    for folder in ("s", "c", "f"):
        shutil.rmtree(work / folder, ignore_errors=True)

    rows: list[list[object]] = []
    med = {k: median(v) for k, v in wall.items() if v}
    med_cpu = {k: median(v) for k, v in cpu.items() if v}
    for suffix, label in (("", ""), (" cold", " - no bytecode cache")):
        sc, co = f"scaffold{suffix}", f"copier{suffix}"
        if sc not in med or co not in med:
            continue
        ratio, cpu_ratio = med[sc] / med[co], med_cpu[sc] / med_cpu[co]
        rows += [
            [f"`copier copy` (same template, same answers){label}", fmt_s(med[co]),
             fmt_s(med_cpu[co]), len(wall[co]), "", ""],
            [f"`scaffold new --defaults --no-lock --no-git`{label}", fmt_s(med[sc]),
             fmt_s(med_cpu[sc]), len(wall[sc]), "< 500 ms wall" if not suffix else "",
             verdict(med[sc] < 0.5) if not suffix else ""],
            [f"ratio scaffold / copier{label}", f"{ratio:.2f}x", f"{cpu_ratio:.2f}x", "",
             "<= 0.80x" if not suffix else "", verdict(ratio <= 0.8) if not suffix else ""],
        ]  # fmt: skip
    if "full" in med:
        rows.append(
            [
                "`scaffold new --defaults` (+ uv lock + git init)",
                fmt_s(med["full"]),
                fmt_s(med_cpu["full"]),
                len(wall["full"]),
                "(information)",
                "",
            ]
        )
    body = markdown_table(["Command", "Wall (median)", "CPU (median)", "Runs", "Goal", "Met"], rows)
    body += (
        "\n\nBoth from scaffold's virtualenv (`.venv/bin/scaffold`, `.venv/bin/copier`), "
        "FastAPI defaults, one process each, interleaved and alternating which goes first. "
        "Normal rows: compiled bytecode cached, as for any installed tool after its first run. "
        "'No bytecode cache': every module compiled from source on every run, which is what "
        "`PYTHONDONTWRITEBYTECODE=1` (set in this machine's shell) does. "
        "CPU = user + system seconds of the process and its children, which stays meaningful "
        "when the machine is busy."
    )
    if failures:
        body += "\n\nFailures:\n" + "\n".join(f"- {f}" for f in failures)
    report.add("1. Generation: scaffold new vs copier copy", body)


# --------------------------------------------------------------------------- 2. start-up


def bench_startup(report: Report, runs: int) -> None:
    """``scaffold --help``/``--version`` next to a bare interpreter and ``import typer``."""
    python, scaffold = sys.executable, venv_bin("scaffold")
    variants = {
        "`python -c pass` (floor)": [python, "-c", "pass"],
        "`python -c 'import typer'`": [python, "-c", "import typer"],
        "`python -c 'import scaffold.cli'`": [python, "-c", "import scaffold.cli"],
        "`scaffold --version`": [scaffold, "--version"],
        "`scaffold --help`": [scaffold, "--help"],
        "`scaffold new --help`": [scaffold, "new", "--help"],
        "`python -c 'import typer'` - no bytecode cache": [python, "-c", "import typer"],
        "`scaffold --version` - no bytecode cache": [scaffold, "--version"],
        "`scaffold --help` - no bytecode cache": [scaffold, "--help"],
    }
    wall: dict[str, list[float]] = {k: [] for k in variants}
    cpu: dict[str, list[float]] = {k: [] for k in variants}
    for i in range(runs + 1):
        for key, cmd in variants.items():
            result = run_timed(cmd, env=clean_env(cold=key.endswith("no bytecode cache")))
            if i:
                wall[key].append(result.seconds)
                cpu[key].append(result.cpu)
    rows = []
    for key, values in wall.items():
        goal = key in ("`scaffold --version`", "`scaffold --help`")
        rows.append(
            [
                key,
                fmt_s(median(values)),
                fmt_s(min(values)),
                fmt_s(median(cpu[key])),
                len(values),
                "< 150 ms" if goal else "",
                verdict(median(values) < 0.15) if goal else "",
            ]
        )
    body = markdown_table(
        ["Command", "Wall (median)", "Wall (min)", "CPU (median)", "Runs", "Goal", "Met"], rows
    )
    body += (
        "\n\nNormal rows: compiled bytecode cached (as for any installed tool after its first "
        "run). 'No bytecode cache': `PYTHONDONTWRITEBYTECODE=1` with an empty cache, so every "
        "module is compiled from source on every run. Every command, `--help` included, is "
        "parsed and printed by typer."
    )
    report.add("2. Start-up", body)


# --------------------------------------------------------------------------- 3. time to green


def bench_green(report: Report, runs: int, work: Path) -> None:
    """``scaffold new`` -> ``uv sync`` -> ``uv run pytest`` per framework, warm uv cache."""
    scaffold = venv_bin("scaffold")
    stages: dict[str, dict[str, list[float]]] = {
        fw: {"new": [], "sync": [], "pytest": [], "total": []} for fw in FRAMEWORKS
    }
    failures: list[str] = []
    for i in range(runs + 1):  # run 0 warms the uv cache for every framework; not counted
        for fw in FRAMEWORKS:
            name = f"green-{fw}-{i}"
            project = work / name
            env = clean_env()
            steps = [
                ("new", [scaffold, "new", name, "--defaults", "-f", fw, "-o", work], work),
                ("sync", ["uv", "sync", "--quiet"], project),
                ("pytest", ["uv", "run", "pytest", "-q", "-p", "no:cacheprovider"], project),
            ]
            total, ok = 0.0, True
            for stage, cmd, cwd in steps:
                result = run_timed(cmd, cwd=cwd, env=env)
                if result.returncode:
                    failures.append(
                        f"{fw} {stage}: exit {result.returncode}: {result.output[-400:]}"
                    )
                    ok = False
                    break
                total += result.seconds
                if i:
                    stages[fw][stage].append(result.seconds)
            if ok and i:
                stages[fw]["total"].append(total)
            shutil.rmtree(project, ignore_errors=True)
    rows = []
    for fw, values in stages.items():
        if not values["total"]:
            rows.append([fw, "failed", "", "", "", "< 20 s", verdict(False)])
            continue
        med = {k: median(v) for k, v in values.items()}
        rows.append(
            [
                fw,
                fmt_s(med["new"]),
                fmt_s(med["sync"]),
                fmt_s(med["pytest"]),
                fmt_s(med["total"]),
                "< 20 s",
                verdict(med["total"] < 20),
            ]
        )
    body = markdown_table(
        ["Framework", "scaffold new", "uv sync", "uv run pytest", "Total", "Goal", "Met"], rows
    )
    body += (
        f"\n\nDefaults (SQLite, JWT, GitHub CI); `scaffold new` includes `uv lock` and "
        f"`git init`. {runs} timed run(s) per framework after one warm-up run."
    )
    if failures:
        body += "\n\nFailures:\n" + "\n".join(f"- {f}" for f in failures)
    report.add("3. Time to green (new -> uv sync -> uv run pytest)", body)


# --------------------------------------------------------------------------- 4. throughput


@dataclass(frozen=True)
class AuthProfile:
    """How each framework's generated API signs a user up (read from its own tests)."""

    register: Callable[[str], dict[str, str]]
    login_form: bool  # FastAPI's OAuth2 password flow takes a form, the others JSON
    login: Callable[[str], dict[str, str]]
    access_field: str
    item: Callable[[int], dict[str, str]]
    bare_app: str
    extra_env: Mapping[str, str] = field(default_factory=dict)


AUTH: dict[str, AuthProfile] = {
    "fastapi": AuthProfile(
        register=lambda u: {"email": f"{u}@example.com", "password": PASSWORD},
        login_form=True,
        login=lambda u: {"username": f"{u}@example.com", "password": PASSWORD},
        access_field="access_token",
        item=lambda n: {"title": f"Item {n}", "description": "benchmark"},
        bare_app="fastapi_app:app",
        extra_env={"ENVIRONMENT": "production"},
    ),
    "flask": AuthProfile(
        register=lambda u: {"email": f"{u}@example.com", "password": PASSWORD},
        login_form=False,
        login=lambda u: {"email": f"{u}@example.com", "password": PASSWORD},
        access_field="access_token",
        item=lambda n: {"name": f"Item {n}", "description": "benchmark"},
        bare_app="flask_app:app",
        extra_env={"APP_ENV": "production"},
    ),
    "django": AuthProfile(
        register=lambda u: {"username": u, "email": f"{u}@example.com", "password": PASSWORD},
        login_form=False,
        login=lambda u: {"username": u, "password": PASSWORD},
        access_field="access",
        item=lambda n: {"name": f"Item {n}", "description": "benchmark"},
        bare_app="django_app:application",
        extra_env={"ALLOWED_HOSTS": "127.0.0.1,localhost"},
    ),
}


def sign_up(base: str, profile: AuthProfile, items: int) -> str:
    """Register and log in a user through the HTTP API, create ``items``; return its token."""
    user = f"bench{secrets.token_hex(3)}"
    status, body = http("POST", f"{base}/api/v1/auth/register", json_body=profile.register(user))
    if status != 201:
        raise RuntimeError(f"register: {status} {body}")
    login = profile.login(user)
    if profile.login_form:
        status, body = http("POST", f"{base}/api/v1/auth/login", form=login)
    else:
        status, body = http("POST", f"{base}/api/v1/auth/login", json_body=login)
    if status != 200 or not isinstance(body, dict) or profile.access_field not in body:
        raise RuntimeError(f"login: {status} {body}")
    token = str(body[profile.access_field])
    for n in range(items):
        status, body = http("POST", f"{base}/api/v1/items", json_body=profile.item(n), token=token)
        if status != 201:
            raise RuntimeError(f"create item: {status} {body}")
    status, body = http("GET", f"{base}/api/v1/items", token=token)
    if status != 200:
        raise RuntimeError(f"list items: {status} {body}")
    return token


def run_wrk(
    url: str, seconds: float, threads: int, connections: int, token: str | None
) -> WrkResult:
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds:g}s", "--latency"]
    for key, value in PROXY_HEADERS.items():
        cmd += ["-H", f"{key}: {value}"]
    if token:
        cmd += ["-H", f"Authorization: Bearer {token}"]
    proc = subprocess.run(
        [*cmd, url], capture_output=True, text=True, timeout=seconds + 60, check=False
    )
    if proc.returncode:
        raise RuntimeError(f"wrk exited {proc.returncode}: {proc.stderr.strip()}")
    return parse_wrk(proc.stdout)


def drain(url: str, timeout: float = 180) -> None:
    """Wait until the server behind ``url`` has worked off what wrk left queued.

    wrk stops at its deadline, but requests already accepted (sync workers take one at a time)
    are still processed; without this, a slow endpoint's backlog is billed to the next run.
    One /health request queued behind the backlog returns when it is gone.
    """
    health = urllib.parse.urlunsplit(urllib.parse.urlsplit(url)._replace(path="/health"))
    with contextlib.suppress(OSError):
        http("GET", health, timeout=timeout)
    time.sleep(0.5)


def psql(sql: str) -> None:
    subprocess.run(
        ["psql", POSTGRES_ADMIN_URL, "-v", "ON_ERROR_STOP=1", "-qc", sql],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )


@contextlib.contextmanager
def fresh_database(name: str) -> Iterator[str]:
    """A new PostgreSQL database for one run, dropped afterwards; yields its plain URL."""
    psql(f'CREATE DATABASE "{name}"')
    try:
        yield urllib.parse.urlunsplit(
            urllib.parse.urlsplit(POSTGRES_ADMIN_URL)._replace(path=f"/{name}")
        )
    finally:
        psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@dataclass
class Served:
    """A generated app and the bare app of its framework, both up, plus a signed-in token."""

    framework: str
    project: Path
    app_url: str
    bare_url: str
    token: str
    app_log: Path
    bare_log: Path
    app_group: int = 0  # process groups of the two servers (group_cpu)
    bare_group: int = 0


@contextlib.contextmanager
def serve_framework(fw: str, workers: int, work: Path) -> Iterator[Served]:
    """Render ``fw`` with PostgreSQL + JWT, migrate a fresh database, and serve the app by its
    Dockerfile CMD next to the bare app of the same framework; everything is torn down after."""
    profile = AUTH[fw]
    name = f"tp-{fw}"
    project = work / name
    scaffold = venv_bin("scaffold")
    new = [scaffold, "new", name, "--defaults", "-f", fw, "-d", "postgresql", "-a", "jwt"]
    try:
        for cmd, cwd in (
            ([*new, "--no-git", "-o", work], work),
            (["uv", "sync", "--quiet", "--no-dev"], project),
        ):
            result = run_timed(cmd, cwd=cwd, env=clean_env())
            if result.returncode:
                raise RuntimeError(f"{cmd[1]}: {result.output[-800:]}")
        import yaml

        compose = yaml.safe_load((project / "compose.yaml").read_text())
        migrate = [str(c) for c in compose["services"]["migrate"]["command"]]
        serve = dockerfile_cmd((project / "Dockerfile").read_text())
        venv = project / ".venv" / "bin"
        with fresh_database(f"bench_{fw}_{secrets.token_hex(4)}") as db_url:
            app_port, bare_port = free_port(), free_port()
            base_env = clean_env(
                PATH=f"{venv}{os.pathsep}{os.environ['PATH']}",
                SECRET_KEY=secrets.token_urlsafe(50),
                DATABASE_URL=db_url,
                HOST="127.0.0.1",
                WEB_CONCURRENCY=str(workers),
                **profile.extra_env,
            )
            result = run_timed(migrate, cwd=project, env=base_env)
            if result.returncode:
                raise RuntimeError(f"migrate {migrate}: {result.output[-800:]}")
            bare_cmd = [
                str(venv / "gunicorn"),
                *("-c", str(project / "gunicorn.conf.py"), "--chdir", str(BARE_DIR)),
                profile.bare_app,
                *serve[2:],  # the same worker class (FastAPI's uvicorn worker)
            ]
            app_log, bare_log = work / f"{fw}-app.log", work / f"{fw}-bare.log"
            with (
                server(
                    serve,
                    cwd=project,
                    env={**base_env, "PORT": str(app_port)},
                    port=app_port,
                    log=app_log,
                ) as (app_url, app_group),
                server(
                    bare_cmd,
                    cwd=BARE_DIR,
                    env={**base_env, "PORT": str(bare_port)},
                    port=bare_port,
                    log=bare_log,
                ) as (bare_url, bare_group),
            ):
                token = sign_up(app_url, profile, items=20)
                yield Served(
                    fw, project, app_url, bare_url, token, app_log, bare_log, app_group, bare_group
                )
    finally:
        shutil.rmtree(project, ignore_errors=True)


def bench_throughput(
    report: Report,
    rounds: int,
    seconds: float,
    workers: int,
    threads: int,
    connections: int,
    work: Path,
) -> None:
    """Generated app vs bare hello-world under the same gunicorn, config and worker count."""
    if shutil.which("wrk") is None:
        report.add(
            "4. Generated-app throughput",
            "**Skipped: `wrk` is not installed** (Debian: `apt-get install -y wrk`).",
        )
        return
    rows: list[list[object]] = []
    failures: list[str] = []
    for fw in FRAMEWORKS:
        try:
            with serve_framework(fw, workers, work) as served:
                targets = {
                    "bare /health": (f"{served.bare_url}/health", None, served.bare_group),
                    "/health": (f"{served.app_url}/health", None, served.app_group),
                    "/api/v1/items (JWT)": (
                        f"{served.app_url}/api/v1/items",
                        served.token,
                        served.app_group,
                    ),
                }
                for url, tok, _ in targets.values():  # warm-up: imports, pools, caches
                    run_wrk(url, min(2.0, seconds), threads, connections, tok)
                    drain(url)
                results: dict[str, list[WrkResult]] = {k: [] for k in targets}
                cpu: dict[str, list[float]] = {k: [] for k in targets}
                for _ in range(rounds):
                    for key, (url, tok, group) in targets.items():
                        before = group_cpu(group)
                        result = run_wrk(url, seconds, threads, connections, tok)
                        drain(url)  # the backlog is served (and billed) here, plus one /health
                        results[key].append(result)
                        cpu[key].append((group_cpu(group) - before) / (result.requests + 1))
                app_errors = [
                    line
                    for line in served.app_log.read_text(errors="replace").splitlines()
                    if "error" in line.lower() or "Traceback" in line
                ]
                if app_errors:
                    failures.append(f"{fw} server log: " + " / ".join(app_errors[:3])[:600])
            med = {k: median_wrk(v) for k, v in results.items()}
            med_cpu = {k: median(v) for k, v in cpu.items()}
            bare_rps = med["bare /health"].requests_per_s
            for key, res in med.items():
                ratio = res.requests_per_s / bare_rps if bare_rps else 0.0
                cpu_ratio = med_cpu["bare /health"] / med_cpu[key] if med_cpu[key] else 0.0
                ok = res.errors == 0 and (ratio >= 0.9 if key == "/health" else True)
                rows.append(
                    [
                        fw,
                        key,
                        f"{res.requests_per_s:,.0f}",
                        fmt_s(res.p50_s),
                        fmt_s(res.p99_s),
                        f"{res.socket_errors} / {res.non_2xx}",
                        f"{ratio:.2f}x",
                        f"{med_cpu[key] * 1e6:,.0f} us",
                        f"{cpu_ratio:.2f}x",
                        verdict(ok),
                    ]
                )
        except (RuntimeError, subprocess.CalledProcessError, OSError, KeyError) as error:
            detail = getattr(error, "stderr", "") or ""
            failures.append(f"{fw}: {error} {detail}".strip()[-1200:])
            rows.append([fw, "failed (see below)", "", "", "", "", "", "", "", verdict(False)])
    body = markdown_table(
        [
            "Framework",
            "Endpoint",
            "Requests/s",
            "p50",
            "p99",
            "Errors socket / non-2xx",
            "vs bare",
            "Server CPU / request",
            "vs bare (CPU)",
            "Goal met",
        ],
        rows,
    )
    body += (
        f"\n\nEach app: PostgreSQL + JWT, fresh database, migrated with compose's `migrate` "
        f"command, served by the Dockerfile `CMD` (gunicorn, the project's gunicorn.conf.py, "
        f"WEB_CONCURRENCY={workers}) on 127.0.0.1. The bare hello-world of the same framework "
        f"(`benchmarks/bare/`) runs under the same gunicorn, config, worker class, virtualenv "
        f"and worker count. `wrk -t{threads} -c{connections} -d{seconds:g}s --latency`, "
        f"{rounds} round(s) after a warm-up, interleaved; median of the rounds. The items list "
        f"holds 20 items of the signed-in user. Goal: `/health` >= 0.90x bare and 0 errors "
        f"(socket errors include wrk's 2 s timeout). wrk and the servers share the machine's "
        f"cores. Server CPU / request: user + system CPU of the server's master and workers "
        f"over a run (read from /proc) divided by the requests wrk completed; 'vs bare (CPU)' "
        f"is bare's CPU per request over this one's, the same ratio as requests/s on an idle "
        f"machine and the steadier one on a busy machine."
    )
    if failures:
        body += "\n\nFailures and server-log errors:\n" + "\n".join(f"- {f}" for f in failures)
    report.add("4. Generated-app throughput", body)


def serve_forever(fw: str, workers: int) -> int:
    """``--serve FW``: keep one framework's app and bare app up for manual load and profiling."""
    with tempfile.TemporaryDirectory(prefix="scaffold-bench-") as tmp:
        PYCACHE["warm"] = Path(tmp) / "pycache-warm"  # no __pycache__ in the checkout
        with serve_framework(fw, workers, Path(tmp)) as served:
            _serve_until_stopped(served)
    return 0


def _serve_until_stopped(served: Served) -> None:
    """Print where things are, then block until Ctrl-C or SIGTERM."""
    print(
        f"app:   {served.app_url}  (log {served.app_log})\n"
        f"bare:  {served.bare_url}  (log {served.bare_log})\n"
        f"token: {served.token}\n"
        f"e.g.   wrk -t2 -c32 -d10s --latency -H 'Authorization: Bearer {served.token}' "
        f"{served.app_url}/api/v1/items\n"
        "Ctrl-C stops both and drops the database.",
        flush=True,
    )

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    # A background job ignores SIGINT, so SIGTERM also stops (and cleans up) cleanly.
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    with contextlib.suppress(KeyboardInterrupt):
        while True:
            time.sleep(3600)


# --------------------------------------------------------------------------- 5. update


def make_large_history(origin: Path, target: Path, *, files: int, commits: int) -> None:
    """A copy of ``origin`` with ``files`` more files added over ``commits`` more commits
    (with git fast-import: thousands of ``git commit`` runs would dominate the benchmark)."""
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(origin, target, symlinks=True)
    branch = subprocess.run(
        ["git", "symbolic-ref", "HEAD"], cwd=target, capture_output=True, text=True, check=True
    ).stdout.strip()
    per_commit = files // commits
    chunks = []
    for c in range(commits):
        body = f"commit {branch}\ncommitter Bench <bench@example.com> {1700000000 + c} +0000\n"
        message = f"notes batch {c}"
        body += f"data {len(message)}\n{message}\n"
        if c == 0:
            body += f"from {branch}^0\n"
        for f in range(per_commit):
            text = f"note {c}-{f}\n" + "x" * 200 + "\n"
            body += f"M 100644 inline notes/{c:03d}/{f:02d}.md\ndata {len(text)}\n{text}"
        chunks.append(body + "\n")
    subprocess.run(
        ["git", "fast-import", "--quiet"], cwd=target, input="".join(chunks), text=True,
        check=True,
    )  # fmt: skip
    subprocess.run(["git", "reset", "--quiet", "--hard"], cwd=target, check=True)


def bench_update(report: Report, runs: int, work: Path) -> None:
    """``scaffold update`` on an unchanged project and with ``--set ci=gitlab``."""
    scaffold = venv_bin("scaffold")
    env = clean_env()
    origin = work / "upd-origin"
    result = run_timed([scaffold, "new", origin.name, "--defaults", "-o", work], env=env)
    if result.returncode:
        report.add("5. scaffold update", f"`scaffold new` failed: {result.output[-500:]}")
        return
    probe = run_timed([scaffold, "update", "--help"], env=env)
    if probe.returncode:
        report.add("5. scaffold update", "`scaffold update` is not available in this build.")
        return
    large = work / "upd-large"
    make_large_history(origin, large, files=3000, commits=300)
    big = "(3,000 more files, 300 more commits)"
    variants = {
        "`scaffold check` (unchanged)": (["check"], False, origin),
        "`scaffold update` (unchanged)": (["update"], False, origin),
        "`scaffold update --set ci=gitlab`": (["update", "--set", "ci=gitlab"], True, origin),
        "`scaffold update --set ci=gitlab --no-lock`": (
            ["update", "--set", "ci=gitlab", "--no-lock"],
            True,
            origin,
        ),
        f"`scaffold check` {big}": (["check"], False, large),
        f"`scaffold update` (unchanged) {big}": (["update"], False, large),
        f"`scaffold update --set ci=gitlab` {big}": (
            ["update", "--set", "ci=gitlab"],
            True,
            large,
        ),
    }
    times: dict[str, list[float]] = {k: [] for k in variants}
    cpu: dict[str, list[float]] = {k: [] for k in variants}
    codes: dict[str, set[int]] = {k: set() for k in variants}
    problems: set[str] = set()
    for i in range(runs + 1):
        for key, (args, fresh, source) in variants.items():
            target = source
            if fresh:  # a changed answer changes the project: start each run from a copy
                target = work / f"upd-copy-{i}"
                shutil.rmtree(target, ignore_errors=True)
                shutil.copytree(source, target, symlinks=True)
            result = run_timed([scaffold, *args, str(target)], env=env)
            codes[key].add(result.returncode)
            if fresh and result.returncode == 0 and not (target / ".gitlab-ci.yml").is_file():
                problems.add(f"{key}: exit 0 but no .gitlab-ci.yml in the project")
            elif result.returncode not in (0, 1):
                problems.add(f"{key}: exit {result.returncode}: {result.output[-300:]}")
            if i and result.returncode in (0, 1):
                times[key].append(result.seconds)
                cpu[key].append(result.cpu)
            if fresh:
                shutil.rmtree(target, ignore_errors=True)
    rows = []
    for key, values in times.items():
        rows.append(
            [
                key,
                fmt_s(median(values)) if values else "failed",
                fmt_s(median(cpu[key])) if cpu[key] else "-",
                len(values),
                ", ".join(str(c) for c in sorted(codes[key])),
            ]
        )
    body = markdown_table(["Command", "Median", "CPU", "Runs", "Exit codes"], rows)
    body += (
        "\n\nProject: `scaffold new --defaults` (FastAPI, SQLite, JWT, GitHub CI, locked, git). "
        "`check` exits 1 when the project is behind the installed templates. A changed answer "
        "is applied to a fresh copy of the project each run. The large project is the same one "
        "with 3,000 more files added over 300 more commits. CPU: user + system time of the "
        "command and its children (steadier than wall time on a busy machine). One untimed "
        "warm-up round first."
    )
    if problems:
        body += "\n\nProblems:\n" + "\n".join(f"- {p}" for p in sorted(problems))
    report.add("5. scaffold update", body)


# --------------------------------------------------------------------------- main


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="benchmarks/run.py",
        description="Benchmark scaffold and the projects it generates; writes a markdown table "
        "to benchmarks/RESULTS.md.",
    )
    parser.add_argument("--quick", action="store_true", help="fewer runs, 3 s load tests")
    parser.add_argument("--only", help=f"comma-separated sections: {','.join(SECTIONS)}")
    parser.add_argument("--runs", type=int, help="timed runs per CLI figure (default 10, quick 3)")
    parser.add_argument("--duration", type=float, help="seconds per wrk run (default 10, quick 3)")
    parser.add_argument("--workers", type=int, default=2, help="WEB_CONCURRENCY (default 2)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument("--connections", type=int, default=32, help="wrk connections (default 32)")
    parser.add_argument("--output", type=Path, default=RESULTS, help="markdown file to write")
    parser.add_argument(
        "--serve",
        choices=FRAMEWORKS,
        help="only start that framework's generated app and bare app (PostgreSQL + JWT) and "
        "print their URLs and a token, for manual wrk and py-spy runs; Ctrl-C stops",
    )
    args = parser.parse_args(argv)
    try:
        args.sections = parse_only(args.only)
    except ValueError as error:
        parser.error(str(error))
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.serve:
        return serve_forever(args.serve, args.workers)
    runs = args.runs or (3 if args.quick else 10)
    slow_runs = 1 if args.quick else 3
    duration = args.duration or (3.0 if args.quick else 10.0)
    report = Report(quick=args.quick)
    if shutil.which("wrk") is None and "throughput" in args.sections:
        print(
            "warning: wrk is not installed (Debian: apt-get install -y wrk); "
            "the throughput section will be skipped",
            file=sys.stderr,
        )
    previous = args.output.read_text() if args.output.exists() else ""
    with tempfile.TemporaryDirectory(prefix="scaffold-bench-") as tmp:
        work = Path(tmp)
        for kind in ("warm", "cold"):
            PYCACHE[kind] = work / f"pycache-{kind}"
            PYCACHE[kind].mkdir()
        for section in args.sections:
            print(f"... {section} (load {fmt_load(os.getloadavg())})", file=sys.stderr, flush=True)
            report.start_section()
            if section == "new":
                bench_new(report, runs, work)
            elif section == "startup":
                bench_startup(report, runs)
            elif section == "green":
                bench_green(report, 1 if args.quick else 2, work)
            elif section == "throughput":
                bench_throughput(
                    report, slow_runs, duration, args.workers, args.threads, args.connections, work
                )
            elif section == "update":
                bench_update(report, 2 if args.quick else 3, work)
            # Written after every section, so an interrupted run keeps what it measured.
            args.output.write_text(report.render(previous))
    print(f"wrote {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
