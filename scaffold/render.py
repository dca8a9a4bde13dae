"""Render a project safely: into a temporary directory, then move it into place.

A failure or Ctrl-C at any point leaves the target exactly as it was (absent, or the empty
directory the user made): the half-written tree lives in a sibling temporary directory on the
same filesystem, which is removed on the way out, and the final step is a single rename.
"""

from __future__ import annotations

import secrets
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from scaffold import __version__, copier_patches, identity, locking
from scaffold.constants import ANSWERS_FILE, PRISTINE_BRANCH
from scaffold.copier_patches import CompiledTemplates
from scaffold.errors import ScaffoldError
from scaffold.templates import fingerprint, templates_dir

TEMP_PREFIX = ".scaffold-tmp-"


class RenderError(ScaffoldError):
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
    cache = CompiledTemplates.for_templates(str(answers["framework"]), data["_scaffold_templates"])
    with copier_patches.patched(cache):
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
    cache.save()


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
                result.locked = uv_lock(tree, result.notes, str(answers.get("python_version")))
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


def uv_lock(tree: Path, notes: list[str], python: str | None = None) -> bool:
    """Resolve uv.lock so the Dockerfile's ``uv sync --locked`` works from the first commit.

    A failure is not fatal (the project is complete without a lock file); the note says why,
    in uv's words, and what to do next (see :mod:`scaffold.locking`).
    """
    failure = locking.lock(tree, python)
    if failure is None:
        return True
    notes.append(failure)
    return False


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
    env = identity.commit_env(answers, tree)
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
