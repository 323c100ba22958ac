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

A whole label has a direction too. Qt lays out a plain-text QLabel in the direction of its
first strong letter, so an Urdu label that starts with a Latin name ("Aya اسکور (…):") is laid
out left to right, with its colon and brackets in the wrong places. :func:`in_direction` puts
the interface's direction mark first:

    >>> in_direction("Aya اسکور:", rtl=True)
    '\u200fAya اسکور:'
"""

from __future__ import annotations

__all__ = ["FSI", "LRM", "PDI", "RLM", "format_message", "in_direction", "isolate",
           "strip_isolates"]

FSI, PDI = "\u2068", "\u2069"
LRM, RLM = "\u200e", "\u200f"


def isolate(value: object) -> str:
    """``str(value)`` wrapped in FSI ... PDI."""
    return f"{FSI}{value}{PDI}"


def format_message(template: str, /, **values: object) -> str:
    """``template.format(**values)`` with every value isolated (use with a translated
    template: ``format_message(_("Welcome, {name}."), name=name)``)."""
    return template.format(**{key: isolate(value) for key, value in values.items()})


def in_direction(text: str, *, rtl: bool) -> str:
    """``text`` as a paragraph of the given direction whatever letter it starts with: a
    RIGHT-TO-LEFT MARK (or LEFT-TO-RIGHT MARK) first, invisible, strong, and ignored by
    search and copy alike."""
    if text[:1] in (LRM, RLM):
        text = text[1:]
    return (RLM if rtl else LRM) + text


def strip_isolates(text: str) -> str:
    """``text`` without FSI/PDI (for comparisons and copying to plain-text targets)."""
    return text.replace(FSI, "").replace(PDI, "")
