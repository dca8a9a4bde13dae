"""What a smoke run covers: which combinations of the catalogue, and which steps of each.

Combinations come from :mod:`scaffold.catalogue` (invalid ones are excluded by its rules), so a
new option or choice is smoke-tested without touching this package. Steps are named here with
what each needs to have passed first, so ``--steps pytest`` brings ``render`` and ``sync`` along.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from scaffold import catalogue
from scaffold.pairwise import covering_array, spread_extras

STEPS: tuple[str, ...] = (
    "render",
    "sync",
    "ruff",
    "pytest",
    "checks",
    "dev",
    "fuzz",
    "prod",
    "image",
)
SELECTIONS: tuple[str, ...] = ("all", "pairwise", "default")
#: Keys whose value tuples the pairwise selection always runs in full.
FULL_KEYS: tuple[str, ...] = ("framework", "database", "auth")
#: How CI splits the full matrix into jobs (see .github/workflows/templates.yml).
SHARD_KEYS: tuple[str, ...] = ("framework", "database")
#: What each step needs to have passed first (a step asked for brings these along).
NEEDS: dict[str, tuple[str, ...]] = {
    "render": (),
    "sync": ("render",),
    "ruff": ("render", "sync"),
    "pytest": ("render", "sync"),
    "checks": ("render", "sync"),
    "dev": ("render", "sync"),
    # Fuzzing a server that does not even answer /health would only repeat dev's failure.
    "fuzz": ("render", "sync", "dev"),
    "prod": ("render", "sync"),
    "image": ("render",),
}


def combo_id(combo: Mapping[str, str]) -> str:
    """A readable id, e.g. ``fastapi-postgresql-jwt-github`` (matrix keys, catalogue order).

    Extras, when a run adds them, follow as ``+redis+metrics``.
    """
    base = "-".join(combo[key] for key in catalogue.MATRIX_KEYS)
    option = extras_option()
    extras = combo.get(option.key, "") if option else ""
    return base + "".join(f"+{value}" for value in extras.split(",") if value)


def dir_name(combo: Mapping[str, str]) -> str:
    """The combination's id as a directory name: letters, digits, ``-`` and ``_`` only.

    A ``+`` in the project's path is legal, but URL-style settings (``sqlite:///<path>``) read it
    as a space; the smoke test must not fail a template for the name of its own work directory.
    """
    return combo_id(combo).replace("+", "_with_", 1).replace("+", "_")


def extras_option() -> catalogue.Option | None:
    """The catalogue's multi-choice option (``--with``), if it has one."""
    return next((o for o in catalogue.OPTIONS if o.kind == "multi"), None)


def parse_extras(raw: Iterable[str]) -> tuple[str, ...]:
    """Validate ``--with`` values (comma-separated allowed) against the catalogue."""
    values = [v.strip() for value in raw for v in value.split(",") if v.strip()]
    if not values:
        return ()
    option = extras_option()
    if option is None:
        raise ValueError("this catalogue has no extras")
    for value in values:
        if value not in option.values:
            raise ValueError(f"{value!r} is not an extra ({', '.join(option.values)})")
    return tuple(dict.fromkeys(values))


def parse_filters(raw: Mapping[str, Iterable[str] | None]) -> dict[str, tuple[str, ...]]:
    """Validate ``{key: [values]}`` filters (comma-separated values allowed) against the catalogue.

    Raises ``ValueError`` naming the bad key or value and what is allowed, so a typo in a CI
    shard never silently selects nothing.
    """
    filters: dict[str, tuple[str, ...]] = {}
    for key, values in raw.items():
        if values is None:
            continue
        if key not in catalogue.MATRIX_KEYS:
            raise ValueError(f"{key} is not a matrix option ({', '.join(catalogue.MATRIX_KEYS)})")
        option = catalogue.OPTIONS_BY_KEY[key]
        split = [v.strip() for value in values for v in value.split(",") if v.strip()]
        for value in split:
            if value not in option.values:
                raise ValueError(f"{value!r} is not a choice of {key} ({', '.join(option.values)})")
        if split:
            filters[key] = tuple(dict.fromkeys(split))
    return filters


def select(
    selection: str = "pairwise",
    filters: Mapping[str, Sequence[str]] | None = None,
    extras: Sequence[str] = (),
) -> list[dict[str, str]]:
    """The combinations a selection runs, after the filters, in catalogue order.

    ``all``: every valid combination. ``pairwise``: a covering array of the filtered
    combinations that always includes every framework x database x auth triple. ``default``:
    each framework's default project (the catalogue default for every other matrix option that
    is not filtered). ``extras`` are added to
    every combination (``scaffold new --with``); combinations the catalogue's rules forbid with
    them (Kubernetes on SQLite) are left out.
    """
    if selection not in SELECTIONS:
        raise ValueError(f"unknown selection {selection!r} ({', '.join(SELECTIONS)})")
    filters = filters or {}
    universe = [
        combo
        for combo in catalogue.combinations()
        if all(combo[key] in values for key, values in filters.items())
    ]
    option = extras_option()
    if extras and option is not None:
        base = catalogue.defaults()
        universe = [
            {**combo, option.key: ",".join(extras)}
            for combo in universe
            if not catalogue.violations({**base, **combo, option.key: list(extras)})
        ]
    if selection == "all":
        return universe
    if selection == "default":
        defaults = catalogue.defaults()
        fixed = [k for k in catalogue.MATRIX_KEYS if k not in filters and k != "framework"]
        return [combo for combo in universe if all(combo[k] == defaults[k] for k in fixed)]
    rows = covering_array(universe, catalogue.MATRIX_KEYS, FULL_KEYS)
    if option is None or extras:
        return rows
    # Every extra meets every framework (and every database its rules allow) somewhere.
    base = catalogue.defaults()
    return spread_extras(
        rows, option.key, option.values, lambda combo: not catalogue.violations({**base, **combo})
    )


def shards(keys: Sequence[str] = SHARD_KEYS) -> list[dict[str, str]]:
    """CI shards of the full matrix: one per valid value tuple of ``keys``, with its flags.

    Each is ``{"name": "django-mysql", "args": "--framework django --database mysql"}``, so a
    workflow can fan out over the catalogue without keeping its own list of choices.
    """
    seen: dict[tuple[str, ...], dict[str, str]] = {}
    for combo in catalogue.combinations():
        values = tuple(combo[key] for key in keys)
        if values not in seen:
            flags = [
                f"{catalogue.OPTIONS_BY_KEY[key].flag or '--' + key.replace('_', '-')} {value}"
                for key, value in zip(keys, values, strict=True)
            ]
            seen[values] = {"name": "-".join(values), "args": " ".join(flags)}
    return list(seen.values())


def with_needs(steps: Iterable[str]) -> tuple[str, ...]:
    """``steps`` plus the steps they need, in run order; ``ValueError`` for an unknown one."""
    steps = list(steps)
    unknown = [s for s in steps if s not in STEPS]
    if unknown:
        raise ValueError(f"unknown steps {', '.join(unknown)} ({', '.join(STEPS)})")
    wanted = set(steps).union(*(NEEDS[s] for s in steps))
    return tuple(s for s in STEPS if s in wanted)
