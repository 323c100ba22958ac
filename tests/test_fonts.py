"""Bundled fonts: each script's sample renders entirely with the bundled font (no system
fallback), rows are tall enough for the ink, and every shipped file is documented and licensed.

Set QALAM_FONTCHECK_DIR=/some/dir to also write one PNG per script (the sample drawn in a row
of height line_height_for, clipped to the row like an item delegate would) for a visual check.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from PySide6.QtCore import QPointF, QRect, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontDatabase,
    QFontInfo,
    QFontMetricsF,
    QImage,
    QPainter,
    QRawFont,
    QTextLayout,
)

from ui import fonts
from ui.fonts import (
    BUNDLED_FONTS,
    BUNDLED_SCRIPTS,
    FONT_DIR,
    SAMPLE_TEXT,
    baseline_offset,
    bundled_family,
    families_for_script,
    font_for_script,
    line_height_for,
    register_bundled_fonts,
    resolve_script,
    uses_nastaliq,
)

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

REPO = Path(__file__).resolve().parents[1]
FONT_SUFFIXES = {".ttf", ".otf", ".ttc", ".woff", ".woff2"}
BUNDLED_FAMILIES = {bf.family for bf in BUNDLED_FONTS}
POINT_SIZE = 14.0
REQUIRED_SCRIPTS = {
    "Latn", "Grek", "Cyrl", "Arab", "Aran", "Hebr", "Deva", "Beng", "Guru", "Gujr", "Taml",
    "Telu", "Knda", "Mlym", "Sinh", "Ethi", "Mymr", "Khmr", "Laoo", "Thai", "Geor", "Armn",
    "Tibt",
}


@pytest.fixture(scope="module")
def registered(qapp):
    return register_bundled_fonts()


def test_required_scripts_are_bundled_and_have_samples():
    assert set(BUNDLED_SCRIPTS) >= REQUIRED_SCRIPTS
    assert set(SAMPLE_TEXT) == set(BUNDLED_SCRIPTS)
    assert bundled_family("Arab") == "Noto Naskh Arabic"
    assert bundled_family("Aran") == "Noto Nastaliq Urdu"


def test_register_bundled_fonts_registers_every_file_once(registered, monkeypatch):
    for bf in BUNDLED_FONTS:
        assert registered[bf.file] == [bf.family], bf.file
        assert bf.family in QFontDatabase.families()

    calls = []
    real_add = QFontDatabase.addApplicationFont

    def counting_add(path):
        calls.append(path)
        return real_add(path)

    monkeypatch.setattr(fonts.QFontDatabase, "addApplicationFont", counting_add)
    assert fonts.QFontDatabase.addApplicationFont is counting_add
    assert register_bundled_fonts() == registered
    font_for_script("Deva")
    assert calls == []


def test_registration_is_lazy_per_script():
    code = (
        "import json, time\n"
        "from PySide6.QtGui import QGuiApplication, QFontDatabase\n"
        "from ui.fonts import font_for_script, registered_fonts, register_bundled_fonts\n"
        "app = QGuiApplication([])\n"
        "QFontDatabase.families()\n"
        "font_for_script('Deva')\n"
        "lazy = sorted(registered_fonts())\n"
        "t = time.perf_counter(); register_bundled_fonts()\n"
        "print(json.dumps([lazy, (time.perf_counter() - t) * 1000]))\n"
    )
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True,
        check=True, timeout=120,
    )
    lazy, _elapsed_ms = json.loads(out.stdout.strip().splitlines()[-1])
    assert lazy == ["NotoSans-Regular.ttf", "NotoSansDevanagari-Regular.ttf"]


@pytest.mark.parametrize("script", sorted(BUNDLED_SCRIPTS))
def test_family_list_starts_with_bundled_family(script):
    families = families_for_script(script)
    assert families[0] == bundled_family(script)
    assert "Noto Sans" in families
    assert len(families) == len(set(families)) >= 2


def test_family_list_for_unbundled_script_and_case():
    assert families_for_script("Hans") == ["Noto Sans"]
    assert families_for_script("arab")[0] == "Noto Naskh Arabic"


@pytest.mark.parametrize(
    ("language", "urdu", "expected"),
    [
        ("urd_Arab", False, "Noto Nastaliq Urdu"),
        ("pnb_Arab", False, "Noto Nastaliq Urdu"),
        ("ur-PK", False, "Noto Nastaliq Urdu"),
        ("pa-Arab", False, "Noto Nastaliq Urdu"),
        (None, True, "Noto Nastaliq Urdu"),
        ("arb_Arab", False, "Noto Naskh Arabic"),
        ("pes_Arab", False, "Noto Naskh Arabic"),
        ("pbt_Arab", False, "Noto Naskh Arabic"),
        ("snd_Arab", False, "Noto Naskh Arabic"),
        (None, False, "Noto Naskh Arabic"),
    ],
)
def test_arabic_style_follows_language(registered, language, urdu, expected):
    font = font_for_script("Arab", POINT_SIZE, language=language, urdu=urdu)
    assert font.families()[0] == expected
    assert QFontInfo(font).family() == expected


def test_nastaliq_only_for_arabic_script():
    assert uses_nastaliq("urd_Arab")
    assert not uses_nastaliq("pa")  # Punjabi defaults to Gurmukhi
    assert not uses_nastaliq("pan_Guru")
    assert not uses_nastaliq("urd_Deva")
    assert resolve_script("Guru", "pnb_Arab") == "Guru"
    assert resolve_script("Arab", "urd_Arab") == "Aran"


def _is_common(ch: str) -> bool:
    """Punctuation/space a script font may leave to Noto Sans (e.g. ',' in Hebrew)."""
    return unicodedata.category(ch)[0] in "PZ"


@pytest.mark.parametrize("script", sorted(BUNDLED_SCRIPTS))
def test_sample_renders_with_bundled_font_only(registered, script):
    expected = bundled_family(script)
    sample = SAMPLE_TEXT[script]
    font = font_for_script(script, POINT_SIZE)

    # The family Qt actually resolved is the bundled one, not a system substitute.
    assert QFontInfo(font).family() == expected
    primary = QRawFont.fromFont(font)
    assert primary.familyName() == expected

    latin = QRawFont.fromFont(font_for_script("Latn", POINT_SIZE))
    missing = [
        f"U+{ord(ch):04X}"
        for ch in sample
        if not primary.supportsCharacter(ord(ch))
        and not (_is_common(ch) and latin.supportsCharacter(ord(ch)))
    ]
    assert missing == [], f"{expected} lacks {missing}"

    # After shaping, every glyph comes from a bundled font and none is .notdef.
    layout = QTextLayout(sample, font)
    layout.beginLayout()
    layout.createLine()
    layout.endLayout()
    runs = layout.glyphRuns()
    assert runs
    used = {run.rawFont().familyName() for run in runs}
    assert used <= BUNDLED_FAMILIES, f"system fallback used: {used - BUNDLED_FAMILIES}"
    assert expected in used
    assert all(g != 0 for run in runs for g in run.glyphIndexes())


def test_nastaliq_rows_are_taller_than_naskh(registered):
    naskh = font_for_script("Arab", POINT_SIZE)
    nastaliq = font_for_script("Arab", POINT_SIZE, language="urd_Arab")
    naskh_h = line_height_for(naskh, SAMPLE_TEXT["Arab"])
    nastaliq_h = line_height_for(nastaliq, SAMPLE_TEXT["Aran"])
    assert nastaliq_h > naskh_h
    # Nastaliq ink is far taller than a Latin line of the same size.
    latin_h = QFontMetricsF(font_for_script("Latn", POINT_SIZE)).height()
    assert nastaliq_h > 1.6 * latin_h


def test_line_height_never_below_nominal(registered):
    for script in BUNDLED_SCRIPTS:
        font = font_for_script(script, POINT_SIZE)
        assert line_height_for(font, SAMPLE_TEXT[script]) >= QFontMetricsF(font).height()
        assert line_height_for(font, "") >= QFontMetricsF(font).height()


def _render_row(font: QFont, sample: str, margin: int, frame: bool) -> tuple[QImage, int, int]:
    """Draw ``sample`` in a row of height line_height_for, ``margin`` px below the image top.
    Returns (image, row_top, row_height)."""
    row_h = line_height_for(font, sample)
    width = int(QFontMetricsF(font).horizontalAdvance(sample)) + 40
    image = QImage(width, row_h + 2 * margin, QImage.Format.Format_Grayscale8)
    image.fill(Qt.GlobalColor.white)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
    row = QRect(0, margin, width, row_h)
    if frame:
        painter.setPen(QColor(190, 190, 190))
        painter.drawRect(row.adjusted(0, 0, -1, -1))
        painter.setClipRect(row)  # as an item delegate would
    painter.setPen(Qt.GlobalColor.black)
    painter.setFont(font)
    painter.drawText(QPointF(20, margin + baseline_offset(font, sample)), sample)
    painter.end()
    return image, margin, row_h


def _ink_rows(image: QImage) -> tuple[int, int]:
    bits = bytes(image.constBits())
    stride = image.bytesPerLine()
    rows = [
        y for y in range(image.height())
        if min(bits[y * stride:y * stride + image.width()]) < 250
    ]
    return rows[0], rows[-1]


@pytest.mark.parametrize("script", sorted(BUNDLED_SCRIPTS))
def test_rendered_ink_fits_in_row(registered, script):
    sample = SAMPLE_TEXT[script]
    for size in (9.0, 10.0, 11.0, 12.0, 14.0, 18.0, 24.0):
        font = font_for_script(script, size)
        margin = 60
        image, row_top, row_h = _render_row(font, sample, margin, frame=False)
        first, last = _ink_rows(image)
        assert first >= row_top, f"{size}pt: ink {row_top - first}px above the row"
        assert last < row_top + row_h, f"{size}pt: ink {last - row_top - row_h + 1}px below"

    out_dir = os.environ.get("QALAM_FONTCHECK_DIR")
    if out_dir:
        Path(out_dir).mkdir(parents=True, exist_ok=True)
        big = font_for_script(script, 24.0)
        framed, _, _ = _render_row(big, sample, 8, frame=True)
        assert framed.save(str(Path(out_dir) / f"{script}.png"))


def test_every_font_file_is_documented_and_licensed():
    readme = (FONT_DIR / "README.md").read_text(encoding="utf-8")
    ofl = (FONT_DIR / "OFL.txt").read_text(encoding="utf-8")
    assert "SIL Open Font License" in ofl and "Version 1.1" in ofl
    assert "PERMISSION & CONDITIONS" in ofl and "Google" in ofl

    files = sorted(p.name for p in FONT_DIR.iterdir() if p.suffix.lower() in FONT_SUFFIXES)
    assert files, "no fonts bundled"
    assert set(files) == {bf.file for bf in BUNDLED_FONTS}, "ui/fonts.py and files disagree"
    rows = {m.group(1): m.group(0) for m in re.finditer(r"^\| `([^`]+)`.*$", readme, re.M)}
    for bf in BUNDLED_FONTS:
        assert bf.file in rows, f"{bf.file} missing from README"
        row = rows[bf.file]
        assert f"| {bf.family} |" in row
        assert "OFL-1.1" in row
        assert all(script in row for script in bf.scripts)
        assert re.search(r"\| \d+\.\d+ \|$", row), f"no version for {bf.file}"
        assert "-Regular." in bf.file  # regular weight only

    sums = {}
    for line in (FONT_DIR / "SHA256SUMS").read_text().splitlines():
        digest, name = line.split(None, 1)
        sums[name.lstrip("*")] = digest
    for name in files:
        digest = hashlib.sha256((FONT_DIR / name).read_bytes()).hexdigest()
        assert sums.get(name) == digest, f"{name} differs from SHA256SUMS"


def test_bundle_stays_small():
    total = sum(p.stat().st_size for p in FONT_DIR.iterdir() if p.suffix in FONT_SUFFIXES)
    assert total <= 5.5 * 1024 * 1024, f"bundled fonts are {total / 2**20:.1f} MiB"
