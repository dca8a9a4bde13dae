"""Project names: what a user types, and the distribution and package names it becomes."""

from __future__ import annotations

import keyword
import re
import sys
from dataclasses import dataclass

from scaffold.catalogue import PROJECT_NAME_MAX_LENGTH, PROJECT_NAME_PATTERN
from scaffold.errors import ScaffoldError

#: Importable names a generated package must not shadow: the frameworks and libraries the
#: templates import, plus the standard library.
RESERVED = frozenset(
    {
        "flask",
        "django",
        "fastapi",
        "starlette",
        "sqlalchemy",
        "alembic",
        "pydantic",
        "celery",
        "redis",
        "pytest",
        "test",
        "tests",
        "site",
        "src",
        "config",
        "scaffold",
    }
) | frozenset(sys.stdlib_module_names)


MAX_LENGTH = PROJECT_NAME_MAX_LENGTH


class InvalidName(ScaffoldError):
    """A project name that cannot become a distribution and a package."""


@dataclass(frozen=True)
class ProjectName:
    distribution: str  # my-api
    package: str  # my_api


def parse(raw: str) -> ProjectName:
    """Check ``raw`` and derive the names, or raise :class:`InvalidName` saying why."""
    name = raw.strip()
    if not name:
        raise InvalidName("the project name is empty")
    if "/" in name or "\\" in name or name in {".", ".."}:
        raise InvalidName(
            f"{raw!r} is a path, not a name; pass a name and use --output-dir for the location"
        )
    if name != name.lower():
        raise InvalidName(
            f"{raw!r} has upper-case letters; project names are lowercase: use {name.lower()!r}"
        )
    if len(name) > MAX_LENGTH:
        raise InvalidName(
            f"{raw!r} is {len(name)} characters; the limit is {MAX_LENGTH} (database and "
            "Kubernetes names derived from it must fit in 63 characters)"
        )
    if name[0].isdigit():
        raise InvalidName(f"{raw!r} starts with a digit; a Python package name cannot")
    if not re.fullmatch(PROJECT_NAME_PATTERN, name):
        raise InvalidName(
            f"{raw!r} is not a valid project name: use lowercase letters and digits, "
            "words joined by single - or _ (e.g. my-api)"
        )
    package = name.replace("-", "_")
    if keyword.iskeyword(package) or keyword.issoftkeyword(package):
        raise InvalidName(f"{raw!r} is a Python keyword and cannot be a package name")
    if package in RESERVED:
        raise InvalidName(f"{raw!r} would shadow the module {package!r}; choose another name")
    return ProjectName(distribution=name, package=package)
