"""Fixtures of the `scaffold update` tests (tests/test_update*.py); helpers in
tests/update_helpers.py. None is autouse: the update modules ask for ``git_identity`` with
``pytestmark``, so no other test's git configuration changes.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.projects import TEMPLATES
from tests.update_helpers import BINARY, copy_templates, new_project, use_templates


@pytest.fixture
def git_identity(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Commits need an identity; nothing from the machine's git config leaks in."""
    config = tmp_path / "gitconfig"
    config.write_text("[user]\n\tname = Test User\n\temail = test@example.com\n")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(config))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")


@pytest.fixture
def v1(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of the templates, plus a binary file, in use for ``scaffold new``."""
    root = copy_templates(TEMPLATES, tmp_path / "v1")
    (root / "fastapi" / "assets").mkdir(exist_ok=True)
    (root / "fastapi" / "assets" / "logo.bin").write_bytes(BINARY)
    use_templates(monkeypatch, root)
    return root


@pytest.fixture
def project(v1: Path, tmp_path: Path) -> Path:
    """A FastAPI project (no auth, no lock) generated from v1 and committed."""
    return new_project(tmp_path / "work")
