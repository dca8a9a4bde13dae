"""``scaffold serve`` without a browser: the page is the catalogue, the checks are the CLI's,
Explore and the zip are the CLI's render, and hostile requests get a 4xx and touch no disk.

The browser itself is driven in tests/test_serve_browser.py.
"""

from __future__ import annotations

import io
import multiprocessing
import os
import re
import shlex
import subprocess
import sys
import time
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from scaffold.catalogue import OPTIONS, RULES
from scaffold.web import form, renderer
from scaffold.web.app import MAX_QUERY, Limits, create_app

KUBERNETES_REASON = next(r.reason for r in RULES if "kubernetes" in r.when.values())
DJANGO_MONGO_REASON = next(r.reason for r in RULES if r.when.get("framework") == "django")


@pytest.fixture
def sandbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty working directory and an empty TMPDIR: after a test both must be empty again."""
    # The forkserver (as `scaffold serve` starts it) keeps its socket in the temp dir of the
    # moment; a socket path under pytest's long tmp_path would pass AF_UNIX's 108 bytes.
    renderer.start()
    work = tmp_path / "cwd"
    temp = tmp_path / "tmp"
    work.mkdir()
    temp.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.setenv("TMPDIR", str(temp))
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)  # re-read TMPDIR
    yield tmp_path
    assert list(work.iterdir()) == [], "scaffold serve wrote into the working directory"
    assert list(temp.iterdir()) == [], "scaffold serve left files in its temp directory"


@pytest.fixture
def client(sandbox: Path) -> TestClient:
    return TestClient(create_app())


def cli_error(*args: str, cwd: Path) -> str:
    """The one-line error ``scaffold new`` prints for these arguments (and writes nothing)."""
    proc = subprocess.run(
        [sys.executable, "-m", "scaffold", "new", *args, "--defaults", "--no-lock", "--no-git"],
        capture_output=True,
        text=True,
        cwd=cwd,
        check=False,
        timeout=120,
    )
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert list(cwd.iterdir()) == []
    return proc.stderr.strip().removeprefix("error: ")


class Controls(HTMLParser):
    """Labels, legends and form controls of the page."""

    def __init__(self) -> None:
        super().__init__()
        self.inputs: list[dict[str, str | None]] = []
        self.label_for: set[str] = set()
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "input":
            self.inputs.append(attributes)
        if tag == "label" and attributes.get("for"):
            self.label_for.add(str(attributes["for"]))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_page_is_built_from_the_catalogue_with_every_control_labelled(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    page = Controls()
    page.feed(response.text)
    text = " ".join(" ".join(page.text).split())
    for option in OPTIONS:
        assert option.prompt in text
        assert " ".join(option.help.split()) in text
        for choice in option.choices:
            assert choice.label in text and " ".join(choice.help.split()) in text
    choices = sum(len(o.choices) for o in OPTIONS)
    texts = sum(1 for o in OPTIONS if o.kind == "text")
    assert len(page.inputs) == choices + texts
    for control in page.inputs:
        assert control["id"] in page.label_for, f"{control} has no label"
    # Everything the page loads is served by scaffold itself (no CDN).
    assert not re.search(r"""(src|href)=["'](https?:)?//""", response.text)
    for asset in ("/static/app.js", "/static/style.css"):
        assert asset in response.text
        assert client.get(asset).status_code == 200
    assert "default-src 'self'" in response.headers["content-security-policy"]


@pytest.mark.parametrize(
    "name", ["../evil", "/etc", "..", "a\x00b", "My App", "1api", "class", "json", "", "x y"]
)
def test_project_names_get_the_clis_message(client: TestClient, sandbox: Path, name: str) -> None:
    body = client.get("/api/check", params={"project_name": name}).json()
    assert body["valid"] is False
    if "\x00" in name:  # no command line can carry a NUL: the message is names.parse's
        from scaffold import names

        with pytest.raises(names.InvalidName) as raised:
            names.parse(name)
        assert body["errors"]["project_name"] == str(raised.value)
    else:
        assert body["errors"]["project_name"] == cli_error(name, cwd=sandbox / "cwd")


def test_rules_disable_choices_with_their_reason(client: TestClient, sandbox: Path) -> None:
    body = client.get("/api/check").json()
    assert body["valid"] is True
    assert body["disabled"] == {"extras": {"kubernetes": KUBERNETES_REASON}}
    assert body["command"] == "scaffold new myapi --defaults"

    body = client.get("/api/check", params={"framework": "django"}).json()
    assert body["disabled"]["database"] == {"mongodb": DJANGO_MONGO_REASON}
    body = client.get("/api/check", params={"database": "mongodb"}).json()
    assert body["disabled"]["framework"] == {"django": DJANGO_MONGO_REASON}
    body = client.get("/api/check", params={"database": "postgresql"}).json()
    assert "extras" not in body["disabled"]

    # A combination the rules forbid is refused with the CLI's own sentence.
    body = client.get("/api/check", params={"extras": "worker"}).json()
    assert body["valid"] is False
    assert body["rule_error"] == cli_error("x", "--with", "worker", cwd=sandbox / "cwd")
    body = client.get("/api/check", params={"framework": "rails"}).json()
    assert body["errors"]["framework"] == cli_error("x", "-f", "rails", cwd=sandbox / "cwd")


def test_command_line_names_every_answer_that_is_not_a_default() -> None:
    checked = form.read(
        {
            "project_name": ["shop"],
            "framework": ["flask"],
            "database": ["postgresql"],
            "extras": ["redis,worker"],
            "description": ["Sells things; it's 'fast'"],
        }
    )
    assert checked.answers is not None
    assert shlex.split(form.command_line(checked.answers)) == [
        "scaffold",
        "new",
        "shop",
        "--description",
        "Sells things; it's 'fast'",
        "--framework",
        "flask",
        "--database",
        "postgresql",
        "--with",
        "redis",
        "--with",
        "worker",
        "--defaults",
    ]


def test_unknown_or_repeated_parameters_are_refused(client: TestClient) -> None:
    response = client.get("/api/check", params={"shell": "rm -rf /"})
    assert response.status_code == 400
    assert "unknown option 'shell'" in response.json()["error"]
    response = client.get("/api/tree?framework=flask&framework=django")
    assert response.status_code == 400
    assert client.get("/api/tree", params={"framework": "django/../.."}).status_code == 422


def test_explore_lists_and_shows_the_rendered_project(client: TestClient) -> None:
    answers = {"project_name": "shop", "framework": "flask", "auth": "session"}
    response = client.get("/api/tree", params=answers)
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "shop"
    paths = [f["path"] for f in body["files"]]
    assert "pyproject.toml" in paths and "src/shop/__init__.py" in paths
    shown = client.get("/api/file", params={**answers, "path": "pyproject.toml"}).json()
    assert 'name = "shop"' in shown["text"]
    assert "flask" in shown["text"].lower()


HOSTILE_PATHS = [
    "../pyproject.toml",
    "/etc/passwd",
    "src/../../../etc/passwd",
    "pyproject.toml\x00.png",
    "%2e%2e/%2e%2e/etc/passwd",
    "\\..\\..\\windows\\win.ini",
    "src/shop/../../pyproject.toml",
    "",
    "x" * 3000,
]


@pytest.mark.parametrize("path", HOSTILE_PATHS)
def test_explore_paths_are_looked_up_never_opened(client: TestClient, path: str) -> None:
    response = client.get("/api/file", params={"project_name": "shop", "path": path})
    assert response.status_code in {404, 414}, response.text
    if response.status_code == 404:
        assert "is not a file of this project" in response.json()["error"]
        assert "root:" not in response.text


@pytest.mark.parametrize(
    "params",
    [
        {"project_name": "a" * 5000},
        {"project_name": "a" * 300},
        {"description": "d" * 5000},
        {"author_email": "../../etc/passwd"},
        {"python_version": "3.11/../../"},
        {"extras": "redis,../../etc"},
        {"project_name": "\x00"},
    ],
)
def test_hostile_answers_are_4xx(client: TestClient, params: dict[str, str]) -> None:
    check = client.get("/api/check", params=params)
    assert check.status_code in {200, 414}, check.text  # a 300-letter name passes the CLI too
    for endpoint in ("/api/tree", "/api/file", "/download"):
        response = client.get(endpoint, params={**params, "path": "README.md"})
        assert 400 <= response.status_code < 500, (endpoint, response.status_code, response.text)


@pytest.mark.parametrize(
    "params",
    [
        {"description": "../../x {{ 7*7 }} \x00 </script>"},
        {"author_email": "x@../../y\x00z"},
        {"author_name": "/etc/passwd"},
    ],
)
def test_odd_but_valid_text_answers_stay_inside_the_project(
    client: TestClient, params: dict[str, str]
) -> None:
    """The CLI accepts these (its checks have no rule against them); they are file content."""
    params = {"project_name": "shop", **params}
    response = client.get("/api/tree", params=params)
    assert response.status_code < 500
    if response.status_code == 200:
        for entry in response.json()["files"]:
            assert not entry["path"].startswith(("/", "..")) and "/../" not in entry["path"]


def test_query_length_is_capped(client: TestClient) -> None:
    response = client.get("/api/check?description=" + "d" * MAX_QUERY)
    assert response.status_code == 414


def test_renders_are_rate_limited_per_client(sandbox: Path) -> None:
    client = TestClient(create_app(limits=Limits(renders_per_minute=2)))
    assert client.get("/api/tree").status_code == 200
    assert client.get("/api/tree").status_code == 200
    response = client.get("/api/tree")
    assert response.status_code == 429
    assert int(response.headers["retry-after"]) > 0
    assert client.get("/api/check").status_code == 200  # checks render nothing: not limited


def test_a_render_over_its_time_is_killed(sandbox: Path) -> None:
    client = TestClient(create_app(limits=Limits(render_timeout=0.01)))
    response = client.get("/api/tree")
    assert response.status_code == 503
    assert "was stopped" in response.json()["error"]


def test_loopback_server_refuses_other_host_names(sandbox: Path) -> None:
    client = TestClient(create_app(allowed_hosts=["127.0.0.1", "localhost"]))
    assert client.get("/", headers={"host": "evil.example"}).status_code == 400
    assert client.get("/", headers={"host": "127.0.0.1:8000"}).status_code == 200


def _secrets(env_text: str) -> dict[str, str]:
    return dict(re.findall(r"^(SECRET_KEY|DB_PASSWORD)=(.*)$", env_text, flags=re.M))


def _zip_files(data: bytes, name: str) -> dict[str, tuple[bytes, int]]:
    files = {}
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for info in archive.infolist():
            assert info.filename.startswith(f"{name}/"), info.filename
            mode = (info.external_attr >> 16) & 0o777
            files[info.filename.removeprefix(f"{name}/")] = (archive.read(info), mode)
    return files


def _tree_files(root: Path) -> dict[str, tuple[bytes, int]]:
    return {
        p.relative_to(root).as_posix(): (p.read_bytes(), p.stat().st_mode & 0o777)
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@pytest.mark.template
def test_zip_is_what_scaffold_new_no_git_writes(client: TestClient, sandbox: Path) -> None:
    """Same files, same bytes, same modes, uv.lock included; only the per-project random
    secrets in .env differ, as they do between any two runs of ``scaffold new``."""
    params = {"project_name": "shop", "framework": "flask", "database": "postgresql"}
    response = client.get("/download", params=params)
    assert response.status_code == 200, response.text
    assert response.headers["content-disposition"] == 'attachment; filename="shop.zip"'
    zipped = _zip_files(response.content, "shop")

    command = client.get("/api/check", params=params).json()["command"]
    argv = shlex.split(command)
    assert argv[:2] == ["scaffold", "new"]
    out = sandbox / "cli"
    out.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    subprocess.run(
        [sys.executable, "-m", "scaffold", *argv[1:], "--no-git", "--output-dir", str(out)],
        check=True,
        capture_output=True,
        env=env,
        timeout=300,
    )
    written = _tree_files(out / "shop")
    assert sorted(zipped) == sorted(written)
    assert "uv.lock" in zipped
    for path, (data, mode) in written.items():
        if path == ".env":
            text = data.decode()
            for key, value in _secrets(text).items():
                text = text.replace(value, _secrets(zipped[path][0].decode())[key])
            data = text.encode()
        assert zipped[path] == (data, mode), path


def test_serve_binds_loopback_by_default_and_guards_host_names(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import uvicorn
    from typer.testing import CliRunner

    from scaffold.cli import app

    started: dict[str, object] = {}
    monkeypatch.setattr(
        uvicorn, "run", lambda application, **kw: started.update(kw, app=application)
    )
    result = CliRunner().invoke(app, ["serve"])
    assert result.exit_code == 0, result.output
    assert started["host"] == "127.0.0.1" and started["port"] == 8000
    client = TestClient(started["app"])  # type: ignore[arg-type]
    assert client.get("/", headers={"host": "rebound.example"}).status_code == 400


def test_serve_without_the_web_extra_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from typer.testing import CliRunner

    from scaffold.cli import app

    monkeypatch.setitem(sys.modules, "uvicorn", None)  # import uvicorn -> ImportError
    result = CliRunner().invoke(app, ["serve"])
    assert result.exit_code == 2
    assert "pip install 'scaffold[web]'" in result.output


def test_a_download_over_its_time_leaves_no_process_or_file(
    sandbox: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``uv lock`` runs in the render's process group and dies with it.

    A ``uv`` that never finishes stands in for a slow resolve, so the timeout is met in
    ``uv lock`` every time, however fast the real one is on this machine. The render process is
    spawned (not forked from the forkserver, which keeps the PATH it started with) so that it
    finds the stand-in.
    """
    bin_dir = sandbox / "bin"
    bin_dir.mkdir()
    started = sandbox / "uv-started"
    fake_uv = bin_dir / "uv"
    fake_uv.write_text(f'#!/bin/sh\necho $$ > "{started}"\nexec sleep 600\n')
    fake_uv.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setattr(renderer, "_CONTEXT", multiprocessing.get_context("spawn"))

    client = TestClient(create_app(limits=Limits(download_timeout=10)))
    response = client.get("/download")
    assert response.status_code == 503
    assert started.exists(), "the render was stopped before it reached uv lock"
    pid = int(started.read_text())
    time.sleep(0.5)
    assert not _running(pid), "uv lock outlived the render's timeout"
    inside = []
    for proc in Path("/proc").iterdir():
        try:
            cwd = (proc / "cwd").readlink()
        except OSError:
            continue
        if str(cwd).startswith(str(sandbox / "tmp")):
            inside.append((proc.name, (proc / "cmdline").read_bytes()))
    assert inside == [], "a render process outlived its timeout"


def _running(pid: int) -> bool:
    """Whether ``pid`` is a live process (a zombie awaiting its reaper is not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in {"Z", "X"}


def test_rate_limiter_forgets_quiet_clients(monkeypatch: pytest.MonkeyPatch) -> None:
    from scaffold.web import app as app_module

    monkeypatch.setattr(app_module, "MAX_CLIENTS", 3)
    limiter = app_module.RateLimiter(limit=1, window=60)
    now = [1000.0]
    monkeypatch.setattr(app_module.time, "monotonic", lambda: now[0])
    for client in ("a", "b", "c", "d"):
        assert limiter.retry_after(client) == 0
    assert limiter.retry_after("a") > 0  # still limited within the window
    now[0] += 61
    assert limiter.retry_after("e") == 0
    assert set(limiter.seen) == {"e"}


def test_a_render_process_that_cannot_start_is_a_503(
    sandbox: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(self: object) -> None:
        raise OSError("AF_UNIX path too long")

    monkeypatch.setattr(renderer._CONTEXT.Process, "start", refuse)
    response = TestClient(create_app()).get("/api/tree")
    assert response.status_code == 503
    assert "cannot start a render process" in response.json()["error"]
