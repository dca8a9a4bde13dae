"""The Starlette application behind ``scaffold serve``.

Routes: ``/`` the page (built from the catalogue), ``/static/*`` its script and style,
``/api/check`` (validation, disabled choices, the equivalent command line: no render),
``/api/tree`` and ``/api/file`` (Explore: render and list, or render and show one file),
``/download`` (the zip). Answers travel as query parameters (see :mod:`scaffold.web.form`).
Renders are rate-limited per client, time-limited, and at most ``workers`` at a time.
"""

from __future__ import annotations

import io
import logging
import time
import zipfile
from collections import defaultdict, deque
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import anyio
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from scaffold.web import form, page, renderer

STATIC = Path(__file__).with_name("static")
STATIC_TYPES = {"app.js": "text/javascript", "style.css": "text/css"}
LOOPBACK_HOSTS = ["127.0.0.1", "localhost", "[::1]", "::1"]
#: Longer query strings are refused before anything is parsed (a name is at most a few dozen
#: characters; the longest sensible description is a line).
MAX_QUERY = 4096
#: Past this many remembered clients, the rate limiter drops those with no recent request.
MAX_CLIENTS = 10_000
SECURITY_HEADERS = {
    "content-security-policy": "default-src 'self'; img-src 'self' data:; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
}

log = logging.getLogger("scaffold.serve")


@dataclass(frozen=True)
class Limits:
    """How much one client may ask for, and how long a render may take."""

    renders_per_minute: int = 60
    render_timeout: float = 30.0
    download_timeout: float = 120.0  # includes `uv lock`, which resolves over the network
    workers: int = 2


class RateLimiter:
    """At most ``limit`` requests per client in any ``window`` seconds (a sliding log)."""

    def __init__(self, limit: int, window: float = 60.0) -> None:
        self.limit = limit
        self.window = window
        self.seen: dict[str, deque[float]] = defaultdict(deque)

    def retry_after(self, client: str) -> int:
        """0 when the request may go ahead (and count it), else the seconds to wait."""
        now = time.monotonic()
        if len(self.seen) > MAX_CLIENTS:  # forget clients quiet for a whole window
            for key in [k for k, v in self.seen.items() if not v or now - v[-1] >= self.window]:
                del self.seen[key]
        log_ = self.seen[client]
        while log_ and now - log_[0] >= self.window:
            log_.popleft()
        if len(log_) >= self.limit:
            return max(1, int(self.window - (now - log_[0])) + 1)
        log_.append(now)
        return 0


class Guard:
    """ASGI middleware: security headers on every response, and a cap on the query length."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if len(scope.get("query_string", b"")) > MAX_QUERY:
            response = PlainTextResponse(
                f"the query is longer than {MAX_QUERY} bytes", status_code=414
            )
            await response(scope, receive, self._with_headers(send))
            return
        await self.app(scope, receive, self._with_headers(send))

    @staticmethod
    def _with_headers(send: Send) -> Send:
        async def sender(message: dict) -> None:  # type: ignore[type-arg]
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers += [(k.encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]
                message = {**message, "headers": headers}
            await send(message)

        return sender  # type: ignore[return-value]


def _error(
    message: str, status: int, headers: dict[str, str] | None = None, **extra: object
) -> JSONResponse:
    return JSONResponse({"error": message, **extra}, status_code=status, headers=headers)


def create_app(
    *, limits: Limits | None = None, allowed_hosts: list[str] | None = None
) -> Starlette:
    """The application; ``allowed_hosts`` guards a loopback server against DNS rebinding."""
    limits = limits or Limits()
    limiter = RateLimiter(limits.renders_per_minute)
    capacity = anyio.CapacityLimiter(limits.workers)

    def answers_of(request: Request, ignore: tuple[str, ...] = ()) -> form.Form:
        params = {k: request.query_params.getlist(k) for k in request.query_params}
        return form.read(params, ignore=ignore)

    async def rendered(
        request: Request, handle: Callable[[renderer.Project], Response], *, download: bool
    ) -> Response:
        """Check, rate-limit and render the request's answers, then ``handle`` the project."""
        try:
            checked = answers_of(request, ignore=("path",))
        except form.UnknownParameter as error:
            return _error(str(error), 400)
        if checked.answers is None:
            return _error(checked.message, 422, errors=checked.errors)
        client = request.client.host if request.client else "unknown"
        wait = limiter.retry_after(client)
        if wait:
            message = f"too many renders from {client}; try again in {wait} s"
            return _error(message, 429, headers={"retry-after": str(wait)})
        timeout = limits.download_timeout if download else limits.render_timeout
        job = partial(renderer.render, checked.answers, download=download, timeout=timeout)
        started = time.perf_counter()
        try:
            project = await anyio.to_thread.run_sync(job, limiter=capacity)
        except renderer.RenderUnavailable as error:
            return _error(str(error), 503)
        except renderer.RenderFailed as error:
            return _error(str(error), 422)
        wall = (time.perf_counter() - started) * 1000
        log.info("rendered %s: %.0f ms wall, %.0f ms CPU", project.name, wall, project.cpu * 1000)
        for note in project.notes:
            log.warning("%s: %s", project.name, note)
        return handle(project)

    async def index(request: Request) -> Response:
        return HTMLResponse(page.html())

    async def static(request: Request) -> Response:
        name = request.path_params["name"]
        if name not in STATIC_TYPES:
            return PlainTextResponse("not found", status_code=404)
        return Response((STATIC / name).read_bytes(), media_type=STATIC_TYPES[name])

    async def check(request: Request) -> Response:
        try:
            checked = answers_of(request)
        except form.UnknownParameter as error:
            return _error(str(error), 400)
        return JSONResponse(
            {
                "valid": checked.valid,
                "errors": checked.errors,
                "rule_error": checked.rule_error,
                "disabled": checked.disabled,
                "command": form.command_line(checked.answers) if checked.answers else None,
                "name": checked.answers["project_name"] if checked.answers else None,
            }
        )

    async def tree(request: Request) -> Response:
        def listing(project: renderer.Project) -> Response:
            files = [{"path": p, "size": len(f.data)} for p, f in project.files.items()]
            return JSONResponse({"name": project.name, "files": files})

        return await rendered(request, listing, download=False)

    async def file(request: Request) -> Response:
        path = request.query_params.get("path", "")

        def show(project: renderer.Project) -> Response:
            found = project.files.get(path)  # a lookup in memory: no path ever reaches the disk
            if found is None:
                return _error(f"{path[:200]!r} is not a file of this project", 404)
            try:
                text: str | None = found.data.decode("utf-8")
            except UnicodeDecodeError:
                text = None
            return JSONResponse({"path": path, "size": len(found.data), "text": text})

        return await rendered(request, show, download=False)

    async def download(request: Request) -> Response:
        def as_zip(project: renderer.Project) -> Response:
            return Response(
                zip_bytes(project),
                media_type="application/zip",
                headers={"content-disposition": f'attachment; filename="{project.name}.zip"'},
            )

        return await rendered(request, as_zip, download=True)

    routes = [
        Route("/", index),
        Route("/static/{name}", static),
        Route("/api/check", check),
        Route("/api/tree", tree),
        Route("/api/file", file),
        Route("/download", download),
    ]
    middleware = [Middleware(Guard)]
    if allowed_hosts:
        middleware.append(Middleware(TrustedHostMiddleware, allowed_hosts=allowed_hosts))

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await anyio.to_thread.run_sync(renderer.start)
        yield

    return Starlette(routes=routes, middleware=middleware, lifespan=lifespan)


def zip_bytes(project: renderer.Project) -> bytes:
    """The project as a zip of ``<name>/<path>`` entries, keeping each file's mode."""
    buffer = io.BytesIO()
    stamp = time.localtime()[:6]
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path, item in project.files.items():
            info = zipfile.ZipInfo(f"{project.name}/{path}", date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = (0o100000 | item.mode) << 16
            archive.writestr(info, item.data)
    return buffer.getvalue()
