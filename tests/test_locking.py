"""What ``scaffold new`` says when ``uv lock`` fails: the cause in uv's words and the next step.

Observed (issues 15 and 18): `--set python_version=3.12` on a machine without that Python
exited 0 with `note: uv lock failed (               Python versions to be found at the same
time.); run \\`uv lock\\` in the project when online` - the last line of pyenv's message,
blaming the network. Each failure below is produced by the real uv.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from scaffold import locking, render
from scaffold.catalogue import defaults


def real_uv() -> Path:
    """The uv binary itself (not a pyenv shim), to put alone on a PATH."""
    found = shutil.which("uv")
    if found is None:
        pytest.fail("uv is required")
    path = Path(found).resolve()
    if path.read_bytes()[:2] == b"#!":  # a shim script: ask pyenv for the binary
        path = Path(subprocess.check_output(["pyenv", "which", "uv"], text=True).strip())
    return path


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tree = tmp_path_factory.mktemp("lock") / "p"
    render.render_tree({**defaults(), "project_name": "p"}, tree)
    return tree


def test_a_missing_interpreter_is_named_with_how_to_get_one(tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "uv").symlink_to(real_uv())
    (bin_dir / "git").symlink_to(shutil.which("git") or "/usr/bin/git")
    env = {**os.environ, "PATH": str(bin_dir), "UV_CACHE_DIR": str(tmp_path / "cache")}
    proc = subprocess.run(
        [sys.executable, "-m", "scaffold", "new", "p13", "-y", "--no-git",
         "--set", "python_version=3.13", "-o", str(tmp_path / "out")],
        env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=300,
        check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr  # the project is complete without a lock
    notes = proc.stdout[proc.stdout.index("note:") :].split("\n\n")[0]
    assert "no Python >=3.13 interpreter found" in notes, notes
    assert "uv python install 3.13" in notes
    assert "online" not in notes
    assert len(notes.strip().splitlines()) == 2, notes
    assert not (tmp_path / "out" / "p13" / "uv.lock").exists()


def test_offline_says_offline(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("UV_OFFLINE", "1")
    monkeypatch.setenv("UV_CACHE_DIR", str(tmp_path / "empty-cache"))
    note = locking.lock(project, "3.11")
    assert note is not None
    assert "the package index could not be reached" in note
    assert "when online" in note
    assert len(note.splitlines()) == 2


def test_an_unresolvable_dependency_says_which_and_what_to_fix(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    index = tmp_path / "empty-index"
    index.mkdir()  # an index with no packages at all: nothing satisfies any requirement
    monkeypatch.setenv("UV_DEFAULT_INDEX", index.as_uri())
    monkeypatch.setenv("UV_CACHE_DIR", str(tmp_path / "cache"))
    note = locking.lock(project, "3.11")
    assert note is not None
    assert note.startswith("uv lock failed: the dependencies cannot be resolved: Because ")
    assert "pyproject.toml" in note
    assert "online" not in note
    assert len(note.splitlines()) == 2


def test_the_pyenv_shim_message_is_read_as_a_missing_interpreter() -> None:
    """The exact stderr of the observation: uv asked a pyenv shim that had no 3.12 active."""
    stderr = """error: Failed to inspect Python interpreter from search path at `/root/.pyenv/shims/python3.12`
  cause: Querying Python at `/root/.pyenv/shims/python3.12` failed with exit status exit status: 127

         [stderr]
         pyenv: python3.12: command not found

         Note: See 'pyenv help global' for tips on allowing multiple
               Python versions to be found at the same time.
"""  # noqa: E501
    note = locking.explain(stderr, "3.12")
    assert (
        note.splitlines()[0] == "uv lock failed: no Python 3.12 interpreter found on this machine."
    )
    assert "online" not in note


def test_without_uv_the_note_says_how_to_install_it(
    project: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    note = locking.lock(project)
    assert note is not None
    assert note.startswith("uv not found: install it")
