"""The benchmark script's pure functions, and that it starts; no timing is asserted anywhere."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest

from scaffold.smoke.project_facts import exec_form_cmd
from tests.projects import REPO

SCRIPT = REPO / "benchmarks" / "run.py"


def _load():
    """``bench_common``, the module the sections share, as run.py imports it (from beside it)."""
    spec = importlib.util.spec_from_file_location("bench_run", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_run"] = module  # dataclasses resolve their module by name
    spec.loader.exec_module(module)  # puts benchmarks/ on sys.path and imports every section
    return importlib.import_module("bench_common")


bench = _load()

WRK_OUTPUT = """\
Running 10s test @ http://127.0.0.1:8001/health
  2 threads and 32 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     8.51ms    3.02ms  52.31ms   89.12%
    Req/Sec     1.89k   210.44     2.31k    71.00%
  Latency Distribution
     50%    7.93ms
     75%    9.20ms
     90%   11.02ms
     99%   1.02s
  37712 requests in 10.01s, 5.61MB read
  Socket errors: connect 0, read 2, write 0, timeout 3
  Non-2xx or 3xx responses: 7
Requests/sec:   3767.54
Transfer/sec:    573.72KB
"""


def test_parse_wrk_reads_throughput_percentiles_and_every_error() -> None:
    result = bench.parse_wrk(WRK_OUTPUT)
    assert result.requests == 37712
    assert result.requests_per_s == pytest.approx(3767.54)
    assert result.p50_s == pytest.approx(0.00793)
    assert result.p99_s == pytest.approx(1.02)
    assert result.socket_errors == 5
    assert result.non_2xx == 7
    assert result.errors == 12


def test_parse_wrk_without_errors_reports_zero() -> None:
    clean = "\n".join(
        line for line in WRK_OUTPUT.splitlines() if "errors" not in line and "Non-2xx" not in line
    )
    result = bench.parse_wrk(clean)
    assert result.errors == 0


def test_parse_wrk_refuses_output_without_latency_distribution() -> None:
    without = WRK_OUTPUT.split("  Latency Distribution")[0] + "Requests/sec: 1.0\n"
    with pytest.raises(ValueError, match="latency"):
        bench.parse_wrk(without)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("812.00us", 812e-6), ("1.53ms", 1.53e-3), ("2.01s", 2.01), ("1.00m", 60.0)],
)
def test_parse_duration_units(text: str, seconds: float) -> None:
    assert bench.parse_duration(text) == pytest.approx(seconds)


def test_parse_duration_refuses_garbage() -> None:
    with pytest.raises(ValueError):
        bench.parse_duration("fast")


def test_parse_count_suffixes() -> None:
    assert bench.parse_count("1.89k") == pytest.approx(1890)
    assert bench.parse_count("210.44") == pytest.approx(210.44)


def test_median_and_median_wrk() -> None:
    assert bench.median([3.0, 1.0, 2.0]) == 2.0
    assert bench.median([4.0, 1.0, 2.0, 3.0]) == 2.5
    with pytest.raises(ValueError):
        bench.median([])
    runs = [
        bench.WrkResult(requests=10, requests_per_s=r, p50_s=p, p99_s=p * 3, non_2xx=n)
        for r, p, n in ((100.0, 0.01, 0), (300.0, 0.03, 1), (200.0, 0.02, 0))
    ]
    merged = bench.median_wrk(runs)
    assert merged.requests_per_s == 200.0
    assert merged.p50_s == 0.02
    assert merged.p99_s == pytest.approx(0.06)
    assert merged.requests == 30
    assert merged.non_2xx == 1  # errors are summed, so one bad run is never hidden


def test_fmt_s() -> None:
    assert bench.fmt_s(0.0042) == "4.20 ms"
    assert bench.fmt_s(0.123) == "123 ms"
    assert bench.fmt_s(2.5) == "2.50 s"
    assert bench.fmt_s(15.25) == "15.2 s"


def test_markdown_table_escapes_pipes() -> None:
    table = bench.markdown_table(["a", "b"], [["x|y", 1]])
    assert table.splitlines() == ["| a | b |", "|---|---|", r"| x\|y | 1 |"]


def test_parse_only() -> None:
    assert bench.parse_only(None) == list(bench.SECTIONS)
    assert bench.parse_only("update,new") == ["new", "update"]
    with pytest.raises(ValueError, match="bogus"):
        bench.parse_only("new,bogus")


def test_dockerfile_cmd_takes_the_last_exec_form_cmd() -> None:
    dockerfile = (
        'FROM x AS build\nCMD ["a"]\nFROM y\nHEALTHCHECK CMD ["x"]\nCMD ["gunicorn", "m:app"]\n'
    )
    assert exec_form_cmd(dockerfile) == ["gunicorn", "m:app"]
    with pytest.raises(ValueError):
        exec_form_cmd("FROM x\nCMD gunicorn app\n")


def test_split_previous_keeps_sections_not_rerun_and_the_findings() -> None:
    previous = (
        "# Benchmark results\n\nmachine\n\n## 1. New\n\nold one\n\n## 2. Start-up\n\nold two\n\n"
        "## What we found\n\nhand-written\n"
    )
    kept, findings = bench.split_previous(previous, ["## 2. Start-up\n\nnew two\n"])
    assert kept == ["## 1. New\n\nold one\n"]
    assert findings.startswith("\n## What we found")
    assert "hand-written" in findings


def test_help_runs() -> None:
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), "--help"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert "--only" in proc.stdout
    assert "RESULTS.md" in proc.stdout


def test_unknown_section_is_a_usage_error(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), "--only", "nope", "--output", str(tmp_path / "r.md")],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert proc.returncode == 2
    assert "nope" in proc.stderr
    assert not (tmp_path / "r.md").exists()


def test_render_skips_copier_git_index_sync_but_keeps_modes_and_restores_copier(
    tmp_path: Path,
) -> None:
    """The speed-up in scaffold.render (no per-file ``git config``) changes nothing rendered."""
    from copier._main import Worker

    from scaffold.render import render_tree

    before = Worker.__dict__["_sync_git_index_executable_bit"]
    answers = {"project_name": "modes", "framework": "django"}
    render_tree(answers, tmp_path / "modes")
    manage = tmp_path / "modes" / "manage.py"
    assert manage.stat().st_mode & 0o111, "manage.py lost its executable bit"
    assert not (tmp_path / "modes" / "pyproject.toml").stat().st_mode & 0o111
    assert Worker.__dict__["_sync_git_index_executable_bit"] is before


def test_update_large_finds_every_helper_it_uses() -> None:
    """benchmarks/update_large.py runs on its own, so nothing else notices when a helper it
    borrows moves (it broke once when run.py was split); every ``bench.NAME`` must exist."""
    path = REPO / "benchmarks" / "update_large.py"
    spec = importlib.util.spec_from_file_location("update_large", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    used = set(re.findall(r"\bbench\.([A-Za-z_]+)", path.read_text()))
    assert used, "update_large.py no longer uses the shared helpers"
    assert sorted(name for name in used if not hasattr(module.bench, name)) == []
    assert callable(module.make_large_history)
