"""What scaffold prints: answer summaries, next steps, the options listing, JSON forms of each."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from typer import echo, style

from scaffold.catalogue import OPTIONS, OPTIONS_BY_KEY, RULES

if TYPE_CHECKING:
    from scaffold.answers import Resolved
    from scaffold.render import Rendered


def _console(err: bool = False):
    from rich.console import Console

    return Console(stderr=err, highlight=False)


def label(key: str, value: object) -> str:
    option = OPTIONS_BY_KEY[key]
    if isinstance(value, list):
        return ", ".join(value) or "none"
    choice = option.choice(str(value))
    return choice.label if choice else str(value)


def answers_text(resolved: Resolved) -> str:
    """Plain-text summary of the answers, marking the ones that were not chosen explicitly."""
    width = max(len(o.prompt) for o in OPTIONS)
    lines = []
    for option in OPTIONS:
        value = resolved.answers[option.key]
        note = "  (default)" if resolved.sources.get(option.key) == "default" else ""
        lines.append(f"  {option.prompt:<{width}}  {label(option.key, value)}{note}")
    return "\n".join(lines)


def _next_steps(resolved: Resolved, path: Path) -> list[str]:
    """The README's own first commands: a server the app needs first (MongoDB), then it runs."""
    readme = path / "README.md"
    first = None
    server = None
    if readme.is_file():
        text = readme.read_text(encoding="utf-8")
        intro = text.split("\n## ", 1)[0]
        needed = re.search(r"`(docker compose up -d [\w-]+)`", intro)
        server = needed.group(1) if needed else None
        for line in text.splitlines():
            if line.startswith("uv run ") and "pytest" not in line:
                first = line.split("#", 1)[0].strip()
                break
    steps = [f"cd {path}"] + ([server] if server else [])
    return [*steps, first or "uv run <start command from README.md>", "uv run pytest"]


def report_created(resolved: Resolved, result: Rendered, *, as_json: bool) -> None:
    steps = _next_steps(resolved, result.path)
    if as_json:
        payload = {
            "path": str(result.path),
            "answers": resolved.answers,
            "sources": resolved.sources,
            "files": result.files,
            "git": result.committed,
            "locked": result.locked,
            "notes": result.notes,
            "next_steps": steps,
        }
        sys.stdout.write(json.dumps(payload, indent=2) + "\n")
        return
    echo(f"{style('Created', fg='green', bold=True)} {result.path} ({len(result.files)} files)")
    echo(answers_text(resolved))
    for note in result.notes:
        echo(f"{style('note:', fg='yellow')} {note}")
    echo("\n" + style("Next steps", bold=True))
    for step in steps:
        echo("  " + style(step, fg="cyan"))


def report_dry_run(resolved: Resolved, target: Path, files: list[str], *, as_json: bool) -> None:
    if as_json:
        payload = {"path": str(target), "answers": resolved.answers, "files": files}
        sys.stdout.write(json.dumps(payload, indent=2) + "\n")
        return
    from rich.tree import Tree

    console = _console()
    console.print(answers_text(resolved), markup=False)
    tree = Tree(f"[bold]{target}[/] (dry run: nothing written)")
    nodes: dict[str, Tree] = {"": tree}
    for file in files:
        parts = file.split("/")
        for depth in range(1, len(parts)):
            key = "/".join(parts[:depth])
            if key not in nodes:
                nodes[key] = nodes["/".join(parts[: depth - 1])].add(f"{parts[depth - 1]}/")
        nodes["/".join(parts[:-1])].add(parts[-1], style="")
    console.print(tree)
    console.print(f"{len(files)} files")


def options_data() -> dict[str, object]:
    return {
        "options": [
            {
                "key": o.key,
                "prompt": o.prompt,
                "help": o.help,
                "kind": o.kind,
                "flag": o.flag or ("--with" if o.kind == "multi" else None),
                "default": list(o.default) if o.kind == "multi" else o.default,
                "choices": [
                    {"value": c.value, "label": c.label, "help": c.help} for c in o.choices
                ],
            }
            for o in OPTIONS
        ],
        "invalid_combinations": [{"when": dict(r.when), "reason": r.reason} for r in RULES],
    }


def report_options(*, as_json: bool) -> None:
    if as_json:
        sys.stdout.write(json.dumps(options_data(), indent=2) + "\n")
        return
    from rich.table import Table

    console = _console()
    table = Table(title="scaffold options", show_lines=True)
    for column in ("option", "flag", "choices", "default"):
        table.add_column(column)
    for o in OPTIONS:
        flag = o.flag or ("--with" if o.kind == "multi" else "NAME")
        if o.choices:
            choices = "\n".join(f"{c.value}: {c.help}" for c in o.choices)
        else:
            choices = o.pattern_help or "text"
        default = ", ".join(o.default) if o.kind == "multi" else str(o.default)
        table.add_row(f"{o.key}\n[dim]{o.help}[/]", flag, choices, default)
    console.print(table)
    if RULES:
        console.print("[bold]Invalid combinations[/]")
        for rule in RULES:
            combo = " + ".join(f"{k}={v}" for k, v in rule.when.items())
            console.print(f"  {combo}: {rule.reason}")
    else:
        console.print("Every combination of the choices above is valid.")
