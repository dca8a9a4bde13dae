"""What an update would do, worked out before anything is changed.

The design is JHipster's pristine baseline branch: ``scaffold/pristine`` holds only untouched
template output. A plan renders the installed templates (with the recorded answers plus any
``--set``/``--with``) as a commit on top of the previous pristine commit, then previews git's
three-way merge of it into the user's branch with ``git merge-tree``. The merge base is the
previous render, so git sees exactly what the templates changed and what the user changed.

Every object a plan writes goes to a throw-away store (:func:`scaffold.gitops.scratch`), so
``check``, ``--dry-run`` and a refused update leave no trace; ``check`` is this same plan, which
is why it cannot disagree with ``update``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from scaffold import gitops
from scaffold.update.errors import UpdateError
from scaffold.update.project import (
    ANSWERS_FILE,
    KEEP_FROM_BASELINE,
    NEVER_COMMITTED,
    PRISTINE_BRANCH,
    PRISTINE_REF,
    Project,
    answers_note,
    newer_than,
    resolve_answers,
)

#: How the diff letters of ``git diff-tree`` read in the output.
STATUS = {"A": "added", "M": "modified", "D": "deleted", "T": "type changed"}


@dataclass
class Plan:
    """What an update would do, worked out before anything is changed."""

    base: str  # the previous pristine commit (the merge base)
    new: str  # the pristine commit for the installed templates (== base when nothing changed)
    head: str  # the user's commit the merge goes into (a recorded-baseline merge if re-created)
    base_source: str  # "branch", "remote <name>" or "re-created"
    template_changes: list[tuple[str, str]]  # pristine diff base -> new
    result_tree: str
    changes: list[tuple[str, str]]  # what the user's tree would get
    conflicts: list[str]
    #: The installed templates are older than the ones the project was last updated with.
    ahead: str | None = None

    @property
    def up_to_date(self) -> bool:
        return not self.changes and not self.conflicts

    def change_list(self) -> list[dict[str, str]]:
        """The user's tree's changes as reported: ``{"status": ..., "path": ...}``."""
        conflicted = set(self.conflicts)
        return [
            {"status": "conflict" if path in conflicted else STATUS.get(s, s), "path": path}
            for s, path in self.changes
        ]

    def template_change_list(self) -> list[dict[str, str]]:
        """What the templates changed (the pristine diff), as reported."""
        return [{"status": STATUS.get(s, s), "path": p} for s, p in self.template_changes]


def installed_templates(framework: str) -> tuple[Path, str]:
    """The template directory in use and its fingerprint for ``framework``.

    ``update`` and ``check`` both compare a project against this; a directory without
    copier.yml (a wrong SCAFFOLD_TEMPLATES) is refused before anything else happens.
    """
    from scaffold.templates import fingerprint, templates_dir

    template = templates_dir()
    if not (template / "copier.yml").is_file():
        raise UpdateError(f"no templates at {template} (check SCAFFOLD_TEMPLATES)")
    return template, fingerprint(template, framework)


def render_pristine_tree(
    git: gitops.Git, answers: Mapping[str, object], template: Path, keep_from: str | None
) -> str:
    """Render ``answers`` with ``template`` and write the result as a git tree (no refs moved)."""
    from scaffold.render import render_tree

    with gitops.temporary_directory("scaffold-render-") as tmp:
        tree_dir = tmp / "project"
        render_tree(answers, tree_dir, template=template)
        for name in NEVER_COMMITTED:
            (tree_dir / name).unlink(missing_ok=True)
        keep: list[tuple[str, str, str]] = []
        if keep_from is not None:
            for name in KEEP_FROM_BASELINE:
                if (tree_dir / name).exists():
                    continue
                line = git.out("ls-tree", keep_from, "--", name)
                if line:
                    meta, path = line.split("\t", 1)
                    mode, _kind, blob = meta.split()
                    keep.append((mode, blob, path))
        return gitops.pristine_tree(git, tree_dir, keep)


def rendered_as_base(
    git: gitops.Git, base: str, answers: Mapping[str, object], installed: str, version: str
) -> bool:
    """``base`` is what rendering ``answers`` now would give: its own answers file records the
    same answers, the installed templates' fingerprint and this scaffold version.

    Rendering is deterministic for those inputs (the random secrets go only to ``.env``, which
    is never committed), so the base's tree can stand for a fresh render. That skips Copier,
    most of the time of a ``check`` or of an update with nothing to do, on any repository size.
    """
    import yaml

    proc = git.run("show", f"{base}:{ANSWERS_FILE}", check=False)
    try:
        data = yaml.safe_load(proc.stdout) if proc.returncode == 0 else None
    except yaml.YAMLError:
        return False
    if not isinstance(data, dict):
        return False
    if str(data.get("_scaffold_templates")) != installed:
        return False
    if str(data.get("_scaffold_version")) != version:
        return False
    try:
        recorded = resolve_answers(
            {str(k): v for k, v in data.items() if not str(k).startswith("_")}
        )
    except UpdateError:
        return False
    return recorded == dict(answers)


def find_baseline(git: gitops.Git) -> tuple[str | None, str]:
    """The previous pristine commit and where it came from, or ``(None, "missing")``.

    The local branch, or a remote's copy (a fresh clone has only ``origin/scaffold/pristine``).
    When a teammate pushed a newer pristine commit, the newest one (a descendant of the
    others) is the right merge base; otherwise the local branch wins.
    """
    candidates: list[tuple[str, str]] = []
    local = git.commit_of(PRISTINE_REF)
    if local is not None:
        candidates.append((local, "branch"))
    refs = git.out("for-each-ref", "--format=%(refname)", f"refs/remotes/*/{PRISTINE_BRANCH}")
    for ref in refs.splitlines():
        commit = git.commit_of(ref)
        if commit is not None:
            candidates.append((commit, f"remote {ref.removeprefix('refs/remotes/')}"))
    if not candidates:
        return None, "missing"
    best = candidates[0]
    for candidate in candidates[1:]:
        if candidate[0] != best[0] and git.is_ancestor(best[0], candidate[0]):
            best = candidate
    return best


def shallow_message(git: gitops.Git) -> str:
    """What to fetch when a shallow clone lacks the history back to the last update."""
    remotes = git.out("remote").split()
    remote = remotes[0] if len(remotes) == 1 else "origin"
    return (
        "this is a shallow clone and the history back to the last scaffold update is not in "
        f"it: run `git fetch --unshallow {remote}` and then `git fetch {remote} "
        f"{PRISTINE_BRANCH}:refs/remotes/{remote}/{PRISTINE_BRANCH}`, then update again"
    )


def missing_baseline_message(
    git: gitops.Git, project: Project, installed: str, version: str, shallow: bool
) -> str:
    """No pristine branch and other templates installed: what to fetch or install."""
    recorded = project.fingerprint or "unknown"
    wanted = f"scaffold=={project.version}" if project.version else "the scaffold that made it"
    if shallow:
        fetch = shallow_message(git).split(": ", 1)[1].removesuffix(", then update again")
    else:
        fetch = f"run `git fetch origin {PRISTINE_BRANCH}:{PRISTINE_BRANCH}`"
    return (
        f"the {PRISTINE_BRANCH} branch is missing and the installed templates ({installed}, "
        f"scaffold {version}) are not the ones that made this project ({recorded}): {fetch}, "
        f"or install {wanted} and run `scaffold update` once to re-create the branch"
    )


def _older_pristine_trees(git: gitops.Git, base: str, limit: int = 50) -> set[str]:
    """Trees of the pristine commits before ``base``: an older template version renders one."""
    out = git.out("log", "--first-parent", "--format=%T", f"--max-count={limit}", base)
    return set(out.split()[1:])


def make_plan(
    git: gitops.Git,
    project: Project,
    answers: Mapping[str, object],
    template: Path,
    installed: str,
    version: str,
    identity: Mapping[str, str],
) -> Plan:
    """Build the new pristine commit and preview the merge, writing only scratch objects."""

    head = git.out("rev-parse", "HEAD")
    base, source = find_baseline(git)
    shallow = gitops.is_shallow(git)
    recorded_answers = resolve_answers(project.recorded)
    if base is None:
        if project.fingerprint != installed:
            raise UpdateError(missing_baseline_message(git, project, installed, version, shallow))
        # The installed templates are the ones that made the project: re-render the baseline
        # and record it as merged (tree unchanged), as JHipster does on its first upgrade.
        tree = render_pristine_tree(git, recorded_answers, template, keep_from=None)
        base = gitops.pristine_commit(
            git, tree, [], f"scaffold templates {installed} (baseline re-created)", identity
        )
        head = gitops.user_commit(
            git,
            git.tree_of(head),
            [head, base],
            f"Record the scaffold baseline (templates {installed})",
        )
        source = "re-created"
    elif shallow and not git.is_ancestor(base, head):
        raise UpdateError(shallow_message(git))
    if rendered_as_base(git, base, answers, installed, version):
        tree = git.tree_of(base)
    else:
        tree = render_pristine_tree(git, answers, template, keep_from=base)
    ahead = None
    if newer_than(project.version, version):
        ahead = f"scaffold {project.version} last updated this project; scaffold {version} is older"
    if tree == git.tree_of(base):
        new = base
    else:
        if ahead is None and tree in _older_pristine_trees(git, base):
            ahead = f"the installed templates ({installed}) render an older pristine version"
        message = f"scaffold templates {installed} (scaffold {version})"
        note = answers_note(recorded_answers, answers)
        if note:
            message += f"\n\nAnswers changed: {note}"
        new = gitops.pristine_commit(git, tree, [base], message, identity)
    template_changes = git.name_status(base, new) if new != base else []
    if git.is_ancestor(new, head):
        preview = gitops.MergePreview(tree=git.tree_of(head), conflicts=[], messages="")
    else:
        try:
            preview = gitops.merge_preview(git, head, new)
        except gitops.GitError:
            if shallow:
                raise UpdateError(shallow_message(git)) from None
            raise
    changes = [
        (status, path)
        for status, path in git.name_status(git.tree_of(head), preview.tree)
        if not (preview.conflicts and gitops.is_side_file(path))
    ]
    return Plan(
        base=base,
        new=new,
        head=head,
        base_source=source,
        template_changes=template_changes,
        result_tree=preview.tree,
        changes=changes,
        conflicts=preview.conflicts,
        ahead=ahead,
    )
