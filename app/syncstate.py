"""The device side of sync, as store operations: what to send, and what came back.

Network code (sync/client.py) calls these; each is one SQLite transaction, so a crash at any
point leaves the store consistent and the next sync carries on:

    batch = claim_batch(store, max_bytes=256_000)      # marks outbox rows as in flight
    ... push batch.items ...
    apply_push_results(store, batch.batch_id, results) # acks, conflicts, quarantine
    ... pull a page ...
    apply_pull_page(store, page)                       # rows and cursor together

A batch stays claimed until its answer is applied: after a crash or a lost reply the same
items (same sequence numbers, same bytes) are sent again, and the server answers
``duplicate`` for what it already applied.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass, field

from app import clock
from app.errors import NotFound
from app.guidelines import normalize as normalize_guidelines
from app.ids import new_id
from app.store import Store

PULL_CURSOR = "pull_cursor"
MEMORY_TABLES = {"tm_unit": "tm_units", "term": "glossary_terms"}


@dataclass(frozen=True)
class PendingItem:
    seq: int
    entity: str
    record_id: str
    op: str
    base_revision: int | None
    payload: str


@dataclass(frozen=True)
class Batch:
    batch_id: str
    items: tuple[PendingItem, ...]

    @property
    def payload_bytes(self) -> int:
        return sum(len(item.payload.encode()) for item in self.items)


@dataclass
class PushOutcome:
    acknowledged: int = 0
    conflicts: int = 0
    rejected: int = 0
    unanswered: int = 0


@dataclass
class PullOutcome:
    applied: int = 0
    skipped: int = 0  # local edits pending: the push decides (and surfaces a conflict)
    by_entity: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Conflict:
    id: str
    entity: str
    record_id: str
    local_payload: str
    server_payload: str
    server_revision: int
    created_at: str


@dataclass(frozen=True)
class SyncSummary:
    pending: int
    in_flight: int
    conflicts: int
    quarantined: int
    last_sync: str | None
    pull_cursor: int


# --- meta ------------------------------------------------------------------------------------


def get_meta(store: Store, key: str, default: str | None = None) -> str | None:
    row = store.db.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
    return row[0] if row else default


def set_meta(store: Store, key: str, value: str) -> None:
    store.db.execute(
        "INSERT INTO meta (key, value) VALUES (?, ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [key, value],
    )


# --- push ------------------------------------------------------------------------------------


def claim_batch(store: Store, *, max_bytes: int, max_items: int = 1000,
                busy: Collection[str] = (), skip: Collection[str] = ()) -> Batch | None:
    """The batch to send next: one still in flight from an earlier attempt, else new entries
    up to ``max_bytes``.

    ``busy`` names batches being sent right now (the client keeps several in flight on a
    slow link): they are not handed out again, nor is an earlier batch that shares a record
    with them. A record's changes therefore reach the server one batch after the other, and
    each is claimed against the base revision the previous one's answer set (see
    :func:`_claim_new`).

    Returns None when nothing can be sent now. At least one entry is claimed even if it alone
    is bigger than ``max_bytes`` (one record always fits the server's limit: see app.text).
    ``skip`` names entities the server does not know (an older server): they wait.
    """
    with store.db.atomic():
        in_flight = _in_flight_records(store)
        sending = set().union(*(ids for batch_id, ids in in_flight if batch_id in busy))
        for batch_id, ids in in_flight:
            if batch_id not in busy and not sending & ids:
                return Batch(batch_id, _pending_items(store, _OUTBOX_BY_BATCH, [batch_id]))
        return _claim_new(store, max_bytes, max_items, skip)


def claim_all(store: Store, *, max_bytes: int, max_items: int = 1000) -> list[Batch]:
    """Every batch that can be sent now, for a bundle: those already in flight, then new
    ones. A record with a change in flight, or two changes waiting, sends the next one in a
    later bundle, after the answer to this one."""
    with store.db.atomic():
        batches = [Batch(batch_id, _pending_items(store, _OUTBOX_BY_BATCH, [batch_id]))
                   for batch_id, _ids in _in_flight_records(store)]
        while (batch := _claim_new(store, max_bytes, max_items)) is not None:
            batches.append(batch)
        return batches


# Entities whose local row remembers the server revision it is based on.
_BASED = {"submission": "submissions", "ui_translation": "ui_translations"}
# Outbox entries with the base revision their record has now (the acknowledgement of an
# earlier push may have moved it since the entry was written; the record's table holds the
# current one), read in one query.
_PENDING = (
    "SELECT o.seq, o.entity, o.record_id, o.op, o.payload, CASE "
    + " ".join(f"WHEN b{n}.id IS NOT NULL THEN 1" for n in range(len(_BASED)))
    + " ELSE 0 END AS known, COALESCE("
    + ", ".join(f"b{n}.base_revision" for n in range(len(_BASED)))
    + ") AS current_base FROM outbox o "
    + " ".join(f"LEFT JOIN {table} b{n} ON o.entity = '{entity}' AND b{n}.id = o.record_id"
               for n, (entity, table) in enumerate(_BASED.items()))
    + " ")
_OUTBOX_BY_BATCH = _PENDING + "WHERE o.batch_id = ? ORDER BY o.seq"
_UNCLAIMED = _PENDING + """WHERE o.batch_id IS NULL AND o.record_id NOT IN
                             (SELECT record_id FROM outbox WHERE batch_id IS NOT NULL)
                           ORDER BY o.seq"""


def _in_flight_records(store: Store) -> list[tuple[str, set[str]]]:
    """Batches claimed earlier and not yet answered, oldest first: each id with the ids of
    the records in it."""
    batches: dict[str, set[str]] = {}
    # Sorted here: ORDER BY seq would make SQLite read the whole outbox in seq order rather
    # than the few claimed entries through outbox_by_batch.
    for _seq, batch_id, record_id in sorted(map(tuple, store.db.execute(
            "SELECT seq, batch_id, record_id FROM outbox WHERE batch_id IS NOT NULL"))):
        batches.setdefault(batch_id, set()).add(record_id)
    return list(batches.items())


def _claim_new(store: Store, max_bytes: int, max_items: int,
               skip: Collection[str] = ()) -> Batch | None:
    """Claim the oldest unclaimed entries, at most one per record, and none of a record that
    is in an unanswered batch: a record's next change waits for the answer to its previous
    one, which sets the base revision the next one is sent with (two changes of one record
    sent together, or side by side, would both claim the same base and conflict)."""
    rows, size, records = [], 0, set()
    for row in store.db.execute(_UNCLAIMED):
        if row["record_id"] in records or row["entity"] in skip:
            continue
        size += len(row["payload"].encode())
        if rows and (size > max_bytes or len(rows) >= max_items):
            break
        rows.append(row)
        records.add(row["record_id"])
    if not rows:
        return None
    batch_id = new_id()
    store.db.execute(
        f"UPDATE outbox SET batch_id = ? WHERE seq IN ({','.join('?' * len(rows))})",
        [batch_id, *[row["seq"] for row in rows]],
    )
    return Batch(batch_id, tuple(_pending_item(row) for row in rows))


def _pending_items(store: Store, query: str, parameters: list) -> tuple[PendingItem, ...]:
    return tuple(_pending_item(row) for row in store.db.execute(query, parameters))


def _pending_item(row) -> PendingItem:
    known = row["known"]  # a based record's current base; anything else says it in its payload
    base = row["current_base"] if known else json.loads(row["payload"]).get("base_revision")
    return PendingItem(row["seq"], row["entity"], row["record_id"], row["op"], base,
                       row["payload"])


def apply_push_results(store: Store, batch_id: str, results) -> PushOutcome:
    """Apply the server's per-item answers (``sync.protocol.ItemResult``-like objects), with
    one statement per kind of answer."""
    outcome = PushOutcome()
    now = clock.utc_now()
    revisions: dict[str, list] = {table: [] for table in _BASED.values()}
    conflicts, quarantined, settled = [], [], []
    with store.db.atomic():
        entries = {
            row["seq"]: row
            for row in store.db.execute("SELECT * FROM outbox WHERE batch_id = ?", [batch_id])
        }
        for result in results:
            entry = entries.pop(result.seq, None)
            if entry is None:
                continue  # not ours, or already applied by an earlier answer
            status = str(result.status)
            if status in ("created", "duplicate"):
                table = _BASED.get(entry["entity"])
                if table is not None and result.revision is not None:
                    revisions[table].append((result.revision, entry["record_id"]))
                outcome.acknowledged += 1
            elif status == "conflict":
                conflicts.append((new_id(), entry["entity"], entry["record_id"],
                                  entry["payload"], result.server_payload or "{}",
                                  result.server_revision or 0, now))
                outcome.conflicts += 1
            else:
                quarantined.append((entry["seq"], entry["entity"], entry["record_id"],
                                    entry["payload"], result.reason or "rejected by the server",
                                    now))
                outcome.rejected += 1
            settled.append((entry["seq"],))
        for table, changes in revisions.items():
            store.db.executemany(f"UPDATE {table} SET base_revision = ? WHERE id = ?", changes)
        store.db.executemany(
            """INSERT INTO conflicts (id, entity, record_id, local_payload, server_payload,
                   server_revision, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)""", conflicts)
        store.db.executemany(
            "INSERT OR REPLACE INTO quarantine (seq, entity, record_id, payload, reason,"
            " created_at) VALUES (?, ?, ?, ?, ?, ?)", quarantined)
        store.db.executemany("DELETE FROM outbox WHERE seq = ?", settled)
        if entries:  # no answer for these: send them again in a later batch
            store.db.executemany("UPDATE outbox SET batch_id = NULL WHERE seq = ?",
                                 [(seq,) for seq in entries])
            outcome.unanswered = len(entries)
        set_meta(store, "last_push", now)
    return outcome


# --- pull ------------------------------------------------------------------------------------


def pull_cursor(store: Store) -> int:
    return int(get_meta(store, PULL_CURSOR, "0"))


def apply_pull_page(store: Store, page) -> PullOutcome:
    """Apply a page of server changes and store its cursor, in one transaction."""
    outcome = PullOutcome()
    user_id = get_meta(store, "user_id")
    with store.db.atomic():
        for item in page.items:
            payload = json.loads(item.payload)
            applied = _apply_pulled(store, item, payload, user_id)
            if applied:
                outcome.applied += 1
                outcome.by_entity[item.entity] = outcome.by_entity.get(item.entity, 0) + 1
            else:
                outcome.skipped += 1
        set_meta(store, PULL_CURSOR, str(page.next_cursor))
        set_meta(store, "last_pull", clock.utc_now())
    return outcome


def _apply_pulled(store: Store, item, payload: dict, user_id: str | None) -> bool:
    if item.entity == "project":
        if "guidelines" in payload:  # either shape, from any server version: stored as the new
            payload["guidelines"] = normalize_guidelines(payload["guidelines"])
        for key in ("settings", "guidelines"):
            if isinstance(payload.get(key), dict):
                payload[key] = json.dumps(payload[key], ensure_ascii=False)
        return _upsert(store, "projects", payload, deleted=item.deleted)
    if item.entity == "task":
        return _upsert(store, "tasks", payload, deleted=item.deleted)
    if item.entity == "comment":
        # Feedback on my item, or my own reply (sent from another of my devices).
        return _upsert(store, "comments", payload, deleted=item.deleted)
    if item.entity in MEMORY_TABLES:  # translation memory and glossary, per language pair
        from app import memory  # its QA checks and index are not needed to start the app

        memory.bump_version(store)
        return _upsert(store, MEMORY_TABLES[item.entity], payload, deleted=item.deleted)
    if item.entity == "review":
        # A review of my work comes without its review task (that went to the reviewer).
        _drop_unknown_task(store, payload)
        return _upsert(store, "reviews", payload, deleted=item.deleted)
    if item.entity == "ui_translation":
        return _store_ui_translation(store, item, payload, user_id)
    if item.entity == "ui_catalog":
        return _store_ui_catalog(store, item, payload)
    if item.entity != "submission":
        return False
    author = payload.get("user_id")
    if author and user_id and author != user_id:
        return False  # a peer's item: it reaches this device as a review task, not as my work
    pending = store.db.execute(
        "SELECT 1 FROM outbox WHERE entity = 'submission' AND record_id = ?", [item.id]
    ).fetchone()
    if pending:
        return False  # a local edit is on its way: the push settles it (conflict if needed)
    conflict = store.db.execute(
        "UPDATE conflicts SET server_payload = ?, server_revision = ? WHERE entity = "
        "'submission' AND record_id = ? AND resolved_at IS NULL RETURNING id",
        [item.payload, item.revision, item.id],
    ).fetchone()
    if conflict:
        return False  # the annotator is choosing: keep their text; offer the newest server's
    if item.deleted:
        store.db.execute("DELETE FROM revisions WHERE submission_id = ?", [item.id])
        store.db.execute("DELETE FROM submissions WHERE id = ?", [item.id])
        return True
    _drop_unknown_task(store, payload)  # e.g. written on my other laptop, in another project
    return _store_submission(store, payload, item.revision)


def _store_ui_translation(store: Store, item, payload: dict, user_id: str | None) -> bool:
    """A suggested translation as the server has it: its text, status and votes."""
    if item.deleted:
        store.db.execute("DELETE FROM ui_translation_revisions WHERE translation_id = ?",
                         [item.id])
        store.db.execute("DELETE FROM ui_translations WHERE id = ?", [item.id])
        return True
    pending = store.db.execute(
        "SELECT 1 FROM outbox WHERE entity = 'ui_translation' AND record_id = ?", [item.id]
    ).fetchone()
    author = payload.get("user_id") or ""
    mine = bool(user_id) and author == user_id
    status = payload.get("status") if payload.get("status") in (
        "pending", "accepted", "rejected", "disputed", "superseded") else "pending"
    votes = json.dumps(payload.get("votes") if isinstance(payload.get("votes"), list) else [],
                       ensure_ascii=False)
    if pending:  # my newer text is on its way: keep it, take only what the server decided
        store.db.execute("UPDATE ui_translations SET status = ?, votes = ? WHERE id = ?",
                         [status, votes, item.id])  # text_revision: the text on its way is newer
        return False
    strings = payload.get("msgstr") if isinstance(payload.get("msgstr"), list) else []
    now = clock.utc_now()
    store.db.execute(
        """INSERT INTO ui_translations (id, language, context, msgid, msgid_plural, msgstr,
               comment, author, author_name, mine, status, votes, base_revision, text_revision,
               created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (id) DO UPDATE SET msgstr = excluded.msgstr, comment = excluded.comment,
               author = excluded.author, author_name = excluded.author_name,
               mine = excluded.mine, status = excluded.status, votes = excluded.votes,
               base_revision = excluded.base_revision, text_revision = excluded.text_revision,
               updated_at = excluded.updated_at""",
        [item.id, str(payload.get("language") or ""), payload.get("context"),
         str(payload.get("msgid") or ""), payload.get("msgid_plural"),
         json.dumps([str(s) for s in strings], ensure_ascii=False),
         str(payload.get("comment") or ""), author, str(payload.get("author_name") or ""),
         int(mine), status, votes, item.revision,
         payload.get("text_revision") if isinstance(payload.get("text_revision"), int) else None,
         str(payload.get("created_at") or now), now])
    return True


def _store_ui_catalog(store: Store, item, payload: dict) -> bool:
    """A catalog the server compiled; checked when it is used (i18n.community)."""
    language = payload.get("language")
    if item.deleted or not isinstance(language, str):
        store.db.execute("DELETE FROM ui_catalogs WHERE id = ?", [item.id])
        return True
    store.db.execute("DELETE FROM ui_catalogs WHERE language = ? AND id != ?",
                     [language, item.id])
    store.db.execute(
        "INSERT INTO ui_catalogs (id, language, payload, revision, updated_at) "
        "VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET payload = excluded.payload, "
        "revision = excluded.revision, updated_at = excluded.updated_at",
        [item.id, language, item.payload, item.revision, clock.utc_now()])
    return True


def _drop_unknown_task(store: Store, payload: dict) -> None:
    """Forget a pulled record's link to a task this device does not hold."""
    task_id = payload.get("task_id")
    if task_id and not store.db.execute("SELECT 1 FROM tasks WHERE id = ?", [task_id]).fetchone():
        payload["task_id"] = None


def _store_submission(store: Store, payload: dict, server_revision: int) -> bool:
    """Write a submission as the server has it (at ``server_revision``) into the local row."""
    for key in ("warnings", "qa_dismissed"):
        if isinstance(payload.get(key), list):
            payload[key] = json.dumps(payload[key], ensure_ascii=False)
    payload["base_revision"] = server_revision
    payload.pop("revision", None)  # the local edit counter is the device's own
    return _upsert(store, "submissions", payload, deleted=False)


def _columns(store: Store, table: str) -> set[str]:
    return {row[1] for row in store.db.execute(f"PRAGMA table_info({table})")}


def _upsert(store: Store, table: str, payload: dict, *, deleted: bool, key: str = "id") -> bool:
    if deleted:
        store.db.execute(f"DELETE FROM {table} WHERE {key} = ?", [payload[key]])
        return True
    columns = [c for c in payload if c in _columns(store, table) and c != "row"]
    now = clock.utc_now()
    for stamp in ("created_at", "updated_at"):
        if stamp in _columns(store, table) and stamp not in columns:
            columns.append(stamp)
            payload[stamp] = now
    updates = ", ".join(f"{c} = excluded.{c}" for c in columns if c != key)
    store.db.execute(
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))}) "
        f"ON CONFLICT ({key}) DO UPDATE SET {updates}",
        [payload[c] for c in columns],
    )
    return True


# --- what the annotator decides --------------------------------------------------------------


def open_conflicts(store: Store) -> list[Conflict]:
    return [
        Conflict(r["id"], r["entity"], r["record_id"], r["local_payload"], r["server_payload"],
                 r["server_revision"], r["created_at"])
        for r in store.db.execute(
            "SELECT * FROM conflicts WHERE resolved_at IS NULL ORDER BY created_at"
        )
    ]


def resolve_conflict(store: Store, conflict_id: str, keep: str) -> None:
    """Keep ``"local"`` (sent again, now based on the server's revision) or ``"server"``."""
    if keep not in ("local", "server"):
        raise ValueError("keep must be 'local' or 'server'")
    with store.db.atomic():
        row = store.db.execute("SELECT * FROM conflicts WHERE id = ?", [conflict_id]).fetchone()
        if row is None or row["resolved_at"] is not None:
            return
        if row["entity"] == "submission":
            # Either version, stored as based on the server's revision; the local one (as it
            # was when the conflict arose) is then sent again.
            chosen = row["server_payload"] if keep == "server" else row["local_payload"]
            _store_submission(store, json.loads(chosen), row["server_revision"])
            if keep == "local":
                current = store.submission(row["record_id"])
                store._enqueue("submission", current.id, current.as_payload())
        store.db.execute(
            "UPDATE conflicts SET resolved_at = ?, resolution = ? WHERE id = ?",
            [clock.utc_now(), keep, conflict_id],
        )


def summary(store: Store) -> SyncSummary:
    db = store.db
    return SyncSummary(
        pending=db.execute("SELECT count(*) FROM outbox").fetchone()[0],
        in_flight=db.execute(
            "SELECT count(*) FROM outbox WHERE batch_id IS NOT NULL"
        ).fetchone()[0],
        conflicts=db.execute(
            "SELECT count(*) FROM conflicts WHERE resolved_at IS NULL"
        ).fetchone()[0],
        quarantined=db.execute("SELECT count(*) FROM quarantine").fetchone()[0],
        last_sync=get_meta(store, "last_sync"),
        pull_cursor=pull_cursor(store),
    )


def acknowledged_revisions(store: Store) -> dict[str, int]:
    """id -> server revision of every submission the server has acknowledged or sent.

    A record with an open conflict counts as the server has it: the conflict holds the
    server's newest revision (a pull keeps it current) while the local row stays at the base
    the annotator's edit started from, and its server version may be a deletion. Counting the
    local base instead made every sync's digest differ, and each sent the ids of every record
    and pulled everything again until the annotator chose (issue 11). A server that moved on
    without the device hearing of it still makes the digests differ.
    """
    held = {
        r[0]: r[1]
        for r in store.db.execute(
            "SELECT id, base_revision FROM submissions WHERE base_revision IS NOT NULL"
        )
    }
    for record_id, (revision, deleted) in _open_conflict_revisions(store).items():
        if deleted:
            held.pop(record_id, None)  # the server holds no live record to compare
        else:
            held[record_id] = revision
    return held


def _open_conflict_revisions(store: Store) -> dict[str, tuple[int, bool]]:
    """record id -> (the server's revision, whether it is a deletion), for every submission
    the annotator has yet to choose a version of; the newest conflict of a record wins."""
    newest: dict[str, tuple[int, bool]] = {}
    for record_id, revision, payload in store.db.execute(
        "SELECT record_id, server_revision, server_payload FROM conflicts "
        "WHERE entity = 'submission' AND resolved_at IS NULL "
        "ORDER BY server_revision, created_at"
    ):
        try:
            deleted = bool(json.loads(payload or "{}").get("deleted"))
        except (ValueError, AttributeError):
            deleted = False
        newest[record_id] = (revision, deleted)
    return newest


def request_resend(store: Store, ids) -> int:
    """Queue the named submissions again (the server lacks them: e.g. restored from backup)."""
    queued = 0
    with store.db.atomic():
        for submission_id in ids:
            try:
                current = store.submission(submission_id)
            except NotFound:  # discarded since: nothing to resend
                continue
            store.db.execute(
                "UPDATE submissions SET base_revision = NULL WHERE id = ?", [submission_id]
            )
            store._enqueue("submission", submission_id, current.as_payload())
            queued += 1
    return queued
