"""Fixed-window counters of failed attempts (wrong enrollment codes, wrong passwords), kept in
the database so every server process sees the same count.

Two ways to use a limit, depending on whether the check can run inside a write transaction.

Enrollment checks its code in the database, so the limit is read, and a failure recorded, in
the same write transaction (:meth:`FailureLimit.wait` then :meth:`FailureLimit.fail`). Only
failures count: fifty devices in a training room enrolling at once from one address never
touch the counter, while the row lock taken by ``wait`` serializes a burst of wrong codes
from one address, so none slips past the limit::

    def work(conn):
        if (seconds := limit.wait(conn, key)) is not None:
            return refuse(retry_after=seconds)
        if not code_is_right(conn):
            limit.fail(conn, key)         # committed with the transaction
            return refuse(wrong_code)
        ...

Dashboard sign-in verifies an Argon2 hash (slow on purpose) and must not hold the write lock
meanwhile, so it reserves an attempt first and gives it back when it was right::

    if (seconds := limit.reserve(engine, key)) is not None:
        refuse(retry_after=seconds)
    ...                                   # check the password
    limit.release(engine, key)            # only when it was right

Rows of windows that ended are deleted whenever a new key gets its row, so an attacker
cycling addresses cannot grow the table past the keys active in a day.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from sync.server import tables
from sync.server.db import run_write

RATE_LIMITS = tables.rate_limits
LONGEST_WINDOW = 24 * 3600  # seconds; no limit of ours has a longer window


@dataclass(frozen=True)
class FailureLimit:
    allowed: int   # failures a key may have in one window
    window: int    # seconds

    # --- inside the caller's write transaction --------------------------------------------

    def wait(self, conn: Connection, key: str, *, lock: bool = True) -> int | None:
        """Seconds until ``key`` may try again, or None when it may go ahead now.

        With ``lock`` (the default) the key's row stays locked until the transaction ends,
        so concurrent attempts of one key are judged one after the other."""
        now = int(time.time())
        query = sa.select(RATE_LIMITS).where(RATE_LIMITS.c.key == key)
        if lock:
            # A row to lock must exist first: with none, two first attempts would both pass
            # and count later (PostgreSQL's FOR UPDATE locks no absent row).
            _insert_if_absent(conn, key, now)
            query = query.with_for_update()
        row = conn.execute(query).first()
        if row is None or now - row.window_start >= self.window or row.count < self.allowed:
            return None
        return max(1, self.window - (now - row.window_start))

    def fail(self, conn: Connection, key: str) -> None:
        """Count one failure for ``key`` (a new window when the last one ended)."""
        now = int(time.time())
        _insert_if_absent(conn, key, now)
        row = conn.execute(sa.select(RATE_LIMITS).where(RATE_LIMITS.c.key == key)
                           .with_for_update()).one()
        if now - row.window_start >= self.window:
            conn.execute(RATE_LIMITS.update().where(RATE_LIMITS.c.key == key)
                         .values(window_start=now, count=1))
        else:
            conn.execute(RATE_LIMITS.update().where(RATE_LIMITS.c.key == key)
                         .values(count=RATE_LIMITS.c.count + 1))

    # --- around a check that runs outside the database ------------------------------------

    def reserve(self, engine: Engine, key: str) -> int | None:
        """Count an attempt for ``key`` before it is checked; None when it may go ahead,
        else the seconds until it may try again (the attempt is then not counted)."""

        def work(conn: Connection) -> int | None:
            seconds = self.wait(conn, key)
            if seconds is None:
                self.fail(conn, key)
            return seconds

        return run_write(engine, work)

    def release(self, engine: Engine, key: str) -> None:
        """The reserved attempt succeeded: it does not count as a failure."""
        run_write(engine, lambda conn: conn.execute(
            RATE_LIMITS.update().where(RATE_LIMITS.c.key == key, RATE_LIMITS.c.count > 0)
            .values(count=RATE_LIMITS.c.count - 1)))


def _insert_if_absent(conn: Connection, key: str, now: int) -> None:
    """A zero count for ``key`` unless it has a row (waiting for a concurrent insert of the
    same key to commit, instead of failing); a new key also prunes ended windows."""
    if conn.execute(sa.select(RATE_LIMITS.c.key).where(RATE_LIMITS.c.key == key)).first():
        return
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    inserted = conn.execute(insert(RATE_LIMITS).values(key=key, window_start=now, count=0)
                            .on_conflict_do_nothing())
    if inserted.rowcount:
        prune(conn, now)


def prune(conn: Connection, now: int | None = None) -> int:
    """Delete the counters of windows that ended; returns how many."""
    cutoff = (now if now is not None else int(time.time())) - LONGEST_WINDOW
    return conn.execute(RATE_LIMITS.delete().where(RATE_LIMITS.c.window_start < cutoff)).rowcount
