"""What the `scaffold update` tests share: a git helper, a "v2" of the templates, a project.

The fixtures that use these are in tests/conftest.py. Every test copies the templates to a
temporary "v1" first (the templates are edited by other people while these tests run) and points
scaffold at it with SCAFFOLD_TEMPLATES; "v2" is a copy of v1 with a few edits. Files are picked
by role (pyproject.toml, config.py, a file that only exists with auth) so template content
changes do not break the tests.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scaffold.cli import app
from scaffold.templates import ENV_VAR

runner = CliRunner()

BINARY = bytes(range(256)) * 4  # NUL bytes, every byte value: git treats it as binary
PKG = "demo"
V2_PYPROJECT_LINE = "# v2: a template change at the end of pyproject.toml"
V2_CONFIG_LINE = "# v2: a template change at the end of config.py"
V2_GITIGNORE_LINE = "# v2: a template change at the end of .gitignore"


def git(project: Path, *args: str, check: bool = True) -> str:
    proc = subprocess.run(["git", *args], cwd=project, capture_output=True, text=True, check=False)
    if check and proc.returncode != 0:
        pytest.fail(f"git {' '.join(args)} failed: {proc.stderr}")
    return proc.stdout


def commit_all(project: Path, message: str = "user edits") -> None:
    git(project, "add", "--all")
    git(project, "commit", "--quiet", "--no-verify", "-m", message)


def scaffold(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def use_templates(monkeypatch: pytest.MonkeyPatch, root: Path) -> None:
    monkeypatch.setenv(ENV_VAR, str(root))


def copy_templates(src: Path, dest: Path) -> Path:
    shutil.copytree(src, dest, ignore=shutil.ignore_patterns("__pycache__"))
    return dest


def fastapi_template(root: Path, rendered: str) -> Path:
    """The template file that renders to ``rendered`` in a FastAPI project."""
    path = root / "fastapi" / (rendered.replace(PKG, "{{ package_name }}") + ".jinja")
    assert path.is_file(), f"no template for {rendered}: the test needs updating"
    return path


def append_line(path: Path, line: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert "{% extends" not in text, f"{path} uses blocks; appending would be ignored"
    if not text.endswith("\n"):
        text += "\n"
    path.write_text(text + line + "\n", encoding="utf-8")


def state(project: Path) -> tuple[str, str, str, str]:
    """Refs, status, the work tree listing and the object count: all an update may change."""
    files = "\n".join(
        f"{p.relative_to(project)}:{p.stat().st_mtime_ns}"
        for p in sorted(project.rglob("*"))
        if p.is_file() and ".git" not in p.relative_to(project).parts
    )
    return (
        git(project, "for-each-ref"),
        git(project, "status", "--porcelain", "--ignored"),
        files,
        git(project, "count-objects", "-v"),
    )


def conflicts_of(project: Path) -> set[str]:
    return set(git(project, "diff", "--name-only", "--diff-filter=U").split())


def make_v2(v1: Path, edit: Callable[[Path], None] | None = None) -> Path:
    """v1 plus the standard v2 changes (lines appended at the end of three files)."""
    root = copy_templates(v1, v1.parent / f"v2-{len(list(v1.parent.glob('v2-*')))}")
    append_line(fastapi_template(root, "pyproject.toml"), V2_PYPROJECT_LINE)
    append_line(fastapi_template(root, f"src/{PKG}/config.py"), V2_CONFIG_LINE)
    append_line(fastapi_template(root, ".gitignore"), V2_GITIGNORE_LINE)
    if edit is not None:
        edit(root)
    return root


def new_project(where: Path, *extra: str, lock: bool = False) -> Path:
    flags = [] if lock else ["--no-lock"]
    code, output = scaffold("new", PKG, "-y", *flags, "-o", str(where), "-a", "none", *extra)
    assert code == 0, output
    return where / PKG


def read(project: Path, name: str) -> str:
    return (project / name).read_text(encoding="utf-8")


def append_to(project: Path, name: str, line: str) -> None:
    """The user's edit: ``line`` at the end of the project's file ``name``, committed."""
    with (project / name).open("a", encoding="utf-8") as handle:
        handle.write(line + "\n")
    commit_all(project)


def use_v2_adding(monkeypatch: pytest.MonkeyPatch, v1: Path, files: Mapping[str, str]) -> Path:
    """Point scaffold at a v2 whose FastAPI template also adds ``files`` (name: content)."""

    def add(root: Path) -> None:
        for name, text in files.items():
            (root / "fastapi" / name).write_text(text, encoding="utf-8")

    v2 = make_v2(v1, add)
    use_templates(monkeypatch, v2)
    return v2


def expect(code: int, text: str, *args: str) -> str:
    """Run ``scaffold args``; assert its exit code and that ``text`` is in its output."""
    got, output = scaffold(*args)
    assert got == code and text in output, output
    return output
