"""Where scaffold reaches into Copier: three patches, all in effect only during a render.

Copier has no public hook for these, so each replaces one private attribute for the duration of
:func:`patched` and puts it back. Each checks that the attribute is there and otherwise leaves
Copier alone (a render still works, only slower); tests/test_copier_patches.py fails loudly when
a Copier upgrade removes or renames one, so the loss is never silent.

- ``Worker._sync_git_index_executable_bit``: per-file git calls, pointless in a new directory.
- ``copier._vcs.is_git_bundle``: a ``git init`` + ``git bundle verify`` probe of a directory.
- ``Worker.jinja_env``: given :class:`CompiledTemplates`, the compiled-template cache.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from functools import cached_property
from pathlib import Path
from typing import Any

from jinja2 import BytecodeCache, Environment, Template
from jinja2.bccache import Bucket

KEEP_CACHES = 3  # compiled-template caches kept per framework (see CompiledTemplates)


@contextmanager
def patched(cache: CompiledTemplates) -> Iterator[None]:
    """All three patches, for one render."""
    with without_copier_index_sync(), without_bundle_probe_of_directories(), cache.installed():
        yield


@contextmanager
def without_copier_index_sync() -> Iterator[None]:
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
def without_bundle_probe_of_directories() -> Iterator[None]:
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
