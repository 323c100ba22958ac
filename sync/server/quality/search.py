"""Finding items: every submitted item a coordinator may see, by words of its text and by
filters, newest (or oldest) first, a page at a time.

    query = ItemQuery.parse(q="پانی", language="urd_Arab", flagged="yes")   # or ServerError
    page = find_items(engine, coordinator_id, query, limit=50)
    page.rows[0].inputs, page.next_after                 # ?after=… for the next page
    find_items(engine, coordinator_id, query, after=page.next_after)

Words are found in the prompt or the completion, in any script, with or without spaces
between words (Thai, Chinese): each word of at least three characters through the full-text
index of migration 0011 (SQLite FTS5 trigrams; PostgreSQL trigram arrays in a GIN index,
then checked as a substring), shorter ones by a scan. ``"two words"`` finds them side by
side. Pages are keyset pages over ``submissions.arrival`` (the order items arrived in,
which never changes): a page costs the same on page 1 and page 10,000, and an item arriving
while someone pages through never shifts or repeats a row.

A page is found as its arrival numbers first (what the indexes hold), then its 50 rows are
read. A date range is walked one of two ways, whichever reads fewer index entries: the range
of days in the day index (migration 0013: the keys alone, sorted), or items in arrival order
until the page is full, passing those that arrived after the range (counted first in the day
index on SQLite, which keeps no statistics; PostgreSQL's estimates). On PostgreSQL, words are
looked for in the first WALKED items in the page's order before the trigram index is asked:
a common word's page fills within a few hundred items, where the index would hand over every
one of its matches to be read and sorted. There, too, a search for flagged or reviewed items
starts from the few items ever flagged or reviewed.

Drafts and deleted items are never listed (nobody reads another's drafts); nor are the
items of projects that name other coordinators (:func:`~sync.server.work.projects.may_coordinate`).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from app.kinds import REVIEW_FLAGS, SUBMISSION_STATES, TASK_KINDS
from sync.protocol import ErrorCode
from sync.server import tables
from sync.server.db import is_sqlite, read
from sync.server.errors import ServerError
from sync.server.quality.fields import payload_field, unblocked
from sync.server.work.projects import hidden_projects

Target = Engine | Connection
ITEM_FLAGS = tables.item_flags
REVIEWS = tables.reviews
SUBMISSIONS = tables.submissions
USERS = tables.users
FTS = sa.table(tables.SEARCH_TABLE, sa.column("rowid"), sa.column("body"))

MAX_QUERY = 200          # characters of a search
MAX_TERMS = 8            # words or "phrases" in one search
MAX_LIMIT = 200          # rows on a page
SHOWN = 160              # characters of each text in a row
STATES = tuple(s for s in SUBMISSION_STATES if s != "draft")
GRAM = 3                 # the index's unit: shorter words are found by a scan
# Walking items in arrival order costs about three times what reading an entry of the day
# index does (a row is read, not just an index entry: measured by bench/items.py).
SCAN_COST = 3
COUNTED = 300_000        # entries of a range of days counted at most, to choose the walk
WALKED = 5_000           # PostgreSQL: items read in order for words before the trigram index
STEP = 200               # ... at first so many at a time, doubling up to 1,000
_TERM = re.compile(r'"([^"]*)"|(\S+)')
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class ItemQuery:
    """What to look for; every field optional (``terms`` empty: every item)."""

    terms: tuple[str, ...] = ()
    project: str | None = None
    language: str | None = None
    kind: str | None = None
    state: str | None = None
    author: str | None = None      # a user id
    device: str | None = None
    flagged: bool | None = None
    reviewed: bool | None = None
    since: str | None = None       # YYYY-MM-DD, the day an item arrived, inclusive
    until: str | None = None       # YYYY-MM-DD, inclusive
    oldest_first: bool = False

    @classmethod
    def parse(cls, *, q: str = "", project: str = "", language: str = "", kind: str = "",
              state: str = "", author: str = "", device: str = "", flagged: str = "",
              reviewed: str = "", since: str = "", until: str = "",
              sort: str = "") -> ItemQuery:
        """A query from a form's text fields; ServerError (invalid_request) naming the
        field for one that cannot be right."""
        return cls(terms=search_terms(q), project=project.strip() or None,
                   language=language.strip() or None,
                   kind=_one_of("kind", kind, TASK_KINDS), state=_one_of("state", state, STATES),
                   author=author.strip() or None, device=device.strip() or None,
                   flagged=_yes_no("flagged", flagged), reviewed=_yes_no("reviewed", reviewed),
                   since=_day("since", since), until=_day("until", until),
                   oldest_first=_one_of("sort", sort, ("newest", "oldest")) == "oldest")


def search_terms(q: str) -> tuple[str, ...]:
    """The words and "quoted phrases" of a search, NFC like stored text, without control
    characters. Anything is a word (``*``, ``NEAR(``, ``'; --``): nothing is syntax."""
    if len(q) > MAX_QUERY:
        raise ServerError(ErrorCode.invalid_request,
                          f"q: a search is at most {MAX_QUERY} characters "
                          f"(this one has {len(q):,}).")
    text = unicodedata.normalize("NFC", _CONTROL.sub(" ", q))
    terms = []
    for quoted, word in _TERM.findall(text):
        term = (quoted or word).strip()
        if term and term not in terms:
            terms.append(term)
    if len(terms) > MAX_TERMS:
        raise ServerError(ErrorCode.invalid_request,
                          f"q: at most {MAX_TERMS} words in one search (this one has "
                          f"{len(terms)}).")
    return tuple(terms)


def _one_of(name: str, value: str, allowed) -> str | None:
    value = value.strip()
    if value and value not in allowed:
        raise ServerError(ErrorCode.invalid_request,
                          f"{name}: {value[:40]!r} is not one of {', '.join(allowed)}.")
    return value or None


def _yes_no(name: str, value: str) -> bool | None:
    found = _one_of(name, value, ("yes", "no"))
    return None if found is None else found == "yes"


def _day(name: str, value: str) -> str | None:
    value = value.strip()
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value).isoformat()
    except ValueError:
        raise ServerError(ErrorCode.invalid_request,
                          f"{name}: {value[:40]!r} is not a date (YYYY-MM-DD).") from None


@dataclass(frozen=True)
class ItemRow:
    id: str
    arrival: int
    project_id: str | None
    language: str | None
    kind: str | None
    state: str
    author: str
    author_id: str
    device_id: str
    created_at: str
    updated_at: str
    inputs: str          # the first SHOWN characters
    targets: str
    reviews: int
    flagged: bool


@dataclass
class ItemPage:
    rows: list[ItemRow] = field(default_factory=list)
    next_after: int | None = None     # arrival to pass as ``after`` for the next page
    prev_before: int | None = None    # ... as ``before`` for the page before this one


def find_items(target: Target, user_id: str, query: ItemQuery, *, after: int | None = None,
               before: int | None = None, limit: int = 50) -> ItemPage:
    """One page of the items ``user_id`` may see that ``query`` matches (see the module doc).

    ``after``: the page following the row with this arrival number (in the query's order);
    ``before``: the page preceding it.
    """
    limit = max(1, min(int(limit), MAX_LIMIT))

    def work(conn: Connection) -> ItemPage:
        if not is_sqlite(conn):
            # A page reads a few thousand rows at most: compiling its plan (PostgreSQL's JIT,
            # drawn by cost estimates that count the rows an index walk may pass) takes longer
            # than running it, up to a second.
            conn.exec_driver_sql("SET LOCAL jit = off")
        backwards = before is not None
        newest_first = not query.oldest_first
        descending = newest_first != backwards

        def ordered(text: bool):
            statement, key = _statement(conn, user_id, query, descending=descending, text=text)
            if after is not None:
                statement = statement.where(key < after if newest_first else key > after)
            if backwards:
                statement = statement.where(key > before if newest_first else key < before)
            return statement.order_by(key.desc() if descending else key.asc()), key

        keys = None
        if not is_sqlite(conn) and any(len(t) >= GRAM for t in query.terms):
            keys = _walked(conn, *ordered(text=False), query, limit + 1, descending=descending)
        if keys is None:
            keys = list(conn.execute(ordered(text=True)[0].limit(limit + 1)).scalars())
        more = len(keys) > limit
        keys = keys[:limit]
        if backwards:
            keys.reverse()  # fetched from the far end of the page
        page = ItemPage(rows=_rows(conn, _read(conn, keys)))
        if page.rows:
            first, last = page.rows[0].arrival, page.rows[-1].arrival
            if backwards:  # we came from the page after this one
                page.next_after, page.prev_before = last, (first if more else None)
            else:
                page.next_after = last if more else None
                page.prev_before = first if after is not None else None
        return page

    return read(target, work)


def _walked(conn: Connection, statement, key, query: ItemQuery, wanted: int, *,
            descending: bool) -> list[int] | None:
    """PostgreSQL: the first ``wanted`` keys of ``statement`` (ordered by ``key``; without
    the words, flags and reviews) whose items have the words (and flags, reviews), looking
    at its first WALKED items only, read a few hundred at a time; None when those hold
    fewer and there are more. A common word fills a page within a few hundred items, where
    the trigram index would hand over every one of its tens of thousands, each read and
    sorted; a rare word is then found through that index."""
    s = SUBMISSIONS
    found: list[int] = []
    seen, size, last = 0, STEP, None
    while len(found) < wanted:
        if seen >= WALKED:
            return None
        step = statement if last is None else statement.where(
            key < last if descending else key > last)
        chunk = list(conn.execute(step.limit(size)).scalars())
        ids = (list(conn.execute(sa.select(s.c.id).where(s.c.arrival.in_(chunk))).scalars())
               if chunk and (query.flagged is not None or query.reviewed is not None) else None)
        hits = set(conn.execute(sa.select(s.c.arrival).where(
            s.c.arrival.in_(chunk), *_contains(s, query.terms),
            *_checks(conn, query, s, among=ids))).scalars()) if chunk else set()
        found += [k for k in chunk if k in hits]
        if len(chunk) < size:
            break  # every item there is
        seen, size, last = seen + size, min(size * 2, 1000), chunk[-1]
    return found[:wanted]


def _read(conn: Connection, keys: list[int]) -> list:
    """The rows with these arrival numbers, in their order."""
    s = SUBMISSIONS
    if not keys:
        return []
    found = {row.arrival: row for row in conn.execute(sa.select(
        s.c.id, s.c.arrival, s.c.project_id, s.c.language, s.c.kind, s.c.state, s.c.author_id,
        s.c.device_id, s.c.created_at, s.c.updated_at, s.c.payload)
        .where(s.c.arrival.in_(keys)))}
    return [found[key] for key in keys]


def _statement(conn: Connection, user_id: str, query: ItemQuery, *, descending: bool = True,
               text: bool = True):
    """The select of matching arrival numbers (not yet ordered or limited), and its ordering
    key; ``descending``: the order the page will be read in; ``text``: False leaves out the
    words, flags and reviews (PostgreSQL: :func:`_walked` looks at those)."""
    s = SUBMISSIONS
    long_terms = [t for t in query.terms if len(t) >= GRAM]
    joined = is_sqlite(conn) and bool(long_terms)
    if joined:
        # The full-text table leads: it yields rows in its key order, so a page stops early.
        statement = (sa.select(FTS.c.rowid).select_from(FTS.join(s, s.c.arrival == FTS.c.rowid))
                     .where(sa.literal_column(tables.SEARCH_TABLE).op("MATCH")(
                         " AND ".join(_phrase(t) for t in long_terms))))
        key = FTS.c.rowid
    else:
        statement = sa.select(s.c.arrival)
        key = s.c.arrival
    statement = statement.where(s.c.deleted == sa.false(), s.c.state != "draft",
                                *(_text_conditions(conn, query.terms, joined=joined)
                                  if text else ()))
    hidden = hidden_projects(conn, user_id)
    if hidden:
        statement = statement.where(sa.or_(s.c.project_id.is_(None),
                                           s.c.project_id.not_in(sorted(hidden))))
    for name in ("project", "language", "kind", "state"):
        value = getattr(query, name)
        if value is not None:
            statement = statement.where(s.c[f"{name}_id" if name == "project" else name] == value)
    if query.author is not None:
        statement = statement.where(s.c.author_id == query.author)
    if query.device is not None:
        # A device belongs to one user for life: naming the user too lets the author index
        # find the device's items without a scan.
        owner = sa.select(tables.devices.c.user_id).where(tables.devices.c.id == query.device)
        statement = statement.where(s.c.device_id == query.device,
                                    s.c.author_id == owner.scalar_subquery())
    if query.since is not None or query.until is not None:
        others = (bool(long_terms) and text) or any(getattr(query, name) is not None for name
                                                   in ("project", "language", "author",
                                                       "device"))  # their own indexes lead
        statement, key = _days(conn, statement, key, query, descending=descending,
                               others=others)
    if not is_sqlite(conn):  # few items: PostgreSQL's search for them starts from them
        if query.flagged:
            statement = statement.where(s.c.id.in_(_ever_flagged(conn)))
        if query.reviewed and long_terms:  # (alone, a walk in order finds them sooner)
            statement = statement.where(s.c.id.in_(sa.select(REVIEWS.c.submission_id)))
    if text:
        statement = statement.where(*_checks(conn, query, s))
    return statement, key


def _checks(conn: Connection, query: ItemQuery, s, among=None) -> list:
    """The conditions that look at an item's reviews and flags, for rows of ``s``; ``among``
    as :func:`flagged`'s."""
    conditions = []
    if query.flagged is not None:
        condition = flagged(conn, s.c.id, among)
        conditions.append(condition if query.flagged else ~condition)
    if query.reviewed is not None:
        condition = _reviewed(conn, s.c.id, among)
        conditions.append(condition if query.reviewed else ~condition)
    return conditions


def _ever_flagged(conn: Connection):
    """The ids of items a flag was ever given to: those :func:`flagged` holds are among
    them."""
    flag = payload_field(conn, REVIEWS.c.payload, "flag")
    return sa.union(
        sa.select(REVIEWS.c.submission_id).where(flag.in_(REVIEW_FLAGS)),
        sa.select(ITEM_FLAGS.c.submission_id).where(ITEM_FLAGS.c.action == "flag"))


def _days(conn: Connection, statement, key, query: ItemQuery, *, descending: bool,
          others: bool):
    """``statement`` limited to the days asked for, and its ordering key, walked the cheaper
    way: the day index's range, or items in arrival order (see the module doc). A column in
    an expression (``arrival + 0``, ``created_at || ''``) keeps the database from using its
    index: the arrival number's (the day index leads, its keys sorted), or the day's (the
    arrival order leads; PostgreSQL, which knows how many items a range holds but not that
    they arrived together, then walks it by itself)."""
    low = query.since
    high = None if query.until is None else (
        dt.date.fromisoformat(query.until) + dt.timedelta(days=1)).isoformat()
    column = SUBMISSIONS.c.created_at
    if not others:
        if _by_day_index(conn, low, high, descending=descending):
            key = key + 0
        elif is_sqlite(conn):  # PostgreSQL's statistics say a range this wide is walked
            column = column.concat("")
    if low is not None:
        statement = statement.where(column >= low)
    if high is not None:
        statement = statement.where(column < high)
    return statement, key


def _by_day_index(conn: Connection, low: str | None, high: str | None, *,
                  descending: bool) -> bool:
    """Whether the day index reads less than the arrival order would: the range's entries,
    against the items the walk in arrival order passes first (those that arrived beyond the
    range, on the side the page starts from) times SCAN_COST. SQLite counts up to COUNTED:
    past that, the day index (the cheaper read per entry) is the safer bet."""
    inside = _entries(conn, low, high, COUNTED)
    beyond = _entries(conn, *((high, None) if descending else (None, low)),
                      inside // SCAN_COST + 1)
    return inside < beyond * SCAN_COST


def _entries(conn: Connection, low: str | None, high: str | None, most: int) -> int:
    """How many items arrived on days from ``low`` (inclusive) to ``high`` (exclusive):
    counted in the day index up to ``most`` on SQLite, PostgreSQL's estimate from its
    statistics; 0 for an empty bound (nothing to pass)."""
    if low is None and high is None:
        return 0
    day = SUBMISSIONS.c.created_at
    within = sa.select(sa.literal(1)).where(*([day >= low] if low is not None else []),
                                            *([day < high] if high is not None else []))
    if not is_sqlite(conn):  # the days are dates checked by ItemQuery: safe as literals
        sql = within.compile(conn, compile_kwargs={"literal_binds": True})
        plan = conn.exec_driver_sql(f"EXPLAIN (FORMAT JSON) {sql}").scalar_one()
        return int((json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"]["Plan Rows"])
    return conn.execute(sa.select(sa.func.count()).select_from(
        within.limit(most).subquery())).scalar_one()


def _phrase(term: str) -> str:
    """An FTS5 string: every character literal (a quote doubled), whatever the term holds."""
    return '"' + term.replace('"', '""') + '"'


def _text_conditions(conn: Connection, terms, *, joined: bool) -> list:
    if not terms:
        return []
    if is_sqlite(conn):
        # Long terms are the MATCH; short ones a LIKE over the full-text table's copy of the
        # text: the joined row's, or the row with the item's number (one lookup per item, so
        # a page stops as soon as it is full).
        body = FTS.c.body if joined else (sa.select(FTS.c.body)
                                          .where(FTS.c.rowid == SUBMISSIONS.c.arrival)
                                          .scalar_subquery())
        return [body.like(f"%{_like(t)}%", escape="\\") for t in terms if len(t) < GRAM]
    grams = sa.func.qalam_grams(sa.func.qalam_item_text(SUBMISSIONS.c.payload))
    return [*(grams.op("@>")(sa.func.qalam_grams(sa.literal(t))) for t in terms
              if len(t) >= GRAM), *_contains(SUBMISSIONS, terms)]


def _contains(s, terms) -> list:
    """PostgreSQL: the conditions that the text of rows of ``s`` has each term. The stored
    JSON holds a term's characters as they are (not escaped) unless it has a quote or a
    backslash, so a search of the JSON text first, before reading it as JSON, spares the
    reading where the term is not there (PostgreSQL checks the cheaper condition first)."""
    text = sa.func.lower(sa.func.qalam_item_text(s.c.payload))
    conditions = []
    for term in terms:
        term_lower = sa.func.lower(sa.literal(term))
        if '"' not in term and "\\" not in term:
            conditions.append(sa.func.strpos(sa.func.lower(s.c.payload), term_lower) > 0)
        conditions.append(sa.func.strpos(text, term_lower) > 0)
    return conditions


def _like(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def flagged(conn: Connection, submission_id, among=None) -> sa.ColumnElement:
    """The condition that an item is held by a flag (as :mod:`sync.server.work.acceptance`
    judges it): a coordinator's flag in force, or a live flag from an unblocked reviewer
    that no coordinator dismissed since. ``among``: the ids of the only items asked about,
    so that PostgreSQL, choosing to gather the flagged items once rather than look item by
    item, reads their reviews only (not every review's JSON: 0.1 s at 20,000 reviews)."""
    flag = payload_field(conn, REVIEWS.c.payload, "flag")
    state = sa.func.coalesce(payload_field(conn, REVIEWS.c.payload, "state"), "")
    by_reviewer = sa.exists().where(
        REVIEWS.c.submission_id == submission_id,
        *([] if among is None else [REVIEWS.c.submission_id.in_(among)]),
        REVIEWS.c.deleted == sa.false(),
        flag.in_(REVIEW_FLAGS), state != "draft", unblocked(REVIEWS.c.author_id),
        ~sa.exists().where(ITEM_FLAGS.c.submission_id == submission_id,
                           ITEM_FLAGS.c.action == "unflag",
                           ITEM_FLAGS.c.at >= REVIEWS.c.updated_at))
    latest = (sa.select(ITEM_FLAGS.c.action).where(ITEM_FLAGS.c.submission_id == submission_id)
              .order_by(ITEM_FLAGS.c.id.desc()).limit(1).scalar_subquery())
    return sa.or_(by_reviewer, sa.func.coalesce(latest, "") == "flag")  # never NULL: NOT works


def _reviewed(conn: Connection, submission_id, among=None) -> sa.ColumnElement:
    state = sa.func.coalesce(payload_field(conn, REVIEWS.c.payload, "state"), "")
    return sa.exists().where(REVIEWS.c.submission_id == submission_id,
                             *([] if among is None else [REVIEWS.c.submission_id.in_(among)]),
                             REVIEWS.c.deleted == sa.false(), state != "draft")


def _rows(conn: Connection, rows) -> list[ItemRow]:
    if not rows:
        return []
    ids = [row.id for row in rows]
    names = dict(conn.execute(sa.select(USERS.c.id, USERS.c.name)
                              .where(USERS.c.id.in_({row.author_id for row in rows}))).all())
    reviews = dict(conn.execute(
        sa.select(REVIEWS.c.submission_id, sa.func.count())
        .where(REVIEWS.c.submission_id.in_(ids), REVIEWS.c.deleted == sa.false(),
               sa.func.coalesce(payload_field(conn, REVIEWS.c.payload, "state"), "") != "draft")
        .group_by(REVIEWS.c.submission_id)).all())
    held = set(conn.execute(sa.select(SUBMISSIONS.c.id).where(
        SUBMISSIONS.c.id.in_(ids), flagged(conn, SUBMISSIONS.c.id, among=ids))).scalars())
    found = []
    for row in rows:
        payload = json.loads(row.payload)
        found.append(ItemRow(
            id=row.id, arrival=row.arrival, project_id=row.project_id, language=row.language,
            kind=row.kind, state=row.state, author=names.get(row.author_id, row.author_id),
            author_id=row.author_id, device_id=row.device_id, created_at=row.created_at,
            updated_at=row.updated_at, inputs=_shown(payload.get("inputs")),
            targets=_shown(payload.get("targets")), reviews=reviews.get(row.id, 0),
            flagged=row.id in held))
    return found


def _shown(text) -> str:
    text = text if isinstance(text, str) else ""
    return text if len(text) <= SHOWN else text[:SHOWN] + "…"
