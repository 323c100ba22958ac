"""The first-start dialog shows every language's own name in a bundled font, never boxes.

The dialog opens before any window, on a laptop that may have no font for Hindi, Bengali,
Tamil or Amharic: the bundled fonts must be registered before it opens, and each name must be
drawn with glyphs that exist in them. Measured on Qt's own text layout (the glyph runs and
the fonts they use), under a fontconfig that sees DejaVu Sans only.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QRawFont, QTextLayout

from i18n import catalogs
from ui.fonts import BUNDLED_FONTS, FONT_DIR, register_bundled_fonts

ROOT = Path(__file__).resolve().parent.parent
BUNDLED_FAMILIES = {font.family for font in BUNDLED_FONTS}

# Run in a child process: Qt's application, its fonts and fontconfig start fresh there.
CHILD = r"""
import json, sys
from pathlib import Path
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextLayout
import ui.application as application
import ui.dialogs.first_run as first_run
from ui import fonts

def glyph_runs(text, font):
    layout = QTextLayout(text, font)
    layout.beginLayout(); layout.createLine(); layout.endLayout()
    return [(run.rawFont().familyName(), list(run.glyphIndexes())) for run in layout.glyphRuns()]

def exec_(dialog):
    names = {}
    for row in range(dialog.languages.count()):
        item = dialog.languages.item(row)
        names[item.data(Qt.UserRole)] = {"text": item.text(),
                                         "runs": glyph_runs(item.text(), item.font())}
    print(json.dumps({"registered": sorted(f for f, fam in fonts.registered_fonts().items()
                                           if fam),
                      "names": names}), flush=True)
    return 0

class Stop(Exception):
    pass

def no_window(*args, **kwargs):
    raise Stop

first_run.FirstRunDialog.exec = exec_
application.WindowHost = no_window
try:
    application.run(Path(sys.argv[1]))
except Stop:
    pass
"""


def _dejavu_only(folder: Path) -> Path:
    """A fontconfig that sees DejaVu Sans only: a laptop with no fonts for these scripts."""
    dejavu = Path("/usr/share/fonts/truetype/dejavu")
    if not (dejavu / "DejaVuSans.ttf").exists():
        pytest.skip("DejaVu Sans is not installed (fonts-dejavu-core)")
    conf = folder / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n'
        f"  <dir>{dejavu}</dir>\n  <cachedir>{folder / 'fc-cache'}</cachedir>\n"
        "</fontconfig>\n", encoding="utf-8")
    return conf


@pytest.fixture(scope="module")
def first_start(tmp_path_factory) -> dict:
    """What the first-start dialog had when it opened, in a fresh process (no UI language
    saved, English system locale, DejaVu Sans the only system font)."""
    folder = tmp_path_factory.mktemp("first-start")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "LANGUAGE": "en", "LANG": "C.UTF-8",
           "FONTCONFIG_FILE": str(_dejavu_only(folder)), "PYTHONPATH": str(ROOT)}
    env.pop("QALAM_UI_LANGUAGE", None)
    done = subprocess.run([sys.executable, "-c", CHILD, str(folder / "data")], env=env,
                          capture_output=True, text=True, timeout=120, cwd=ROOT)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    assert lines, done.stderr[-3000:]
    return json.loads(lines[-1])


def test_bundled_fonts_are_registered_before_the_first_start_dialog_opens(first_start):
    assert set(first_start["registered"]) == {font.file for font in BUNDLED_FONTS}


def test_every_language_name_in_the_first_start_dialog_is_drawn_with_bundled_fonts_only(
        first_start):
    names = first_start["names"]
    assert set(names) == {loc.tag for loc in catalogs.offered()}
    for tag, shown in names.items():
        families = {family for family, _glyphs in shown["runs"]}
        assert families <= BUNDLED_FAMILIES, (tag, shown["text"], families)
        missing = [family for family, glyphs in shown["runs"] if 0 in glyphs]
        assert not missing, f"{tag}: {shown['text']!r} has boxes (glyph 0) in {missing}"


def _drawn(char: str) -> bool:
    """Characters that need a glyph: not spaces, not invisible format marks."""
    return not char.isspace() and unicodedata.category(char) != "Cf"


def test_every_ui_language_name_has_its_glyphs_in_a_bundled_font(qapp):
    from ui import ui_locale
    from ui.dialogs.first_run import FirstRunDialog

    register_bundled_fonts()
    dialog = FirstRunDialog("en")
    raw = {font.family: QRawFont(str(FONT_DIR / font.file), 14.0) for font in BUNDLED_FONTS}
    assert dialog.languages.count() == len(catalogs.offered())
    for row in range(dialog.languages.count()):
        item = dialog.languages.item(row)
        tag = item.data(Qt.UserRole)
        assert item.text() == ui_locale.native_name(tag)
        bundled = [raw[family] for family in item.font().families() if family in raw]
        assert bundled, f"{tag}: the name's font names no bundled family"
        for char in filter(_drawn, item.text()):
            assert any(font.supportsCharacter(ord(char)) for font in bundled), (
                f"{tag}: {char!r} (U+{ord(char):04X}) of {item.text()!r} is in no bundled "
                f"font of {item.font().families()}")
        # and Qt's layout of the name uses those fonts, with no missing glyph
        layout = QTextLayout(item.text(), item.font())
        layout.beginLayout()
        layout.createLine()
        layout.endLayout()
        for run in layout.glyphRuns():
            assert run.rawFont().familyName() in BUNDLED_FAMILIES, (tag, run.rawFont())
            assert 0 not in run.glyphIndexes(), (tag, item.text())
    dialog.deleteLater()
