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
- ``green``: time-to-green per framework, for the defaults and for redis+websockets+mqtt:
  ``scaffold new`` -> ``uv sync`` -> ``uv run pytest``
  with a warm uv cache.
- ``throughput``: each framework rendered with PostgreSQL + JWT, migrated into a fresh database,
  served by its Dockerfile CMD under gunicorn, loaded with ``wrk`` on ``/health`` and on the
  authenticated items list, next to a bare hello-world of the same framework under the same
  server, config, virtualenv and worker count (``benchmarks/bare/``); with the servers' CPU per
  request, which stays meaningful when other work shares the cores.
- ``update``: ``scaffold update`` on an unchanged project and with a changed answer.

Every figure is a median of several runs. Nothing here asserts on time: the numbers are for
people, and the tests (tests/test_benchmarks_smoke.py) only check the pure functions (in
bench_common.py).

The sections live beside this script: ``bench_common.py`` (what they share, with commands and
servers run through ``scaffold.smoke.processes``), ``bench_sections.py`` (new, startup, green,
update) and ``bench_throughput.py``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

# The sections are modules beside this script (run as a file, not a package).
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_common import (
    FRAMEWORKS,
    PYCACHE,
    RESULTS,
    SECTIONS,
    Report,
    fmt_load,
    parse_only,
)
from bench_sections import bench_green, bench_new, bench_startup, bench_update
from bench_throughput import bench_throughput, serve_forever


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
