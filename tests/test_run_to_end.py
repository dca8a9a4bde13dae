"""`gitops.run_to_end` waits for its child whatever interrupts arrive, and then re-raises.

The interrupt harness (tests/test_update_interrupts.py) once hung CI for good: a SIGINT landed
inside `Popen.communicate` before it had set up its buffers, every later `communicate` call then
failed at once, and the retry loop spun at 100% CPU. Here many interrupts land at many moments
of short git-like commands, in a child interpreter with a deadline, so a hang fails the test.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

from tests.projects import REPO

TRIALS = textwrap.dedent(
    """
    import os, random, signal, sys, threading, time
    from pathlib import Path
    from scaffold.gitops import run_to_end

    rng = random.Random(7)
    script = "printf out; printf err >&2; sleep 0.02; printf more"
    for trial in range(150):
        delay = rng.uniform(0.0, 0.03)
        timer = threading.Timer(delay, os.kill, (os.getpid(), signal.SIGINT))
        timer.start()
        try:
            proc = run_to_end(["sh", "-c", script], cwd=Path.cwd(), env=os.environ)
        except KeyboardInterrupt:
            # Raised before the child started or once it has ended and been reaped: no child
            # of this process is left running unwatched.
            try:
                os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                pass
            else:
                raise AssertionError(f"trial {trial}: a child is left behind")
        else:
            assert (proc.returncode, proc.stdout, proc.stderr) == (0, "outmore", "err"), proc
        try:  # a signal that comes after the command ended lands here, not in the next trial
            timer.join()
            time.sleep(0.01)
        except KeyboardInterrupt:
            pass
    print("ok")
    """
)


def test_interrupts_at_any_moment_never_hang_or_lose_the_child() -> None:
    proc = subprocess.run(
        [sys.executable, "-c", TRIALS],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0 and proc.stdout.strip() == "ok", proc.stdout + proc.stderr
