"""`scaffold update` tried adversarially (issue 19): odd repositories, hand-edited answers, local
git settings, concurrent runs, shallow clones. Each test is one numbered observation of the
issue, re-run as written; the interrupt harness is tests/test_update_interrupts.py.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from scaffold.templates import ENV_VAR
from scaffold.update import project as update_project
from tests.projects import REPO
from tests.update_helpers import (
    PKG,
    V2_CONFIG_LINE,
    V2_PYPROJECT_LINE,
    append_line,
    append_to,
    commit_all,
    conflicts_of,
    expect,
    fastapi_template,
    git,
    make_v2,
    new_project,
    read,
    scaffold,
    state,
    use_templates,
    use_v2_adding,
)

pytestmark = pytest.mark.usefixtures("git_identity")

# --- 1. an ignored local file in the way is never destroyed ---------------------------------


def test_1_an_ignored_file_where_the_update_needs_a_directory_is_refused(project: Path) -> None:
    append_to(project, ".gitignore", "/deploy")
    (project / "deploy").write_text("my deploy notes\n", encoding="utf-8")
    before = state(project)
    code, output = scaffold("update", "--with", "nginx", "--dry-run", str(project))
    assert code == 2, output
    assert "deploy" in output and "ignored" in output
    code, output = scaffold("update", "--with", "nginx", str(project))
    assert code == 2, output
    assert "deploy" in output
    assert read(project, "deploy") == "my deploy notes\n"
    assert state(project) == before


def test_1_an_ignored_directory_where_the_update_writes_a_file_is_refused(
    project: Path, v1: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    append_to(project, ".gitignore", "/local.cfg")
    (project / "local.cfg").mkdir()
    (project / "local.cfg" / "secret").write_text("keep me\n", encoding="utf-8")
    use_v2_adding(monkeypatch, v1, {"local.cfg.jinja": "template's\n"})
    before = state(project)
    expect(2, "local.cfg/secret", "update", "--dry-run", str(project))
    expect(2, "local.cfg/secret", "update", str(project))
    assert read(project, "local.cfg/secret") == "keep me\n"
    assert state(project) == before


# --- 2. the user's local ignore rules do not change the pristine render ----------------------


def test_2_local_excludes_do_not_change_the_pristine_render(
    project: Path, v1: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    exclude = project / ".git" / "info" / "exclude"
    exclude.parent.mkdir(exist_ok=True)
    exclude.write_text("*.ini\n", encoding="utf-8")
    global_ignore = tmp_path / "global-ignore"
    global_ignore.write_text("*.cfg\n", encoding="utf-8")
    with Path(os.environ["GIT_CONFIG_GLOBAL"]).open("a", encoding="utf-8") as config:
        config.write(f"[core]\n\texcludesFile = {global_ignore}\n")
    (project / ".git" / "info" / "attributes").write_text("* -text\n", encoding="utf-8")
    assert "alembic.ini" in git(project, "ls-files")
    code, output = scaffold("check", str(project))
    assert code == 0, output

    use_v2_adding(monkeypatch, v1, {"extra.ini": "[extra]\n", "extra.cfg": "[extra]\n"})
    code, output = scaffold("check", "--json", str(project))
    assert code == 1, output
    changes = {c["path"]: c["status"] for c in json.loads(output)["changes"]}
    assert "alembic.ini" not in changes
    assert changes["extra.ini"] == changes["extra.cfg"] == "added"
    code, output = scaffold("update", str(project))
    assert code == 0, output
    tracked = git(project, "ls-files").split()
    assert {"alembic.ini", "extra.ini", "extra.cfg"} <= set(tracked)
    pristine = git(project, "ls-tree", "-r", "--name-only", "refs/heads/scaffold/pristine")
    assert {"alembic.ini", "extra.ini", "extra.cfg"} <= set(pristine.split())


# --- 3. the answers file is validated whole ------------------------------------------------


def _drop_answer(project: Path, key: str) -> None:
    path = project / ".scaffold-answers.yml"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(x for x in lines if not x.startswith(f"{key}:")), encoding="utf-8")
    commit_all(project, f"drop {key}")


@pytest.mark.parametrize("key", ["framework", "project_name", "auth"])
def test_3_a_missing_answer_is_an_error_naming_it(v1: Path, tmp_path: Path, key: str) -> None:
    project = new_project(tmp_path / "work", "-f", "django")
    _drop_answer(project, key)
    before = state(project)
    for command in ("check", "update"):
        code, output = scaffold(command, str(project))
        assert code == 2, f"{command}: {output}"
        assert key in output and "missing" in output, output
    code, output = scaffold("update", "--dry-run", str(project))
    assert code == 2 and key in output
    assert state(project) == before


def test_3_an_emptied_answers_file_is_an_error(project: Path) -> None:
    (project / ".scaffold-answers.yml").write_text("", encoding="utf-8")
    commit_all(project)
    before = state(project)
    for command in ("check", "update"):
        code, output = scaffold(command, str(project))
        assert code == 2 and "not valid" in output, f"{command}: {output}"
    assert state(project) == before


def test_3_a_key_added_by_a_later_version_takes_its_default_and_says_so(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(update_project.ADDED_LATER, "ci", "0.2.0")
    _drop_answer(project, "ci")
    code, output = scaffold("check", str(project))
    assert code == 0, output
    assert "has no ci (added in scaffold 0.2.0): using the default 'github'" in output
    # A project recorded by 0.2.0 or later knew the key: its absence is an edit, an error.
    path = project / ".scaffold-answers.yml"
    path.write_text(
        read(project, ".scaffold-answers.yml").replace(
            "_scaffold_version: 0.1.0", "_scaffold_version: 0.2.0"
        ),
        encoding="utf-8",
    )
    commit_all(project)
    expect(2, "ci is missing", "check", str(project))


# --- 5. check and update never disagree ----------------------------------------------------


def test_5_check_agrees_with_update_after_a_reverted_update(
    project: Path, v1: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_templates(monkeypatch, make_v2(v1))
    code, output = scaffold("update", str(project))
    assert code == 0, output
    git(project, "revert", "--no-edit", "-m", "1", "HEAD")
    code, update_output = scaffold("update", "--dry-run", str(project))
    assert code == 0 and "up to date" in update_output, update_output
    expect(0, "current", "check", str(project))


def test_5_check_agrees_with_update_without_a_recorded_digest(
    project: Path, v1: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _drop_answer(project, "_scaffold_templates")
    code, output = scaffold("check", str(project))
    assert code == 0, output
    expect(0, "up to date", "update", str(project))
    # v2 changes the line the user deleted: both say so, as the same conflict.
    use_templates(monkeypatch, make_v2(v1))
    expect(1, "would change 4 file(s) (1 with conflicts)", "check", str(project))
    expect(1, "CONFLICT  .scaffold-answers.yml", "update", str(project))


# --- issue 18: ahead / behind / current ----------------------------------------------------


def test_check_says_ahead_and_update_refuses_to_downgrade(
    project: Path, v1: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    v2 = make_v2(v1)
    use_templates(monkeypatch, v2)
    code, output = scaffold("check", str(project))
    assert code == 1 and output.startswith("behind"), output
    code, output = scaffold("update", str(project))
    assert code == 0, output
    code, output = scaffold("check", str(project))
    assert code == 0 and output.startswith("current"), output
    # A teammate with the older scaffold (v1) checks the project v2 updated.
    use_templates(monkeypatch, v1)
    code, output = scaffold("check", str(project))
    assert code == 0, output
    assert output.startswith("ahead") and "warning:" in output and "downgrade" in output
    before = state(project)
    expect(2, "--allow-downgrade", "update", str(project))
    assert state(project) == before
    code, output = scaffold("update", "--allow-downgrade", str(project))
    assert code == 0, output
    assert V2_PYPROJECT_LINE not in read(project, "pyproject.toml")


def test_a_newer_recorded_scaffold_version_is_ahead(
    project: Path, v1: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = project / ".scaffold-answers.yml"
    text = read(project, ".scaffold-answers.yml")
    path.write_text(
        re.sub(r"_scaffold_version: .*", "_scaffold_version: 99.0.0", text), encoding="utf-8"
    )
    commit_all(project)
    git(project, "branch", "-f", "scaffold/pristine", "HEAD")
    use_templates(monkeypatch, make_v2(v1))
    code, output = scaffold("check", str(project))
    assert code == 0 and output.startswith("ahead") and "99.0.0" in output, output
    expect(2, "--allow-downgrade", "update", str(project))


# --- 6. a stale uv.lock after a resolved conflict -------------------------------------------


MARKER = "dependencies = [\n"
USER_DEPENDENCY_NOTE = "    # user: my note on the dependencies\n"
LOCK_CHECK = ["uv", "lock", "--check", "--offline"]


def _conflict_in_pyproject(v1: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A locked project whose update stops on a conflict in pyproject.toml that adds a
    dependency. uv resolves offline from its cache: anyio is already in every FastAPI lock."""
    monkeypatch.setenv("UV_OFFLINE", "1")
    project = new_project(tmp_path / "locked", lock=True)
    assert "uv.lock" in git(project, "ls-files"), "scaffold new could not lock offline"
    pyproject = read(project, "pyproject.toml")
    assert MARKER in pyproject
    (project / "pyproject.toml").write_text(
        pyproject.replace(MARKER, MARKER + USER_DEPENDENCY_NOTE, 1)
    )
    commit_all(project)

    def add_dependency(root: Path) -> None:
        path = fastapi_template(root, "pyproject.toml")
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace(MARKER, MARKER + '    "anyio>=4",\n', 1), encoding="utf-8")

    use_templates(monkeypatch, make_v2(v1, add_dependency))
    return project


def _resolve_keeping_both(project: Path) -> None:
    text = read(project, "pyproject.toml")
    resolved = re.sub(
        r"<<<<<<< [^\n]*\n(.*?)=======\n(.*?)>>>>>>> [^\n]*\n", r"\1\2", text, flags=re.S
    )
    assert "<<<<<<<" not in resolved
    assert '"anyio>=4"' in resolved and USER_DEPENDENCY_NOTE in resolved
    (project / "pyproject.toml").write_text(resolved, encoding="utf-8")


@pytest.mark.template
def test_6_a_conflict_in_pyproject_resolved_then_update_relocks(
    v1: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = _conflict_in_pyproject(v1, tmp_path, monkeypatch)
    expect(1, "scaffold update` again to re-resolve uv.lock", "update", str(project))
    assert "pyproject.toml" in conflicts_of(project)
    # The user resolves by keeping both lines and commits, without relocking.
    _resolve_keeping_both(project)
    commit_all(project, "resolve the update")
    assert subprocess.run(LOCK_CHECK, cwd=project, capture_output=True).returncode != 0
    expect(1, "uv.lock", "check", str(project))
    expect(0, "uv.lock re-resolved and committed", "update", str(project))
    assert git(project, "log", "-1", "--format=%s").strip() == "Refresh uv.lock"
    assert git(project, "status", "--porcelain") == ""
    assert subprocess.run(LOCK_CHECK, cwd=project, capture_output=True).returncode == 0
    expect(0, "current", "check", str(project))


@pytest.mark.template
def test_18_after_conflicts_the_message_gives_the_steps_and_they_work(
    v1: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 18: the message says resolve, `uv lock`, commit, in that order; done as told,
    the lock is current in the user's own commit and nothing is left for scaffold."""
    project = _conflict_in_pyproject(v1, tmp_path, monkeypatch)
    output = expect(1, "merge is in progress", "update", str(project))
    message = output.splitlines()[0]
    steps = ["resolve them", "`git add` the files", "run `uv lock`", "`git commit`"]
    positions = [message.find(step) for step in steps]
    assert -1 not in positions and positions == sorted(positions), message
    assert "`git merge --abort`" in message
    assert git(project, "rev-parse", "-q", "--verify", "MERGE_HEAD", check=False).strip()
    _resolve_keeping_both(project)
    uv = subprocess.run(["uv", "lock", "--offline"], cwd=project, capture_output=True, text=True)
    assert uv.returncode == 0, uv.stderr
    git(project, "add", "pyproject.toml", "uv.lock")
    git(project, "commit", "--quiet", "--no-edit", "--no-verify")
    assert subprocess.run(LOCK_CHECK, cwd=project, capture_output=True).returncode == 0
    expect(0, "current", "check", str(project))
    expect(0, "up to date", "update", str(project))
    assert "Refresh uv.lock" not in git(project, "log", "--format=%s")


# --- 7. refs by full name ------------------------------------------------------------------


def test_7_a_tag_named_like_the_pristine_branch_does_not_shadow_it(
    project: Path, v1: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    git(project, "tag", "scaffold/pristine", "HEAD")
    use_templates(monkeypatch, make_v2(v1))
    code, output = scaffold("update", str(project))
    assert code == 0, output
    assert read(project, "pyproject.toml").endswith(V2_PYPROJECT_LINE + "\n")
    code, output = scaffold("check", str(project))
    assert code == 0, output


def test_7_a_branch_named_scaffold_is_refused_before_any_commit(project: Path) -> None:
    git(project, "branch", "-D", "scaffold/pristine")
    git(project, "branch", "scaffold")
    before = state(project)
    code, output = scaffold("update", "--set", "ci=none", str(project))
    assert code == 2, output
    assert "refs/heads/scaffold" in output
    assert state(project) == before
    assert "Record the scaffold baseline" not in git(project, "log", "--format=%s")


# --- 8. shallow clones -----------------------------------------------------------------------


@pytest.mark.parametrize("branches", ["single", "all"])
def test_8_a_shallow_clone_is_told_exactly_what_to_fetch(
    project: Path, v1: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, branches: str
) -> None:
    v2 = make_v2(v1)
    use_templates(monkeypatch, v2)
    code, output = scaffold("update", str(project))
    assert code == 0, output
    (project / "NOTES.md").write_text("mine\n", encoding="utf-8")
    commit_all(project)
    clone = tmp_path / "shallow"
    flags = ["--no-single-branch"] if branches == "all" else []
    subprocess.run(
        ["git", "clone", "--quiet", "--depth", "1", *flags, f"file://{project}", str(clone)],
        check=True,
    )
    assert git(clone, "rev-parse", "--is-shallow-repository").strip() == "true"

    def v3_edit(root: Path) -> None:
        append_line(fastapi_template(root, f"src/{PKG}/config.py"), "# v3: one more change")

    use_templates(monkeypatch, make_v2(v2, v3_edit))
    before = state(clone)
    code, output = scaffold("update", str(clone))
    assert code == 2, output
    assert "shallow" in output and "merge-tree" not in output
    assert state(clone) == before
    commands = re.findall(r"`(git fetch [^`]+)`", output)
    assert commands and "--unshallow" in commands[0], output
    for command in commands:
        subprocess.run(command.split(), cwd=clone, check=True, capture_output=True)
    code, output = scaffold("update", str(clone))
    assert code == 0, output
    assert read(clone, f"src/{PKG}/config.py").endswith("# v3: one more change\n")
    assert read(clone, "NOTES.md") == "mine\n"


# --- 9. concurrent updates -----------------------------------------------------------------


def _lock_file(project: Path) -> Path:
    return project / ".git" / "scaffold-update.lock"


def test_9_a_running_update_holds_the_lock(
    project: Path, v1: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import socket
    import time

    use_templates(monkeypatch, make_v2(v1))
    holder = {"pid": os.getpid(), "host": socket.gethostname(), "started": time.time()}
    _lock_file(project).write_text(json.dumps(holder), encoding="utf-8")
    before = state(project)
    code, output = scaffold("update", str(project))
    assert code == 2 and "another scaffold update" in output and str(os.getpid()) in output
    assert state(project) == before
    assert _lock_file(project).is_file(), "someone else's lock is never removed"
    # A lock whose process is gone is stale: check says so, update takes it over.
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    holder["pid"] = int(dead.stdout)
    _lock_file(project).write_text(json.dumps(holder), encoding="utf-8")
    expect(1, "stale update lock", "check", str(project))
    expect(0, "removed a stale update lock", "update", str(project))
    assert not _lock_file(project).exists()


def test_9_two_updates_at_once_never_fork_the_pristine_branch(
    project: Path, v1: Path, tmp_path: Path
) -> None:
    v2 = make_v2(v1)
    pristine_before = git(project, "rev-parse", "refs/heads/scaffold/pristine").strip()
    env = {**os.environ, ENV_VAR: str(v2), "PYTHONPATH": str(REPO)}
    command = [sys.executable, "-m", "scaffold", "update", "--no-lock", str(project)]
    out = subprocess.PIPE
    procs = [
        subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT, text=True)
        for _ in range(3)
    ]
    results = [(p.wait(timeout=120), p.stdout.read() if p.stdout else "") for p in procs]
    codes = sorted(code for code, _ in results)
    assert codes.count(0) >= 1 and set(codes) <= {0, 2}, results
    for code, output in results:
        # The others waited for nothing: they found the lock, or (started after the first one
        # finished) nothing left to do. Never a half-done state ("uncommitted", "middle of").
        if code == 2:
            assert "another scaffold update" in output, output
        else:
            assert output.startswith(("updated", "already up to date")), output
    # One pristine commit on top of the old one, a straight line: no sibling commits.
    history = git(project, "rev-list", "--parents", "refs/heads/scaffold/pristine").splitlines()
    assert len(history) == 2 and history[0].split()[1:] == [pristine_before], history
    moves = git(project, "reflog", "--format=%H", "refs/heads/scaffold/pristine").split()
    for newer, older in itertools.pairwise(moves):
        fast_forward = ["git", "merge-base", "--is-ancestor", older, newer]
        assert subprocess.run(fast_forward, cwd=project).returncode == 0, f"non-ff: {moves}"
    merges = git(project, "log", "--format=%s", "--grep=Update from scaffold templates")
    assert len(merges.splitlines()) == 1, merges
    assert read(project, "pyproject.toml").endswith(V2_PYPROJECT_LINE + "\n")
    assert git(project, "status", "--porcelain") == ""
    assert not _lock_file(project).exists()


# --- 10. symlink conflicts and signing failures --------------------------------------------


def test_10_a_symlink_conflict_lists_only_files_that_exist(
    project: Path, v1: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (project / "mine.py").write_text("bind = 'unix:/run/app.sock'\n", encoding="utf-8")
    (project / "gunicorn.conf.py").unlink()
    (project / "gunicorn.conf.py").symlink_to("mine.py")
    commit_all(project)

    def change_gunicorn(root: Path) -> None:
        append_line(fastapi_template(root, "gunicorn.conf.py"), "# v2: gunicorn change")

    use_templates(monkeypatch, make_v2(v1, change_gunicorn))
    code, output = scaffold("update", "--dry-run", "--json", str(project))
    assert code == 0, output
    predicted = json.loads(output)
    assert predicted["conflicts"] == ["gunicorn.conf.py"]
    assert all("~" not in c["path"] for c in predicted["changes"]), predicted["changes"]
    code, output = scaffold("update", "--json", str(project))
    assert code == 1, output
    result = json.loads(output)
    assert result["conflicts"] == predicted["conflicts"]
    for path in result["conflicts"]:
        assert (project / path).is_symlink() or (project / path).exists(), path
    git(project, "merge", "--abort")
    assert (project / "gunicorn.conf.py").is_symlink()


def test_10_a_signing_failure_is_refused_with_nothing_changed(
    project: Path, v1: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    git(project, "config", "commit.gpgSign", "true")
    git(project, "config", "gpg.program", "false")
    use_templates(monkeypatch, make_v2(v1))
    before = state(project)
    code, output = scaffold("update", str(project))
    assert code == 2, output
    assert "sign" in output and "nothing was changed" in output
    assert "merged" not in output
    assert state(project) == before
    git(project, "config", "commit.gpgSign", "false")
    code, output = scaffold("update", str(project))
    assert code == 0, output
    assert read(project, f"src/{PKG}/config.py").endswith(V2_CONFIG_LINE + "\n")


# --- 3 (types) ----------------------------------------------------------------------------


def test_answers_of_the_wrong_type_name_the_key(project: Path) -> None:
    path = project / ".scaffold-answers.yml"
    answers = yaml.safe_load(read(project, ".scaffold-answers.yml"))
    answers["auth"] = ["jwt", "session"]
    path.write_text(yaml.safe_dump(answers), encoding="utf-8")
    commit_all(project)
    expect(2, "auth", "update", str(project))
