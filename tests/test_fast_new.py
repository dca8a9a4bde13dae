"""``scaffold new`` parsed without typer (scaffold/fast_new.py) must run exactly what typer's
command runs: the same request for every command line it accepts, typer for every other one,
and the same output, exit code and files from the real console entry point."""

from __future__ import annotations

import io
import os
import select
import shutil
import subprocess
import sys
import tty
from pathlib import Path
from typing import Any, TextIO

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.main import get_command
from typer.testing import CliRunner

from scaffold import fast_new, new_command, output
from scaffold.cli import _catalogue_params, app
from scaffold.new_command import NewRequest
from scaffold.render import list_files

runner = CliRunner()


def typer_request(argv: list[str], monkeypatch: pytest.MonkeyPatch) -> NewRequest | None:
    """The request typer's ``new`` hands to new_command.run, or None if typer refuses."""
    seen: list[NewRequest] = []
    monkeypatch.setattr(new_command, "run", lambda request, **_: seen.append(request))
    result = runner.invoke(app, ["new", *argv])
    if result.exit_code != 0:
        assert not seen
        return None
    (request,) = seen
    return request


def test_the_tables_name_exactly_typers_options() -> None:
    """Every option of typer's ``new`` is in one table, as the same kind and field."""
    command = get_command(app).commands["new"]  # type: ignore[attr-defined]
    catalogue_fields = {f"flag:{p.name}" for p in _catalogue_params()}
    valued = fast_new.valued_options()
    ours: dict[str, str] = {**fast_new.SWITCHES, **fast_new.REPEATABLE, **valued}
    theirs: dict[str, str] = {}
    for param in command.params:
        if param.param_type_name == "argument":
            continue
        for name in (*param.opts, *param.secondary_opts):
            if name in fast_new.LEFT_TO_TYPER:
                continue
            if param.is_flag:  # type: ignore[attr-defined]
                theirs[name] = param.name  # type: ignore[assignment]
                assert name in fast_new.SWITCHES, name
            elif param.multiple:  # type: ignore[attr-defined]
                theirs[name] = param.name  # type: ignore[assignment]
                assert name in fast_new.REPEATABLE, name
            elif f"flag:{param.name}" in catalogue_fields:
                theirs[name] = f"flag:{param.name}"
            else:
                theirs[name] = param.name  # type: ignore[assignment]
    assert ours == theirs
    left = {n for p in command.params for n in (*p.opts, *p.secondary_opts)} - set(theirs)
    assert left | {"--help"} == fast_new.LEFT_TO_TYPER | {"name"}


ACCEPTED = [
    ["x", "--defaults", "--no-lock", "--no-git"],
    ["x", "-y", "-o", "out"],
    ["--defaults", "x", "--output-dir=some/where", "--json"],
    ["my-api", "-f", "django", "-d", "postgresql", "-a", "session", "--ci", "gitlab"],
    ["x", "--framework=flask", "--with", "redis", "--with", "celery", "--set", "ci=none"],
    ["x", "--description", "A service = nice", "--author-name", "Ünïcode Name"],
    ["x", "--dry-run", "-y", "-y"],
    ["x", "--python", "3.12", "--author-email=a@b.c"],
]
DECLINED = [
    [],
    ["x", "y"],
    ["--defaults"],
    ["x", "--help"],
    ["x", "--answers-file", "answers.yml"],
    ["x", "--", "--defaults"],
    ["x", "-yo", "out"],
    ["x", "-oout"],
    ["x", "-o=out"],
    ["x", "-o"],
    ["x", "-o", ""],
    ["x", "--output-dir="],
    ["x", "--description", "-starts-with-a-dash"],
    ["x", "-f", "flask", "-f", "django"],
    ["x", "--defaults=yes"],
    ["x", "--no-such-option"],
    ["x", "--frame", "flask"],
    ["-", "--defaults"],
]


@pytest.mark.parametrize("argv", ACCEPTED, ids=" ".join)
def test_accepted_lines_give_typers_request(
    argv: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    ours = fast_new.parse(argv)
    assert ours is not None
    assert ours == typer_request(argv, monkeypatch)


@pytest.mark.parametrize("argv", DECLINED, ids=lambda a: " ".join(a) or "(none)")
def test_other_lines_are_left_to_typer(argv: list[str]) -> None:
    assert fast_new.parse(argv) is None


@pytest.mark.parametrize("var", [fast_new.COMPLETION_VAR, "_PYTHON _M SCAFFOLD_COMPLETE"])
def test_completion_requests_are_left_to_typer(monkeypatch: pytest.MonkeyPatch, var: str) -> None:
    monkeypatch.setenv(var, "bash_complete")
    assert fast_new.parse(["x", "--defaults"]) is None


TOKENS = st.sampled_from(
    [
        "x", "other", "-y", "--defaults", "--json", "--dry-run", "--no-git", "--no-lock",
        "-o", "--output-dir", "--output-dir=d", "-f", "--framework", "flask", "django",
        "--with", "redis", "--set", "ci=none", "--set=auth=none", "-d", "sqlite", "--ci",
        "--", "-", "", "-x", "--with=", "--answers-file", "a=b", "--description=-x",
    ]
)  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(st.lists(TOKENS, max_size=7))
def test_any_line_is_declined_or_read_as_typer_reads_it(argv: list[str]) -> None:
    ours = fast_new.parse(argv)
    if ours is None:
        return
    with pytest.MonkeyPatch.context() as monkeypatch:
        assert ours == typer_request(argv, monkeypatch)


MESSAGES = ["", "plain", "Ünïcode", "colour \033[31mred\033[0m inside", "two\nlines"]
STYLES: list[dict[str, Any]] = [
    {},
    {"fg": "green", "bold": True},
    {"fg": "yellow"},
    {"bold": True},
    {"fg": "cyan"},
]


@pytest.mark.parametrize("styles", STYLES, ids=str)
def test_style_is_typers(styles: dict[str, Any]) -> None:
    import typer

    for message in MESSAGES:
        assert output.style(message, **styles) == typer.style(message, **styles)


def written(stream: TextIO, *, err: bool, ours: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every message in every style through our echo or typer's, to ``stream``."""
    import typer

    monkeypatch.setattr(sys, "stderr" if err else "stdout", stream)
    for styles in STYLES:
        for message in MESSAGES:
            if ours:
                output.echo(output.style(message, **styles), err=err)
            else:
                typer.echo(typer.style(message, **styles), err=err)
    monkeypatch.undo()


@pytest.mark.parametrize("err", [False, True], ids=["stdout", "stderr"])
def test_echo_to_a_file_writes_what_typer_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, err: bool
) -> None:
    for ours in (True, False):
        with (tmp_path / str(ours)).open("w", encoding="utf-8") as stream:
            assert output.direct(stream)
            written(stream, err=err, ours=ours, monkeypatch=monkeypatch)
    assert (tmp_path / "True").read_bytes() == (tmp_path / "False").read_bytes()
    assert b"\033" not in (tmp_path / "True").read_bytes()


def read_all(fd: int) -> bytes:
    chunks = []
    while select.select([fd], [], [], 0.2)[0]:
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # the other end is closed and everything was read
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks)


@pytest.mark.parametrize("err", [False, True], ids=["stdout", "stderr"])
def test_echo_to_a_terminal_writes_what_typer_writes(
    monkeypatch: pytest.MonkeyPatch, err: bool
) -> None:
    got = {}
    for ours in (True, False):
        primary, secondary = os.openpty()
        tty.setraw(secondary)  # no newline translation: the bytes as written
        with open(secondary, "w", encoding="utf-8") as stream:  # noqa: PTH123
            assert stream.isatty()
            written(stream, err=err, ours=ours, monkeypatch=monkeypatch)
        got[ours] = read_all(primary)
        os.close(primary)
    assert got[True] == got[False]
    assert b"\033[32m" in got[True]


def test_streams_click_might_treat_differently_go_to_typer() -> None:
    assert not output.direct(io.StringIO())  # no encoding: click may re-wrap it
    assert not output.direct(io.TextIOWrapper(io.BytesIO(), encoding="latin-1"))


def files_of(root: Path) -> dict[str, bytes]:
    """Every rendered file but the two holding fresh secrets."""
    return {
        name: (root / name).read_bytes()
        for name in list_files(root)
        if name not in (".env", ".scaffold-answers.yml")
    }


def run_entry(argv: list[str], cwd: Path, *, through_typer: bool) -> subprocess.CompletedProcess:
    """The console script (fast path) or typer's CLI, in a subprocess with no terminal."""
    code = (
        "import sys; sys.argv[0] = 'scaffold'; from scaffold.cli import main; sys.exit(main())"
        if through_typer
        else "import sys; sys.argv[0] = 'scaffold'; from scaffold.__main__ import main; "
        "sys.exit(main())"
    )
    check = (
        "\nimport atexit, sys\n"
        "atexit.register(lambda: sys.stderr.write(f'TYPER {\"typer\" in sys.modules}\\n'))\n"
    )
    env = {k: v for k, v in os.environ.items() if k != fast_new.COMPLETION_VAR}
    return subprocess.run(
        [sys.executable, "-c", check + code, "new", *argv],
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    "argv",
    [
        ["demo", "--defaults", "--no-lock", "--no-git", "-o", "out"],
        ["demo", "-f", "flask", "-a", "session", "--with", "redis", "--no-lock", "--no-git",
         "--json", "-o", "out"],
        ["demo", "-f", "django", "--dry-run", "-o", "out"],
        ["Bad Name!", "--defaults", "-o", "out"],
        ["demo", "-f", "nope", "--defaults", "-o", "out"],
    ],
    ids=["defaults", "flask-json", "dry-run", "bad-name", "bad-choice"],
)  # fmt: skip
def test_console_script_matches_typer_byte_for_byte(tmp_path: Path, argv: list[str]) -> None:
    results = {}
    for through_typer in (True, False):
        proc = run_entry(argv, tmp_path, through_typer=through_typer)
        stderr, _, marker = proc.stderr.rpartition("TYPER ")
        assert marker.strip() == str(through_typer), proc.stderr
        project = tmp_path / "out" / "demo"
        files = files_of(project) if project.is_dir() else {}
        results[through_typer] = (proc.returncode, proc.stdout, stderr, files)
        shutil.rmtree(tmp_path / "out", ignore_errors=True)
    assert results[False] == results[True]


def test_typer_path_leaves_the_collector_alone(tmp_path: Path) -> None:
    import gc

    assert gc.isenabled()
    result = runner.invoke(app, ["new", "demo", "-y", "--no-lock", "--no-git", "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert gc.isenabled()


def test_a_render_leaves_no_cyclic_garbage_that_needs_finalizing(tmp_path: Path) -> None:
    """Why the one-shot run may stop the collector and freeze everything before exiting: what
    a render leaves in reference cycles holds no file and nothing with ``__del__``."""
    import gc

    import copier  # noqa: F401  (its import is not the render's garbage)

    from scaffold.render import render_tree

    render_tree({"project_name": "warm", "framework": "fastapi"}, tmp_path / "warm")
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        render_tree({"project_name": "demo", "framework": "fastapi"}, tmp_path / "demo")
        gc.collect()
        garbage = list(gc.garbage)
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
    assert garbage, "the check looks at something"
    assert not [o for o in garbage if isinstance(o, io.IOBase)]
    assert not [o for o in garbage if hasattr(type(o), "__del__")]
