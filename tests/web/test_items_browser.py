"""Items in Debian's Chromium (Playwright) against the server on real uvicorn: a coordinator
finds an Urdu item by a word of it, opens it and rejects it; the list and the item page are
drawn with the bundled fonts only, mirror in Urdu, and axe-core finds nothing on them.

Screenshots go to ``$QALAM_SCREENSHOTS`` when set (to look at them), else a temporary folder.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from sync.server import tables
from tests.web.chromium import axe, needs_chromium, new_page, undrawn_text

pytestmark = needs_chromium


def _state(scene, inputs: str) -> str:
    with scene.engine.connect() as conn:
        rows = conn.execute(sa.select(tables.submissions.c.state, tables.submissions.c.payload)
                            .where(tables.submissions.c.language == "urd_Arab")).all()
    return next(state for state, payload in rows if f'"inputs":"{inputs}"' in payload)


@pytest.mark.parametrize("ui", ["en", "ur"])
def test_a_coordinator_finds_an_urdu_item_by_a_word_opens_it_and_rejects_it(scene, browser,
                                                                           shots, ui):
    page = new_page(browser, scene.cookie(ui))
    page.goto(scene.url("/dashboard/overview"))
    page.click("nav a[href='/dashboard/items']")
    page.wait_for_url("**/dashboard/items")
    html = page.locator("html")
    assert html.get_attribute("dir") == ("rtl" if ui == "ur" else "ltr")
    page.fill("#q", "اور")  # "another": only Bilal's item has it
    page.click("#search")
    page.wait_for_url("**/dashboard/items?q=*")
    rows = page.locator("#items tbody tr")
    assert rows.count() == 1
    link = page.locator("a.item-link")
    assert link.inner_text() == "ایک اور سوال"
    assert link.get_attribute("dir") == "rtl"
    page.evaluate("document.fonts.ready.then(() => true)")
    assert undrawn_text(page) == []
    page.screenshot(path=shots / f"items-search-{ui}.png", full_page=True)
    if ui == "ur":  # the layout mirrors: the search button sits left of the box
        box, button = (page.locator(s).bounding_box() for s in ("#q", "#search"))
        assert button["x"] < box["x"]

    link.click()
    page.wait_for_url("**/dashboard/items/*")
    prompt = page.locator("p.text").first
    assert prompt.inner_text() == "ایک اور سوال" and prompt.get_attribute("dir") == "rtl"
    page.evaluate("document.fonts.ready.then(() => true)")
    assert undrawn_text(page) == []
    page.screenshot(path=shots / f"item-{ui}.png", full_page=True)
    if ui == "en":
        page.click("#reject")
        page.wait_for_url("**done=rejected*")
        assert page.locator("#state").inner_text() == "rejected"
        assert page.locator("[role=status]").inner_text() == "Rejected."
        assert "decided" in page.locator("#history").inner_text()
        assert _state(scene, "ایک اور سوال") == "rejected"
        page.screenshot(path=shots / f"item-rejected-{ui}.png", full_page=True)
    page.context.close()


@pytest.mark.parametrize("ui", ["en", "ur"])
def test_axe_finds_nothing_on_the_items_pages(scene, browser, ui):
    page = new_page(browser, scene.cookie(ui), bypass_csp=True)
    found = {}
    page.goto(scene.url("/dashboard/items?q=سوال&flagged=no"), wait_until="networkidle")
    found["list"] = axe(page)
    page.locator("a.item-link").first.click()
    page.wait_for_url("**/dashboard/items/*")
    found["item"] = axe(page)
    page.goto(scene.url("/dashboard/items?since=someday"), wait_until="networkidle")
    found["a bad filter"] = axe(page)
    page.context.close()
    assert {k: v for k, v in found.items() if v} == {}, "\n".join(
        f"{where}: {v['id']} ({v['impact']}) {v['help']}: "
        f"{[node['target'] for node in v['nodes']][:5]}"
        for where, violations in found.items() for v in violations)
