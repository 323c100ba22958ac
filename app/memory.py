"""The translation memory and glossary a device holds (pulled per language pair), read from
the local store.

    units = memory.units(store, "eng_Latn", "urd_Arab")     # [(id, source, target, origin)]
    terms = memory.terms(store, "eng_Latn", "urd_Arab")     # [app.glossary.Term]
    memory.version(store)       # changes whenever a pull brought units or terms
    help = memory.segment_help(store, source_language=..., target_language=..., source=...,
                               target=..., dismissed=[...])   # matches, terms, QA issues

Both arrive by pull (``tm_unit`` and ``term`` records, :mod:`app.syncstate`); nothing here
writes. :class:`app.tm.MemoryIndex` indexes the units for lookup, once per pair until the
memory changes (:func:`pair_memory`, a process-wide cache: reader threads share it).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

from app import qa
from app.glossary import Term, TermHit, find_terms
from app.qa import Issue
from app.store import Store

if TYPE_CHECKING:  # numpy, which the index needs, costs a start ~0.2 s: imported on first use
    from app.tm import Match, MemoryIndex

VERSION_KEY = "memory_version"


def units(store: Store, source_language: str, target_language: str) -> list[tuple]:
    rows = store.db.execute(
        "SELECT id, source, target, origin FROM tm_units "
        "WHERE source_language = ? AND target_language = ? ORDER BY id",
        [source_language, target_language])
    return [tuple(row) for row in rows]


def terms(store: Store, source_language: str, target_language: str) -> list[Term]:
    rows = store.db.execute(
        "SELECT id, source_term, target_term, note FROM glossary_terms "
        "WHERE source_language = ? AND target_language = ? ORDER BY length(source_term) DESC, id",
        [source_language, target_language])
    return [Term(*row) for row in rows]


def version(store: Store) -> str:
    row = store.db.execute("SELECT value FROM meta WHERE key = ?", [VERSION_KEY]).fetchone()
    return row[0] if row else "0"


def bump_version(store: Store) -> None:
    """Inside the caller's transaction: the memory changed, indexes built before are stale."""
    store.db.execute(
        "INSERT INTO meta (key, value) VALUES (?, '1') ON CONFLICT (key) "
        "DO UPDATE SET value = CAST(value AS INTEGER) + 1", [VERSION_KEY])


# --- lookup, cached per language pair --------------------------------------------------------

@dataclass
class PairMemory:
    """One language pair's memory, indexed, and its glossary: built once, kept until a pull
    changes the memory (:func:`version`)."""

    version: str
    index: MemoryIndex
    terms: list[Term]


_cache: dict[tuple[str, str, str], PairMemory] = {}
_lock = threading.Lock()


def pair_memory(store: Store, source_language: str, target_language: str) -> PairMemory:
    """The pair's memory and glossary, from the cache unless the store's memory changed.
    Call it off the UI thread: the first call for a pair builds the index (about a second
    per 100,000 units)."""
    key = (str(store.path), source_language, target_language)
    current = version(store)
    with _lock:
        cached = _cache.get(key)
        if cached is not None and cached.version == current:
            return cached
    from app.tm import MemoryIndex

    built = PairMemory(current, MemoryIndex(units(store, source_language, target_language)),
                       terms(store, source_language, target_language))
    with _lock:
        _cache[key] = built
    return built


@dataclass(frozen=True)
class SegmentHelp:
    """What the Post-edit screen shows beside one segment."""

    matches: list[Match]
    hits: list[TermHit]
    issues: list[Issue]


def segment_help(store: Store, *, source_language: str, target_language: str, source: str,
                 target: str, dismissed: list[str] = (), matches: bool = True) -> SegmentHelp:
    """Memory matches (``matches=False``: skip them, the source did not change), glossary
    terms found in the source, and the QA issues of the target not dismissed."""
    pair = pair_memory(store, source_language, target_language)
    hits = find_terms(source, pair.terms)
    found = pair.index.lookup(source) if matches else []
    issues = qa.visible(qa.check_segment(source, target, terms=hits), dismissed)
    return SegmentHelp(found, hits, issues)
