"""Numbers, percentages and dates for *display* in the UI locale (Babel/CLDR).

    >>> configure("fa")
    >>> format_number(12345.5), format_percent(0.42)
    ('۱۲٬۳۴۵٫۵', '۴۲%')
    >>> configure("fa", native_digits=False)
    >>> format_number(12345.5)
    '12,345.5'
    >>> configure("fr"); format_integer(1234567)
    '1\u202f234\u202f567'
    >>> configure("ur"); format_number(-0.42)     # CLDR's minus sign: LRM first
    '\u200e-0.42'

Display only: stored data, files and the wire keep plain ASCII digits and ISO 8601 dates;
never parse what this module returns.

Native digits: CLDR names a default numbering system per locale (``Locale(...).
default_numbering_system``: Persian "arabext", Bengali "beng", Burmese "mymr", Arabic in
Egypt "arab"; Arabic without a region, Urdu and Hindi default to "latn") and the locale's own
digits (its "native" system: Urdu "arabext", Hindi "deva", Arabic "arab"). Babel uses the
system's separators but still prints ASCII digits, so :func:`native` substitutes them from
:data:`DIGITS` (CLDR numberingSystems.xml). ``native_digits`` (a user setting) chooses: None
follows CLDR's default, True the locale's own digits, False ASCII digits ("latn")
throughout.

Signs: Babel prints a plain "-"; CLDR's minus sign of a right-to-left locale carries a
direction mark (Urdu "\u200e-", Arabic digits "\u061c-") so that "-0.42" does not read "0.42-"
in a right-to-left line. :func:`format_number` and :func:`format_percent` use CLDR's.

Times: CLDR gives some locales written in another script "AM"/"PM" as their day periods
(Urdu, Bengali, Tamil); :func:`datetime_pattern` uses their flexible day periods instead
("10:00 صبح", "সকাল 10:00"), in their own words. Locales with their own markers (Arabic "ص",
Amharic) or a 24-hour clock (Persian, Hebrew) keep CLDR's pattern.
"""

from __future__ import annotations

import datetime as _dt
import functools
from dataclasses import dataclass

__all__ = [
    "DIGITS",
    "configure",
    "datetime_pattern",
    "format_date",
    "format_datetime",
    "format_integer",
    "format_number",
    "format_percent",
    "minus_sign",
    "native",
    "native_digits_for",
    "native_system_for",
    "uses_native_digits",
]

#: Decimal digits of the numbering systems our locales default to (CLDR numberingSystems).
DIGITS: dict[str, str] = {
    "arab": "٠١٢٣٤٥٦٧٨٩",
    "arabext": "۰۱۲۳۴۵۶۷۸۹",
    "beng": "০১২৩৪৫৬৭৮৯",
    "deva": "०१२३४५६७८९",
    "mymr": "၀၁၂၃၄၅၆၇၈၉",
    "tamldec": "௦௧௨௩௪௫௬௭௮௯",
    "thai": "๐๑๒๓๔๕๖๗๘๙",
    "khmr": "០១២៣៤៥៦៧៨៩",
    "laoo": "໐໑໒໓໔໕໖໗໘໙",
    "tibt": "༠༡༢༣༤༥༦༧༨༩",
}


@dataclass(frozen=True)
class _Settings:
    tag: str = "en"
    native_digits: bool | None = None  # None: CLDR's default

    @functools.cached_property
    def locale(self) -> str:
        return str(_babel_locale(self.tag))

    @functools.cached_property
    def system(self) -> str:
        if self.native_digits is None:
            return native_digits_for(self.tag) or "latn"
        return (native_system_for(self.tag) if self.native_digits else None) or "latn"

    @functools.cached_property
    def minus(self) -> str:
        from babel.numbers import get_minus_sign_symbol

        return get_minus_sign_symbol(self.locale, numbering_system=self.system)


_current = _Settings()


def _babel_locale(tag: str):
    """Babel's locale for a UI tag; English's where Babel has no data for it (the installed
    app ships CLDR data for the shipped languages only; a language its users translate
    formats numbers and dates as English does, in ASCII digits)."""
    from babel import Locale, UnknownLocaleError

    base = {"en-XA": "en", "ar-XB": "ar"}.get(tag, tag)
    try:
        return Locale.parse(base.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return Locale.parse("en")


def native_digits_for(tag: str) -> str | None:
    """The CLDR default numbering system of ``tag`` when it has its own digits, else None."""
    system = _babel_locale(tag).default_numbering_system
    return system if system in DIGITS else None


def native_system_for(tag: str) -> str | None:
    """The numbering system of ``tag``'s own digits (CLDR's default when it has its own,
    else its "native" system: Urdu "arabext", Hindi "deva"), or None when it has none
    (English, Hebrew, Amharic)."""
    locale = _babel_locale(tag)
    for system in (locale.default_numbering_system,
                   locale.other_numbering_systems.get("native")):
        if system in DIGITS:
            return system
    return None


def uses_native_digits(tag: str, native_digits: bool | None) -> bool:
    """Whether numbers in ``tag`` show its own digits under the setting ``native_digits``
    (None: CLDR's default)."""
    return _Settings(tag, native_digits).system != "latn"


def configure(tag: str, *, native_digits: bool | None = None) -> None:
    """Format for UI locale ``tag`` from now on (ui/ui_locale.py calls this); ``native_digits``
    None follows CLDR, True shows the locale's own digits, False ASCII ones. Cheap: Babel's
    locale data is loaded when the first value is formatted, not at start-up."""
    global _current
    _current = _Settings(tag, native_digits)


@functools.cache
def minus_sign(tag: str) -> str:
    """CLDR's minus sign for UI locale ``tag`` in its default digits (Urdu "\u200e-")."""
    return _Settings(tag).minus


def signed(text: str, minus: str) -> str:
    """Babel's ASCII minus at the start of ``text`` replaced by ``minus``."""
    return minus + text[1:] if text.startswith("-") else text


@functools.cache
def datetime_pattern(tag: str, format: str = "medium", date_format: str | None = None) -> str:
    """The CLDR date-and-time pattern of ``tag``, with the flexible day periods ("B") where
    the locale's "a" is Latin "AM"/"PM" but the locale is written in another script.
    ``date_format``: the date's own length when it differs from the time's ("medium" names
    the month: "Dec 6, 2026, 10:05 PM" where "short" writes "12/6/26, 10:05 PM")."""
    from babel.core import get_global

    locale = _babel_locale(tag)
    time = locale.time_formats[format].pattern
    marker = locale.day_periods["format"]["abbreviated"].get("am", "")
    likely = get_global("likely_subtags").get(locale.language, "")
    script = locale.script or (likely.split("_")[1] if likely.count("_") >= 1 else "Latn")
    if "a" in time and marker.isascii() and script != "Latn":
        skeleton = "Bhms" if "s" in time else "Bhm"
        flexible = locale.datetime_skeletons.get(skeleton)
        if flexible is not None:
            time = flexible.pattern
    date = locale.date_formats[date_format or format].pattern
    return locale.datetime_formats[format].replace("{1}", date).replace("{0}", time)


def native(text: str) -> str:
    """``text`` with ASCII digits replaced by the configured locale's own, when it has any."""
    digits = DIGITS.get(_current.system)
    if not digits:
        return text
    return text.translate(str.maketrans("0123456789", digits))


def _signed(text: str) -> str:
    """Babel's ASCII minus replaced by the locale's (CLDR) minus sign."""
    return signed(text, _current.minus)


def format_number(value: float | int, *, decimals: int | None = None) -> str:
    """``value`` in the locale's pattern; ``decimals`` fixes the digits after the decimal
    separator (``format_number(4, decimals=2)`` -> "4.00")."""
    from babel.numbers import format_decimal

    pattern = None if decimals is None else "#,##0" + ("." + "0" * decimals if decimals else "")
    return native(_signed(format_decimal(value, format=pattern, locale=_current.locale,
                                         numbering_system=_current.system)))


def format_integer(value: int) -> str:
    if _current.tag == "en" and not _current.native_digits:
        # English, the source locale: CLDR's pattern (#,##0, minus "-") is Python's own
        # grouping, and the first window need not load Babel for its counts (a tenth of a
        # second of bench/ui.py's first paint).
        return f"{int(value):,}"
    return format_number(int(value))


def format_percent(ratio: float, *, decimals: int = 0) -> str:
    """``0.42`` -> "42%" in the locale's pattern (Persian "۴۲%", French "42 %")."""
    from babel.numbers import format_percent as _percent

    pattern = None if not decimals else "#,##0." + "0" * decimals + "%"
    return native(_signed(_percent(ratio, format=pattern, locale=_current.locale,
                                   numbering_system=_current.system)))


def format_date(value: _dt.date, *, format: str = "medium") -> str:
    from babel.dates import format_date as _date

    return native(_date(value, format=format, locale=_current.locale))


def format_datetime(value: _dt.datetime, *, format: str = "medium") -> str:
    """A timestamp in the locale's style (aware values are shown in local time)."""
    from babel.dates import format_datetime as _datetime

    if value.tzinfo is not None:
        value = value.astimezone()
    if format in ("short", "medium", "long", "full"):
        format = datetime_pattern(_current.tag, format)
    return native(_datetime(value, format=format, locale=_current.locale))
