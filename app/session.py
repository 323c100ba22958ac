"""Where the annotator was, and whether the last run ended cleanly: kept in the store.

    session.remember(store, Place(screen="write", item="01J…", field="completion", caret=42))
    place = session.recall(reader)          # None before the first remember
    crashed = session.start(store)          # at start-up: the last run did not end cleanly
    session.end(store)                      # at a clean exit

Both live in the store's ``meta`` table, written through the app's one writer: a write that
returned is durable (WAL, ``synchronous=FULL``), so they survive ``kill -9`` and a power cut
exactly as the drafts do, and they are written in the same order as the drafts (the place
never names an item the store does not have yet). A settings file would need its own fsync
on the UI thread, and could disagree with the database it describes.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields

from app import clock
from app.store import Store
from app.syncstate import get_meta, set_meta

PLACE_KEY = "session_place"
RUNNING_KEY = "session_running"  # set while the app runs; a clean exit removes it


@dataclass(frozen=True)
class Place:
    """A screen, the item open in it, and the field with the keyboard focus."""

    screen: str
    language: str | None = None
    item: str | None = None     # the submission open (Write, Improve, Post-edit)
    task: str | None = None     # its task (Review: the edit being reviewed)
    field: str | None = None    # the screen's name for the focused field
    caret: int = 0              # the caret's position in that field
    at_end: bool = False        # ...at the end of its text (which may have grown since)
    at: str = ""                # when this was remembered (UTC, ISO 8601)

    def same_place(self, other: Place | None) -> bool:
        """Equal but for ``at`` (nothing to write)."""
        return other is not None and {**asdict(self), "at": ""} == {**asdict(other), "at": ""}


def remember(store: Store, place: Place) -> None:
    stamped = {**asdict(place), "at": place.at or clock.utc_now()}
    with store.db.atomic():
        set_meta(store, PLACE_KEY, json.dumps(stamped, ensure_ascii=False))


def recall(store: Store) -> Place | None:
    """The last place remembered; None when there is none or it cannot be read (a place is a
    convenience: a damaged one is forgotten, never an error)."""
    raw = get_meta(store, PLACE_KEY)
    if not raw:
        return None
    try:
        data = json.loads(raw)
        known = {f.name for f in fields(Place)}
        place = Place(**{key: value for key, value in data.items() if key in known})
    except (ValueError, TypeError):
        return None
    if not isinstance(place.screen, str) or not isinstance(place.caret, int) \
            or not isinstance(place.at_end, bool):
        return None
    return place


def start(store: Store) -> str | None:
    """Mark the app as running. Returns when the previous run started if it never ended
    cleanly (a crash, ``kill -9``, a power cut), else None."""
    with store.db.atomic():
        previous = get_meta(store, RUNNING_KEY)
        set_meta(store, RUNNING_KEY, clock.utc_now())
    return previous


def end(store: Store) -> None:
    """Mark a clean exit (after the last draft was written)."""
    with store.db.atomic():
        store.db.execute("DELETE FROM meta WHERE key = ?", [RUNNING_KEY])
