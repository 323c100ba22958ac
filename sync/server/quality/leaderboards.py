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
A read is one query for all the boards asked for (:func:`_ranked`): it scores the rows of
each period with the board's rules (so new points need no recount; the boards across
projects read their work already scored, ``scored:all`` per day and ``scored:week`` per
week, while it was scored by their rules), sums them per user for each board, and ranks and
sorts them there, so only the rows shown (each board's top and the caller's) leave the
database; the ratings of just those users come in a second (:func:`_histograms`).
Interface translation is counted when read (its tables are small).
"""

from __future__ import annotations

import bisect
import itertools
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from app import clock, rules
from app.kinds import EDIT_KINDS, TASK_KINDS
from sync.protocol import ErrorCode, Leaderboard, LeaderboardRow, Leaderboards, Period
from sync.server import tables
from sync.server.db import among, is_sqlite, read
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

# --- what everyone did: the facts the tallies keep ---------------------------------------


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


# --- reading the boards ----------------------------------------------------------------------


@dataclass(frozen=True)
class _Source:
    """Where one read finds its boards' rows in the tallies, and how it scores their work."""

    project_id: str | None
    settings: rules.RuleSettings
    thresholds: tuple[int, ...]
    scored: bool                      # work across projects already scored by these rules
    since: dict[str, str | None]      # when each period began (None: all time)

    def work(self, period: Period) -> sa.Select:
        """Points and contributions per user and language in ``period``: the tallies' work,
        and (only across projects) translating the interface."""
        table = tallies.TALLIES
        if self.scored:
            # Work already scored (tallies.scored): two rows per user, language and day.
            figure = tallies.SCORED_WEEK if period == "week" else tallies.SCORED
            earned = _sum(sa.case((table.c.detail == "points", table.c.n), else_=0))
            counted = _sum(sa.case((table.c.detail == "n", table.c.n), else_=0))
        else:
            figure = FIGURES[False][self.project_id is None]
            points = sa.case(detail_points(self.thresholds, self.settings),
                             value=table.c.detail, else_=0)
            earned, counted = _sum(table.c.n * points), _sum(table.c.n)
        work = sa.select(table.c.user_id, table.c.language, earned.label("points"),
                         counted.label("n")).where(*self._rows(figure, period)) \
            .group_by(table.c.user_id, table.c.language)
        if self.project_id is not None:
            return work
        since = self.since[period]
        return sa.union_all(work, *_translation_work(self.settings, since and since[:10]))

    def ratings(self, period: Period, users: Iterable[str]) -> sa.Select:
        """How many of each 1–5 rating the edits of ``users`` received in ``period``, per
        user, language and value (``detail`` ``r|value``)."""
        table = tallies.TALLIES
        figure = FIGURES[True][self.project_id is None]
        if self.scored and period == "week":
            figure = tallies.RATED_WEEK  # one row per user, language and value this week
        return sa.select(sa.literal_column(f"'{period}'").label("period"), table.c.user_id,
                         table.c.language, table.c.detail, _sum(table.c.n).label("n")).where(
            *self._rows(figure, period), among(table.c.user_id, sorted(users))).group_by(
            table.c.user_id, table.c.language, table.c.detail)

    def _rows(self, figure: str, period: Period) -> list:
        """Rows of ``figure`` in ``period``: all time's, or those of each day (or week, as
        the figure keeps them) from the period's first day on, later ones too (a board read
        for a moment in the past counts everything since its start)."""
        table = tallies.TALLIES
        first = self.since[period] and self.since[period][:10]
        return [table.c.figure == figure,
                table.c.day == tallies.ALL_TIME if first is None else table.c.day >= first,
                *([] if self.project_id is None else [table.c.project_id == self.project_id])]


def _reading(conn: Connection, project_id: str | None, moment: datetime) -> _Source:
    """What boards of ``project_id`` (None: across projects) read at ``moment``."""
    settings = rule_settings(conn, project_id)
    state = tallies.stored_state(conn) or tallies.current_state(conn)
    scored = project_id is None and state.points is not None \
        and state.points == tallies.rules_json(settings)
    since = {}
    for period in PERIODS:
        start = period_start(period, moment)
        since[period] = clock.stamp(start) if start else None
    return _Source(project_id, settings, state.thresholds, scored, since)


def _sum(value) -> sa.ColumnElement:
    # A whole number: PostgreSQL's sum of a bigint is numeric, which reaches Python as a
    # Decimal, several times slower to fetch.
    return sa.cast(sa.func.sum(value), sa.BigInteger)


def _translation_work(settings: rules.RuleSettings, first_day: str | None) -> list[sa.Select]:
    """Translating the interface (issue 16), per user and language, with its own points
    (:func:`app.rules.translation_points`): accepted suggestions on the day they were
    accepted, verdicts on the day they were given. Not any project's work: only the boards
    across projects count it. Counted when read: a catalog's suggestions and verdicts are
    thousands, not millions."""
    suggestions, votes = tables.ui_translations, tables.ui_votes
    decided = sa.func.substr(suggestions.c.decided_at, 1, 10)
    voted = sa.func.substr(votes.c.updated_at, 1, 10)
    n = sa.cast(sa.func.count(), sa.BigInteger)
    accepted = sa.select(
        suggestions.c.author_id, suggestions.c.language,
        n * rules.translation_points(accepted=1, settings=settings), n).where(
        suggestions.c.status.in_(("accepted", "superseded")),
        suggestions.c.decided_at.isnot(None), unblocked(suggestions.c.author_id),
        *([] if first_day is None else [decided >= first_day]))
    given = sa.select(
        votes.c.author_id, suggestions.c.language,
        n * rules.translation_points(verdicts=1, settings=settings), n) \
        .join(suggestions, suggestions.c.id == votes.c.translation_id).where(
        votes.c.device_id != "server", unblocked(votes.c.author_id),
        *([] if first_day is None else [voted >= first_day]))
    return [accepted.group_by(suggestions.c.author_id, suggestions.c.language),
            given.group_by(votes.c.author_id, suggestions.c.language)]


def _ranked(conn: Connection, source: _Source, boards: list[tuple[Period, str | None]],
            limit: int, user_id: str | None) -> list:
    """Each board's top ``limit`` rows, ranked and sorted in SQL, and ``user_id``'s row when
    it has work there: ``board`` (its index), ``user_id``, ``name``, ``points``, ``n``,
    ``rank`` (equal points share one: one more than how many have more), ``position`` and
    ``ranked`` (how many have work in the board). One query for every board, so only the
    rows shown leave the database, and each period's work is summed once for its boards."""
    work = {period: source.work(period).cte(f"work_{period}").prefix_with("MATERIALIZED")
            for period in dict.fromkeys(period for period, _ in boards)}
    totals = []
    for index, (period, language) in enumerate(boards):
        rows = work[period]
        totals.append(sa.select(sa.literal_column(str(index)).label("board"), rows.c.user_id,
                                _sum(rows.c.points).label("points"), _sum(rows.c.n).label("n"))
                      .where(*([] if language is None else [rows.c.language == language]))
                      .group_by(rows.c.user_id).having(sa.func.sum(rows.c.n) != 0))
    everyone = sa.union_all(*totals).subquery("totals")
    # Ranks and counts first, by points alone; names only for the few that can be shown:
    # those ranked within the top (every row above one of them is one too) and the caller.
    ranked = sa.select(
        everyone,
        sa.func.rank().over(partition_by=everyone.c.board,
                            order_by=everyone.c.points.desc()).label("rank"),
        sa.func.count().over(partition_by=everyone.c.board).label("ranked")).subquery("ranked")
    near = ranked.c.rank <= limit
    if user_id is not None:
        near = sa.or_(near, ranked.c.user_id == user_id)
    near = sa.select(ranked).where(near).subquery("near")
    placed = sa.select(
        near, USERS.c.name,
        sa.func.row_number().over(partition_by=near.c.board, order_by=[
            near.c.points.desc(), near.c.n.desc(),
            _codepoints(conn, sa.func.coalesce(USERS.c.name, "")),
            _codepoints(conn, near.c.user_id)]).label("position")) \
        .select_from(near.outerjoin(USERS, USERS.c.id == near.c.user_id)).subquery("placed")
    shown = placed.c.position <= limit
    if user_id is not None:
        shown = sa.or_(shown, placed.c.user_id == user_id)
    return conn.execute(sa.select(placed).where(shown)
                        .order_by(placed.c.board, placed.c.position)).all()


def _codepoints(conn: Connection, text):
    """``text`` ordered as Python orders strings (by code point), as the boards always
    were: SQLite's default does; PostgreSQL's follows the database's locale unless told."""
    return text if is_sqlite(conn) else sa.collate(text, "C")


def _histograms(conn: Connection, source: _Source,
                shown: dict[Period, set[str]]) -> dict[tuple, dict[str, list[int]]]:
    """The ratings the edits of the users ``shown`` per period received: by (period, user),
    a histogram of the 1–5 values per language. Read for the rows shown only."""
    parts = [source.ratings(period, users) for period, users in shown.items() if users]
    found: dict[tuple, dict[str, list[int]]] = {}
    if not parts:
        return found
    width = len(RATING_VALUES)
    for period, user, language, detail, n in conn.execute(sa.union_all(*parts)).all():
        value = int(detail.partition("|")[2])
        histogram = found.setdefault((period, user), {}).setdefault(language, [0] * width)
        histogram[RATING_VALUES.index(value)] += int(n)
    return found


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


def _read(conn: Connection, project_id: str | None, moment: datetime,
          boards: list[tuple[Period, str | None]], limit: int,
          user_id: str | None) -> list[Leaderboard]:
    """``boards`` (period, language: None for all of them) as at ``moment``: the top
    ``limit`` rows of each, and ``user_id``'s row (``me``)."""
    for period, _ in boards:
        if period not in PERIODS:
            raise ServerError(ErrorCode.invalid_request,
                              f"period: one of {', '.join(PERIODS)} (got {period!r}).")
    if not is_sqlite(conn):
        # The boards' queries sum some thousands of rows: compiling them (PostgreSQL's JIT,
        # drawn by cost estimates of the index walks) took 90 ms, running them 30, and
        # starting parallel workers for the ratings of the rows shown took longer than
        # reading them (10 ms, not 2). For this transaction only.
        conn.exec_driver_sql("SELECT set_config('jit', 'off', true), "
                             "set_config('max_parallel_workers_per_gather', '0', true)")
    source = _reading(conn, project_id, moment)
    found: list[list] = [[] for _ in boards]
    for row in _ranked(conn, source, boards, limit, user_id):
        found[row.board].append(row)
    shown: dict[Period, set[str]] = {}
    for (period, _), rows in zip(boards, found, strict=True):
        shown.setdefault(period, set()).update(row.user_id for row in rows)
    histograms = _histograms(conn, source, shown)
    person = conn.execute(sa.select(USERS.c.name, USERS.c.blocked_at)
                          .where(USERS.c.id == user_id)).first() if user_id else None
    return [_board(period, language, source, rows, histograms, limit, user_id, person)
            for (period, language), rows in zip(boards, found, strict=True)]


def _board(period: Period, language: str | None, source: _Source, ranked: list,
           histograms: dict[tuple, dict[str, list[int]]], limit: int, user_id: str | None,
           person) -> Leaderboard:
    """One board from its rows as :func:`_ranked` found them (best first, then the
    caller's); the caller's row with no work is theirs with none (rank: after everyone)."""
    rows = []
    for row in ranked:
        received = histograms.get((period, row.user_id), {})
        histogram = [sum(counts) for counts in zip(
            *(counts for spoken, counts in received.items() if language in (None, spoken)),
            strict=True)] or [0] * len(RATING_VALUES)
        scores = _scores(histogram, source.settings)
        rows.append(LeaderboardRow(
            rank=int(row.rank), user_id=row.user_id,
            name=row.name if row.name is not None else row.user_id,
            points=int(row.points), contributions=int(row.n),
            quality_score=scores.quality_score, aya_score=scores.aya_score))
    me = None
    if person is not None:
        me = next((row for row in rows if row.user_id == user_id), None)
        if me is None and person.blocked_at is None:
            me = LeaderboardRow(rank=(int(ranked[0].ranked) if ranked else 0) + 1,
                                user_id=user_id, name=person.name, points=0, contributions=0)
    return Leaderboard(period=period, language=language, since=source.since[period],
                       rows=rows[:limit], me=me)


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


def board(target: Target, *, period: Period = "all", language: str | None = None,
          now: datetime | str | None = None, limit: int = TOP,
          project_id: str | None = None, user: str | None = None) -> Leaderboard:
    """One board (the top ``limit`` rows); ``user`` (name or id) adds that user's row."""
    moment = _now(now)

    def work(conn: Connection) -> Leaderboard:
        user_id = get_user(conn, user).id if user else None
        return _read(conn, project_id, moment, [(period, language)], max(1, limit),
                     user_id)[0]

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
        wanted = [(period, language) for period in PERIODS for language in (None, *languages)]
        boards = _read(conn, project_id, moment, wanted, max(1, limit), user_id)
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
