"""Python's cyclic garbage collector paused while work makes no reference cycles worth
collecting: a server's push batch (:mod:`sync.server.exchange.push`) and export
(:mod:`sync.server.export`), the desktop app's start-up (:mod:`ui.application`).

    with collector_paused():      # around a block
        ...
    resume = pause()              # across an event loop (the app's first paint)
    ...
    resume()

The pause is process-wide and counted, so overlapping pauses (any thread) give the collector
back after the last of them, as it was before the first.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

_PAUSES = {"running": 0, "was_enabled": False}  # blocks pausing the collector, process-wide
_PAUSES_LOCK = threading.Lock()


def pause() -> Callable[[], None]:
    """The cyclic garbage collector off until the returned function is called (once counts;
    again does nothing) and every other pause has been given back."""
    with _PAUSES_LOCK:
        if not _PAUSES["running"]:
            _PAUSES["was_enabled"] = gc.isenabled()
            gc.disable()
        _PAUSES["running"] += 1
    given_back = False

    def resume() -> None:
        nonlocal given_back
        with _PAUSES_LOCK:
            if given_back:
                return
            given_back = True
            _PAUSES["running"] -= 1
            if not _PAUSES["running"] and _PAUSES["was_enabled"]:
                gc.enable()

    return resume


@contextmanager
def collector_paused() -> Iterator[None]:
    """The cyclic garbage collector off for the block (see :func:`pause`). An export's rows
    and a push's records hold no reference cycles, so they are freed as they go without it;
    with it, every collection walked the rows alive at that moment again and again (an eighth
    of an export's time)."""
    resume = pause()
    try:
        yield
    finally:
        resume()
