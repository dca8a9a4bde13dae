"""Issue 23's "Done when": a real headless Chromium drives ``scaffold serve``.

It picks framework, database, auth and extras (one with the keyboard), sees an invalid choice
disabled with its reason, reloads the share link, opens a file in Explore, downloads the zip,
and runs the unzipped project's own tests. The browser is Debian's ``chromium`` driven by
Playwright (no browser download). Without it the test skips saying so, except under CI, where
.ci/run installs it and a missing browser is a failure.

``SCAFFOLD_SCREENSHOTS=docs`` also saves the README's screenshots there.
"""

from __future__ import annotations

import os
import shutil
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from scaffold.catalogue import RULES
from scaffold.smoke.processes import ServerNotHealthy, free_port, running_server
from tests.projects import project_env, run

CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
KUBERNETES_REASON = next(r.reason for r in RULES if "kubernetes" in r.when.values())
DJANGO_MONGO_REASON = next(r.reason for r in RULES if r.when.get("framework") == "django")


def chromium() -> str:
    found = shutil.which("chromium") or (
        "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None
    )
    if found is None:
        message = "Debian's chromium is not installed (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(f"{message}; .ci/run installs it")
        pytest.skip(message)
    return found


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    """``scaffold serve`` on a free port, as a user starts it."""
    port = free_port()
    work = tmp_path / "server-cwd"
    work.mkdir()
    cmd = [sys.executable, "-m", "scaffold", "serve", "--port", str(port)]
    log = tmp_path / "serve.log"
    try:
        with running_server(
            cmd, work, os.environ, log, port=port, health_path="/api/check", timeout=30
        ) as started:
            yield started.base_url
    except ServerNotHealthy as error:
        pytest.fail(f"scaffold serve: {error.problem}\n{error.output}")
    assert list(work.iterdir()) == [], "scaffold serve wrote into its working directory"


@pytest.mark.template
def test_choose_explore_download_and_run_the_project(server: str, tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    executable = chromium()
    shots = (
        Path(os.environ["SCAFFOLD_SCREENSHOTS"]) if os.environ.get("SCAFFOLD_SCREENSHOTS") else None
    )
    profile = tmp_path / "chromium-profile"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch_persistent_context(
            str(profile),
            executable_path=executable,
            args=CHROMIUM_FLAGS,
            headless=True,
            accept_downloads=True,
            viewport={"width": 1280, "height": 900},
        )
        try:
            page = browser.new_page()
            page.goto(server)
            if shots:
                expect(page.locator("#command")).to_have_text("scaffold new myapi --defaults")
                page.screenshot(path=shots / "serve-default.png", full_page=True)

            # An invalid choice is disabled, with the rule's reason next to it.
            kubernetes = page.get_by_role("checkbox", name="Kubernetes", exact=True)
            expect(kubernetes).to_be_disabled()
            expect(page.locator("#reason-extras-kubernetes")).to_have_text(
                f"Unavailable: {KUBERNETES_REASON}"
            )
            page.get_by_role("radio", name="Django", exact=True).check()
            mongodb = page.get_by_role("radio", name="MongoDB", exact=True)
            expect(mongodb).to_be_disabled()
            expect(page.locator("#reason-database-mongodb")).to_contain_text(DJANGO_MONGO_REASON)
            if shots:
                page.locator("#field-database").scroll_into_view_if_needed()
                page.screenshot(path=shots / "serve-disabled.png")

            # The project name is checked with the CLI's message.
            name = page.get_by_label("Project name")
            name.fill("../shop")
            expect(page.locator("#error-project_name")).to_contain_text("is a path, not a name")
            expect(page.locator("#download")).to_have_attribute("aria-disabled", "true")
            name.fill("shop")

            # Framework, database, auth and extras; one extra with the keyboard only.
            page.get_by_role("radio", name="FastAPI", exact=True).check()
            page.get_by_role("radio", name="PostgreSQL", exact=True).check()
            expect(kubernetes).to_be_enabled()
            page.get_by_role("radio", name="SQLite", exact=True).check()
            expect(kubernetes).to_be_disabled()
            page.get_by_role("radio", name="Session cookie", exact=True).check()
            page.get_by_role("checkbox", name="Prometheus metrics", exact=True).check()
            page.get_by_role("checkbox", name="JSON logs", exact=True).focus()
            page.keyboard.press("Space")
            expected = "scaffold new shop --auth session --with metrics --with logging --defaults"
            expect(page.locator("#command")).to_have_text(expected)

            # The answers are in the URL: the share link restores them.
            share = page.url
            assert "auth=session" in share and "project_name=shop" in share
            page.goto(share)
            expect(page.get_by_role("radio", name="Session cookie", exact=True)).to_be_checked()
            expect(page.get_by_role("checkbox", name="JSON logs", exact=True)).to_be_checked()
            expect(page.get_by_label("Project name")).to_have_value("shop")
            expect(page.locator("#command")).to_have_text(expected)

            # Explore: the tree of this project, and a file's rendered content on click.
            page.get_by_role("button", name="Explore").click()
            expect(page.get_by_role("button", name="Explore")).to_have_attribute(
                "aria-expanded", "true"
            )
            tree = page.locator("#tree")
            expect(tree.get_by_role("button", name="logging.py")).to_be_visible(timeout=30_000)
            tree.get_by_role("button", name="pyproject.toml", exact=True).click()
            expect(page.locator("#file-name")).to_have_text("pyproject.toml")
            expect(page.locator("#file-content")).to_contain_text('name = "shop"')
            expect(page.locator("#file-content")).to_be_focused()
            if shots:
                page.locator("#explorer").scroll_into_view_if_needed()
                page.screenshot(path=shots / "serve-explore.png")

            # Download: the zip is named after the project.
            with page.expect_download(timeout=180_000) as waiting:
                page.get_by_role("link", name="Download shop.zip").click()
            download = waiting.value
            assert download.suggested_filename == "shop.zip"
            archive = tmp_path / "shop.zip"
            download.save_as(archive)
        finally:
            browser.close()

    unpacked = tmp_path / "unpacked"
    with zipfile.ZipFile(archive) as zipped:
        zipped.extractall(unpacked)
    project = unpacked / "shop"
    assert (project / "uv.lock").is_file()
    assert "metrics" in (project / ".scaffold-answers.yml").read_text()
    run(["uv", "run", "pytest", "-q", "-p", "no:cacheprovider"], project, project_env("sqlite"))
