"""The only part of an update that changes the repository: moving refs and files.

Everything before this was planned in a scratch object store. Here each ref move is recorded
(:class:`RefMoves`) so that a failure or a signal puts the branch, the pristine branch, the
index and the files back exactly as they were; signals are held while a step runs, so the
repository is never caught between two steps. A clean merge becomes a merge commit with a
two-way checkout (which never overwrites untracked files); a merge with conflicts is git's own
``git merge``, left in progress for the user (``git merge --abort`` returns to the start).
"""

from __future__ import annotations

from dataclasses import dataclass

from scaffold import gitops
from scaffold.update.errors import Interrupted, UpdateError
from scaffold.update.outcome import Outcome
from scaffold.update.plan import STATUS, Plan
from scaffold.update.project import PRISTINE_BRANCH, PRISTINE_REF

UNDONE = "interrupted: the update was undone; nothing was changed"


@dataclass
class RefMoves:
    """The refs an update moves, to put them back if it must stop."""

    git: gitops.Git
    head_before: str
    pristine_before: str | None
    pristine_after: str | None = None

    def set_pristine(self, new: str) -> None:
        self.git.run(
            "update-ref",
            "-m",
            "scaffold update",
            PRISTINE_REF,
            new,
            self.pristine_before or "0" * 40,
        )
        self.pristine_after = new

    def move_head(self, new: str, old: str, message: str) -> None:
        """Check out ``new`` over ``old`` (a two-way checkout keeps untracked files) and
        point the branch at it."""
        if self.git.tree_of(new) != self.git.tree_of(old):
            # read-tree trusts the index's file stat data: refresh it first (a copied or
            # touched checkout is "not uptodate" otherwise, though no content changed).
            self.git.run("update-index", "-q", "--refresh", check=False)
            self.git.run("read-tree", "-m", "-u", old, new)
        self.git.run("update-ref", "-m", message, "HEAD", new, old)

    def undo(self) -> None:
        """Back to the state before the update: files, index, branch and pristine branch."""
        with gitops.deferred_signals():
            # uv may have rewritten uv.lock: the index still has the committed one.
            self.git.run("checkout-index", "--force", "--", "uv.lock", check=False)
            current = self.git.out("rev-parse", "HEAD")
            if current != self.head_before:
                self.move_head(self.head_before, current, "scaffold update: undone")
            if self.pristine_after is not None:
                if self.pristine_before is None:
                    self.git.run("update-ref", "-d", PRISTINE_REF, self.pristine_after)
                else:
                    self.git.run(
                        "update-ref", PRISTINE_REF, self.pristine_before, self.pristine_after
                    )
                self.pristine_after = None


def commit_merge(
    moves: RefMoves, plan: Plan, merged: str, message: str, installed: str, outcome: Outcome
) -> None:
    """Move the pristine branch to the plan's commit and the user's branch to ``merged``.

    Both moves are undone if either fails or a signal arrives meanwhile.
    """
    outcome.changes = [
        {"status": STATUS.get(s, s), "path": p}
        for s, p in moves.git.name_status(moves.head_before, merged)
    ]
    if plan.base_source == "re-created":
        outcome.notes.append(f"re-created the {PRISTINE_BRANCH} branch from the recorded answers")
    elif plan.base_source.startswith("remote"):
        origin = plan.base_source.split()[1]
        verb = "moved" if moves.pristine_before else "created"
        outcome.notes.append(f"{verb} {PRISTINE_BRANCH} forward from {origin}")
    outcome.status = "updated"
    outcome.message = f"updated {len(outcome.changes)} file(s) to templates {installed}"
    with gitops.deferred_signals() as received:
        try:
            if plan.new != moves.pristine_before:
                moves.set_pristine(plan.new)
            moves.move_head(merged, moves.head_before, message)
        except gitops.GitError as error:
            moves.undo()
            raise UpdateError(f"{error}; nothing was changed") from None
    if received:
        moves.undo()
        raise Interrupted(UNDONE)


def merge_with_conflicts(
    git: gitops.Git, plan: Plan, moves: RefMoves, message: str, outcome: Outcome, relock: bool
) -> Outcome:
    """Leave git's own merge in progress, with the conflicts for the user to resolve.

    ``relock``: the merge changes pyproject.toml of a project with a tracked uv.lock, so the
    steps the user is given include ``uv lock`` (the generated CI runs ``uv run --locked``).
    """

    with gitops.deferred_signals() as received:
        if plan.head != moves.head_before:  # the recorded-baseline merge (no file changes)
            git.run("update-ref", "-m", "scaffold update: record baseline", "HEAD", plan.head,
                    moves.head_before)  # fmt: skip
        if plan.new != moves.pristine_before:
            moves.set_pristine(plan.new)
        proc = git.run(
            "merge", "--no-ff", "--no-edit", "--no-verify", "-m", message, plan.new,
            check=False,
        )  # fmt: skip
        in_merge = git.path("MERGE_HEAD").exists()
        if proc.returncode == 0 and not in_merge:  # git found no conflict after all
            outcome.status = "updated"
            outcome.message = "updated: merged without conflicts"
            return outcome
        if proc.returncode != 0 and not in_merge:
            moves.undo()
            why = gitops.last_line(proc)
            raise UpdateError(f"git merge refused to start: {why}; nothing was changed")
    unmerged = git.out("ls-files", "--unmerged", "-z")
    entries = [entry.split("\t", 1)[1] for entry in unmerged.split("\0") if "\t" in entry]
    conflicts = gitops.conflicted_paths(entries)
    for side in sorted(set(entries) - set(conflicts)):
        outcome.notes.append(
            f"{side.rpartition('~')[0]}: git wrote the other side of this conflict to {side}"
        )
    outcome.conflicts = conflicts
    outcome.status = "conflicts"
    outcome.message = conflicts_message(len(conflicts), relock)
    if relock:
        outcome.notes.append(
            "committed without relocking? run `scaffold update` again to re-resolve uv.lock "
            "and commit it"
        )
    if received:
        outcome.notes.append("interrupted: the merge was left in progress, as described above")
    return outcome


def conflicts_message(count: int, relock: bool) -> str:
    """The next steps after a merge stopped on conflicts, in the order to take them."""
    lock = ", run `uv lock` and `git add uv.lock` (pyproject.toml changed)" if relock else ""
    return (
        f"merged with {count} conflict(s); the merge is in progress. Next: resolve them and "
        f"`git add` the files{lock}, then `git commit`. Or `git merge --abort` to undo the update"
    )
