"""The coordinator's decisions on submitted items: accept or reject, and who reviews what.

    revision = decide(engine, submission_id, "accepted", reason="clear and correct", by=actor)
    assign_review(engine, submission_id, reviewer_user_id)
    history(engine, submission_id)          # [Decision, ...]: every decision, oldest first

Both are server-side changes of a record (:mod:`sync.server.exchange.changes`): a new change
number and ``changed_by`` cleared, so every device that may see the item pulls it (the
author's own devices included); a decision also takes a new revision, so an edit based on the
revision before it conflicts instead of overwriting it.

Every decision is kept in ``decisions`` with the text it was made on, and written to the
audit log in the same transaction: a rejected item its author was given feedback on may be
revised and submitted again (:mod:`sync.server.exchange.push`), and its earlier rejection
stays on record.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from app import clock
from app.ids import new_id
from app.kinds import FINAL_STATES
from sync.protocol import ErrorCode, freeze
from sync.server import tables
from sync.server.db import Sequence, read, run_write
from sync.server.errors import ServerError
from sync.server.exchange.changes import change_record, resequence
from sync.server.people import auditlog
from sync.server.people.auditlog import Actor
from sync.server.quality import tallies
from sync.server.work import memory
from sync.server.work.projects import may_coordinate

Target = Engine | Connection
ASSIGNMENTS = tables.review_assignments
DECISIONS = tables.decisions
SUBMISSIONS = tables.submissions


@dataclass(frozen=True)
class Decision:
    state: str
    revision: int
    reason: str
    inputs: str
    targets: str
    decided_by: str
    decided_at: str


def decide(target: Target, submission_id: str, state: str, *, reason: str | None = None,
           by: Actor | None = None) -> int:
    """Accept or reject a submitted item; returns its new revision.

    The new revision reaches the author's devices on their next pull; an edit based on the
    old revision then conflicts instead of overwriting the decision.
    """
    if state not in FINAL_STATES:
        raise ServerError(ErrorCode.invalid_request,
                          f"A decision is accepted or rejected (got {state!r}).")

    def work(conn: Connection) -> int:
        seqs = Sequence(conn)
        row = conn.execute(sa.select(SUBMISSIONS).where(SUBMISSIONS.c.id == submission_id)).first()
        if row is None or row.deleted:
            raise ServerError(ErrorCode.not_found, f"No submission {submission_id!r}.")
        if row.state == "draft":
            raise ServerError(ErrorCode.invalid_request,
                              f"Submission {submission_id} is still a draft; only submitted "
                              "items can be decided.")
        if by is not None and by.user_id and not may_coordinate(conn, by.user_id,
                                                                row.project_id):
            raise ServerError(ErrorCode.forbidden,
                              f"You do not coordinate project {row.project_id!r}; its "
                              "coordinators decide its items.")
        if row.state == state:
            return row.revision
        counted = tallies.Change(conn, [submission_id])
        payload = json.loads(row.payload)
        payload["state"] = state
        if reason is not None:
            payload["decision_reason"] = reason
        now = clock.utc_now()
        revision = change_record(conn, seqs, SUBMISSIONS, submission_id, now=now,
                                 state=state, payload=freeze(payload))
        # An accepted post-edit enters its project's translation memory at once.
        memory.follow_decision(conn, seqs, payload, state)
        who = by or Actor.command_line()
        conn.execute(DECISIONS.insert().values(
            id=new_id(), submission_id=submission_id, revision=row.revision, state=state,
            reason=reason or "", inputs=payload.get("inputs") or "",
            targets=payload.get("targets") or "", decided_by=who.name, decided_at=now))
        auditlog.record(conn, "decide", who, subject=submission_id, project_id=row.project_id,
                        detail={"state": state, "reason": reason or ""})
        counted.commit()
        seqs.save()
        return revision

    return run_write(target, work)


def assign_review(target: Target, submission_id: str, user_id: str) -> None:
    """Ask a user to review a peer's submission; it reaches their devices on the next pull."""

    def work(conn: Connection) -> None:
        seqs = Sequence(conn)
        row = conn.execute(sa.select(SUBMISSIONS).where(SUBMISSIONS.c.id == submission_id)).first()
        if row is None:
            raise ServerError(ErrorCode.not_found, f"No submission {submission_id!r}.")
        if row.author_id == user_id:
            raise ServerError(ErrorCode.invalid_request, "Nobody reviews their own work.")
        blocked = conn.execute(sa.select(tables.users.c.blocked_at)
                               .where(tables.users.c.id == user_id)).scalar()
        if blocked is not None:
            raise ServerError(ErrorCode.invalid_request,
                              "That user is blocked and reviews nothing until unblocked.")
        exists = conn.execute(sa.select(ASSIGNMENTS.c.user_id).where(
            ASSIGNMENTS.c.submission_id == submission_id, ASSIGNMENTS.c.user_id == user_id)).first()
        if exists is None:
            conn.execute(ASSIGNMENTS.insert().values(submission_id=submission_id, user_id=user_id,
                                                     created_at=clock.utc_now()))
            # A new number: the reviewer's cursor may already be past the old one.
            resequence(conn, seqs, SUBMISSIONS, [submission_id], clear_changed_by=True)
        seqs.save()

    run_write(target, work)


def history(target: Target, submission_id: str) -> list[Decision]:
    """Every decision on an item, oldest first, with the text each was made on."""
    return read(target, lambda conn: [
        Decision(r.state, r.revision, r.reason, r.inputs, r.targets, r.decided_by, r.decided_at)
        for r in conn.execute(sa.select(DECISIONS).where(DECISIONS.c.submission_id ==
                                                         submission_id)
                              .order_by(DECISIONS.c.decided_at, DECISIONS.c.id))])
