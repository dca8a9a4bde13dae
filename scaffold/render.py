"""Render a project safely: into a temporary directory, then move it into place.

A failure or Ctrl-C at any point leaves the target exactly as it was (absent, or the empty
directory the user made): the half-written tree lives in a sibling temporary directory on the
same filesystem, which is removed on the way out, and the final step is a single rename.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from jinja2 import BytecodeCache, Environment, Template
from jinja2.bccache import Bucket

from scaffold import __version__, identity, locking
from scaffold.constants import ANSWERS_FILE, PRISTINE_BRANCH
from scaffold.errors import ScaffoldError
from scaffold.templates import fingerprint, templates_dir

TEMP_PREFIX = ".scaffold-tmp-"
KEEP_CACHES = 3  # compiled-template caches kept per framework (see CompiledTemplates)


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
    with _without_copier_index_sync(), _without_bundle_probe_of_directories(), cache.installed():
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


class CompiledTemplates(BytecodeCache):
    """Copier's compiled Jinja templates, kept between runs in one file of the user's cache.

    Compiling the templates (the ~40 files, and the ~400 path parts and answer defaults Copier
    renders with ``from_string``) is most of a render (benchmarks/RESULTS.md); this is to them
    what ``__pycache__`` is to modules. Jinja checks each entry against the source it was compiled
    from; the file name holds everything else the compiled code depends on (the template tree's
    fingerprint, which covers copier.yml's Jinja options, and the Python, Jinja and Copier
    versions). Without a usable cache directory everything is compiled as before.
    """

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.entries: dict[str, bytes] = {}
        self.changed = False
        if path is not None and _private_dir(path.parent):
            with suppress(OSError, ValueError, EOFError, TypeError):
                # Like a .pyc: code this user compiled, in a directory only this user can write.
                entries = marshal.loads(path.read_bytes())  # noqa: S302
                if isinstance(entries, dict):
                    self.entries = entries

    @classmethod
    def for_templates(cls, framework: str, fingerprint: str) -> CompiledTemplates:
        from importlib.metadata import version

        import jinja2

        cache_home = Path(os.environ.get("XDG_CACHE_HOME") or Path("~/.cache").expanduser())
        if not cache_home.is_absolute():
            return cls(None)
        depends = f"{sys.version}|{jinja2.__version__}|{version('copier')}|{fingerprint}"
        key = hashlib.sha256(depends.encode()).hexdigest()[:16]
        return cls(cache_home / "scaffold" / f"jinja-{framework}-{key}.marshal")

    def load_bytecode(self, bucket: Bucket) -> None:
        data = self.entries.get(bucket.key)
        if data is not None:
            bucket.bytecode_from_string(data)  # a stale or foreign entry leaves bucket.code None

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.entries[bucket.key] = bucket.bytecode_to_string()
        self.changed = True

    def from_string(self, env: Environment, source: str) -> Template:
        """``env.from_string(source)``, compiled once per source and kept like the files."""
        name = f"<string {hashlib.sha256(source.encode()).hexdigest()}>"
        bucket = self.get_bucket(env, name, None, source)
        if bucket.code is None:
            bucket.code = env.compile(source)
            self.set_bucket(bucket)
        return env.template_class.from_code(env, bucket.code, env.make_globals(None), None)

    @contextmanager
    def installed(self) -> Iterator[None]:
        """Give the Jinja environment Copier creates for the render this cache."""
        from copier._main import Worker

        original = Worker.__dict__.get("jinja_env")
        if not isinstance(original, cached_property):  # a Copier without it: compile as before
            yield
            return
        cache = self

        def jinja_env(worker: Worker) -> Environment:
            env = original.func(worker)
            env.bytecode_cache = cache
            compiled: dict[str, Template] = {}
            plain_from_string = env.from_string

            def from_string(
                source: Any, globals: Any = None, template_class: Any = None
            ) -> Template:
                if globals is not None or template_class is not None or type(source) is not str:
                    return plain_from_string(source, globals, template_class)
                if source not in compiled:
                    compiled[source] = cache.from_string(env, source)
                return compiled[source]

            env.from_string = from_string  # type: ignore[method-assign]
            return env

        patched = cached_property(jinja_env)
        patched.__set_name__(Worker, "jinja_env")
        Worker.jinja_env = patched  # type: ignore[method-assign]
        try:
            yield
        finally:
            Worker.jinja_env = original  # type: ignore[method-assign]

    def save(self) -> None:
        """Write the cache if this render compiled anything new; never fail the render."""
        if not self.changed or self.path is None:
            return
        folder = self.path.parent
        with suppress(OSError, ValueError):
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            if not _private_dir(folder):
                return
            fd, name = tempfile.mkstemp(dir=folder, prefix=".jinja-")
            tmp = Path(name)
            try:
                with os.fdopen(fd, "wb") as out:
                    out.write(marshal.dumps(self.entries))
                tmp.replace(self.path)
            finally:
                tmp.unlink(missing_ok=True)
            self.changed = False
            # Keep the latest few per framework (update renders two template versions); older
            # ones belong to templates or versions that are gone.
            prefix = self.path.name.rsplit("-", 1)[0]  # jinja-<framework>
            caches = sorted(folder.glob(f"{prefix}-*.marshal"), key=_mtime, reverse=True)
            for old in caches[KEEP_CACHES:]:
                with suppress(OSError):
                    old.unlink()


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def _private_dir(folder: Path) -> bool:
    """Whether ``folder`` is a directory of this user that no one else can write to."""
    try:
        info = folder.stat()
    except OSError:
        return False
    owner = os.getuid() if hasattr(os, "getuid") else info.st_uid  # no uids on Windows
    return folder.is_dir() and info.st_uid == owner and not info.st_mode & 0o022


@contextmanager
def _without_bundle_probe_of_directories() -> Iterator[None]:
    """Skip Copier's ``git bundle verify`` of a template that is a directory.

    To tell a local template's kind, Copier asks whether the path is a git bundle by running
    ``git init`` in a new temporary directory and ``git bundle verify`` there: two processes
    per render, although a bundle is a file and scaffold's templates are always a directory.
    Files still get the real check.
    """
    try:
        from copier import _vcs
    except ImportError:
        yield
        return
    original = getattr(_vcs, "is_git_bundle", None)
    if original is None:
        yield
        return

    def is_git_bundle(path: Path) -> bool:
        return False if Path(path).is_dir() else original(path)

    _vcs.is_git_bundle = is_git_bundle
    try:
        yield
    finally:
        _vcs.is_git_bundle = original


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
