"""`scaffold update`: real git repositories, a "version 2" of the templates, git's own merge.

The shared helpers (tests/update_helpers.py) and fixtures (tests/conftest.py) say how v1, v2
and the project are made.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from scaffold.cli import app
from scaffold.templates import ENV_VAR, fingerprint
from tests.projects import REPO, TEMPLATES, project_env, run
from tests.update_helpers import (
    PKG,
    V2_CONFIG_LINE,
    V2_PYPROJECT_LINE,
    append_line,
    append_to,
    commit_all,
    conflicts_of,
    copy_templates,
    fastapi_template,
    git,
    make_v2,
    new_project,
    read,
    runner,
    scaffold,
    state,
    use_templates,
    use_v2_adding,
)

pytestmark = pytest.mark.usefixtures("git_identity")


# --- (a) no template change -----------------------------------------------------------------


def test_update_with_no_template_change_is_a_no_op(project: Path) -> None:
    (project / "README.md").write_text("# mine\n", encoding="utf-8")
    commit_all(project)
    before = state(project)
    code, output = scaffold("update", str(project))
    assert code == 0, output
    assert "up to date" in output
    assert state(project) == before, "refs, status, files and objects must be untouched"
    code, output = scaffold("check", str(project))
    assert code == 0, output


# --- (b) (c) (d) the three-way merge ---------------------------------------------------------


def test_template_change_in_an_untouched_file_lands(
    project: Path, v1: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    head = git(project, "rev-parse", "HEAD").strip()
    use_templates(monkeypatch, make_v2(v1))
    code, output = scaffold("update", str(project))
    assert code == 0, output
    assert read(project, "pyproject.toml").endswith(V2_PYPROJECT_LINE + "\n")
    assert read(project, f"src/{PKG}/config.py").endswith(V2_CONFIG_LINE + "\n")
    assert git(project, "status", "--porcelain") == ""
    parents = git(project, "rev-parse", "HEAD^1", "HEAD^2").split()
    assert parents == [head, git(project, "rev-parse", "scaffold/pristine").strip()]
    answers = yaml.safe_load(read(project, ".scaffold-answers.yml"))
    installed = fingerprint(Path(os.environ[ENV_VAR]), answers["framework"])
    assert answers["_scaffold_templates"] == installed
    assert "_src_path" not in answers, "a machine-specific path must not be committed"
    # A second update with the same templates changes nothing and makes no commit.
    code, output = scaffold("update", str(project))
    assert code == 0 and "up to date" in output
    assert git(project, "rev-parse", "HEAD^2").strip() == parents[1]


def test_user_edit_in_another_hunk_survives_alongside_the_template_change(
    project: Path, v1: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    user_line = "# user: my own note at the top of pyproject.toml"
    text = read(project, "pyproject.toml")
    (project / "pyproject.toml").write_text(user_line + "\n" + text, encoding="utf-8")
    commit_all(project)
    use_templates(monkeypatch, make_v2(v1))
    code, output = scaffold("update", str(project))
    assert code == 0, output
    merged = read(project, "pyproject.toml")
    assert merged.startswith(user_line + "\n")
    assert merged.endswith(V2_PYPROJECT_LINE + "\n")
    assert "<<<<<<<" not in merged


def test_overlapping_edits_give_conflict_markers_and_exit_1(
    project: Path, v1: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    user_line = "# user: my own line at the end of pyproject.toml"
    append_to(project, "pyproject.toml", user_line)
    use_templates(monkeypatch, make_v2(v1))
    code, output = scaffold("update", str(project))
    assert code == 1, output
    assert "CONFLICT  pyproject.toml" in output
    assert "git merge --abort" in output
    assert "uv lock" not in output, "no uv.lock is tracked (--no-lock): no relock step"
    merged = read(project, "pyproject.toml")
    assert "<<<<<<<" in merged and ">>>>>>>" in merged
    assert user_line in merged and V2_PYPROJECT_LINE in merged
    assert conflicts_of(project) == {"pyproject.toml"}
    # Files without overlap were merged all the same.
    assert read(project, f"src/{PKG}/config.py").endswith(V2_CONFIG_LINE + "\n")
    # `git merge --abort` gives the user's tree back exactly.
    git(project, "merge", "--abort")
    assert read(project, "pyproject.toml").endswith(user_line + "\n")
    assert git(project, "status", "--porcelain") == ""
    # Running update again while the merge is still open is refused.
    code, _ = scaffold("update", str(project))
    assert code == 1  # the same conflict again, since the user aborted
    code, output = scaffold("update", str(project))
    assert code == 2 and "middle of a merge" in output


# --- refusals ----------------------------------------------------------------------------------


def test_refuses_a_dirty_tree_and_touches_nothing(
    project: Path, v1: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_templates(monkeypatch, make_v2(v1))
    (project / "README.md").write_text("uncommitted\n", encoding="utf-8")
    before = state(project)
    code, output = scaffold("update", str(project))
    assert code == 2
    assert "uncommitted" in output and "commit or stash" in output
    assert state(project) == before
    (project / "README.md").write_text("x", encoding="utf-8")
    git(project, "checkout", "--", "README.md")
    (project / "notes.txt").write_text("untracked\n", encoding="utf-8")
    code, _ = scaffold("update", str(project))
    assert code == 2


def test_refuses_outside_a_generated_project(tmp_path: Path, v1: Path) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    git(plain, "init", "--quiet")
    code, output = scaffold("update", str(plain))
    assert code == 2
    assert "not a scaffold project" in output
    assert git(plain, "status", "--porcelain") == ""
    assert not git(plain, "for-each-ref")


def test_refuses_a_detached_head(project: Path) -> None:
    git(project, "checkout", "--quiet", "--detach")
    code, output = scaffold("update", str(project))
    assert code == 2 and "detached" in output


# --- dry run ----------------------------------------------------------------------------------


def test_dry_run_and_diff_show_the_changes_and_touch_nothing(
    project: Path, v1: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    append_to(project, "pyproject.toml", "# user line")
    use_templates(monkeypatch, make_v2(v1))
    before = state(project)
    code, output = scaffold("update", "--dry-run", str(project))
    assert code == 0, output
    assert "would change" in output
    assert "CONFLICT  pyproject.toml" in output
    assert f"modified  src/{PKG}/config.py" in output
    code, output = scaffold("update", "--diff", str(project))
    assert code == 0, output
    assert "+" + V2_CONFIG_LINE in output
    assert state(project) == before, "a dry run must not write a ref, a file or an object"


# --- (e) changing an answer --------------------------------------------------------------------


def _set_auth_jwt(project: Path) -> None:
    user_line = "# user: kept across the auth change"
    text = read(project, "README.md")
    (project / "README.md").write_text(user_line + "\n" + text, encoding="utf-8")
    with (project / "tests" / "test_mine.py").open("w", encoding="utf-8") as handle:
        handle.write(
            '"""A test the user wrote."""\n\n\ndef test_mine() -> None:\n    assert 1 + 1 == 2\n'
        )
    commit_all(project)
    code, output = scaffold("update", "--set", "auth=jwt", str(project))
    assert code == 0, output
    answers = yaml.safe_load(read(project, ".scaffold-answers.yml"))
    assert answers["auth"] == "jwt"
    assert (project / "src" / PKG / "security.py").is_file()
    assert read(project, "README.md").startswith(user_line + "\n")
    assert (project / "tests" / "test_mine.py").is_file()
    assert git(project, "status", "--porcelain") == ""


def test_set_auth_jwt_adds_the_auth_files_and_keeps_user_edits(project: Path) -> None:
    _set_auth_jwt(project)
    code, output = scaffold("check", str(project))
    assert code == 0, output


def test_set_rejects_an_invalid_value_and_touches_nothing(project: Path) -> None:
    before = state(project)
    code, output = scaffold("update", "--set", "auth=kerberos", str(project))
    assert code == 2 and "auth" in output
    assert state(project) == before


@pytest.mark.template
def test_set_auth_jwt_then_the_projects_own_tests_pass(
    v1: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With uv.lock (resolved offline from uv's cache): update re-locks, `--locked` works."""
    monkeypatch.setenv("UV_OFFLINE", "1")
    project = new_project(tmp_path / "locked", lock=True)
    assert "uv.lock" in git(project, "ls-files"), "scaffold new could not lock offline"
    _set_auth_jwt(project)
    assert "Refresh uv.lock" in git(project, "log", "-1", "--format=%s")
    env = {**project_env("sqlite"), "UV_OFFLINE": "1"}
    run(["uv", "sync", "--locked", "--quiet"], project, env)
    output = run(["uv", "run", "pytest", "-q", "-p", "no:cacheprovider"], project, env)
    assert "passed" in output
    assert "test_auth" in run(["uv", "run", "pytest", "--collect-only", "-q"], project, env)


# --- (h) binary files, deleted files, features switched off --------------------------------


def test_binary_file_the_user_modified_survives(
    project: Path, v1: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mine = b"\x89PNG\x00user's own logo\x00" + bytes(range(255, -1, -1))
    (project / "assets" / "logo.bin").write_bytes(mine)
    commit_all(project)
    use_templates(monkeypatch, make_v2(v1))
    code, output = scaffold("update", str(project))
    assert code == 0, output
    assert (project / "assets" / "logo.bin").read_bytes() == mine
    assert read(project, "pyproject.toml").endswith(V2_PYPROJECT_LINE + "\n")


def test_binary_changed_on_both_sides_is_a_conflict_keeping_the_users_bytes(
    project: Path, v1: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mine = b"\x00mine\x00" * 50
    (project / "assets" / "logo.bin").write_bytes(mine)
    commit_all(project)

    def new_logo(root: Path) -> None:
        (root / "fastapi" / "assets" / "logo.bin").write_bytes(b"\x00theirs\x00" * 50)

    use_templates(monkeypatch, make_v2(v1, new_logo))
    code, output = scaffold("update", str(project))
    assert code == 1, output
    assert "assets/logo.bin" in conflicts_of(project)
    assert (project / "assets" / "logo.bin").read_bytes() == mine
    assert git(project, "show", ":3:assets/logo.bin", check=True)  # theirs is in the index


def test_binary_untouched_by_the_user_gets_the_template_bytes(
    project: Path, v1: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    theirs = b"\x00new logo\x00" * 40

    def new_logo(root: Path) -> None:
        (root / "fastapi" / "assets" / "logo.bin").write_bytes(theirs)

    use_templates(monkeypatch, make_v2(v1, new_logo))
    code, output = scaffold("update", str(project))
    assert code == 0, output
    assert (project / "assets" / "logo.bin").read_bytes() == theirs


def test_a_file_the_user_deleted_stays_deleted(
    project: Path, v1: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (project / "gunicorn.conf.py").unlink()
    (project / "assets" / "logo.bin").unlink()
    commit_all(project)
    use_templates(monkeypatch, make_v2(v1))
    code, output = scaffold("update", str(project))
    assert code == 0, output
    assert not (project / "gunicorn.conf.py").exists()
    assert not (project / "assets" / "logo.bin").exists()


def test_a_file_the_template_drops_is_removed_unless_the_user_edited_it(
    project: Path, v1: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    append_to(project, "gunicorn.conf.py", "# user: tuned workers")

    def drop(root: Path) -> None:
        fastapi_template(root, "gunicorn.conf.py").unlink()
        (root / "fastapi" / "assets" / "logo.bin").unlink()

    use_templates(monkeypatch, make_v2(v1, drop))
    code, output = scaffold("update", str(project))
    assert code == 1, output
    assert not (project / "assets" / "logo.bin").exists(), "untouched: mirrored deletion"
    assert conflicts_of(project) == {"gunicorn.conf.py"}
    assert "# user: tuned workers" in read(project, "gunicorn.conf.py")


def test_switching_auth_off_on_an_edited_auth_file_conflicts_instead_of_deleting(
    v1: Path, tmp_path: Path
) -> None:
    project = new_project(tmp_path / "jwt", "-a", "jwt")
    append_to(project, f"src/{PKG}/security.py", "# user: my change to the auth code")
    code, output = scaffold("update", "--set", "auth=none", str(project))
    assert code == 1, output
    assert f"src/{PKG}/security.py" in conflicts_of(project)
    assert "# user: my change to the auth code" in read(project, f"src/{PKG}/security.py")
    # Auth files the user did not touch are gone, as the new answer asks.
    assert not (project / "tests" / "test_auth.py").exists()


# --- the pristine branch missing (fresh clone, deleted) ----------------------------------------


def test_missing_pristine_branch_is_recreated_when_the_templates_match(project: Path) -> None:
    user_line = "# user: my own note at the top of pyproject.toml"
    text = read(project, "pyproject.toml")
    (project / "pyproject.toml").write_text(user_line + "\n" + text, encoding="utf-8")
    commit_all(project)
    git(project, "branch", "-D", "scaffold/pristine")
    code, output = scaffold("update", str(project))
    assert code == 0, output
    assert "up to date" in output
    assert not git(project, "branch", "--list", "scaffold/pristine"), "no-op: nothing created"
    code, output = scaffold("update", "--set", "ci=none", str(project))
    assert code == 0, output
    assert "re-created" in output
    assert not (project / ".github").exists()
    assert read(project, "pyproject.toml") == user_line + "\n" + text
    assert git(project, "branch", "--list", "scaffold/pristine").strip()
    # The recorded baseline is a merge parent: the next update has a proper merge base.
    assert "Record the scaffold baseline" in git(project, "log", "--format=%s")


def test_missing_pristine_branch_with_other_templates_is_a_clear_error(
    project: Path, v1: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    git(project, "branch", "-D", "scaffold/pristine")
    use_templates(monkeypatch, make_v2(v1))
    before = state(project)
    code, output = scaffold("update", str(project))
    assert code == 2
    assert "git fetch origin scaffold/pristine" in output
    assert state(project) == before
    code, output = scaffold("check", str(project))
    assert code == 1 and "cannot tell" in output


def test_fresh_clone_uses_the_remote_pristine_branch(
    project: Path, v1: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "--quiet", str(project), str(clone)], check=True)
    assert not git(clone, "branch", "--list", "scaffold/pristine")
    use_templates(monkeypatch, make_v2(v1))
    code, output = scaffold("update", str(clone))
    assert code == 0, output
    assert read(clone, "pyproject.toml").endswith(V2_PYPROJECT_LINE + "\n")
    assert git(clone, "branch", "--list", "scaffold/pristine").strip()


def test_a_teammates_newer_pristine_branch_is_the_merge_base(
    project: Path, v1: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A teammate updated and pushed; the local scaffold/pristine is behind origin's."""
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "clone", "--quiet", "--bare", str(project), str(remote)], check=True)
    teammate = tmp_path / "teammate"
    subprocess.run(["git", "clone", "--quiet", str(remote), str(teammate)], check=True)
    use_templates(monkeypatch, make_v2(v1))
    code, output = scaffold("update", str(teammate))
    assert code == 0, output
    git(teammate, "push", "--quiet", "origin", "main", "scaffold/pristine")
    # Back in the first clone: pull main, then edit the line v2 added to config.py.
    git(project, "remote", "add", "origin", str(remote))
    git(project, "fetch", "--quiet", "origin")
    git(project, "merge", "--quiet", "--ff-only", "origin/main")
    config = project / "src" / PKG / "config.py"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace(V2_CONFIG_LINE, "# user: reworded"), encoding="utf-8")
    commit_all(project)
    stale = git(project, "rev-parse", "scaffold/pristine").strip()
    assert stale != git(project, "rev-parse", "origin/scaffold/pristine").strip()
    # With the stale local branch as the base this would be a false conflict on that line.
    code, output = scaffold("update", str(project))
    assert code == 0, output
    assert "up to date" in output
    assert "# user: reworded" in config.read_text(encoding="utf-8")


# --- (g) check -------------------------------------------------------------------------------


def test_check_exit_codes(
    project: Path, v1: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, output = scaffold("check", str(project))
    assert code == 0, output
    use_templates(monkeypatch, make_v2(v1))
    code, output = scaffold("check", str(project))
    assert code == 1, output
    # pyproject.toml, config.py, .gitignore and the answers file.
    assert "would change 4 file(s)" in output
    code, output = scaffold("check", "--json", str(project))
    assert code == 1
    payload = json.loads(output)
    assert payload["status"] == "behind"
    assert {c["path"] for c in payload["changes"]} >= {"pyproject.toml", ".scaffold-answers.yml"}
    empty = tmp_path / "empty"
    empty.mkdir()
    code, output = scaffold("check", str(empty))
    assert code == 2 and "not a scaffold project" in output
    (project / ".scaffold-answers.yml").write_text("auth: kerberos\n", encoding="utf-8")
    code, output = scaffold("check", str(project))
    assert code == 2 and "not valid" in output


def test_a_change_to_another_framework_leaves_the_project_up_to_date(
    project: Path, v1: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    v2 = copy_templates(v1, v1.parent / "v2-django-only")
    append_line(v2 / "django" / ".gitignore.jinja", "# django-only change")
    use_templates(monkeypatch, v2)
    code, output = scaffold("check", str(project))
    assert code == 0, output
    append_line(v2 / "_shared" / "gitignore.jinja", "# shared change")
    code, output = scaffold("check", str(project))
    assert code == 1, output


def test_check_works_without_git(project: Path, v1: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.rmtree(project / ".git")
    code, _ = scaffold("check", str(project))
    assert code == 0
    use_templates(monkeypatch, make_v2(v1))
    code, output = scaffold("check", str(project))
    assert code == 1 and "behind" in output


# --- (f) property: no non-conflicting user edit is ever lost -------------------------------


@pytest.fixture(scope="module")
def base_project(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """One generated project (v1) and a v2, shared by every hypothesis example."""
    root = tmp_path_factory.mktemp("prop")
    v1 = copy_templates(TEMPLATES, root / "v1")
    v2 = make_v2(v1)
    env = {
        ENV_VAR: str(v1),
        "GIT_AUTHOR_NAME": "Test User",
        "GIT_AUTHOR_EMAIL": "test@example.com",
        "GIT_COMMITTER_NAME": "Test User",
        "GIT_COMMITTER_EMAIL": "test@example.com",
    }
    result = runner.invoke(
        app, ["new", PKG, "-y", "--no-lock", "-o", str(root / "work"), "-a", "none"], env=env
    )
    assert result.exit_code == 0, result.output
    return root / "work" / PKG, v2


def _text_files(project: Path) -> list[str]:
    names = git(project, "ls-files").split()
    return sorted(n for n in names if n != ".scaffold-answers.yml" and "\0" not in read(project, n))


#: The files v2 changes: picked often, near their end, so that conflicts really happen.
V2_FILES = ("pyproject.toml", f"src/{PKG}/config.py", ".gitignore")
edits = st.lists(
    st.tuples(
        st.one_of(st.sampled_from(V2_FILES), st.integers(0, 10_000)),  # which file
        st.one_of(st.integers(-3, -1), st.integers(0, 10_000)),  # line: < 0 counts from the end
        st.sampled_from(["insert", "replace"]),
    ),
    min_size=1,
    max_size=6,
)


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(edits=edits)
def test_property_every_user_edit_survives_the_update(
    base_project: tuple[Path, Path], edits: list[tuple[int, int, str]]
) -> None:
    source, v2 = base_project
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp) / PKG
        shutil.copytree(source, project, symlinks=True)
        files = _text_files(project)
        markers: dict[str, list[str]] = {}
        for number, (file_pick, line_pick, kind) in enumerate(edits):
            name = file_pick if isinstance(file_pick, str) else files[file_pick % len(files)]
            lines = read(project, name).splitlines(keepends=True)
            marker = f"USER-EDIT-{number}"
            # A comment in most of the generated formats; the merge does not care either way.
            new = f"# {marker}\n"
            if line_pick < 0:
                at = max(0, len(lines) + 1 + line_pick)
            else:
                at = line_pick % (len(lines) + 1)
            if kind == "replace" and at < len(lines):
                lines[at] = new
            else:
                lines.insert(at, new)
            (project / name).write_text("".join(lines), encoding="utf-8")
            markers.setdefault(name, []).append(marker)
        # A later edit may replace the line an earlier one inserted: keep only surviving ones.
        expected = {
            name: [m for m in found if m in read(project, name)] for name, found in markers.items()
        }
        commit_all(project)
        env = {
            ENV_VAR: str(v2),
            "GIT_AUTHOR_NAME": "Test User",
            "GIT_AUTHOR_EMAIL": "test@example.com",
            "GIT_COMMITTER_NAME": "Test User",
            "GIT_COMMITTER_EMAIL": "test@example.com",
        }
        preview = runner.invoke(app, ["update", "--dry-run", "--json", str(project)], env=env)
        assert preview.exit_code == 0, preview.output
        predicted = json.loads(preview.output)
        result = runner.invoke(app, ["update", str(project)], env=env)
        assert result.exit_code in (0, 1), result.output
        conflicted = conflicts_of(project)
        assert (result.exit_code == 1) == bool(conflicted)
        event(f"conflicts: {len(conflicted)}")
        # The dry run predicted exactly this: the same conflicts, the same changed files.
        assert set(predicted["conflicts"]) == conflicted
        if not conflicted:
            changed = set(git(project, "diff", "--name-only", "HEAD^1", "HEAD").split())
            assert {c["path"] for c in predicted["changes"]} == changed
        for name, found in expected.items():
            text = read(project, name)
            for marker in found:
                # Conflicted files hold both sides between markers, so even there the edit is
                # present verbatim; outside conflicts it is simply there.
                assert f"# {marker}\n" in text, f"{marker} lost from {name}"
        for name in files:
            if name in conflicted or name in markers:
                continue
            pristine = git(project, "show", f"scaffold/pristine:{name}")
            assert read(project, name) == pristine, f"{name} did not get the template version"
        if not conflicted:
            assert read(project, "pyproject.toml").rstrip("\n").endswith(V2_PYPROJECT_LINE) or (
                "pyproject.toml" in markers
            )


# --- (i) from a wheel, offline -----------------------------------------------------------------


@pytest.mark.template
def test_update_from_a_wheel_install_offline(tmp_path: Path) -> None:
    """Build the wheel, install only it in a fresh venv (offline), then new + update + check."""
    uv = shutil.which("uv")
    assert uv is not None, "uv is required to build the wheel"
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", ENV_VAR)}
    env.update(
        UV_PYTHON_DOWNLOADS="never",
        UV_OFFLINE="1",
        GIT_CONFIG_NOSYSTEM="1",
    )
    dist = tmp_path / "dist"
    subprocess.run(
        [uv, "build", "--wheel", "--out-dir", str(dist), str(REPO)],
        check=True, capture_output=True, env=env,
    )  # fmt: skip
    wheel = next(dist.glob("scaffold_backend-*.whl"))
    venv = tmp_path / "venv"
    subprocess.run([uv, "venv", "--quiet", str(venv)], check=True, env=env)
    subprocess.run(
        [uv, "pip", "install", "--quiet", "--python", str(venv / "bin" / "python"), str(wheel)],
        check=True, env=env,
    )  # fmt: skip
    scaffold_bin = str(venv / "bin" / "scaffold")
    work = tmp_path / "work"
    work.mkdir()

    def cli(*args: str, cwd: Path = work) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [scaffold_bin, *args], cwd=cwd, env=env, capture_output=True, text=True,
            stdin=subprocess.DEVNULL, check=False,
        )  # fmt: skip

    proc = cli("new", PKG, "-y", "--no-lock", "-a", "none")
    assert proc.returncode == 0, proc.stderr
    project = work / PKG
    assert not git(project, "remote")
    append_to(project, "README.md", "user line")
    proc = cli("check", cwd=project)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    proc = cli("update", "--set", "auth=jwt", cwd=project)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (project / "src" / PKG / "security.py").is_file()
    assert read(project, "README.md").endswith("user line\n")
    proc = cli("check", "--json", cwd=project)
    assert proc.returncode == 0, proc.stdout + proc.stderr


# --- safety nets ---------------------------------------------------------------------------


def test_framework_cannot_be_changed_by_an_update(project: Path) -> None:
    before = state(project)
    code, output = scaffold("update", "--set", "framework=django", str(project))
    assert code == 2 and "framework cannot be changed" in output
    assert state(project) == before


def test_an_ignored_local_file_the_update_would_add_is_never_overwritten(
    project: Path, v1: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    append_to(project, ".gitignore", "local.cfg")
    (project / "local.cfg").write_text("my local settings\n", encoding="utf-8")
    use_v2_adding(monkeypatch, v1, {"local.cfg.jinja": "template's\n"})
    code, output = scaffold("update", str(project))
    assert code == 2 and "local.cfg" in output
    assert read(project, "local.cfg") == "my local settings\n"
    assert "merge" not in git(project, "log", "-1", "--format=%s").lower()


def test_uv_lock_from_scaffold_new_is_kept_by_the_pristine_branch(
    v1: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """uv.lock is not rendered, so the pristine branch must carry it, not delete it."""
    from scaffold.render import git_init

    work = tmp_path / "work"
    code, output = scaffold("new", PKG, "-y", "--no-lock", "--no-git", "-o", str(work))
    assert code == 0, output
    project = work / PKG
    lock = "version = 1\n# a stand-in for the lock scaffold new resolves\n"
    (project / "uv.lock").write_text(lock, encoding="utf-8")
    assert git_init(project, {}, [])  # exactly what `scaffold new` does after `uv lock`
    use_templates(monkeypatch, make_v2(v1))
    code, output = scaffold("update", "--no-lock", str(project))
    assert code == 0, output
    assert read(project, "uv.lock") == lock
    assert "uv.lock" in git(project, "ls-tree", "--name-only", "scaffold/pristine")
    assert read(project, "pyproject.toml").endswith(V2_PYPROJECT_LINE + "\n")


def test_with_adds_an_extra_and_the_catalogue_rules_apply(project: Path) -> None:
    code, output = scaffold("update", "--with", "nginx", str(project))
    assert code == 0, output
    answers = yaml.safe_load(read(project, ".scaffold-answers.yml"))
    assert answers["extras"] == ["nginx"]
    before = state(project)
    # Kubernetes with SQLite breaks a catalogue rule: refused, nothing touched.
    code, output = scaffold("update", "--with", "kubernetes", str(project))
    assert code == 2 and "not supported" in output
    assert state(project) == before
    # --with adds to the extras already chosen; it never drops one.
    code, output = scaffold(
        "update", "--set", "database=postgresql", "--with", "kubernetes", str(project)
    )
    assert code == 0, output
    answers = yaml.safe_load(read(project, ".scaffold-answers.yml"))
    assert answers["extras"] == ["kubernetes", "nginx"]
    assert answers["database"] == "postgresql"


def test_update_works_from_a_sub_directory(
    project: Path, v1: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_templates(monkeypatch, make_v2(v1))
    code, output = scaffold("update", str(project / "src" / PKG))
    assert code == 0, output
    assert read(project, "pyproject.toml").endswith(V2_PYPROJECT_LINE + "\n")


@pytest.mark.parametrize("framework", ["fastapi", "flask", "django"])
@pytest.mark.parametrize("auth", ["none", "session", "jwt"])
def test_rendering_is_deterministic_apart_from_the_ignored_env(
    framework: str, auth: str, tmp_path: Path
) -> None:
    """Update relies on it: a render that differs run to run would be a change every time."""
    from scaffold.answers import resolve
    from scaffold.render import list_files, render_tree

    answers = resolve(
        [("test", {"project_name": PKG, "framework": framework, "auth": auth})]
    ).answers
    templates = copy_templates(TEMPLATES, tmp_path / "templates")
    first, second = tmp_path / "one", tmp_path / "two"
    render_tree(answers, first, template=templates)
    render_tree(answers, second, template=templates)
    files = [name for name in list_files(first) if name != ".env"]
    assert files == [name for name in list_files(second) if name != ".env"]
    differ = [name for name in files if (first / name).read_bytes() != (second / name).read_bytes()]
    assert differ == [], f"{framework}/{auth}: rendered differently twice: {differ}"


def test_a_current_project_is_checked_without_rendering(
    project: Path, v1: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The pristine commit made from the same answers, templates and scaffold version is what
    a render would give: check and a no-op update reuse it (a render is most of their time)."""
    from scaffold import render as render_mod

    renders: list[object] = []
    real_render = render_mod.render_tree

    def counting_render(*args: object, **kwargs: object) -> None:
        renders.append(args)
        real_render(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(render_mod, "render_tree", counting_render)
    code, output = scaffold("check", str(project))
    assert code == 0 and "current" in output, output
    code, output = scaffold("update", str(project))
    assert code == 0 and "up to date" in output, output
    assert renders == []
    # A hand-edited answer is a different render: it is rendered, and merged.
    answers = read(project, ".scaffold-answers.yml")
    edited = answers.replace("description: ", "description: Edited. ", 1)
    assert edited != answers
    (project / ".scaffold-answers.yml").write_text(edited, encoding="utf-8")
    commit_all(project)
    code, output = scaffold("update", str(project))
    assert code == 0 and "pyproject.toml" in output, output
    assert len(renders) == 1
    assert "Edited. " in read(project, "pyproject.toml")
