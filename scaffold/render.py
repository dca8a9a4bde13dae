"""Render a project safely: into a temporary directory, then move it into place.

A failure or Ctrl-C at any point leaves the target exactly as it was (absent, or the empty
directory the user made): the half-written tree lives in a sibling temporary directory on the
same filesystem, which is removed on the way out, and the final step is a single rename.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from scaffold import __version__
from scaffold.templates import fingerprint, templates_dir

ANSWERS_FILE = ".scaffold-answers.yml"
PRISTINE_BRANCH = "scaffold/pristine"
TEMP_PREFIX = ".scaffold-tmp-"


class RenderError(RuntimeError):
    """Rendering could not start or finish; the message is one line for the user."""


@dataclass
class Rendered:
    path: Path
    files: list[str] = field(default_factory=list)
    locked: bool = False
    committed: bool = False
    notes: list[str] = field(default_factory=list)


def check_target(target: Path) -> None:
    """Refuse a target that exists and is not an empty directory."""
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise RenderError(f"{target} already exists and is not empty; choose another name")


def render_tree(answers: Mapping[str, object], dest: Path, *, template: Path | None = None) -> None:
    """Render the templates with ``answers`` into ``dest`` (fresh secrets every time)."""
    from copier import Settings, run_copy

    data = {
        **answers,
        "secret_key": secrets.token_urlsafe(50),
        "db_password": secrets.token_urlsafe(24),
        # Recorded in the answers file: the base `scaffold update` and `scaffold check` use.
        "_scaffold_templates": fingerprint(template or templates_dir(), str(answers["framework"])),
        "_scaffold_version": __version__,
    }
    with _without_copier_index_sync():
        run_copy(
            str(template or templates_dir()),
            dest,
            data=data,
            defaults=True,
            quiet=True,
            overwrite=True,
            settings=Settings(),
            unsafe=False,
        )


@contextmanager
def _without_copier_index_sync() -> Iterator[None]:
    """Skip Copier's per-file git calls, which cannot do anything where scaffold renders.

    Since 9.15 Copier runs ``git config core.fileMode`` (and, where it is false, ``git
    ls-files``) after writing each file, to fix the executable bit of files already *tracked* in
    the destination's git index. scaffold always renders into a new, empty directory (the
    staging directory of ``create``, or a temporary one for ``preview`` and ``update``), where no
    file is tracked, so the call is a no-op there; the ~40 git processes it spawns were about a
    quarter of ``scaffold new``'s wall time (benchmarks/RESULTS.md).
    """
    try:
        from copier._main import Worker
    except ImportError:  # a Copier without it: nothing to skip
        yield
        return
    name = "_sync_git_index_executable_bit"
    original = Worker.__dict__.get(name)
    if original is None:
        yield
        return
    setattr(Worker, name, lambda self, *args, **kwargs: None)
    try:
        yield
    finally:
        setattr(Worker, name, original)


def _render_or_fail(answers: Mapping[str, object], tree: Path, template: Path | None) -> None:
    try:
        render_tree(answers, tree, template=template)
    except Exception as error:  # copier, Jinja and OS errors alike: one line, no files
        raise RenderError(f"rendering failed: {type(error).__name__}: {error}") from error


def list_files(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


@contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """Treat SIGTERM like Ctrl-C so the temporary directory is cleaned up either way."""

    def handler(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    try:
        previous = signal.signal(signal.SIGTERM, handler)
    except ValueError:  # not the main thread: nothing to install
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def create(
    answers: Mapping[str, object],
    target: Path,
    *,
    git: bool = True,
    lock: bool = True,
    template: Path | None = None,
) -> Rendered:
    """Render a new project at ``target``; nothing is left behind unless it fully succeeds."""
    target = target.absolute()
    check_target(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    with _sigterm_as_interrupt():
        staging = Path(tempfile.mkdtemp(prefix=TEMP_PREFIX, dir=target.parent))
        try:
            tree = staging / target.name
            _render_or_fail(answers, tree, template)
            result = Rendered(path=target, files=list_files(tree))
            if lock:
                result.locked = uv_lock(tree, result.notes)
            if git:
                result.committed = git_init(tree, answers, result.notes)
            check_target(target)  # someone may have created it meanwhile
            if target.exists():
                target.rmdir()
            tree.rename(target)
            return result
        finally:
            shutil.rmtree(staging, ignore_errors=True)


def preview(answers: Mapping[str, object], *, template: Path | None = None) -> list[str]:
    """The files ``create`` would write, rendered in the system temp dir and thrown away."""
    with tempfile.TemporaryDirectory(prefix=TEMP_PREFIX) as tmp:
        tree = Path(tmp) / "project"
        _render_or_fail(answers, tree, template)
        return list_files(tree)


def uv_lock(tree: Path, notes: list[str]) -> bool:
    """Resolve uv.lock so the Dockerfile's ``uv sync --locked`` works from the first commit."""
    uv = shutil.which("uv")
    if uv is None:
        notes.append("uv not found: run `uv lock` in the project to create uv.lock")
        return False
    env = {**os.environ, "UV_PYTHON_DOWNLOADS": "never"}
    env.pop("VIRTUAL_ENV", None)
    proc = subprocess.run(
        [uv, "lock", "--quiet"], cwd=tree, env=env, capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["unknown error"])[-1]
        notes.append(f"uv lock failed ({last}); run `uv lock` in the project when online")
        return False
    return True


def git_env(answers: Mapping[str, object]) -> dict[str, str]:
    """Git identity for scaffold's own commits when the user has none configured."""
    env = dict(os.environ)
    for role in ("AUTHOR", "COMMITTER"):
        env.setdefault(f"GIT_{role}_NAME", str(answers.get("author_name") or "scaffold"))
        email = str(answers.get("author_email") or "scaffold@localhost")
        env.setdefault(f"GIT_{role}_EMAIL", email)
    return env


def _git(tree: Path, *args: str, env: Mapping[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", *args], cwd=tree, env=env, capture_output=True, text=True, check=True
    )


def _recorded_templates(tree: Path) -> str | None:
    """The template fingerprint the rendered answers file records, if any."""
    import yaml

    answers_file = tree / ANSWERS_FILE
    if not answers_file.is_file():
        return None
    recorded = yaml.safe_load(answers_file.read_text(encoding="utf-8")) or {}
    value = recorded.get("_scaffold_templates")
    return str(value) if value else None


def git_init(tree: Path, answers: Mapping[str, object], notes: list[str]) -> bool:
    """``git init`` and one initial commit; the pristine branch marks what scaffold generated."""
    if shutil.which("git") is None:
        notes.append("git not found: the project was not put under version control")
        return False
    env = git_env(answers)
    try:
        _git(tree, "init", "--quiet", "--initial-branch=main", env=env)
        _git(tree, "add", "--all", env=env)
        templates = _recorded_templates(tree)
        message = "Initial commit from scaffold"
        if templates:
            message += f" (templates {templates})"
        _git(tree, "commit", "--quiet", "--no-verify", "-m", message, env=env)
        _git(tree, "branch", PRISTINE_BRANCH, env=env)
    except subprocess.CalledProcessError as error:
        notes.append(f"git failed ({error.stderr.strip() or error}); the files are in place")
        return False
    return True
