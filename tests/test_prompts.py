"""The interactive ``scaffold new`` in a pseudo-terminal (pexpect): mistakes caught as made.

Each test replays an observation from issue 18: a choice the rules refuse could be picked and
failed only after the last question, an existing directory was refused after every question,
declining the summary lost every answer, reasons were cut, and the extras lost their help.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pytest
import yaml

pexpect = pytest.importorskip("pexpect")

DOWN, UP, SPACE, ENTER = "\x1b[B", "\x1b[A", " ", "\r"
#: Every question but the extras answered by flags, so a test reaches the extras at once.
ALL_BUT_EXTRAS = [
    "--description", "x", "--author-name", "x", "--author-email", "x@example.com",
    "--python", "3.12", "-f", "flask", "-d", "postgresql", "-a", "jwt", "--ci", "none",
]  # fmt: skip
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def spawn(tmp_path: Path, *args: str, columns: int = 120):  # type: ignore[no-untyped-def]
    return pexpect.spawn(
        sys.executable,
        ["-m", "scaffold", "new", *args, "--no-lock", "--no-git", "-o", str(tmp_path)],
        env={**os.environ, "TERM": "xterm"},
        encoding="utf-8",
        timeout=60,
        dimensions=(40, columns),
    )


def plain(text: str) -> str:
    """Terminal output without escape codes, whitespace collapsed (wrapping undone)."""
    return " ".join(ANSI.sub("", text).split())


def finish(child) -> int:  # type: ignore[no-untyped-def]
    child.expect(pexpect.EOF)
    child.close()
    return child.exitstatus


def answers_of(project: Path) -> dict[str, object]:
    return yaml.safe_load((project / ".scaffold-answers.yml").read_text(encoding="utf-8"))


def test_an_existing_directory_is_refused_before_the_first_question(tmp_path: Path) -> None:
    (tmp_path / "shopc").mkdir()
    (tmp_path / "shopc" / "notes.txt").write_text("mine", encoding="utf-8")
    child = spawn(tmp_path, "shopc")
    child.expect(pexpect.EOF)
    output = plain(child.before)
    child.close()
    assert child.exitstatus == 2
    assert "already exists and is not empty" in output
    assert "Description" not in output  # not one question asked


def test_a_worker_without_redis_cannot_be_confirmed_and_the_extras_keep_their_help(
    tmp_path: Path,
) -> None:
    child = spawn(tmp_path, "workers", *ALL_BUT_EXTRAS)
    child.expect("Optional add-ons")  # the extras' help text, above the list
    child.expect("Extras")
    child.send(DOWN + SPACE + ENTER)  # tick "Background worker" alone and confirm
    child.expect("the worker uses Redis as its broker")
    child.expect("Extras")  # asked again, the worker still ticked
    child.send(SPACE + ENTER)  # tick Redis too
    child.expect("Generate the project")
    child.send("y" + ENTER)
    assert finish(child) == 0
    assert answers_of(tmp_path / "workers")["extras"] == ["redis", "worker"]


def test_a_choice_the_rules_refuse_is_disabled_with_its_full_reason(tmp_path: Path) -> None:
    child = spawn(
        tmp_path, "djangodb", *ALL_BUT_EXTRAS[:8], "-f", "django", "-a", "jwt", columns=80
    )
    child.expect(r"Database \(question")  # the reasons are printed above the question
    shown = plain(child.before)
    child.sendcontrol("c")
    child.expect(pexpect.EOF)
    reason = (
        "MongoDB is not available: Django's ORM, admin, auth and migrations are built for SQL "
        "databases and no MongoDB backend is maintained by Django; choose FastAPI or Flask for "
        "MongoDB"
    )
    assert reason in shown


def test_questions_are_numbered(tmp_path: Path) -> None:
    child = spawn(tmp_path, "numbered", "--description", "x", "--author-name", "x")
    child.expect(r"Author email \(question 1 of 7\)")
    child.send(ENTER)
    child.expect(r"Minimum Python version \(question 2 of 7\)")
    child.sendcontrol("c")
    child.expect(pexpect.EOF)


def test_at_the_summary_one_answer_can_be_changed(tmp_path: Path) -> None:
    child = spawn(tmp_path, "changed", *ALL_BUT_EXTRAS)
    child.expect("Extras")
    child.send(ENTER)
    child.expect("Generate the project")
    child.send("c" + ENTER)  # Change an answer
    child.expect("Which answer")
    # Description, Author name, Author email, Python, Web framework
    child.send(DOWN * 4 + ENTER)
    child.expect("Web framework")
    child.send(DOWN + ENTER)  # Flask (the current answer) -> Django
    child.expect("Generate the project")
    child.send("y" + ENTER)
    assert finish(child) == 0
    answers = answers_of(tmp_path / "changed")
    assert answers["framework"] == "django"
    assert answers["database"] == "postgresql"


def test_declining_the_summary_writes_nothing(tmp_path: Path) -> None:
    child = spawn(tmp_path, "declined", *ALL_BUT_EXTRAS)
    child.expect("Extras")
    child.send(ENTER)
    child.expect("Generate the project")
    child.send("n" + ENTER)
    assert finish(child) == 130
    assert list(tmp_path.iterdir()) == []
