"""Answers from a query string, checked exactly as ``scaffold new`` checks its flags.

The page, its share links and every API call carry the answers as query parameters named after
the catalogue's keys (``?framework=django&extras=redis,worker``). They go through the same
functions the CLI uses: :func:`scaffold.names.parse` for the project name,
:func:`scaffold.answers.check` for each value and :func:`scaffold.answers.resolve` for the rules
and defaults, so the page shows the CLI's messages word for word.
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field

from scaffold import names
from scaffold.answers import AnswerError, check, default_of, resolve
from scaffold.catalogue import OPTIONS, OPTIONS_BY_KEY, defaults, disabled_reason

NAME_KEY = "project_name"


@dataclass
class Form:
    """What the page needs to know about one set of answers."""

    #: The resolved answers (defaults filled in), when every answer is valid.
    answers: dict[str, object] | None = None
    #: One message per invalid field, the CLI's wording.
    errors: dict[str, str] = field(default_factory=dict)
    #: The first rule the answers break, as ``scaffold new`` reports it.
    rule_error: str | None = None
    #: For each choice question, the values other answers rule out, with the rule's reason.
    disabled: dict[str, dict[str, str]] = field(default_factory=dict)

    @property
    def valid(self) -> bool:
        return self.answers is not None

    @property
    def message(self) -> str:
        """One line saying what is wrong (for a 4xx response)."""
        return "; ".join([*self.errors.values(), *filter(None, [self.rule_error])])


class UnknownParameter(ValueError):
    """A query parameter that is not a catalogue key (the message says which are)."""


def read(params: Mapping[str, list[str]], *, ignore: tuple[str, ...] = ()) -> Form:
    """Check the answers in ``params`` (each key to the list of values given for it).

    Keys in ``ignore`` belong to the endpoint (Explore's ``path``); any other key that is not
    an option is refused, and so is a key given twice.
    """
    form = Form()
    given: dict[str, object] = {}
    for key, values in params.items():
        if key in ignore:
            continue
        if key not in OPTIONS_BY_KEY:
            try:
                check(key, "")
            except AnswerError as error:
                raise UnknownParameter(str(error)) from None
        if len(values) != 1:
            raise UnknownParameter(f"{key} is given {len(values)} times; give it once")
        value = values[0]
        try:
            if key == NAME_KEY:
                value = names.parse(value).distribution
            given[key] = check(key, value)
        except (names.InvalidName, AnswerError) as error:
            form.errors[key] = str(error)
    if NAME_KEY not in given and NAME_KEY not in form.errors:
        given[NAME_KEY] = names.parse(str(OPTIONS_BY_KEY[NAME_KEY].default)).distribution
    form.disabled = _disabled({**defaults(), **given})
    if form.errors:
        return form
    try:
        form.answers = resolve([("flag", given)]).answers
    except AnswerError as error:
        form.rule_error = str(error)
    return form


def _disabled(answers: Mapping[str, object]) -> dict[str, dict[str, str]]:
    """The choices other answers rule out, as the interactive prompt shows them."""
    result: dict[str, dict[str, str]] = {}
    for option in OPTIONS:
        for choice in option.choices:
            reason = disabled_reason(option.key, choice.value, answers)
            if reason:
                result.setdefault(option.key, {})[choice.value] = reason
    return result


def command_line(answers: Mapping[str, object]) -> str:
    """The ``scaffold new`` command that makes the same project on this machine (answers equal
    to what the CLI would default to here, git config's author included, are left out)."""
    parts = ["scaffold", "new", str(answers[NAME_KEY])]
    for option in OPTIONS:
        default = default_of(option)
        value = answers.get(option.key, default)
        if option.key == NAME_KEY or value == default:
            continue
        if option.kind == "multi":
            for item in value:  # type: ignore[attr-defined]
                parts += ["--with", str(item)]
        elif option.flag:
            parts += [option.flag, str(value)]
        else:
            parts += ["--set", f"{option.key}={value}"]
    parts.append("--defaults")
    return shlex.join(parts)
