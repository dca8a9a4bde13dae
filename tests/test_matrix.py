"""The template smoke matrix: one test per combination, each proving every step passes.

``SCAFFOLD_MATRIX`` names the selection (``pairwise`` by default, ``all`` or ``default``);
``SCAFFOLD_MATRIX_FILTER`` narrows it like the CLI's filters (``framework=django
database=mysql,sqlite``) and ``SCAFFOLD_MATRIX_WITH`` adds extras (``redis,metrics``). The
combinations come from the catalogue via :func:`scaffold.smoke.select`. A step that needs a
server whose URL is unset makes the test skip naming the variable (CI sets them all), so an
incomplete run can never look green. Run them in parallel with ``pytest -m matrix -n 2``.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from scaffold import smoke

SELECTION = os.environ.get("SCAFFOLD_MATRIX", "pairwise")
FILTERS = smoke.parse_filters(
    {
        key: [values]
        for key, _, values in (
            word.partition("=") for word in os.environ.get("SCAFFOLD_MATRIX_FILTER", "").split()
        )
    }
)
EXTRAS = smoke.parse_extras([os.environ.get("SCAFFOLD_MATRIX_WITH", "")])
COMBOS = smoke.select(SELECTION, FILTERS, EXTRAS)


@pytest.mark.matrix
@pytest.mark.parametrize("combo", COMBOS, ids=smoke.combo_id)
def test_combination(combo: dict[str, str], tmp_path: Path) -> None:
    root = tmp_path / smoke.dir_name(combo)
    result = smoke.run_combination(combo, root)
    if result.failed:
        pytest.fail(
            f"{result.id}: {', '.join(s.name for s in result.failed)} failed "
            f"(full logs in {root / 'logs'})\n{smoke.failure_text(result)}",
            pytrace=False,
        )
    if result.missing_services:
        pytest.skip(f"{', '.join(result.missing_services)} not set: steps not run")
    assert [s.name for s in result.steps] == list(smoke.STEPS)
    assert all(s.status == smoke.PASSED for s in result.steps), result.to_json()
    shutil.rmtree(root, ignore_errors=True)  # a passing project's venv is only disk space
