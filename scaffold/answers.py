"""Turn flags, ``--set``, an answers file and prompts into one checked set of answers.

Precedence, highest first: explicit flags, ``--set KEY=VALUE``, ``--answers-file``, the
interactive prompt, the catalogue's default. Every answer is checked against the catalogue
before anything is rendered, so a bad value fails with one line and nothing written.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from scaffold import identity
from scaffold.catalogue import OPTIONS, OPTIONS_BY_KEY, Option, Rule, violations
from scaffold.errors import ScaffoldError

#: Where an answer came from, for the summary ("default" tells a non-interactive user what
#: they did not choose).
Source = str
Asker = Callable[[Option, Mapping[str, object]], object]


class AnswerError(ScaffoldError):
    """An answer the catalogue does not accept; the message is one line for the user."""


@dataclass
class Resolved:
    answers: dict[str, object] = field(default_factory=dict)
    sources: dict[str, Source] = field(default_factory=dict)


def check(key: str, value: object) -> object:
    """Validate one answer and return it in canonical form (a list for multi-choice)."""
    option = OPTIONS_BY_KEY.get(key)
    if option is None:
        valid = ", ".join(o.key for o in OPTIONS)
        raise AnswerError(f"unknown option {key!r}; valid options: {valid}")
    if option.kind == "multi":
        items = value.split(",") if isinstance(value, str) else list(value)  # type: ignore[call-overload]
        picked = [str(v).strip() for v in items if str(v).strip()]
        for item in picked:
            _check_choice(option, item)
        return sorted(set(picked), key=option.values.index)
    text = str(value)
    if option.kind == "choice":
        _check_choice(option, text)
    elif option.pattern and not re.fullmatch(option.pattern, text):
        raise AnswerError(f"{key}={text!r} is invalid: must be {option.pattern_help}")
    return text


def _check_choice(option: Option, value: str) -> None:
    if value not in option.values and value.lower() in option.values:
        raise AnswerError(f"{option.key}={value!r}: choices are lowercase; use {value.lower()!r}")
    if value not in option.values:
        valid = ", ".join(option.values) or "(none available yet)"
        raise AnswerError(f"{option.key}={value!r} is not a choice; valid choices: {valid}")


def parse_sets(items: Iterable[str]) -> dict[str, object]:
    """``["auth=jwt", "ci=none"]`` → checked answers."""
    result: dict[str, object] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise AnswerError(f"--set expects KEY=VALUE, got {item!r}")
        result[key.strip()] = check(key.strip(), value.strip())
    return result


def load_file(path: Path) -> dict[str, object]:
    """Answers from a YAML file: a project's ``.scaffold-answers.yml`` or a plain mapping.

    Copier's private keys (``_src_path`` and friends) are ignored; unknown keys are errors.
    """
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except OSError as error:
        raise AnswerError(f"cannot read answers file {path}: {error.strerror}") from error
    except yaml.YAMLError as error:
        raise AnswerError(f"answers file {path} is not valid YAML") from error
    if not isinstance(data, dict):
        raise AnswerError(f"answers file {path} must be a mapping of option: value")
    return {k: check(k, v) for k, v in data.items() if not str(k).startswith("_")}


def resolve(
    layers: Iterable[tuple[Source, Mapping[str, object]]],
    ask: Asker | None = None,
) -> Resolved:
    """Merge answer ``layers`` (highest precedence first), ask for the rest, then validate."""
    resolved = Resolved()
    stack = list(layers)
    given: dict[str, object] = {}
    for _, layer in reversed(stack):  # highest precedence last, so it wins
        given.update({k: check(k, v) for k, v in layer.items()})
    for rule in broken_rules(given):  # refused before any question is asked
        raise AnswerError(describe(rule))
    for option in OPTIONS:
        for source, layer in stack:
            if option.key in layer:
                resolved.answers[option.key] = check(option.key, layer[option.key])
                resolved.sources[option.key] = source
                break
        else:
            if ask is not None:
                resolved.answers[option.key] = check(option.key, ask(option, resolved.answers))
                resolved.sources[option.key] = "prompt"
            else:
                resolved.answers[option.key] = default_of(option)
                resolved.sources[option.key] = "default"
    validate(resolved.answers)
    return resolved


def default_of(option: Option) -> object:
    """The answer ``option`` gets when no one gives one: git config's value where the catalogue
    names a key (the author is the user git already knows), else the catalogue default."""
    if option.kind == "multi":
        return list(option.default)
    if option.default_from_git:
        configured = identity.git_config(option.default_from_git)
        if configured:
            try:
                return check(option.key, configured)
            except AnswerError:  # e.g. an email git accepts and the catalogue does not
                pass
    return option.default


def broken_rules(answers: Mapping[str, object]) -> list[Rule]:
    """The rules that the answers so far already break: those whose options are all answered
    (a partial set of answers cannot break a rule about an option not yet asked)."""
    return [rule for rule in violations(answers) if all(k in answers for k in rule.keys)]


def validate(answers: Mapping[str, object]) -> None:
    """Raise :class:`AnswerError` naming the first rule the answers break, and why."""
    for rule in violations(answers):
        raise AnswerError(describe(rule))


def describe(rule: Rule) -> str:
    """One line: the combination and why it cannot be generated."""
    combo = " with ".join(f"{k}={v}" for k, v in rule.when.items())
    return f"{combo} is not supported: {rule.reason}"
