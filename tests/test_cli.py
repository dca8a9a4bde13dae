"""`scaffold new` and `scaffold options`, through typer's CliRunner and real subprocesses."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from scaffold.catalogue import OPTIONS
from scaffold.cli import app
from tests.projects import REPO, TEMPLATES

runner = CliRunner()


def scaffold(*args: str, cwd: Path | None = None, **kwargs: object) -> subprocess.CompletedProcess:
    """Run the real command in a subprocess with no terminal on stdin."""
    return subprocess.run(
        [sys.executable, "-m", "scaffold", *args],
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        **kwargs,  # type: ignore[arg-type]
    )


def answers_of(project: Path) -> dict[str, object]:
    return yaml.safe_load((project / ".scaffold-answers.yml").read_text(encoding="utf-8"))


def test_new_with_flags_renders_commits_and_marks_the_pristine_baseline(tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        ["new", "my-api", "-y", "--no-lock", "-o", str(tmp_path), "-f", "flask", "--ci", "gitlab"],
    )
    assert result.exit_code == 0, result.output
    project = tmp_path / "my-api"
    answers = answers_of(project)
    assert answers["framework"] == "flask"
    assert answers["ci"] == "gitlab"
    assert answers["project_name"] == "my-api"
    assert "secret_key" not in answers
    assert (project / ".gitlab-ci.yml").is_file()
    assert not (project / ".github").exists()
    log = subprocess.run(
        ["git", "log", "--format=%s", "main"], cwd=project, capture_output=True, text=True
    )
    assert log.stdout.startswith("Initial commit from scaffold")
    branches = subprocess.run(
        ["git", "branch", "--format=%(refname:short)"], cwd=project, capture_output=True, text=True
    ).stdout.split()
    assert "scaffold/pristine" in branches
    status = subprocess.run(
        ["git", "status", "--porcelain"], cwd=project, capture_output=True, text=True
    )
    assert status.stdout == "", "the initial commit must leave a clean tree (.env ignored)"
    assert "uv run pytest" in result.output
    assert not list(tmp_path.glob(".scaffold-tmp-*"))


def test_secret_key_is_random_and_only_in_the_ignored_env_file(tmp_path: Path) -> None:
    for name in ("one", "two"):
        result = runner.invoke(app, ["new", name, "-y", "--no-lock", "-o", str(tmp_path)])
        assert result.exit_code == 0, result.output
    keys = []
    for name in ("one", "two"):
        env = (tmp_path / name / ".env").read_text(encoding="utf-8")
        key = next(
            line.split("=", 1)[1] for line in env.splitlines() if line.startswith("SECRET_KEY=")
        )
        assert len(key) >= 40
        keys.append(key)
        tracked = subprocess.run(
            ["git", "grep", "-l", key], cwd=tmp_path / name, capture_output=True, text=True
        )
        assert tracked.stdout == "", f"secret committed in {tracked.stdout}"
    assert keys[0] != keys[1]


def test_dry_run_lists_files_and_writes_nothing(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["new", "preview", "-y", "--dry-run", "--json", "-o", str(tmp_path), "-a", "none"]
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert "Dockerfile" in payload["files"]
    assert ".scaffold-answers.yml" in payload["files"]
    assert payload["answers"]["auth"] == "none"
    assert list(tmp_path.iterdir()) == []


def test_json_summary_reports_sources_and_next_steps(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["new", "api", "--json", "--no-lock", "--no-git", "-o", str(tmp_path), "-d", "mysql"]
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["answers"]["database"] == "mysql"
    assert payload["sources"]["database"] == "flag"
    assert payload["sources"]["framework"] == "default"
    assert payload["next_steps"][-1] == "uv run pytest"
    assert payload["git"] is False
    assert not (tmp_path / "api" / ".git").exists()


@pytest.mark.parametrize("framework", ["fastapi", "flask"])
def test_mongodb_next_steps_start_the_server_first(tmp_path: Path, framework: str) -> None:
    """The app cannot start without its MongoDB: the steps say how to start one, as the README."""
    args = ["new", "api", "--json", "--no-lock", "--no-git", "-o", str(tmp_path)]
    result = runner.invoke(app, [*args, "-f", framework, "-d", "mongodb"])
    assert result.exit_code == 0, result.output
    steps = json.loads(result.stdout)["next_steps"]
    assert steps[1:] == ["docker compose up -d mongo", "uv run dev", "uv run pytest"]
    readme = (tmp_path / "api" / "README.md").read_text(encoding="utf-8")
    assert "`docker compose up -d mongo`" in readme


def test_sqlite_next_steps_need_no_server(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["new", "api", "--json", "--no-lock", "--no-git", "-o", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["next_steps"][1:] == ["uv run dev", "uv run pytest"]


def test_no_tty_never_waits_and_says_which_answers_are_defaults(tmp_path: Path) -> None:
    proc = scaffold("new", "quiet", "--no-lock", "--no-git", "-o", str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    assert "(default)" in proc.stdout
    assert (tmp_path / "quiet" / "pyproject.toml").is_file()


def test_answers_file_replays_a_previous_project(tmp_path: Path) -> None:
    first = runner.invoke(
        app,
        ["new", "first", "-y", "--no-lock", "--no-git", "-o", str(tmp_path), "-f", "django",
         "-d", "postgresql", "-a", "session", "--ci", "none", "--description", "Replayed."],
    )  # fmt: skip
    assert first.exit_code == 0, first.output
    replay = runner.invoke(
        app,
        ["new", "second", "-y", "--no-lock", "--no-git", "-o", str(tmp_path),
         "--answers-file", str(tmp_path / "first" / ".scaffold-answers.yml")],
    )  # fmt: skip
    assert replay.exit_code == 0, replay.output
    a, b = answers_of(tmp_path / "first"), answers_of(tmp_path / "second")
    assert b["project_name"] == "second"
    for key in ("framework", "database", "auth", "ci", "description"):
        assert a[key] == b[key], key


def test_set_answers_any_option(tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        ["new", "viaset", "-y", "--no-lock", "--no-git", "-o", str(tmp_path),
         "--set", "framework=flask", "--set", "python_version=3.12"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert answers_of(tmp_path / "viaset")["python_version"] == "3.12"


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["../evil"], "is a path"),
        (["/abs/path"], "is a path"),
        (["9lives"], "digit"),
        (["class"], "keyword"),
        (["django"], "shadow"),
        (["site"], "shadow"),
        (["bad name"], "not a valid project name"),
        (["ok", "-f", "rails"], "valid choices: fastapi, flask, django"),
        (["ok", "--set", "colour=red"], "unknown option 'colour'"),
        (["ok", "--set", "auth"], "KEY=VALUE"),
        (["ok", "--set", "auth=ldap"], "valid choices: none, session, jwt"),
        (["ok", "--author-email", "nobody"], "email"),
        (["ok", "--answers-file", "/nonexistent/answers.yml"], "cannot read answers file"),
    ],
)
def test_bad_input_is_one_line_exit_2_and_writes_nothing(
    tmp_path: Path, args: list[str], fragment: str
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    proc = scaffold("new", *args, "-y", "--no-lock", "-o", str(out))
    assert proc.returncode == 2, proc.stdout + proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert fragment in lines[0]
    assert lines[0].startswith("error: ")
    assert list(out.iterdir()) == []


def test_existing_non_empty_directory_is_refused_and_left_alone(tmp_path: Path) -> None:
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "notes.txt").write_text("mine", encoding="utf-8")
    proc = scaffold("new", "taken", "-y", "--no-lock", "-o", str(tmp_path))
    assert proc.returncode == 2
    assert "already exists and is not empty" in proc.stderr
    assert [p.name for p in (tmp_path / "taken").iterdir()] == ["notes.txt"]


def test_existing_empty_directory_is_used(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    proc = scaffold("new", "empty", "-y", "--no-lock", "--no-git", "-o", str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "empty" / "Dockerfile").is_file()


def test_options_json_lists_every_option_and_choice() -> None:
    result = runner.invoke(app, ["options", "--json"])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    keys = [o["key"] for o in data["options"]]
    assert keys == [o.key for o in OPTIONS]
    framework = next(o for o in data["options"] if o["key"] == "framework")
    assert [c["value"] for c in framework["choices"]] == ["fastapi", "flask", "django"]
    assert "invalid_combinations" in data


def test_options_table_mentions_every_option() -> None:
    result = runner.invoke(app, ["options"])
    assert result.exit_code == 0
    for option in OPTIONS:
        assert option.key in result.stdout


def test_version_and_help_do_not_import_copier_or_questionary() -> None:
    code = (
        "import sys, runpy\n"
        "sys.argv = ['scaffold', '--help']\n"
        "from scaffold.cli import main\n"
        "try:\n    main()\nfinally:\n"
        "    print('HEAVY', sorted(m for m in ('copier', 'questionary', 'prompt_toolkit')"
        " if m in sys.modules))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=60
    )
    assert "HEAVY []" in proc.stdout, proc.stdout + proc.stderr
    assert "scaffold new" in proc.stdout
    version = scaffold("--version")
    assert version.returncode == 0
    assert version.stdout.startswith("scaffold ")


def _slow_templates(tmp_path: Path) -> Path:
    """A copy of the templates with one file whose render never finishes in practice."""
    copy = tmp_path / "slow-templates"
    shutil.copytree(TEMPLATES, copy)
    for framework in ("fastapi", "flask", "django"):
        (copy / framework / "zz_slow.txt.jinja").write_text(
            # 10^10 iterations: the render is still running whenever the signal arrives, however
            # fast the machine (Copier's sandbox caps a single range at 100000).
            "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}\n",
            encoding="utf-8",
        )
    return copy


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM, signal.SIGKILL])
def test_interrupt_mid_render_leaves_nothing_behind(tmp_path: Path, sig: signal.Signals) -> None:
    out = tmp_path / "out"
    out.mkdir()
    env = {**os.environ, "SCAFFOLD_TEMPLATES": str(_slow_templates(tmp_path))}
    proc = subprocess.Popen(
        [sys.executable, "-m", "scaffold", "new", "halfway", "-y", "--no-lock", "-o", str(out)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    try:
        # scaffold makes its staging directory just before Copier renders; Copier writes
        # nothing visible before the first file, and the slow file keeps it rendering, so a
        # moment later the render is under way and cannot finish before the signal.
        deadline = time.monotonic() + 60
        while not list(out.glob(".scaffold-tmp-*")):
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "render never started"
            time.sleep(0.05)
        time.sleep(1.5)
        assert proc.poll() is None, "the render finished before the signal"
        proc.send_signal(sig)
        _, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:  # never leave an endless render behind
            proc.kill()
            proc.wait()
    assert proc.returncode != 0
    assert not (out / "halfway").exists()
    if sig != signal.SIGKILL:  # a killed process cannot clean up; it can only never finish
        assert list(out.iterdir()) == [], list(out.iterdir())
        assert "nothing was written" in stderr.decode()


def test_interactive_session_in_a_pseudo_terminal(tmp_path: Path) -> None:
    pexpect = pytest.importorskip("pexpect")
    down, enter = "\x1b[B", "\r"
    child = pexpect.spawn(
        sys.executable,
        ["-m", "scaffold", "new", "typed", "--no-lock", "--no-git", "-o", str(tmp_path)],
        env={**os.environ, "TERM": "xterm"},
        encoding="utf-8",
        timeout=30,
        dimensions=(40, 120),
    )
    child.expect("Description")
    child.send("\x15" + "Typed at a terminal" + enter)  # Ctrl-U clears the default first
    for prompt in ("Author name", "Author email", "Minimum Python version"):
        child.expect(prompt)
        child.send(enter)
    child.expect("Web framework")
    child.send(down + enter)  # FastAPI -> Flask
    child.expect("Database")
    child.send(down + enter)  # SQLite -> PostgreSQL
    child.expect("Authentication")
    child.send(enter)
    child.expect("Continuous integration")
    child.send(down + down + enter)  # GitHub -> None
    child.expect("Extras")
    child.send(enter)  # none ticked
    child.expect("Generate the project")
    child.send("y" + enter)  # "Yes, generate it"
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    answers = answers_of(tmp_path / "typed")
    assert answers["framework"] == "flask"
    assert answers["database"] == "postgresql"
    assert answers["ci"] == "none"
    assert answers["extras"] == []
    assert answers["description"] == "Typed at a terminal"


def test_interactive_decline_writes_nothing(tmp_path: Path) -> None:
    pexpect = pytest.importorskip("pexpect")
    child = pexpect.spawn(
        sys.executable,
        ["-m", "scaffold", "new", "declined", "--no-lock", "-o", str(tmp_path),
         "-f", "flask", "-d", "sqlite", "-a", "none", "--ci", "none", "--python", "3.12",
         "--description", "x", "--author-name", "x", "--author-email", "x@example.com"],
        env={**os.environ, "TERM": "xterm"},
        encoding="utf-8",
        timeout=30,
    )  # fmt: skip
    child.expect("Extras")  # the one question no flag above answers
    child.send("\r")
    child.expect("Generate the project")
    child.send("n\r")  # "No, cancel"
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert list(tmp_path.iterdir()) == []


def test_wheel_ships_the_templates_and_works_alone(tmp_path: Path) -> None:
    """Build the wheel, install only it into a fresh venv, and generate a project from it."""
    uv = shutil.which("uv")
    if uv is None:
        pytest.fail("uv is required to build the wheel")
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    env["UV_PYTHON_DOWNLOADS"] = "never"
    dist = tmp_path / "dist"
    subprocess.run(
        [uv, "build", "--wheel", "--out-dir", str(dist), str(REPO)],
        check=True, capture_output=True, env=env,
    )  # fmt: skip
    wheel = next(dist.glob("scaffold_backend-*.whl"))
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    assert "scaffold/templates/copier.yml" in names
    assert "scaffold/templates/_shared/Dockerfile.jinja" in names
    venv = tmp_path / "venv"
    subprocess.run([uv, "venv", "--quiet", str(venv)], check=True, env=env)
    subprocess.run(
        [uv, "pip", "install", "--quiet", "--python", str(venv / "bin" / "python"), str(wheel)],
        check=True, env=env,
    )  # fmt: skip
    work = tmp_path / "work"
    work.mkdir()
    proc = subprocess.run(
        [str(venv / "bin" / "scaffold"), "new", "fromwheel", "-y", "--no-lock", "-f", "django"],
        cwd=work, capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    answers = answers_of(work / "fromwheel")
    assert answers["framework"] == "django"
    assert (work / "fromwheel" / "manage.py").is_file()
