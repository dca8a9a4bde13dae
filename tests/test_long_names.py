"""Generated code stays within the project's own line length for every valid name.

Observed (issue 18): past ~20 characters (e.g. `customer_notification_gateway`) every
framework rendered lines over 100 columns, so `ruff check` and `ruff format --check` - the
generated CI's first steps - failed on a fresh project. This renders random valid names up to
the maximum length the CLI accepts, for each framework with every extra, and runs both on the
result (render only: no install, no tests of the project).
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from scaffold import names, render
from scaffold.catalogue import OPTIONS_BY_KEY, defaults, violations

pytestmark = pytest.mark.names

MAX = names.MAX_LENGTH
RUFF = shutil.which("ruff")
WORD = st.from_regex(r"[a-z][a-z0-9]{0,11}", fullmatch=True)


@st.composite
def project_names(draw: st.DrawFn) -> str:
    """Valid project names, often at or near the maximum length."""
    words = draw(st.lists(WORD, min_size=1, max_size=6))
    seps = draw(st.lists(st.sampled_from("-_"), min_size=len(words), max_size=len(words)))
    name = words[0] + "".join(s + w for s, w in zip(seps[1:], words[1:], strict=True))
    if draw(st.booleans()):  # pad to exactly the maximum
        name = (name + seps[0] + "x" * MAX)[:MAX].rstrip("-_")
    name = name[:MAX].rstrip("-_")
    try:
        names.parse(name)
    except names.InvalidName:
        name = "svc" + name[3:]  # a reserved word or keyword: still long, now valid
    return name


def answers_for(framework: str, name: str, database: str, auth: str) -> dict[str, object]:
    extras = list(OPTIONS_BY_KEY["extras"].values)
    answers = {**defaults(), "project_name": name, "framework": framework, "database": database}
    answers.update(auth=auth, extras=extras)
    return answers


def lint(tree: Path) -> str:
    """ruff's complaints about ``tree`` under its own configuration ('' when clean)."""
    assert RUFF is not None
    out = []
    for args in (["check", "--quiet", "--output-format=concise"], ["format", "--check", "--quiet"]):
        proc = subprocess.run(
            [RUFF, *args, "."], cwd=tree, capture_output=True, text=True, check=False
        )
        if proc.returncode:
            out.append(proc.stdout + proc.stderr)
    return "\n".join(out)


@pytest.mark.parametrize("framework", OPTIONS_BY_KEY["framework"].values)
@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    name=project_names(),
    database=st.sampled_from(["postgresql", "mysql", "mongodb"]),
    auth=st.sampled_from(OPTIONS_BY_KEY["auth"].values),
)
@example(name="customer_notification_gateway_service_ab", database="postgresql", auth="jwt")
@example(name="customer-notification-gateway-service-ab", database="mongodb", auth="oauth")
@example(name="a" * MAX, database="mysql", auth="session")
def test_every_valid_name_renders_ruff_clean_code(
    framework: str, name: str, database: str, auth: str
) -> None:
    assert len(name) <= MAX
    names.parse(name)
    answers = answers_for(framework, name, database, auth)
    if violations({**answers, "extras": []}):  # Django has no MongoDB
        answers["database"] = "postgresql"
    # Every extra the rules allow with these answers (e.g. no websockets for Flask + MongoDB).
    answers["extras"] = [
        e for e in answers["extras"] if not violations({**answers, "extras": [e, "redis"]})
    ]
    with tempfile.TemporaryDirectory() as tmp:
        tree = Path(tmp) / "p"
        render.render_tree(answers, tree)
        problems = lint(tree)
    assert problems == "", f"{name!r} ({len(name)} chars): {problems}"
