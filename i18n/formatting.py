"""Numbers, percentages and dates for *display* in the UI locale (Babel/CLDR).

    >>> configure("fa")
    >>> format_number(12345.5), format_percent(0.42)
    ('۱۲٬۳۴۵٫۵', '۴۲%')
    >>> configure("fa", native_digits=False)
    >>> format_number(12345.5)
    '12,345.5'
    >>> configure("fr"); format_integer(1234567)
    '1\u202f234\u202f567'

Display only: stored data, files and the wire keep plain ASCII digits and ISO 8601 dates;
never parse what this module returns.

Native digits: CLDR names a default numbering system per locale (``Locale(...).
default_numbering_system``: Persian "arabext", Bengali "beng", Burmese "mymr", Arabic in
Egypt "arab"; Arabic without a region, Urdu and Hindi default to "latn"). Babel then uses that
system's separators but still prints ASCII digits, so :func:`native` substitutes them from
:data:`DIGITS` (CLDR numberingSystems.xml). With ``native_digits=False`` (a user setting) the
"latn" system is used throughout: ASCII digits with its separators.
"""

from __future__ import annotations

import datetime as _dt
import functools
from dataclasses import dataclass

__all__ = [
    "DIGITS",
    "configure",
    "format_date",
    "format_datetime",
    "format_integer",
    "format_number",
    "format_percent",
    "native",
    "native_digits_for",
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
    native_digits: bool = True

    @functools.cached_property
    def locale(self) -> str:
        return str(_babel_locale(self.tag))

    @functools.cached_property
    def system(self) -> str:
        return (native_digits_for(self.tag) if self.native_digits else None) or "latn"


_current = _Settings()


def _babel_locale(tag: str):
    from babel import Locale

    base = {"en-XA": "en", "ar-XB": "ar"}.get(tag, tag)
    return Locale.parse(base.replace("-", "_"))


def native_digits_for(tag: str) -> str | None:
    """The CLDR default numbering system of ``tag`` when it has its own digits, else None."""
    system = _babel_locale(tag).default_numbering_system
    return system if system in DIGITS else None


def configure(tag: str, *, native_digits: bool = True) -> None:
    """Format for UI locale ``tag`` from now on (ui/ui_locale.py calls this). Cheap: Babel's
    locale data is loaded when the first value is formatted, not at start-up."""
    global _current
    _current = _Settings(tag, native_digits)


def native(text: str) -> str:
    """``text`` with ASCII digits replaced by the configured locale's own, when it has any."""
    digits = DIGITS.get(_current.system)
    if not digits:
        return text
    return text.translate(str.maketrans("0123456789", digits))


def format_number(value: float | int) -> str:
    from babel.numbers import format_decimal

    return native(format_decimal(value, locale=_current.locale, numbering_system=_current.system))


def format_integer(value: int) -> str:
    return format_number(int(value))


def format_percent(ratio: float, *, decimals: int = 0) -> str:
    """``0.42`` -> "42%" in the locale's pattern (Persian "۴۲%", French "42 %")."""
    from babel.numbers import format_percent as _percent

    pattern = None if not decimals else "#,##0." + "0" * decimals + "%"
    return native(_percent(ratio, format=pattern, locale=_current.locale,
                           numbering_system=_current.system))


def format_date(value: _dt.date, *, format: str = "medium") -> str:
    from babel.dates import format_date as _date

    return native(_date(value, format=format, locale=_current.locale))


def format_datetime(value: _dt.datetime, *, format: str = "medium") -> str:
    """A timestamp in the locale's style (aware values are shown in local time)."""
    from babel.dates import format_datetime as _datetime

    if value.tzinfo is not None:
        value = value.astimezone()
    return native(_datetime(value, format=format, locale=_current.locale))
