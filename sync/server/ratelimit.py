"""Fixed-window counters of failed attempts (wrong enrollment codes, wrong passwords), kept in
the database so every server process sees the same count.

    limit = FailureLimit(allowed=20, window=15 * 60)
    if (wait := limit.wait(engine, f"enroll:{address}")) is not None:
        refuse(retry_after=wait)
    ...
    limit.count_failure(engine, f"enroll:{address}")
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from sync.server import tables
from sync.server.db import read, run_write

R = tables.rate_limits


@dataclass(frozen=True)
class FailureLimit:
    allowed: int   # failures a key may have in one window
    window: int    # seconds

    def wait(self, engine: Engine, key: str) -> int | None:
        """Seconds until ``key`` may try again, or None when it may try now."""
        now = int(time.time())
        row = read(engine, lambda conn: conn.execute(sa.select(R).where(R.c.key == key)).first())
        if row is None or now - row.window_start >= self.window or row.count < self.allowed:
            return None
        return self.window - (now - row.window_start)

    def count_failure(self, engine: Engine, key: str) -> None:
        now = int(time.time())

        def work(conn: Connection) -> None:
            row = conn.execute(sa.select(R).where(R.c.key == key)).first()
            if row is None:
                conn.execute(R.insert().values(key=key, window_start=now, count=1))
            elif now - row.window_start >= self.window:
                conn.execute(R.update().where(R.c.key == key).values(window_start=now, count=1))
            else:
                conn.execute(R.update().where(R.c.key == key).values(count=R.c.count + 1))

        run_write(engine, work)  # a concurrent first insert is an IntegrityError: retried
