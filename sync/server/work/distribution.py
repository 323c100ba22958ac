"""Handing out work: per-language queues, leases, the audit cap, and peer-review tasks.

    result = serve_work(engine, device)            # WorkResult: leased, open, queued
    rows = queue_status(engine, language="urd_Arab")  # per language and kind, for coordinators
    leases = list_leases(engine, user="Amina")

A device asks for work once per sync (``POST /v1/work``, :mod:`sync.server.api.work`); the
tasks it is given arrive with its next pull. The rules, each a project setting
(:class:`sync.server.work.projects.Distribution`):

* a user holds at most ``page_size`` open leases per project (not done, not expired); a
  request tops them up, choosing tasks in the user's languages: human-written first, then
  templated, then machine-translated, oldest first within each;
* nobody is served their own work (a task whose ``author_id`` is theirs), a task they hold a
  lease on already (live, done or expired), or one they already did without a lease;
* a task is served to at most ``audits_per_item`` users whose lease is live or done; an
  expired, unfinished lease frees its place, but its holder keeps the task and a late result
  still completes the lease (:func:`after_push`);
* blocked users get nothing, and a block hands back what they held (:func:`release_blocked`);
  coordinators lease nothing (they see every task); auditors rate audit samples, not the
  queue.

Leasing happens in one write transaction that first takes the change sequence's lock
(:class:`sync.server.db.Sequence`), so two devices asking at once never exceed the cap.

Peer review: when a push makes a submission submitted and it is an original, or an edit
that changed something, :func:`after_push` makes a ``review`` task of it (id from
:func:`review_task_id`), authored by the submission's author so it is never served to them.
Leasing a review task also asks its holder to review the submission (``review_assignments``),
which is what lets them push the review.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from app import clock
from app.kinds import EDIT_KINDS, ORIGINS
from sync.protocol import ErrorCode, WorkResult, freeze
from sync.server import tables
from sync.server.db import Sequence, insert_many, read, run_write
from sync.server.errors import ServerError
from sync.server.exchange.changes import change_records, resequence
from sync.server.exchange.payloads import content
from sync.server.people.users import Device, get_user
from sync.server.work.acceptance import starting_text, task_payloads
from sync.server.work.projects import Distribution, load_settings

Target = Engine | Connection
ASSIGNMENTS = tables.review_assignments
LEASES = tables.task_leases
PROJECTS = tables.projects
REVIEWS = tables.reviews
SUBMISSIONS = tables.submissions
TASKS = tables.tasks
USERS = tables.users
CHUNK = 500
QUEUED_COUNT_CAP = 10_000  # WorkResult.queued counts this far at most
REVIEWED_KINDS = ("original", *EDIT_KINDS)
# Work is served in the order of ``tasks.origin``: the values sort alphabetically in the order
# they are served (human, templated, translated), so the (language, origin, created_at) index
# yields tasks in serving order and a request stops after a page.
SERVING_ORDER = ORIGINS
assert tuple(sorted(SERVING_ORDER)) == SERVING_ORDER, "origins must sort in serving order"

def _now(now: datetime | None) -> datetime:
    return now if now is not None else datetime.now(UTC)


# --- serving ---------------------------------------------------------------------------------


def _active(now: str) -> sa.ColumnElement:
    """A lease that holds a place under the audit cap: done, or not yet expired."""
    return sa.or_(LEASES.c.done_at.is_not(None), LEASES.c.expires_at > now)


def _open(user_id: str, now: str) -> sa.ColumnElement:
    return sa.and_(LEASES.c.user_id == user_id, LEASES.c.done_at.is_(None),
                   LEASES.c.expires_at > now)


def _eligible(user_id: str, now: str) -> list[sa.ColumnElement]:
    """What a task must meet to be served to ``user_id`` (besides language, project, cap)."""
    active = (sa.select(sa.func.count()).select_from(LEASES)
              .where(LEASES.c.task_id == TASKS.c.id, _active(now)).scalar_subquery())
    return [
        TASKS.c.deleted == sa.false(),
        sa.or_(TASKS.c.author_id.is_(None), TASKS.c.author_id != user_id),
        ~sa.exists().where(LEASES.c.task_id == TASKS.c.id, LEASES.c.user_id == user_id),
        # worked on already (before leases existed, or without one): not offered again
        ~sa.exists().where(SUBMISSIONS.c.task_id == TASKS.c.id, SUBMISSIONS.c.author_id == user_id),
        sa.or_(TASKS.c.review_of.is_(None), ~sa.exists().where(
            REVIEWS.c.submission_id == TASKS.c.review_of, REVIEWS.c.author_id == user_id)),
        # a blocked contributor's work is held: it is not sent out for review
        sa.or_(TASKS.c.author_id.is_(None), ~sa.exists().where(
            USERS.c.id == TASKS.c.author_id, USERS.c.blocked_at.is_not(None))),
        active,
    ]


def _in_project(project_id: str | None) -> sa.ColumnElement:
    """Tasks of this project (``None``: tasks of no project)."""
    if project_id is None:
        return TASKS.c.project_id.is_(None)
    return TASKS.c.project_id == project_id


def _candidates(conn: Connection, user_id: str, languages, project_id: str | None,
                cap: int, now: str, limit: int) -> list:
    """Up to ``limit`` tasks of one project to serve, in serving order.

    One query per language, each walking the (language, origin, created_at) index and
    stopping at ``limit``; the lists are merged in the same order.
    """
    *rules, active = _eligible(user_id, now)
    same_project = _in_project(project_id)
    found = []
    for language in languages:
        found += conn.execute(
            sa.select(TASKS.c.id, TASKS.c.origin, TASKS.c.created_at, TASKS.c.review_of)
            .where(TASKS.c.language == language, same_project, active < cap, *rules)
            .order_by(TASKS.c.origin, TASKS.c.created_at, TASKS.c.id).limit(limit)
        ).all()
    found.sort(key=lambda row: (row.origin, row.created_at, row.id))
    return found[:limit]


def _waiting(conn: Connection, user_id: str, languages, project_id: str | None, cap: int,
             now: str) -> int:
    """How many items still wait for this user, counted up to QUEUED_COUNT_CAP (a figure
    for the annotator's screen; counting a whole queue is not worth the time)."""
    *rules, active = _eligible(user_id, now)
    same_project = _in_project(project_id)
    some = (sa.select(TASKS.c.id).where(TASKS.c.language.in_(list(languages)), same_project,
                                        active < cap, *rules)
            .limit(QUEUED_COUNT_CAP).subquery())
    return conn.execute(sa.select(sa.func.count()).select_from(some)).scalar()


def serve_work(target: Target, device: Device, *, limit: int | None = None,
               now: datetime | None = None) -> WorkResult:
    """Top up the user's open leases to each project's page size (``limit`` may lower it).

    ``now`` is for tests and tools that replay time; leases run from it.
    """
    if limit is not None and limit < 1:
        raise ServerError(ErrorCode.invalid_request, "limit: ask for at least one item.")
    moment = _now(now)
    stamp = clock.stamp(moment)

    def work(conn: Connection) -> tuple[WorkResult, tuple[str, ...]]:
        caps.clear()  # run_write may run this again after a conflict
        seqs = Sequence(conn)  # the write lock first: the cap counts below cannot go stale
        user = conn.execute(sa.select(USERS.c.role, USERS.c.blocked_at, USERS.c.languages)
                            .where(USERS.c.id == device.user_id)).first()
        if user is None or user.blocked_at is not None or user.role in ("coordinator",
                                                                        "auditor"):
            return WorkResult(leased=0, open=0, queued=0), ()
        languages = tuple(sorted(json.loads(user.languages)))
        if not languages:
            return WorkResult(leased=0, open=0, queued=0), ()
        open_by_project = dict(conn.execute(
            sa.select(TASKS.c.project_id, sa.func.count())
            .select_from(LEASES.join(TASKS, TASKS.c.id == LEASES.c.task_id))
            .where(_open(device.user_id, stamp)).group_by(TASKS.c.project_id)).all())
        projects = [row.project_id for row in conn.execute(
            sa.select(TASKS.c.project_id).distinct().where(
                TASKS.c.language.in_(languages), TASKS.c.deleted == sa.false()))]
        budget = None if limit is None else max(0, limit - sum(open_by_project.values()))
        leased = []
        for project_id in sorted(projects, key=lambda p: (p is None, p or "")):
            rules = load_settings(conn, project_id).distribution
            page = rules.page_size if limit is None else min(rules.page_size, limit)
            want = max(0, page - open_by_project.get(project_id, 0))
            if budget is not None:
                want = min(want, budget)
            chosen = []
            if want:
                chosen = _candidates(conn, device.user_id, languages, project_id,
                                     rules.audits_per_item, stamp, want)
                _lease(conn, seqs, device, chosen, moment, rules)
                leased += chosen
                if budget is not None:
                    budget -= len(chosen)
            caps.append((project_id, rules.audits_per_item))
        seqs.save()
        holding = conn.execute(sa.select(sa.func.count()).select_from(LEASES)
                               .where(_open(device.user_id, stamp))).scalar()
        return WorkResult(leased=len(leased), open=holding, queued=0), languages

    caps: list[tuple[str | None, int]] = []
    result, languages = run_write(target, work)
    if not caps:
        return result
    # What still waits is counted after the write lock is released: pushes need that lock.
    queued = read(target, lambda conn: sum(
        _waiting(conn, device.user_id, languages, project_id, cap, stamp)
        for project_id, cap in caps))
    return result.model_copy(update={"queued": min(queued, QUEUED_COUNT_CAP)})


def _lease(conn: Connection, seqs: Sequence, device: Device, chosen: list, moment: datetime,
           rules: Distribution) -> None:
    if not chosen:
        return
    stamp = clock.stamp(moment)
    expires = clock.stamp(moment + timedelta(hours=rules.lease_hours))
    conn.execute(LEASES.insert(), [
        {"task_id": row.id, "user_id": device.user_id, "device_id": device.id,
         "leased_at": stamp, "expires_at": expires, "done_at": None} for row in chosen])
    # A new number for each task: the device's cursor may be past the old one (it was not
    # visible to this user before), so it arrives with the next pull.
    resequence(conn, seqs, TASKS, [row.id for row in chosen])
    reviews = sorted({row.review_of for row in chosen if row.review_of})
    if not reviews:
        return
    present = {r.submission_id for r in conn.execute(
        sa.select(ASSIGNMENTS.c.submission_id).where(ASSIGNMENTS.c.user_id == device.user_id,
                                                     ASSIGNMENTS.c.submission_id.in_(reviews)))}
    existing = {r.id for r in conn.execute(sa.select(SUBMISSIONS.c.id)
                                           .where(SUBMISSIONS.c.id.in_(reviews)))}
    asked = [sid for sid in reviews if sid in existing and sid not in present]
    if asked:
        conn.execute(ASSIGNMENTS.insert(), [{"submission_id": sid, "user_id": device.user_id,
                                             "created_at": stamp} for sid in asked])
        # The submission becomes visible to the reviewer (as engine.assign_review does); its
        # author's device keeps ``changed_by`` and is not sent its own text back.
        resequence(conn, seqs, SUBMISSIONS, asked)


# --- a block releases what was handed out ---------------------------------------------------


def release_blocked(conn: Connection, user_id: str, now: str) -> None:
    """Inside the transaction that blocks ``user_id``
    (:func:`sync.server.quality.moderation.block`): hand back what they were given, so it goes
    to someone else.

    Review work is taken back whole: unfinished review-task leases are deleted, and every
    request to review an item they have not reviewed yet (from a lease or from
    :func:`sync.server.work.decisions.assign_review`). Their other open leases end now: the place
    under the audit cap is freed, they keep the task, and a late result of theirs is held
    like the rest of their work.
    """
    unreviewed = ~sa.exists().where(REVIEWS.c.submission_id == ASSIGNMENTS.c.submission_id,
                                    REVIEWS.c.author_id == user_id, REVIEWS.c.deleted == sa.false())
    conn.execute(ASSIGNMENTS.delete().where(ASSIGNMENTS.c.user_id == user_id, unreviewed))
    review_tasks = sa.select(TASKS.c.id).where(TASKS.c.review_of.is_not(None))
    conn.execute(LEASES.delete().where(LEASES.c.user_id == user_id, LEASES.c.done_at.is_(None),
                                       LEASES.c.task_id.in_(review_tasks)))
    conn.execute(LEASES.update().where(_open(user_id, now)).values(expires_at=now))


# --- what a push completes and creates -------------------------------------------------------


def review_task_id(submission_id: str) -> str:
    """The id of the review task of a submission (an id of at most 64 characters)."""
    task_id = f"review:{submission_id}"
    if len(task_id) <= 64:
        return task_id
    return "review:" + hashlib.sha256(submission_id.encode()).hexdigest()[:56]


def after_push(conn: Connection, seqs: Sequence, user_id: str, submissions: Iterable[dict],
               reviews: Iterable[dict], now: str, *,
               records: Mapping[str, Mapping[str, dict]] | None = None) -> None:
    """Inside a push's transaction, for the submission and review rows it wrote
    (``exchange.push._Writes``): complete the user's leases and keep review tasks in step.
    ``records`` holds the records as pushed, by entity and id, already parsed (else each
    row's payload is read).

    A submitted (not draft) submission completes the lease of its ``task_id``; a review
    completes that of its ``task_id`` and of any review task of its submission — even when
    the lease expired and the task went to others: late results still count.
    """
    records = records or {}
    submissions = list(submissions)
    reviews = [row for row in reviews if not row["deleted"]]
    done = {row["task_id"] for row in submissions
            if row["task_id"] and not row["deleted"] and row["state"] != "draft"}
    done |= {_record(row, records.get("review")).get("task_id") for row in reviews} - {None}
    reviewed = sorted({row["submission_id"] for row in reviews if row["submission_id"]})
    for start in range(0, len(reviewed), CHUNK):
        done |= {r.id for r in conn.execute(sa.select(TASKS.c.id).where(
            TASKS.c.review_of.in_(reviewed[start:start + CHUNK])))}
    ids = sorted(i for i in done if isinstance(i, str))
    for start in range(0, len(ids), CHUNK):
        conn.execute(LEASES.update().where(LEASES.c.user_id == user_id, LEASES.c.done_at.is_(None),
                                           LEASES.c.task_id.in_(ids[start:start + CHUNK]))
                     .values(done_at=now))
    _review_tasks(conn, seqs, submissions, now, records.get("submission"))


def _record(row: Mapping, pushed: Mapping[str, dict] | None) -> dict:
    """The record a written row holds: as pushed when known, else read from its payload."""
    record = pushed.get(row["id"]) if pushed else None
    return record if record is not None else json.loads(row["payload"])


def review_again(conn: Connection, submission_ids: list[str]) -> None:
    """A rejected item revised and submitted again goes back to peer review: the leases of
    its review task end, so it is served afresh (the earlier reviews stay on record)."""
    task_ids = [review_task_id(i) for i in submission_ids]
    for start in range(0, len(task_ids), CHUNK):
        conn.execute(LEASES.delete().where(LEASES.c.task_id.in_(task_ids[start:start + CHUNK])))


def changed_something(record: dict, kind: str | None,
                      start: tuple[str | None, str | None] | None = None) -> bool:
    """Whether a submission is worth a peer's review: an original, or an edit whose prompt or
    completion differs from what it started from ("only edits that changed something").

    ``start`` is what the edit started from as the server knows it
    (:func:`sync.server.work.acceptance.starting_text`); by default the device's record of it."""
    if kind == "original":
        return True
    if kind not in EDIT_KINDS:
        return False
    if start is None:
        start = (record.get("original_inputs"), record.get("original_targets"))
    if start == (None, None):
        return True  # nothing to compare with: a person judges it
    if kind == "postedit":
        return record.get("targets") != start[1]
    return (record.get("inputs"), record.get("targets")) != start


def _started_from(conn: Connection, submissions: list[dict]) -> dict[str, dict]:
    """The server's copies of the tasks these edits started from, by task id."""
    return task_payloads(conn, {row["task_id"] for row in submissions
                                if row.get("task_id") and row["kind"] in EDIT_KINDS})


def _review_tasks(conn: Connection, seqs: Sequence, submissions: list[dict], now: str,
                  pushed: Mapping[str, dict] | None = None) -> None:
    """Create, update or withdraw the review task of each submission the push wrote, with
    one statement per kind of change."""
    if not submissions:
        return
    by_task = {review_task_id(row["id"]): row for row in submissions}
    ids = sorted(by_task)
    existing = {}
    for start in range(0, len(ids), CHUNK):
        for row in conn.execute(sa.select(TASKS).where(TASKS.c.id.in_(ids[start:start + CHUNK]))):
            existing[row.id] = row
    project_ids = sorted({row["project_id"] for row in submissions if row["project_id"]})
    known_projects = {r.id for r in conn.execute(
        sa.select(PROJECTS.c.id).where(PROJECTS.c.id.in_(project_ids)))} if project_ids else set()
    started_from = _started_from(conn, submissions)
    added, changed = [], []
    for task_id, row in by_task.items():
        current = existing.get(task_id)
        record = {} if row["deleted"] else _record(row, pushed)
        start = started_from.get(row["task_id"])
        start = starting_text(row["kind"], record, start)
        wanted = (not row["deleted"] and row["state"] != "draft" and row["kind"] in
                  REVIEWED_KINDS and changed_something(record, row["kind"], start))
        if not wanted:
            if current is not None and not current.deleted:
                # back to draft, deleted, or reverted to the original: nothing to review now
                changed.append((task_id, {"deleted": True}))
            continue
        project_id = row["project_id"] if row["project_id"] in known_projects else None
        task = {
            "id": task_id, "project_id": project_id, "kind": "review",
            "language": row["language"], "dialect": record.get("dialect"), "origin": "human",
            "instructions": "", "inputs": record["inputs"], "targets": record["targets"],
            "source_text": None, "mt_text": None,
            # the reviewer compares the edit with what it started from, as the server has it
            "original_inputs": start[0], "original_targets": start[1],
            "author": row["author_id"], "review_of": row["id"],
        }
        columns = {"project_id": project_id, "language": row["language"], "kind": "review",
                   "origin": "human", "author_id": row["author_id"], "review_of": row["id"]}
        if current is None:
            added.append({"id": task_id, "revision": 1, "server_seq": seqs.next(),
                          "payload": freeze({**task, "created_at": now, "updated_at": now}),
                          "deleted": False, "created_at": now, "updated_at": now, **columns})
            continue
        old = json.loads(current.payload)
        if not current.deleted and content(old) == content(task):
            continue
        created = old.get("created_at", current.created_at)
        changed.append((task_id, {"deleted": False, **columns, "payload": freeze(
            {**task, "created_at": created, "updated_at": now})}))
    change_records(conn, seqs, TASKS, changed, now=now)
    insert_many(conn, TASKS, added)  # one statement for a whole batch of new work


# --- what coordinators see -------------------------------------------------------------------


@dataclass(frozen=True)
class QueueStatus:
    """One language and kind of work. ``tasks`` = ``waiting`` + ``capped`` (live tasks);
    ``leased``, ``done`` and ``expired`` count leases (live, finished, lapsed unfinished)."""

    language: str
    kind: str
    tasks: int
    waiting: int     # may still be served to someone (below the audit cap)
    capped: int      # reached the audit cap with live or done leases
    leased: int
    done: int
    expired: int


def queue_status(target: Target, *, language: str | None = None,
                 now: datetime | None = None) -> list[QueueStatus]:
    """Per language and kind, how much work waits, is out, is done and lapsed."""
    stamp = clock.stamp(_now(now))

    def work(conn: Connection) -> list[QueueStatus]:
        live = sa.and_(LEASES.c.done_at.is_(None), LEASES.c.expires_at > stamp)
        lapsed = sa.and_(LEASES.c.done_at.is_(None), LEASES.c.expires_at <= stamp)
        stats = (sa.select(
            LEASES.c.task_id,
            sa.func.sum(sa.case((live, 1), else_=0)).label("live"),
            sa.func.sum(sa.case((LEASES.c.done_at.is_not(None), 1), else_=0)).label("done"),
            sa.func.sum(sa.case((lapsed, 1), else_=0)).label("expired"),
        ).group_by(LEASES.c.task_id).subquery())
        live_n = sa.func.coalesce(stats.c.live, 0)
        done_n = sa.func.coalesce(stats.c.done, 0)
        active = (live_n + done_n).label("active")
        query = (sa.select(TASKS.c.language, TASKS.c.kind, TASKS.c.project_id, active,
                           sa.func.count().label("tasks"),
                           sa.func.sum(live_n).label("live"),
                           sa.func.sum(done_n).label("done"),
                           sa.func.sum(sa.func.coalesce(stats.c.expired, 0)).label("expired"))
                 .select_from(TASKS.outerjoin(stats, stats.c.task_id == TASKS.c.id))
                 .where(TASKS.c.deleted == sa.false())
                 .group_by(TASKS.c.language, TASKS.c.kind, TASKS.c.project_id, active))
        if language is not None:
            query = query.where(TASKS.c.language == language)
        caps: dict[str | None, int] = {}
        totals: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0] * 6)
        for row in conn.execute(query):
            if row.project_id not in caps:
                caps[row.project_id] = load_settings(conn, row.project_id) \
                    .distribution.audits_per_item
            counts = totals[(row.language, row.kind)]
            counts[0] += row.tasks
            if row.active >= caps[row.project_id]:
                counts[2] += row.tasks
            else:
                counts[1] += row.tasks
            counts[3] += int(row.live or 0)
            counts[4] += int(row.done or 0)
            counts[5] += int(row.expired or 0)
        return [QueueStatus(lang, kind, *counts) for (lang, kind), counts in sorted(totals.items())]

    return read(target, work)


@dataclass(frozen=True)
class Lease:
    task_id: str
    language: str
    kind: str
    user: str
    device_id: str
    leased_at: str
    expires_at: str
    done_at: str | None
    state: str       # live | done | expired


def list_leases(target: Target, *, user: str | None = None, now: datetime | None = None,
                limit: int | None = None) -> list[Lease]:
    """Leases, newest first; ``user`` is a name or id (ServerError when unknown)."""
    stamp = clock.stamp(_now(now))

    def work(conn: Connection) -> list[Lease]:
        query = (sa.select(LEASES, TASKS.c.language, TASKS.c.kind, USERS.c.name)
                 .select_from(LEASES.join(TASKS, TASKS.c.id == LEASES.c.task_id)
                              .join(USERS, USERS.c.id == LEASES.c.user_id))
                 .order_by(LEASES.c.leased_at.desc(), LEASES.c.task_id))
        if user is not None:
            query = query.where(LEASES.c.user_id == get_user(conn, user).id)
        if limit is not None:
            query = query.limit(limit)
        return [Lease(r.task_id, r.language, r.kind, r.name, r.device_id, r.leased_at,
                      r.expires_at, r.done_at,
                      "done" if r.done_at else "live" if r.expires_at > stamp else "expired")
                for r in conn.execute(query)]

    return read(target, work)
