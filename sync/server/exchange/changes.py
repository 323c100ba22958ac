"""Changes the server makes to records itself, written so that every device that may see
them pulls them.

    seqs = Sequence(conn)                          # the write lock first, then read the row
    revision = change_record(conn, seqs, SUBMISSIONS, submission_id, now=now,
                             state="accepted", payload=freeze(payload))
    change_records(conn, seqs, TASKS, [(task_id, {"payload": ..., "deleted": False})], now=now)
    resequence(conn, seqs, TASKS, leased_ids)      # newly visible to someone; content unchanged
    seqs.save()

Devices pull records by change number (``server_seq``) and leave out their own writes
(``changed_by``, see :mod:`.pull`). A change of a record's content made on the server (a
decision, a relabel, new settings, a task imported again, a review task withdrawn) therefore
takes, together with its new values:

* the next revision: an edit based on the revision before then conflicts instead of
  overwriting the server's change;
* the next change number: a cursor already past the old one finds it;
* ``changed_by`` cleared, on the tables that have it: the device that pushed the version
  before gets this one too;
* ``updated_at``: when it happened.

Forgetting one of them means some device never pulls the change, so every such write goes
through :func:`change_records`. A record that only becomes visible to someone new (a lease,
a request to review) keeps its revision and content and takes just a new change number
(:func:`resequence`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from sync.server.db import Sequence

# Columns this module writes itself: a caller's values may not set them.
OWN_COLUMNS = frozenset({"id", "revision", "server_seq", "updated_at", "changed_by"})


def change_record(conn: Connection, seqs: Sequence, table: sa.Table, record_id: str, *,
                  now: str, **values) -> int:
    """Change one record on the server (see the module docstring); returns its new revision.

    ``values`` are the columns that change (``payload``, ``state``, ``deleted``, …). Raises
    :class:`sqlalchemy.exc.NoResultFound` when there is no such record.
    """
    _check(values)
    statement = (table.update().where(table.c.id == record_id)
                 .values({**_bookkeeping(table, now), "server_seq": seqs.next(), **values})
                 .returning(table.c.revision))
    return conn.execute(statement).scalar_one()


def change_records(conn: Connection, seqs: Sequence, table: sa.Table,
                   changes: Iterable[tuple[str, Mapping]], *, now: str) -> None:
    """Change many records on the server, each ``(id, values)`` as :func:`change_record`
    does, with one executemany per set of changed columns. Change numbers are taken in the
    order given."""
    groups: dict[tuple[str, ...], list[dict]] = {}
    for record_id, values in changes:
        _check(values)
        names = tuple(values)
        groups.setdefault(names, []).append(
            {"key": record_id, "seq": seqs.next(),
             **{f"new_{name}": value for name, value in values.items()}})
    for names, rows in groups.items():
        statement = table.update().where(table.c.id == sa.bindparam("key")).values(
            {**_bookkeeping(table, now), "server_seq": sa.bindparam("seq"),
             **{name: sa.bindparam(f"new_{name}") for name in names}})
        conn.execute(statement, rows)


def resequence(conn: Connection, seqs: Sequence, table: sa.Table, ids: Iterable[str], *,
               clear_changed_by: bool = False) -> None:
    """A new change number for each record, in the order given: they became visible to
    someone whose cursor may be past their old one. Content and revision stay as they are.
    ``clear_changed_by`` sends them to the device that pushed them last as well."""
    rows = [{"key": record_id, "seq": seqs.next()} for record_id in ids]
    if not rows:
        return
    extra = {"changed_by": None} if clear_changed_by else {}
    conn.execute(table.update().where(table.c.id == sa.bindparam("key"))
                 .values(server_seq=sa.bindparam("seq"), **extra), rows)


def _bookkeeping(table: sa.Table, now: str) -> dict:
    columns = {"revision": table.c.revision + 1, "updated_at": now}
    if "changed_by" in table.c:
        columns["changed_by"] = None
    return columns


def _check(values: Mapping) -> None:
    taken = OWN_COLUMNS.intersection(values)
    if taken:
        raise ValueError(f"change_record sets {', '.join(sorted(taken))} itself.")
