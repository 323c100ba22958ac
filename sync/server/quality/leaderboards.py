"""Leaderboards: points and quality scores per language and period, by the app's own rules.

    boards = leaderboards(engine, device)               # protocol.Leaderboards for the app
    top = board(engine, period="week", language="urd_Arab")
    GET /v1/leaderboard                                  # the same, for the calling device
                                                         # (sync.server.api.leaderboards)

Every activity is scored by :mod:`app.rules` (``points`` and ``scores``), built from the
server's submission and review columns by :func:`app.rules.submission_activity`, as the app
builds its own from its store, so a device and the server agree on everyone's points.
What counts is what the app counts: handed-in submissions (not drafts; a further improvement
counts with its review), and reviews; ratings received are the 1–5 ratings of peers' reviews.
Blocked users, and ratings they gave, are left out; a blocked user's device is sent the
boards with no rows (it may read no one else's work, DESIGN.md invariant 6).

Periods are calendar periods in UTC: ``day`` since midnight, ``week`` since Monday midnight.
An activity's time is when its device says it was handed in (``submitted_at``, a review's
``updated_at``), but never later than the server's last change to it: work done offline
counts on the day it was done, and a wrong device clock cannot push work into the future.

The rules are the project's (``projects.load_settings``) when a project is given, otherwise
those of the first project by name that sets any, as the app chooses them.

Speed: the database does the counting. Work is grouped by user, language, day and whatever
its points depend on (kind, thumbs given, edit distances past the threshold), and ratings by
user, language, day and value, each payload parsed once; Python scores the few thousand groups.
Results are kept per process until the database changes (``GET /v1/leaderboard`` reuses them
for up to a minute while it does). About 3 s for 100,000 submissions and 50,000 reviews
on SQLite when nothing is kept.
"""

from __future__ import annotations

import json
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from app import clock, rules
from app.kinds import EDIT_KINDS
from sync.protocol import ErrorCode, Leaderboard, LeaderboardRow, Leaderboards, Period
from sync.server import tables
from sync.server.db import current_seq, read
from sync.server.errors import ServerError
from sync.server.people.users import Device, User, get_user
from sync.server.quality.fields import (
    RATING_FIELDS,
    RATING_VALUES,
    PayloadFields,
    day_done,
    unblocked,
)
from sync.server.work.projects import ProjectSettings

Target = Engine | Connection
PROJECTS = tables.projects
REVIEWS = tables.reviews
SUBMISSIONS = tables.submissions
USERS = tables.users
PERIODS: tuple[Period, ...] = ("day", "week", "all")
TOP = 20
# Devices ask on every sync; boards up to a minute old are as good to them, and scoring
# everything again on every request would cost seconds on a busy server.
HTTP_MAX_AGE = 60.0
_CACHE_SIZE = 64

# --- what everyone did -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Tally:
    """What one user did in one language on one UTC day: points, how many activities, and
    how many of each 1–5 rating peers gave their edits that day."""

    user_id: str
    language: str
    day: str                          # YYYY-MM-DD
    points: int = 0
    contributions: int = 0
    ratings: tuple[int, ...] = (0, 0, 0, 0, 0)


@dataclass(frozen=True)
class _Snapshot:
    tallies: tuple[Tally, ...]
    names: dict[str, str]
    settings: rules.RuleSettings
    key: tuple            # what the database looked like (see _snapshot_key)
    made_at: float        # time.monotonic()


def _grouped(conn: Connection, inner, keys: list[str], *aggregates):
    """``inner`` (one row per record, computed columns) grouped by ``keys``: computed columns
    are grouped outside a subquery, so PostgreSQL sees the same expression on both sides."""
    sub = inner.subquery()
    columns = [sub.c[k] for k in keys]
    return conn.execute(sa.select(*columns, *(a(sub) for a in aggregates))
                        .group_by(*columns)).all()


def _source(select, name: str):
    """Rows parsed once (see fields.PayloadFields), kept apart from the grouping above."""
    return select.cte(name).prefix_with("MATERIALIZED")


def _flag(condition):
    return sa.case((condition, 1), else_=0)


def _count(sub):
    return sa.func.count().label("n")


def _tallies(conn: Connection, project_id: str | None,
             settings: rules.RuleSettings) -> list[Tally]:
    """Everyone's tallies, aggregated in SQL: work is grouped by everything its points depend
    on, and each group is scored once by :mod:`app.rules`."""
    sf = PayloadFields(conn, ["submitted_at", "rating_inputs", "rating_targets",
                              "prompt_distance", "completion_distance", "review_id"])
    rf = PayloadFields(conn, ["language", "updated_at", "improvement_id", "state",
                              *RATING_FIELDS])
    scope = [SUBMISSIONS.c.deleted == sa.false(), SUBMISSIONS.c.state != "draft",
             SUBMISSIONS.c.language.isnot(None), unblocked(SUBMISSIONS.c.author_id)]
    if project_id is not None:
        scope.append(SUBMISSIONS.c.project_id == project_id)
    translated = _translation_tallies(conn, settings) if project_id is None else []
    return [*_submission_tallies(conn, sf, scope, settings),
            *_review_tallies(conn, rf, project_id, settings),
            *_rating_tallies(conn, sf, rf, scope), *translated]


def _translation_tallies(conn: Connection, settings: rules.RuleSettings) -> list[Tally]:
    """Translating the interface (issue 16), with its own points (:func:`app.rules.
    translation_points`): accepted suggestions on the day they were accepted, verdicts on the
    day they were given. Not any project's work: only the boards across projects count it."""
    suggestions, votes = tables.ui_translations, tables.ui_votes
    accepted = _grouped(conn, sa.select(
        suggestions.c.author_id, suggestions.c.language,
        sa.func.substr(suggestions.c.decided_at, 1, 10).label("day"))
        .where(suggestions.c.status.in_(("accepted", "superseded")),
               suggestions.c.decided_at.isnot(None), unblocked(suggestions.c.author_id)),
        ["author_id", "language", "day"], _count)
    given = _grouped(conn, sa.select(
        votes.c.author_id, suggestions.c.language,
        sa.func.substr(votes.c.updated_at, 1, 10).label("day"))
        .join(suggestions, suggestions.c.id == votes.c.translation_id)
        .where(votes.c.device_id != "server", unblocked(votes.c.author_id)),
        ["author_id", "language", "day"], _count)
    return [*(Tally(r.author_id, r.language, r.day,
                    rules.translation_points(accepted=r.n, settings=settings), r.n)
              for r in accepted),
            *(Tally(r.author_id, r.language, r.day,
                    rules.translation_points(verdicts=r.n, settings=settings), r.n)
              for r in given)]


def _submission_tallies(conn: Connection, sf: PayloadFields, scope: list,
                        settings: rules.RuleSettings) -> list[Tally]:
    """Handed-in submissions; a further improvement counts with its review instead.
    Distances the server measured at push (a device's own claim only for rows pushed
    before it measured them)."""
    least = settings.min_edit_distance
    src = _source(sa.select(SUBMISSIONS.c.author_id, SUBMISSIONS.c.language, SUBMISSIONS.c.kind,
                            SUBMISSIONS.c.updated_at, SUBMISSIONS.c.prompt_distance,
                            SUBMISSIONS.c.completion_distance,
                            sf.packed(SUBMISSIONS.c.payload)).where(*scope), "handed_in")
    fields = src.c.fields
    rows = _grouped(conn, sa.select(
        src.c.author_id, src.c.language, src.c.kind,
        day_done(conn, sf.text(fields, "submitted_at"), src.c.updated_at).label("day"),
        _flag(sa.and_(sf.text(fields, "rating_inputs").isnot(None),
                      sf.text(fields, "rating_targets").isnot(None))).label("rated"),
        _flag(sa.func.coalesce(src.c.prompt_distance,
                               sf.number(fields, "prompt_distance")) >= least).label("prompt"),
        _flag(sa.func.coalesce(src.c.completion_distance,
                               sf.number(fields, "completion_distance")) >= least)
        .label("completion"))
        .where(sf.text(fields, "review_id").is_(None)),
        ["author_id", "language", "kind", "day", "rated", "prompt", "completion"], _count)
    found = []
    for r in rows:
        # A group's distances are known only as past the threshold or not: either is enough.
        each = rules.points(rules.submission_activity(
            r.kind, r.language, rated=bool(r.rated), prompt_distance=least if r.prompt else 0,
            completion_distance=least if r.completion else 0), settings)
        found.append(Tally(r.author_id, r.language, r.day, each * r.n, r.n))
    return found


def _review_tallies(conn: Connection, rf: PayloadFields, project_id: str | None,
                    settings: rules.RuleSettings) -> list[Tally]:
    """Reviews, scored by whether they produced a further improvement."""
    review_scope = [REVIEWS.c.deleted == sa.false(), unblocked(REVIEWS.c.author_id)]
    if project_id is not None:
        review_scope.append(SUBMISSIONS.c.project_id == project_id)
    src = _source(sa.select(REVIEWS.c.author_id, SUBMISSIONS.c.language, REVIEWS.c.updated_at,
                            rf.packed(REVIEWS.c.payload))
                  .select_from(REVIEWS.outerjoin(SUBMISSIONS,
                                                 SUBMISSIONS.c.id == REVIEWS.c.submission_id))
                  .where(*review_scope), "reviewed")
    fields = src.c.fields
    state = rf.text(fields, "state")
    rows = _grouped(conn, sa.select(
        src.c.author_id,
        sa.func.coalesce(src.c.language, rf.text(fields, "language"), "und").label("language"),
        day_done(conn, rf.text(fields, "updated_at"), src.c.updated_at).label("day"),
        _flag(rf.text(fields, "improvement_id").isnot(None)).label("further"))
        .where(sa.or_(state.is_(None), state != "draft")),
        ["author_id", "language", "day", "further"], _count)
    found = []
    for r in rows:
        each = rules.points(rules.Activity("review", r.language,
                                           further_improvement=bool(r.further)), settings)
        found.append(Tally(r.author_id, r.language, r.day, each * r.n, r.n))
    return found


def _rating_tallies(conn: Connection, sf: PayloadFields, rf: PayloadFields,
                    scope: list) -> list[Tally]:
    """Ratings peers gave edits (re-annotations, post-edits, further improvements), per value."""
    src = _source(sa.select(SUBMISSIONS.c.author_id, SUBMISSIONS.c.language,
                            SUBMISSIONS.c.updated_at, sf.packed(SUBMISSIONS.c.payload),
                            rf.packed(REVIEWS.c.payload, "review_fields"))
                  .select_from(REVIEWS.join(SUBMISSIONS,
                                            SUBMISSIONS.c.id == REVIEWS.c.submission_id))
                  .where(*scope, SUBMISSIONS.c.kind.in_(EDIT_KINDS),
                         REVIEWS.c.deleted == sa.false(), unblocked(REVIEWS.c.author_id)), "rated")
    sums = [lambda sub, name=name, v=v: sa.func.sum(_flag(sub.c[name] == str(v)))
            for name in RATING_FIELDS for v in RATING_VALUES]
    rows = _grouped(conn, sa.select(
        src.c.author_id, src.c.language,
        day_done(conn, sf.text(src.c.fields, "submitted_at"), src.c.updated_at).label("day"),
        *(rf.text(src.c.review_fields, name).label(name) for name in RATING_FIELDS)),
        ["author_id", "language", "day"], *sums)
    width = len(RATING_VALUES)
    found = []
    for r in rows:
        counts = [int(n or 0) for n in r[3:]]
        histogram = tuple(counts[v] + counts[width + v] for v in range(width))
        if any(histogram):
            found.append(Tally(r.author_id, r.language, r.day, ratings=histogram))
    return found


def rule_settings(conn: Connection, project_id: str | None = None) -> rules.RuleSettings:
    """The project's rules; with no project, the first project (by name) that sets any."""
    query = (sa.select(PROJECTS.c.payload).where(PROJECTS.c.deleted == sa.false())
             .order_by(PROJECTS.c.name, PROJECTS.c.id))
    if project_id is not None:
        query = query.where(PROJECTS.c.id == project_id)
    for payload in conn.execute(query).scalars():
        settings = json.loads(payload).get("settings") or {}
        if settings.get("rules") or project_id is not None:
            return ProjectSettings.from_dict(settings).rules
    return rules.RuleSettings()


# --- boards ----------------------------------------------------------------------------------


class _Cache:
    """Recent rankings, per process, keyed by the snapshot they come from (see
    :func:`_snapshot_key`: any push, decision or block makes a new key)."""

    def __init__(self, size: int):
        self.size = size
        self.entries: OrderedDict = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key, make):
        with self.lock:
            if key in self.entries:
                self.entries.move_to_end(key)
                return self.entries[key]
        value = make()
        with self.lock:
            self.entries[key] = value
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)
        return value


_cache = _Cache(_CACHE_SIZE)


def _snapshot_key(conn: Connection, project_id: str | None) -> tuple:
    # The change number alone could repeat after a restore from backup; the newest change
    # times (and blocks, which take no change number) cannot, short of a clock going back.
    seq = current_seq(conn)
    latest = conn.execute(sa.select(
        *(sa.select(sa.func.max(table.c.updated_at)).scalar_subquery()
          for table in (SUBMISSIONS, REVIEWS, PROJECTS, USERS, tables.ui_votes)),
        sa.select(sa.func.count()).where(USERS.c.blocked_at.isnot(None)).scalar_subquery(),
    )).one()
    return (str(conn.engine.url), project_id, seq, tuple(latest))


_newest: dict[tuple, _Snapshot] = {}  # (database, project) -> the newest snapshot made here
_making: dict[tuple, threading.Lock] = {}
_making_lock = threading.Lock()


def _snapshot(conn: Connection, project_id: str | None, max_age: float) -> _Snapshot:
    """Everyone's tallies as the database has them now, or as they were at most ``max_age``
    seconds ago; one request at a time makes a new one, the others wait for it."""
    # A database emptied and filled anew (a restore, a test) is another generation: nothing
    # made from the old one is reused, however recent.
    generation = conn.execute(sa.select(sa.func.min(USERS.c.created_at))).scalar()
    scope = (str(conn.engine.url), project_id, generation)
    newest = _newest.get(scope)
    if newest is not None and max_age > 0 and time.monotonic() - newest.made_at < max_age:
        return newest
    key = _snapshot_key(conn, project_id)
    if newest is not None and newest.key == key:
        return newest
    with _making_lock:
        lock = _making.setdefault(scope, threading.Lock())
    with lock:
        newest = _newest.get(scope)
        if newest is not None and newest.key == key:
            return newest
        names = dict(conn.execute(sa.select(USERS.c.id, USERS.c.name)).all())
        settings = rule_settings(conn, project_id)
        made = _Snapshot(tuple(_tallies(conn, project_id, settings)), names, settings, key,
                         time.monotonic())
        for older in [k for k in _newest if k[:2] == scope[:2] and k != scope]:
            _newest.pop(older, None)
        _newest[scope] = made
        return made


def _ranking(snapshot: _Snapshot, since: str | None,
             language: str | None) -> list[LeaderboardRow]:
    """Everyone with work in the board, best first (equal points share a rank)."""
    first_day = since[:10] if since else None
    totals: dict[str, list] = {}  # user -> [points, contributions, rating histogram]
    for tally in snapshot.tallies:
        if (first_day is None or tally.day >= first_day) and (
                language is None or tally.language == language):
            entry = totals.setdefault(tally.user_id, [0, 0, [0] * len(RATING_VALUES)])
            entry[0] += tally.points
            entry[1] += tally.contributions
            for index, n in enumerate(tally.ratings):
                entry[2][index] += n
    scored = []
    for user_id, (points, contributions, histogram) in totals.items():
        if contributions:
            scored.append((user_id, points, contributions,
                           _scores(histogram, snapshot.settings)))
    scored.sort(key=lambda s: (-s[1], -s[2], snapshot.names.get(s[0], ""), s[0]))
    rows: list[LeaderboardRow] = []
    for position, (user_id, points, contributions, scores) in enumerate(scored, start=1):
        rank = rows[-1].rank if rows and rows[-1].points == points else position
        rows.append(LeaderboardRow(rank=rank, user_id=user_id,
                                   name=snapshot.names.get(user_id, user_id), points=points,
                                   contributions=contributions, quality_score=scores.quality_score,
                                   aya_score=scores.aya_score))
    return rows


def _scores(histogram: list[int], settings: rules.RuleSettings) -> rules.Scores:
    """The scores of the ratings a user's edits received (a histogram of the 1–5 values)."""
    return rules.scores((value for value, n in zip(RATING_VALUES, histogram, strict=True)
                         for _ in range(n)), settings)


def period_start(period: Period, now: datetime) -> datetime | None:
    """Where a period begins (UTC): today's midnight, Monday's midnight, or None for all."""
    if period == "all":
        return None
    midnight = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return midnight if period == "day" else midnight - timedelta(days=midnight.weekday())


def _now(now: datetime | str | None) -> datetime:
    if now is None:
        return datetime.now(UTC)
    if isinstance(now, str):
        now = clock.parse(now)
    if now.tzinfo is None:
        raise ServerError(ErrorCode.invalid_request, "now: give a time with a time zone (UTC).")
    return now.astimezone(UTC)


def _board(conn: Connection, snapshot: _Snapshot, period: Period,
           language: str | None, now: datetime, limit: int,
           user_id: str | None) -> Leaderboard:
    if period not in PERIODS:
        raise ServerError(ErrorCode.invalid_request,
                          f"period: one of {', '.join(PERIODS)} (got {period!r}).")
    start = period_start(period, now)
    since = clock.stamp(start) if start else None
    ranking = _cache.get((snapshot.key, since, language),
                         lambda: _ranking(snapshot, since, language))
    me = None
    if user_id is not None and user_id in snapshot.names:
        me = next((row for row in ranking if row.user_id == user_id), None)
        if me is None and _active(conn, user_id):
            me = LeaderboardRow(rank=len(ranking) + 1, user_id=user_id,
                                name=snapshot.names[user_id], points=0, contributions=0)
    return Leaderboard(period=period, language=language, since=since,
                       rows=ranking[:limit], me=me)


def _active(conn: Connection, user_id: str) -> bool:
    row = conn.execute(sa.select(USERS.c.blocked_at).where(USERS.c.id == user_id)).first()
    return row is not None and row.blocked_at is None


def board(target: Target, *, period: Period = "all", language: str | None = None,
          now: datetime | str | None = None, limit: int = TOP,
          project_id: str | None = None, user: str | None = None,
          max_age: float = 0) -> Leaderboard:
    """One board (the top ``limit`` rows); ``user`` (name or id) adds that user's row.
    ``max_age``: seconds an earlier computation may be reused for (0: always current)."""
    moment = _now(now)

    def work(conn: Connection) -> Leaderboard:
        user_id = get_user(conn, user).id if user else None
        snapshot = _snapshot(conn, project_id, max_age)
        return _board(conn, snapshot, period, language, moment, max(1, limit), user_id)

    return read(target, work)


def leaderboards(target: Target, device_or_user: Device | User | str, *,
                 now: datetime | str | None = None, limit: int = TOP,
                 project_id: str | None = None, max_age: float = 0) -> Leaderboards:
    """Day, week and all-time boards, across all languages and for each of the user's
    languages: the top ``limit`` rows of each, plus the user's own row (None when blocked).
    ``max_age``: seconds an earlier computation may be reused for (0: always current).
    A blocked user's device gets the boards with no rows: it may read no one's work."""
    moment = _now(now)
    if isinstance(device_or_user, Device) and device_or_user.blocked:
        return _empty(device_or_user.languages, moment)

    def work(conn: Connection) -> Leaderboards:
        if isinstance(device_or_user, Device):
            user_id, languages = device_or_user.user_id, device_or_user.languages
        else:
            found = (device_or_user if isinstance(device_or_user, User)
                     else get_user(conn, device_or_user))
            user_id, languages = found.id, found.languages
        snapshot = _snapshot(conn, project_id, max_age)
        boards = [_board(conn, snapshot, period, language, moment, max(1, limit), user_id)
                  for period in PERIODS for language in (None, *languages)]
        return Leaderboards(generated_at=clock.stamp(moment), boards=boards)

    return read(target, work)


def _empty(languages: tuple[str, ...], moment: datetime) -> Leaderboards:
    """The boards a blocked user's device gets: the same boards with no rows. Everyone else's
    rows are others' work, which a block withdraws (DESIGN.md invariant 6), and their own
    work is left out of every board while the block lasts."""
    boards = []
    for period in PERIODS:
        start = period_start(period, moment)
        boards += [Leaderboard(period=period, language=language,
                               since=clock.stamp(start) if start else None, rows=[], me=None)
                   for language in (None, *languages)]
    return Leaderboards(generated_at=clock.stamp(moment), boards=boards)
