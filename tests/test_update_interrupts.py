"""Issue 19, observation 4: `scaffold update` interrupted at random moments keeps its contract.

Each trial copies a prepared project, starts `python -m scaffold update` on it, sends SIGINT,
SIGTERM or SIGHUP after a random delay (to the process alone, or to its whole process group as
a terminal's Ctrl-C does), and then checks the repository is in one of the three states the
exit codes describe (docs/update.md), never anything in between:

- as before: refs, index, files, ignored files, no lock file, no git lock left;
- updated: merged, committed, uv.lock current, nothing uncommitted;
- a merge in progress with the conflicts, which `git merge --abort` turns back into the start.

The trials mix a clean merge and a conflicting one, and a slow checkout (a smudge filter that
sleeps, as git-lfs does) so that signals land inside git's own checkout. `uv` is a stand-in
script (its lock is the checksum of pyproject.toml; `uv lock` sleeps) so the relock step is
interrupted too, without the network. Temporary directories must all be gone afterwards.

SCAFFOLD_INTERRUPT_TRIALS sets the number of trials (100 by default, as in CI).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from scaffold import cli
from scaffold.templates import ENV_VAR
from tests.projects import REPO, TEMPLATES
from tests.update_helpers import PKG, V2_PYPROJECT_LINE, append_line, copy_templates, make_v2

TRIALS = int(os.environ.get("SCAFFOLD_INTERRUPT_TRIALS", "100"))
SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)

FAKE_UV = """#!/bin/sh
# A stand-in for uv: the lock is the checksum of pyproject.toml; `uv lock` takes a while.
want=$(cksum < pyproject.toml | cut -d' ' -f1)
case "$*" in
  *--check*)
    [ "$(cat uv.lock 2>/dev/null)" = "$want" ] && exit 0
    echo "error: The lockfile at uv.lock needs to be updated" >&2; exit 1 ;;
  lock*) sleep 0.3; echo "$want" > uv.lock ;;
  *) exit 2 ;;
esac
"""


def run_git(where: Path, *args: str, check: bool = True) -> str:
    proc = subprocess.run(["git", *args], cwd=where, capture_output=True, text=True, check=False)
    if check and proc.returncode != 0:
        raise AssertionError(f"git {' '.join(args)}: {proc.stderr}")
    return proc.stdout


@dataclass(frozen=True)
class Snapshot:
    """Everything the contract says an interrupted update may not leave half-changed."""

    head: str
    pristine: str
    status: str
    files: str

    @classmethod
    def of(cls, project: Path) -> Snapshot:
        digest = hashlib.sha256()
        for path in sorted(project.rglob("*")):
            relative = path.relative_to(project)
            if relative.parts[0] == ".git" or path.is_dir():
                continue
            digest.update(str(relative).encode() + b"\0")
            digest.update(str(path.readlink()).encode() if path.is_symlink() else path.read_bytes())
        return cls(
            head=run_git(project, "rev-parse", "HEAD").strip(),
            pristine=run_git(project, "rev-parse", "refs/heads/scaffold/pristine").strip(),
            status=run_git(project, "status", "--porcelain", "--ignored"),
            files=digest.hexdigest(),
        )


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("interrupts")
    bin_dir = root / "bin"
    bin_dir.mkdir()
    (bin_dir / "uv").write_text(FAKE_UV, encoding="utf-8")
    (bin_dir / "uv").chmod(0o755)
    v1 = copy_templates(TEMPLATES, root / "v1")
    v2 = make_v2(v1)
    env = base_env(root, v1, bin_dir)
    subprocess.run(
        [sys.executable, "-m", "scaffold", "new", PKG, "-y", "--no-lock", "-a", "none",
         "-o", str(root / "clean")],
        env=env, check=True, capture_output=True,
    )  # fmt: skip
    clean = root / "clean" / PKG
    subprocess.run(["uv", "lock"], cwd=clean, env=env, check=True)
    (clean / ".git" / "info").mkdir(exist_ok=True)
    run_git(clean, "add", "uv.lock")
    run_git(clean, "commit", "--quiet", "-m", "lock")
    conflict = root / "conflict" / PKG
    shutil.copytree(clean, conflict, symlinks=True)
    append_line(conflict / "pyproject.toml", "# user: my line at the end of pyproject.toml")
    run_git(conflict, "commit", "--quiet", "-am", "user edit")
    return {"root": root, "v2": v2, "bin": bin_dir, "clean": clean, "conflict": conflict}


def base_env(root: Path, templates: Path, bin_dir: Path) -> dict[str, str]:
    config = root / "gitconfig"
    config.write_text("[user]\n\tname = Test User\n\temail = test@example.com\n")
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "VIRTUAL_ENV"))},
        ENV_VAR: str(templates),
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "PYTHONPATH": str(REPO),
        "GIT_CONFIG_GLOBAL": str(config),
        "GIT_CONFIG_NOSYSTEM": "1",
    }


def slow_checkout(project: Path) -> None:
    """Every file git checks out goes through a filter that sleeps (like git-lfs)."""
    (project / ".git" / "info" / "attributes").write_text("* filter=slow\n", encoding="utf-8")
    run_git(project, "config", "filter.slow.smudge", "sleep 0.15; cat")


def lock_current(project: Path, env: dict[str, str]) -> bool:
    proc = subprocess.run(["uv", "lock", "--check"], cwd=project, env=env, capture_output=True)
    return proc.returncode == 0


def classify(project: Path, before: Snapshot, env: dict[str, str]) -> str:
    """Which state of the contract the repository is in; raises on any violation."""
    problems = []
    git_dir = project / ".git"
    for leftover in ("index.lock", "scaffold-update.lock", "HEAD.lock"):
        if (git_dir / leftover).exists():
            problems.append(f".git/{leftover} left behind")
    locks = [p.name for p in (git_dir / "refs").rglob("*.lock")]
    if locks:
        problems.append(f"ref locks left: {locks}")
    now = Snapshot.of(project)
    if (git_dir / "MERGE_HEAD").exists():
        state = "merge in progress"
        conflicted = run_git(project, "diff", "--name-only", "--diff-filter=U").split()
        if conflicted != ["pyproject.toml"]:
            problems.append(f"merge in progress with conflicts {conflicted}")
        run_git(project, "merge", "--abort")
        after = Snapshot.of(project)
        if (after.head, after.status, after.files) != (before.head, before.status, before.files):
            problems.append("`git merge --abort` did not return to the start")
    elif now == before:
        state = "as before"
    else:
        state = "updated"
        merge = run_git(project, "rev-list", "--parents", "-n1", "HEAD").split()[1:]
        if len(merge) == 1:  # "Refresh uv.lock" on top of the merge
            merge = run_git(project, "rev-list", "--parents", "-n1", merge[0]).split()[1:]
        if merge != [before.head, now.pristine]:
            problems.append(f"HEAD is not the update merge of {before.head}: {merge}")
        if now.status != before.status:
            problems.append(f"uncommitted after an update: {now.status!r}")
        if V2_PYPROJECT_LINE not in (project / "pyproject.toml").read_text(encoding="utf-8"):
            problems.append("updated without the template change")
        if not lock_current(project, env):
            problems.append("updated but uv.lock is stale")
    if problems:
        raise AssertionError(f"{state}: " + "; ".join(problems))
    return state


@dataclass
class Trial:
    """One interrupted update: what was drawn, and the process running it."""

    number: int
    seed: int
    kind: str
    slow: bool
    signum: signal.Signals
    to_group: bool
    delay: float
    project: Path
    tmp: Path
    env: dict[str, str]
    before: Snapshot
    pid: int = 0
    started: float = 0.0
    signalled: bool = False

    def describe(self, code: int, output: str) -> str:
        target = "group" if self.to_group else "process"
        return (
            f"trial {self.number} (SCAFFOLD_INTERRUPT_SEED={self.seed - self.number}, "
            f"{self.kind}, slow={self.slow}, {self.signum.name} after {self.delay:.2f}s to the "
            f"{target}): exit {code}\n{output}"
        )


def prepare(number: int, setup: dict[str, Path], seed: int, budget: float) -> Trial:
    rng = random.Random(seed)  # noqa: S311  (reproducible trials, not secrets)
    kind = rng.choice(["clean", "conflict"])
    work = setup["root"] / "trials" / str(number)
    project = work / PKG
    shutil.copytree(setup[kind], project, symlinks=True)
    slow = rng.random() < 0.5
    if slow:
        slow_checkout(project)
    tmp = work / "tmp"
    tmp.mkdir()
    return Trial(
        number=number,
        seed=seed,
        kind=kind,
        slow=slow,
        signum=rng.choice(SIGNALS),
        to_group=rng.random() < 0.5,
        # Over the whole run and a little past it (a busier machine runs slower than the
        # calibration); one trial in ten is not interrupted, the control group.
        delay=rng.uniform(0.0, budget * (2.0 if slow else 1.4)) if rng.random() > 0.1 else 1e9,
        project=project,
        tmp=tmp,
        env={**base_env(work, setup["v2"], setup["bin"]), "TMPDIR": str(tmp)},
        before=Snapshot.of(project),
    )


def start_update(project: Path, env: dict[str, str], log: Path) -> int:
    """Fork this (already warmed-up) process into ``scaffold update project``.

    Forking skips the interpreter start and the imports, most of a run's CPU time, so the
    trials fit in CI time; the child is otherwise the real command line, in its own session
    (the process group a terminal would signal), with its own environment.
    """
    pid = os.fork()
    if pid:
        return pid
    code = 99
    try:
        os.setsid()
        out = log.open("w", encoding="utf-8")
        os.dup2(out.fileno(), 1)
        os.dup2(out.fileno(), 2)
        sys.stdout = sys.stderr = out
        os.environ.clear()
        os.environ.update(env)
        tempfile.tempdir = env["TMPDIR"]
        for signum in SIGNALS:
            signal.signal(signum, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        sys.argv = ["scaffold", "update", str(project)]
        code = cli.main()
    except KeyboardInterrupt:
        code = 130
    except BaseException:  # reported through the exit code and the log
        import traceback

        traceback.print_exc()
    finally:
        sys.stdout.flush()
        os._exit(code)


def wait_code(pid: int, block: bool) -> int | None:
    done, status = os.waitpid(pid, 0 if block else os.WNOHANG)
    if not done:
        return None
    return os.waitstatus_to_exitcode(status)


def judge(trial: Trial, code: int, rng: random.Random) -> tuple[str, str]:
    """The state the trial left, and a description of any contract violation."""
    log = trial.tmp.parent / "output.txt"
    output = log.read_text(encoding="utf-8") if log.exists() else ""
    state = "?"
    try:
        state = classify(trial.project, trial.before, trial.env)
        expected = {0: {"updated"}, 1: {"merge in progress"}, 2: {"as before"}}
        if code in expected and state not in expected[code]:
            raise AssertionError(f"exit {code} but the repository is {state}")
        if code == 1 and "uv.lock" not in output:
            raise AssertionError("the conflict message must say to relock")
        left = sorted(p.name for p in trial.tmp.iterdir())
        if left:
            raise AssertionError(f"temporary files left: {left}")
        if state != "merge in progress" and rng.random() < 0.1:
            # A rerun finishes the job, relock included.
            log = trial.tmp.parent / "rerun.txt"
            rerun = wait_code(start_update(trial.project, trial.env, log), block=True)
            assert rerun in (0, 1), log.read_text(encoding="utf-8")
            if rerun == 0:
                assert classify(trial.project, trial.before, trial.env) == "updated"
    except AssertionError as error:
        return state, f"{trial.describe(code, output)}\n-> {error}"
    finally:
        shutil.rmtree(trial.tmp.parent, ignore_errors=True)
    return state, ""


def run_trials(trials: list[Trial], parallel: int = 2) -> list[tuple[str, str]]:
    """Run the trials ``parallel`` at a time, each signalled at its own moment."""
    pending = list(trials)
    running: list[Trial] = []
    finished: list[tuple[Trial, int]] = []
    while pending or running:
        while pending and len(running) < parallel:
            trial = pending.pop(0)
            trial.pid = start_update(trial.project, trial.env, trial.tmp.parent / "output.txt")
            trial.started = time.monotonic()
            running.append(trial)
        for trial in list(running):
            code = wait_code(trial.pid, block=False)
            due = time.monotonic() - trial.started >= trial.delay
            if code is None and not trial.signalled and due:
                with contextlib.suppress(ProcessLookupError):
                    if trial.to_group:
                        os.killpg(trial.pid, trial.signum)
                    else:
                        os.kill(trial.pid, trial.signum)
                trial.signalled = True
            if code is not None:
                running.remove(trial)
                finished.append((trial, code))
        time.sleep(0.005)
    # Judged afterwards, so that judging one trial never delays another one's signal.
    rng = random.Random(trials[0].seed if trials else 0)  # noqa: S311
    return [judge(trial, code, rng) for trial, code in finished]


@pytest.mark.skipif(not hasattr(os, "fork"), reason="the harness forks (POSIX only)")
def test_4_interrupts_at_random_moments_keep_the_contract(setup: dict[str, Path]) -> None:
    # How long an uninterrupted update takes here: the delays are drawn over that span.
    work = setup["root"] / "calibrate"
    project = work / PKG
    shutil.copytree(setup["clean"], project, symlinks=True)
    (work / "tmp").mkdir()
    env = {**base_env(work, setup["v2"], setup["bin"]), "TMPDIR": str(work / "tmp")}
    before = Snapshot.of(project)
    started = time.monotonic()
    code = wait_code(start_update(project, env, work / "output.txt"), block=True)
    budget = time.monotonic() - started
    assert code == 0, (work / "output.txt").read_text(encoding="utf-8")
    assert classify(project, before, env) == "updated"
    base_seed = int(os.environ.get("SCAFFOLD_INTERRUPT_SEED", str(random.randrange(1 << 30))))  # noqa: S311
    trials = [prepare(n, setup, base_seed + n, budget) for n in range(TRIALS)]
    results = run_trials(trials)
    violations = [problem for _state, problem in results if problem]
    states = {s: sum(1 for r, _ in results if r == s) for s, _ in results}
    assert not violations, (
        f"{len(violations)} of {TRIALS} trials broke the contract (seed {base_seed}, "
        f"states {states}):\n\n" + "\n\n".join(violations[:5])
    )
    # The trials must have reached every state, or the delays missed the interesting part.
    if TRIALS >= 50:
        assert set(states) == {"as before", "updated", "merge in progress"}, states
