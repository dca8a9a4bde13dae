"""Interactive questions (questionary), read from the catalogue.

Imported only when stdin is a terminal, so ``scaffold --help`` and non-interactive runs never
pay for prompt_toolkit.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import questionary

from scaffold.answers import AnswerError, Resolved
from scaffold.catalogue import Option, disabled_reason


class Aborted(Exception):
    """The user pressed Ctrl-C or declined the summary."""


def _answer(question: questionary.Question) -> object:
    value = question.unsafe_ask()
    if value is None:
        raise Aborted
    return value


def ask(option: Option, answers: Mapping[str, object]) -> object:
    """Ask one catalogue question; choices another answer rules out are shown disabled."""
    if option.kind == "text":
        pattern = option.pattern

        def valid(text: str) -> bool | str:
            if pattern and not re.fullmatch(pattern, text):
                return f"must be {option.pattern_help}"
            return True

        return _answer(
            questionary.text(
                f"{option.prompt}:",
                default=str(option.default),
                instruction=option.help,
                validate=valid,
            )
        )
    choices = [
        questionary.Choice(
            title=choice.label,
            value=choice.value,
            description=choice.help,
            disabled=disabled_reason(option.key, choice.value, answers),
            checked=option.kind == "multi" and choice.value in option.default,
        )
        for choice in option.choices
    ]
    if option.kind == "multi":
        return _answer(questionary.checkbox(f"{option.prompt}:", choices=choices))
    enabled = [c.value for c in choices if not c.disabled]
    default = option.default if option.default in enabled else (enabled or [None])[0]
    return _answer(
        questionary.select(
            f"{option.prompt}:", choices=choices, default=default, instruction=option.help
        )
    )


def confirm(resolved: Resolved, summary: str) -> None:
    """Show the summary and ask for a final yes; anything else aborts without writing."""
    questionary.print(summary)
    if not _answer(questionary.confirm("Generate the project?", default=True)):
        raise Aborted


__all__ = ["Aborted", "AnswerError", "ask", "confirm"]
