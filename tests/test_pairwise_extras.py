"""The pairwise selection puts every extra in front of every framework and database."""

from __future__ import annotations

from scaffold import catalogue, smoke
from scaffold.pairwise import covering_array, spread_extras


def _extras(row: dict[str, str]) -> list[str]:
    option = smoke.extras_option()
    assert option is not None
    return [e for e in row.get(option.key, "").split(",") if e]


def test_every_extra_meets_every_framework_and_every_database_its_rules_allow() -> None:
    option = smoke.extras_option()
    assert option is not None and option.values, "the catalogue has extras"
    rows = smoke.select("pairwise")
    base = catalogue.defaults()
    for row in rows:
        answers = {**base, **row, option.key: _extras(row)}
        assert not catalogue.violations(answers), row
    for extra in option.values:
        for key in ("framework", "database"):
            for value in catalogue.OPTIONS_BY_KEY[key].values:
                possible = any(
                    not catalogue.violations({**base, **combo, option.key: [extra, *companion]})
                    for combo in catalogue.combinations()
                    if combo[key] == value
                    for companion in ((), *((other,) for other in option.values))
                )
                present = any(row[key] == value and extra in _extras(row) for row in rows)
                assert present == possible, (extra, key, value)


def test_the_matrix_options_are_still_the_plain_covering_array() -> None:
    plain = covering_array(catalogue.combinations(), catalogue.MATRIX_KEYS, smoke.FULL_KEYS)
    rows = smoke.select("pairwise")
    assert [{k: r[k] for k in catalogue.MATRIX_KEYS} for r in rows] == plain


def test_a_required_companion_comes_along_and_impossible_pairs_are_skipped() -> None:
    rows = [
        {"framework": "a", "database": "file"},
        {"framework": "b", "database": "server"},
    ]

    def valid(combo: dict[str, object]) -> bool:
        extras = combo.get("extras", [])
        if "queue" in extras and "cache" not in extras:
            return False  # the queue needs the cache
        return not ("cluster" in extras and combo["database"] == "file")

    spread = spread_extras(rows, "extras", ["cache", "queue", "cluster"], valid)
    assert spread[0]["extras"] == "cache,queue"
    assert "cluster" in spread[1]["extras"].split(",")
    assert "queue" in spread[1]["extras"].split(",")
    assert "cache" in spread[1]["extras"].split(",")
    assert spread_extras(rows, "extras", ["cache", "queue", "cluster"], valid) == spread
