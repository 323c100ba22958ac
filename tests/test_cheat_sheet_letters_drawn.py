"""The cheat sheet's notes name letters of the content language (Amharic ሀ ሰ ጸ አ, Urdu's
ع ح ص …) inside an interface sentence: those letters come from a placeholder, not from the
catalogs, and are drawn with the content script's bundled font after the interface's, so an
English, French or Hindi interface on a laptop without an Ethiopic or Arabic font shows them
and not boxes."""

import os
import unicodedata

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtGui import QRawFont
from PySide6.QtWidgets import QLabel

from ui.fonts import BUNDLED_FONTS, FONT_DIR

FILES = {font.family: font.file for font in BUNDLED_FONTS}


def _undrawn(text: str, font) -> set[str]:
    """The visible characters of ``text`` that no bundled family of ``font`` draws."""
    chain = [QRawFont(str(FONT_DIR / FILES[f]), 12) for f in font.families() if f in FILES]
    return {
        char for char in text
        if not (char.isspace() or unicodedata.category(char) in ("Cc", "Cf", "Mn"))
        and not any(raw.supportsCharacter(ord(char)) for raw in chain)
    }


@pytest.mark.parametrize("ui_language", ["en", "fr", "hi"])
def test_the_cheat_sheet_notes_draw_the_letters_they_name(qtbot, ui_language):
    from PySide6.QtWidgets import QApplication

    from ui import ui_locale
    from ui.keyboard import CheatSheet

    saved = QApplication.font()
    ui_locale.apply(ui_language)
    try:
        amharic = CheatSheet("amh_Ethi")
        qtbot.addWidget(amharic)
        notes = [amharic.examples.item(row, 2) for row in range(amharic.examples.rowCount())]
        assert any("ሀ" in note.text() for note in notes)  # the historical twins are named
        for note in notes:
            assert _undrawn(note.text(), note.font()) == set(), note.text()

        urdu = CheatSheet("urd_Arab")
        qtbot.addWidget(urdu)
        (label,) = [w for w in urdu.findChildren(QLabel) if "ژ" in w.text()]
        assert _undrawn(label.text(), label.font()) == set(), label.text()
    finally:
        ui_locale.apply("en")
        QApplication.setFont(saved)
