"""The one exception scaffold's commands raise for the user, and how it is shown.

Every module raises a subclass of :class:`ScaffoldError` with a one-line message; the command
line (``scaffold.cli.main``) prints it as ``error: <message>`` and exits with its
``exit_code``. No module prints its own errors.
"""

from __future__ import annotations

from scaffold.constants import EXIT_INTERRUPTED, EXIT_USAGE


class ScaffoldError(Exception):
    """A failure to report in one line; ``exit_code`` is the process's exit status."""

    exit_code: int = EXIT_USAGE

    def __init__(self, message: str, exit_code: int | None = None) -> None:
        super().__init__(message)
        if exit_code is not None:
            self.exit_code = exit_code


class Interrupted(ScaffoldError):
    """Ctrl-C, SIGTERM or a declined confirmation: stopped before anything was written."""

    exit_code = EXIT_INTERRUPTED
