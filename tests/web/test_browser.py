"""The dashboard in a real browser: Debian's Chromium driven by Playwright against the server
on real uvicorn (loopback). A coordinator signs in, imports a task file through the upload
form, runs an export and downloads it, and switches to Urdu (the layout must mirror).

Screenshots go to ``$QALAM_SCREENSHOTS`` when set (to look at them), else a temporary folder.
Never ``playwright install``: the browser is the system's (``make test`` installs Debian's
``chromium`` through build_scripts/system_deps.sh).
"""

from __future__ import annotations

import io
import zipfile

import pytest

from sync.server.api.factory import create_app
from sync.server.web import sessions
from tests.server.helpers import LiveServer
from tests.web.chromium import ARGS, CHROMIUM, needs_chromium
from tests.web.helpers import PASSWORD
from tests.web.test_dashboard import GOOD, seed

pytestmark = needs_chromium


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def live(engine):
    seed(engine)
    with LiveServer(create_app(engine)) as live_server:
        yield live_server


def test_a_coordinator_signs_in_imports_exports_and_reads_urdu(engine, live, browser, shots,
                                                               tmp_path):
    from sync.server.people import users

    users.invite(engine, name="Farida", role="coordinator")
    sessions.set_password(engine, "Farida", PASSWORD)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True,
                                  locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(30_000)
    backend = engine.dialect.name

    # Sign in: the dashboard sends a stranger to the sign-in form first.
    page.goto(f"{live.url}/dashboard/")
    assert "/dashboard/sign-in" in page.url
    page.fill("#name", "Farida")
    page.fill("#password", "wrong password here")
    page.click("#sign-in")
    assert page.locator("#sign-in-problem").is_visible()
    page.fill("#password", PASSWORD)
    page.click("#sign-in")
    page.wait_for_url("**/dashboard/overview")
    assert page.locator("h1").inner_text() == "Overview"
    assert page.locator("svg.chart rect").count() >= 1
    page.screenshot(path=shots / f"overview-{backend}.png", full_page=True)

    # Import a task file through the upload form; the results page reloads until done.
    task_file = tmp_path / "urd-tasks.jsonl"
    task_file.write_text(GOOD, encoding="utf-8")
    page.click("nav >> text=Import")
    page.set_input_files("#file", str(task_file))
    page.fill("#new_project", "aya-urd")
    page.select_option("#kind", "original")
    page.click("#start-import")
    page.wait_for_selector("#job[data-state=done]")
    assert page.locator("#counts td").first.inner_text() == "2"
    page.screenshot(path=shots / f"import-{backend}.png", full_page=True)

    # Export, then download the zip.
    page.click("nav >> text=Export")
    page.select_option("#fmt", "jsonl")
    page.click("#start-export")
    page.wait_for_selector("#job[data-state=done]")
    page.screenshot(path=shots / f"export-{backend}.png", full_page=True)
    with page.expect_download() as download_info:
        page.click("#download")
    saved = tmp_path / download_info.value.suggested_filename
    download_info.value.save_as(saved)
    names = zipfile.ZipFile(io.BytesIO(saved.read_bytes())).namelist()
    assert any(name.endswith("README.md") for name in names), names

    # Switch to Urdu: right to left, and the layout mirrors (the brand sits on the right).
    page.click("nav >> text=Overview")
    page.click("#ui-lang summary")
    page.click("#ui-lang button[value=ur]")
    page.wait_for_load_state()
    html = page.locator("html")
    assert html.get_attribute("dir") == "rtl" and html.get_attribute("lang") == "ur"
    width = page.viewport_size["width"]
    brand = page.locator("a.brand").bounding_box()
    assert brand["x"] > width / 2, brand
    heading = page.locator("h1").bounding_box()
    assert heading["x"] + heading["width"] > width * 0.75, heading
    label = page.locator("svg.chart text").first.bounding_box()
    bar = page.locator("svg.chart rect").first.bounding_box()
    assert label["x"] > bar["x"], (label, bar)  # labels on the right, bars grow leftwards
    page.screenshot(path=shots / f"overview-ur-{backend}.png", full_page=True)
    for path in ("people", "import", "enrollment"):
        page.goto(f"{live.url}/dashboard/{path}")
        assert page.locator("html").get_attribute("dir") == "rtl"
        page.screenshot(path=shots / f"{path}-ur-{backend}.png", full_page=True)

    # Sign out: the pages are closed again.
    page.click("#sign-out")
    page.wait_for_url("**/dashboard/sign-in")
    page.goto(f"{live.url}/dashboard/people")
    assert "/dashboard/sign-in" in page.url
    context.close()
