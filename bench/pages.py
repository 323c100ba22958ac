"""What each dashboard page costs on a cold load, in Debian's Chromium seeing only DejaVu Sans:
bytes over the wire (HTML, the stylesheet, the fonts the page's text needs), and which fonts.

    .venv/bin/python bench/pages.py                 # English, then Urdu, then a Thai project
    .venv/bin/python bench/pages.py --ui ur

The baseline printed first is what the same page would cost if the stylesheet named every
bundled font without ``unicode-range`` — every font fetched (measured, in the same run, from
the font files' own sizes as the server sends them, gzipped). The issue's promise: a cold
English overview in at most 60 KB.
"""

from __future__ import annotations

import argparse
import gzip
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sync.server.web import fonts  # noqa: E402
from tests.web.chromium import chromium, cold_load  # noqa: E402
from tests.web.scene import PAGES, Scene  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ui", action="append", help="UI languages (default: en, ur)")
    args = parser.parse_args()
    every_font = sum(len(gzip.compress((fonts.FONT_DIR / face.file).read_bytes()))
                     for face in fonts.faces())
    print(f"baseline: every bundled font, gzipped as served: {every_font / 1024:.1f} KB")
    with tempfile.TemporaryDirectory() as folder, Scene(Path(folder)) as scene, \
            chromium(Path(folder)) as browser:
        for ui in args.ui or ["en", "ur"]:
            print(f"\n-- UI {ui}")
            cookie = scene.cookie(ui)
            for path in [*PAGES, *scene.thai_pages()]:
                cost = cold_load(browser, scene.url(path), cookie)
                print(cost.line())


if __name__ == "__main__":
    main()
