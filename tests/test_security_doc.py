"""Each generated SECURITY.md names only tests that exist in the project it describes.

SECURITY.md maps OWASP ASVS items to the tests that prove them; a renamed or missing test would
make the document claim a proof the project does not have. Render only: no install, fast.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from scaffold import render
from scaffold.catalogue import OPTIONS_BY_KEY, defaults, violations

REFERENCE = re.compile(r"`(tests/[\w/]+\.py)(?:::(\w+))?`")


def defined_tests(path: Path) -> set[str]:
    """The names of the test functions defined at the top level of ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {
        node.name
        for node in tree.body
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.name.startswith("test_")
    }


@pytest.mark.parametrize("framework", OPTIONS_BY_KEY["framework"].values)
@pytest.mark.parametrize("auth", OPTIONS_BY_KEY["auth"].values)
@pytest.mark.parametrize("database", ["sqlite", "mongodb"])
@pytest.mark.parametrize("extras", [[], ["redis"], ["every extra"]])
def test_security_md_names_tests_that_exist(
    framework: str, auth: str, database: str, extras: list[str], tmp_path: Path
) -> None:
    answers = {**defaults(), "framework": framework, "auth": auth, "database": database}
    if extras == ["every extra"]:  # each extra the rules allow here, with what it requires
        extras = [
            e
            for e in OPTIONS_BY_KEY["extras"].values
            if not violations({**answers, "extras": [e, "redis"]})
        ]
    answers["extras"] = extras
    if violations(answers):
        pytest.skip("not a valid combination")
    render.render_tree(answers, tmp_path / "p")
    project = tmp_path / "p"
    text = (project / "SECURITY.md").read_text(encoding="utf-8")
    references = REFERENCE.findall(text)
    assert references, "SECURITY.md names no test"
    missing = []
    for file, name in references:
        path = project / file
        if not path.is_file():
            missing.append(file)
        elif name and name not in defined_tests(path):
            missing.append(f"{file}::{name}")
    assert not missing, f"SECURITY.md names tests the project does not have: {missing}"
