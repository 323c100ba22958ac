"""Every dashboard page in Debian's Chromium, with only DejaVu Sans installed: what a cold load
costs (printed per page), that every bundled script is drawn with its font on screen and in
print (no boxes), and that axe-core finds nothing, in English and in Urdu.

``-s`` shows the cost of each page. Screenshots go to ``$QALAM_SCREENSHOTS`` when set.
"""

from __future__ import annotations

import re

import pytest

from tests.web.chromium import axe, cold_load, needs_chromium, new_page, undrawn_text
from tests.web.scene import PAGES, THAI_NAME

pytestmark = needs_chromium

MAX_COLD_OVERVIEW = 60 * 1024


def test_a_cold_english_overview_fetches_only_the_fonts_its_text_needs(scene, browser):
    cookie = scene.cookie("en")
    costs = {path: cold_load(browser, scene.url(path), cookie) for path in PAGES}
    print()
    for cost in costs.values():
        print(cost.line())
    overview = costs["/dashboard/overview"]
    assert overview.total <= MAX_COLD_OVERVIEW, overview.line()
    # The overview shows the Thai project's name (a <select> lays out its options): Thai, and
    # nothing else; the interface language switch costs no font while it is closed.
    assert overview.fonts == ["NotoSansThai-Regular.ttf"], overview.line()
    assert costs["/dashboard/health"].fonts == [], costs["/dashboard/health"].line()
    assert costs["/dashboard/export"].fonts == []


def test_urdu_pages_fetch_naskh_and_nothing_for_other_scripts(scene, browser):
    cost = cold_load(browser, scene.url("/dashboard/health"), scene.cookie("ur"))
    print("\n" + cost.line())
    assert cost.fonts == ["NotoNaskhArabic-Regular.ttf"], cost.line()


def _invite_thai_annotator(page, scene) -> None:
    page.goto(scene.url("/dashboard/enrollment"))
    page.fill("#inv-name", THAI_NAME)
    page.fill("#inv-languages", "tha_Thai, urd_Arab")
    page.click("#invite")
    page.wait_for_selector("#card")


@pytest.mark.parametrize("ui", ["en", "ur"])
def test_thai_is_drawn_with_its_font_on_screen_and_in_print(scene, browser, shots, ui):
    page = new_page(browser, scene.cookie(ui))
    checked = []
    for path in ["/dashboard/people", "/dashboard/flagged", *scene.thai_pages(),
                 *scene.item_pages()]:
        page.goto(scene.url(path), wait_until="networkidle")
        page.evaluate("document.fonts.ready.then(() => true)")
        assert undrawn_text(page) == [], path
        checked.append(path)
        page.screenshot(path=shots / f"{_name(path)}-{ui}.png", full_page=True)
    assert THAI_NAME in page.goto(scene.url("/dashboard/people")).text()

    _invite_thai_annotator(page, scene)
    page.evaluate("document.fonts.ready.then(() => true)")
    assert undrawn_text(page) == []
    page.emulate_media(media="print")
    page.evaluate("document.fonts.ready.then(() => true)")
    assert page.locator("#card").is_visible() and not page.locator("header.top").is_visible()
    assert undrawn_text(page) == []
    page.screenshot(path=shots / f"enrollment-card-print-{ui}.png", full_page=True)
    pdf = page.pdf()
    (shots / f"enrollment-card-{ui}.pdf").write_bytes(pdf)
    embedded = set(re.findall(rb"/(?:BaseFont|FontName)\s*/[A-Z]{6}\+([A-Za-z-]+)", pdf))
    assert b"NotoSansThai-Regular" in embedded, embedded
    page.context.close()


def _name(path: str) -> str:
    return path.strip("/").replace("/", "-").replace("?", "-").replace("=", "-")


def _every_page(scene) -> list[str]:
    return [*PAGES, *scene.thai_pages(), *scene.item_pages(), "/dashboard/sign-in"]


@pytest.mark.parametrize("ui", ["en", "ur"])
def test_axe_finds_nothing_on_any_page(scene, browser, ui):
    page = new_page(browser, scene.cookie(ui), bypass_csp=True)
    found = {}
    for path in _every_page(scene):
        if path == "/dashboard/sign-in":
            page.context.clear_cookies()
            page.context.add_cookies([{"name": "qalam_lang", "value": ui,
                                       "url": scene.live.url}])
        page.goto(scene.url(path), wait_until="networkidle")
        violations = axe(page)
        if violations:
            found[path] = violations
    page.context.close()
    page = new_page(browser, scene.cookie(ui), bypass_csp=True)
    _invite_thai_annotator(page, scene)
    if violations := axe(page):
        found["/dashboard/enrollment (a new code)"] = violations
    page.context.close()
    assert found == {}, "\n".join(
        f"{path}: {v['id']} ({v['impact']}) {v['help']}: "
        f"{[node['target'] for node in v['nodes']][:5]}"
        for path, violations in found.items() for v in violations)
