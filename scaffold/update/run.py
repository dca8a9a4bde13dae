"""``scaffold update``: plan in a scratch store, check everything, then merge.

The order is the contract of docs/update.md. Everything that can refuse (the answers, the
repository's state, a downgrade, an untracked file in the way) is decided while every new git
object is still in a throw-away store, so a refusal, a dry run or an update with nothing to do
leaves no trace. Only then are the objects imported and the refs moved (:mod:`.merge`), and
``uv.lock`` re-resolved (:mod:`.lockfile`). A lock file keeps two updates from interleaving, and
SIGTERM/SIGHUP unwind like Ctrl-C so every temporary directory and the lock are removed.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scaffold import gitops
from scaffold.update.errors import Interrupted, UpdateError
from scaffold.update.lockfile import lock_state, relock, uv_lock_tracked
from scaffold.update.merge import UNDONE, RefMoves, commit_merge, merge_with_conflicts
from scaffold.update.outcome import Outcome
from scaffold.update.plan import installed_templates, make_plan
from scaffold.update.preflight import git_identity, open_repo, preflight, would_clobber
from scaffold.update.project import (
    LOCK_FILE,
    PRISTINE_REF,
    Project,
    answers_note,
    load_project,
    resolve_answers,
)


@dataclass(frozen=True)
class Request:
    """What the user asked ``scaffold update`` for (its options)."""

    sets: Sequence[str] = ()
    with_: Sequence[str] = ()
    preview: bool = False  # --dry-run or --diff: plan only
    show_diff: bool = False
    lock: bool = True
    allow_downgrade: bool = False


@contextmanager
def _signals_interrupt() -> Iterator[None]:
    """SIGTERM and SIGHUP stop an update like Ctrl-C: every ``finally`` (temporary
    directories, the lock file) runs on the way out."""

    def handler(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous: dict[int, Any] = {}
    try:
        for signum in gitops.SIGNALS:
            if signum != signal.SIGINT:
                previous[signum] = signal.signal(signum, handler)
    except ValueError:  # not the main thread: nothing to install
        pass
    try:
        yield
    finally:
        for signum, old in previous.items():
            signal.signal(signum, old)


def update(
    path: Path,
    *,
    sets: Sequence[str] = (),
    with_: Sequence[str] = (),
    dry_run: bool = False,
    show_diff: bool = False,
    lock: bool = True,
    allow_downgrade: bool = False,
) -> tuple[Outcome, str]:
    """Run (or preview) an update; return the outcome and, for ``--diff``, the patch text."""

    project = load_project(path)
    git = open_repo(project)
    notes = list(project.notes)
    request = Request(sets, with_, dry_run or show_diff, show_diff, lock, allow_downgrade)
    with _signals_interrupt():
        guard = (
            nullcontext()
            if request.preview
            else gitops.update_lock(git.common_dir() / LOCK_FILE, notes)
        )
        try:
            with guard:
                return _update(git, project, notes, request)
        except gitops.LockHeld as error:
            raise UpdateError(str(error)) from None
        except KeyboardInterrupt:
            raise Interrupted("interrupted; nothing was changed") from None


def _update(
    git: gitops.Git, project: Project, notes: list[str], request: Request
) -> tuple[Outcome, str]:
    from scaffold import __version__

    preflight(git)
    answers = resolve_answers(project.recorded, request.sets, request.with_)
    template, installed = installed_templates(str(answers["framework"]))
    outcome = Outcome(
        status="",
        message="",
        recorded_templates=project.fingerprint,
        installed_templates=installed,
        notes=notes,
    )
    identity = git_identity(git, answers)
    git.env.update(identity)

    # Every new git object goes to a throw-away store until all checks passed: a dry run, a
    # check, a refusal or an update with nothing to do leaves no trace, not even objects.
    with gitops.scratch(git) as scratch:
        plan = make_plan(scratch, project, answers, template, installed, __version__, identity)
        outcome.describe(plan)
        if plan.ahead and not plan.up_to_date and not request.allow_downgrade:
            raise UpdateError(
                f"this project is ahead of the installed scaffold ({plan.ahead}): updating "
                "would downgrade it; install the newer scaffold, or pass --allow-downgrade"
            )
        clobbered = would_clobber(git.root, plan)
        if clobbered:
            raise UpdateError(
                "the update would overwrite or remove untracked or ignored files here (move "
                "them away first): " + ", ".join(clobbered)
            )
        tracked_lock = request.lock and uv_lock_tracked(scratch, plan.result_tree)
        changed = {path for _status, path in plan.changes}
        stale_lock = tracked_lock and "pyproject.toml" in changed
        if tracked_lock and plan.up_to_date:
            state, why = lock_state(git.root)
            stale_lock = state == "stale"
            if state == "unknown":
                notes.append(f"could not tell whether uv.lock is current: {why}")
        if plan.up_to_date and not stale_lock:
            outcome.status, outcome.message = "up-to-date", "already up to date; nothing to do"
            return outcome, ""
        if request.preview:
            patch = ""
            if request.show_diff:
                patch = scratch.run("diff", "--binary", plan.head, plan.result_tree).stdout
            outcome.status = "would-update"
            what = f"would change {len(plan.changes)} file(s)"
            if plan.conflicts:
                what += f", {len(plan.conflicts)} with conflicts"
            if stale_lock:
                what += ", and re-resolve uv.lock"
            outcome.message = f"{what} (dry run: nothing was changed)"
            return outcome, patch
        message = f"Update from scaffold templates {installed}"
        note = answers_note(resolve_answers(project.recorded), answers)
        if note:
            message += f" ({note})"
        merged = None
        if not plan.conflicts and not plan.up_to_date:
            try:
                merged = gitops.user_commit(
                    scratch, plan.result_tree, [plan.head, plan.new], message
                )
            except gitops.GitError as error:
                raise UpdateError(f"{error}; nothing was changed") from None
        gitops.import_objects(scratch, git)

    moves = RefMoves(git, git.out("rev-parse", "HEAD"), git.commit_of(PRISTINE_REF))
    outcome.conflicts = []
    if plan.conflicts:
        return merge_with_conflicts(git, plan, moves, message, outcome, stale_lock), ""
    if merged is not None:
        commit_merge(moves, plan, merged, message, installed, outcome)
    else:
        outcome.status = "relocked"
        outcome.message = "templates already current; uv.lock was out of date with pyproject.toml"
    if stale_lock:
        try:
            relock(git, moves.undo, outcome)
        except KeyboardInterrupt:  # between two steps of relock's own handling
            moves.undo()
            raise Interrupted(UNDONE) from None
    return outcome, ""
