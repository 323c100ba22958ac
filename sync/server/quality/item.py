"""One item as its coordinator reads it: the texts, what an edit started from and how it
changed, its measures, every revision, review, flag, decision and audit, and who did what when.

    item = load_item(engine, coordinator_id, submission_id)   # ServerError not_found if unseen
    item.inputs_diff          # [("equal", "a "), ("delete", "red"), ("insert", "blue"), ...]
    item.events               # [Event(at, who, what, detail), ...] oldest first

The server keeps an item's newest text only; older revisions are known by number, time and
device (``applied_items``), and the server's own changes (decisions, relabels, flags) by their
records. Drafts, deleted items and the items of projects that name other coordinators are
"not found" (:func:`~sync.server.work.projects.may_coordinate`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from app.kinds import EDIT_KINDS
from sync.protocol import ErrorCode
from sync.server import tables
from sync.server.db import read
from sync.server.errors import ServerError
from sync.server.quality.fields import number
from sync.server.quality.search import flagged
from sync.server.work.acceptance import Verdict, judged_item, starting_text, task_payloads
from sync.server.work.decisions import Decision, history
from sync.server.work.projects import may_coordinate

Target = Engine | Connection
APPLIED = tables.applied_items
AUDIT_ITEMS = tables.audit_items
DEVICES = tables.devices
ITEM_FLAGS = tables.item_flags
PROJECTS = tables.projects
REVIEWS = tables.reviews
SUBMISSIONS = tables.submissions
USERS = tables.users
MAX_DIFFED = 20_000  # characters: longer texts are shown without a word diff


@dataclass(frozen=True)
class Event:
    at: str
    who: str
    what: str          # arrived | revised | reviewed | flagged | unflagged | decided |
    detail: str = ""   # relabeled | audited


@dataclass(frozen=True)
class ReviewEntry:
    id: str
    reviewer: str
    reviewer_id: str
    reviewer_blocked: bool
    rating_inputs: int | None
    rating_targets: int | None
    flag: str | None
    reason: str
    at: str
    dismissed: bool    # its flag was dismissed by a coordinator since


@dataclass(frozen=True)
class AuditEntry:
    auditor: str
    rating: int | None
    acceptable: bool | None
    comment: str
    done_at: str | None


@dataclass(frozen=True)
class FlagEntry:
    action: str        # flag | unflag
    flag: str | None
    note: str
    by: str
    at: str


@dataclass(frozen=True)
class Revision:
    revision: int
    at: str
    device: str


@dataclass
class ItemView:
    id: str
    project_id: str | None
    project_name: str | None
    language: str | None
    dialect: str | None
    kind: str | None
    state: str
    revision: int
    author: str
    author_id: str
    author_blocked: bool
    device_id: str
    created_at: str
    updated_at: str
    inputs: str
    targets: str
    original_inputs: str | None = None   # re-annotations: what the edit started from
    original_targets: str | None = None
    source_text: str | None = None       # post-edits: the source and the machine translation
    mt_text: str | None = None
    inputs_diff: list[tuple[str, str]] | None = None
    targets_diff: list[tuple[str, str]] | None = None
    prompt_distance: int | None = None
    completion_distance: int | None = None
    hter: float | None = None
    seconds_spent: float | None = None
    edit_sessions: float | None = None
    verdict: Verdict | None = None
    flagged: bool = False
    decisions: list[Decision] = field(default_factory=list)  # every decision, oldest first
    relabels: list[dict] = field(default_factory=list)
    reviews: list[ReviewEntry] = field(default_factory=list)
    audits: list[AuditEntry] = field(default_factory=list)
    flags: list[FlagEntry] = field(default_factory=list)
    revisions: list[Revision] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)


def load_item(target: Target, user_id: str, submission_id: str) -> ItemView:
    def work(conn: Connection) -> ItemView:
        row = conn.execute(sa.select(SUBMISSIONS).where(SUBMISSIONS.c.id == submission_id)).first()
        if row is None or row.deleted or row.state == "draft" \
                or not may_coordinate(conn, user_id, row.project_id):
            raise ServerError(ErrorCode.not_found, f"No item {submission_id!r}.")
        return _view(conn, row)

    return read(target, work)


def visible_item(target: Target, user_id: str, submission_id: str) -> None:
    """ServerError not_found unless ``user_id`` may see (and so act on) this item."""
    def work(conn: Connection) -> None:
        row = conn.execute(sa.select(SUBMISSIONS.c.project_id, SUBMISSIONS.c.state,
                                     SUBMISSIONS.c.deleted)
                           .where(SUBMISSIONS.c.id == submission_id)).first()
        if row is None or row.deleted or row.state == "draft" \
                or not may_coordinate(conn, user_id, row.project_id):
            raise ServerError(ErrorCode.not_found, f"No item {submission_id!r}.")

    read(target, work)


def _view(conn: Connection, row) -> ItemView:
    payload = json.loads(row.payload)
    author = conn.execute(sa.select(USERS.c.name, USERS.c.blocked_at)
                          .where(USERS.c.id == row.author_id)).one()
    project_name = conn.execute(sa.select(PROJECTS.c.name)
                                .where(PROJECTS.c.id == row.project_id)).scalar()
    item = ItemView(
        id=row.id, project_id=row.project_id, project_name=project_name, language=row.language,
        dialect=payload.get("dialect") or None, kind=row.kind, state=row.state,
        revision=row.revision, author=author.name, author_id=row.author_id,
        author_blocked=author.blocked_at is not None, device_id=row.device_id,
        created_at=row.created_at, updated_at=row.updated_at,
        inputs=_text(payload.get("inputs")), targets=_text(payload.get("targets")),
        relabels=[r for r in payload.get("relabeled_from") or [] if isinstance(r, dict)])
    _edit(conn, item, row, payload)
    judged = judged_item(conn, row.id)
    if judged is not None:
        measured, item.verdict = judged
        item.prompt_distance = measured["prompt_distance"]
        item.completion_distance = measured["completion_distance"]
        if item.hter is None:  # measured from the MT above when the server has it
            item.hter = number(measured["hter"])
        item.seconds_spent, item.edit_sessions = measured["seconds_spent"], \
            measured["edit_sessions"]
    item.flagged = conn.execute(sa.select(flagged(conn, sa.literal(row.id)))).scalar()
    item.flags = _flags(conn, row.id)
    item.reviews = _reviews(conn, row.id, item.flags)
    item.audits = _audits(conn, row.id)
    item.decisions = history(conn, row.id)
    item.revisions = _revisions(conn, row.id)
    item.events = _events(item)
    return item


def _text(value) -> str:
    return value if isinstance(value, str) else ""


def _edit(conn: Connection, item: ItemView, row, payload: dict) -> None:
    """What an edit started from, and a word diff of each text against it."""
    if row.kind not in EDIT_KINDS:
        return
    from app.diffs import hter, word_diff

    task = task_payloads(conn, [row.task_id]).get(row.task_id) if row.task_id else None
    start_inputs, start_targets = starting_text(row.kind, payload, task)
    if row.kind == "postedit":
        item.source_text, item.mt_text = _text(start_inputs) or None, _text(start_targets)
        if item.mt_text is not None and _small(item.mt_text, item.targets):
            item.targets_diff = word_diff(item.mt_text, item.targets)
            if item.mt_text:
                item.hter = hter(item.mt_text, item.targets)
        return
    item.original_inputs, item.original_targets = start_inputs, start_targets
    if start_inputs is not None and _small(start_inputs, item.inputs):
        item.inputs_diff = word_diff(start_inputs, item.inputs)
    if start_targets is not None and _small(start_targets, item.targets):
        item.targets_diff = word_diff(start_targets, item.targets)


def _small(a: str, b: str) -> bool:
    return len(a) + len(b) <= MAX_DIFFED


def _flags(conn: Connection, submission_id: str) -> list[FlagEntry]:
    rows = conn.execute(sa.select(ITEM_FLAGS).where(ITEM_FLAGS.c.submission_id == submission_id)
                        .order_by(ITEM_FLAGS.c.id))
    return [FlagEntry(r.action, r.flag, r.note, r.by_name, r.at) for r in rows]


def _reviews(conn: Connection, submission_id: str, flags: list[FlagEntry]) -> list[ReviewEntry]:
    cleared = max((f.at for f in flags if f.action == "unflag"), default=None)
    rows = conn.execute(
        sa.select(REVIEWS.c.id, REVIEWS.c.author_id, REVIEWS.c.payload, REVIEWS.c.created_at,
                  REVIEWS.c.updated_at, USERS.c.name, USERS.c.blocked_at)
        .join(USERS, USERS.c.id == REVIEWS.c.author_id)
        .where(REVIEWS.c.submission_id == submission_id, REVIEWS.c.deleted == sa.false())
        .order_by(REVIEWS.c.created_at, REVIEWS.c.id))
    found = []
    for r in rows:
        review = json.loads(r.payload)
        if review.get("state") == "draft":
            continue
        flag = review.get("flag") if isinstance(review.get("flag"), str) else None
        found.append(ReviewEntry(
            id=r.id, reviewer=r.name, reviewer_id=r.author_id,
            reviewer_blocked=r.blocked_at is not None,
            rating_inputs=_rating(review.get("rating_inputs")),
            rating_targets=_rating(review.get("rating_targets")), flag=flag,
            reason=_text(review.get("reason")), at=r.created_at,
            dismissed=bool(flag and cleared and r.updated_at <= cleared)))
    return found


def _rating(value) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 5:
        return value
    return None


def _audits(conn: Connection, submission_id: str) -> list[AuditEntry]:
    rows = conn.execute(
        sa.select(AUDIT_ITEMS.c.rating, AUDIT_ITEMS.c.acceptable, AUDIT_ITEMS.c.comment,
                  AUDIT_ITEMS.c.done_at, USERS.c.name)
        .join(USERS, USERS.c.id == AUDIT_ITEMS.c.auditor_id)
        .where(AUDIT_ITEMS.c.submission_id == submission_id)
        .order_by(AUDIT_ITEMS.c.done_at, USERS.c.name))
    return [AuditEntry(r.name, r.rating, r.acceptable, r.comment or "", r.done_at) for r in rows]


def _revisions(conn: Connection, submission_id: str) -> list[Revision]:
    rows = conn.execute(
        sa.select(APPLIED.c.revision, APPLIED.c.applied_at, APPLIED.c.device_id,
                  DEVICES.c.name)
        .outerjoin(DEVICES, DEVICES.c.id == APPLIED.c.device_id)
        .where(APPLIED.c.entity == "submission", APPLIED.c.record_id == submission_id,
               APPLIED.c.status == "created", APPLIED.c.revision.is_not(None))
        .order_by(APPLIED.c.revision, APPLIED.c.applied_at))
    seen, found = set(), []
    for r in rows:
        if r.revision not in seen:  # the same revision answered twice (a repeated push)
            seen.add(r.revision)
            found.append(Revision(r.revision, r.applied_at, r.name or r.device_id))
    return found


def _events(item: ItemView) -> list[Event]:
    """Who did what when, oldest first."""
    events = []
    for n, revision in enumerate(item.revisions):
        events.append(Event(revision.at, item.author, "arrived" if n == 0 else "revised",
                            revision.device))
    if not item.revisions:
        events.append(Event(item.created_at, item.author, "arrived", item.device_id))
    for review in item.reviews:
        events.append(Event(review.at, review.reviewer, "reviewed", review.flag or ""))
    for entry in item.flags:
        events.append(Event(entry.at, entry.by, "flagged" if entry.action == "flag"
                            else "unflagged", entry.flag or ""))
    for relabel in item.relabels:
        events.append(Event(str(relabel.get("at") or ""), str(relabel.get("by") or ""),
                            "relabeled", str(relabel.get("language") or "")))
    for audit in item.audits:
        if audit.done_at:
            events.append(Event(audit.done_at, audit.auditor, "audited",
                                "" if audit.rating is None else str(audit.rating)))
    for decision in item.decisions:
        events.append(Event(decision.decided_at, decision.decided_by, "decided",
                            decision.state))
    return sorted(events, key=lambda e: e.at)
