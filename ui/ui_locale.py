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
    "DIGITS_KEY",
    "ENV_VAR",
    "LANGUAGE_KEY",
    "NATIVE_DIGITS_KEY",
    "Applied",
    "apply",
    "chosen",
    "direction_of",
    "in_ui_direction",
    "native_digits_setting",
    "native_name",
    "save_native_digits",
    "script_of",
    "system_default",
]

ENV_VAR = "QALAM_UI_LANGUAGE"
LANGUAGE_KEY = "ui/language"
DIGITS_KEY = "ui/digits"  # "native" | "latin"; absent: CLDR's default for the language
NATIVE_DIGITS_KEY = "ui/native_digits"  # the old setting: "false" Latin digits, "true" CLDR's


@dataclass(frozen=True)
class Applied:
    tag: str
    direction: str  # "rtl" | "ltr"
    native_digits: bool | None  # None: CLDR's default for the language


def direction_of(tag: str) -> str:
    """"rtl" or "ltr" for a UI locale, from CLDR (Babel's ``Locale.text_direction``).

    The compiled catalog records it at build time (``X-Qalam-Direction``), which spares
    loading Babel's locale data at start-up; a locale with no catalog asks Babel.
    """
    from i18n import community

    loc = catalogs.get(tag)
    if loc.tag == catalogs.SOURCE_LOCALE:
        return "ltr"
    made = community.get(loc.tag)
    if made is not None and loc not in catalogs.SHIPPED:  # from its script (Pashto: rtl)
        return made.direction
    recorded = catalogs.compiled_info(loc.tag).get("x-qalam-direction")
    if recorded in ("ltr", "rtl"):
        return recorded
    from babel import Locale, UnknownLocaleError

    try:
        return Locale.parse(loc.babel.replace("-", "_")).text_direction
    except (UnknownLocaleError, ValueError):  # no CLDR data bundled: its script says
        from i18n import languages

        return languages.script_direction(script_of(loc.tag))


def in_ui_direction(text: str) -> str:
    """``text`` laid out in the interface's direction, whatever letter it starts with: Qt
    lays out a plain-text label in the direction of its first strong letter, so an Urdu label
    starting with a Latin name ("Aya اسکور (…):") would read left to right, its colon in the
    middle. For labels whose translation may start with a name or a code."""
    from i18n.bidi import in_direction

    return in_direction(text, rtl=QGuiApplication.layoutDirection() == Qt.RightToLeft)


def native_name(tag: str) -> str:
    """The locale's name for itself ("اردو", "Français"), for the language pickers."""
    from babel import Locale, UnknownLocaleError

    if tag == "en-XA":
        return "[Éñĝļîšĥ ~~~]"
    if tag == "ar-XB":
        return "\u202eEnglish\u202c (ar-XB)"
    try:
        name = Locale.parse(tag.replace("-", "_")).get_display_name(tag.replace("-", "_"))
    except (UnknownLocaleError, ValueError):  # no CLDR data bundled for it: the registry's
        from i18n import languages

        try:
            name = languages.resolve(tag).native_name
        except languages.UnknownLanguage:
            name = tag
    name = name or tag
    return name[:1].upper() + name[1:]


def picker_name(tag: str) -> str:
    """A UI language as the pickers list it: its own name, and how complete it is when its
    users are still translating it ("Hausa — 12%")."""
    from i18n import community

    name = native_name(tag)
    made = community.get(tag)
    if made is None or made.completeness >= catalogs.COMPLETENESS_THRESHOLD \
            or catalogs.get(tag) in catalogs.SHIPPED:
        return name
    return f"{name} — {formatting.format_percent(made.completeness)}"


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


def native_digits_setting(settings: QSettings | None) -> bool | None:
    """The annotator's digits: True their language's own, False Latin (ASCII), None as CLDR
    says for the language (Persian, Bengali, Burmese: their own; Urdu, Hindi: Latin)."""
    if settings is None:
        return None
    chosen = settings.value(DIGITS_KEY)
    if chosen in ("native", "latin"):
        return chosen == "native"
    old = settings.value(NATIVE_DIGITS_KEY)  # "true" there meant CLDR's default
    return False if str(old).lower() in ("false", "0") else None


def save_native_digits(settings: QSettings, native_digits: bool | None) -> None:
    """Store :func:`native_digits_setting`'s value (None: follow CLDR)."""
    settings.remove(NATIVE_DIGITS_KEY)
    if native_digits is None:
        settings.remove(DIGITS_KEY)
    else:
        settings.setValue(DIGITS_KEY, "native" if native_digits else "latin")


def script_of(tag: str) -> str:
    """The ISO 15924 script a UI locale is written in ("Arab" for ur, "Ethi" for am)."""
    from i18n import languages

    loc = catalogs.get(tag)
    try:
        return languages.resolve(loc.babel.replace("_", "-")).script
    except languages.UnknownLanguage:
        return "Latn"


def apply(tag: str, *, native_digits: bool | None = None) -> Applied:
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

    from ui.fonts import font_for_script

    font = font_for_script(script_of(loc.tag))
    font.setPointSizeF(QApplication.font().pointSizeF())
    QApplication.setFont(font)
