"""The last leaderboards the server sent, kept so annotators see them offline.

    store_answer(store, leaderboards_json)      # after each sync (sync/client.py)
    stored = last(store)                        # None before the first sync
    stored.data["boards"], stored.fetched_at    # as the server sent them, and when

The answer is kept as the server's JSON text (``sync.protocol.Leaderboards``), replaced
whole by the next one: it is a view computed by the server, never edited here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from app import clock
from app.errors import StoreError


@dataclass(frozen=True)
class StoredLeaderboards:
    payload: str            # the server's answer, JSON text
    generated_at: str | None  # when the server computed it (ISO 8601 UTC)
    fetched_at: str         # when this device received it

    @property
    def data(self) -> dict:
        return json.loads(self.payload)


def store_answer(store, payload: str, *, fetched_at: str | None = None) -> StoredLeaderboards:
    """Keep ``payload`` (the server's Leaderboards JSON) in place of the previous answer."""
    try:
        data = json.loads(payload)
    except ValueError as exc:
        raise StoreError(f"The leaderboards from the server are not JSON ({exc}).") from exc
    if not isinstance(data, dict) or not isinstance(data.get("boards"), list):
        raise StoreError("The leaderboards from the server have no list of boards.")
    generated = data.get("generated_at") if isinstance(data.get("generated_at"), str) else None
    stored = StoredLeaderboards(payload, generated, fetched_at or clock.utc_now())
    with store.db.atomic():
        store.db.execute(
            "INSERT INTO leaderboards (id, payload, generated_at, fetched_at) "
            "VALUES (1, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET payload = excluded.payload, "
            "generated_at = excluded.generated_at, fetched_at = excluded.fetched_at",
            [stored.payload, stored.generated_at, stored.fetched_at],
        )
    return stored


def last(store) -> StoredLeaderboards | None:
    """The newest answer kept on this device, or None before the first sync."""
    row = store.db.execute(
        "SELECT payload, generated_at, fetched_at FROM leaderboards WHERE id = 1").fetchone()
    if row is None:
        return None
    return StoredLeaderboards(row["payload"], row["generated_at"], row["fetched_at"])
