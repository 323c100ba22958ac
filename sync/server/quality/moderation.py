"""The coordinator's moderation: relabel an item, block a contributor, read flagged items.

    relabel(engine, submission_id, language="urd_Arab", by="Fatima")   # -> new revision
    block(engine, "Bilal", reason="copied text")                        # held, not deleted
    unblock(engine, "Bilal")
    flagged_items(engine, language="urd_Arab")                          # [FlaggedItem, ...]
    flag_item(engine, submission_id, "harmful", by=user, note="slur")     # holds the item
    unflag_item(engine, submission_id, by=user)     # dismisses every flag on it until now

A blocked contributor's records stay as they are; every figure (and leaderboards and audit
samples) leaves their work out (:func:`sync.server.quality.fields.unblocked`), their
submissions and their reviews of others alike, so unblocking restores it. A flag is the
review's ``flag`` (:data:`app.kinds.REVIEW_FLAGS`), or a coordinator's (``tables.item_flags``,
read by :func:`sync.server.work.acceptance.coordinator_flags`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from app import clock
from app.kinds import REVIEW_FLAGS
from sync.protocol import ErrorCode, freeze
from sync.server import tables
from sync.server.db import Sequence, read, run_write
from sync.server.errors import ServerError
from sync.server.exchange.changes import change_record
from sync.server.people import auditlog
from sync.server.people.auditlog import Actor
from sync.server.people.users import User, get_user
from sync.server.quality import tallies
from sync.server.quality.fields import payload_field, unblocked
from sync.server.work.distribution import release_blocked
from sync.server.work.projects import load_settings, may_coordinate

Target = Engine | Connection
ITEM_FLAGS = tables.item_flags
REVIEWS = tables.reviews
SUBMISSIONS = tables.submissions
USERS = tables.users
MAX_REASON = 2000
MAX_DIALECT = 100


def _user(target: Target, name_or_id: str) -> User:
    return get_user(target, name_or_id)  # ServerError not_found names the user


# --- relabel ---------------------------------------------------------------------------------


def relabel(target: Target, submission_id: str, *, language: str | None = None,
            dialect: str | None = None, by: str | Actor) -> int:
    """Correct a submission's language and/or dialect; returns its (new) revision.

    ``dialect=""`` clears the dialect; ``None`` leaves a field as it is. The change gets a new
    revision and change number and ``changed_by`` is cleared, so every device of the author
    pulls it; the earlier values stay in the payload's ``relabeled_from`` list (newest last).
    A device edit based on the old revision then conflicts instead of undoing the relabel.
    """
    from i18n.languages import UnknownLanguage, get

    if language is None and dialect is None:
        raise ServerError(ErrorCode.invalid_request,
                          "Relabel needs a new language (--language) or dialect (--dialect).")
    if language is not None:
        try:
            language = get(language.strip()).code
        except UnknownLanguage:
            raise ServerError(ErrorCode.invalid_request,
                              f"language: {language!r} is not a registry code such as "
                              "'urd_Arab'.") from None
    if dialect is not None:
        dialect = dialect.strip()
        if len(dialect) > MAX_DIALECT or "\x00" in dialect:
            raise ServerError(ErrorCode.invalid_request,
                              f"dialect: at most {MAX_DIALECT} characters of text.")
    actor = by if isinstance(by, Actor) else Actor.command_line(name=by)
    by = (actor.name or "").strip()
    if not by:
        raise ServerError(ErrorCode.invalid_request, "Say who relabels the item (by).")

    def work(conn: Connection) -> int:
        # The write lock first: on PostgreSQL a row read before it could be overwritten by a
        # push committed in between, and that edit would be silently lost.
        seqs = Sequence(conn)
        row = conn.execute(sa.select(SUBMISSIONS).where(SUBMISSIONS.c.id == submission_id)).first()
        if row is None or row.deleted:
            raise ServerError(ErrorCode.not_found, f"No submission {submission_id!r}.")
        payload = json.loads(row.payload)
        new_language = language or row.language
        old_dialect = payload.get("dialect")
        new_dialect = old_dialect if dialect is None else (dialect or None)
        if new_dialect and dialect:
            known = load_settings(conn, row.project_id).dialects
            if known and new_dialect not in known:
                raise ServerError(ErrorCode.invalid_request,
                                  f"dialect: {new_dialect!r} is not one of project "
                                  f"{row.project_id}'s dialects ({', '.join(known)}).")
        if new_language == row.language and new_dialect == old_dialect:
            return row.revision  # nothing to change
        counted = tallies.Change(conn, [submission_id])
        history = payload.get("relabeled_from")
        history = list(history) if isinstance(history, list) else []
        now = clock.utc_now()
        history.append({"language": row.language, "dialect": old_dialect, "by": by, "at": now})
        payload.update(language=new_language, dialect=new_dialect, relabeled_from=history)
        revision = change_record(conn, seqs, SUBMISSIONS, submission_id, now=now,
                                 language=new_language, payload=freeze(payload))
        auditlog.record(conn, "relabel", actor, subject=submission_id,
                        project_id=row.project_id,
                        detail={"from": {"language": row.language, "dialect": old_dialect},
                                "to": {"language": new_language, "dialect": new_dialect}})
        counted.commit()
        seqs.save()
        return revision

    return run_write(target, work)


# --- a coordinator's flags ------------------------------------------------------------------


def flag_item(target: Target, submission_id: str, flag: str, *, by: Actor,
              note: str = "") -> None:
    """A coordinator flags an item (one of :data:`app.kinds.REVIEW_FLAGS`): it is held, as a
    reviewer's flag holds it, until a coordinator accepts it or unflags it (:func:`unflag_item`)."""
    if flag not in REVIEW_FLAGS:
        raise ServerError(ErrorCode.invalid_request,
                          f"flag: {flag!r} is not one of {', '.join(REVIEW_FLAGS)}.")
    _flag_action(target, submission_id, "flag", flag, by, _note(note))


def unflag_item(target: Target, submission_id: str, *, by: Actor, note: str = "") -> None:
    """Dismiss every flag on an item until now, reviewers' and coordinators' (a flag given
    later holds it again). The flags stay in their reviews and in the item's history."""
    _flag_action(target, submission_id, "unflag", None, by, _note(note))


def _note(note: str) -> str:
    note = (note or "").strip()
    if len(note) > MAX_REASON or "\x00" in note:
        raise ServerError(ErrorCode.invalid_request,
                          f"note: at most {MAX_REASON} characters of text.")
    return note


def _flag_action(target: Target, submission_id: str, action: str, flag: str | None,
                 by: Actor, note: str) -> None:
    """One flag or unflag, in the item's history and in the audit log (one transaction)."""
    def work(conn: Connection) -> None:
        row = conn.execute(sa.select(SUBMISSIONS.c.state, SUBMISSIONS.c.deleted,
                                     SUBMISSIONS.c.project_id)
                           .where(SUBMISSIONS.c.id == submission_id)).first()
        if row is None or row.deleted or row.state == "draft":
            raise ServerError(ErrorCode.not_found, f"No submission {submission_id!r}.")
        if by.user_id and not may_coordinate(conn, by.user_id, row.project_id):
            raise ServerError(ErrorCode.forbidden,
                              f"You do not coordinate project {row.project_id!r}; its "
                              "coordinators flag its items.")
        counted = tallies.Change(conn, [submission_id])
        conn.execute(ITEM_FLAGS.insert().values(
            submission_id=submission_id, action=action, flag=flag, note=note,
            by_id=by.user_id or "", by_name=by.name, at=clock.utc_now()))
        auditlog.record(conn, action, by, subject=submission_id, project_id=row.project_id,
                        detail={"flag": flag, "note": note} if flag else {"note": note})
        counted.commit()

    run_write(target, work)


# --- block -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class BlockedUser:
    user_id: str
    name: str
    role: str
    blocked_at: str
    reason: str


def block(target: Target, user: str, *, reason: str, by: Actor | None = None) -> bool:
    """Block a contributor (by name or id); False when they already were (the reason is
    updated). Nothing of theirs is deleted: their work is left out until :func:`unblock`.
    What they were handed out is given back (:func:`sync.server.work.distribution.release_blocked`);
    what they may still do is DESIGN.md invariant 6 (see :mod:`sync.server.exchange.pull`)."""
    reason = (reason or "").strip()
    if not reason:
        raise ServerError(ErrorCode.invalid_request,
                          "Give a reason for blocking (--reason): the coordinators after you "
                          "will need it.")
    if len(reason) > MAX_REASON or "\x00" in reason:
        raise ServerError(ErrorCode.invalid_request,
                          f"reason: at most {MAX_REASON} characters of text.")

    def work(conn: Connection) -> bool:
        found = _user(conn, user)
        row = conn.execute(sa.select(USERS.c.blocked_at).where(USERS.c.id == found.id)).one()
        counted = tallies.Change(conn, tallies.units_of(conn, found.id))
        now = clock.utc_now()
        conn.execute(USERS.update().where(USERS.c.id == found.id).values(
            blocked_at=row.blocked_at or now, blocked_reason=reason, updated_at=now))
        release_blocked(conn, found.id, now)  # their leases and review requests go to others
        counted.commit()
        auditlog.record(conn, "block", by or Actor.command_line(), subject=found.name,
                        detail={"reason": reason})
        return row.blocked_at is None

    return run_write(target, work)


def unblock(target: Target, user: str, *, by: Actor | None = None) -> bool:
    """Lift a block; False when the user was not blocked. Their work counts again."""

    def work(conn: Connection) -> bool:
        found = _user(conn, user)
        counted = tallies.Change(conn, tallies.units_of(conn, found.id))
        changed = conn.execute(USERS.update().where(USERS.c.id == found.id,
                                                    USERS.c.blocked_at.isnot(None))
                               .values(blocked_at=None, blocked_reason=None,
                                       updated_at=clock.utc_now()))
        if changed.rowcount:
            auditlog.record(conn, "unblock", by or Actor.command_line(), subject=found.name)
        counted.commit()
        return changed.rowcount > 0

    return run_write(target, work)


def blocked_users(target: Target) -> list[BlockedUser]:
    """Everyone blocked, most recently blocked first."""

    def work(conn: Connection) -> list[BlockedUser]:
        rows = conn.execute(sa.select(USERS.c.id, USERS.c.name, USERS.c.role, USERS.c.blocked_at,
                                      USERS.c.blocked_reason)
                            .where(USERS.c.blocked_at.isnot(None))
                            .order_by(USERS.c.blocked_at.desc(), USERS.c.name))
        return [BlockedUser(r.id, r.name, r.role, r.blocked_at, r.blocked_reason or "")
                for r in rows]

    return read(target, work)


def is_blocked(target: Target, user: str) -> bool:
    def work(conn: Connection) -> bool:
        found = _user(conn, user)
        return conn.execute(sa.select(USERS.c.blocked_at).where(USERS.c.id == found.id)).scalar() \
            is not None

    return read(target, work)


# --- flagged items ---------------------------------------------------------------------------


@dataclass(frozen=True)
class FlaggedItem:
    review_id: str
    submission_id: str
    flag: str                 # one of app.kinds.REVIEW_FLAGS
    reason: str               # the reviewer's words
    flagged_by: str           # the reviewer's name
    flagged_by_id: str
    flagged_at: str           # when the server got the review
    language: str | None
    kind: str | None
    state: str                # the submission's: submitted | accepted | rejected
    author: str
    author_id: str
    author_blocked: bool
    inputs: str
    targets: str


def _dismissed(submission_id, given_at) -> sa.ColumnElement:
    """A flag given at ``given_at`` was dismissed by a coordinator's unflag since."""
    return sa.exists().where(ITEM_FLAGS.c.submission_id == submission_id,
                             ITEM_FLAGS.c.action == "unflag", ITEM_FLAGS.c.at >= given_at)


def flagged_items(target: Target, *, language: str | None = None, limit: int = 100,
                  offset: int = 0) -> list[FlaggedItem]:
    """Submissions reviewers flagged, one row per flag, newest flag first; flags of blocked
    reviewers are left out (they hold nothing back either, see
    :mod:`sync.server.work.acceptance`)."""
    limit = max(1, min(int(limit), 1000))

    def work(conn: Connection) -> list[FlaggedItem]:
        flag = payload_field(conn, REVIEWS.c.payload, "flag")
        reviewer, author = USERS.alias("reviewer"), USERS.alias("author")
        query = (
            sa.select(REVIEWS.c.id, REVIEWS.c.submission_id, flag.label("flag"),
                      REVIEWS.c.payload.label("review_payload"), REVIEWS.c.created_at,
                      REVIEWS.c.author_id.label("reviewer_id"), reviewer.c.name.label("reviewer"),
                      SUBMISSIONS.c.language, SUBMISSIONS.c.kind, SUBMISSIONS.c.state,
                      SUBMISSIONS.c.payload, SUBMISSIONS.c.author_id,
                      author.c.name.label("author"), author.c.blocked_at)
            .join(SUBMISSIONS, SUBMISSIONS.c.id == REVIEWS.c.submission_id)
            .join(reviewer, reviewer.c.id == REVIEWS.c.author_id)
            .join(author, author.c.id == SUBMISSIONS.c.author_id)
            .where(REVIEWS.c.deleted == sa.false(), SUBMISSIONS.c.deleted == sa.false(),
                   flag.in_(REVIEW_FLAGS), unblocked(REVIEWS.c.author_id),
                   ~_dismissed(REVIEWS.c.submission_id, REVIEWS.c.updated_at))
            .order_by(REVIEWS.c.created_at.desc(), REVIEWS.c.id.desc()).limit(limit).offset(offset)
        )
        if language is not None:
            query = query.where(SUBMISSIONS.c.language == language)
        found = []
        for r in conn.execute(query):
            review = json.loads(r.review_payload)
            item = json.loads(r.payload)
            found.append(FlaggedItem(
                review_id=r.id, submission_id=r.submission_id, flag=r.flag,
                reason=str(review.get("reason") or ""), flagged_by=r.reviewer,
                flagged_by_id=r.reviewer_id, flagged_at=r.created_at, language=r.language,
                kind=r.kind, state=r.state, author=r.author, author_id=r.author_id,
                author_blocked=r.blocked_at is not None, inputs=str(item.get("inputs", "")),
                targets=str(item.get("targets", ""))))
        return found

    return read(target, work)
