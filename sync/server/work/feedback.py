"""Feedback on an item, for its author: a coordinator's comments, reviewers' reasons, and the
author's one reply to each thread.

    comment_id = comment(engine, submission_id, "Use the formal register.", by=actor)
    thread(engine, submission_id)           # [Comment, ...] oldest first, replies beside
    has_feedback(conn, submission_id)       # may a rejected item be revised and resubmitted?

Who may write what (DESIGN.md invariant 6):

* a comment: a coordinator (not blocked) who coordinates the item's project
  (:func:`sync.server.work.projects.may_coordinate`), on the dashboard or the command line;
* a reviewer's reason: written by the server when a review with a reason is pushed
  (:func:`review_reasons`), one comment per review, kept in step with it;
* a reply: the item's author only, from a device (pushed as the entity ``comment``), once per
  thread — ``comments.reply_to`` is unique, so a second reply cannot exist even under a race.

Comments are records devices pull (:mod:`sync.server.exchange.pull`): only the item's author
pulls them (``recipient_id``), never other annotators. The text is checked like every stored
text (:func:`app.records.comment_body`: NFC, no NUL, bounded, something visible).
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from app import clock
from app.ids import new_id
from app.records import MAX_COMMENT_CHARS, RecordProblem, comment_body
from sync.protocol import ErrorCode, freeze
from sync.server import tables
from sync.server.db import Sequence, insert_many, read, run_write
from sync.server.errors import ServerError
from sync.server.exchange.changes import change_records
from sync.server.people import auditlog
from sync.server.people.auditlog import Actor
from sync.server.work.projects import may_coordinate

Target = Engine | Connection
COMMENTS = tables.comments
SUBMISSIONS = tables.submissions
USERS = tables.users
#: Kinds of comment that open a thread the author may answer.
THREAD_KINDS = ("comment", "review")
CHUNK = 500  # ids per IN (...) list
_REVIEW_NAMESPACE = uuid.UUID("0c5d3f8e-7b1a-4f0e-9a52-2d6c1e9b4a70")


@dataclass(frozen=True)
class Comment:
    id: str
    submission_id: str
    kind: str               # comment | review | reply
    body: str
    author_id: str
    author_name: str        # "" for a peer reviewer: reviews stay anonymous to the author
    reply_to: str | None
    created_at: str


def review_comment_id(review_id: str) -> str:
    """The id of the comment that carries a review's reason (the same on every push)."""
    return str(uuid.uuid5(_REVIEW_NAMESPACE, review_id))


def _body(text: str) -> str:
    try:
        return comment_body(text)
    except RecordProblem as exc:
        raise ServerError(ErrorCode.invalid_request,
                          f"body: {exc.template.format(**exc.values)}") from None


def comment(target: Target, submission_id: str, body: str, *, by: Actor) -> str:
    """A coordinator's comment on a submitted item, for its author; returns its id.

    The author's devices pull it; the action is written to the audit log in the same
    transaction. Raises :class:`ServerError` (forbidden, not_found, invalid_request)."""
    text = _body(body)

    def work(conn: Connection) -> str:
        seqs = Sequence(conn)
        row = _submission(conn, submission_id)
        _check_coordinator(conn, by, row.project_id)
        now = clock.utc_now()
        comment_id = new_id()
        payload = {"id": comment_id, "submission_id": row.id, "kind": "comment", "body": text,
                   "author_name": by.name, "reply_to": None, "created_at": now}
        conn.execute(COMMENTS.insert().values(
            id=comment_id, submission_id=row.id, project_id=row.project_id,
            author_id=by.user_id, recipient_id=row.author_id, kind="comment", reply_to=None,
            review_id=None, device_id=None, changed_by=None, payload=freeze(payload),
            revision=1, server_seq=seqs.next(), deleted=False, created_at=now, updated_at=now))
        auditlog.record(conn, "comment", by, subject=row.id, project_id=row.project_id,
                        detail={"comment": comment_id, "chars": len(text)})
        seqs.save()
        return comment_id

    return run_write(target, work)


def _submission(conn: Connection, submission_id: str):
    row = conn.execute(sa.select(SUBMISSIONS).where(SUBMISSIONS.c.id == submission_id)).first()
    if row is None or row.deleted or row.state == "draft":
        raise ServerError(ErrorCode.not_found, f"No submitted item {submission_id!r}.")
    return row


def _check_coordinator(conn: Connection, by: Actor, project_id: str | None) -> None:
    user = conn.execute(sa.select(USERS.c.role, USERS.c.blocked_at)
                        .where(USERS.c.id == by.user_id)).first() if by.user_id else None
    if user is None or user.role != "coordinator" or user.blocked_at is not None:
        raise ServerError(ErrorCode.forbidden, "Only a coordinator may comment on an item.")
    if not may_coordinate(conn, by.user_id, project_id):
        raise ServerError(ErrorCode.forbidden,
                          f"You do not coordinate project {project_id!r}; its coordinators "
                          "comment on its items.")


def thread(target: Target, submission_id: str) -> list[Comment]:
    """Every live comment on an item, oldest first (a reply follows what it answers)."""

    def work(conn: Connection) -> list[Comment]:
        rows = conn.execute(sa.select(COMMENTS.c.payload, COMMENTS.c.author_id,
                                      COMMENTS.c.kind)
                            .where(COMMENTS.c.submission_id == submission_id,
                                   COMMENTS.c.deleted == sa.false())
                            .order_by(COMMENTS.c.created_at, COMMENTS.c.id)).all()
        found = [_comment(row) for row in rows]
        replies = {c.reply_to: c for c in found if c.reply_to}
        ordered = []
        for c in found:
            if c.reply_to is None:
                ordered.append(c)
                if c.id in replies:
                    ordered.append(replies.pop(c.id))
        return ordered + list(replies.values())

    return read(target, work)


def _comment(row) -> Comment:
    payload = json.loads(row.payload)
    return Comment(payload["id"], payload["submission_id"], row.kind, payload.get("body", ""),
                   row.author_id, payload.get("author_name") or "", payload.get("reply_to"),
                   payload.get("created_at", ""))


def has_feedback(conn: Connection, submission_id: str) -> bool:
    """Whether the item's author was told something about it (a comment or a reviewer's
    reason): a rejected item with feedback may be revised and submitted again."""
    author = sa.select(SUBMISSIONS.c.author_id).where(SUBMISSIONS.c.id == submission_id)
    return conn.execute(sa.select(COMMENTS.c.id).where(
        COMMENTS.c.submission_id == submission_id, COMMENTS.c.kind.in_(THREAD_KINDS),
        COMMENTS.c.deleted == sa.false(), COMMENTS.c.recipient_id == author.scalar_subquery(),
    ).limit(1)).first() is not None


# --- inside a push ---------------------------------------------------------------------------


def reply_problem(conn: Connection, device, record: dict, replied: set[str]) -> str | None:
    """Why a pushed reply may not be stored (None: it may). ``replied`` holds the threads
    this batch has answered already."""
    if device.blocked:
        return ("comment: your account is blocked, so the server takes no replies from you "
                "until a coordinator lifts the block.")
    item = conn.execute(sa.select(SUBMISSIONS.c.author_id, SUBMISSIONS.c.deleted)
                        .where(SUBMISSIONS.c.id == record["submission_id"])).first()
    if item is None or item.deleted or item.author_id != device.user_id:
        return "submission_id: you may reply only to feedback on your own items."
    root = conn.execute(sa.select(COMMENTS.c.submission_id, COMMENTS.c.kind,
                                  COMMENTS.c.recipient_id, COMMENTS.c.deleted)
                        .where(COMMENTS.c.id == record["reply_to"])).first()
    if (root is None or root.deleted or root.kind not in THREAD_KINDS
            or root.submission_id != record["submission_id"]
            or root.recipient_id != device.user_id):
        return f"reply_to: there is no feedback {record['reply_to']!r} on this item to answer."
    answered = conn.execute(sa.select(COMMENTS.c.id)
                            .where(COMMENTS.c.reply_to == record["reply_to"])).first()
    if answered is not None or record["reply_to"] in replied:
        return "reply_to: you have already replied to this feedback; one reply per thread."
    return None


def store_reply(conn: Connection, seqs: Sequence, device, record: dict, body: str,
                now: str) -> None:
    """Insert a checked reply (see :func:`reply_problem`) as the device pushed it."""
    project_id = conn.execute(sa.select(SUBMISSIONS.c.project_id).where(
        SUBMISSIONS.c.id == record["submission_id"])).scalar()
    payload = {"id": record["id"], "submission_id": record["submission_id"], "kind": "reply",
               "body": body, "author_name": device.user_name, "reply_to": record["reply_to"],
               "created_at": now}
    conn.execute(COMMENTS.insert().values(
        id=record["id"], submission_id=record["submission_id"], project_id=project_id,
        author_id=device.user_id, recipient_id=device.user_id, kind="reply",
        reply_to=record["reply_to"], review_id=None, device_id=device.id,
        changed_by=device.id, payload=freeze(payload), revision=1, server_seq=seqs.next(),
        deleted=False, created_at=now, updated_at=now))


def review_reasons(conn: Connection, seqs: Sequence, reviews, now: str, *,
                   pushed: dict[str, dict] | None = None) -> None:
    """After a push wrote ``reviews`` (rows as :mod:`sync.server.exchange.push` holds them;
    ``pushed``: their records as pushed, by id, already parsed): each review's reason becomes
    a comment for the reviewed item's author, kept in step — a new reason adds it, a changed
    one changes it, an emptied or deleted review withdraws it (a tombstone the author's
    devices pull). One query per kind of work, whatever the number of reviews."""
    reviews = list(reviews)
    ids = [review_comment_id(review["id"]) for review in reviews]
    comments = {row.id: row for row in _rows(conn, COMMENTS, COMMENTS.c.id, ids)}
    items = {row.id: row for row in _rows(
        conn, SUBMISSIONS, SUBMISSIONS.c.id,
        [review["submission_id"] for review in reviews if review["submission_id"]],
        columns=(SUBMISSIONS.c.id, SUBMISSIONS.c.author_id, SUBMISSIONS.c.project_id))}
    added, changed = [], []
    for review, comment_id in zip(reviews, ids, strict=True):
        record = {} if review["deleted"] else (
            (pushed or {}).get(review["id"]) or json.loads(review["payload"]))
        reason = (record.get("reason") or "").strip()
        current = comments.get(comment_id)
        if not reason:
            if current is not None and not current.deleted:
                changed.append((comment_id, {"deleted": True}))
            continue
        try:
            text = comment_body(reason[:MAX_COMMENT_CHARS])  # a long reason is cut, not lost
        except RecordProblem:
            continue  # nothing visible to pass on
        item = items.get(review["submission_id"])
        if item is None:
            continue
        payload = freeze({"id": comment_id, "submission_id": review["submission_id"],
                          "kind": "review", "body": text, "author_name": "", "reply_to": None,
                          "rating_inputs": record.get("rating_inputs"),
                          "rating_targets": record.get("rating_targets"),
                          "flag": record.get("flag"),
                          "created_at": current.created_at if current is not None else now})
        if current is None:
            added.append({
                "id": comment_id, "submission_id": review["submission_id"],
                "project_id": item.project_id, "author_id": review["author_id"],
                "recipient_id": item.author_id, "kind": "review", "reply_to": None,
                "review_id": review["id"], "device_id": None, "changed_by": None,
                "payload": payload, "revision": 1, "server_seq": seqs.next(), "deleted": False,
                "created_at": now, "updated_at": now})
        elif current.deleted or current.payload != payload:
            changed.append((comment_id, {"deleted": False, "payload": payload}))
    insert_many(conn, COMMENTS, added)
    change_records(conn, seqs, COMMENTS, changed, now=now)


def _rows(conn: Connection, table: sa.Table, key: sa.Column, ids, *, columns=None):
    """The rows whose ``key`` is one of ``ids``, read in chunks of ``CHUNK``."""
    ids = sorted(set(ids))
    for start in range(0, len(ids), CHUNK):
        yield from conn.execute(sa.select(*(columns or (table,)))
                                .where(key.in_(ids[start:start + CHUNK])))


# --- what the dashboard shows of an item -----------------------------------------------------


@dataclass(frozen=True)
class Item:
    """A submitted item as a coordinator sees it beside its feedback."""

    id: str
    project_id: str | None
    author_name: str
    language: str
    kind: str
    state: str
    revision: int
    inputs: str
    targets: str
    updated_at: str


def item(target: Target, submission_id: str, *, for_user: str | None = None) -> Item:
    """The item (ServerError not_found for a draft, a tombstone or no such id; forbidden
    when ``for_user`` does not coordinate its project)."""

    def work(conn: Connection) -> Item:
        row = _submission(conn, submission_id)
        if for_user is not None and not may_coordinate(conn, for_user, row.project_id):
            raise ServerError(ErrorCode.forbidden,
                              f"You do not coordinate project {row.project_id!r}.")
        author = conn.execute(sa.select(USERS.c.name)
                              .where(USERS.c.id == row.author_id)).scalar() or ""
        payload = json.loads(row.payload)
        return Item(row.id, row.project_id, author, row.language, row.kind, row.state,
                    row.revision, payload.get("inputs") or "", payload.get("targets") or "",
                    row.updated_at)

    return read(target, work)
