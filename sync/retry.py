"""How long to wait before trying again: one policy for the sync client and the server.

    REQUESTS = Backoff(first=1.0, cap=600.0)
    delay = REQUESTS.delay(attempt, retry_after=3.0)   # after the attempt-th failed try

Exponential backoff with full jitter: the wait after the n-th failure is drawn uniformly from
0 to ``first * 2**(n-1)`` seconds, never more than ``cap`` (AWS Architecture Blog,
"Exponential Backoff and Jitter"), so devices that failed together, or server writers that
collided, do not all come back at the same moment. A server that asked for a wait with
``Retry-After`` gets at least that (itself capped: a confused or hostile server cannot park a
client for a day).

Who uses it: :mod:`sync.client` for every request to the server (deciding beside it when to
stop, shrink a batch or reconnect at once), and :func:`sync.server.db.run_write` for a write
transaction that lost a race. Waiting itself stays with the caller: the client's waits can be
interrupted and report progress every second.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

# Past this many doublings every wait is ``cap`` anyway; the bound keeps the power finite for
# a client that has been retrying for days.
MAX_DOUBLINGS = 62


@dataclass(frozen=True)
class Backoff:
    """``first``: the longest first wait; ``cap``: the longest any wait gets (seconds)."""

    first: float
    cap: float

    def ceiling(self, attempt: int) -> float:
        """The longest wait after the ``attempt``-th failed try (1, 2, ...)."""
        return min(self.cap, self.first * 2 ** min(max(attempt - 1, 0), MAX_DOUBLINGS))

    def delay(self, attempt: int, *, retry_after: float | None = None) -> float:
        """Seconds to wait after the ``attempt``-th failed try: a random share of
        :meth:`ceiling`, and at least ``retry_after`` (capped) when the server gave one."""
        wait = random.uniform(0, self.ceiling(attempt))
        if retry_after is not None:
            wait = max(wait, min(retry_after, self.cap))
        return wait
