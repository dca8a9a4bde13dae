"""Interactive questions (questionary), read from the catalogue.

Each answer is checked as it is given: a choice that another answer rules out is shown disabled
with its full reason before it can be picked, the extras cannot be confirmed in a combination
the rules refuse, and at the end the user can change any answer before anything is written.
Imported only when stdin is a terminal.
"""

from __future__ import annotations

import re
import shutil
import textwrap
from collections.abc import Mapping

import questionary

from scaffold import answers as answers_mod
from scaffold import summary
from scaffold.answers import Resolved
from scaffold.catalogue import OPTIONS, Option, disabled_reason
from scaffold.errors import Interrupted

GENERATE, CHANGE, CANCEL = "generate", "change", "cancel"


def _answer(question: questionary.Question) -> object:
    value = question.unsafe_ask()
    if value is None:
        raise Interrupted("aborted; nothing was written")
    return value


def _wrapped(text: str, indent: str = "  ") -> str:
    width = max(40, shutil.get_terminal_size().columns - 1)
    return textwrap.fill(text, width=width, initial_indent=indent, subsequent_indent=indent + "  ")


def ask(option: Option, answers: Mapping[str, object], position: str = "") -> object:
    """Ask one catalogue question until the answer keeps every rule with the answers so far.

    ``answers`` are the other answers so far (and this one's current value, if any);
    ``position`` is "question N of M". A refused answer is explained in full and asked again,
    starting from what was given.
    """
    while True:
        value = _ask_once(option, answers, position)
        broken = answers_mod.broken_rules({**answers, option.key: value})
        if not broken:
            return value
        questionary.print(_wrapped(f"Not possible: {broken[0].reason}"), style="fg:ansired")
        answers = {**answers, option.key: value}


def _ask_once(option: Option, answers: Mapping[str, object], position: str) -> object:
    message = f"{option.prompt}{f' ({position})' if position else ''}:"
    current = answers.get(option.key)
    if option.kind == "text":
        default = str(current if current is not None else answers_mod.default_of(option))

        def valid(text: str) -> bool | str:
            if option.pattern and not re.fullmatch(option.pattern, text):
                return f"must be {option.pattern_help}"
            return True

        return _answer(
            questionary.text(message, default=default, instruction=option.help, validate=valid)
        )
    reasons = {c.value: disabled_reason(option.key, c.value, answers) for c in option.choices}
    for choice in option.choices:
        if reasons[choice.value]:  # in full, wrapped: questionary cuts a disabled line
            questionary.print(_wrapped(f"{choice.label} is not available: {reasons[choice.value]}"))
    ticked = current if isinstance(current, list) else list(option.default)
    choices = [
        questionary.Choice(
            title=choice.label,
            value=choice.value,
            description=choice.help,
            disabled="not available, see above" if reasons[choice.value] else None,
            checked=option.kind == "multi" and choice.value in ticked,
        )
        for choice in option.choices
    ]
    if option.kind == "multi":
        questionary.print(_wrapped(option.help))
        return _answer(
            questionary.checkbox(
                message, choices=choices, instruction="(space ticks, enter confirms)"
            )
        )
    enabled = [c.value for c in choices if not c.disabled]
    preferred = current if current is not None else option.default
    default = preferred if preferred in enabled else (enabled or [None])[0]
    return _answer(
        questionary.select(message, choices=choices, default=default, instruction=option.help)
    )


def interview(layers: list[tuple[str, Mapping[str, object]]]) -> Resolved:
    """Ask every question no layer answers, then confirm, letting the user change answers."""
    given = {key for _, layer in layers for key in layer}
    asked = [o for o in OPTIONS if o.key not in given]
    numbers = {o.key: n for n, o in enumerate(asked, 1)}

    def asker(option: Option, answers: Mapping[str, object]) -> object:
        return ask(option, answers, f"question {numbers[option.key]} of {len(asked)}")

    resolved = answers_mod.resolve(layers, ask=asker)
    while True:
        questionary.print(summary.answers_text(resolved))
        action = _answer(
            questionary.select(
                "Generate the project?",
                choices=[
                    questionary.Choice("Yes, generate it", GENERATE, shortcut_key="y"),
                    questionary.Choice("Change an answer", CHANGE, shortcut_key="c"),
                    questionary.Choice("No, cancel", CANCEL, shortcut_key="n"),
                ],
                default=GENERATE,
                use_shortcuts=True,
            )
        )
        if action == GENERATE:
            return resolved
        if action == CANCEL:
            raise Interrupted("aborted; nothing was written")
        _change_one(resolved)


def _change_one(resolved: Resolved) -> None:
    """Ask which answer to change, ask it again, and re-check the whole set."""
    key = _answer(
        questionary.select(
            "Which answer?",
            choices=[
                questionary.Choice(
                    f"{o.prompt}: {summary.label(o.key, resolved.answers[o.key])}", o.key
                )
                for o in OPTIONS
                if o.key != "project_name"  # the directory name, given on the command line
            ],
        )
    )
    option = next(o for o in OPTIONS if o.key == key)
    others = {k: v for k, v in resolved.answers.items() if k != key}
    value = answers_mod.check(key, ask(option, {**others, key: resolved.answers[key]}))
    trial = {**resolved.answers, key: value}
    broken = answers_mod.broken_rules(trial)
    if broken:
        questionary.print(_wrapped(f"Not changed: {answers_mod.describe(broken[0])}"))
        return
    resolved.answers[key] = value
    resolved.sources[key] = "prompt"
