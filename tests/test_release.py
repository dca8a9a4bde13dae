"""Installing by name and releasing with one tag.

Observed (issue 18): `pip install scaffold` installed an unrelated 2013 project, and the
generated README linked to it.
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import yaml

from scaffold import __version__, render
from scaffold.catalogue import defaults
from tests.projects import REPO

DISTRIBUTION = "scaffold-backend"


def test_the_distribution_has_its_own_name_and_the_command_is_still_scaffold() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["name"] == DISTRIBUTION
    assert list(project["scripts"]) == ["scaffold"]
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert f"uv tool install {DISTRIBUTION}" in readme
    assert f"pipx install {DISTRIBUTION}" in readme


def test_the_generated_readme_links_this_project_not_the_unrelated_one(tmp_path: Path) -> None:
    tree = tmp_path / "p"
    render.render_tree({**defaults(), "project_name": "p"}, tree)
    text = (tree / "README.md").read_text(encoding="utf-8")
    assert "pypi.org/project/scaffold/" not in text
    assert f"pypi.org/project/{DISTRIBUTION}/" in text


def test_a_release_is_one_tag_with_the_version_from_one_place() -> None:
    printed = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "release_version.py")],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    assert printed == __version__
    changelog = (REPO / "CHANGELOG.md").read_text(encoding="utf-8")
    assert f"## [{__version__}]" in changelog
    workflow = yaml.safe_load((REPO / ".github/workflows/release.yml").read_text("utf-8"))
    assert workflow[True]["push"]["tags"] == ["v*"]  # YAML reads the key `on` as True
    publish = workflow["jobs"]["publish"]
    assert publish["permissions"] == {"id-token": "write"}  # trusted publishing, no token
    uses = [step.get("uses", "") for step in publish["steps"]]
    assert any(u.startswith("pypa/gh-action-pypi-publish@") for u in uses)
    assert "password" not in (REPO / ".github/workflows/release.yml").read_text("utf-8")
