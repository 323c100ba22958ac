"""The demographics table beside a dataset: only what contributors chose to tell.

    n = write(conn, author_ids, pseudonym, sink)     # one row per contributor

Columns as in the Aya Dataset's ``demographics`` config: ``user_id`` (the same pseudonym as
in the rows), ``age_range`` (a list of whole numbers: "25-34" -> [25, 34], "65+" -> [65]),
``gender``, ``country`` (ISO 3166-1 alpha-2), ``languages`` and ``dialects`` (lists). A field
the person left empty is null, never a guess; a contributor who gave nothing has a row of
nulls (their pseudonym is in the rows already), so the table is never empty beside rows and
always loads (`datasets` has no empty tables).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from sync.server import tables

PROFILES = tables.profiles
CHUNK = 500
FEATURES = {"user_id": "string", "age_range": "sequence: int64", "gender": "string",
            "country": "string", "languages": "sequence: string",
            "dialects": "sequence: string"}


def schema():
    import pyarrow as pa

    return pa.schema([("user_id", pa.string()), ("age_range", pa.list_(pa.int64())),
                      ("gender", pa.string()), ("country", pa.string()),
                      ("languages", pa.list_(pa.string())), ("dialects", pa.list_(pa.string()))])


def rows(conn: Connection, author_ids: Iterable[str], pseudonym):
    """One demographics row per author, in id order (nulls for what they did not tell)."""
    ids = sorted(author_ids)
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        found = {profile.user_id: profile for profile in conn.execute(
            sa.select(PROFILES).where(PROFILES.c.user_id.in_(chunk)))}
        for user_id in chunk:
            profile = found.get(user_id)
            yield {"user_id": pseudonym(user_id),
                   "age_range": age_range(profile.age_range) if profile else None,
                   "gender": (profile.gender or None) if profile else None,
                   "country": (profile.country or None) if profile else None,
                   "languages": _names(profile.languages) if profile else None,
                   "dialects": _names(profile.dialects) if profile else None}


def write(conn: Connection, author_ids: Iterable[str], pseudonym, sink) -> int:
    try:
        for row in rows(conn, author_ids, pseudonym):
            sink.write(row)
    finally:
        sink.close()
    return sink.rows


def age_range(text: str | None) -> list[int] | None:
    """The bounds a person gave ("25-34", "25–34", "65+", "40"), as whole numbers."""
    if not text:
        return None
    numbers = [int(n) for n in re.findall(r"\d+", text)]
    return numbers or None


def _names(stored: str | None) -> list[str] | None:
    try:
        values = json.loads(stored or "[]")
    except ValueError:
        return None
    names = [v for v in values if isinstance(v, str) and v] if isinstance(values, list) else []
    return names or None
