"""Fixed-window counters of failed attempts (wrong enrollment codes, wrong passwords), kept in
the database so every server process sees the same count.

    limit = FailureLimit(allowed=20, window=15 * 60)
    if (wait := limit.reserve(engine, f"enroll:{address}")) is not None:
        refuse(retry_after=wait)
    ...                                      # check the code or the password
    limit.release(engine, f"enroll:{address}")   # only when it was right

An attempt is counted *before* it is checked, in one write transaction, so a burst of
parallel attempts cannot all slip past a limit that counted only failures afterwards.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from sync.server import tables
from sync.server.db import run_write

R = tables.rate_limits


@dataclass(frozen=True)
class FailureLimit:
    allowed: int   # failures a key may have in one window
    window: int    # seconds

    def reserve(self, engine: Engine, key: str) -> int | None:
        """Count an attempt for ``key``; None when it may go ahead, else the seconds until
        it may try again (the attempt is then not counted)."""
        now = int(time.time())

        def work(conn: Connection) -> int | None:
            row = conn.execute(sa.select(R).where(R.c.key == key).with_for_update()).first()
            if row is None:
                conn.execute(R.insert().values(key=key, window_start=now, count=1))
            elif now - row.window_start >= self.window:
                conn.execute(R.update().where(R.c.key == key).values(window_start=now, count=1))
            elif row.count >= self.allowed:
                return self.window - (now - row.window_start)
            else:
                conn.execute(R.update().where(R.c.key == key).values(count=R.c.count + 1))
            return None

        return run_write(engine, work)  # a concurrent first insert is an IntegrityError: retried

    def release(self, engine: Engine, key: str) -> None:
        """The reserved attempt succeeded: it does not count as a failure."""
        run_write(engine, lambda conn: conn.execute(
            R.update().where(R.c.key == key, R.c.count > 0).values(count=R.c.count - 1)))
