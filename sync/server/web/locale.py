"""The dashboard's UI language for one request: translations, direction, numbers and dates.

    ui = UiLanguage.get("ur")
    ui.dir, ui.lang                       # ('rtl', 'ur')
    ui.gettext("Sign in")                 # from i18n/locales/ur (the app's own catalogs)
    ui.number(12345), ui.when("2026-03-01T10:00:00.000Z")

The app's :mod:`i18n.translation` and :mod:`i18n.formatting` keep *one* locale per process
(a desktop app has one user). A server answers many coordinators at once, each in their own
language, so each request gets its own :class:`UiLanguage`: the same compiled catalogs
(:func:`i18n.catalogs.mo_path`), the same CLDR data (Babel) and the same native-digit rule
(:func:`i18n.formatting.native_digits_for`), without touching process-wide state.
"""

from __future__ import annotations

import functools
import gettext
from dataclasses import dataclass
from datetime import datetime

from babel import Locale, UnknownLocaleError
from babel.dates import format_datetime
from babel.numbers import format_decimal, format_percent

from app import clock
from i18n import catalogs
from i18n.bidi import format_message, isolate
from i18n.formatting import DIGITS, datetime_pattern, minus_sign, native_digits_for, signed

DEFAULT = catalogs.SOURCE_LOCALE


def choices() -> list[tuple[str, str]]:
    """``(tag, native name)`` of every UI language the switch offers, English first."""
    return [(loc.tag, native_name(loc.tag)) for loc in (catalogs.ENGLISH, *catalogs.SHIPPED)]


@functools.cache
def native_name(tag: str) -> str:
    name = Locale.parse(tag.replace("-", "_")).get_display_name(tag.replace("-", "_")) or tag
    return name[:1].upper() + name[1:]


def normalize(tag: str | None) -> str:
    """A tag the dashboard can use ("ur-PK" -> "ur"); English for anything unknown."""
    if not tag:
        return DEFAULT
    try:
        loc = catalogs.get(tag)
    except ValueError:
        return DEFAULT
    return loc.tag if loc.pseudo or catalogs.is_shipped(loc.tag) else DEFAULT


def negotiate(accept_language: str) -> str:
    """The best shipped UI language for an ``Accept-Language`` header (English otherwise)."""
    wanted = []
    for part in accept_language.split(","):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if tag and tag != "*":
            wanted.append((quality, tag))
    for _quality, tag in sorted(wanted, key=lambda item: -item[0]):
        found = normalize(tag)
        if found != DEFAULT or tag.lower().startswith("en"):
            return found
    return DEFAULT


@dataclass(frozen=True)
class UiLanguage:
    tag: str
    translations: gettext.NullTranslations
    babel: str
    dir: str
    digits: str | None
    system: str

    @classmethod
    @functools.cache
    def get(cls, tag: str) -> UiLanguage:
        """The UI language for ``tag`` (cached: catalogs and CLDR data load once)."""
        tag = normalize(tag)
        loc = catalogs.get(tag)
        translations: gettext.NullTranslations = gettext.NullTranslations()
        path = catalogs.mo_path(tag)
        if path is not None:
            with open(path, "rb") as f:
                translations = gettext.GNUTranslations(f)
        try:
            babel = str(Locale.parse(loc.babel.replace("-", "_")))
        except (UnknownLocaleError, ValueError):
            babel = DEFAULT
        system = native_digits_for(loc.babel) or "latn"
        return cls(tag, translations, babel, Locale.parse(babel).text_direction,
                   DIGITS.get(system), system)

    @property
    def lang(self) -> str:
        """The value for ``<html lang>`` (pseudo-locales name their base language)."""
        return self.babel.replace("_", "-")

    # --- messages (``{name}`` placeholders, values bidi-isolated as in the app) -----------

    def gettext(self, message: str, /, **values: object) -> str:
        text = self.translations.gettext(message)
        return format_message(text, **values) if values else text

    def ngettext(self, singular: str, plural: str, n: int, /, **values: object) -> str:
        text = self.translations.ngettext(singular, plural, n)
        return format_message(text, **values)

    def pgettext(self, context: str, message: str, /) -> str:
        return self.translations.pgettext(context, message)

    # --- numbers and dates -------------------------------------------------------------

    def _native(self, text: str) -> str:
        if not self.digits:
            return text
        return text.translate(str.maketrans("0123456789", self.digits))

    def number(self, value: float | int | None) -> str:
        """``value`` in the locale's pattern, with CLDR's minus sign (Urdu's carries a
        left-to-right mark: "-0.42" never reads "0.42-" in a right-to-left cell)."""
        if value is None:
            return "–"
        return self._native(signed(format_decimal(value, locale=self.babel,
                                                  numbering_system=self.system),
                                   minus_sign(self.tag)))

    def percent(self, ratio: float | None, *, decimals: int = 0) -> str:
        if ratio is None:
            return "–"
        pattern = None if not decimals else "#,##0." + "0" * decimals + "%"
        return self._native(signed(format_percent(ratio, format=pattern, locale=self.babel,
                                                  numbering_system=self.system),
                                   minus_sign(self.tag)))

    def when(self, stamp: str | datetime | None, *, format: str = "medium") -> str:
        """A stored UTC timestamp in the locale's style, in UTC (the server's clock).

        Isolated (FSI … PDI): a date of Latin digits keeps its order inside a right-to-left
        sentence or table cell. The day period is the locale's own word ("صبح", not "AM":
        :func:`i18n.formatting.datetime_pattern`). ``short`` (table cells) still names the
        month: an all-digit date ("12/6/26") reads as a different day across the world."""
        if not stamp:
            return "–"
        value = clock.parse(stamp) if isinstance(stamp, str) else stamp
        pattern = datetime_pattern(self.tag, format,
                                   date_format="medium" if format == "short" else None)
        return isolate(self._native(format_datetime(value, format=pattern, tzinfo=value.tzinfo,
                                                    locale=self.babel)))
