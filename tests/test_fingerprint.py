"""``fingerprint`` walks only a framework's part of the tree; it must digest what the walk of
the whole tree, filtered, digested before (the value projects record in their answers file)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from scaffold.templates import fingerprint, templates_dir


def whole_tree_fingerprint(root: Path, framework: str | None) -> str:
    """The original definition: every file of the tree, then the framework's filter."""
    digest = hashlib.sha256()
    for file in sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        relative = file.relative_to(root)
        if framework and relative.parts[0] not in {"copier.yml", "_shared", framework}:
            continue
        digest.update(relative.as_posix().encode())
        digest.update(b"\0")
        digest.update(file.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()[:12]


@pytest.mark.parametrize("framework", [None, "", "fastapi", "flask", "django", "nope", "..", "."])
def test_installed_templates(framework: str | None) -> None:
    root = templates_dir()
    assert fingerprint(root, framework) == whole_tree_fingerprint(root, framework)


def test_links_files_and_caches_count_as_before(tmp_path: Path) -> None:
    root = tmp_path / "t"
    (root / "_shared" / "__pycache__").mkdir(parents=True)
    (root / "_shared" / "__pycache__" / "x.pyc").write_bytes(b"ignored")
    (root / "_shared" / "a.jinja").write_text("a")
    (root / "copier.yml").write_text("x: 1")
    (root / "other").mkdir()
    (root / "other" / "b").write_text("b")
    (root / "fastapi").symlink_to(root / "other", target_is_directory=True)  # not followed
    (root / "flask").write_text("a file named like a framework")
    for framework in (None, "fastapi", "flask", "other", "_shared/a.jinja"):
        assert fingerprint(root, framework) == whole_tree_fingerprint(root, framework), framework
