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

from collections.abc import Iterable, Mapping, Sequence
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
