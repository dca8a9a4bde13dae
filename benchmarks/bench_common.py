"""What every benchmark section shares: constants, pure functions (tested), process helpers
and the RESULTS.md report. Run the benchmarks with ``benchmarks/run.py``."""

from __future__ import annotations

import contextlib
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from scaffold.smoke.fuzz import Browser
from scaffold.smoke.processes import project_env, run_command, running_server

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


# --------------------------------------------------------------------------- process helpers
# Commands and servers run through scaffold.smoke.processes, as the smoke test and the
# repository's tests run them; what is here is only what a benchmark adds (timing, CPU).


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
    code, output = run_command(
        [str(c) for c in cmd], cwd or Path.cwd(), os.environ if env is None else env, timeout
    )
    elapsed = time.perf_counter() - start
    cpu = children_cpu() - cpu_start
    return Timed(elapsed, code, "" if code == 0 else output[-2000:], cpu)


#: Where child processes keep compiled bytecode; main() points both at fresh temp dirs.
PYCACHE: dict[str, Path] = {}


def clean_env(*, cold: bool = False, **extra: str) -> dict[str, str]:
    """The environment for every child: a generated project's clean one (no venv of ours
    leaking in, no uv downloads), with the bytecode cache this measurement wants.

    Bytecode: by default children cache it in a private directory (``PYTHONPYCACHEPREFIX``),
    as an installed tool does from its second run on, even when this shell sets
    ``PYTHONDONTWRITEBYTECODE`` (which makes every run recompile every module it imports, and
    triples import times); scaffold's compiled Jinja templates likewise go to a private
    ``XDG_CACHE_HOME``. ``cold=True`` measures a first run: nothing cached, nothing reused.
    """
    env = project_env()
    for name in ("PYTHONDONTWRITEBYTECODE", "PYTHONPYCACHEPREFIX"):
        env.pop(name, None)
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


def http(
    method: str,
    url: str,
    *,
    json_body: object | None = None,
    form: Mapping[str, str] | None = None,
    token: str | None = None,
    timeout: float = 10,
) -> tuple[int, object]:
    """One HTTP request as a proxy passes it on (the smoke fuzz step's client); returns
    (status, parsed JSON body or text)."""
    headers = dict(PROXY_HEADERS)
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return Browser(headers=headers).request(
        method, url, json_body=json_body, form=form, timeout=timeout
    )


@contextlib.contextmanager
def server(
    cmd: Sequence[str], *, cwd: Path, env: Mapping[str, str], port: int, log: Path
) -> Iterator[tuple[str, int]]:
    """Start a server, wait for /health (through the proxy headers), and always stop it.

    Yields its base URL and its process group (see ``group_cpu``)."""
    with running_server(
        cmd, cwd, env, log, port=port, health_headers=PROXY_HEADERS, stop_timeout=30
    ) as started:
        yield started.base_url, started.pid


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
