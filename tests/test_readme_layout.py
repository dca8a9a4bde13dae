"""The generated README reads as written by hand: one blank line around each heading, no more.

Its sections are assembled from blocks and per-extra partials; Jinja's whitespace control made
a heading run on from the paragraph before it (Django, with every extra and with none).
Render only: fast.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from scaffold import render
from scaffold.catalogue import OPTIONS_BY_KEY, defaults, violations


def every_extra(answers: dict[str, object]) -> list[str]:
    """Each extra the rules allow with ``answers``, with the redis extra some of them need."""
    return [
        extra
        for extra in OPTIONS_BY_KEY["extras"].values
        if not violations({**answers, "extras": [extra, "redis"]})
    ]


@pytest.mark.parametrize("framework", OPTIONS_BY_KEY["framework"].values)
@pytest.mark.parametrize("with_extras", [False, True])
def test_headings_stand_apart_and_no_blank_lines_pile_up(
    framework: str, with_extras: bool, tmp_path: Path
) -> None:
    answers = {**defaults(), "framework": framework, "database": "postgresql"}
    answers["extras"] = every_extra(answers) if with_extras else []
    render.render_tree(answers, tmp_path / "p")
    lines = (tmp_path / "p" / "README.md").read_text(encoding="utf-8").split("\n")
    fenced = False
    for number, line in enumerate(lines):
        if line.startswith("```"):
            fenced = not fenced
        if fenced or not line.startswith("#") or number == 0:
            continue
        assert lines[number - 1] == "", f"line {number + 1}: no blank line before {line!r}"
        assert lines[number + 1] == "", f"line {number + 1}: no blank line after {line!r}"
    text = "\n".join(lines)
    assert "\n\n\n" not in text, text[text.index("\n\n\n") - 200 :][:300]
