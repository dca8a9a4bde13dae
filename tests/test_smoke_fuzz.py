"""The smoke ``fuzz`` step: reading schemathesis's verdict, signing in, and one real run.

The unit tests feed the step's pure parts what schemathesis and the generated apps answer; the
``template`` test fuzzes FastAPI's default project (SQLite) through ``scaffold smoke`` itself,
so the step is proven selectable, signed in, counted in its progress line and in the summary.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from scaffold import smoke
from scaffold.smoke import fuzz
from tests.projects import REPO
from tests.test_smoke_unit import scaffold_cmd

# --------------------------------------------------------------------------- the verdict


def test_a_report_without_failures_or_errors_passes() -> None:
    outcome = fuzz.outcome_of({"failures": [], "errors": []}, 0, "")
    assert outcome.ok
    assert outcome.summary == "0 failures"


def test_failures_are_counted_by_their_unique_count_across_kinds() -> None:
    report = {
        "failures": [
            {"code": "ST202", "count": 1, "operations": ["POST /api/v1/auth/register"]},
            {"code": "ST101", "count": 3, "operations": ["GET /api/v1/items"]},
        ],
        "errors": [{"message": "connection reset"}],
    }
    outcome = fuzz.outcome_of(report, 1, "")
    assert (outcome.failures, outcome.errors) == (4, 1)
    assert not outcome.ok
    assert outcome.summary == "4 failures, 1 error"


def test_a_nonzero_exit_fails_even_without_counted_failures() -> None:
    outcome = fuzz.outcome_of({"failures": [], "errors": []}, 2, "")
    assert not outcome.ok
    assert outcome.summary == "0 failures, schemathesis exited 2"


@pytest.mark.parametrize(
    ("last_line", "failures", "errors"),
    [
        ("======================= 1 failure, 2 warnings in 35.27s ========================", 1, 0),
        ("=================== 12 failures, 3 errors in 9.10s ===================", 12, 3),
        ("============================ No issues found in 4.2s ============================", 0, 0),
    ],
)
def test_without_a_report_the_summary_line_is_read(
    last_line: str, failures: int, errors: int
) -> None:
    output = f"Failures:\n  ❌ ST202 Schema-valid request rejected: 7\n\n{last_line}\n"
    outcome = fuzz.outcome_of(None, 1 if failures or errors else 0, output)
    assert (outcome.failures, outcome.errors) == (failures, errors)
    assert outcome.ok == (failures == errors == 0)


def test_passes_add_up_and_keep_the_worst_exit_code() -> None:
    outcome = fuzz.combined([fuzz.FuzzOutcome(1, 0, 1), fuzz.FuzzOutcome(2, 1, 0)])
    assert (outcome.failures, outcome.errors, outcome.exit_code) == (3, 1, 1)
    assert fuzz.combined([fuzz.FuzzOutcome(0, 0, 0)] * 2).ok


# --------------------------------------------------------------------------- signing in

DOCUMENT: dict[str, Any] = {
    "paths": {
        "/api/v1/auth/register": {
            "post": {
                "requestBody": {
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Register"}}
                    }
                }
            }
        },
        "/api/v1/auth/login": {
            "post": {
                "requestBody": {
                    "content": {
                        "application/x-www-form-urlencoded": {
                            "schema": {
                                "properties": {"grant_type": {}, "username": {}, "password": {}},
                                "required": ["username", "password"],
                            }
                        }
                    }
                }
            }
        },
        "/api/v1/auth/csrf": {"get": {}},
    },
    "components": {
        "schemas": {"Register": {"properties": {"email": {}, "password": {}}}},
    },
}


class FakeBrowser:
    """Answers like a generated app: records what was posted, hands out a token or cookies."""

    def __init__(self, login_answer: dict[str, str], cookies: dict[str, str]) -> None:
        self.login_answer, self.cookies = login_answer, cookies
        self.headers: dict[str, str] = {}
        self.posted: list[tuple[str, str, dict[str, str], dict[str, str]]] = []

    def post(self, path: str, kind: str, body: dict[str, str]) -> tuple[int, Any]:
        self.posted.append((path, kind, body, dict(self.headers)))
        return (202, {}) if path.endswith("register") else (200, self.login_answer)

    def request(self, method: str, path: str, **_: object) -> tuple[int, Any]:
        return 200, {"csrf_token": "from-csrf-endpoint"}

    def cookie(self, name: str) -> str | None:
        return self.cookies.get(name)

    @property
    def jar(self) -> list[SimpleNamespace]:
        return [SimpleNamespace(name=k, value=v) for k, v in self.cookies.items()]


def test_jwt_signs_in_with_the_documented_fields_and_sends_a_bearer_token() -> None:
    browser = FakeBrowser({"access_token": "tok"}, {})
    credentials = fuzz.sign_in(browser, DOCUMENT, "jwt")  # type: ignore[arg-type]
    assert credentials == fuzz.Credentials(token="tok")
    # No security scheme in the document names it: a plain header.
    assert credentials.for_schemathesis(DOCUMENT) == (["Authorization: Bearer tok"], "")
    (_, register_kind, register, _), (_, login_kind, login, _) = browser.posted
    assert register_kind == "json" and set(register) == {"email", "password"}
    # The login form's required fields only (not grant_type), the email as the username.
    assert login_kind == "form" and set(login) == {"username", "password"}
    assert login["username"] == register["email"]


def test_session_sends_the_cookie_and_the_csrf_token_under_both_header_names() -> None:
    browser = FakeBrowser({"detail": "ok"}, {"session": "abc"})
    credentials = fuzz.sign_in(browser, DOCUMENT, "session")  # type: ignore[arg-type]
    assert credentials == fuzz.Credentials(cookies={"session": "abc"}, csrf="from-csrf-endpoint")
    headers, _ = credentials.for_schemathesis(DOCUMENT)
    assert headers == [
        "Cookie: session=abc",
        "X-CSRF-Token: from-csrf-endpoint",
        "X-CSRFToken: from-csrf-endpoint",
    ]
    # Registration and login carried the anonymous session's token, as a browser's do.
    for _, _, _, sent in browser.posted:
        assert sent["X-CSRF-Token"] == sent["X-CSRFToken"] == "from-csrf-endpoint"


def test_credentials_a_security_scheme_names_go_through_schemathesis_auth() -> None:
    """Then schemathesis's "missing credentials" cases really leave them out."""
    import tomllib

    document = {
        "components": {
            "securitySchemes": {
                "cookieAuth": {"type": "apiKey", "in": "cookie", "name": "session"},
                "csrf": {"type": "apiKey", "in": "header", "name": "x-csrf-token"},
                "bearer": {"type": "http", "scheme": "bearer"},
            }
        }
    }
    session = fuzz.Credentials(cookies={"session": "abc", "csrftoken": "c"}, csrf="t")
    headers, config = session.for_schemathesis(document)
    # Django's CSRF cookie rides in the session cookie's value: a Cookie header would replace it.
    assert headers == ["X-CSRFToken: t"]
    assert tomllib.loads(config)["auth"]["openapi"] == {
        "cookieAuth": {"api_key": "abc; csrftoken=c"},
        "csrf": {"api_key": "t"},
    }
    headers, config = fuzz.Credentials(token="tok").for_schemathesis(document)
    assert headers == []
    assert tomllib.loads(config)["auth"]["openapi"] == {"bearer": {"bearer": "tok"}}
    # Beside the disabled check, in one file.
    combined = tomllib.loads(fuzz.CONFIG + config)
    assert combined["operations"][0]["checks"]["positive_data_acceptance"] == {"enabled": False}


def test_a_refused_login_is_a_failure_that_says_so() -> None:
    browser = FakeBrowser({}, {})
    browser.post = lambda path, kind, body: (  # type: ignore[method-assign]
        (202, {}) if path.endswith("register") else (401, {"detail": "Incorrect"})
    )
    with pytest.raises(ValueError, match="login answered 401"):
        fuzz.sign_in(browser, DOCUMENT, "jwt")  # type: ignore[arg-type]


def test_every_pass_signs_in_before_any_is_fuzzed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Django's login throttle answered the second pass's sign-in 429: the first pass had just
    # fuzzed the login with bad passwords from the same address.
    events: list[str] = []

    def sign_in(*_: object) -> fuzz.Credentials:
        events.append("sign in")
        return fuzz.Credentials(token=f"token-{len(events)}")

    def fuzz_pass(cmd: list[str], *_: object) -> tuple[fuzz.FuzzOutcome, str]:
        events.append("fuzz")
        return fuzz.FuzzOutcome(0, 0, 0), ""

    monkeypatch.setattr(fuzz, "find_document", lambda browser: ("/openapi.json", DOCUMENT))
    monkeypatch.setattr(fuzz, "sign_in", sign_in)
    monkeypatch.setattr(fuzz, "fuzz_pass", fuzz_pass)
    outcome, _ = fuzz.fuzz_server("http://127.0.0.1:1", tmp_path, "jwt", tmp_path)
    assert outcome is not None and outcome.ok
    assert events == ["sign in", "sign in", "fuzz", "fuzz"]


@pytest.mark.parametrize("auth", ["oauth", "jwt"])
def test_only_oauth_tolerates_503_from_its_unconfigured_provider(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, auth: str
) -> None:
    # The dev server has no OIDC provider: /auth/login and /auth/callback answer their
    # documented 503, which schemathesis's server-error check counted as 2 failures.
    configs: list[str] = []

    def fuzz_pass(cmd: list[str], *_: object) -> tuple[fuzz.FuzzOutcome, str]:
        configs.append(Path(cmd[cmd.index("--config-file") + 1]).read_text())
        return fuzz.FuzzOutcome(0, 0, 0), ""

    monkeypatch.setattr(fuzz, "find_document", lambda browser: ("/openapi.json", DOCUMENT))
    monkeypatch.setattr(fuzz, "sign_in", lambda *_: fuzz.Credentials(token="t"))
    monkeypatch.setattr(fuzz, "fuzz_pass", fuzz_pass)
    fuzz.fuzz_server("http://127.0.0.1:1", tmp_path, auth, tmp_path)
    tolerated = 'include-path-regex = "/auth/(login|callback)/?$"\n'
    tolerated += "checks.not_a_server_error.enabled = false"
    assert configs and all((tolerated in config) == (auth == "oauth") for config in configs)


def test_the_log_hides_the_credentials(tmp_path: Path) -> None:
    cmd = fuzz.schemathesis_command(
        "http://127.0.0.1:1/openapi.json",
        ["Authorization: Bearer secret-token", "Cookie: session=secret"],
        5,
        1,
        tmp_path / "r.json",
    )
    assert "secret" not in fuzz.shown(cmd)
    assert cmd[cmd.index("--max-examples") + 1] == "5"
    # The one disabled check, for the password-rule operations only, from a file beside it.
    config = Path(cmd[cmd.index("--config-file") + 1])
    assert config.parent == tmp_path
    assert "positive_data_acceptance.enabled = false" in config.read_text()
    assert 'include-path-regex = "/auth/(register|password)/?$"' in config.read_text()


# --------------------------------------------------------------------------- in the run


def test_fuzz_is_a_step_after_dev_that_needs_the_dev_server() -> None:
    assert smoke.STEPS.index("fuzz") == smoke.STEPS.index("dev") + 1
    assert smoke.with_needs(["fuzz"]) == ("render", "sync", "dev", "fuzz")


def test_a_counted_step_shows_its_count_in_its_line_and_the_summary() -> None:
    from rich.console import Console

    step = smoke.StepResult("fuzz", smoke.FAILED, 12.0, "out", summary="3 failures")
    assert smoke.step_line(step) == "fuzz ✗ 12.0s (3 failures)"
    assert step.to_json()["summary"] == "3 failures"
    result = smoke.ComboResult(smoke.select("default")[0], [step])
    console = Console(record=True, width=200)
    smoke.print_summary(smoke.Report("default", {}, [result], 1, 12.0, ("fuzz",)), console)
    assert "fuzz: 3 failures" in console.export_text()


@pytest.mark.template
def test_fuzz_step_against_fastapis_default_project(tmp_path: Path) -> None:
    """The live dev server, signed in with a JWT; the count in the progress line, the summary
    and the report agree with the step's verdict (0 failures and only then passed)."""
    report = tmp_path / "report.json"
    proc = subprocess.run(
        scaffold_cmd(
            *("smoke", "--select", "default", "--framework", "fastapi", "--steps", "fuzz"),
            *("--report", str(report), "--keep"),
        ),
        capture_output=True,
        text=True,
        env=smoke.project_env(),
        cwd=REPO,
        check=False,
    )
    data = json.loads(report.read_text(encoding="utf-8"))
    try:
        (combo,) = data["combinations"]
        steps = {step["name"]: step for step in combo["steps"]}
        assert list(steps) == ["render", "sync", "dev", "fuzz"], proc.stderr
        fuzzed = steps["fuzz"]
        assert fuzzed["status"] in (smoke.PASSED, smoke.FAILED), fuzzed
        assert re.fullmatch(r"\d+ failures?(, \d+ errors?)?", fuzzed.get("summary", "")), fuzzed
        assert (fuzzed["status"] == smoke.PASSED) == (fuzzed["summary"] == "0 failures"), fuzzed
        assert proc.returncode == (0 if fuzzed["status"] == smoke.PASSED else 1), proc.stderr
        mark = "✓" if fuzzed["status"] == smoke.PASSED else "✗"
        assert re.search(rf"fuzz {mark} [\d.]+s \({fuzzed['summary']}\)", proc.stderr)
        assert f"fuzz: {fuzzed['summary']}" in proc.stdout
        # Signed in for real: in the main pass no operation answered only 401/403.
        logs = Path(combo["path"]).parent / "logs"
        first = json.loads((logs / "fuzz-report-1.json").read_text(encoding="utf-8"))
        assert first["warnings"]["missing_auth"] == [], first["warnings"]
        assert first["test_cases"]["generated"] > 0
    finally:
        shutil.rmtree(data["workdir"], ignore_errors=True)
