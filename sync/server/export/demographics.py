"""The demographics table beside a dataset: only what contributors chose to tell.

    n = write(conn, author_ids, pseudonym, sink)     # one row per contributor with a profile

Columns as in the Aya Dataset's ``demographics`` config: ``user_id`` (the same pseudonym as
in the rows), ``age_range`` (a list of whole numbers: "25-34" -> [25, 34], "65+" -> [65]),
``gender``, ``country`` (ISO 3166-1 alpha-2), ``languages`` and ``dialects`` (lists). A field
the person left empty is null, never a guess; a contributor who gave nothing has no row.
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
    """Demographics rows of these authors, in pseudonym order within each chunk."""
    ids = sorted(author_ids)
    for start in range(0, len(ids), CHUNK):
        found = conn.execute(sa.select(PROFILES)
                             .where(PROFILES.c.user_id.in_(ids[start:start + CHUNK]))
                             .order_by(PROFILES.c.user_id))
        for profile in found:
            row = {"user_id": pseudonym(profile.user_id),
                   "age_range": age_range(profile.age_range),
                   "gender": profile.gender or None,
                   "country": profile.country or None,
                   "languages": _names(profile.languages),
                   "dialects": _names(profile.dialects)}
            if any(row[key] is not None for key in row if key != "user_id"):
                yield row


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
