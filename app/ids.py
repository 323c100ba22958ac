"""Record ids: time-ordered UUIDs (version 7) made on the device.

Time order keeps B-tree inserts local and lets the server sort by creation without trusting
clocks for anything else. The ``uuid6`` package implements RFC 9562 until Python 3.14's
``uuid.uuid7`` is available everywhere we run.
"""

from __future__ import annotations


def new_id() -> str:
    """A new time-ordered id, e.g. ``'01a21697-f819-70c9-aa82-3cd29c48c54c'``."""
    # Imported on the first id, not at start: uuid6 reads its own version through
    # importlib.metadata, a twentieth of a second before the first window.
    import uuid6

    return str(uuid6.uuid7())
