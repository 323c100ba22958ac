"""Debian's Chromium for the dashboard's browser checks, seeing only the fonts a bare laptop has
(DejaVu Sans), with what the pages cost and which fonts drew them, read from DevTools:

    with chromium(folder) as browser:
        cost = cold_load(browser, url, cookie)         # a fresh profile: nothing cached
        cost.total, cost.fonts                         # bytes on the wire, fonts fetched
        missing = undrawn_text(page)                   # text a bundled script drew as boxes
        off_start(page, "#facts dd")                   # values on the wrong side, [] when none
        violations = axe(page)                         # axe-core's findings, [] when none

Never ``playwright install``: the browser is the system's (``make test`` installs Debian's
``chromium``); axe-core comes from npm through ``build_scripts/axe_core.sh``.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont

from sync.server.web import fonts

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]

#: A browser-test module's ``pytestmark``: skipped, saying how to get Chromium, where it is not.
needs_chromium = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="Debian's chromium is not installed (/usr/bin/chromium); `make test` installs it "
           "through build_scripts/system_deps.sh")
DEJAVU_SANS = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
AXE = ROOT / "build" / "axe" / "node_modules" / "axe-core" / "axe.min.js"


def dejavu_only(folder: Path) -> Path:
    """A fontconfig that sees DejaVu Sans and nothing else (no Mono, no Serif)."""
    fonts_dir = folder / "fonts"
    fonts_dir.mkdir(parents=True, exist_ok=True)
    for name in ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"):
        link = fonts_dir / name
        if not link.exists():
            link.symlink_to(DEJAVU_SANS.parent / name)
    conf = folder / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n'
        f"  <dir>{fonts_dir}</dir>\n  <cachedir>{folder / 'fc-cache'}</cachedir>\n"
        "</fontconfig>\n", encoding="utf-8")
    return conf


@contextlib.contextmanager
def chromium(folder: Path):
    from playwright.sync_api import sync_playwright

    env = {"FONTCONFIG_FILE": str(dejavu_only(folder)), "HOME": str(folder)}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, env=env)
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class Cost:
    url: str
    responses: list[tuple[str, str, int]] = field(default_factory=list)  # (url, type, bytes)

    @property
    def total(self) -> int:
        return sum(size for _url, _kind, size in self.responses)

    @property
    def fonts(self) -> list[str]:
        return sorted(url.rsplit("/", 1)[-1] for url, kind, _ in self.responses
                      if kind == "Font")

    def line(self) -> str:
        kinds: dict[str, int] = {}
        for _url, kind, size in self.responses:
            kinds[kind] = kinds.get(kind, 0) + size
        parts = ", ".join(f"{kind} {size / 1024:.1f}" for kind, size in sorted(kinds.items()))
        return (f"{self.url:<40} {self.total / 1024:7.1f} KB  ({parts})"
                f"  fonts: {', '.join(self.fonts) or 'none'}")


def new_page(browser, cookie: dict | None, *, locale: str = "en-GB", bypass_csp: bool = False):
    """A page in a fresh profile; ``bypass_csp`` lets axe-core's script in (the dashboard's
    Content-Security-Policy allows no script at all)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale=locale,
                                  bypass_csp=bypass_csp)
    if cookie:
        context.add_cookies([cookie])
    page = context.new_page()
    page.set_default_timeout(30_000)
    return page


def cold_load(browser, url: str, cookie: dict | None, *, locale: str = "en-GB") -> Cost:
    """Open ``url`` in a fresh profile (empty cache) and count every byte that came over the
    wire for it (headers and compressed bodies: DevTools' encodedDataLength), after the fonts
    the page needed have loaded."""
    page = new_page(browser, cookie, locale=locale)
    session = page.context.new_cdp_session(page)
    session.send("Network.enable")
    seen: dict[str, tuple[str, str]] = {}
    cost = Cost(url.split("/dashboard", 1)[-1] or url)

    def sent(event):
        seen[event["requestId"]] = (event["request"]["url"], event.get("type", "Other"))

    def done(event):
        request_url, kind = seen.get(event["requestId"], ("?", "Other"))
        cost.responses.append((request_url, kind, int(event["encodedDataLength"])))

    session.on("Network.requestWillBeSent", sent)
    session.on("Network.loadingFinished", done)
    page.goto(url, wait_until="networkidle")
    page.evaluate("document.fonts.ready.then(() => true)")
    page.wait_for_load_state("networkidle")
    page.context.close()
    return cost


@dataclass(frozen=True)
class Undrawn:
    tag: str
    text: str
    needed: str          # the bundled font the text needs
    used: tuple[str, ...]

    def __str__(self) -> str:
        return f"<{self.tag}> {self.text[:40]!r} needs {self.needed}, drawn with {self.used}"


def _dejavu_cmap() -> set[int]:
    return set(TTFont(DEJAVU_SANS, lazy=True).getBestCmap())


def undrawn_text(page) -> list[Undrawn]:
    """Every element whose own text has letters of a bundled script that DejaVu Sans lacks,
    and that Chromium drew without that script's bundled font (so: as boxes)."""
    dejavu = _dejavu_cmap()
    by_point = {}
    for face in fonts.faces():
        if not face.latin:
            for point in face.codepoints - dejavu:
                by_point.setdefault(point, []).append(face)
    session = page.context.new_cdp_session(page)
    session.send("DOM.enable")
    session.send("CSS.enable")
    root = session.send("DOM.getDocument", {"depth": -1, "pierce": True})["root"]
    found = []
    for node in _elements(root):
        if node["nodeName"].lower() in ("option", "script", "style", "title", "head"):
            continue
        own = "".join(child.get("nodeValue", "") for child in node.get("children", ())
                      if child["nodeType"] == 3)
        needed = {face for char in own for face in by_point.get(ord(char), ())}
        if not needed:
            continue
        used = session.send("CSS.getPlatformFontsForNode", {"nodeId": node["nodeId"]})["fonts"]
        if not used:
            continue  # not drawn at all (display: none, a closed <details>)
        names = tuple(font["familyName"] for font in used)
        for face in needed:
            if not any(face.local_name == name for name in names) and not any(
                    other.local_name in names for other in needed
                    if set(other.scripts) & set(face.scripts)):
                found.append(Undrawn(node["nodeName"].lower(), own.strip(), face.local_name,
                                     names))
    session.detach()
    return found


def off_start(page, selector: str) -> list[str]:
    """The text of each element matching ``selector`` whose content does not begin at the
    page's start side (the right in Urdu): a value pushed to the far side of its cell."""
    return page.evaluate("""selector => {
        const rtl = getComputedStyle(document.documentElement).direction === 'rtl';
        return [...document.querySelectorAll(selector)].filter(el => {
            const range = document.createRange();
            range.selectNodeContents(el);
            const text = range.getBoundingClientRect(), box = el.getBoundingClientRect();
            if (!text.width) return false;
            const style = getComputedStyle(el), px = v => parseFloat(v) || 0;
            const start = rtl ? box.right - px(style.paddingRight) - px(style.borderRightWidth)
                              : box.left + px(style.paddingLeft) + px(style.borderLeftWidth);
            return Math.abs((rtl ? text.right : text.left) - start) > 2;
        }).map(el => el.textContent.trim());
    }""", selector)


def _elements(node):
    if node.get("nodeType") == 1:
        yield node
    for child in node.get("children", ()):
        yield from _elements(child)
    if "contentDocument" in node:
        yield from _elements(node["contentDocument"])


def ensure_axe() -> Path:
    """axe-core's script, installed from npm by build_scripts/axe_core.sh when missing."""
    if not AXE.exists():
        subprocess.run([str(ROOT / "build_scripts" / "axe_core.sh")], check=True,
                       cwd=ROOT, timeout=300)
    return AXE


def axe(page) -> list[dict]:
    """axe-core's violations on the page as it is (WCAG 2.x A and AA rules and best
    practices): each with its rule, impact and the elements it found."""
    page.add_script_tag(path=str(ensure_axe()))
    result = page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ['violations']});
        return JSON.stringify(r.violations.map(v => ({id: v.id, impact: v.impact,
            help: v.help, nodes: v.nodes.map(n => ({target: n.target,
            summary: n.failureSummary}))})));
    }""")
    return json.loads(result)
