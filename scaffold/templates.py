"""Where the Copier templates are.

In a wheel they are inside the package (``scaffold/templates``); in a source checkout they are
the repository's ``templates/``. ``SCAFFOLD_TEMPLATES`` points scaffold at any other template
directory: that is how a fork tries its own templates, and how the tests make a "version 2".
"""

from __future__ import annotations

import hashlib
import os
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


def fingerprint(root: Path | None = None) -> str:
    """A short digest of every template file, so a project knows which templates made it.

    Two template trees with the same files have the same fingerprint wherever they are
    installed, which is what ``scaffold check`` compares.
    """
    root = root or templates_dir()
    digest = hashlib.sha256()
    for file in sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(file.relative_to(root).as_posix().encode())
        digest.update(b"\0")
        digest.update(file.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()[:12]
