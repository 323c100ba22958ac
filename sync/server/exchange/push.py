"""Push: a device's outbox entries applied in one transaction, every item answered.

    result = apply_push(engine, device, batch)          # one transaction, idempotent

``POST /v1/push`` (:mod:`sync.server.api.exchange`) and offline bundles
(:mod:`.bundles`) call exactly this, so a bundle imported twice is as harmless as a batch
pushed twice: ``applied_items (device_id, seq)`` remembers every item, and an item seen
before is answered ``duplicate`` with the revision it got. An edit based on an old revision
is a ``conflict`` (both versions kept); a poison item is ``rejected`` with a reason and never
fails the rest of the batch. What a record must look like is :mod:`.payloads`.

``engine`` may be an :class:`~sqlalchemy.engine.Engine` (each call is its own transaction,
retried on contention) or a connection inside :func:`sync.server.db.write_transaction`.
How change numbers stay gap-free under concurrency: see :mod:`sync.server.db`.

A review is refused from a blocked user (``_review_problem``), and from anyone who may not
review the item (DESIGN.md invariant 6); their own items are received and held. After the
writes, the user's leases are completed and review tasks kept in step
(:func:`sync.server.work.distribution.after_push`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from app import clock
from app.collector import collector_paused
from app.kinds import EDIT_KINDS, FINAL_STATES
from app.records import comment_body
from sync.protocol import (
    MAX_SEQ,
    TRANSLATION_ENTITIES,
    ErrorCode,
    ItemResult,
    ItemStatus,
    PushBatch,
    PushItem,
    PushResult,
    freeze,
)
from sync.server import tables
from sync.server.db import Sequence, among, insert_many, run_write
from sync.server.errors import ServerError
from sync.server.exchange.payloads import check_item, content
from sync.server.people.users import Device
from sync.server.quality import tallies
from sync.server.translation import suggestions
from sync.server.work import distribution, feedback
from sync.server.work.acceptance import measured_distances, task_payloads

Target = Engine | Connection
CHUNK = 500  # ids per IN (...) list
APPLIED_ITEMS = tables.applied_items
ASSIGNMENTS = tables.review_assignments
DEVICES = tables.devices
COMMENTS = tables.comments
REVIEWS = tables.reviews
SUBMISSIONS = tables.submissions


def apply_push(target: Target, device: Device, batch: PushBatch) -> PushResult:
    """Apply a batch in one transaction; answer every item (see sync.protocol.ItemStatus).

    A poison item is answered ``rejected`` and never fails the rest of the batch.
    """
    if batch.device_id != device.id:
        raise ServerError(ErrorCode.forbidden,
                          f"This batch is from device {batch.device_id}, but the token belongs "
                          f"to device {device.id}.")
    # A batch's records, rows and answers hold no reference cycles and are freed as they go;
    # the cyclic collector, on, walked the live ones again at every collection (~5% of the
    # server's CPU for a push, with what the server loaded at start frozen out of its sight).
    with collector_paused():
        checked = [_checked(item, device) for item in batch.items]  # no DB needed
        return run_write(target, lambda conn: _push(conn, device, batch, checked))


def _checked(item: PushItem, device: Device) -> tuple[PushItem, dict | None, str | None,
                                                    str | None]:
    """``(item, record, problem, stored)``: the item's check, and the payload a submission
    or review would be stored with, made before the write lock is taken (other pushes write
    meanwhile) rather than inside it."""
    record, problem = check_item(item, device)
    stored = None
    if problem is None and item.entity in _ENTITY_COLUMNS:
        stored = _stored(record, device.user_id, deleted=item.op == "delete")
    return item, record, problem, stored


def _push(conn: Connection, device: Device, batch: PushBatch, checked) -> PushResult:
    """The batch's writes, set-wise: existing rows are read in chunks up front, every item is
    judged against an in-memory copy of the rows (so an id twice in one batch sees its own
    earlier change), and the new rows, updates and applied items are written with one
    executemany each. Same answers, same single transaction, same write lock as item by item.
    """
    seqs = Sequence(conn)  # the write lock: everything committed before is visible now
    prior = {}
    numbers = sorted({item.seq for item, *_ in checked if item.seq <= MAX_SEQ})
    for start in range(0, len(numbers), CHUNK):
        for row in conn.execute(sa.select(APPLIED_ITEMS).where(
                APPLIED_ITEMS.c.device_id == device.id,
                APPLIED_ITEMS.c.seq.in_(numbers[start:start + CHUNK]))):
            prior[row.seq] = row
    work = _Writes(conn, device, seqs, [(item, record) for item, record, problem, _ in checked
                                        if problem is None and item.seq not in prior
                                        and item.entity not in TRANSLATION_ENTITIES])
    translations = suggestions.Writes(conn, device, seqs)
    counted = tallies.Change(conn, work.units())  # the figures these writes move
    now = clock.utc_now()
    results = []
    applied = []
    for item, record, problem, stored in checked:
        earlier = prior.get(item.seq)
        if earlier is not None:
            results.append(_repeat(item, earlier))
            continue
        if problem is not None:
            result = _rejected(item, problem)
        elif item.entity in TRANSLATION_ENTITIES:
            result = translations.apply(item, record, now)
        else:
            result = work.apply(item, record, now, stored)
        if result.status != ItemStatus.conflict and item.seq <= MAX_SEQ:
            row = {"device_id": device.id, "seq": item.seq, "hash": item.hash,
                   "entity": item.entity, "record_id": item.id, "status": result.status.value,
                   "revision": result.revision, "reason": result.reason,
                   "batch_id": batch.batch_id, "applied_at": now}
            applied.append(row)
            prior[item.seq] = _Row(**row)
        results.append(result)
    work.flush()
    work.distribute(now)
    counted.commit(work.written())
    translations.finish(now)
    insert_many(conn, APPLIED_ITEMS, applied)
    high = max((s for s, row in prior.items() if row.status != "conflict"), default=0)
    if high:
        conn.execute(DEVICES.update().where(DEVICES.c.id == device.id, DEVICES.c.high_water < high)
                     .values(high_water=high))
    high_water = conn.execute(sa.select(DEVICES.c.high_water)
                              .where(DEVICES.c.id == device.id)).scalar()
    seqs.save()
    return PushResult(results=results, high_water=high_water or 0)


@dataclass
class _Row:
    device_id: str
    seq: int
    hash: str
    entity: str
    record_id: str
    status: str
    revision: int | None
    reason: str | None
    batch_id: str
    applied_at: str


class _Record(dict):
    """A submission or review row as this transaction will leave it (attribute access)."""

    __getattr__ = dict.__getitem__


# Columns written for each entity besides the shared record columns; a new row gets all of
# them (NULL or the server default where the item does not say), so one executemany fits all.
_ENTITY_COLUMNS = {
    "submission": {"language": None, "kind": None, "state": "draft", "task_id": None,
                   "project_id": None, "prompt_distance": None, "completion_distance": None},
    "review": {"submission_id": None},
}
_UPDATED = ("payload", "revision", "server_seq", "deleted", "updated_at", "changed_by")


class _Writes:
    """Rows a push reads and writes, cached for the batch; written out by :meth:`flush`."""

    def __init__(self, conn: Connection, device: Device, seqs: Sequence, items):
        self.conn, self.device, self.seqs = conn, device, seqs
        self.rows: dict[str, dict[str, _Record | None]] = {"submission": {}, "review": {}}
        self.new: dict[str, dict[str, _Record]] = {"submission": {}, "review": {}}
        self.changed: dict[str, dict[str, _Record]] = {"submission": {}, "review": {}}
        # The records written, as pushed (parsed once, in check_item), by entity and id.
        self.records: dict[str, dict[str, dict]] = {"submission": {}, "review": {}}
        wanted = {"submission": set(), "review": set()}
        self.replied: set[str] = set()  # threads a reply in this batch answered
        self.revised: set[str] = set()  # rejected items submitted again: reviewed anew
        self.wanted_reviews = [record for item, record in items if item.entity == "review"]
        for item, record in items:
            if item.entity == "comment":
                continue
            wanted[item.entity].add(item.id)
            if item.entity == "review" and item.op == "upsert":
                wanted["submission"].add(record["submission_id"])
        for entity, ids in wanted.items():
            self._load(entity, ids)
        # The items this user was asked to review, among those the batch reviews.
        self.assigned = set()
        reviewed = sorted({record["submission_id"] for item, record in items
                           if item.entity == "review" and item.op == "upsert"})
        for start in range(0, len(reviewed), CHUNK):
            self.assigned.update(conn.execute(sa.select(ASSIGNMENTS.c.submission_id).where(
                ASSIGNMENTS.c.user_id == device.user_id,
                among(ASSIGNMENTS.c.submission_id, reviewed[start:start + CHUNK]))).scalars())
        # The tasks edits started from: the server measures each edit against its own copy.
        self.tasks = task_payloads(conn, {
            record.get("task_id") for item, record in items
            if item.entity == "submission" and item.op == "upsert"
            and record.get("kind") in EDIT_KINDS and record.get("task_id")})

    def units(self) -> set[str]:
        """The submissions whose figures this batch may change (:mod:`..quality.tallies`):
        those it writes, and those its reviews are of, before and after."""
        found = set(self.rows["submission"])
        found.update(row.submission_id for row in self.rows["review"].values() if row)
        found.update(record.get("submission_id") for record in self.wanted_reviews)
        return found

    def written(self) -> dict[str, tuple[_Record, dict]]:
        """The submissions this batch inserted: the row as stored, the record as pushed."""
        return {record_id: (row, self.records["submission"][record_id])
                for record_id, row in self.new["submission"].items()}

    def _load(self, entity: str, ids) -> None:
        table = SUBMISSIONS if entity == "submission" else REVIEWS
        cache = self.rows[entity]
        missing = sorted(i for i in ids if i not in cache)
        for start in range(0, len(missing), CHUNK):
            chunk = missing[start:start + CHUNK]
            for record_id in chunk:
                cache[record_id] = None
            for row in self.conn.execute(sa.select(table).where(among(table.c.id, chunk))):
                cache[row.id] = _Record(row._mapping)

    def row(self, entity: str, record_id: str) -> _Record | None:
        if record_id not in self.rows[entity]:
            self._load(entity, [record_id])
        return self.rows[entity][record_id]

    def apply(self, item: PushItem, record: dict, now: str, stored: str) -> ItemResult:
        device = self.device
        if item.entity == "comment":
            return self._reply(item, record, now)
        row = self.row(item.entity, item.id)
        if row is not None and row.author_id != device.user_id:
            return _rejected(item, f"id: this {item.entity} belongs to another user.")
        if item.entity == "review" and item.op == "upsert":
            problem = _review_problem(device, record,
                                      self.row("submission", record["submission_id"]),
                                      self.assigned)
            if problem:
                return _rejected(item, problem)
        if item.entity == "submission" and item.op == "upsert":
            state = record["state"]
            if state in FINAL_STATES and (row is None or row.state != state):
                return _rejected(item, f"state: a device cannot mark an item {state}; "
                                       "reviewers decide that.")
        deleted = item.op == "delete"
        if row is None:
            revision = (item.base_revision or 0) + 1  # base given: a server restored from backup
            new = _Record({"id": item.id, "author_id": device.user_id, "device_id": device.id,
                           "payload": stored,
                           "revision": revision, "server_seq": self.seqs.next(),
                           "deleted": deleted,
                           "created_at": now, "updated_at": now, "changed_by": device.id,
                           **_ENTITY_COLUMNS[item.entity],
                           **_columns(item.entity, record, item.op, self.tasks)})
            self.rows[item.entity][item.id] = self.new[item.entity][item.id] = new
            self.records[item.entity][item.id] = record
            return _created(item, revision)
        if _same(row, record, item.op):
            return _created(item, row.revision)  # nothing to change
        if item.base_revision != row.revision:
            return _conflict(item, row)
        if item.entity == "submission" and row.state in FINAL_STATES and not row.deleted:
            if not self._revisable(item, record, row):
                return _rejected(item, f"state: this item was {row.state} by a reviewer; "
                                       "it is final.")
            self.revised.add(row.id)
        revision = row.revision + 1
        row.update(payload=stored, revision=revision,
                   server_seq=self.seqs.next(), deleted=deleted, updated_at=now,
                   changed_by=device.id,
                   **_columns(item.entity, record, item.op, self.tasks))
        if item.id not in self.new[item.entity]:
            self.changed[item.entity][item.id] = row
        self.records[item.entity][item.id] = record
        return _created(item, revision)

    def _revisable(self, item: PushItem, record: dict, row: _Record) -> bool:
        """A rejected item its author was given feedback on may be revised: back to a draft
        or submitted again (for review anew; :mod:`sync.server.work.decisions` kept the
        rejection). Accepted items, and rejections without a word, stay final."""
        return (row.state == "rejected" and item.op == "upsert"
                and record.get("state") in ("draft", "submitted")
                and feedback.has_feedback(self.conn, row.id))

    def _reply(self, item: PushItem, record: dict, now: str) -> ItemResult:
        """The author's reply to feedback on their item: stored once, never changed."""
        existing = self.conn.execute(sa.select(COMMENTS.c.author_id, COMMENTS.c.payload)
                                     .where(COMMENTS.c.id == item.id)).first()
        if existing is not None:
            stored = json.loads(existing.payload)
            if (existing.author_id == self.device.user_id and item.op == "upsert"
                    and stored.get("body") == comment_body(record.get("body"))
                    and stored.get("reply_to") == record.get("reply_to")):
                return _created(item, 1)  # the same reply again: nothing to change
            return _rejected(item, "id: a reply cannot be changed or withdrawn once sent.")
        if item.op == "delete":
            return _rejected(item, "id: a reply cannot be changed or withdrawn once sent.")
        problem = feedback.reply_problem(self.conn, self.device, record, self.replied)
        if problem:
            return _rejected(item, problem)
        feedback.store_reply(self.conn, self.seqs, self.device, record,
                             comment_body(record["body"]), now)
        self.replied.add(record["reply_to"])
        return _created(item, 1)

    def flush(self) -> None:
        for entity, table in (("submission", SUBMISSIONS), ("review", REVIEWS)):
            changed = list(self.changed[entity].values())
            if changed:
                columns = [*_UPDATED, *_ENTITY_COLUMNS[entity]]
                statement = table.update().where(table.c.id == sa.bindparam("key")).values(
                    {name: sa.bindparam(f"new_{name}") for name in columns})
                self.conn.execute(statement, [
                    {"key": row.id, **{f"new_{name}": row[name] for name in columns}}
                    for row in changed])
            insert_many(self.conn, table, list(self.new[entity].values()))

    def distribute(self, now: str) -> None:
        """After :meth:`flush`: complete the user's leases for what was done and keep the
        review tasks of the written submissions in step (:mod:`sync.server.work.distribution`)."""
        written = {entity: [*self.new[entity].values(), *self.changed[entity].values()]
                   for entity in ("submission", "review")}
        if written["submission"] or written["review"]:
            distribution.after_push(self.conn, self.seqs, self.device.user_id,
                                    written["submission"], written["review"], now,
                                    records=self.records)
        if written["review"]:
            feedback.review_reasons(self.conn, self.seqs, written["review"], now,
                                    pushed=self.records["review"])
        if self.revised:
            distribution.review_again(self.conn, sorted(self.revised))


def _repeat(item: PushItem, earlier) -> ItemResult:
    if earlier.hash != item.hash or earlier.record_id != item.id:
        return _rejected(item, f"seq: sequence number {item.seq} was reused for different "
                               "content; a device must never reuse a number.")
    if earlier.status == "rejected":
        return _rejected(item, earlier.reason or "rejected earlier")
    return ItemResult(seq=item.seq, id=item.id, status=ItemStatus.duplicate,
                      revision=earlier.revision)


def _rejected(item: PushItem, reason: str) -> ItemResult:
    return ItemResult(seq=item.seq, id=item.id, status=ItemStatus.rejected, reason=reason)


def _created(item: PushItem, revision: int) -> ItemResult:
    return ItemResult(seq=item.seq, id=item.id, status=ItemStatus.created, revision=revision)


def _conflict(item: PushItem, row) -> ItemResult:
    return ItemResult(seq=item.seq, id=item.id, status=ItemStatus.conflict,
                      server_revision=row.revision, server_payload=row.payload)


def _same(row, record: dict, op: str) -> bool:
    if op == "delete":
        return bool(row.deleted)
    return not row.deleted and content(json.loads(row.payload)) == content(record)


def _stored(record: dict, author_id: str, *, deleted: bool) -> str:
    if deleted:
        return freeze({"id": record["id"], "user_id": author_id, "deleted": True})
    return freeze({**record, "user_id": author_id})


def _columns(entity: str, record: dict, op: str, tasks: dict[str, dict]) -> dict:
    if op == "delete":
        return {}
    if entity == "submission":
        prompt, completion = measured_distances(record["kind"], record,
                                                tasks.get(record.get("task_id") or ""))
        return {"language": record["language"], "kind": record["kind"],
                "state": record["state"], "task_id": record.get("task_id"),
                "project_id": record.get("project_id"), "prompt_distance": prompt,
                "completion_distance": completion}
    return {"submission_id": record["submission_id"]}


def _review_problem(device: Device, record: dict, target, assigned: set[str]) -> str | None:
    if device.blocked:
        # A review exercises a reviewer's right over someone else's work, which a block
        # withdraws (DESIGN.md invariant 6); refused, not held, so it never reaches the
        # author's devices, ratings or acceptance, and the device keeps it with this reason.
        return ("review: your account is blocked, so the server takes no reviews from you "
                "until a coordinator lifts the block; your own items are still received.")
    if target is None or target.deleted or target.state == "draft":
        return (f"submission_id: the server has no submitted item "
                f"{record['submission_id']!r} to review.")
    if target.author_id == device.user_id:
        return "submission_id: nobody reviews their own work."
    if device.role == "coordinator":
        return None
    if device.role == "reviewer" and target.language in device.languages:
        return None
    if target.id not in assigned:
        return "submission_id: you were not asked to review this item."
    return None
