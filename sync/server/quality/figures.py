"""Whole-dataset figures, computed at most once a minute and shared by every server process.

    counts, as_of = cached(engine, "acceptance:aya-urd", compute, max_age=60)

``compute(conn)`` returns something JSON can hold; it runs in its own read transaction when
the stored value is older than ``max_age`` seconds (or missing), and the result is stored
for the next request, whichever process serves it. Two processes may compute at the same
time; the later write wins, and both answers were right when computed.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from app import clock
from sync.server import tables
from sync.server.db import read, run_write

FIGURES = tables.figures
DEFAULT_MAX_AGE = 60  # seconds


def cached(engine: Engine, key: str, compute: Callable[[Connection], object], *,
           max_age: float = DEFAULT_MAX_AGE) -> tuple[object, str]:
    """The value and when it was computed (a stored time, UTC)."""
    now = datetime.now(UTC)
    row = read(engine, lambda conn: conn.execute(
        sa.select(FIGURES.c.value, FIGURES.c.computed_at).where(FIGURES.c.key == key)).first())
    if row is not None and clock.parse(row.computed_at) > now - timedelta(seconds=max_age):
        return json.loads(row.value), row.computed_at
    value = read(engine, compute)
    stamp = clock.stamp(now)
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)

    def store(conn: Connection) -> None:
        updated = conn.execute(FIGURES.update().where(FIGURES.c.key == key)
                               .values(value=text, computed_at=stamp)).rowcount
        if not updated:
            conn.execute(FIGURES.insert().values(key=key, value=text, computed_at=stamp))

    run_write(engine, store)  # a concurrent first insert is an IntegrityError: retried
    return value, stamp


def forget(engine: Engine) -> None:
    """Drop every kept figure: the next request computes them afresh."""
    run_write(engine, lambda conn: conn.execute(FIGURES.delete()))
