"""Bidi isolation for values inserted into translated sentences.

    >>> format_message("Writing in {language}", language="اردو")
    'Writing in \u2068اردو\u2069'

A name, number or language name dropped into a sentence of the other direction reorders
its neighbours ("{count} items" in Arabic with a Latin file name next to it). Wrapping each
value in FIRST STRONG ISOLATE ... POP DIRECTIONAL ISOLATE (U+2068 ... U+2069, Unicode bidi
algorithm since 6.3, supported by Qt's text layout) lets the value take its own direction
without affecting the sentence. Every value goes through :func:`isolate`; the marks are
invisible (default-ignorable code points, not drawn: tests/test_i18n_bidi.py renders them
with the bundled fonts under the offscreen platform).
"""

from __future__ import annotations

__all__ = ["FSI", "PDI", "format_message", "isolate", "strip_isolates"]

FSI, PDI = "\u2068", "\u2069"


def isolate(value: object) -> str:
    """``str(value)`` wrapped in FSI ... PDI."""
    return f"{FSI}{value}{PDI}"


def format_message(template: str, /, **values: object) -> str:
    """``template.format(**values)`` with every value isolated (use with a translated
    template: ``format_message(_("Welcome, {name}."), name=name)``)."""
    return template.format(**{key: isolate(value) for key, value in values.items()})


def strip_isolates(text: str) -> str:
    """``text`` without FSI/PDI (for comparisons and copying to plain-text targets)."""
    return text.replace(FSI, "").replace(PDI, "")
