"""Push, pull, digest and ids as plain transaction functions.

The HTTP layer and offline bundles call exactly these, so a bundle imported twice is as
harmless as a batch pushed twice:

    result = apply_push(engine, device, batch)          # one transaction, idempotent
    page = pull_page(engine, device, cursor=0)
    answer = digest(engine, device, DigestRequest(...))

``engine`` may be an :class:`~sqlalchemy.engine.Engine` (each call is its own transaction,
retried on contention) or a connection inside :func:`sync.server.db.write_transaction`.
How change numbers stay gap-free under concurrency: see :mod:`sync.server.db`.

Who sees what (pull), per DESIGN.md invariant 6:

* projects: everyone; tasks: those leased to the user, live, done or expired (coordinators:
  all; see :mod:`sync.server.work.distribution`);
* submissions: the user's own (from any of their devices, drafts and tombstones included);
  non-draft submissions they are assigned to review; for reviewers, non-draft submissions in
  their languages; for coordinators, every non-draft submission;
* reviews: the user's own, those of the user's submissions, and for reviewers and
  coordinators those they can see the submission of;
* a blocked user (``Device.blocked``, whatever their role): only their own submissions and
  reviews, the projects, and the tasks they leased that hold nobody else's work; a review
  they push is refused (``_review_problem``), their own items are received and held;
* but never a submission or review whose latest change this very device pushed
  (``changed_by``): it holds that version and learned its revision from the push answer.
  Server-side changes (:mod:`sync.server.work.decisions`) clear ``changed_by``; a repair
  (``ids``) clears it for the records the device must pull again.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from app import clock
from sync.protocol import (
    DEFAULT_PULL_LIMIT,
    ID_PATTERN,
    MAX_PULL_LIMIT,
    MAX_SEQ,
    DigestRequest,
    DigestResult,
    ErrorCode,
    IdsRequest,
    IdsResult,
    ItemResult,
    ItemStatus,
    PullItem,
    PullPage,
    PushBatch,
    PushItem,
    PushResult,
    freeze,
    record_digest,
)
from sync.server import tables
from sync.server.db import Sequence, current_seq, read, run_write
from sync.server.errors import ServerError
from sync.server.payloads import FINAL_STATES, check_item, content
from sync.server.people.server_identity import server_identity
from sync.server.people.users import Device
from sync.server.work import distribution
from sync.server.work.acceptance import EDIT_KINDS, measured_distances, task_payloads

Target = Engine | Connection
CHUNK = 500  # ids per IN (...) list
S, R, P, T = tables.submissions, tables.reviews, tables.projects, tables.tasks
A = tables.review_assignments


# --- push ------------------------------------------------------------------------------------


def apply_push(target: Target, device: Device, batch: PushBatch) -> PushResult:
    """Apply a batch in one transaction; answer every item (see sync.protocol.ItemStatus).

    A poison item is answered ``rejected`` and never fails the rest of the batch.
    """
    if batch.device_id != device.id:
        raise ServerError(ErrorCode.forbidden,
                          f"This batch is from device {batch.device_id}, but the token belongs "
                          f"to device {device.id}.")
    checked = [(item, *check_item(item, device)) for item in batch.items]  # no DB needed
    return run_write(target, lambda conn: _push(conn, device, batch, checked))


def _push(conn: Connection, device: Device, batch: PushBatch, checked) -> PushResult:
    """The batch's writes, set-wise: existing rows are read in chunks up front, every item is
    judged against an in-memory copy of the rows (so an id twice in one batch sees its own
    earlier change), and the new rows, updates and applied items are written with one
    executemany each. Same answers, same single transaction, same write lock as item by item.
    """
    seqs = Sequence(conn)  # the write lock: everything committed before is visible now
    ai = tables.applied_items
    prior = {}
    numbers = sorted({item.seq for item, _, _ in checked if item.seq <= MAX_SEQ})
    for start in range(0, len(numbers), CHUNK):
        for row in conn.execute(sa.select(ai).where(
                ai.c.device_id == device.id, ai.c.seq.in_(numbers[start:start + CHUNK]))):
            prior[row.seq] = row
    work = _Writes(conn, device, seqs, [(item, record) for item, record, problem in checked
                                        if problem is None and item.seq not in prior])
    now = clock.utc_now()
    results = []
    applied = []
    for item, record, problem in checked:
        earlier = prior.get(item.seq)
        if earlier is not None:
            results.append(_repeat(item, earlier))
            continue
        result = work.apply(item, record, now) if problem is None else _rejected(item, problem)
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
    if applied:
        conn.execute(ai.insert(), applied)
    d = tables.devices
    high = max((s for s, row in prior.items() if row.status != "conflict"), default=0)
    if high:
        conn.execute(d.update().where(d.c.id == device.id, d.c.high_water < high)
                     .values(high_water=high))
    high_water = conn.execute(sa.select(d.c.high_water).where(d.c.id == device.id)).scalar()
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
        wanted = {"submission": set(), "review": set()}
        for item, record in items:
            wanted[item.entity].add(item.id)
            if item.entity == "review" and item.op == "upsert":
                wanted["submission"].add(record["submission_id"])
        for entity, ids in wanted.items():
            self._load(entity, ids)
        # The tasks edits started from: the server measures each edit against its own copy.
        self.tasks = task_payloads(conn, {
            record.get("task_id") for item, record in items
            if item.entity == "submission" and item.op == "upsert"
            and record.get("kind") in EDIT_KINDS and record.get("task_id")})

    def _load(self, entity: str, ids) -> None:
        table = S if entity == "submission" else R
        cache = self.rows[entity]
        missing = sorted(i for i in ids if i not in cache)
        for start in range(0, len(missing), CHUNK):
            chunk = missing[start:start + CHUNK]
            for record_id in chunk:
                cache[record_id] = None
            for row in self.conn.execute(sa.select(table).where(table.c.id.in_(chunk))):
                cache[row.id] = _Record(row._mapping)

    def row(self, entity: str, record_id: str) -> _Record | None:
        if record_id not in self.rows[entity]:
            self._load(entity, [record_id])
        return self.rows[entity][record_id]

    def apply(self, item: PushItem, record: dict, now: str) -> ItemResult:
        device = self.device
        row = self.row(item.entity, item.id)
        if row is not None and row.author_id != device.user_id:
            return _rejected(item, f"id: this {item.entity} belongs to another user.")
        if item.entity == "review" and item.op == "upsert":
            problem = _review_problem(self.conn, device, record,
                                      self.row("submission", record["submission_id"]))
            if problem:
                return _rejected(item, problem)
        if item.entity == "submission" and item.op == "upsert":
            state = record["state"]
            if state in FINAL_STATES and (row is None or row.state != state):
                return _rejected(item, f"state: a device cannot mark an item {state}; "
                                       "reviewers decide that.")
        stored = _stored(record, device.user_id, deleted=item.op == "delete")
        if row is None:
            revision = (item.base_revision or 0) + 1  # base given: a server restored from backup
            new = _Record({"id": item.id, "author_id": device.user_id, "device_id": device.id,
                           "payload": stored, "revision": revision,
                           "server_seq": self.seqs.next(), "deleted": item.op == "delete",
                           "created_at": now, "updated_at": now, "changed_by": device.id,
                           **_ENTITY_COLUMNS[item.entity],
                           **_columns(item.entity, record, item.op, self.tasks)})
            self.rows[item.entity][item.id] = self.new[item.entity][item.id] = new
            return _created(item, revision)
        if _same(row, record, item.op):
            return _created(item, row.revision)  # nothing to change
        if item.base_revision != row.revision:
            return _conflict(item, row)
        if item.entity == "submission" and row.state in FINAL_STATES and not row.deleted:
            return _rejected(item, f"state: this item was {row.state} by a reviewer; it is final.")
        revision = row.revision + 1
        row.update(payload=stored, revision=revision, server_seq=self.seqs.next(),
                   deleted=item.op == "delete", updated_at=now, changed_by=device.id,
                   **_columns(item.entity, record, item.op, self.tasks))
        if item.id not in self.new[item.entity]:
            self.changed[item.entity][item.id] = row
        return _created(item, revision)

    def flush(self) -> None:
        for entity, table in (("submission", S), ("review", R)):
            changed = list(self.changed[entity].values())
            if changed:
                columns = [*_UPDATED, *_ENTITY_COLUMNS[entity]]
                statement = table.update().where(table.c.id == sa.bindparam("key")).values(
                    {name: sa.bindparam(f"new_{name}") for name in columns})
                self.conn.execute(statement, [
                    {"key": row.id, **{f"new_{name}": row[name] for name in columns}}
                    for row in changed])
            new = list(self.new[entity].values())
            if new:
                self.conn.execute(table.insert(), new)

    def distribute(self, now: str) -> None:
        """After :meth:`flush`: complete the user's leases for what was done and keep the
        review tasks of the written submissions in step (:mod:`sync.server.work.distribution`)."""
        written = {entity: [*self.new[entity].values(), *self.changed[entity].values()]
                   for entity in ("submission", "review")}
        if written["submission"] or written["review"]:
            distribution.after_push(self.conn, self.seqs, self.device.user_id,
                                    written["submission"], written["review"], now)


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


def _review_problem(conn: Connection, device: Device, record: dict, target) -> str | None:
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
    assigned = conn.execute(sa.select(A.c.user_id).where(
        A.c.submission_id == target.id, A.c.user_id == device.user_id)).first()
    if assigned is None:
        return "submission_id: you were not asked to review this item."
    return None


# --- pull ------------------------------------------------------------------------------------


def _visible(device: Device) -> dict[str, sa.ColumnElement]:
    """Per entity, the condition a row must meet for this device's user to see it."""
    leased = sa.select(tables.task_leases.c.task_id).where(
        tables.task_leases.c.user_id == device.user_id)
    if device.blocked:
        return _visible_when_blocked(device, leased)
    coordinator = device.role == "coordinator"
    langs = list(device.languages)
    shared = sa.and_(S.c.state != "draft", S.c.deleted == sa.false())
    assigned = sa.exists().where(A.c.submission_id == S.c.id, A.c.user_id == device.user_id)
    submission_rules = [S.c.author_id == device.user_id, sa.and_(shared, assigned)]
    if coordinator:
        submission_rules.append(shared)
    elif device.role == "reviewer":
        submission_rules.append(sa.and_(shared, S.c.language.in_(langs)))
    review_of = sa.select(S.c.id).where(S.c.author_id == device.user_id)
    review_rules = [R.c.author_id == device.user_id, R.c.submission_id.in_(review_of)]
    if coordinator:
        review_rules.append(sa.true())
    elif device.role == "reviewer":
        review_rules.append(R.c.submission_id.in_(
            sa.select(S.c.id).where(S.c.language.in_(langs))))
    return {
        "project": sa.true(),
        # Work reaches a user through a lease (sync.server.work.distribution), and stays with them
        # after it is done or expired: a late result still counts.
        "task": sa.true() if coordinator else T.c.id.in_(leased),
        "submission": sa.or_(*submission_rules),
        "review": sa.or_(*review_rules),
    }


def _visible_when_blocked(device: Device, leased) -> dict[str, sa.ColumnElement]:
    """What a blocked user still sees: nothing anyone else wrote (DESIGN.md invariant 6).

    Their own submissions and reviews (a decision on their item is a change of that item),
    the projects, and the tasks they leased that are not about another person's work (a
    review task carries a peer's item); not their assigned items, nor others' reviews of
    their work. Rows a device pulled before the block stay on it: pull sends no deletions.
    """
    return {
        "project": sa.true(),
        "task": sa.and_(T.c.id.in_(leased), sa.or_(T.c.author_id.is_(None),
                                                   T.c.author_id == device.user_id)),
        "submission": S.c.author_id == device.user_id,
        "review": R.c.author_id == device.user_id,
    }


def _not_echoed(device: Device) -> dict[str, sa.ColumnElement]:
    """Per entity, leave out rows whose latest change this very device pushed: it already
    holds them and learned their revision from the push answer (other devices of the same
    user still get them; a change made on the server clears ``changed_by``)."""
    return {entity: sa.or_(table.c.changed_by.is_(None), table.c.changed_by != device.id)
            if entity in ("submission", "review") else sa.true()
            for entity, table in tables.RECORD_TABLES.items()}


def pull_page(target: Target, device: Device, *, cursor: int = 0,
              limit: int = DEFAULT_PULL_LIMIT) -> PullPage:
    """Changes visible to the device's user after ``cursor``, in server_seq order."""
    limit = max(1, min(int(limit), MAX_PULL_LIMIT))

    def work(conn: Connection) -> PullPage:
        head = current_seq(conn)  # read first: every number up to it is committed
        rules = _visible(device)
        mine = _not_echoed(device)
        parts = []
        for entity, table in tables.RECORD_TABLES.items():
            parts.append(
                sa.select(sa.literal_column(f"'{entity}'").label("entity"), table.c.id,
                          table.c.revision, table.c.deleted, table.c.payload,
                          table.c.server_seq)
                .where(table.c.server_seq > cursor, rules[entity], mine[entity])
                .order_by(table.c.server_seq).limit(limit + 1).subquery()
            )
        union = sa.union_all(*[sa.select(part) for part in parts]).subquery()
        rows = conn.execute(
            sa.select(union).order_by(union.c.server_seq).limit(limit + 1)
        ).all()
        more = len(rows) > limit
        rows = rows[:limit]
        items = [PullItem(cursor=r.server_seq, entity=r.entity, id=r.id, revision=r.revision,
                          deleted=bool(r.deleted), payload=r.payload) for r in rows]
        # Nothing more for this user up to head: skip past what only others can see.
        next_cursor = rows[-1].server_seq if more else max([head, *(r.server_seq for r in rows)])
        return PullPage(items=items, next_cursor=next_cursor, more=more,
                        server_id=server_identity(conn).server_id)

    page = read(target, work)
    if not isinstance(target, Connection):
        d = tables.devices
        run_write(target, lambda conn: conn.execute(
            d.update().where(d.c.id == device.id, d.c.pull_cursor != cursor)
            .values(pull_cursor=cursor)))
    return page


def pending_changes(target: Target, device: Device, cursor: int) -> int:
    """How many visible changes lie after ``cursor`` (the `devices` listing's "pending")."""
    rules = _visible(device)
    mine = _not_echoed(device)

    def work(conn):
        return sum(
            conn.execute(sa.select(sa.func.count()).select_from(table).where(
                table.c.server_seq > cursor, rules[entity], mine[entity])).scalar()
            for entity, table in tables.RECORD_TABLES.items()
        )

    return read(target, work)


# --- digest and ids --------------------------------------------------------------------------


def _held(conn: Connection, device: Device, entity: str) -> dict[str, int]:
    """What a synced device of this user holds: the user's live records of ``entity``.

    A device keeps its user's submissions from all of their devices (pull sends them), so
    both ends compare the user's records, not only those this device created.
    """
    table = S if entity == "submission" else R
    rows = conn.execute(sa.select(table.c.id, table.c.revision).where(
        table.c.author_id == device.user_id, table.c.deleted == sa.false()))
    return {r.id: r.revision for r in rows}


def digest(target: Target, device: Device, request: DigestRequest) -> DigestResult:
    def work(conn: Connection) -> DigestResult:
        head = current_seq(conn)
        held = _held(conn, device, request.entity)
        server_digest = record_digest(held.items())
        return DigestResult(
            match=len(held) == request.count and server_digest == request.digest,
            server_count=len(held), server_digest=server_digest, server_cursor=head,
            server_behind=request.cursor > head,
        )

    return read(target, work)


def ids(target: Target, device: Device, request: IdsRequest) -> IdsResult:
    table = S if request.entity == "submission" else R

    def work(conn: Connection) -> IdsResult:
        held = _held(conn, device, request.entity)
        # Ids that no record can have (not sync.protocol.Id) are never looked up.
        wanted = [record_id for record_id in request.ids if ID_PATTERN.fullmatch(record_id)]
        found = {}
        for start in range(0, len(wanted), CHUNK):
            for row in conn.execute(sa.select(table.c.id, table.c.author_id, table.c.revision,
                                              table.c.deleted)
                                    .where(table.c.id.in_(wanted[start:start + CHUNK]))):
                found[row.id] = row
        missing, stale = [], []
        for record_id, revision in request.ids.items():
            row = found.get(record_id)
            if row is None:
                missing.append(record_id)
            elif row.author_id != device.user_id:
                continue  # not the user's: nothing to repair either way
            elif row.deleted or revision < row.revision:
                stale.append(record_id)
            elif revision > row.revision:
                missing.append(record_id)  # the server lost changes (restored from backup)
        stale.extend(record_id for record_id in held if record_id not in request.ids)
        return IdsResult(missing_on_server=sorted(missing), stale_on_device=sorted(stale))

    result = read(target, work)
    if result.stale_on_device:
        # The device pulls these again from cursor 0; those it pushed itself last would be
        # left out of its pages (see _not_echoed) unless they are marked as changed elsewhere.
        def forget(conn: Connection) -> None:
            stale = result.stale_on_device
            for start in range(0, len(stale), CHUNK):
                conn.execute(table.update().where(
                    table.c.id.in_(stale[start:start + CHUNK]),
                    table.c.changed_by == device.id).values(changed_by=None))

        run_write(target, forget)
    return result
