"""A project's terms in a segment: where its source terms occur, and whether the target has
their translation.

    terms = [Term("t1", "hand washing", "kunawa mikono")]
    hits = find_terms("Hand washing saves lives.", terms)   # [TermHit(term, start=0, end=12)]
    missing_terms(hits, "Kuosha mikono huokoa maisha.")     # [Term('t1', ...)]: not used

Matching is case-insensitive and whole-word where the script separates words with spaces
(a term does not match inside a longer word); in scripts written without spaces (Thai, CJK)
any occurrence counts. Longer terms win where two overlap ("hand washing" over "hand").
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Term:
    id: str
    source: str
    target: str
    note: str = ""


@dataclass(frozen=True, slots=True)
class TermHit:
    term: Term
    start: int   # character offsets in the source text
    end: int


def _fold(text: str) -> str:
    # casefold can change lengths (ß -> ss); lower() keeps offsets for almost every script.
    return unicodedata.normalize("NFC", text).lower()


def _word_character(ch: str) -> bool:
    return ch.isalnum() or unicodedata.category(ch) in ("Mn", "Mc", "Pc")


def _spaced(text: str) -> bool:
    """Does the term's script put spaces between words? (Thai, Lao, Khmer, Myanmar, CJK
    do not: a boundary check would never match there.)"""
    for ch in text:
        if ch.isalpha():
            name = unicodedata.name(ch, "")
            return not name.startswith(("THAI", "LAO", "KHMER", "MYANMAR", "CJK", "HIRAGANA",
                                        "KATAKANA", "HANGUL", "TIBETAN"))
    return True


def find_terms(source: str, terms: Iterable[Term]) -> list[TermHit]:
    """Where each term's source occurs in ``source``, left to right, without overlaps."""
    folded = _fold(source)
    hits: list[TermHit] = []
    for term in terms:
        needle = _fold(term.source).strip()
        if not needle:
            continue
        start = folded.find(needle)
        while start >= 0:
            end = start + len(needle)
            if not _spaced(needle) or (
                    (start == 0 or not _word_character(folded[start - 1]))
                    and (end == len(folded) or not _word_character(folded[end]))):
                hits.append(TermHit(term, start, end))
            start = folded.find(needle, start + 1)
    hits.sort(key=lambda hit: (hit.start, -(hit.end - hit.start)))
    kept: list[TermHit] = []
    for hit in hits:
        if not kept or hit.start >= kept[-1].end:
            kept.append(hit)
    return kept


def missing_terms(hits: Iterable[TermHit], target: str) -> list[Term]:
    """Terms found in the source whose translation the target does not contain (each once).
    A term without a target translation is never missing."""
    folded = _fold(target)
    missing: dict[str, Term] = {}
    for hit in hits:
        wanted = _fold(hit.term.target).strip()
        if wanted and wanted not in folded:
            missing.setdefault(hit.term.id, hit.term)
    return list(missing.values())
