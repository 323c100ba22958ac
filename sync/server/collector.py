"""Python's cyclic garbage collector paused around bulk work that makes no reference cycles:
a push's batch (:mod:`sync.server.exchange.push`) and an export (:mod:`sync.server.export`).
The pause is process-wide and shared, so overlapping pushes and exports give it back after
the last of them."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_PAUSES = {"running": 0, "was_enabled": False}  # blocks pausing the collector, process-wide
_PAUSES_LOCK = threading.Lock()


@contextmanager
def collector_paused() -> Iterator[None]:
    """The cyclic garbage collector off for the block, then as it was (after the last of
    overlapping blocks, in any thread). An export's rows and a push's records hold no
    reference cycles, so they are freed as they go without it; with it, every collection
    walked the rows alive at that moment again and again (an eighth of an export's time)."""
    with _PAUSES_LOCK:
        if not _PAUSES["running"]:
            _PAUSES["was_enabled"] = gc.isenabled()
            gc.disable()
        _PAUSES["running"] += 1
    try:
        yield
    finally:
        with _PAUSES_LOCK:
            _PAUSES["running"] -= 1
            if not _PAUSES["running"] and _PAUSES["was_enabled"]:
                gc.enable()
