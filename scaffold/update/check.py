"""``scaffold check``: current, behind or ahead, for the project's own CI.

The answer is the update's own plan (the same code, in a scratch object store that is thrown
away), so ``check`` and ``update`` cannot disagree: a CI gate on ``check`` is cleared exactly
by what ``update`` does. Without git or the pristine history (a shallow CI checkout) it falls
back to comparing the recorded template digest and scaffold version with the installed ones.
"""

from __future__ import annotations

from pathlib import Path

from scaffold import gitops
from scaffold.update.errors import NotAProject, UpdateError
from scaffold.update.lockfile import lock_state, uv_lock_tracked
from scaffold.update.outcome import Outcome
from scaffold.update.plan import installed_templates, make_plan
from scaffold.update.preflight import git_identity, open_repo
from scaffold.update.project import LOCK_FILE, Project, load_project, newer_than, resolve_answers


def check(path: Path) -> Outcome:
    """current / behind / ahead, from what ``update`` would do; touches nothing.

    With git and the pristine branch, the answer is the update's own plan (the same code), so
    the two cannot disagree. Without them (no git, a shallow CI checkout), the recorded
    template digest and scaffold version are compared with the installed ones.
    """
    from scaffold import __version__

    project = load_project(path)
    try:
        answers = resolve_answers(project.recorded)
    except UpdateError as error:
        raise NotAProject(f"the answers file is not valid: {error}") from None
    template, installed = installed_templates(str(answers["framework"]))
    outcome = Outcome(
        status="current",
        message=f"current: up to date with templates {installed}",
        recorded_templates=project.fingerprint,
        installed_templates=installed,
        notes=list(project.notes),
    )
    recorded = project.fingerprint or "not recorded"
    if not gitops.available():
        return _check_by_digest(project, outcome, installed, __version__,
                                "git is not installed")  # fmt: skip
    try:
        git = open_repo(project)
        if git.commit_of("HEAD") is None:
            raise UpdateError("the repository has no commits")
        _note_update_lock(git, outcome)
        with gitops.scratch(git) as scratch:
            identity = git_identity(git, answers)
            plan = make_plan(scratch, project, answers, template, installed, __version__, identity)
            tracked_lock = uv_lock_tracked(scratch, plan.result_tree)
    except (UpdateError, gitops.GitError) as error:
        return _check_by_digest(project, outcome, installed, __version__, str(error))
    outcome.describe(plan)
    if plan.ahead and not plan.up_to_date:
        outcome.status = "ahead"
        outcome.message = f"ahead: made with templates {recorded}, installed {installed}"
        outcome.warnings.append(
            f"{plan.ahead}: `scaffold update` would downgrade this project "
            f"({len(plan.changes)} file(s)); install the newer scaffold"
        )
        return outcome
    if not plan.up_to_date:
        outcome.status = "behind"
        outcome.message = (
            f"behind: made with templates {recorded}, installed {installed}; "
            f"`scaffold update` would change {len(plan.changes)} file(s)"
            f"{f' ({len(plan.conflicts)} with conflicts)' if plan.conflicts else ''}"
        )
        return outcome
    if tracked_lock:
        state, why = lock_state(git.root)
        if state == "stale":
            outcome.status = "behind"
            outcome.message = f"behind: {why}; `scaffold update` would re-resolve and commit it"
        elif state == "unknown":
            outcome.notes.append(f"could not tell whether uv.lock is current: {why}")
    return outcome


def _check_by_digest(
    project: Project, outcome: Outcome, installed: str, version: str, why: str
) -> Outcome:
    """Without the update's plan: compare the recorded digest and version."""
    recorded = project.fingerprint or "not recorded"
    if project.fingerprint == installed:
        return outcome
    if newer_than(project.version, version):
        outcome.status = "ahead"
        outcome.message = f"ahead: made with scaffold {project.version}, installed {version}"
        outcome.warnings.append("`scaffold update` would downgrade this project")
        return outcome
    outcome.status = "behind"
    outcome.message = f"behind: made with templates {recorded}, installed {installed}"
    outcome.notes.append(f"cannot tell what `scaffold update` would change: {why}")
    return outcome


def _note_update_lock(git: gitops.Git, outcome: Outcome) -> None:
    """Say when an update is running, or a killed one left its lock (the next one removes it)."""
    lock_file = git.common_dir() / LOCK_FILE
    holder = gitops.read_lock(lock_file)
    if holder is None:
        return
    if holder.stale:
        outcome.notes.append(
            f"a stale update lock ({lock_file}, pid {holder.pid} no longer runs): the next "
            "`scaffold update` removes it"
        )
    else:
        outcome.notes.append(f"an update is running ({lock_file} is held)")
