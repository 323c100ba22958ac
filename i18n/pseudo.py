"""Pseudo-locales, generated from ``qalam.pot`` when the catalogs are compiled.

    >>> accented("&Save {count} items")
    '[&Šåṽé {count} îţéɱš ~~~~~]'
    >>> mirrored("Save") == "\\u202eSave\\u202c"
    True

``en-XA`` ("accented") shows at a glance which strings reach the screen without ``_()`` (they
stay plain ASCII), which widgets clip longer translations (each string grows by ~40% and is
bracketed, so a cut-off end is visible) and which code concatenates sentences. ``ar-XB``
("mirrored") lays the whole UI out right to left, each run of text forced right to left with
RLO...PDF so it reads mirrored, without needing to read Arabic. Placeholders (``{name}``,
``%1``, ``%n``), accelerators (``&``), HTML tags and the tab before a shortcut stay intact.
"""

from __future__ import annotations

import math
import re

__all__ = ["accented", "catalog", "mirrored"]

_ACCENTS = str.maketrans(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "åƀçðéƒĝĥîĵķļɱñöþǫŕšţûṽŵẋýžÅƁÇÐÉƑĜĤÎĴĶĻṀÑÖÞǪŔŠŢÛṼŴẊÝŽ",
)
# Things a translation must keep byte for byte.
_PROTECTED = re.compile(r"\{[^{}]*\}|%(?:\d+|n|L\d+|[sdif%])|<[^>]+>|&&|&(?=\w)|\t.*$|\n")
# Mirrored runs keep "&" inside, next to its letter, or the mnemonic would be on the RLO.
_PROTECTED_MIRRORED = re.compile(r"\{[^{}]*\}|%(?:\d+|n|L\d+|[sdif%])|<[^>]+>|\t.*$|\n")
RLO, PDF = "\u202e", "\u202c"
EXPANSION = 0.4


def _split(text: str, protected: re.Pattern = _PROTECTED) -> list[tuple[bool, str]]:
    """[(is_protected, chunk), ...] covering ``text``."""
    parts: list[tuple[bool, str]] = []
    pos = 0
    for match in protected.finditer(text):
        if match.start() > pos:
            parts.append((False, text[pos : match.start()]))
        parts.append((True, match.group()))
        pos = match.end()
    if pos < len(text):
        parts.append((False, text[pos:]))
    return parts


def accented(text: str) -> str:
    """en-XA: accented letters, padded by ~40% with "~", in brackets (shortcut tail outside)."""
    if not text:
        return text
    body, tab, shortcut = text.partition("\t")
    out = "".join(chunk if protected else chunk.translate(_ACCENTS)
                  for protected, chunk in _split(body))
    padding = max(1, math.ceil(len(body) * EXPANSION) - 3)  # the brackets and space count
    return f"[{out} {'~' * padding}]" + tab + shortcut


def mirrored(text: str) -> str:
    """ar-XB: every run of plain text forced right to left (RLO ... PDF)."""
    if not text:
        return text
    return "".join(
        chunk if protected or not chunk.strip() else f"{RLO}{chunk}{PDF}"
        for protected, chunk in _split(text, _PROTECTED_MIRRORED)
    )


def catalog(tag: str, template):
    """A Babel catalog for pseudo-locale ``tag`` ("en-XA" or "ar-XB") from the ``.pot``."""
    from babel.messages.catalog import Catalog

    from i18n import plurals

    transform = {"en-XA": accented, "ar-XB": mirrored}[tag]
    base = {"en-XA": "en", "ar-XB": "ar"}[tag]
    result = Catalog(locale=base, domain=template.domain, project="Qalam", fuzzy=False)
    result.mime_headers = [
        ("Language", tag.replace("-", "_")),
        ("MIME-Version", "1.0"),
        ("Content-Type", "text/plain; charset=utf-8"),
        ("Content-Transfer-Encoding", "8bit"),
        ("Plural-Forms", plurals.PLURAL_FORMS[base]),
        ("X-Review-Status", "generated pseudo-locale, not for review"),
    ]
    examples = plurals.example_counts(base)  # one count per plural form
    for message in template:
        if not message.id:
            continue
        if isinstance(message.id, tuple):
            singular, plural = message.id
            strings = tuple(transform(singular if n == 1 else plural) for n in examples)
            result.add(message.id, strings, context=message.context)
        else:
            result.add(message.id, transform(message.id), context=message.context)
    return result
