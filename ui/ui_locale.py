"""The UI language: which one, and switching the whole application to it.

    apply("ur")      # catalog, Qt's strings, right-to-left layout, number formatting

The UI language is independent of the content language (the language an annotator writes
in, chosen in the main window's picker): an Urdu speaker may run the UI in English and
write Urdu, and the editors take their direction from the content language either way.

Order of precedence: ``--ui-language`` on the command line, then ``QALAM_UI_LANGUAGE``, then
the ``ui/language`` setting (chosen on first start, changed in the settings dialog), then
English. :func:`apply` must run before any widget of the window exists: it sets the
application's layout direction from the locale's CLDR data (Babel's ``text_direction``), not
from Qt's translation, which Qt only has for a few right-to-left languages (none for Urdu,
Pashto, Sindhi, Central Kurdish or Dhivehi).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from PySide6.QtCore import QLocale, QSettings, Qt
from PySide6.QtGui import QGuiApplication

from i18n import catalogs, formatting, translation
from ui import qt_translation

__all__ = [
    "ENV_VAR",
    "LANGUAGE_KEY",
    "NATIVE_DIGITS_KEY",
    "Applied",
    "apply",
    "chosen",
    "direction_of",
    "native_name",
    "system_default",
]

ENV_VAR = "QALAM_UI_LANGUAGE"
LANGUAGE_KEY = "ui/language"
NATIVE_DIGITS_KEY = "ui/native_digits"


@dataclass(frozen=True)
class Applied:
    tag: str
    direction: str  # "rtl" | "ltr"
    native_digits: bool


def direction_of(tag: str) -> str:
    """"rtl" or "ltr" for a UI locale, from CLDR (Babel's ``Locale.text_direction``).

    The compiled catalog records it at build time (``X-Qalam-Direction``), which spares
    loading Babel's locale data at start-up; a locale with no catalog asks Babel.
    """
    loc = catalogs.get(tag)
    if loc.tag == catalogs.SOURCE_LOCALE:
        return "ltr"
    recorded = catalogs.compiled_info(loc.tag).get("x-qalam-direction")
    if recorded in ("ltr", "rtl"):
        return recorded
    from babel import Locale

    return Locale.parse(loc.babel.replace("-", "_")).text_direction


def native_name(tag: str) -> str:
    """The locale's name for itself ("اردو", "Français"), for the language pickers."""
    from babel import Locale

    if tag == "en-XA":
        return "[Éñĝļîšĥ ~~~]"
    if tag == "ar-XB":
        return "\u202eEnglish\u202c (ar-XB)"
    name = Locale.parse(tag.replace("-", "_")).get_display_name(tag.replace("-", "_")) or tag
    return name[:1].upper() + name[1:]


def chosen(settings: QSettings | None, override: str | None = None) -> str | None:
    """The UI locale asked for (override, environment, setting), or None when none is."""
    for candidate in (override, os.environ.get(ENV_VAR),
                      settings.value(LANGUAGE_KEY) if settings is not None else None):
        if candidate:
            return catalogs.get(str(candidate)).tag
    return None


def system_default() -> str:
    """The offered UI locale closest to the system's languages (English when none is)."""
    offered = {loc.tag for loc in catalogs.offered()}
    for name in QLocale.system().uiLanguages():
        try:
            tag = catalogs.get(name).tag
        except ValueError:
            continue
        if tag in offered:
            return tag
    return catalogs.SOURCE_LOCALE


def native_digits_setting(settings: QSettings | None) -> bool:
    if settings is None:
        return True
    return str(settings.value(NATIVE_DIGITS_KEY, "true")).lower() in ("true", "1")


def apply(tag: str, *, native_digits: bool = True) -> Applied:
    """Switch the application to UI locale ``tag``. Needs the QApplication; call before the
    window's widgets are built (and rebuild the window to switch while running)."""
    loc = catalogs.get(tag)
    direction = direction_of(loc.tag)
    translation.install(loc.tag)
    qt_translation.install(loc.tag, direction, qt_catalog=not loc.pseudo)
    QGuiApplication.setLayoutDirection(Qt.RightToLeft if direction == "rtl" else Qt.LeftToRight)
    QLocale.setDefault(QLocale(loc.babel.replace("_", "-")))
    formatting.configure(loc.tag, native_digits=native_digits)
    _apply_ui_font(loc)
    return Applied(loc.tag, direction, native_digits)


def _apply_ui_font(loc) -> None:
    """The interface font: the bundled family for the UI language's script, then Noto Sans
    (Latin, digits, arrows, symbols), then the platform's — so a laptop with none of these
    fonts still shows every character of the interface. Urdu's interface uses Naskh: Nastaliq
    is for content, its ink is too tall for buttons and menus."""
    from PySide6.QtWidgets import QApplication

    from i18n import languages
    from ui.fonts import font_for_script

    try:
        script = languages.resolve(loc.babel.replace("_", "-")).script
    except languages.UnknownLanguage:
        script = "Latn"
    font = font_for_script(script)
    font.setPointSizeF(QApplication.font().pointSizeF())
    QApplication.setFont(font)
