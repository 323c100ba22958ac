"""Tallies: what the leaderboards and the overview count, kept as the data arrives.

    change = Change(conn, submission_ids)   # in the write transaction, before the writes
    ...                                      # write submissions, reviews, decisions, flags
    change.commit()                          # the tallies move by what those units changed
    rows = stored(conn, "board", days=("", "2026-06-01"), project_id="aya-urd")
    rebuild(conn)                            # everything again from scratch (migration, CLI)

A *unit* is one submission id: the submission, the reviews of it (and the ratings in them),
the decisions and flags on it. Each figure states its *facts* per unit with one function that
also computes them from scratch (:func:`facts`): ``(figure, day, project, user, language,
detail) -> n``. The ``tallies`` table holds their sum over every unit. A write changes some
units: :class:`Change` states their facts before and after and adds the difference, in the
same transaction (a unit with no record yet, a new item a push writes, has no facts before and
is not asked for them; new items nobody reviewed are stated from the rows the push wrote,
:meth:`Change.commit`), so the table always equals :func:`facts` over everything (the property
test checks that over random pushes, decisions, flags, blocks and relabels).

Figures (each module says what its facts mean): ``board``
(:func:`sync.server.quality.leaderboards.board_facts`; its work across projects also kept
scored, ``scored:all``, see :func:`scored`), ``accept``
(:func:`sync.server.work.acceptance.acceptance_facts`), ``progress`` and ``authors``
(:func:`sync.server.quality.measures.progress_facts`) and ``agree``
(:func:`sync.server.quality.measures.agreement_facts`).

What else moves a unit's facts, and is handled where it happens:

* a block or unblock (:mod:`.moderation`): facts leave blocked people's work and ratings out,
  so the units they wrote or reviewed (:func:`units_of`, read under the writers' lock) are
  stated again;
* project settings (:mod:`sync.server.work.projects`): acceptance verdicts follow their
  project's rules, so a project's acceptance facts are stated again when those change;
  points are applied when boards are read, and edit distances are kept in bands between the
  thresholds any project uses (``thresholds``), so a new threshold restates every board
  fact (one GROUP BY over everything, in the settings' transaction). The boards across
  projects read ``scored:all``, work already scored by their rules (``points``); new rules
  restate it from the stored work rows (:func:`restate_scored`, one INSERT ... SELECT), and
  while it was scored by other rules those boards score every kind of work when read.

Writers of tallies are serialized (SQLite's write lock; the change counter's row lock on
PostgreSQL, as every write of records takes), so a unit's "before" is what the table holds.
"""

from __future__ import annotations

import datetime
import json
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass, replace

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from app import clock
from sync.server import tables
from sync.server.db import among, is_sqlite

TALLIES = tables.tallies
FIGURES = tables.figures
SUBMISSIONS = tables.submissions
REVIEWS = tables.reviews
COLUMNS = ("figure", "day", "project_id", "user_id", "language", "detail")
ALL_TIME = ""           # the day of the rows that sum every day
CHUNK = 500             # units per query
STATE_KEY = "tallies:state"  # figures row: the thresholds and acceptance rules tallied under
SCORED = "scored:all"   # board:all's work scored: details 'points' and 'n' per day and user
# The same per week (``day`` is the week's Monday), and the ratings of rated:all per week: a
# board of this week reads one row per user and language, not one per day of the week.
SCORED_WEEK = "scored:week"
RATED_WEEK = "rated:week"

Key = tuple[str, str, str, str, str, str]


@dataclass(frozen=True)
class Scope:
    """Which units a fact query covers: ``units`` (submission ids) or all; one project or all."""

    units: tuple[str, ...] | None = None
    project_id: str | None = None

    def where(self, submission_id, project_id=None) -> list:
        """Conditions on a query's submission id (and project) columns."""
        found = []
        if self.units is not None:
            found.append(among(submission_id, self.units))
        if self.project_id is not None:
            found.append(sa.func.coalesce(project_id, "") == self.project_id)
        return found

    def chunks(self) -> Iterator[Scope]:
        if self.units is None:
            yield self
            return
        for start in range(0, len(self.units), CHUNK):
            yield replace(self, units=self.units[start:start + CHUNK])


@dataclass(frozen=True)
class State:
    """What the stored tallies were stated under: the edit-distance thresholds (ascending),
    each project's acceptance rules (JSON text), and the rules of the boards across projects
    that ``scored:all`` is scored by (JSON text; None: not scored, as before migration 0018)."""

    thresholds: tuple[int, ...]
    acceptance: dict[str, str]
    points: str | None = None

    def to_json(self) -> str:
        return json.dumps({"thresholds": list(self.thresholds), "acceptance": self.acceptance,
                           "points": self.points}, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> State:
        data = json.loads(text)
        return cls(tuple(data["thresholds"]), dict(data["acceptance"]), data.get("points"))

    def point_values(self) -> dict[str, int] | None:
        """The points of each work fact's detail by :attr:`points` (None when not scored)."""
        from sync.server.quality.leaderboards import detail_points

        if self.points is None:
            return None
        return detail_points(self.thresholds, rules_from_json(self.points))


def rules_json(settings) -> str:
    """A board's rules (:class:`app.rules.RuleSettings`) as :attr:`State.points` keeps them."""
    return json.dumps(asdict(settings), sort_keys=True)


def rules_from_json(text: str):
    from app.rules import RuleSettings

    return RuleSettings.from_dict(json.loads(text))


def current_state(conn: Connection) -> State:
    """The state the project settings call for now."""
    from app import rules
    from sync.server.quality.leaderboards import rule_settings
    from sync.server.work.projects import ProjectSettings

    thresholds = {rules.DEFAULT_RULES.min_edit_distance}
    acceptance = {}
    for project_id, payload in conn.execute(sa.select(tables.projects.c.id,
                                                      tables.projects.c.payload)):
        settings = ProjectSettings.from_dict(json.loads(payload).get("settings") or {})
        thresholds.add(settings.rules.min_edit_distance)
        acceptance[project_id] = json.dumps(settings.to_dict().get("acceptance"),
                                            sort_keys=True)
    return State(tuple(sorted(thresholds)), acceptance, rules_json(rule_settings(conn)))


def stored_state(conn: Connection) -> State | None:
    text = conn.execute(sa.select(FIGURES.c.value).where(FIGURES.c.key == STATE_KEY)).scalar()
    return State.from_json(text) if text is not None else None


def _save_state(conn: Connection, state: State) -> None:
    values = {"value": state.to_json(), "computed_at": clock.utc_now()}
    if not conn.execute(FIGURES.update().where(FIGURES.c.key == STATE_KEY)
                        .values(**values)).rowcount:
        conn.execute(FIGURES.insert().values(key=STATE_KEY, **values))


# --- facts ---------------------------------------------------------------------------------


# What each fact function states: the figures it fills (see the module docstring).
SOURCES = {"board": ("board", "board:all", "rated", "rated:all", SCORED, SCORED_WEEK, RATED_WEEK),
           "accept": ("accept",), "progress": ("progress", "authors"), "agree": ("agree",)}


def facts(conn: Connection, scope: Scope = Scope(), state: State | None = None,
          sources: Iterable[str] = tuple(SOURCES)) -> Counter:
    """The facts of ``sources`` (all) over ``scope``, computed from the records themselves."""
    from sync.server.quality.leaderboards import board_facts
    from sync.server.quality.measures import agreement_facts, progress_facts
    from sync.server.work.acceptance import acceptance_facts

    state = state or stored_state(conn) or current_state(conn)
    points = state.point_values()
    functions = {"board": lambda part: scored(board_facts(conn, part, state.thresholds), points),
                 "accept": lambda part: acceptance_facts(conn, part),
                 "progress": lambda part: progress_facts(conn, part),
                 "agree": lambda part: agreement_facts(conn, part)}
    found: Counter = Counter()
    for part in scope.chunks():
        for source in sources:
            for key, n in functions[source](part):
                found[key] += n
    return found


def scored(found: Iterable[tuple[Key, int]],
           points: dict[str, int] | None) -> Iterator[tuple[Key, int]]:
    """Board facts, and after each of work across projects (``board:all``) what it adds to
    its day's (and all time's) ``scored:all`` rows: ``points`` (by ``points``, the value of
    each detail) and ``n``, so the boards across projects sum two rows per user and language
    instead of one per kind of work (about a fifth of the rows). A day's work and ratings
    (``rated:all``) are also added to their week's rows (``scored:week``, ``rated:week``)."""
    for key, n in found:
        yield key, n
        figure, day, _, user, language, detail = key
        if points is None or figure not in ("board:all", "rated:all"):
            continue
        week = week_of(day) if day != ALL_TIME else None
        if figure == "rated:all":
            if week is not None:
                yield (RATED_WEEK, week, "", user, language, detail), n
            continue
        earned = n * points.get(detail, 0)
        yield (SCORED, day, "", user, language, "points"), earned
        yield (SCORED, day, "", user, language, "n"), n
        if week is not None:
            yield (SCORED_WEEK, week, "", user, language, "points"), earned
            yield (SCORED_WEEK, week, "", user, language, "n"), n


def week_of(day: str) -> str:
    """The Monday (``YYYY-MM-DD``) of the UTC week of ``day`` (``YYYY-MM-DD``)."""
    date = datetime.date.fromisoformat(day)
    return (date - datetime.timedelta(days=date.weekday())).isoformat()


def _week_of(conn: Connection, day):
    """:func:`week_of` in SQL, for the stored ``day`` column."""
    if is_sqlite(conn):  # %w: 0 is Sunday
        return sa.func.date(day, sa.literal("-") + sa.cast(
            (sa.cast(sa.func.strftime("%w", day), sa.Integer) + 6) % 7, sa.String)
            + sa.literal(" days"))
    return sa.func.to_char(sa.func.date_trunc("week", sa.cast(day, sa.Date)), "YYYY-MM-DD")


def restate_scored(conn: Connection) -> None:
    """State ``scored:all`` (and its weeks, ``scored:week``, ``rated:week``) again from the
    stored ``board:all`` and ``rated:all`` rows under the boards' rules now (INSERT ...
    SELECT in the database): after those rules changed, and once for a database that kept
    none (migrations 0018 and 0019)."""
    _lock(conn)
    old = stored_state(conn)
    if old is None:
        rebuild(conn)
        return
    state = replace(old, points=current_state(conn).points)
    conn.execute(TALLIES.delete().where(TALLIES.c.figure.in_((SCORED, SCORED_WEEK,
                                                              RATED_WEEK))))
    points = sa.case(state.point_values(), value=TALLIES.c.detail, else_=0)
    week = _week_of(conn, TALLIES.c.day)
    for detail, summed in (("points", sa.func.sum(TALLIES.c.n * points)),
                           ("n", sa.func.sum(TALLIES.c.n))):
        for figure, day in ((SCORED, TALLIES.c.day), (SCORED_WEEK, week)):
            conn.execute(TALLIES.insert().from_select([*COLUMNS, "n"], sa.select(
                sa.literal(figure), day, sa.literal(""), TALLIES.c.user_id,
                TALLIES.c.language, sa.literal(detail), summed)
                .where(TALLIES.c.figure == "board:all",
                       *([TALLIES.c.day != ALL_TIME] if figure == SCORED_WEEK else []))
                .group_by(day, TALLIES.c.user_id, TALLIES.c.language)
                .having(summed != 0)))
    summed = sa.func.sum(TALLIES.c.n)
    conn.execute(TALLIES.insert().from_select([*COLUMNS, "n"], sa.select(
        sa.literal(RATED_WEEK), week, sa.literal(""), TALLIES.c.user_id, TALLIES.c.language,
        TALLIES.c.detail, summed)
        .where(TALLIES.c.figure == "rated:all", TALLIES.c.day != ALL_TIME)
        .group_by(week, TALLIES.c.user_id, TALLIES.c.language, TALLIES.c.detail)
        .having(summed != 0)))
    _save_state(conn, state)


def rebuild(conn: Connection, project_id: str | None = None,
            sources: Iterable[str] = tuple(SOURCES)) -> int:
    """State every unit (of one project, or all) again from scratch, for ``sources`` (all
    figures); returns how many tally rows that made. Run inside a write transaction. A
    project's alone only while the edit thresholds are those stored, and never for board
    facts (they are summed across projects too): otherwise everything."""
    _lock(conn)
    state = current_state(conn)
    old = stored_state(conn)
    if project_id is not None and "board" in sources:
        # Board facts are also summed across projects ('board:all'): restated whole.
        others = tuple(source for source in sources if source != "board")
        return rebuild(conn, sources=("board",)) + (rebuild(conn, project_id, others)
                                                    if others else 0)
    if old is None or (old.thresholds != state.thresholds and "board" in sources):
        project_id = None  # every project's distance bands change with the thresholds
    if old is None:
        sources = tuple(SOURCES)
    figures = [figure for source in sources for figure in SOURCES[source]]
    where = [TALLIES.c.figure.in_(figures)]
    if project_id is not None:
        where.append(TALLIES.c.project_id == project_id)
    conn.execute(TALLIES.delete().where(*where))
    found = facts(conn, Scope(project_id=project_id), state, sources)
    # In the key's order: PostgreSQL keeps rows where they were inserted, so a figure's days
    # then sit together and a board's read of this week's rows touches a few hundred blocks,
    # not one per row (SQLite stores the table in key order whatever the inserts' order).
    rows = [dict(zip(COLUMNS, key, strict=True), n=n) for key, n in sorted(found.items()) if n]
    for start in range(0, len(rows), 5000):
        conn.execute(TALLIES.insert(), rows[start:start + 5000])
    old = old or state
    whole_board = "board" in sources and project_id is None
    thresholds = state.thresholds if whole_board else old.thresholds
    acceptance = old.acceptance
    if "accept" in sources:
        acceptance = state.acceptance if project_id is None else {
            **old.acceptance, **{k: v for k, v in state.acceptance.items() if k == project_id}}
    _save_state(conn, State(thresholds, acceptance, state.points if whole_board else old.points))
    return len(rows)


def settings_changed(conn: Connection, project_id: str) -> None:
    """After a project's settings were written: restate what they change (see the module)."""
    old, new = stored_state(conn), current_state(conn)
    if old is None:
        rebuild(conn)
        return
    if old.thresholds != new.thresholds:
        rebuild(conn, sources=("board",))  # the bands of every project's edits
    elif old.points != new.points:
        restate_scored(conn)  # the boards across projects are scored by other rules
    if old.acceptance.get(project_id) != new.acceptance.get(project_id):
        rebuild(conn, project_id, sources=("accept",))


class Change:
    """The units a write is about to change, stated before it; :meth:`commit` after it."""

    def __init__(self, conn: Connection, units: Iterable[str | None]):
        _lock(conn)
        self.conn = conn
        self.state = stored_state(conn) or current_state(conn)
        self.units: set[str] = set()
        self.fresh: set[str] = set()  # units with no record before this write
        self.before: Counter = Counter()
        self.add(units)

    def add(self, units: Iterable[str | None]) -> None:
        """More units, before their writes."""
        new = sorted({u for u in units if u} - self.units)
        self.units.update(new)
        stated = _recorded(self.conn, new)  # a unit with no record yet has no facts before
        self.fresh.update(set(new).difference(stated))
        if stated:
            self.before.update(facts(self.conn, Scope(units=tuple(stated)), self.state))

    def commit(self, written: Mapping[str, tuple[Mapping, dict]] | None = None) -> None:
        """After the writes. ``written``: the submissions this write inserted, by id (the
        row as stored, the record as pushed); those with no record before it and no review
        now are stated from them (:func:`_written_facts`) instead of read back."""
        known: Counter = Counter()
        rest = set(self.units)
        fresh = sorted(self.fresh.intersection(written or ()))
        if fresh:
            reviewed = set(self.conn.execute(sa.select(REVIEWS.c.submission_id).where(
                among(REVIEWS.c.submission_id, fresh))).scalars())
            stated = _written_facts(self.conn, [written[unit] for unit in fresh
                                                if unit not in reviewed], self.state)
            for unit, found in stated.items():
                for key, n in found:
                    known[key] += n
                rest.discard(unit)
        after = facts(self.conn, Scope(units=tuple(sorted(rest))), self.state) \
            if rest else Counter()
        after.update(known)
        after.subtract(self.before)
        _apply(self.conn, {key: n for key, n in after.items() if n})


def _written_facts(conn: Connection, written: list[tuple[Mapping, dict]],
                   state: State) -> dict[str, list[tuple[Key, int]]]:
    """Per unit, the facts of submissions just written that nobody reviewed, decided or
    flagged, stated by each figure's own function for such rows (the same facts its query
    states; the property test compares them), so a push does not read back what it holds.
    A unit those functions cannot state (an unusual stamp, an unmeasured edit) is left out,
    for the queries."""
    from sync.server.quality.leaderboards import written_submission_facts
    from sync.server.quality.measures import written_progress_facts
    from sync.server.work.acceptance import written_item_facts
    from sync.server.work.projects import load_settings

    if not written:
        return {}
    blocked = frozenset(conn.execute(sa.select(tables.users.c.id)
                                     .where(tables.users.c.blocked_at > "")).scalars())
    points = state.point_values()
    rules: dict[str | None, object] = {}
    found = {}
    for row, record in written:
        if row["project_id"] not in rules:
            rules[row["project_id"]] = load_settings(conn, row["project_id"]).acceptance
        board = written_submission_facts(row, record, state.thresholds, blocked)
        accept = written_item_facts(row, rules[row["project_id"]], blocked)
        if board is None or accept is None:
            continue
        found[row["id"]] = [*scored(board, points), *accept,
                            *written_progress_facts(row, blocked)]
    return found


def _recorded(conn: Connection, units: list[str]) -> list[str]:
    """Those of ``units`` the database holds a submission or a review of: every fact is
    stated from one or the other, so the rest (new items a push is about to write) have none."""
    found: set[str] = set()
    for start in range(0, len(units), CHUNK):
        part = units[start:start + CHUNK]
        found.update(conn.execute(sa.union(
            sa.select(SUBMISSIONS.c.id).where(among(SUBMISSIONS.c.id, part)),
            sa.select(REVIEWS.c.submission_id).where(among(REVIEWS.c.submission_id, part))))
            .scalars())
    return sorted(found)


def units_of(conn: Connection, user_id: str) -> set[str]:
    """Every unit a user's work is part of: what they wrote and what they reviewed. Read
    under the writers' lock (taken here), so a review pushed meanwhile is not missed."""
    _lock(conn)
    return {*conn.execute(sa.select(SUBMISSIONS.c.id)
                          .where(SUBMISSIONS.c.author_id == user_id)).scalars(),
            *conn.execute(sa.select(REVIEWS.c.submission_id)
                          .where(REVIEWS.c.author_id == user_id)).scalars()}


def _lock(conn: Connection) -> None:
    """Serialize writers of tallies (SQLite's write transactions are already)."""
    if not is_sqlite(conn):
        conn.execute(sa.select(tables.counters.c.value)
                     .where(tables.counters.c.name == "server_seq").with_for_update())


def _apply(conn: Connection, delta: dict[Key, int]) -> None:
    if not delta:
        return
    insert = (sqlite.insert if is_sqlite(conn) else postgresql.insert)(TALLIES)
    statement = insert.on_conflict_do_update(index_elements=list(COLUMNS),
                                             set_={"n": TALLIES.c.n + insert.excluded.n})
    rows = [dict(zip(COLUMNS, key, strict=True), n=n) for key, n in sorted(delta.items())]
    conn.execute(statement, rows)
    gone = [{f"k_{c}": row[c] for c in COLUMNS} for row in rows if row["n"] < 0]
    if gone:
        conn.execute(TALLIES.delete().where(
            *(TALLIES.c[c] == sa.bindparam(f"k_{c}") for c in COLUMNS), TALLIES.c.n == 0), gone)


# --- reading -------------------------------------------------------------------------------


def stored(conn: Connection, figure: str, *, since: str | None = None,
           project_id: str | None = None):
    """A figure's rows (``day``, ``project_id``, ``user_id``, ``language``, ``detail``,
    ``n``): the all-time rows, or with ``since`` the day rows from that day on."""
    query = sa.select(TALLIES.c.day, TALLIES.c.project_id, TALLIES.c.user_id,
                      TALLIES.c.language, TALLIES.c.detail, TALLIES.c.n).where(
        TALLIES.c.figure == figure)
    query = query.where(TALLIES.c.day >= since if since else TALLIES.c.day == ALL_TIME)
    if project_id is not None:
        query = query.where(TALLIES.c.project_id == project_id)
    return conn.execute(query).all()


def stored_everything(conn: Connection) -> Counter:
    """The whole table as a Counter of keys (for checks against :func:`facts`)."""
    return Counter({tuple(row[:6]): row.n for row in conn.execute(
        sa.select(*(TALLIES.c[c] for c in COLUMNS), TALLIES.c.n))})
