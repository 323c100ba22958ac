"""Reading records for figures, on SQLite and PostgreSQL alike: payload fields in SQL, the day
work was done, and whose work counts.

    flag = payload_field(conn, REVIEWS.c.payload, "flag")      # text, NULL when absent
    fields = PayloadFields(conn, ["flag", "reason"])            # several, parsed once per row
    query.where(unblocked(SUBMISSIONS.c.author_id))             # leave out blocked users' work

Reviewers' 1–5 ratings are the reviews' ``rating_inputs`` and ``rating_targets`` (the prompt
and the completion, each judged "is the edit an improvement?"). Every figure leaves a blocked
contributor's work out through :func:`unblocked`, so unblocking restores it.
"""

from __future__ import annotations

import math

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Connection

from sync.server import tables
from sync.server.db import is_sqlite

USERS = tables.users
RATING_FIELDS = ("rating_inputs", "rating_targets")
RATING_VALUES = (1, 2, 3, 4, 5)


def payload_field(conn: Connection, column, key: str):
    """A top-level field of a JSON ``payload`` column, as text (NULL when absent or null).

    Both backends answer text, so callers compare with strings and parse numbers themselves:
    a device's payload is only checked for the fields the server relies on.
    """
    if is_sqlite(conn):
        return sa.cast(sa.func.json_extract(column, f"$.{key}"), sa.Text)
    return sa.func.jsonb_extract_path_text(sa.cast(column, postgresql.JSONB), key)


def payload_number(conn: Connection, column, key: str):
    """A top-level numeric field of a JSON ``payload`` column; NULL when absent or not a
    number (so a device's odd value never fails a query)."""
    if is_sqlite(conn):
        path = f"$.{key}"
        return sa.case((sa.func.json_type(column, path).in_(("integer", "real")),
                        sa.cast(sa.func.json_extract(column, path), sa.Float)))
    value = sa.cast(column, postgresql.JSONB)[key]
    return sa.case((sa.func.jsonb_typeof(value) == "number", value.astext.cast(sa.Float)))


class PayloadFields:
    """Several top-level fields of a payload, parsed once per row (parsing dominates a scan).

        fields = PayloadFields(conn, ["flag", "reason"])
        src = sa.select(REVIEWS.c.id, fields.packed(REVIEWS.c.payload)).cte("src").prefix_with(
            "MATERIALIZED")
        sa.select(src.c.id, fields.text(src.c.fields, "flag"))

    ``packed`` is a JSON array of just those fields on SQLite, the parsed JSONB on PostgreSQL;
    ``text`` and ``number`` read one field back from it, as :func:`payload_field` and
    :func:`payload_number` do.
    """

    def __init__(self, conn: Connection, keys: list[str]):
        self.sqlite = is_sqlite(conn)
        self.index = {key: i for i, key in enumerate(keys)}

    def packed(self, column, name: str = "fields"):
        if self.sqlite:  # two or more paths: an array, even for one key
            paths = [f"$.{key}" for key in self.index] + ["$.id"]
            return sa.func.json_extract(column, *paths).label(name)
        return sa.cast(column, postgresql.JSONB).label(name)

    def text(self, packed, key: str):
        if self.sqlite:
            return sa.cast(sa.func.json_extract(packed, f"$[{self.index[key]}]"), sa.Text)
        return packed[key].astext

    def number(self, packed, key: str):
        if self.sqlite:
            path = f"$[{self.index[key]}]"
            return sa.case((sa.func.json_type(packed, path).in_(("integer", "real")),
                            sa.cast(sa.func.json_extract(packed, path), sa.Float)))
        value = packed[key]
        return sa.case((sa.func.jsonb_typeof(value) == "number", value.astext.cast(sa.Float)))


def day_done(conn: Connection, device_stamp, server_stamp):
    """The UTC date (``YYYY-MM-DD``) a piece of work was done: the device's stamp when it is
    one of ``app.clock``'s and not later than the server's last change, else the server's."""
    canonical = sa.and_(device_stamp.like("____-__-__T__:__:__.___Z"),
                        device_stamp <= server_stamp)
    return sa.func.substr(sa.case((canonical, device_stamp), else_=server_stamp), 1, 10)


def unblocked(user_id_column) -> sa.ColumnElement:
    """The condition that a record's user is not blocked (for leaderboards, samples, figures).

    Written as "not among the blocked" (a handful of ids): "among the unblocked" leads the
    databases to walk the rows by their user index, every row of every user, even when the
    query asks for a few rows by id."""
    # "> ''" rather than IS NOT NULL (a stamp is never empty): SQLite then reads the index.
    return user_id_column.not_in(sa.select(USERS.c.id).where(USERS.c.blocked_at > ""))


def number(text) -> float | None:
    """A number read from a payload field (text or a number), None when it is none."""
    if text is None or isinstance(text, bool):
        return None
    try:
        value = float(text)
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None
