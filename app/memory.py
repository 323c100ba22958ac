"""The translation memory and glossary a device holds (pulled per language pair), read from
the local store.

    units = memory.units(store, "eng_Latn", "urd_Arab")     # [(id, source, target, origin)]
    terms = memory.terms(store, "eng_Latn", "urd_Arab")     # [app.glossary.Term]
    memory.version(store)       # changes whenever a pull brought units or terms

Both arrive by pull (``tm_unit`` and ``term`` records, :mod:`app.syncstate`); nothing here
writes. :class:`app.tm.MemoryIndex` indexes the units for lookup.
"""

from __future__ import annotations

from app.glossary import Term
from app.store import Store

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
