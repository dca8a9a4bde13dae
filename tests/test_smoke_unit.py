"""Fast tests of ``scaffold smoke`` itself: selection, covering array, reporting, exit codes.

The slow proof (every step on real projects) is tests/test_matrix.py; these check the machinery
that decides what runs and how a result is reported, so a bug there cannot turn a broken
combination into a green run.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from itertools import product
from pathlib import Path

import pytest

from scaffold import catalogue, pairwise, smoke
from scaffold.smoke import command
from tests.projects import REPO, TEMPLATES, service_url


def all_pairs(combos: list[dict[str, str]], keys: tuple[str, ...]) -> set[pairwise.Pair]:
    return set().union(*(pairwise.pairs(c, keys) for c in combos))


# --------------------------------------------------------------------------- covering array


def test_pairwise_covers_every_pair_and_every_triple_of_the_catalogue() -> None:
    valid = catalogue.combinations()
    rows = smoke.select("pairwise")
    keys = catalogue.MATRIX_KEYS
    assert all_pairs(rows, keys) == all_pairs(valid, keys)
    full = [k for k in smoke.FULL_KEYS if k in keys]
    triples = {pairwise.projection(c, full) for c in valid}
    assert {pairwise.projection(r, full) for r in rows} == triples
    # Extras are spread over the rows (tests/test_pairwise_extras.py); the matrix part of each
    # row must be a valid combination.
    assert all({k: row[k] for k in keys} in valid for row in rows)
    assert len({smoke.combo_id(r) for r in rows}) == len(rows)
    assert len(rows) < len(valid)


def test_pairwise_is_deterministic_and_in_catalogue_order() -> None:
    first, second = smoke.select("pairwise"), smoke.select("pairwise")
    assert first == second
    keys = catalogue.MATRIX_KEYS
    order = [smoke.combo_id(c) for c in catalogue.combinations()]
    positions = [order.index(smoke.combo_id({k: c[k] for k in keys})) for c in first]
    assert positions == sorted(positions)


def test_covering_array_on_a_larger_catalogue_with_forbidden_combinations() -> None:
    """New options, choices and rules just work: coverage holds on a made-up bigger matrix."""
    values = {"a": "0123", "b": "xyz", "c": "pq", "d": "klmno"}
    keys = tuple(values)

    def forbidden(c: dict[str, str]) -> bool:
        return (c["a"] == "3" and c["b"] == "z") or (c["c"] == "q" and c["d"] in "no")

    candidates = [
        combo
        for combo in (dict(zip(keys, vs, strict=True)) for vs in product(*values.values()))
        if not forbidden(combo)
    ]
    rows = pairwise.covering_array(candidates, keys, full=("a", "b"))
    assert all_pairs(rows, keys) == all_pairs(candidates, keys)
    assert (("a", "3"), ("b", "z")) not in all_pairs(rows, keys)
    assert {(r["a"], r["b"]) for r in rows} == {(c["a"], c["b"]) for c in candidates}
    assert not any(forbidden(r) for r in rows)
    plain = pairwise.covering_array(candidates, keys)
    assert all_pairs(plain, keys) == all_pairs(candidates, keys)
    assert len(plain) < len(candidates) / 4


def test_covering_array_of_nothing_is_empty() -> None:
    assert pairwise.covering_array([], ("a", "b")) == []


# --------------------------------------------------------------------------- selection


def test_all_is_the_catalogue_and_default_is_the_defaults() -> None:
    assert smoke.select("all") == catalogue.combinations()
    defaults = catalogue.defaults()
    frameworks = catalogue.OPTIONS_BY_KEY["framework"].values
    assert smoke.select("default") == [
        {**{k: defaults[k] for k in catalogue.MATRIX_KEYS}, "framework": framework}
        for framework in frameworks
    ], "each framework's default project, the catalogue's default first"
    assert smoke.select("default")[0]["framework"] == defaults["framework"]


def test_filters_restrict_every_selection() -> None:
    filters = smoke.parse_filters({"framework": ["django"], "database": ["mysql,sqlite"]})
    assert filters == {"framework": ("django",), "database": ("mysql", "sqlite")}
    every = smoke.select("all", filters)
    assert every
    assert {c["framework"] for c in every} == {"django"}
    assert {c["database"] for c in every} == {"mysql", "sqlite"}
    assert every == [
        c
        for c in catalogue.combinations()
        if c["framework"] == "django" and c["database"] in ("mysql", "sqlite")
    ]
    default = smoke.select("default", filters)
    assert [(c["framework"], c["database"]) for c in default] == [
        ("django", "sqlite"),
        ("django", "mysql"),
    ]
    assert all(c["auth"] == catalogue.defaults()["auth"] for c in default)
    rows = smoke.select("pairwise", filters)
    assert all_pairs(rows, catalogue.MATRIX_KEYS) == all_pairs(every, catalogue.MATRIX_KEYS)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"framework": ["rails"]}, "'rails' is not a choice of framework"),
        ({"project_name": ["x"]}, "project_name is not a matrix option"),
    ],
)
def test_bad_filters_are_refused_naming_the_choices(
    raw: dict[str, list[str]], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        smoke.parse_filters(raw)


def test_extras_join_every_combination_and_the_rules_still_apply() -> None:
    option = smoke.extras_option()
    assert option is not None and "kubernetes" in option.values
    rows = smoke.select("all", extras=smoke.parse_extras(["kubernetes,metrics"]))
    assert rows
    assert all(row[option.key] == "kubernetes,metrics" for row in rows)
    assert all(row["database"] != "sqlite" for row in rows), "Kubernetes on SQLite is forbidden"
    assert all(smoke.combo_id(row).endswith("+kubernetes+metrics") for row in rows)
    base = catalogue.defaults()
    valid = [
        c
        for c in catalogue.combinations()
        if not catalogue.violations({**base, **c, option.key: ["kubernetes", "metrics"]})
    ]
    assert len(rows) == len(valid)
    assert smoke.select("default", extras=("worker",)) == [], "worker needs redis"
    with pytest.raises(ValueError, match="'foo' is not an extra"):
        smoke.parse_extras(["foo"])


def test_work_directories_are_plain_names() -> None:
    combo = {**smoke.select("default")[0], "extras": "redis,metrics"}
    assert smoke.combo_id(combo) == "fastapi-sqlite-jwt-github+redis+metrics"
    assert smoke.dir_name(combo) == "fastapi-sqlite-jwt-github_with_redis_metrics"


def test_unknown_selection_and_step_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown selection"):
        smoke.select("most")
    with pytest.raises(ValueError, match="unknown steps"):
        smoke.with_needs(["lint"])


def test_a_step_brings_the_steps_it_needs() -> None:
    assert smoke.with_needs(["pytest"]) == ("render", "sync", "pytest")
    assert smoke.with_needs(["checks", "render"]) == ("render", "sync", "checks")
    assert smoke.with_needs(["render"]) == ("render",)


def test_every_matrix_option_has_a_filter_flag() -> None:
    params = {p.name for p in command._filter_params()}
    assert params == set(catalogue.MATRIX_KEYS)


# --------------------------------------------------------------------------- report


def make_report() -> smoke.Report:
    good = smoke.ComboResult(
        {"framework": "fastapi", "database": "sqlite", "auth": "jwt", "ci": "github"},
        [smoke.StepResult(name, smoke.PASSED, 1.0, "fine") for name in smoke.STEPS],
    )
    bad = smoke.ComboResult(
        {"framework": "flask", "database": "mysql", "auth": "none", "ci": "none"},
        [
            smoke.StepResult("render", smoke.PASSED, 2.0),
            smoke.StepResult("sync", smoke.FAILED, 3.0, "x" * 10_000 + "resolution failed"),
            smoke.StepResult("pytest", smoke.NOT_RUN, reason="sync failed"),
        ],
    )
    skipped = smoke.ComboResult(
        {"framework": "django", "database": "postgresql", "auth": "session", "ci": "gitlab"},
        [
            smoke.StepResult("render", smoke.PASSED, 2.0),
            smoke.StepResult(
                "pytest",
                smoke.NOT_RUN,
                reason="SCAFFOLD_TEST_POSTGRES_URL is not set",
                missing="SCAFFOLD_TEST_POSTGRES_URL",
            ),
        ],
    )
    return smoke.Report("pairwise", {}, [good, bad, skipped], jobs=2, wall_seconds=12.5)


def test_report_statuses_counts_and_exit_code() -> None:
    report = make_report()
    good, bad, skipped = report.results
    assert (good.status, bad.status, skipped.status) == (smoke.PASSED, smoke.FAILED, smoke.NOT_RUN)
    assert skipped.missing_services == ["SCAFFOLD_TEST_POSTGRES_URL"]
    assert report.counts() == {smoke.PASSED: 1, smoke.FAILED: 1, smoke.NOT_RUN: 1}
    assert report.step_counts()["pytest"] == {smoke.PASSED: 1, smoke.FAILED: 0, smoke.NOT_RUN: 2}
    assert report.exit_code == 1
    report.results.remove(bad)
    assert report.exit_code == 0, "NOT RUN is not a failure (but is never counted as passed)"


def test_report_json_keeps_the_failing_output_tail_only() -> None:
    data = json.loads(json.dumps(make_report().to_json()))
    assert data["valid_combinations"] == len(catalogue.combinations())
    assert data["selected"] == 3
    assert data["counts"] == {"passed": 1, "failed": 1, "not run": 1}
    bad = data["combinations"][1]
    assert bad["id"] == "flask-mysql-none-none"
    assert bad["answers"]["database"] == "mysql"
    sync = bad["steps"][1]
    assert sync["status"] == "failed"
    assert sync["output"].endswith("resolution failed")
    assert len(sync["output"]) == smoke.TAIL_CHARS
    assert "output" not in data["combinations"][0]["steps"][0]
    pytest_step = data["combinations"][2]["steps"][1]
    assert pytest_step == {
        "name": "pytest",
        "status": "not run",
        "seconds": 0.0,
        "reason": "SCAFFOLD_TEST_POSTGRES_URL is not set",
        "missing": "SCAFFOLD_TEST_POSTGRES_URL",
    }


def test_summary_table_marks_each_step(capsys: pytest.CaptureFixture[str]) -> None:
    from rich.console import Console

    smoke.print_summary(make_report(), Console(width=200, force_terminal=False))
    out = capsys.readouterr().out
    assert "fastapi-sqlite-jwt-github" in out
    assert "✗ 3.0s" in out
    assert "not run" in out
    assert "flask-mysql-none-none: sync failed" in out
    assert out.rstrip().endswith("with 2 jobs")
    assert "1 passed, 1 failed, 1 not fully run" in out


# --------------------------------------------------------------------------- project facts


def test_project_facts_are_read_from_readme_dockerfile_compose_and_dotenv(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text(
        "# x\n\n```bash\n\nuv run fastapi dev src/x/main.py   # installs and serves\n"
        "uv run pytest\n```\n"
    )
    (tmp_path / "Dockerfile").write_text(
        "FROM python:3.11-slim\nHEALTHCHECK --interval=30s \\\n"
        '    CMD ["python", "-c", "print(1)"]\n'
        'CMD ["gunicorn", "x.main:app", "--worker-class", "uvicorn_worker.UvicornWorker"]\n'
    )
    (tmp_path / "compose.yaml").write_text(
        textwrap.dedent(
            """\
            x-app: &app
              build: .
            services:
              migrate:
                <<: *app
                command: ["alembic", "upgrade", "head"]
            """
        )
    )
    (tmp_path / ".env.example").write_text(
        "# comment\nAPP_ENV=production\nSECRET_KEY=\nCORS_ORIGINS=\nWEB_CONCURRENCY=2\n"
    )
    (tmp_path / ".env").write_text("SECRET_KEY='abc'\n# DATABASE_URL=\n")
    assert smoke.readme_dev_command(tmp_path) == ["fastapi", "dev", "src/x/main.py"]
    assert smoke.dockerfile_cmd(tmp_path)[:2] == ["gunicorn", "x.main:app"]
    assert smoke.migrate_command(tmp_path) == ["alembic", "upgrade", "head"]
    assert smoke.production_env(tmp_path) == {
        "APP_ENV": "production",
        "WEB_CONCURRENCY": "2",
        "SECRET_KEY": "abc",
    }


def test_missing_or_malformed_project_facts_are_errors(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"README\.md is missing"):
        smoke.readme_dev_command(tmp_path)
    (tmp_path / "README.md").write_text("```\npython manage.py runserver\n```\n")
    with pytest.raises(ValueError, match="not `uv run <command>`"):
        smoke.readme_dev_command(tmp_path)
    (tmp_path / "Dockerfile").write_text("FROM x\nCMD gunicorn app\n")
    with pytest.raises(ValueError, match="exec-form"):
        smoke.dockerfile_cmd(tmp_path)
    (tmp_path / "compose.yaml").write_text("services:\n  app:\n    build: .\n")
    with pytest.raises(ValueError, match="no migrate service"):
        smoke.migrate_command(tmp_path)


# --------------------------------------------------------------------------- servers

HEALTH_SERVER = textwrap.dedent(
    """\
    import os, signal, sys
    from http.server import BaseHTTPRequestHandler, HTTPServer

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200 if self.path == "/health" else 404)
            self.end_headers()

    if sys.argv[1] == "stubborn":
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
    HTTPServer((os.environ["HOST"], int(os.environ["PORT"])), Handler).serve_forever()
    """
)


@pytest.fixture
def server_script(tmp_path: Path) -> Path:
    script = tmp_path / "server.py"
    script.write_text(HEALTH_SERVER)
    return script


def test_a_server_that_answers_health_and_stops_on_sigterm_passes(
    tmp_path: Path, server_script: Path
) -> None:
    ok, output = smoke.serve_until_healthy(
        [sys.executable, str(server_script), "polite"],
        tmp_path,
        dict(os.environ),
        tmp_path / "log",
        timeout=30,
    )
    assert ok, output
    assert '"GET /health HTTP/1.1" 200' in output


def test_a_server_that_ignores_sigterm_fails(tmp_path: Path, server_script: Path) -> None:
    ok, output = smoke.serve_until_healthy(
        [sys.executable, str(server_script), "stubborn"],
        tmp_path,
        dict(os.environ),
        tmp_path / "log",
        timeout=30,
        stop_timeout=1,
    )
    assert not ok
    assert "after SIGTERM; killed" in output


def test_a_server_that_exits_fails_with_its_output(tmp_path: Path) -> None:
    ok, output = smoke.serve_until_healthy(
        [sys.executable, "-c", "raise SystemExit('SECRET_KEY must be set')"],
        tmp_path,
        dict(os.environ),
        tmp_path / "log",
        timeout=30,
    )
    assert not ok
    assert "SECRET_KEY must be set" in output
    assert "exited with code 1 before /health was 200" in output


def test_a_command_that_hangs_is_killed_at_its_timeout(tmp_path: Path) -> None:
    code, output = smoke.run_command(
        [sys.executable, "-c", "import time; print('started', flush=True); time.sleep(60)"],
        tmp_path,
        dict(os.environ),
        timeout=1,
    )
    assert code == 124
    assert "started" in output
    assert "timed out" in output


# --------------------------------------------------------------------------- databases


@pytest.mark.parametrize("kind", ["postgresql", "mysql"])
def test_scratch_databases_are_created_fresh_and_dropped(kind: str) -> None:
    url = service_url(kind)
    db = smoke.ScratchDatabase(kind, url, smoke.scratch_name(smoke.select("default")[0], "unit"))
    assert db.url.endswith(f"/{db.name}")
    assert len(db.name) <= 63
    db.create()
    try:
        with pytest.raises(smoke.DatabaseError, match="failed"):
            db.create()  # it exists now: creating it again must fail, not silently reuse it
    finally:
        db.drop()
    db.create()  # dropped for real: the name is free again
    db.drop()


# --------------------------------------------------------------------------- real runs


def scaffold_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "scaffold", *args]


def smoke_fastapi_default(
    report: Path, steps: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``scaffold smoke`` on FastAPI's default project, ``steps`` only, the report in ``report``."""
    return subprocess.run(
        scaffold_cmd(
            "smoke",
            "--select",
            "default",
            "--framework",
            "fastapi",
            "--steps",
            steps,
            "--report",
            str(report),
        ),
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        check=False,
    )


def test_not_run_when_the_database_url_is_unset(tmp_path: Path) -> None:
    """A PostgreSQL combination without SCAFFOLD_TEST_POSTGRES_URL is NOT RUN, never passed."""
    combo = smoke.select("default", {"database": ("postgresql",)})[0]
    result = smoke.run_combination(
        combo,
        tmp_path / "run",
        services=smoke.Services.from_env({}),
        steps=("render", "pytest", "prod"),
    )
    assert [s.name for s in result.steps] == ["render", "sync", "pytest", "prod"]
    assert result.step("render").status == smoke.PASSED, result.step("render").output
    for name in ("pytest", "prod"):
        step = result.step(name)
        assert step.status == smoke.NOT_RUN
        assert step.missing == "SCAFFOLD_TEST_POSTGRES_URL"
    assert result.status == smoke.NOT_RUN
    assert result.missing_services == ["SCAFFOLD_TEST_POSTGRES_URL"]


def test_list_prints_the_selection() -> None:
    proc = subprocess.run(
        scaffold_cmd("smoke", "--list", "--select", "pairwise", "--framework", "flask"),
        capture_output=True,
        text=True,
        check=True,
    )
    expected = [smoke.combo_id(c) for c in smoke.select("pairwise", {"framework": ("flask",)})]
    assert proc.stdout.split() == expected


def test_exit_code_and_report_when_a_step_fails(tmp_path: Path) -> None:
    """A template that cannot render makes the run exit 1, with the error in the report."""
    broken = tmp_path / "templates"
    shutil.copytree(TEMPLATES, broken)
    (broken / "_shared" / "README.md.jinja").write_text("{% if %}broken\n")
    report = tmp_path / "report.json"
    env = {**os.environ, "SCAFFOLD_TEMPLATES": str(broken)}
    proc = smoke_fastapi_default(report, "render", env=env)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    data = json.loads(report.read_text())
    (combo,) = data["combinations"]
    assert combo["status"] == "failed"
    assert combo["steps"][0]["name"] == "render"
    assert combo["steps"][0]["status"] == "failed"
    assert "TemplateSyntaxError" in combo["steps"][0]["output"]
    assert "render failed" in proc.stdout
    assert "0 passed, 1 failed" in proc.stdout


def test_exit_code_zero_when_every_step_passes(tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    proc = smoke_fastapi_default(report, "render")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    data = json.loads(report.read_text())
    assert data["counts"] == {"passed": 1, "failed": 0, "not run": 0}
    assert data["combinations"][0]["path"] is None, "without --keep the projects are removed"


# --------------------------------------------------------------------------- CI


def test_ci_shards_split_the_full_matrix_exactly() -> None:
    shards = smoke.shards()
    seen: list[str] = []
    for shard in shards:
        words = shard["args"].split()
        pairs = zip(words[::2], words[1::2], strict=True)
        raw = {flag.lstrip("-"): [value] for flag, value in pairs}
        seen += [smoke.combo_id(c) for c in smoke.select("all", smoke.parse_filters(raw))]
    assert sorted(seen) == sorted(smoke.combo_id(c) for c in catalogue.combinations())
    assert len(shards) == len({s["name"] for s in shards})


def test_templates_workflow_is_valid_and_read_only() -> None:
    import yaml

    workflow = REPO / ".github" / "workflows" / "templates.yml"
    proc = subprocess.run(
        [
            smoke.tool("check-jsonschema") or "check-jsonschema",
            "--builtin-schema",
            "vendor.github-workflows",
            str(workflow),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    data = yaml.safe_load(workflow.read_text())
    assert data["permissions"] == {"contents": "read"}
    services = data["jobs"]["smoke"]["services"]
    assert {"postgres", "mariadb", "redis", "mongo"} <= set(services)
    env = data["jobs"]["smoke"]["env"]
    assert set(smoke.SERVICE_ENV.values()) <= set(env)
    assert "smoke.shards()" in workflow.read_text()


def test_the_redis_extra_needs_the_redis_url(tmp_path: Path) -> None:
    combo = smoke.select("default", extras=("redis",))[0]
    assert combo["database"] == "sqlite"
    result = smoke.run_combination(
        combo, tmp_path / "run", services=smoke.Services.from_env({}), steps=("pytest",)
    )
    assert result.step("render").status == smoke.PASSED, result.step("render").output
    step = result.step("pytest")
    assert (step.status, step.missing) == (smoke.NOT_RUN, "SCAFFOLD_TEST_REDIS_URL")


def test_mongodb_steps_that_need_the_server_are_not_run_without_its_url(tmp_path: Path) -> None:
    combo = {**smoke.select("default")[0], "database": "mongodb"}
    result = smoke.run_combination(
        combo,
        tmp_path / "run",
        services=smoke.Services.from_env({}),
        steps=("render", "pytest", "dev", "prod"),
    )
    assert result.step("render").status == smoke.PASSED, result.step("render").output
    for name in ("pytest", "dev", "prod"):
        step = result.step(name)
        assert (step.status, step.missing) == (smoke.NOT_RUN, "SCAFFOLD_TEST_MONGODB_URL")
    assert result.missing_services == ["SCAFFOLD_TEST_MONGODB_URL"]


@pytest.mark.parametrize("framework", ["fastapi", "flask", "django"])
def test_production_steps_train_the_model_as_the_image_build_does(
    framework: str, tmp_path: Path
) -> None:
    # The checks step imported Flask's and Django's app as production does, before anything
    # had trained the ml extra's model: "model file models/model.skops not found".
    from scaffold import render
    from scaffold.smoke.project_facts import build_stage_training

    answers = {**catalogue.defaults(), "framework": framework, "extras": ["ml"]}
    render.render_tree(answers, tmp_path / "ml")
    assert build_stage_training(tmp_path / "ml") == [
        *("python", "-m", "myapi.train", "--output", "models/model.skops")
    ]
    render.render_tree({**answers, "extras": []}, tmp_path / "plain")
    assert build_stage_training(tmp_path / "plain") is None
