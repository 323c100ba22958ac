"""The coordinator's quality tools: relabel, block, flagged items, agreement, concentration.

    relabel(engine, submission_id, language="urd_Arab", by="Fatima")   # -> new revision
    block(engine, "Bilal", reason="copied text")                        # held, not deleted
    flagged_items(engine, language="urd_Arab")                          # [FlaggedItem, ...]
    agreement(engine)["urd_Arab"].alpha                                  # Krippendorff, ordinal
    concentration(engine)["urd_Arab"].top_share                          # top 5 annotators' share
    language_progress(engine)                                            # per language and kind

A blocked contributor's records stay as they are; every figure here (and leaderboards and
audit samples) leaves their work out through :func:`unblocked`, their submissions and their
reviews of others alike, so unblocking restores it.
Reviewers' 1–5 ratings are the reviews' ``rating_inputs`` and ``rating_targets`` (the prompt
and the completion, each judged "is the edit an improvement?"); a flag is the review's
``flag`` (:data:`app.schema.REVIEW_FLAGS`).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Connection, Engine

from app import clock
from app.schema import REVIEW_FLAGS
from sync.protocol import ErrorCode, freeze
from sync.server import tables
from sync.server.db import Sequence, is_sqlite, read, run_write
from sync.server.errors import ServerError
from sync.server.people.users import User, get_user
from sync.server.work.distribution import release_blocked
from sync.server.work.projects import load_settings

Target = Engine | Connection
S, R, U = tables.submissions, tables.reviews, tables.users
RATING_FIELDS = ("rating_inputs", "rating_targets")
RATING_VALUES = (1, 2, 3, 4, 5)
MAX_REASON = 2000
MAX_DIALECT = 100


# --- shared pieces ---------------------------------------------------------------------------


def payload_field(conn: Connection, column, key: str):
    """A top-level field of a JSON ``payload`` column, as text (NULL when absent or null).

    Both backends answer text, so callers compare with strings and parse numbers themselves:
    a device's payload is only checked for the fields the server relies on.
    """
    if is_sqlite(conn):
        return sa.cast(sa.func.json_extract(column, f"$.{key}"), sa.Text)
    return sa.func.jsonb_extract_path_text(sa.cast(column, postgresql.JSONB), key)


def payload_number(conn: Connection, column, key: str):
    """A top-level numeric field of a JSON ``payload`` column; NULL when absent or not a
    number (so a device's odd value never fails a query)."""
    if is_sqlite(conn):
        path = f"$.{key}"
        return sa.case((sa.func.json_type(column, path).in_(("integer", "real")),
                        sa.cast(sa.func.json_extract(column, path), sa.Float)))
    value = sa.cast(column, postgresql.JSONB)[key]
    return sa.case((sa.func.jsonb_typeof(value) == "number", value.astext.cast(sa.Float)))


class PayloadFields:
    """Several top-level fields of a payload, parsed once per row (parsing dominates a scan).

        fields = PayloadFields(conn, ["flag", "reason"])
        src = sa.select(R.c.id, fields.packed(R.c.payload)).cte("src").prefix_with(
            "MATERIALIZED")
        sa.select(src.c.id, fields.text(src.c.fields, "flag"))

    ``packed`` is a JSON array of just those fields on SQLite, the parsed JSONB on PostgreSQL;
    ``text`` and ``number`` read one field back from it, as :func:`payload_field` and
    :func:`payload_number` do.
    """

    def __init__(self, conn: Connection, keys: list[str]):
        self.sqlite = is_sqlite(conn)
        self.index = {key: i for i, key in enumerate(keys)}

    def packed(self, column, name: str = "fields"):
        if self.sqlite:  # two or more paths: an array, even for one key
            paths = [f"$.{key}" for key in self.index] + ["$.id"]
            return sa.func.json_extract(column, *paths).label(name)
        return sa.cast(column, postgresql.JSONB).label(name)

    def text(self, packed, key: str):
        if self.sqlite:
            return sa.cast(sa.func.json_extract(packed, f"$[{self.index[key]}]"), sa.Text)
        return packed[key].astext

    def number(self, packed, key: str):
        if self.sqlite:
            path = f"$[{self.index[key]}]"
            return sa.case((sa.func.json_type(packed, path).in_(("integer", "real")),
                            sa.cast(sa.func.json_extract(packed, path), sa.Float)))
        value = packed[key]
        return sa.case((sa.func.jsonb_typeof(value) == "number", value.astext.cast(sa.Float)))


def day_done(conn: Connection, device_stamp, server_stamp):
    """The UTC date (``YYYY-MM-DD``) a piece of work was done: the device's stamp when it is
    one of ``app.clock``'s and not later than the server's last change, else the server's."""
    canonical = sa.and_(device_stamp.like("____-__-__T__:__:__.___Z"),
                        device_stamp <= server_stamp)
    return sa.func.substr(sa.case((canonical, device_stamp), else_=server_stamp), 1, 10)


def unblocked(user_id_column) -> sa.ColumnElement:
    """The condition that a record's user is not blocked (for leaderboards, samples, figures)."""
    return user_id_column.in_(sa.select(U.c.id).where(U.c.blocked_at.is_(None)))


def number(text) -> float | None:
    """A number read from a payload field (text or a number), None when it is none."""
    if text is None or isinstance(text, bool):
        return None
    try:
        value = float(text)
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


def _user(target: Target, name_or_id: str) -> User:
    return get_user(target, name_or_id)  # ServerError not_found names the user


# --- relabel ---------------------------------------------------------------------------------


def relabel(target: Target, submission_id: str, *, language: str | None = None,
            dialect: str | None = None, by: str) -> int:
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
    by = (by or "").strip()
    if not by:
        raise ServerError(ErrorCode.invalid_request, "Say who relabels the item (by).")

    def work(conn: Connection) -> int:
        # The write lock first: on PostgreSQL a row read before it could be overwritten by a
        # push committed in between, and that edit would be silently lost.
        seqs = Sequence(conn)
        row = conn.execute(sa.select(S).where(S.c.id == submission_id)).first()
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
        history = payload.get("relabeled_from")
        history = list(history) if isinstance(history, list) else []
        now = clock.utc_now()
        history.append({"language": row.language, "dialect": old_dialect, "by": by, "at": now})
        payload.update(language=new_language, dialect=new_dialect, relabeled_from=history)
        conn.execute(S.update().where(S.c.id == submission_id).values(
            language=new_language, payload=freeze(payload), revision=row.revision + 1,
            server_seq=seqs.next(), updated_at=now, changed_by=None))
        seqs.save()
        return row.revision + 1

    return run_write(target, work)


# --- block -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class BlockedUser:
    user_id: str
    name: str
    role: str
    blocked_at: str
    reason: str


def block(target: Target, user: str, *, reason: str) -> bool:
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
        row = conn.execute(sa.select(U.c.blocked_at).where(U.c.id == found.id)).one()
        now = clock.utc_now()
        conn.execute(U.update().where(U.c.id == found.id).values(
            blocked_at=row.blocked_at or now, blocked_reason=reason, updated_at=now))
        release_blocked(conn, found.id, now)  # their leases and review requests go to others
        return row.blocked_at is None

    return run_write(target, work)


def unblock(target: Target, user: str) -> bool:
    """Lift a block; False when the user was not blocked. Their work counts again."""

    def work(conn: Connection) -> bool:
        found = _user(conn, user)
        changed = conn.execute(U.update().where(U.c.id == found.id, U.c.blocked_at.isnot(None))
                               .values(blocked_at=None, blocked_reason=None,
                                       updated_at=clock.utc_now()))
        return changed.rowcount > 0

    return run_write(target, work)


def blocked_users(target: Target) -> list[BlockedUser]:
    """Everyone blocked, most recently blocked first."""

    def work(conn: Connection) -> list[BlockedUser]:
        rows = conn.execute(sa.select(U.c.id, U.c.name, U.c.role, U.c.blocked_at,
                                      U.c.blocked_reason)
                            .where(U.c.blocked_at.isnot(None))
                            .order_by(U.c.blocked_at.desc(), U.c.name))
        return [BlockedUser(r.id, r.name, r.role, r.blocked_at, r.blocked_reason or "")
                for r in rows]

    return read(target, work)


def is_blocked(target: Target, user: str) -> bool:
    def work(conn: Connection) -> bool:
        found = _user(conn, user)
        return conn.execute(sa.select(U.c.blocked_at).where(U.c.id == found.id)).scalar() \
            is not None

    return read(target, work)


# --- flagged items ---------------------------------------------------------------------------


@dataclass(frozen=True)
class FlaggedItem:
    review_id: str
    submission_id: str
    flag: str                 # one of app.schema.REVIEW_FLAGS
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


def flagged_items(target: Target, *, language: str | None = None, limit: int = 100,
                  offset: int = 0) -> list[FlaggedItem]:
    """Submissions reviewers flagged, one row per flag, newest flag first; flags of blocked
    reviewers are left out (they hold nothing back either, see
    :mod:`sync.server.work.acceptance`)."""
    limit = max(1, min(int(limit), 1000))

    def work(conn: Connection) -> list[FlaggedItem]:
        flag = payload_field(conn, R.c.payload, "flag")
        reviewer, author = U.alias("reviewer"), U.alias("author")
        query = (
            sa.select(R.c.id, R.c.submission_id, flag.label("flag"),
                      R.c.payload.label("review_payload"), R.c.created_at,
                      R.c.author_id.label("reviewer_id"), reviewer.c.name.label("reviewer"),
                      S.c.language, S.c.kind, S.c.state, S.c.payload, S.c.author_id,
                      author.c.name.label("author"), author.c.blocked_at)
            .join(S, S.c.id == R.c.submission_id)
            .join(reviewer, reviewer.c.id == R.c.author_id)
            .join(author, author.c.id == S.c.author_id)
            .where(R.c.deleted == sa.false(), S.c.deleted == sa.false(),
                   flag.in_(REVIEW_FLAGS), unblocked(R.c.author_id))
            .order_by(R.c.created_at.desc(), R.c.id.desc()).limit(limit).offset(offset)
        )
        if language is not None:
            query = query.where(S.c.language == language)
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


# --- agreement -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Agreement:
    alpha: float | None   # Krippendorff's alpha (ordinal); None when too few overlapping ratings
    items: int            # submissions rated by at least two reviewers
    ratings: int          # the ratings those items received (prompt and completion each)


def agreement(target: Target, *, language: str | None = None,
              project_id: str | None = None) -> dict[str, Agreement]:
    """Inter-annotator agreement per language over reviewers' 1–5 ratings.

    A unit is one field (prompt or completion) of one submission; a reviewer's latest review
    counts once. Only units with two or more ratings can show agreement; alpha is None for a
    language with none, or where every rating is the same value (alpha is then undefined).
    Reviews by blocked users, and reviews of blocked users' work, are left out.
    """
    import krippendorff
    import numpy as np

    def work(conn: Connection):
        fields = [payload_field(conn, R.c.payload, name).label(name) for name in RATING_FIELDS]
        query = (sa.select(S.c.language, R.c.submission_id, R.c.author_id, *fields)
                 .join(S, S.c.id == R.c.submission_id)
                 .where(R.c.deleted == sa.false(), S.c.deleted == sa.false(),
                        unblocked(R.c.author_id), unblocked(S.c.author_id))
                 .order_by(R.c.server_seq))
        if language is not None:
            query = query.where(S.c.language == language)
        if project_id is not None:
            query = query.where(S.c.project_id == project_id)
        return conn.execute(query).all()

    # unit (language, submission, field) -> reviewer -> rating (the latest review wins)
    units: dict[tuple[str, str, str], dict[str, int]] = {}
    for row in read(target, work):
        for name in RATING_FIELDS:
            value = number(getattr(row, name))
            if value is not None and int(value) == value and int(value) in RATING_VALUES:
                key = (row.language, row.submission_id, name)
                units.setdefault(key, {})[row.author_id] = int(value)
    per_language: dict[str, list[list[int]]] = {}
    items: dict[str, set[str]] = {}
    for (lang, submission_id, _), by_reviewer in units.items():
        per_language.setdefault(lang, [])
        items.setdefault(lang, set())
        if len(by_reviewer) >= 2:
            counts = [0] * len(RATING_VALUES)
            for value in by_reviewer.values():
                counts[value - 1] += 1
            per_language[lang].append(counts)
            items[lang].add(submission_id)
    result = {}
    for lang in sorted(per_language):
        counts = per_language[lang]
        ratings = sum(map(sum, counts))
        alpha = None
        if counts and len({v for unit in counts for v, n in enumerate(unit) if n}) > 1:
            alpha = float(krippendorff.alpha(value_counts=np.array(counts),
                                             value_domain=list(RATING_VALUES),
                                             level_of_measurement="ordinal"))
            if not math.isfinite(alpha):
                alpha = None
        result[lang] = Agreement(alpha=alpha, items=len(items[lang]), ratings=ratings)
    return result


# --- concentration ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Concentration:
    contributors: int     # distinct annotators with submitted work in the language
    items: int            # their submitted items
    top_share: float      # share of the items written by the ``top`` most active annotators


def concentration(target: Target, *, top: int = 5,
                  project_id: str | None = None) -> dict[str, Concentration]:
    """Per language, how much of the submitted work its ``top`` annotators did (the Aya
    paper reports the share of the top 5). Drafts, deleted items and blocked users' work do
    not count."""
    if top < 1:
        raise ServerError(ErrorCode.invalid_request, "top must be at least 1.")

    def work(conn: Connection):
        query = (sa.select(S.c.language, S.c.author_id, sa.func.count().label("n"))
                 .where(S.c.deleted == sa.false(), S.c.state != "draft",
                        S.c.language.isnot(None), unblocked(S.c.author_id))
                 .group_by(S.c.language, S.c.author_id))
        if project_id is not None:
            query = query.where(S.c.project_id == project_id)
        return conn.execute(query).all()

    by_language: dict[str, list[int]] = {}
    for row in read(target, work):
        by_language.setdefault(row.language, []).append(row.n)
    result = {}
    for lang in sorted(by_language):
        counts = sorted(by_language[lang], reverse=True)
        total = sum(counts)
        result[lang] = Concentration(contributors=len(counts), items=total,
                                     top_share=sum(counts[:top]) / total)
    return result


# --- progress --------------------------------------------------------------------------------


@dataclass(frozen=True)
class LanguageProgress:
    language: str
    kind: str
    drafts: int           # on the server, not yet handed in
    submitted: int        # handed in (including those since accepted or rejected)
    reviewed: int         # handed in and reviewed at least once
    accepted: int
    rejected: int
    contributors: int     # distinct annotators who handed in work
    held: int             # handed in by blocked contributors (in none of the counts above)


def language_progress(target: Target, *,
                      project_id: str | None = None) -> list[LanguageProgress]:
    """Counts per language and kind, for the dashboard's progress page and chart."""

    def work(conn: Connection):
        handed_in = S.c.state != "draft"
        reviewed = sa.exists().where(R.c.submission_id == S.c.id, R.c.deleted == sa.false(),
                                     unblocked(R.c.author_id))
        ok = unblocked(S.c.author_id)

        def count(condition):
            return sa.func.sum(sa.case((condition, 1), else_=0))

        query = (sa.select(
            S.c.language, S.c.kind,
            count(sa.and_(ok, S.c.state == "draft")).label("drafts"),
            count(sa.and_(ok, handed_in)).label("submitted"),
            count(sa.and_(ok, handed_in, reviewed)).label("reviewed"),
            count(sa.and_(ok, S.c.state == "accepted")).label("accepted"),
            count(sa.and_(ok, S.c.state == "rejected")).label("rejected"),
            sa.func.count(sa.distinct(sa.case((sa.and_(ok, handed_in), S.c.author_id))))
            .label("contributors"),
            count(sa.and_(sa.not_(ok), handed_in)).label("held"))
            .where(S.c.deleted == sa.false(), S.c.language.isnot(None), S.c.kind.isnot(None))
            .group_by(S.c.language, S.c.kind).order_by(S.c.language, S.c.kind))
        if project_id is not None:
            query = query.where(S.c.project_id == project_id)
        return [LanguageProgress(r.language, r.kind, *(int(v or 0) for v in r[2:]))
                for r in conn.execute(query)]

    return read(target, work)
