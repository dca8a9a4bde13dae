"""``scaffold new`` commits as the user git knows, and fills the author answers from git config.

Observed (issue 20): `scaffold new` committed as `Your Name <you@example.com>` although the
user's git config set a name and email. Each test runs the real command with a throw-away HOME
whose ~/.gitconfig is the only configuration git reads.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import yaml


def isolated_env(home: Path, gitconfig: str | None) -> dict[str, str]:
    home.mkdir(parents=True, exist_ok=True)
    if gitconfig is not None:
        (home / ".gitconfig").write_text(gitconfig, encoding="utf-8")
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("GIT_AUTHOR_", "GIT_COMMITTER_", "EMAIL"))
    }
    env.update(HOME=str(home), GIT_CONFIG_NOSYSTEM="1", XDG_CONFIG_HOME=str(home / ".config"))
    return env


def new(tmp_path: Path, env: dict[str, str], *args: str) -> Path:
    out = tmp_path / "out"
    proc = subprocess.run(
        [sys.executable, "-m", "scaffold", "new", "ident", "-y", "--no-lock", "-o", str(out),
         *args],
        env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    return out / "ident"


def head_identity(project: Path) -> str:
    return subprocess.run(
        ["git", "log", "-1", "--format=%an <%ae> / %cn <%ce>"],
        cwd=project, capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip


def author_answers(project: Path) -> tuple[str, str]:
    data = yaml.safe_load((project / ".scaffold-answers.yml").read_text(encoding="utf-8"))
    return data["author_name"], data["author_email"]


def test_new_commits_with_the_configured_identity_and_uses_it_as_the_author(
    tmp_path: Path,
) -> None:
    env = isolated_env(
        tmp_path / "home", "[user]\n\tname = Ada Lovelace\n\temail = ada@example.org\n"
    )
    project = new(tmp_path, env)
    assert (
        head_identity(project) == "Ada Lovelace <ada@example.org> / Ada Lovelace <ada@example.org>"
    )
    assert author_answers(project) == ("Ada Lovelace", "ada@example.org")
    assert 'authors = [{ name = "Ada Lovelace", email = "ada@example.org" }]' in (
        project / "pyproject.toml"
    ).read_text(encoding="utf-8")


def test_explicit_author_flags_win_for_the_answers_but_git_config_still_commits(
    tmp_path: Path,
) -> None:
    env = isolated_env(tmp_path / "home", "[user]\n\tname = Ada\n\temail = ada@example.org\n")
    project = new(tmp_path, env, "--author-name", "Team", "--author-email", "team@example.org")
    assert author_answers(project) == ("Team", "team@example.org")
    assert head_identity(project) == "Ada <ada@example.org> / Ada <ada@example.org>"


def test_without_any_git_identity_the_answers_author_commits(tmp_path: Path) -> None:
    env = isolated_env(tmp_path / "home", None)
    project = new(tmp_path, env)
    assert author_answers(project) == ("Your Name", "you@example.com")
    assert head_identity(project) == "Your Name <you@example.com> / Your Name <you@example.com>"
