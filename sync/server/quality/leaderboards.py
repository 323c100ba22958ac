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

Speed: nothing is counted when a board is read. Work is grouped by user, language, day and
whatever its points depend on (kind, thumbs given, edit distances in bands between the
thresholds projects use), and ratings by user, language, day and value: these groups are
:func:`board_facts`, kept in the ``tallies`` table as the data arrives (:mod:`.tallies`).
A read takes the all-time rows and the day rows of the current week, and Python scores them
with the board's rules (so new points need no recount; the boards across projects read their
work already scored, ``scored:all``, while it was scored by their rules), sums them only for
the languages of the boards asked for, and sorts only each board's top (a rank is one more
than how many have more points). Interface translation is counted when read (its tables are
small).
"""

from __future__ import annotations

import bisect
import heapq
import itertools
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from app import clock, rules
from app.kinds import EDIT_KINDS, TASK_KINDS
from sync.protocol import ErrorCode, Leaderboard, LeaderboardRow, Leaderboards, Period
from sync.server import tables
from sync.server.db import read
from sync.server.errors import ServerError
from sync.server.people.users import Device, User, get_user
from sync.server.quality import tallies
from sync.server.quality.fields import (
    RATING_FIELDS,
    RATING_VALUES,
    PayloadFields,
    day_done,
    unblocked,
)
from sync.server.quality.tallies import Scope
from sync.server.work.projects import ProjectSettings

Target = Engine | Connection
PROJECTS = tables.projects
REVIEWS = tables.reviews
SUBMISSIONS = tables.submissions
USERS = tables.users
PERIODS: tuple[Period, ...] = ("day", "week", "all")
TOP = 20

# --- what everyone did -----------------------------------------------------------------------


NO_RATINGS = (0, 0, 0, 0, 0)


class Tally(NamedTuple):
    """What one user did in one language on one UTC day: points, how many activities, and
    how many of each 1–5 rating peers gave their edits that day. (A tuple: a read makes
    tens of thousands, and a frozen dataclass took several times as long to make.)"""

    user_id: str
    language: str
    day: str                          # YYYY-MM-DD
    points: int = 0
    contributions: int = 0
    ratings: tuple[int, ...] = NO_RATINGS


@dataclass(frozen=True)
class _Snapshot:
    all_time: tuple[Tally, ...]   # day '' (every day summed)
    recent: tuple[Tally, ...]     # this week: ``day`` is its Monday, or today from today on
    names: dict[str, str]
    settings: rules.RuleSettings
    blocked: frozenset[str]       # users who are blocked now
    languages: frozenset[str | None]  # the boards' languages (None: all of them together)
    totals: dict = field(default_factory=dict)  # _totals, per period, made when first asked


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


def board_facts(conn: Connection, scope: Scope,
                thresholds: tuple[int, ...]) -> Iterator[tuple[tuple, int]]:
    """The leaderboards' facts (:mod:`.tallies`) over ``scope``, aggregated in SQL: work is
    grouped by everything its points depend on, each group one fact, on its day and all-time.

    ``detail`` is ``s|kind|rated|prompt band|completion band`` for a handed-in submission,
    ``v|further`` for a review, ``r|value`` for a 1–5 rating peers gave an edit. A band is how
    many of ``thresholds`` (every ``min_edit_distance`` a project uses) the distance reaches,
    so a board scores with any of them. Blocked users' work, and ratings they gave, are left
    out (blocking restates their units)."""
    sf = PayloadFields(conn, ["submitted_at", "rating_inputs", "rating_targets",
                              "prompt_distance", "completion_distance", "review_id"])
    rf = PayloadFields(conn, ["language", "updated_at", "improvement_id", "state",
                              *RATING_FIELDS])
    scope_rows = [SUBMISSIONS.c.deleted == sa.false(), SUBMISSIONS.c.state != "draft",
                  SUBMISSIONS.c.language.isnot(None), unblocked(SUBMISSIONS.c.author_id),
                  *scope.where(SUBMISSIONS.c.id, SUBMISSIONS.c.project_id)]
    for figure in (_submission_facts(conn, sf, scope_rows, thresholds),
                   _review_facts(conn, rf, scope), _rating_facts(conn, sf, rf, scope_rows)):
        for (project, user, language, day, detail), n in figure:
            work, everywhere = FIGURES[detail.startswith("r|")]
            for when in (day, tallies.ALL_TIME):
                yield (work, when, project or "", user, language, detail), n
                yield (everywhere, when, "", user, language, detail), n


# A device stamp both databases read the same way (day_done's LIKE pattern, ASCII digits).
_STAMP = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z")


def written_submission_facts(row, record: dict, thresholds: tuple[int, ...],
                             blocked: frozenset[str]) -> list[tuple[tuple, int]] | None:
    """:func:`board_facts` of one submission a push just wrote and nobody reviewed, from the
    row as stored and the record as pushed, exactly as the queries above state them; None
    when only the database can say (a device stamp that is not a plain one)."""
    if (row["deleted"] or row["state"] == "draft" or row["language"] is None
            or row["author_id"] in blocked or record.get("review_id") is not None):
        return []
    stamp = record.get("submitted_at")
    if stamp is not None and not (isinstance(stamp, str) and _STAMP.fullmatch(stamp)):
        return None
    day = (stamp if stamp is not None and stamp <= row["updated_at"] else row["updated_at"])[:10]
    rated = int(record.get("rating_inputs") is not None
                and record.get("rating_targets") is not None)
    bands = []
    for name in ("prompt_distance", "completion_distance"):
        value = row[name] if row[name] is not None else record.get(name)
        if isinstance(value, bool) or not isinstance(value, int | float):
            value = None
        bands.append(0 if value is None else sum(value >= least for least in thresholds))
    detail = f"s|{row['kind'] or ''}|{rated}|{bands[0]}|{bands[1]}"
    user, language = row["author_id"], row["language"]
    work, everywhere = FIGURES[False]
    return [fact for when in (day, tallies.ALL_TIME)
            for fact in (((work, when, row["project_id"] or "", user, language, detail), 1),
                         ((everywhere, when, "", user, language, detail), 1))]


# Where board facts are kept: work (submissions and reviews) and ratings received apart, each
# per project and across projects (project ''), so a board reads only rows it sums.
FIGURES = {False: ("board", "board:all"), True: ("rated", "rated:all")}


def _band(value, thresholds: tuple[int, ...]):
    """How many of ``thresholds`` ``value`` reaches (0 when unknown)."""
    return sum((_flag(value >= least) for least in thresholds), sa.literal(0))


def _submission_facts(conn: Connection, sf: PayloadFields, scope: list,
                      thresholds: tuple[int, ...]):
    """Handed-in submissions; a further improvement counts with its review instead.
    Distances the server measured at push (a device's own claim only for rows pushed
    before it measured them)."""
    src = _source(sa.select(SUBMISSIONS.c.author_id, SUBMISSIONS.c.project_id,
                            SUBMISSIONS.c.language, SUBMISSIONS.c.kind,
                            SUBMISSIONS.c.updated_at, SUBMISSIONS.c.prompt_distance,
                            SUBMISSIONS.c.completion_distance,
                            sf.packed(SUBMISSIONS.c.payload)).where(*scope), "handed_in")
    fields = src.c.fields
    rows = _grouped(conn, sa.select(
        src.c.author_id, src.c.project_id, src.c.language, src.c.kind,
        day_done(conn, sf.text(fields, "submitted_at"), src.c.updated_at).label("day"),
        _flag(sa.and_(sf.text(fields, "rating_inputs").isnot(None),
                      sf.text(fields, "rating_targets").isnot(None))).label("rated"),
        _band(sa.func.coalesce(src.c.prompt_distance, sf.number(fields, "prompt_distance")),
              thresholds).label("prompt"),
        _band(sa.func.coalesce(src.c.completion_distance,
                               sf.number(fields, "completion_distance")), thresholds)
        .label("completion"))
        .where(sf.text(fields, "review_id").is_(None)),
        ["author_id", "project_id", "language", "kind", "day", "rated", "prompt", "completion"],
        _count)
    for r in rows:
        yield ((r.project_id, r.author_id, r.language, r.day,
                f"s|{r.kind or ''}|{int(r.rated)}|{int(r.prompt)}|{int(r.completion)}"), r.n)


def _review_facts(conn: Connection, rf: PayloadFields, scope: Scope):
    """Reviews, by whether they produced a further improvement."""
    src = _source(sa.select(REVIEWS.c.author_id, SUBMISSIONS.c.language,
                            SUBMISSIONS.c.project_id, REVIEWS.c.updated_at,
                            rf.packed(REVIEWS.c.payload))
                  .select_from(REVIEWS.outerjoin(SUBMISSIONS,
                                                 SUBMISSIONS.c.id == REVIEWS.c.submission_id))
                  .where(REVIEWS.c.deleted == sa.false(), unblocked(REVIEWS.c.author_id),
                         *scope.where(REVIEWS.c.submission_id, SUBMISSIONS.c.project_id)),
                  "reviewed")
    fields = src.c.fields
    state = rf.text(fields, "state")
    rows = _grouped(conn, sa.select(
        src.c.author_id, src.c.project_id,
        sa.func.substr(sa.func.coalesce(src.c.language, rf.text(fields, "language"), "und"),
                       1, 64).label("language"),
        day_done(conn, rf.text(fields, "updated_at"), src.c.updated_at).label("day"),
        _flag(rf.text(fields, "improvement_id").isnot(None)).label("further"))
        .where(sa.or_(state.is_(None), state != "draft")),
        ["author_id", "project_id", "language", "day", "further"], _count)
    for r in rows:
        yield (r.project_id, r.author_id, r.language, r.day, f"v|{int(r.further)}"), r.n


def _rating_facts(conn: Connection, sf: PayloadFields, rf: PayloadFields, scope: list):
    """Ratings peers gave edits (re-annotations, post-edits, further improvements), per value."""
    src = _source(sa.select(SUBMISSIONS.c.author_id, SUBMISSIONS.c.project_id,
                            SUBMISSIONS.c.language,
                            SUBMISSIONS.c.updated_at, sf.packed(SUBMISSIONS.c.payload),
                            rf.packed(REVIEWS.c.payload, "review_fields"))
                  .select_from(REVIEWS.join(SUBMISSIONS,
                                            SUBMISSIONS.c.id == REVIEWS.c.submission_id))
                  .where(*scope, SUBMISSIONS.c.kind.in_(EDIT_KINDS),
                         REVIEWS.c.deleted == sa.false(), unblocked(REVIEWS.c.author_id)), "rated")
    sums = [lambda sub, name=name, v=v: sa.func.sum(_flag(sub.c[name] == str(v)))
            for name in RATING_FIELDS for v in RATING_VALUES]
    rows = _grouped(conn, sa.select(
        src.c.author_id, src.c.project_id, src.c.language,
        day_done(conn, sf.text(src.c.fields, "submitted_at"), src.c.updated_at).label("day"),
        *(rf.text(src.c.review_fields, name).label(name) for name in RATING_FIELDS)),
        ["author_id", "project_id", "language", "day"], *sums)
    width = len(RATING_VALUES)
    for r in rows:
        counts = [int(n or 0) for n in r[4:]]
        for index, value in enumerate(RATING_VALUES):
            n = counts[index] + counts[width + index]
            if n:
                yield (r.project_id, r.author_id, r.language, r.day, f"r|{value}"), n


def _tallies(conn: Connection, project_id: str | None, settings: rules.RuleSettings,
             week: str, today: str) -> tuple[list[Tally], list[Tally]]:
    """The stored facts (:mod:`.tallies`) scored and summed per user and language, in SQL:
    all-time, and this week in two parts (``day`` is ``week``, or ``today`` for today on).
    Translating the interface only in the boards across projects."""
    table = tallies.TALLIES
    everywhere = project_id is None
    scope = [] if everywhere else [table.c.project_id == project_id]
    state = tallies.stored_state(conn) or tallies.current_state(conn)
    scored = everywhere and state.points is not None \
        and state.points == tallies.rules_json(settings)
    if scored:
        # Work already scored by these rules (tallies.scored): two rows per user and day.
        earned = _sum(sa.case((table.c.detail == "points", table.c.n), else_=0))
        counted = _sum(sa.case((table.c.detail == "n", table.c.n), else_=0))
    else:
        points = sa.case(detail_points(state.thresholds, settings), value=table.c.detail,
                         else_=0)
        earned, counted = _sum(table.c.n * points), _sum(table.c.n)

    def summed(figures: tuple[str, str], day, *condition) -> list[Tally]:
        """Per user, language and ``day`` (a column to group by, or one day's text): the
        points and contributions of work figure ``figures[0]``, the ratings of
        ``figures[1]``."""
        # Grouped by the key's own order when it can be (one day): no sorting at all.
        keys = [table.c.user_id, table.c.language, *([] if isinstance(day, str) else [day])]
        day = (sa.literal(day) if isinstance(day, str) else day).label("day")
        work_figure, rated_figure = figures
        work = sa.select(table.c.user_id, table.c.language, day, earned, counted).where(
            table.c.figure == work_figure, *scope, *condition).group_by(*keys)
        found = {(user, language, when): Tally(user, language, when, int(each), int(n))
                 for user, language, when, each, n in conn.execute(work).all()}
        rated = sa.select(table.c.user_id, table.c.language, day, *(
            _sum(sa.case((table.c.detail == f"r|{value}", table.c.n), else_=0))
            for value in RATING_VALUES)).where(
            table.c.figure == rated_figure, *scope, *condition).group_by(*keys)
        for user, language, when, *histogram in conn.execute(rated).all():
            done = found.get((user, language, when))
            found[user, language, when] = Tally(user, language, when,
                                                done.points if done else 0,
                                                done.contributions if done else 0,
                                                tuple(map(int, histogram)))
        return list(found.values())

    figures = (tallies.SCORED, "rated:all") if scored else \
        (FIGURES[False][everywhere], FIGURES[True][everywhere])
    all_time = summed(figures, tallies.ALL_TIME, table.c.day == tallies.ALL_TIME)
    if scored:
        recent = _this_week(summed, figures, week, today)
    else:
        recent = summed(figures, sa.case((table.c.day >= today, today), else_=week),
                        table.c.day >= week)
    if project_id is None:
        for tally in _translation_tallies(conn, settings):
            all_time.append(tally._replace(day=tallies.ALL_TIME))
            if tally.day >= week:
                recent.append(tally._replace(day=today if tally.day >= today else week))
    return all_time, recent


def _sum(value) -> sa.ColumnElement:
    # A whole number: PostgreSQL's sum of a bigint is numeric, which reaches Python as a
    # Decimal, several times slower to fetch (thousands of rows per read).
    return sa.cast(sa.func.sum(value), sa.BigInteger)


def _this_week(summed, figures: tuple[str, str], week: str, today: str) -> list[Tally]:
    """This week's scored work in the two parts boards read, from the rows kept per week
    (``scored:week``, ``rated:week``: one per user and language however far into the week)
    less what was done from today on, and the day rows from today on (a later week's, read
    for a moment in the past, count as today's, as :func:`_totals` reads them)."""
    table = tallies.TALLIES
    next_week = (date.fromisoformat(week) + timedelta(days=7)).isoformat()
    from_today = summed(figures, sa.case((table.c.day < next_week, today), else_=next_week),
                        table.c.day >= today)
    in_this_week = {(t.user_id, t.language): t for t in from_today if t.day == today}
    recent = from_today
    for whole in summed((tallies.SCORED_WEEK, tallies.RATED_WEEK), week, table.c.day == week):
        part = in_this_week.get((whole.user_id, whole.language))
        if part is not None:
            whole = Tally(whole.user_id, whole.language, week, whole.points - part.points,
                          whole.contributions - part.contributions,
                          tuple(a - b for a, b in zip(whole.ratings, part.ratings,
                                                      strict=True)))
        if whole.points or whole.contributions or any(whole.ratings):
            recent.append(whole)
    return recent


def detail_points(thresholds: tuple[int, ...],
                   settings: rules.RuleSettings) -> dict[str, int]:
    """The points of every work fact :func:`board_facts` can state (each ``detail``: kinds
    are checked at push), by ``settings``."""
    past = bisect.bisect_left(thresholds, settings.min_edit_distance)  # bands above: past it
    least = settings.min_edit_distance
    bands = range(len(thresholds) + 1)
    found = {}
    for kind in (*TASK_KINDS, ""):  # originals first: the case is tried in this order
        for rated, prompt, completion in itertools.product((0, 1), bands, bands):
            activity = rules.submission_activity(
                kind or None, "und", rated=bool(rated),
                prompt_distance=least if prompt > past else 0,
                completion_distance=least if completion > past else 0)
            found[f"s|{kind}|{rated}|{prompt}|{completion}"] = rules.points(activity, settings)
    for further in (0, 1):
        activity = rules.Activity("review", "und", further_improvement=bool(further))
        found[f"v|{further}"] = rules.points(activity, settings)
    return found


def _translation_tallies(conn: Connection, settings: rules.RuleSettings) -> list[Tally]:
    """Translating the interface (issue 16), with its own points (:func:`app.rules.
    translation_points`): accepted suggestions on the day they were accepted, verdicts on the
    day they were given. Not any project's work: only the boards across projects count it.
    Counted when read: a catalog's suggestions and verdicts are thousands, not millions."""
    suggestions, votes = tables.ui_translations, tables.ui_votes
    decided = sa.func.substr(suggestions.c.decided_at, 1, 10)
    voted = sa.func.substr(votes.c.updated_at, 1, 10)
    accepted = _grouped(conn, sa.select(
        suggestions.c.author_id, suggestions.c.language, decided.label("day"))
        .where(suggestions.c.status.in_(("accepted", "superseded")),
               suggestions.c.decided_at.isnot(None), unblocked(suggestions.c.author_id)),
        ["author_id", "language", "day"], _count)
    given = _grouped(conn, sa.select(
        votes.c.author_id, suggestions.c.language, voted.label("day"))
        .join(suggestions, suggestions.c.id == votes.c.translation_id)
        .where(votes.c.device_id != "server", unblocked(votes.c.author_id)),
        ["author_id", "language", "day"], _count)
    return [*(Tally(r.author_id, r.language, r.day,
                    rules.translation_points(accepted=r.n, settings=settings), r.n)
              for r in accepted),
            *(Tally(r.author_id, r.language, r.day,
                    rules.translation_points(verdicts=r.n, settings=settings), r.n)
              for r in given)]


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


def _snapshot(conn: Connection, project_id: str | None, moment: datetime,
              languages: Iterable[str | None]) -> _Snapshot:
    """Everyone's tallies as the database has them now: all-time, and per day from the
    start of ``moment``'s week (the day and week boards), for boards of ``languages``."""
    people = conn.execute(sa.select(USERS.c.id, USERS.c.name, USERS.c.blocked_at)).all()
    settings = rule_settings(conn, project_id)
    week = clock.stamp(period_start("week", moment))[:10]
    today = clock.stamp(period_start("day", moment))[:10]
    all_time, recent = _tallies(conn, project_id, settings, week, today)
    return _Snapshot(tuple(all_time), tuple(recent), {p.id: p.name for p in people},
                     settings, frozenset(p.id for p in people if p.blocked_at is not None),
                     frozenset((None, *languages)))


def _totals(snapshot: _Snapshot, first_day: str | None) -> dict[str | None, dict[str, list]]:
    """Per language of the snapshot's boards (None: all of them) and user: [points,
    contributions, rating histogram] from ``first_day`` on (None: all time); summed once per
    snapshot and period."""
    if first_day in snapshot.totals:
        return snapshot.totals[first_day]
    found: dict[str | None, dict[str, list]] = {language: {} for language in snapshot.languages}
    everyone = found[None]
    for tally in snapshot.recent if first_day else snapshot.all_time:
        if first_day is not None and tally.day < first_day:
            continue
        own = found.get(tally.language)
        for users in (everyone, own) if own is not None else (everyone,):
            entry = users.get(tally.user_id)
            if entry is None:
                users[tally.user_id] = [tally.points, tally.contributions, tally.ratings]
                continue
            entry[0] += tally.points
            entry[1] += tally.contributions
            if tally.ratings is not NO_RATINGS:
                entry[2] = tuple(a + b for a, b in zip(entry[2], tally.ratings, strict=True))
    snapshot.totals[first_day] = found
    return found


def _ranking(snapshot: _Snapshot, since: str | None, language: str | None, limit: int,
             user_id: str | None) -> tuple[list[LeaderboardRow], int]:
    """The top ``limit`` rows of everyone with work in the board, best first (equal points
    share a rank: one more than how many have more points), then ``user_id``'s row when it
    has work and is not among them; and how many have work. Only those rows are scored, and
    only the top is sorted."""
    totals = _totals(snapshot, since[:10] if since else None).get(language, {})
    names = snapshot.names
    scored = [(user, entry) for user, entry in totals.items() if entry[1]]
    top = heapq.nsmallest(limit, scored,
                          key=lambda s: (-s[1][0], -s[1][1], names.get(s[0], ""), s[0]))
    chosen = []
    for position, (user, entry) in enumerate(top, start=1):
        rank = position if position == 1 or top[position - 2][1][0] != entry[0] \
            else chosen[-1][0]
        chosen.append((rank, user, entry))
    mine = totals.get(user_id) if user_id is not None else None
    if mine is not None and mine[1] and all(user != user_id for _, user, _ in chosen):
        chosen.append((1 + sum(1 for _, entry in scored if entry[0] > mine[0]), user_id, mine))
    rows = []
    for rank, user, (points, contributions, histogram) in chosen:
        scores = _scores(histogram, snapshot.settings)
        rows.append(LeaderboardRow(rank=rank, user_id=user, name=names.get(user, user),
                                   points=points, contributions=contributions,
                                   quality_score=scores.quality_score,
                                   aya_score=scores.aya_score))
    return rows, len(scored)


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


def _board(snapshot: _Snapshot, period: Period,
           language: str | None, now: datetime, limit: int,
           user_id: str | None) -> Leaderboard:
    if period not in PERIODS:
        raise ServerError(ErrorCode.invalid_request,
                          f"period: one of {', '.join(PERIODS)} (got {period!r}).")
    start = period_start(period, now)
    since = clock.stamp(start) if start else None
    ranking, ranked = _ranking(snapshot, since, language, limit, user_id)
    me = None
    if user_id is not None and user_id in snapshot.names:
        me = next((row for row in ranking if row.user_id == user_id), None)
        if me is None and user_id not in snapshot.blocked:
            me = LeaderboardRow(rank=ranked + 1, user_id=user_id,
                                name=snapshot.names[user_id], points=0, contributions=0)
    return Leaderboard(period=period, language=language, since=since,
                       rows=ranking[:limit], me=me)


def board(target: Target, *, period: Period = "all", language: str | None = None,
          now: datetime | str | None = None, limit: int = TOP,
          project_id: str | None = None, user: str | None = None) -> Leaderboard:
    """One board (the top ``limit`` rows); ``user`` (name or id) adds that user's row."""
    moment = _now(now)

    def work(conn: Connection) -> Leaderboard:
        user_id = get_user(conn, user).id if user else None
        snapshot = _snapshot(conn, project_id, moment, (language,))
        return _board(snapshot, period, language, moment, max(1, limit), user_id)

    return read(target, work)


def leaderboards(target: Target, device_or_user: Device | User | str, *,
                 now: datetime | str | None = None, limit: int = TOP,
                 project_id: str | None = None) -> Leaderboards:
    """Day, week and all-time boards, across all languages and for each of the user's
    languages: the top ``limit`` rows of each, plus the user's own row (None when blocked).
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
        snapshot = _snapshot(conn, project_id, moment, languages)
        boards = [_board(snapshot, period, language, moment, max(1, limit), user_id)
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
