"""What a generated project says about itself, read the way its user would read it.

The smoke steps run the commands a project documents (the README's first command, the
Dockerfile's ``CMD``, compose's ``migrate`` service) rather than commands of their own, so a
project whose documents drift from what works fails here.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path


def readme_dev_command(project: Path) -> list[str]:
    """README's first command (line 1 of the first code block), without ``uv run``."""
    import shlex

    readme = project / "README.md"
    if not readme.is_file():
        raise ValueError("README.md is missing")
    lines = readme.read_text(encoding="utf-8").splitlines()
    fences = [i for i, line in enumerate(lines) if line.lstrip().startswith("```")]
    if len(fences) < 2:
        raise ValueError("README.md has no code block")
    body = [line for line in lines[fences[0] + 1 : fences[1]] if line.strip()]
    if not body:
        raise ValueError("README.md's first code block is empty")
    words = shlex.split(body[0], comments=True)
    if words[:2] != ["uv", "run"] or len(words) < 3:
        raise ValueError(f"README.md's first command is not `uv run <command>`: {body[0]!r}")
    return words[2:]


def exec_form_cmd(dockerfile: str) -> list[str]:
    """The last exec-form ``CMD [...]`` of a Dockerfile's text: its final stage's command."""
    import json
    import re

    matches = re.findall(r"^CMD\s+(\[.*\])\s*$", dockerfile, re.M)
    if not matches:
        raise ValueError("Dockerfile has no exec-form CMD [...] line")
    try:
        cmd = json.loads(matches[-1])
    except json.JSONDecodeError as error:
        raise ValueError(f"Dockerfile CMD is not valid JSON: {error}") from None
    if not (isinstance(cmd, list) and cmd and all(isinstance(w, str) for w in cmd)):
        raise ValueError("Dockerfile CMD is not a list of strings")
    return cmd


def dockerfile_cmd(project: Path) -> list[str]:
    """The project's Dockerfile's final ``CMD [...]`` (exec form, JSON)."""
    dockerfile = project / "Dockerfile"
    if not dockerfile.is_file():
        raise ValueError("Dockerfile is missing")
    return exec_form_cmd(dockerfile.read_text(encoding="utf-8"))


#: Loads a ``module:attribute`` or ``module:factory()`` target exactly as gunicorn does.
IMPORT_APP = "import sys; from gunicorn.util import import_app; import_app(sys.argv[1])"


def app_target(serve: Sequence[str]) -> str:
    """The application a gunicorn command serves: its first positional argument."""
    words = list(serve)
    if not words or Path(words[0]).name != "gunicorn":
        raise ValueError(f"Dockerfile CMD does not start gunicorn: {' '.join(words)}")
    takes_value = {"-c", "--config", "-b", "--bind", "-w", "--workers", "-k", "--worker-class"}
    rest = iter(words[1:])
    for word in rest:
        if word in takes_value:
            next(rest, None)
        elif not word.startswith("-"):
            return word
    raise ValueError(f"Dockerfile CMD names no application: {' '.join(words)}")


#: The build stage of an ml project's image trains its model: ``RUN <python> -m <pkg>.train
#: --output /app/<path>`` (the image's /app is the project's directory).
TRAIN_RUN = re.compile(r"^RUN \S*python -m ([\w.]+\.train) --output /app/(\S+)$", re.MULTILINE)


def build_stage_training(project: Path) -> list[str] | None:
    """The model training the Dockerfile's build stage runs, as a command for the project's own
    directory; None when the image trains nothing (no ml extra).

    Production serves only a model the build made (it never trains), so whatever runs the app as
    production does must make one first, as the image build does.
    """
    match = TRAIN_RUN.search((project / "Dockerfile").read_text(encoding="utf-8"))
    return None if match is None else ["python", "-m", match[1], "--output", match[2]]


def migrate_command(project: Path) -> list[str]:
    """The ``command:`` of compose.yaml's ``migrate`` service (how production migrates)."""
    import shlex

    import yaml

    compose = project / "compose.yaml"
    if not compose.is_file():
        raise ValueError("compose.yaml is missing")
    data = yaml.safe_load(compose.read_text(encoding="utf-8")) or {}
    command = ((data.get("services") or {}).get("migrate") or {}).get("command")
    if isinstance(command, str):
        return shlex.split(command)
    if isinstance(command, list) and command:
        return [str(word) for word in command]
    raise ValueError("compose.yaml has no migrate service with a command")


def dotenv(path: Path) -> dict[str, str]:
    """``KEY=VALUE`` lines of a dotenv file (comments and blank values skipped)."""
    values: dict[str, str] = {}
    if not path.is_file():
        return values
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, value = line.removeprefix("export ").split("=", 1)
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        if value:
            values[key.strip()] = value
    return values


def production_env(project: Path) -> dict[str, str]:
    """Settings for the production command: ``.env.example``'s values, then ``.env``'s.

    ``.env.example`` documents production (``APP_ENV=production``, the settings module);
    ``.env`` holds the secrets generated at render time. Bind address, port and workers are
    set by the caller.
    """
    return {**dotenv(project / ".env.example"), **dotenv(project / ".env")}
