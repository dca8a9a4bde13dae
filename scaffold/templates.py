"""Where the Copier templates are.

In a wheel they are inside the package (``scaffold/templates``); in a source checkout they are
the repository's ``templates/``. ``SCAFFOLD_TEMPLATES`` points scaffold at any other template
directory: that is how a fork tries its own templates, and how the tests make a "version 2".
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Iterator
from pathlib import Path

ENV_VAR = "SCAFFOLD_TEMPLATES"


def templates_dir() -> Path:
    """The template directory in use (the one holding copier.yml)."""
    override = os.environ.get(ENV_VAR)
    if override:
        return Path(override).expanduser().resolve()
    packaged = Path(__file__).resolve().parent / "templates"
    if (packaged / "copier.yml").is_file():
        return packaged
    return Path(__file__).resolve().parent.parent / "templates"


def fingerprint(root: Path | None = None, framework: str | None = None) -> str:
    """A short digest of the template files, so a project knows which templates made it.

    With ``framework``, only what renders that framework counts (``copier.yml``, ``_shared/``
    and the framework's own tree), so a change to the Django template does not make a FastAPI
    project look out of date. Two template trees with the same files have the same
    fingerprint wherever they are installed, which is what ``scaffold check`` compares.
    """
    root = root or templates_dir()
    digest = hashlib.sha256()
    for file in sorted(_files(root, framework)):
        relative = file.relative_to(root)
        digest.update(relative.as_posix().encode())
        digest.update(b"\0")
        digest.update(file.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()[:12]


def _files(root: Path, framework: str | None) -> Iterator[Path]:
    """The files ``fingerprint`` reads: all of ``root``, or what renders ``framework``.

    For a framework only ``copier.yml``, ``_shared/`` and its own tree are walked, rather than
    walking every framework's tree and dropping the others: this runs on every render. The
    files are the same ones the whole-tree walk would keep (``rglob`` does not descend into a
    linked directory, so neither is one of these three followed when it is a link).
    """
    if not framework:
        tops: Iterable[Path] = [root]
    else:
        names = {"copier.yml", "_shared", framework}
        # Only a plain name can be a first path part; anything else ("a/b", "..") matches none.
        tops = [
            root / name
            for name in sorted(names)
            if name not in {".", ".."} and "/" not in name and os.sep not in name
        ]
    for top in tops:
        if top is not root and top.is_file():
            candidates: Iterable[Path] = [top]
        elif top is root or (top.is_dir() and not top.is_symlink()):
            candidates = top.rglob("*")
        else:
            continue
        yield from (p for p in candidates if p.is_file() and "__pycache__" not in p.parts)
