"""The project an update starts from: its answers file, read and validated whole.

Validation comes before anything else because an update from partial answers would silently
fill the gaps with catalogue defaults and turn the project into another one (a Django project
without its ``framework`` line would be "updated" into FastAPI). Also the names of the refs and
files an update owns, so every module spells them the same way.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scaffold.constants import ANSWERS_FILE, PRISTINE_BRANCH
from scaffold.update.errors import NotAProject, UpdateError

#: Always the full name: a tag or a look-alike branch cannot shadow it.
PRISTINE_REF = f"refs/heads/{PRISTINE_BRANCH}"
#: In the git directory shared by all worktrees; held while an update runs.
LOCK_FILE = "scaffold-update.lock"
#: Files ``scaffold new`` adds after rendering: the pristine branch keeps its copy rather than
#: deleting them because a re-render does not produce them.
KEEP_FROM_BASELINE = ("uv.lock",)
#: Answers an update refuses to change: the result would be a different project, not an update.
FIXED_ANSWERS = ("framework",)
#: Never part of a pristine tree: the user's local settings, with secrets.
NEVER_COMMITTED = (".env",)
#: Catalogue keys added after the first release, with the scaffold version that added them. An
#: answers file written before that version may lack the key: it takes the catalogue default,
#: and update and check say so. Any other missing key is an error naming it.
ADDED_LATER: dict[str, str] = {}


@dataclass
class Project:
    """A generated project: its root and what its answers file records."""

    root: Path
    recorded: dict[str, object]
    fingerprint: str | None
    version: str | None
    #: Defaults taken for keys the answers file predates (reported to the user).
    notes: list[str] = field(default_factory=list)


def load_project(path: Path) -> Project:
    """The project at ``path`` with its answers file validated whole.

    :class:`NotAProject` when there is no readable answers file, or when any key is missing,
    unknown or invalid (the message names it): an update from partial answers would silently
    use defaults and turn the project into another one.
    """
    import yaml

    root = path.resolve()
    for candidate in (root, *root.parents):  # from a sub-directory, as git does
        if (candidate / ANSWERS_FILE).is_file():
            root = candidate
            break
        if (candidate / ".git").exists():
            break
    answers_path = root / ANSWERS_FILE
    if not answers_path.is_file():
        raise NotAProject(f"{path} is not a scaffold project (no {ANSWERS_FILE})")
    try:
        data = yaml.safe_load(answers_path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise NotAProject(f"{answers_path} cannot be read as YAML: {error}") from None
    if not isinstance(data, dict):
        raise NotAProject(f"the answers file {ANSWERS_FILE} is not valid: it is not a mapping")
    version = data.get("_scaffold_version")
    project = Project(
        root=root,
        recorded={},
        fingerprint=str(data["_scaffold_templates"]) if data.get("_scaffold_templates") else None,
        version=str(version) if version is not None else None,
    )
    project.recorded = _validated_answers(data, project)
    return project


def _validated_answers(data: Mapping[Any, object], project: Project) -> dict[str, object]:
    from scaffold import answers as answers_mod
    from scaffold.catalogue import OPTIONS

    def invalid(problem: str) -> NotAProject:
        return NotAProject(f"the answers file {ANSWERS_FILE} is not valid: {problem}")

    recorded: dict[str, object] = {}
    try:
        for key, value in data.items():
            if not str(key).startswith("_"):
                recorded[str(key)] = answers_mod.check(str(key), value)
    except answers_mod.AnswerError as error:
        raise invalid(str(error)) from None
    for option in OPTIONS:
        if option.key in recorded:
            continue
        added = ADDED_LATER.get(option.key)
        if added is not None and (
            project.version is None or version_key(project.version) < version_key(added)
        ):
            default = list(option.default) if option.kind == "multi" else option.default
            recorded[option.key] = default
            project.notes.append(
                f"{ANSWERS_FILE} has no {option.key} (added in scaffold {added}): "
                f"using the default {default!r}"
            )
            continue
        raise invalid(
            f"{option.key} is missing (every option must be recorded; restore the line, e.g. "
            f"from `git log -p {ANSWERS_FILE}`)"
        )
    try:
        answers_mod.validate(recorded)
    except answers_mod.AnswerError as error:
        raise invalid(str(error)) from None
    return recorded


def version_key(version: str) -> tuple[Any, ...]:
    """A sortable form of a version string (PEP 440 when it parses)."""
    from packaging.version import InvalidVersion, Version

    try:
        return (1, Version(version))
    except InvalidVersion:
        return (0, version)


def newer_than(recorded: str | None, installed: str) -> bool:
    """A newer scaffold than the installed one last updated the project (so: "ahead")."""
    return recorded is not None and version_key(recorded) > version_key(installed)


def resolve_answers(
    recorded: Mapping[str, object], sets: Sequence[str] = (), with_: Sequence[str] = ()
) -> dict[str, object]:
    """Recorded answers with ``--set``/``--with`` applied, checked against the catalogue.

    ``--with`` adds to the extras already chosen (it never drops one).
    """
    from scaffold import answers as answers_mod
    from scaffold.catalogue import OPTIONS

    try:
        base = {k: answers_mod.check(k, v) for k, v in recorded.items()}
        layers: list[tuple[str, Mapping[str, object]]] = []
        if with_:
            extras = next((o for o in OPTIONS if o.kind == "multi"), None)
            if extras is None:
                raise answers_mod.AnswerError("no extras are available in this version")
            current = base.get(extras.key) or []
            layers.append(("--with", {extras.key: [*current, *with_]}))  # type: ignore[misc]
        if sets:
            layers.append(("--set", answers_mod.parse_sets(sets)))
        layers.append(("answers file", base))
        answers = answers_mod.resolve(layers).answers
    except answers_mod.AnswerError as error:
        raise UpdateError(str(error)) from None
    for key in FIXED_ANSWERS:
        if key in base and answers.get(key) != base[key]:
            raise UpdateError(
                f"{key} cannot be changed by an update (it would replace the whole project); "
                "generate a new project instead"
            )
    return answers


def answers_note(old: Mapping[str, object], new: Mapping[str, object]) -> str:
    """``key: old -> new`` for each answer an update changes (for commit messages)."""
    changed = [f"{k}: {old.get(k)!s} -> {v!s}" for k, v in new.items() if old.get(k) != v]
    return ", ".join(changed)
