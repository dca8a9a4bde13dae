"""Benchmark sections 1, 2, 3 and 5: ``scaffold new`` against ``copier copy``, start-up, time
to green and ``scaffold update`` (the throughput section is in ``bench_throughput.py``)."""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

from bench_common import (
    FRAMEWORKS,
    TEMPLATES,
    Report,
    clean_env,
    fmt_s,
    markdown_table,
    median,
    run_timed,
    venv_bin,
    verdict,
)

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


# Each kind of project timed: its label, the extras `scaffold new` gets, the services its tests
# need (from the same variables the repository's own tests read) and the goal its issue set.
GREEN_KINDS: tuple[tuple[str, tuple[str, ...], dict[str, str], float], ...] = (
    ("defaults", (), {}, 20.0),
    (
        "redis+websockets+mqtt",
        ("redis", "websockets", "mqtt"),
        {
            "REDIS_URL": os.environ.get("SCAFFOLD_TEST_REDIS_URL", "redis://127.0.0.1:6379/0"),
            "MQTT_URL": os.environ.get("SCAFFOLD_TEST_MQTT_URL", "mqtt://127.0.0.1:1883"),
        },
        30.0,
    ),
)


def bench_green(report: Report, runs: int, work: Path) -> None:
    """``scaffold new`` -> ``uv sync`` -> ``uv run pytest`` per framework and kind, warm uv cache.

    The project's own steps run as a user's would: Python caches bytecode next to the sources
    (no private cache directory), so the first ``pytest`` compiles what the new venv imports.
    """
    scaffold = venv_bin("scaffold")
    stages: dict[tuple[str, str], dict[str, list[float]]] = {
        (kind, fw): {"new": [], "sync": [], "pytest": [], "total": []}
        for kind, *_ in GREEN_KINDS
        for fw in FRAMEWORKS
    }
    failures: list[str] = []
    for i in range(runs + 1):  # run 0 warms the uv cache for every framework; not counted
        for kind, extras, services, _goal in GREEN_KINDS:
            for fw in FRAMEWORKS:
                name = f"green-{fw}-{len(extras)}-{i}"
                project = work / name
                with_extras = [arg for extra in extras for arg in ("--with", extra)]
                new = [scaffold, "new", name, "--defaults", "-f", fw, *with_extras, "-o", work]
                steps = [
                    ("new", new, work, clean_env()),
                    ("sync", ["uv", "sync", "--quiet"], project, user_env(services)),
                    (
                        "pytest",
                        ["uv", "run", "pytest", "-q", "-p", "no:cacheprovider"],
                        project,
                        user_env(services),
                    ),
                ]
                total, ok = 0.0, True
                for stage, cmd, cwd, env in steps:
                    result = run_timed(cmd, cwd=cwd, env=env)
                    if result.returncode:
                        failures.append(
                            f"{kind} {fw} {stage}: exit {result.returncode}: {result.output[-400:]}"
                        )
                        ok = False
                        break
                    total += result.seconds
                    if i:
                        stages[kind, fw][stage].append(result.seconds)
                if ok and i:
                    stages[kind, fw]["total"].append(total)
                shutil.rmtree(project, ignore_errors=True)
    rows = []
    for kind, _extras, _services, goal in GREEN_KINDS:
        for fw in FRAMEWORKS:
            values = stages[kind, fw]
            if not values["total"]:
                rows.append([fw, kind, "failed", "", "", "", f"< {goal:.0f} s", verdict(False)])
                continue
            med = {k: median(v) for k, v in values.items()}
            rows.append(
                [
                    fw,
                    kind,
                    fmt_s(med["new"]),
                    fmt_s(med["sync"]),
                    fmt_s(med["pytest"]),
                    fmt_s(med["total"]),
                    f"< {goal:.0f} s",
                    verdict(med["total"] < goal),
                ]
            )
    header = ["Framework", "Project", "scaffold new", "uv sync", "uv run pytest", "Total"]
    body = markdown_table([*header, "Goal", "Met"], rows)
    body += (
        f"\n\nDefaults: SQLite, JWT, GitHub CI; the second kind adds `--with redis --with "
        f"websockets --with mqtt` and runs its tests on the real Redis and Mosquitto. `scaffold "
        f"new` includes `uv lock` and `git init`. {runs} timed run(s) per row after one warm-up "
        f"run; each run is a new project, so its first `pytest` compiles what it imports."
    )
    if failures:
        body += "\n\nFailures:\n" + "\n".join(f"- {f}" for f in failures)
    report.add("3. Time to green (new -> uv sync -> uv run pytest)", body)


def user_env(services: dict[str, str]) -> dict[str, str]:
    """A user's shell in the project: no private bytecode cache, the services it was given."""
    env = clean_env(**services)
    for name in ("PYTHONDONTWRITEBYTECODE", "PYTHONPYCACHEPREFIX"):
        env.pop(name, None)
    return env


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
