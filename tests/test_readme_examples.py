"""The generated README's "Try it" requests: the curl block runs against ``uv run dev``.

Each README has, under ``## Try it``, two ```` ```bash ```` blocks: curl first, then the same
requests with HTTPie. Every request line ends with ``# <status>``, the status it answers.

- The parser tests render the section (``templates/_shared/try_it.md.jinja``) for every valid
  framework x database x auth and check that the HTTPie block sends exactly what the curl block
  sends (method, path, headers, body, cookies, what it reads from the answer, the status).
- The ``template`` tests render one project per framework x auth with the catalogue's default
  database, start its dev server the way the README says, and run the curl block in bash with
  the port substituted: each request must answer the status its line says, and the item the
  block creates must be in the list it reads back. With HTTPie installed (``http`` in this
  venv or on PATH) the HTTPie block runs against the same server too.
"""

from __future__ import annotations

import functools
import json
import os
import re
import shlex
import signal
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
import pytest

from scaffold import catalogue, smoke
from tests.projects import TEMPLATES, render, run

PARTIAL = "_shared/try_it.md.jinja"
BASE = "http://127.0.0.1:8000"
PASSWORD_AUTH = ("session", "jwt")
#: Where the examples' item text sits in each framework's item.
ITEM_FIELD = {"fastapi": "title", "flask": "name", "django": "name"}
TRIPLES = catalogue.combinations(("framework", "database", "auth"))
DEFAULT_DATABASE = str(catalogue.defaults()["database"])
LIVE = [
    (framework, auth)
    for framework in catalogue.OPTIONS_BY_KEY["framework"].values
    for auth in ("none", *PASSWORD_AUTH)
]


# --------------------------------------------------------------------------- parsing


@dataclass(frozen=True)
class Request:
    """What one example line sends, and what it reads from the answer, tool-independently."""

    method: str
    url: str
    headers: tuple[tuple[str, str], ...]
    body: tuple[tuple[str, str], ...]
    form: bool
    cookies: bool
    var: str
    field: str
    status: int


def section(readme: str) -> str:
    """The ``## Try it`` section: from its heading to the next ``## `` heading."""
    match = re.search(r"^## Try it\n(.*?)(?=^## |\Z)", readme, re.MULTILINE | re.DOTALL)
    assert match, "the README has no '## Try it' section"
    return match.group(1)


def headings(readme: str) -> list[str]:
    """The README's ``## `` headings, in order."""
    return re.findall(r"^## .*$", readme, re.MULTILINE)


def bash_blocks(text: str) -> list[str]:
    """The bodies of the ```bash blocks in ``text``, in order."""
    return re.findall(r"^```bash\n(.*?)^```$", text, re.MULTILINE | re.DOTALL)


def commands(block: str) -> list[str]:
    """The block's commands, continuation lines joined, comment-only and blank lines dropped."""
    joined = block.replace("\\\n", " ")
    return [line.strip() for line in joined.splitlines() if line.strip()]


def requests(block: str, tool: str) -> list[Request]:
    """Every ``tool`` request of the block (curl or http), parsed."""
    found = []
    for command in commands(block):
        match = re.fullmatch(
            r"(?:(?P<var>\w+)=\$\()?(?P<cmd>(?:curl|http) .*?)"
            r"(?: \| field (?P<field>\w+)\))?\s+# (?P<status>\d{3})",
            command,
        )
        if match is None:
            assert not re.search(r"\b(curl|http) ", command), f"unparsed request: {command}"
            continue
        words = shlex.split(match["cmd"])
        assert words[0] == tool, f"{words[0]} in the {tool} block: {command}"
        parse = parse_curl if tool == "curl" else parse_http
        found.append(
            Request(
                **parse(words[1:]),
                var=match["var"] or "",
                field=match["field"] or "",
                status=int(match["status"]),
            )
        )
    return found


def header(text: str, separator: str) -> tuple[str, str]:
    name, _, value = text.partition(separator)
    return name.strip().lower(), value.strip()


def parse_curl(words: list[str]) -> dict[str, Any]:
    """curl's options as the examples use them: -X, -H, -d (JSON or form), -b/-c, -sS, -w."""
    method, url, headers, data, cookies = "", "", [], [], False
    args = iter(words)
    for word in args:
        if word == "-X":
            method = next(args)
        elif word == "-H":
            headers.append(header(next(args), ":"))
        elif word == "-d":
            data.append(next(args))
        elif word in ("-b", "-c"):
            next(args)
            cookies = True
        elif word == "-w":
            next(args)
        elif word == "-sS":
            pass
        elif word.startswith("-"):
            raise AssertionError(f"curl option the parser does not know: {word}")
        else:
            assert not url, f"two URLs: {url} {word}"
            url = word
    json_body = ("content-type", "application/json") in headers
    if json_body:
        headers.remove(("content-type", "application/json"))
        (text,) = data
        body = tuple(json.loads(text).items())
    else:
        body = tuple(tuple(pair.split("=", 1)) for pair in data)
    return {
        "method": method or ("POST" if data else "GET"),
        "url": url,
        "headers": tuple(headers),
        "body": body,
        "form": bool(data) and not json_body,
        "cookies": cookies,
    }


def parse_http(words: list[str]) -> dict[str, Any]:
    """HTTPie's words as the examples use them: --session, --form, METHOD URL, items."""
    method, url, headers, body, form, cookies = "", "", [], [], False, False
    for word in words:
        if word.startswith("--session="):
            cookies = True
        elif word == "--form":
            form = True
        elif word.startswith("-"):
            raise AssertionError(f"HTTPie option the parser does not know: {word}")
        elif word in ("GET", "POST", "PUT", "PATCH", "DELETE"):
            method = word
        elif not url:
            url = word
        elif re.match(r"^[\w-]+:[^=]", word):  # Header:value (before key=value: a value has '=')
            headers.append(header(word, ":"))
        elif "=" in word and ":=" not in word:
            key, _, value = word.partition("=")
            body.append((key, value))
        else:
            raise AssertionError(f"HTTPie item the parser does not know: {word}")
    return {
        "method": method or ("POST" if body else "GET"),
        "url": url,
        "headers": tuple(headers),
        "body": tuple(body),
        "form": form,
        "cookies": cookies,
    }


# --------------------------------------------------------------------------- the section alone


@functools.cache
def jinja_env() -> jinja2.Environment:
    """One environment for every combination, so the section is compiled once."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
        autoescape=False,  # noqa: S701 - Markdown, not HTML
    )


def render_section(framework: str, database: str, auth: str) -> str:
    """The section as the README renders it (it uses nothing but the answers named here)."""
    answers = {
        "framework": framework,
        "database": database,
        "auth": auth,
        "password_auth": auth in PASSWORD_AUTH,
    }
    return jinja_env().get_template(PARTIAL).render(answers)


def triple_id(triple: dict[str, str]) -> str:
    return "-".join(triple.values())


@pytest.mark.parametrize("triple", TRIPLES, ids=triple_id)
def test_httpie_block_sends_what_the_curl_block_sends(triple: dict[str, str]) -> None:
    framework, database, auth = triple["framework"], triple["database"], triple["auth"]
    text = section(render_section(framework, database, auth))
    blocks = bash_blocks(text)
    if auth == "oauth":
        assert blocks == []
        assert "browser" in text
        return
    curl, http = blocks
    sent = requests(curl, "curl")
    assert sent == requests(http, "http")
    assert all(r.url.startswith(f"{BASE}/api/v1/") for r in sent)
    creates = [r for r in sent if r.url == f"{BASE}/api/v1/items" and r.method == "POST"]
    assert [r.body for r in creates] == [((ITEM_FIELD[framework], "Buy milk"),)]
    paths = [(r.method, r.url.removeprefix(BASE)) for r in sent]
    assert ("GET", "/api/v1/items") in paths
    assert ("GET", "/api/v1/items/$ITEM") in paths
    if auth in PASSWORD_AUTH:
        statuses = {(r.method, r.url.removeprefix(BASE)): r.status for r in sent}
        assert statuses[("POST", "/api/v1/auth/register")] == 202
        assert statuses[("POST", "/api/v1/auth/login")] == 200
        assert statuses.get(("POST", "/api/v1/auth/logout"), 204) == 204


def test_every_request_line_is_parsed() -> None:
    """A request the parser would skip (no ``# status``) fails, so none goes unchecked."""
    with pytest.raises(AssertionError, match="unparsed request"):
        requests("curl -sS http://127.0.0.1:8000/api/v1/items\n", "curl")


def test_a_difference_between_the_blocks_is_found() -> None:
    curl = requests("curl -sS -w '\\n' http://127.0.0.1:8000/api/v1/items   # 200\n", "curl")
    assert curl != requests("http http://127.0.0.1:8000/api/v1/item   # 200\n", "http")
    assert curl != requests("http http://127.0.0.1:8000/api/v1/items   # 201\n", "http")
    assert curl == requests("http http://127.0.0.1:8000/api/v1/items   # 200\n", "http")


# --------------------------------------------------------------------------- against the server

#: The test's curl: every call appends "@@ <status> <method> <url>" and its answer to
#: $TRY_IT_LOG, fails on HTTP errors (--fail-with-body), and prints the answer as curl would.
CURL_WRAPPER = r"""
set -euo pipefail
curl() {
  local body status code=0
  body=$(mktemp)
  status=$(command curl --fail-with-body "$@" -o "$body" \
    -w '%{http_code} %{method} %{url_effective}') || code=$?
  printf '@@ %s\n%s\n' "$status" "$(cat "$body")" >> "$TRY_IT_LOG"
  cat "$body"
  rm -f "$body"
  return "$code"
}
"""
HTTP_WRAPPER = r"""
set -euo pipefail
http() { command http --ignore-stdin --check-status "$@"; }
"""


@dataclass
class Server:
    framework: str
    project: Path
    port: int
    env: dict[str, str]
    log: Path

    def url(self, text: str) -> str:
        """``text`` with the README's address replaced by this server's."""
        return text.replace("127.0.0.1:8000", f"127.0.0.1:{self.port}")

    def wait(self) -> str:
        """Bash that waits for /health (curl retries while nothing listens or it answers 503)."""
        health = self.url(f"{BASE}/health")
        retry = "--retry 120 --retry-delay 1 --retry-connrefused"
        return f"command curl -s -o /dev/null {retry} {health}\n"

    def bash(self, script: str, extra: dict[str, str]) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["bash", "-c", script],
            cwd=self.project,
            env={**self.env, **extra},
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )

    def failure(self, what: str, proc: subprocess.CompletedProcess[str], more: str = "") -> str:
        server_log = self.log.read_text(errors="replace")[-4000:]
        return (
            f"{what} exited {proc.returncode}\n--- stdout\n{proc.stdout}\n--- stderr\n"
            f"{proc.stderr}\n{more}--- dev server\n{server_log}"
        )


@pytest.fixture
def server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Server]:
    """A project rendered with the default database, its dev server started as the README says."""
    framework, auth = request.param
    project = render(
        tmp_path / f"try-{framework}-{auth}",
        project_name=f"try-{framework}-{auth}",
        framework=framework,
        auth=auth,
        database=DEFAULT_DATABASE,
        ci="none",
    )
    port = smoke.free_port()
    env = smoke.project_env({"PORT": str(port), "HOST": "127.0.0.1"})
    run(["uv", "sync", "--quiet"], project, env)
    log = tmp_path / "dev-server.log"
    with log.open("wb") as sink:
        proc = subprocess.Popen(
            ["uv", "run", *smoke.readme_dev_command(project)],
            cwd=project,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        yield Server(framework, project, port, env, log)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def calls(log: str) -> list[tuple[int, str, str, str]]:
    """(status, method, url, answer) of each call the curl wrapper logged."""
    found = []
    for chunk in log.split("@@ ")[1:]:
        first, _, answer = chunk.partition("\n")
        status, method, url = first.split(" ", 2)
        found.append((int(status), method, url, answer.strip()))
    return found


def items_in(answer: Any) -> list[dict[str, Any]]:
    """Every JSON object in ``answer`` that looks like an item (has an id)."""
    if isinstance(answer, list):
        return [found for value in answer for found in items_in(value)]
    if isinstance(answer, dict):
        nested = [found for value in answer.values() for found in items_in(value)]
        return ([answer] if "id" in answer else []) + nested
    return []


def http_tool() -> str | None:
    return smoke.tool("http")


@pytest.mark.template
@pytest.mark.parametrize("server", LIVE, ids=["-".join(c) for c in LIVE], indirect=True)
def test_readme_requests_answer_as_the_readme_says(server: Server, tmp_path: Path) -> None:
    readme = (server.project / "README.md").read_text(encoding="utf-8")
    assert headings(readme)[0] == "## Try it", "the first section after the dev command"
    curl, http = bash_blocks(section(readme))
    expected = requests(curl, "curl")
    log = tmp_path / "calls.log"
    log.touch()
    script = CURL_WRAPPER + server.wait() + server.url(curl)
    proc = server.bash(script, {"TRY_IT_LOG": str(log)})
    made = calls(log.read_text())
    assert proc.returncode == 0, server.failure("the curl block", proc, log.read_text())
    assert [status for status, *_ in made] == [r.status for r in expected], made
    assert [method for _, method, *_ in made] == [r.method for r in expected]

    created = json.loads(next(a for s, m, _, a in made if m == "POST" and s == 201))
    assert created[ITEM_FIELD[server.framework]] == "Buy milk"
    listed = next(a for _, m, u, a in made if m == "GET" and u.endswith("/api/v1/items"))
    assert created["id"] in [item["id"] for item in items_in(json.loads(listed))]
    one = next(a for _, m, u, a in made if m == "GET" and u.endswith(f"/items/{created['id']}"))
    assert json.loads(one)["id"] == created["id"]

    # The same walk with HTTPie, on the same server (httpie is a dev dependency).
    tool = http_tool()
    assert tool is not None, "HTTPie's `http` is missing: run `uv sync` (it is a dev dependency)"
    script = HTTP_WRAPPER.replace("command http", tool) + server.wait() + server.url(http)
    proc = server.bash(script, {"HTTPIE_CONFIG_DIR": str(tmp_path / "httpie")})
    assert proc.returncode == 0, server.failure("the HTTPie block", proc)


@pytest.mark.template
@pytest.mark.parametrize("framework", catalogue.OPTIONS_BY_KEY["framework"].values)
def test_oauth_readme_sends_the_reader_to_the_browser_login(framework: str, tmp_path: Path) -> None:
    project = render(tmp_path / "p", project_name="oauth-readme", framework=framework, auth="oauth")
    readme = (project / "README.md").read_text(encoding="utf-8")
    assert headings(readme)[0] == "## Try it"
    text = section(readme)
    assert bash_blocks(text) == []
    assert "(#openid-connect-login)" in text
    assert "## OpenID Connect login" in headings(readme)
