"""Every character of every shipped translation has a glyph in the bundled fonts.

A laptop may have no fonts for the annotator's script at all; the interface then draws with
what Qalam ships. A symbol no bundled font has (▲, ✓, an emoji) would be a box. The check reads
the fonts' character maps (QRawFont), not what this machine happens to have installed.
"""

import os
import unicodedata

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from babel.messages.pofile import read_po
from PySide6.QtGui import QRawFont

from i18n import catalogs, languages
from ui.fonts import BUNDLED_FONTS, FONT_DIR, NOTO_SANS, families_for_script

SOURCE = catalogs.ENGLISH


@pytest.fixture(scope="module")
def raw_fonts(qapp):
    return {font.family: QRawFont(str(FONT_DIR / font.file), 12) for font in BUNDLED_FONTS}


def _texts(tag: str):
    path = catalogs.po_path(tag)
    with open(path, "rb") as handle:
        catalog = read_po(handle)
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple | list) else [message.string]
        yield from (s for s in strings if s)


def _drawable(char: str) -> bool:
    return not (char.isspace() or unicodedata.category(char) in ("Cc", "Cf", "Mn"))


@pytest.mark.parametrize("tag", [loc.tag for loc in catalogs.SHIPPED])
def test_the_interface_has_no_missing_glyphs(raw_fonts, tag):
    script = languages.resolve(catalogs.get(tag).babel).script
    chain = [raw_fonts[f] for f in [*families_for_script(script), NOTO_SANS] if f in raw_fonts]
    missing = {
        char for text in _texts(tag) for char in text
        if _drawable(char) and not any(font.supportsCharacter(ord(char)) for font in chain)
    }
    assert missing == set(), f"{tag}: no bundled font draws " + ", ".join(
        f"{c} U+{ord(c):04X}" for c in sorted(missing))


def test_the_english_source_has_no_missing_glyphs(raw_fonts):
    with open(catalogs.POT_PATH if hasattr(catalogs, "POT_PATH") else "i18n/qalam.pot",
              "rb") as handle:
        template = read_po(handle)
    chain = [raw_fonts[f] for f in families_for_script("Latn") if f in raw_fonts]
    missing = {
        char for message in template if message.id
        for text in (message.id if isinstance(message.id, tuple | list) else [message.id])
        for char in text
        if _drawable(char) and not any(font.supportsCharacter(ord(char)) for font in chain)
    }
    assert missing == set(), ", ".join(f"{c} U+{ord(c):04X}" for c in sorted(missing))


def test_the_check_would_see_a_missing_symbol(raw_fonts):
    chain = [raw_fonts[f] for f in [*families_for_script("Ethi"), NOTO_SANS] if f in raw_fonts]
    assert not any(font.supportsCharacter(ord("▲")) for font in chain)
