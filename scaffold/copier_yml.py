"""Write ``templates/copier.yml`` from the option catalogue.

Copier reads its questions from copier.yml, and plain ``copier copy templates/ out/`` must keep
working, so the file is committed; this module is the only thing that writes it. A test fails
when the committed file and the catalogue disagree. Regenerate with::

    uv run python -m scaffold.copier_yml
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

from scaffold import catalogue
from scaffold.catalogue import OPTIONS, Option, Rule

HEADER = "# GENERATED from scaffold/catalogue.py by `python -m scaffold.copier_yml`; do not edit.\n"

#: Template-level settings. `_subdirectory` picks the framework's tree; `_shared/` holds the
#: partials those trees include (Copier's Jinja loader is rooted here).
SETTINGS: dict[str, object] = {
    "_subdirectory": "{{ framework }}",
    "_answers_file": ".scaffold-answers.yml",
    "_min_copier_version": "9.17.0",
    "_templates_suffix": ".jinja",
    "_envops": {"keep_trailing_newline": True},
}

_ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

#: Values scaffold computes; Copier never asks for them.
COMPUTED: dict[str, dict[str, object]] = {
    "package_name": {
        "type": "str",
        "default": "{{ project_name | lower | replace('-', '_') }}",
        "when": False,
    },
    # Names for what templates test often, so a file name or a condition says what it means.
    "sql": {  # a relational database behind SQLAlchemy or Django's ORM (not MongoDB)
        "type": "bool",
        "default": "{{ database != 'mongodb' }}",
        "when": False,
    },
    "password_auth": {  # users sign in with an email and a password (not none, not OIDC)
        "type": "bool",
        "default": "{{ auth in ['session', 'jwt'] }}",
        "when": False,
    },
    # Secrets go only into the gitignored .env and are never recorded in the answers file.
    # scaffold passes values from `secrets`; the Jinja default only serves plain `copier copy`.
    "secret_key": {
        "type": "str",
        "secret": True,
        "when": False,
        "default": "{% for _ in range(64) %}{{ '" + _ALPHABET + "' | random }}{% endfor %}",
    },
    "db_password": {
        "type": "str",
        "secret": True,
        "when": False,
        "default": "{% for _ in range(32) %}{{ '" + _ALPHABET + "' | random }}{% endfor %}",
    },
}


def _condition(key: str, value: str) -> str:
    option = next(o for o in OPTIONS if o.key == key)
    if option.kind == "multi":
        return f"'{value}' in {key}"
    return f"{key} == '{value}'"


def _choice_validator(option: Option, value: str) -> str | None:
    """Jinja that names the rules which disable ``value`` given the earlier answers."""
    order = [o.key for o in OPTIONS]
    parts = []
    for rule in catalogue.RULES:
        if rule.when.get(option.key) != value or option.key in rule.unless:
            continue
        if any(order.index(k) > order.index(option.key) for k in rule.keys):
            continue  # Copier has not asked that yet; the later question's validator checks it
        parts.append(f"{{% if {_test(rule, skip=option.key)} %}}{rule.reason}{{% endif %}}")
    return "".join(parts) or None


def _test(rule: Rule, skip: str | None = None) -> str:
    """The Jinja condition under which ``rule`` is broken (``skip``: a key already known)."""
    terms = [_condition(k, v) for k, v in rule.when.items() if k != skip]
    terms += [f"not ({_condition(k, v)})" for k, v in rule.unless.items()]
    return " and ".join(terms) or "true"


def _question_validator(option: Option) -> str | None:
    """Rules checked once ``option`` is answered: those whose last question it is.

    Choice validators disable choices in Copier's prompt; this catches what they cannot, such
    as a multi-choice answer that lacks a required companion, or values passed with ``-d``.
    """
    order = [o.key for o in OPTIONS]
    parts = [
        f"{{% if {_test(rule)} %}}{rule.reason}{{% endif %}}"
        for rule in catalogue.RULES
        if max(order.index(k) for k in rule.keys) == order.index(option.key)
    ]
    return "".join(parts) or None


def _question(option: Option) -> dict[str, object]:
    question: dict[str, object] = {"type": "str", "help": option.help}
    if option.choices:
        choices: dict[str, object] = {}
        for choice in option.choices:
            validator = _choice_validator(option, choice.value)
            choices[choice.label] = (
                {"value": choice.value, "validator": validator} if validator else choice.value
            )
        question["choices"] = choices
    if option.kind == "multi":
        question["multiselect"] = True
        question["default"] = list(option.default)
    else:
        question["default"] = option.default
    if option.pattern:
        question["validator"] = (
            f"{{% if not ({option.key} | regex_search('{option.pattern}')) %}}"
            f"must be {option.pattern_help}{{% endif %}}"
        )
    elif validator := _question_validator(option):
        question["validator"] = validator
    return question


def render() -> str:
    """The complete text of copier.yml."""
    document: dict[str, object] = dict(SETTINGS)
    for option in OPTIONS:
        document[option.key] = _question(option)
        if option.key == "project_name":
            document["package_name"] = COMPUTED["package_name"]
        elif option.key == "database":
            document["sql"] = COMPUTED["sql"]
        elif option.key == "auth":
            document["password_auth"] = COMPUTED["password_auth"]
    document["secret_key"] = COMPUTED["secret_key"]
    document["db_password"] = COMPUTED["db_password"]
    body = yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=1000)
    return HEADER + body


def path() -> Path:
    from scaffold.templates import templates_dir

    return templates_dir() / "copier.yml"


def main() -> int:
    target = path()
    target.write_text(render(), encoding="utf-8")
    print(f"wrote {target}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
