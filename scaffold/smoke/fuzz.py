"""The ``fuzz`` step: schemathesis against the combination's live dev server.

The project's own contract tests fuzz the app in-process; this step fuzzes the stack a user
runs (the README's dev command: its server, middlewares and real database), so what only the
live stack does wrong (a proxy header, a database's integer range, a reloader) is found too.

It starts the dev server on a fresh database, finds the OpenAPI document the app serves, signs
in where the auth mode allows (``session`` and ``jwt``: register and log in through the app's
own API, then a bearer token, or the session cookie with the CSRF token in a header), and runs
the project's own schemathesis (a dependency of every generated project, so scaffold needs
none) with every default check. ``oauth`` and ``none`` are fuzzed anonymously.

It is bounded: :data:`DEFAULT_EXAMPLES` examples per operation with a fixed seed, so a run is
repeatable; ``SCAFFOLD_SMOKE_FUZZ_EXAMPLES`` goes deeper and ``SCAFFOLD_SMOKE_FUZZ_SEED``
explores other examples. 0 failures (and 0 errors) is a pass; the count is in the step's
summary and schemathesis's reports in ``logs/fuzz-report-N.json``.
"""

from __future__ import annotations

import json
import os
import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scaffold.smoke.processes import ServerNotHealthy, project_env, run_command, running_server
from scaffold.smoke.project_facts import readme_dev_command

if TYPE_CHECKING:
    from scaffold.smoke.runner import CombinationRun

EXAMPLES_ENV = "SCAFFOLD_SMOKE_FUZZ_EXAMPLES"
SEED_ENV = "SCAFFOLD_SMOKE_FUZZ_SEED"
#: Enough to reach every operation with valid and invalid input in about half a minute.
DEFAULT_EXAMPLES = 5
DEFAULT_SEED = 20240601
TIMEOUT = 1800.0
#: Where the three frameworks serve their OpenAPI document (FastAPI, Flask, Django), tried in
#: turn: the document is the one thing a fuzz run cannot do without.
#: Operations that end the signed-in session (logout, password change), fuzzed in a pass of
#: their own (a path regex, as schemathesis's ``--include-path-regex`` takes it).
SESSION_ENDERS = r"/auth/(logout|password)/?$"
#: The one check disabled for every project, where and why (the projects' own contract tests
#: disable the same): the password rules (common passwords, likeness to the email) cannot be
#: said in OpenAPI, so a schema-valid password may rightly be refused on registration and
#: password change.
CONFIG = """\
[[operations]]
include-path-regex = "/auth/(register|password)/?$"
checks.positive_data_acceptance.enabled = false
"""
#: With auth=oauth, the dev server has no OIDC provider to talk to: its login and callback
#: answer their documented 503 ("OIDC is not configured"), which the projects' own tests cover.
UNCONFIGURED_OIDC = """
[[operations]]
include-path-regex = "/auth/(login|callback)/?$"
checks.not_a_server_error.enabled = false
"""
DOCUMENT_PATHS = ("/openapi.json", "/api/openapi.json", "/api/v1/openapi.json", "/api/schema/")
#: Long, uncommon and unlike the email: every framework's password rules accept it.
PASSWORD = "Smoke-fuzz-correct-horse-42!"  # noqa: S105 - a throwaway user on a scratch database


@dataclass(frozen=True)
class FuzzOutcome:
    """What a schemathesis run found: unique failures, errors (a request that could not be
    made or checked), and schemathesis's own exit code."""

    failures: int
    errors: int
    exit_code: int

    @property
    def ok(self) -> bool:
        return self.exit_code == 0 and self.failures == 0 and self.errors == 0

    @property
    def summary(self) -> str:
        """``0 failures``, ``3 failures, 1 error``; the exit code when the counts miss why."""
        words = [f"{self.failures} failure{'s' if self.failures != 1 else ''}"]
        if self.errors:
            words.append(f"{self.errors} error{'s' if self.errors != 1 else ''}")
        if self.exit_code != 0 and not self.failures and not self.errors:
            words.append(f"schemathesis exited {self.exit_code}")
        return ", ".join(words)


def outcome_of(report: Mapping[str, Any] | None, exit_code: int, output: str) -> FuzzOutcome:
    """Read the counts from schemathesis's JSON report, else from its last summary line.

    The report's ``failures`` are grouped by kind, each with a ``count`` of unique failures;
    the text summary (``=== 2 failures, 1 error, 3 warnings in 9.1s ===``) is the fallback
    when no report was written (schemathesis stopped before the end).
    """
    if report is not None:
        failures = sum(int(f.get("count", 1)) for f in report.get("failures") or [])
        return FuzzOutcome(failures, len(report.get("errors") or []), exit_code)
    lines = [line for line in output.splitlines() if line.startswith("==") and " in " in line]
    last = lines[-1] if lines else ""
    failures = re.search(r"(\d+) failures?\b", last)
    errors = re.search(r"(\d+) errors?\b", last)
    return FuzzOutcome(
        int(failures.group(1)) if failures else 0,
        int(errors.group(1)) if errors else 0,
        exit_code,
    )


class Browser:
    """Just enough of an HTTP client to sign in: JSON or form bodies, and a cookie jar.

    The benchmarks sign in with it too. ``headers`` go with every request (the benchmarks'
    ``X-Forwarded-Proto``, a bearer token).
    """

    def __init__(self, base: str = "", headers: Mapping[str, str] | None = None) -> None:
        import http.cookiejar
        import urllib.request

        self.base = base
        self.headers = dict(headers or {})
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def request(
        self,
        method: str,
        path: str,
        *,
        json_body: object = None,
        form: Mapping[str, str] | None = None,
        timeout: float = 30,
    ) -> tuple[int, Any]:
        """(status, parsed JSON body or text); an error status is an answer, not an exception."""
        import urllib.error
        import urllib.parse
        import urllib.request

        headers, data = dict(self.headers), None
        if form is not None:
            data = urllib.parse.urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        elif json_body is not None:
            data = json.dumps(json_body).encode()
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(  # noqa: S310 - always http://127.0.0.1
            self.base + path, data=data, headers=headers, method=method
        )
        try:
            with self.opener.open(request, timeout=timeout) as response:
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, raw = error.code, error.read()
        try:
            return status, json.loads(raw)
        except ValueError:
            return status, raw.decode(errors="replace")

    def post(self, path: str, kind: str, body: Mapping[str, str]) -> tuple[int, Any]:
        """POST ``body`` as ``kind`` (``json`` or ``form``, see :func:`request_body`)."""
        if kind == "form":
            return self.request("POST", path, form=body)
        return self.request("POST", path, json_body=body)

    def cookie(self, name: str) -> str | None:
        return next((c.value for c in self.jar if c.name == name), None)


def find_document(browser: Browser) -> tuple[str, dict[str, Any]]:
    """The path of the OpenAPI document the app serves, and the document (JSON or YAML)."""
    import yaml

    for path in DOCUMENT_PATHS:
        status, body = browser.request("GET", path)
        if status != 200:
            continue
        document = body if isinstance(body, dict) else yaml.safe_load(body)
        if isinstance(document, dict) and "paths" in document:
            return path, document
    raise ValueError(f"no OpenAPI document at any of {', '.join(DOCUMENT_PATHS)}")


def resolve(document: Mapping[str, Any], schema: Mapping[str, Any]) -> Mapping[str, Any]:
    """``schema`` with a local ``$ref`` (``#/components/schemas/X``) followed."""
    seen = 0
    while "$ref" in schema and seen < 20:
        node: Any = document
        for part in str(schema["$ref"]).lstrip("#/").split("/"):
            node = node.get(part, {}) if isinstance(node, Mapping) else {}
        schema, seen = node, seen + 1
    return schema


def request_body(
    document: Mapping[str, Any], path: str, values: Mapping[str, str]
) -> tuple[str, dict[str, str]]:
    """How ``POST path`` takes a body (``json`` or ``form``) and ``values`` for its fields.

    Field names vary (FastAPI's login form has ``username``, Flask's ``email``, Django's
    register both), so the required ones are read from the document; a field without a value in
    ``values`` gets the ``username`` value.
    """
    operation = ((document.get("paths") or {}).get(path) or {}).get("post") or {}
    content = (operation.get("requestBody") or {}).get("content") or {}
    kind = "json"
    media = content.get("application/json")
    if media is None and "application/x-www-form-urlencoded" in content:
        kind, media = "form", content["application/x-www-form-urlencoded"]
    schema = resolve(document, (media or {}).get("schema") or {})
    # The required fields only: FastAPI's login form also lists ``grant_type`` and ``scope``.
    fields = list(schema.get("required") or schema.get("properties") or ["email", "password"])
    return kind, {name: values.get(name, values["username"]) for name in fields}


def auth_path(document: Mapping[str, Any], name: str) -> str | None:
    """The document's ``.../auth/<name>`` path, if it has one."""
    return next(
        (p for p in document.get("paths") or {} if p.rstrip("/").endswith(f"/auth/{name}")), None
    )


#: The header names the frameworks read a CSRF token from (FastAPI and Flask, Django): both
#: are sent, and the one an app does not read is ignored.
CSRF_HEADERS = ("X-CSRF-Token", "X-CSRFToken")


def csrf_token(browser: Browser, document: Mapping[str, Any], answer: object = None) -> str | None:
    """The session's CSRF token: from ``answer`` (a login's), the app's ``.../auth/csrf``
    endpoint, or Django's ``csrftoken`` cookie."""
    token = answer.get("csrf_token") if isinstance(answer, dict) else None
    path = auth_path(document, "csrf")
    if not token and path:
        _, fetched = browser.request("GET", path)
        token = fetched.get("csrf_token") if isinstance(fetched, dict) else None
    return token or browser.cookie("csrftoken")


@dataclass(frozen=True)
class Credentials:
    """What a signed-in client sends: a bearer token (jwt), or cookies and a CSRF token."""

    token: str | None = None
    cookies: Mapping[str, str] = field(default_factory=dict)
    csrf: str | None = None

    def for_schemathesis(self, document: Mapping[str, Any]) -> tuple[list[str], str]:
        """(``--header`` values, ``[auth.openapi]`` configuration) carrying these credentials.

        A credential that one of the document's security schemes names goes through that
        scheme, so schemathesis knows it: its "missing credentials" cases then really leave
        it out (a raw ``Cookie`` header would still carry the session, and every such case
        would be reported as "schema-violating request accepted"). What no scheme names
        (FastAPI's OAuth2 scheme, Django's CSRF cookie) goes as a plain header.
        """
        schemes = ((document.get("components") or {}).get("securitySchemes")) or {}
        config: dict[str, dict[str, str]] = {}
        cookies, csrf_headers = dict(self.cookies), list(CSRF_HEADERS) if self.csrf else []
        token, cookie_scheme = self.token, None
        for name, scheme in schemes.items():
            kind, where = scheme.get("type"), scheme.get("in")
            if kind == "http" and str(scheme.get("scheme", "")).lower() == "bearer" and token:
                config[name] = {"bearer": token}
            elif kind == "apiKey" and where == "cookie" and scheme.get("name") in cookies:
                config[name] = {"api_key": cookies.pop(scheme["name"])}
                cookie_scheme = name
            elif kind == "apiKey" and where == "header" and self.csrf:
                named = [h for h in csrf_headers if h.lower() == str(scheme.get("name")).lower()]
                if named:
                    config[name] = {"api_key": self.csrf}
                    csrf_headers.remove(named[0])
        if any("bearer" in values for values in config.values()):
            token = None
        if cookie_scheme is not None and cookies:
            # A Cookie header would replace the scheme's cookie (requests sends one or the
            # other), so the other cookies (Django's CSRF cookie) ride along in its value.
            config[cookie_scheme]["api_key"] += "".join(f"; {k}={v}" for k, v in cookies.items())
            cookies = {}
        headers = [f"Authorization: Bearer {token}"] if token else []
        if cookies:
            headers.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in cookies.items()))
        headers += [f"{header}: {self.csrf}" for header in csrf_headers]
        toml = "".join(
            f"\n[auth.openapi.{json.dumps(name)}]\n"
            + "".join(f"{key} = {json.dumps(value)}\n" for key, value in values.items())
            for name, values in config.items()
        )
        return headers, toml


def sign_in(browser: Browser, document: Mapping[str, Any], auth: str) -> Credentials:
    """Register and log in through the app's API; the credentials a signed-in client sends.

    ``jwt``: ``Authorization: Bearer``. ``session``: as a browser does, an anonymous session's
    CSRF token first (Flask wants it on registration and login), then the signed-in session's
    cookies and CSRF token.
    """
    register, login = auth_path(document, "register"), auth_path(document, "login")
    if register is None or login is None:
        raise ValueError(
            f"auth={auth} but the document has no .../auth/register and .../auth/login"
        )
    if auth == "session":
        anonymous = csrf_token(browser, document)
        if anonymous:
            browser.headers.update(dict.fromkeys(CSRF_HEADERS, anonymous))
    user = f"fuzz{secrets.token_hex(4)}"
    email = f"{user}@example.com"
    kind, body = request_body(
        document, register, {"email": email, "password": PASSWORD, "username": user}
    )
    status, answer = browser.post(register, kind, body)
    if status >= 300:
        raise ValueError(f"POST {register} answered {status}: {answer}")
    # A login by username means the account's username if registration took one, else the email.
    name = user if "username" in body else email
    kind, body = request_body(
        document, login, {"email": email, "password": PASSWORD, "username": name}
    )
    status, answer = browser.post(login, kind, body)
    if status != 200:
        raise ValueError(f"POST {login} answered {status}: {answer}")
    if auth == "jwt":
        token = (
            answer.get("access_token") or answer.get("access") if isinstance(answer, dict) else None
        )
        if not token:
            raise ValueError(f"POST {login} answered no access token: {answer}")
        return Credentials(token=str(token))
    csrf = csrf_token(browser, document, answer)
    return Credentials(cookies={c.name: str(c.value) for c in browser.jar}, csrf=csrf)


def schemathesis_command(
    document_url: str,
    headers: list[str],
    examples: int,
    seed: int,
    report: Path,
    operations: Sequence[str] = (),
    auth_config: str = "",
) -> list[str]:
    """``schemathesis run`` from the project's venv: every default check but :data:`CONFIG`'s
    one, bounded, repeatable. ``operations`` are filter options (``--include-path-regex ...``).

    The configuration (with ``auth_config``, see :meth:`Credentials.for_schemathesis`) is
    written beside ``report``.
    """
    config = report.with_name("schemathesis.toml")
    config.write_text(CONFIG + auth_config, encoding="utf-8")
    cmd = ["uv", "run", "--no-sync", "schemathesis", "--config-file", str(config), "run"]
    cmd.append(document_url)
    cmd += ["--max-examples", str(examples), "--seed", str(seed), "--no-color"]
    cmd += ["--generation-database", "none", "--report", "json", "--report-json-path", str(report)]
    cmd += list(operations)
    for header in headers:
        cmd += ["--header", header]
    return cmd


def shown(cmd: list[str]) -> str:
    """``cmd`` for the log, with the credentials' values hidden."""
    words = []
    for word in cmd:
        name, sep, _ = word.partition(": ")
        words.append(f"{name}: [hidden]" if sep and name in ("Authorization", "Cookie") else word)
    return " ".join(words)


def combined(outcomes: Sequence[FuzzOutcome]) -> FuzzOutcome:
    """One outcome for several passes: their counts added, the worst exit code."""
    return FuzzOutcome(
        sum(o.failures for o in outcomes),
        sum(o.errors for o in outcomes),
        max((o.exit_code for o in outcomes), default=0),
    )


def fuzz_pass(cmd: list[str], project: Path, report: Path, label: str) -> tuple[FuzzOutcome, str]:
    """Run one schemathesis command; its outcome, and its output with the credentials hidden."""
    report.unlink(missing_ok=True)
    code, output = run_command(cmd, project, project_env(), TIMEOUT)
    output = output.replace(output.split("\n", 1)[0], f"$ {shown(cmd)}", 1)
    try:
        data = json.loads(report.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        data = None
    outcome = outcome_of(data, code, output)
    return outcome, f"{output}\n[smoke] {label}: {outcome.summary}\n"


def fuzz_server(
    base: str, project: Path, auth: str, reports: Path
) -> tuple[FuzzOutcome | None, str]:
    """Sign in (where ``auth`` allows) and fuzz the server at ``base``; (outcome, log).

    Signed in, the operations that end the session (:data:`SESSION_ENDERS`) get a pass of their
    own with a fresh sign-in: in one pass, the first logout would leave every later request
    anonymous (schemathesis then warns that most operations answered only 401).
    """
    examples = int(os.environ.get(EXAMPLES_ENV) or DEFAULT_EXAMPLES)
    seed = int(os.environ.get(SEED_ENV) or DEFAULT_SEED)
    browser = Browser(base)
    signs_in = auth in ("jwt", "session")
    try:
        path, document = find_document(browser)
        passes = [("all operations", [])]
        if signs_in:
            passes = [
                ("all but the session enders", ["--exclude-path-regex", SESSION_ENDERS]),
                ("the session enders", ["--include-path-regex", SESSION_ENDERS]),
            ]
        # Every pass signs in before any is fuzzed: the first pass's failed logins would get a
        # later sign-in throttled (429) by the app's login throttle, as they should.
        signed_in = [
            sign_in(Browser(base), document, auth) if signs_in else Credentials() for _ in passes
        ]
        outcomes, logs = [], []
        for number, ((label, operations), credentials) in enumerate(
            zip(passes, signed_in, strict=True), 1
        ):
            headers, auth_config = credentials.for_schemathesis(document)
            if auth == "oauth":
                auth_config = UNCONFIGURED_OIDC + auth_config
            report = reports / f"fuzz-report-{number}.json"
            cmd = schemathesis_command(
                base + path, headers, examples, seed, report, operations, auth_config
            )
            outcome, log = fuzz_pass(cmd, project, report, label)
            outcomes.append(outcome)
            logs.append(log)
    except ValueError as error:
        return None, f"[smoke] {error}\n"
    outcome = combined(outcomes)
    as_who = f"signed in ({auth})" if signs_in else "anonymous"
    note = f"[smoke] fuzz {as_who}, {examples} examples per operation, seed {seed}: "
    note += f"{outcome.summary}\n"
    return outcome, note + "\n".join(logs) + "\n" + note


def fuzz_live_server(run: CombinationRun) -> tuple[bool, str]:
    """The step: the README's dev server on scratch databases, fuzzed, then stopped."""
    try:
        cmd = readme_dev_command(run.project)
    except ValueError as error:
        return False, f"[smoke] {error}\n"
    auth = run.combo.get("auth", "none")

    def body(extra: dict[str, str]) -> tuple[bool, str]:
        log = run.logs / "fuzz-server.log"
        try:
            with running_server(
                ["uv", "run", *cmd],
                run.project,
                project_env(extra),
                log,
                timeout=run.health_timeout,
            ) as server:
                outcome, output = fuzz_server(server.base_url, run.project, auth, run.logs)
        except ServerNotHealthy as error:
            return False, f"{error.output}\n[smoke] {error.problem}\n"
        if outcome is not None:
            run.summaries["fuzz"] = outcome.summary
        ok = outcome is not None and outcome.ok
        return ok, output + f"\n[smoke] server log: {log}\n"

    run.logs.mkdir(parents=True, exist_ok=True)
    return run.with_databases("fuzz", body)
