"""A small, deterministic covering array for the smoke-test matrix.

Running every valid combination of the options is the only complete proof, but it grows as a
product; most template bugs need only two choices to meet (Django *and* MySQL, JWT *and*
GitLab). A *pairwise* covering array contains every pair of choices that any valid combination
contains, in far fewer rows. On top of that, the framework x database x auth triples are always
run in full, because those three options shape the generated code the most.

The algorithm is a plain greedy one over the valid combinations (the catalogue's rules already
removed the invalid ones), so it stays correct when options, choices or rules change, and it is
deterministic: the same catalogue always gives the same rows, in catalogue order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from itertools import combinations as _pairs_of

Combo = Mapping[str, str]
Pair = tuple[tuple[str, str], tuple[str, str]]


def pairs(combo: Combo, keys: Sequence[str]) -> set[Pair]:
    """Every pair of (key, value) choices that ``combo`` contains, over ``keys``."""
    items = [(key, combo[key]) for key in keys]
    return set(_pairs_of(items, 2))


def projection(combo: Combo, keys: Sequence[str]) -> tuple[str, ...]:
    """The values ``combo`` has for ``keys``, in that order."""
    return tuple(combo[key] for key in keys)


def covering_array(
    candidates: Iterable[Combo],
    keys: Sequence[str],
    full: Sequence[str] = (),
) -> list[dict[str, str]]:
    """Pick rows from ``candidates`` so every pair of choices and every ``full`` tuple appears.

    ``candidates`` are the valid combinations (all of them: a pair that no valid combination
    contains cannot be covered and is not asked for). ``full`` names keys whose value tuples must
    all appear, e.g. framework x database x auth. Each row is the candidate that covers the most
    pairs not yet covered; ties go to the earliest candidate, which makes the result stable.
    """
    pool = [dict(c) for c in candidates]
    if not pool:
        return []
    keys = list(keys)
    full = [key for key in full if key in keys]
    uncovered: set[Pair] = set().union(*(pairs(c, keys) for c in pool))
    chosen: list[dict[str, str]] = []
    taken: set[int] = set()

    def take(index: int) -> None:
        taken.add(index)
        chosen.append(pool[index])
        uncovered.difference_update(pairs(pool[index], keys))

    def best(indices: Iterable[int]) -> int:
        # max() keeps the first of equal scores: the earliest candidate wins a tie.
        return max(indices, key=lambda i: len(pairs(pool[i], keys) & uncovered))

    if full:
        groups: dict[tuple[str, ...], list[int]] = {}
        for index, combo in enumerate(pool):
            groups.setdefault(projection(combo, full), []).append(index)
        for members in groups.values():
            take(best(members))
    while uncovered:
        remaining = [i for i in range(len(pool)) if i not in taken]
        take(best(remaining))
    order = {id(combo): index for index, combo in enumerate(pool)}
    return sorted(chosen, key=lambda combo: order[id(combo)])


def spread_extras(
    rows: Sequence[Combo],
    key: str,
    choices: Sequence[str],
    is_valid: Callable[[Mapping[str, object]], bool],
    spread_over: Sequence[str] = ("framework", "database"),
) -> list[dict[str, str]]:
    """Add multi-choice values (extras) to ``rows`` so each meets every value of ``spread_over``.

    A covering array over the single-choice options says nothing about extras, yet an extra is
    code in every framework's template. Each extra is added to the row with the fewest extras
    among those that have the value still unpaired with it (every framework first, then every
    database; ties go to the framework with the fewest extras so far), as long as ``is_valid``
    accepts the result. Where a rule makes an extra need
    another (a worker needs Redis), the companion comes along. Pairs that no row can hold
    validly (Kubernetes on SQLite) are skipped. The result is deterministic, in row order, with
    ``key`` set to the comma-joined extras of each row that has any.
    """
    result = [dict(row) for row in rows]
    picked: list[set[str]] = [set() for _ in result]

    def load(index: int) -> int:
        """Extras already given to rows of this row's framework: spread them evenly."""
        group = result[index][spread_over[0]]
        return sum(
            len(p) for p, row in zip(picked, result, strict=True) if row[spread_over[0]] == group
        )

    def attempt(index: int, extra: str) -> bool:
        for companions in ((), *((other,) for other in choices if other != extra)):
            trial = picked[index] | {extra, *companions}
            if is_valid({**result[index], key: sorted(trial, key=choices.index)}):
                picked[index] = trial
                return True
        return False

    for extra in choices:
        for spread_key in spread_over:
            for value in dict.fromkeys(row[spread_key] for row in result):
                members = [i for i, row in enumerate(result) if row[spread_key] == value]
                if any(extra in picked[i] for i in members):
                    continue
                for index in sorted(members, key=lambda i: (len(picked[i]), load(i), i)):
                    if attempt(index, extra):
                        break
    for row, extras in zip(result, picked, strict=True):
        if extras:
            row[key] = ",".join(sorted(extras, key=choices.index))
    return result
