"""Benchmark section 4: each framework's generated app under gunicorn and ``wrk``, next to a
bare hello-world of the same framework (``benchmarks/bare/``)."""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from bench_common import (
    BARE_DIR,
    FRAMEWORKS,
    PASSWORD,
    POSTGRES_ADMIN_URL,
    PROXY_HEADERS,
    PYCACHE,
    Report,
    WrkResult,
    clean_env,
    fmt_s,
    group_cpu,
    http,
    markdown_table,
    median,
    median_wrk,
    parse_wrk,
    run_timed,
    server,
    venv_bin,
    verdict,
)

from scaffold.smoke.processes import free_port
from scaffold.smoke.project_facts import exec_form_cmd, migrate_command
from scaffold.smoke.services import DatabaseError, ScratchDatabase

# --------------------------------------------------------------------------- 4. throughput


@dataclass(frozen=True)
class AuthProfile:
    """How each framework's generated API signs a user up (read from its own tests)."""

    register: Callable[[str], dict[str, str]]
    login_form: bool  # FastAPI's OAuth2 password flow takes a form, the others JSON
    login: Callable[[str], dict[str, str]]
    access_field: str
    item: Callable[[int], dict[str, str]]
    bare_app: str
    extra_env: Mapping[str, str] = field(default_factory=dict)


AUTH: dict[str, AuthProfile] = {
    "fastapi": AuthProfile(
        register=lambda u: {"email": f"{u}@example.com", "password": PASSWORD},
        login_form=True,
        login=lambda u: {"username": f"{u}@example.com", "password": PASSWORD},
        access_field="access_token",
        item=lambda n: {"title": f"Item {n}", "description": "benchmark"},
        bare_app="fastapi_app:app",
        extra_env={"APP_ENV": "production"},
    ),
    "flask": AuthProfile(
        register=lambda u: {"email": f"{u}@example.com", "password": PASSWORD},
        login_form=False,
        login=lambda u: {"email": f"{u}@example.com", "password": PASSWORD},
        access_field="access_token",
        item=lambda n: {"name": f"Item {n}", "description": "benchmark"},
        bare_app="flask_app:app",
        extra_env={"APP_ENV": "production"},
    ),
    "django": AuthProfile(
        register=lambda u: {"username": u, "email": f"{u}@example.com", "password": PASSWORD},
        login_form=False,
        login=lambda u: {"username": u, "password": PASSWORD},
        access_field="access",
        item=lambda n: {"name": f"Item {n}", "description": "benchmark"},
        bare_app="django_app:application",
        extra_env={"ALLOWED_HOSTS": "127.0.0.1,localhost"},
    ),
}


def sign_up(base: str, profile: AuthProfile, items: int) -> str:
    """Register and log in a user through the HTTP API, create ``items``; return its token."""
    user = f"bench{secrets.token_hex(3)}"
    status, body = http("POST", f"{base}/api/v1/auth/register", json_body=profile.register(user))
    if status >= 300:  # 202 now: registration never says whether the email was new
        raise RuntimeError(f"register: {status} {body}")
    login = profile.login(user)
    if profile.login_form:
        status, body = http("POST", f"{base}/api/v1/auth/login", form=login)
    else:
        status, body = http("POST", f"{base}/api/v1/auth/login", json_body=login)
    if status != 200 or not isinstance(body, dict) or profile.access_field not in body:
        raise RuntimeError(f"login: {status} {body}")
    token = str(body[profile.access_field])
    for n in range(items):
        status, body = http("POST", f"{base}/api/v1/items", json_body=profile.item(n), token=token)
        if status != 201:
            raise RuntimeError(f"create item: {status} {body}")
    status, body = http("GET", f"{base}/api/v1/items", token=token)
    if status != 200:
        raise RuntimeError(f"list items: {status} {body}")
    return token


def run_wrk(
    url: str, seconds: float, threads: int, connections: int, token: str | None
) -> WrkResult:
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds:g}s", "--latency"]
    for key, value in PROXY_HEADERS.items():
        cmd += ["-H", f"{key}: {value}"]
    if token:
        cmd += ["-H", f"Authorization: Bearer {token}"]
    proc = subprocess.run(
        [*cmd, url], capture_output=True, text=True, timeout=seconds + 60, check=False
    )
    if proc.returncode:
        raise RuntimeError(f"wrk exited {proc.returncode}: {proc.stderr.strip()}")
    return parse_wrk(proc.stdout)


def drain(url: str, timeout: float = 180) -> None:
    """Wait until the server behind ``url`` has worked off what wrk left queued.

    wrk stops at its deadline, but requests already accepted (sync workers take one at a time)
    are still processed; without this, a slow endpoint's backlog is billed to the next run.
    One /health request queued behind the backlog returns when it is gone.
    """
    health = urllib.parse.urlunsplit(urllib.parse.urlsplit(url)._replace(path="/health"))
    with contextlib.suppress(OSError):
        http("GET", health, timeout=timeout)
    time.sleep(0.5)


@contextlib.contextmanager
def fresh_database(name: str) -> Iterator[str]:
    """A new PostgreSQL database for one run, dropped afterwards; yields its plain URL.

    The smoke test's scratch database: the same ``psql`` commands, the same ``DROP ... (FORCE)``.
    """
    database = ScratchDatabase("postgresql", POSTGRES_ADMIN_URL, name)
    try:
        database.create()
    except DatabaseError as error:
        raise RuntimeError(str(error)) from None
    try:
        yield database.url
    finally:
        database.drop()


@dataclass
class Served:
    """A generated app and the bare app of its framework, both up, plus a signed-in token."""

    framework: str
    project: Path
    app_url: str
    bare_url: str
    token: str
    app_log: Path
    bare_log: Path
    app_group: int = 0  # process groups of the two servers (group_cpu)
    bare_group: int = 0


@contextlib.contextmanager
def serve_framework(fw: str, workers: int, work: Path) -> Iterator[Served]:
    """Render ``fw`` with PostgreSQL + JWT, migrate a fresh database, and serve the app by its
    Dockerfile CMD next to the bare app of the same framework; everything is torn down after."""
    profile = AUTH[fw]
    name = f"tp-{fw}"
    project = work / name
    scaffold = venv_bin("scaffold")
    new = [scaffold, "new", name, "--defaults", "-f", fw, "-d", "postgresql", "-a", "jwt"]
    try:
        for cmd, cwd in (
            ([*new, "--no-git", "-o", work], work),
            (["uv", "sync", "--quiet", "--no-dev"], project),
        ):
            result = run_timed(cmd, cwd=cwd, env=clean_env())
            if result.returncode:
                raise RuntimeError(f"{cmd[1]}: {result.output[-800:]}")
        migrate = migrate_command(project)
        serve = exec_form_cmd((project / "Dockerfile").read_text())
        venv = project / ".venv" / "bin"
        with fresh_database(f"bench_{fw}_{secrets.token_hex(4)}") as db_url:
            app_port, bare_port = free_port(), free_port()
            base_env = clean_env(
                PATH=f"{venv}{os.pathsep}{os.environ['PATH']}",
                SECRET_KEY=secrets.token_urlsafe(50),
                DATABASE_URL=db_url,
                HOST="127.0.0.1",
                WEB_CONCURRENCY=str(workers),
                **profile.extra_env,
            )
            result = run_timed(migrate, cwd=project, env=base_env)
            if result.returncode:
                raise RuntimeError(f"migrate {migrate}: {result.output[-800:]}")
            bare_cmd = [
                str(venv / "gunicorn"),
                *("-c", str(project / "gunicorn.conf.py"), "--chdir", str(BARE_DIR)),
                profile.bare_app,
                *serve[2:],  # the same worker class (FastAPI's uvicorn worker)
            ]
            app_log, bare_log = work / f"{fw}-app.log", work / f"{fw}-bare.log"
            with (
                server(
                    serve,
                    cwd=project,
                    env={**base_env, "PORT": str(app_port)},
                    port=app_port,
                    log=app_log,
                ) as (app_url, app_group),
                server(
                    bare_cmd,
                    cwd=BARE_DIR,
                    env={**base_env, "PORT": str(bare_port)},
                    port=bare_port,
                    log=bare_log,
                ) as (bare_url, bare_group),
            ):
                token = sign_up(app_url, profile, items=20)
                yield Served(
                    fw, project, app_url, bare_url, token, app_log, bare_log, app_group, bare_group
                )
    finally:
        shutil.rmtree(project, ignore_errors=True)


def bench_throughput(
    report: Report,
    rounds: int,
    seconds: float,
    workers: int,
    threads: int,
    connections: int,
    work: Path,
) -> None:
    """Generated app vs bare hello-world under the same gunicorn, config and worker count."""
    if shutil.which("wrk") is None:
        report.add(
            "4. Generated-app throughput",
            "**Skipped: `wrk` is not installed** (Debian: `apt-get install -y wrk`).",
        )
        return
    rows: list[list[object]] = []
    failures: list[str] = []
    for fw in FRAMEWORKS:
        try:
            with serve_framework(fw, workers, work) as served:
                targets = {
                    "bare /health": (f"{served.bare_url}/health", None, served.bare_group),
                    "/health": (f"{served.app_url}/health", None, served.app_group),
                    "/api/v1/items (JWT)": (
                        f"{served.app_url}/api/v1/items",
                        served.token,
                        served.app_group,
                    ),
                }
                for url, tok, _ in targets.values():  # warm-up: imports, pools, caches
                    run_wrk(url, min(2.0, seconds), threads, connections, tok)
                    drain(url)
                results: dict[str, list[WrkResult]] = {k: [] for k in targets}
                cpu: dict[str, list[float]] = {k: [] for k in targets}
                for _ in range(rounds):
                    for key, (url, tok, group) in targets.items():
                        before = group_cpu(group)
                        result = run_wrk(url, seconds, threads, connections, tok)
                        drain(url)  # the backlog is served (and billed) here, plus one /health
                        results[key].append(result)
                        cpu[key].append((group_cpu(group) - before) / (result.requests + 1))
                app_errors = [
                    line
                    for line in served.app_log.read_text(errors="replace").splitlines()
                    if "error" in line.lower() or "Traceback" in line
                ]
                if app_errors:
                    failures.append(f"{fw} server log: " + " / ".join(app_errors[:3])[:600])
            med = {k: median_wrk(v) for k, v in results.items()}
            med_cpu = {k: median(v) for k, v in cpu.items()}
            bare_rps = med["bare /health"].requests_per_s
            for key, res in med.items():
                ratio = res.requests_per_s / bare_rps if bare_rps else 0.0
                cpu_ratio = med_cpu["bare /health"] / med_cpu[key] if med_cpu[key] else 0.0
                ok = res.errors == 0 and (ratio >= 0.9 if key == "/health" else True)
                rows.append(
                    [
                        fw,
                        key,
                        f"{res.requests_per_s:,.0f}",
                        fmt_s(res.p50_s),
                        fmt_s(res.p99_s),
                        f"{res.socket_errors} / {res.non_2xx}",
                        f"{ratio:.2f}x",
                        f"{med_cpu[key] * 1e6:,.0f} us",
                        f"{cpu_ratio:.2f}x",
                        verdict(ok),
                    ]
                )
        except (RuntimeError, subprocess.CalledProcessError, OSError, KeyError) as error:
            detail = getattr(error, "stderr", "") or ""
            failures.append(f"{fw}: {error} {detail}".strip()[-1200:])
            rows.append([fw, "failed (see below)", "", "", "", "", "", "", "", verdict(False)])
    body = markdown_table(
        [
            "Framework",
            "Endpoint",
            "Requests/s",
            "p50",
            "p99",
            "Errors socket / non-2xx",
            "vs bare",
            "Server CPU / request",
            "vs bare (CPU)",
            "Goal met",
        ],
        rows,
    )
    body += (
        f"\n\nEach app: PostgreSQL + JWT, fresh database, migrated with compose's `migrate` "
        f"command, served by the Dockerfile `CMD` (gunicorn, the project's gunicorn.conf.py, "
        f"WEB_CONCURRENCY={workers}) on 127.0.0.1. The bare hello-world of the same framework "
        f"(`benchmarks/bare/`) runs under the same gunicorn, config, worker class, virtualenv "
        f"and worker count. `wrk -t{threads} -c{connections} -d{seconds:g}s --latency`, "
        f"{rounds} round(s) after a warm-up, interleaved; median of the rounds. The items list "
        f"holds 20 items of the signed-in user. Goal: `/health` >= 0.90x bare and 0 errors "
        f"(socket errors include wrk's 2 s timeout). wrk and the servers share the machine's "
        f"cores. Server CPU / request: user + system CPU of the server's master and workers "
        f"over a run (read from /proc) divided by the requests wrk completed; 'vs bare (CPU)' "
        f"is bare's CPU per request over this one's, the same ratio as requests/s on an idle "
        f"machine and the steadier one on a busy machine."
    )
    if failures:
        body += "\n\nFailures and server-log errors:\n" + "\n".join(f"- {f}" for f in failures)
    report.add("4. Generated-app throughput", body)


def serve_forever(fw: str, workers: int) -> int:
    """``--serve FW``: keep one framework's app and bare app up for manual load and profiling."""
    with tempfile.TemporaryDirectory(prefix="scaffold-bench-") as tmp:
        PYCACHE["warm"] = Path(tmp) / "pycache-warm"  # no __pycache__ in the checkout
        with serve_framework(fw, workers, Path(tmp)) as served:
            _serve_until_stopped(served)
    return 0


def _serve_until_stopped(served: Served) -> None:
    """Print where things are, then block until Ctrl-C or SIGTERM."""
    print(
        f"app:   {served.app_url}  (log {served.app_log})\n"
        f"bare:  {served.bare_url}  (log {served.bare_log})\n"
        f"token: {served.token}\n"
        f"e.g.   wrk -t2 -c32 -d10s --latency -H 'Authorization: Bearer {served.token}' "
        f"{served.app_url}/api/v1/items\n"
        "Ctrl-C stops both and drops the database.",
        flush=True,
    )

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    # A background job ignores SIGINT, so SIGTERM also stops (and cleans up) cleanly.
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    with contextlib.suppress(KeyboardInterrupt):
        while True:
            time.sleep(3600)
