"""Pull: the changes a device's user may see after its cursor, in change-number order.

    page = pull_page(engine, device, cursor=0)          # PullPage: items, next_cursor, more
    pending_changes(engine, device, cursor)             # how many wait (``qalam-server devices``)

Who sees what, per DESIGN.md invariant 6:

* projects: everyone; tasks: those leased to the user, live, done or expired (coordinators:
  all; see :mod:`sync.server.work.distribution`);
* submissions: the user's own (from any of their devices, drafts and tombstones included);
  non-draft submissions they are assigned to review; for reviewers, non-draft submissions in
  their languages; for coordinators, every non-draft submission;
* reviews: the user's own, those of the user's submissions, and for reviewers and
  coordinators those they can see the submission of;
* comments (feedback on an item): its author only, never other annotators; protocol 3+;
* translation-memory units and glossary terms: those whose target language is one of the
  user's (coordinators: all); protocol 4+;
* suggested translations of the interface: the user's own, and those in the user's languages
  (coordinators: all), for the speakers to review; the compiled interface catalogs: everyone
  (anyone may use any language's interface); protocol 5+;
* a blocked user (``Device.blocked``, whatever their role): only their own submissions and
  reviews and replies, the projects, and the tasks they leased that hold nobody else's work
  (a review they push is refused by :mod:`.push`, their own items are received and held);
  no translation memory or glossary: the memory is others' accepted work; of the interface's
  translations only their own suggestions, and the catalogs;
* but never a submission or review whose latest change this very device pushed
  (``changed_by``): it holds that version and learned its revision from the push answer.
  Server-side changes (:mod:`sync.server.work.decisions`) clear ``changed_by``; a repair
  (:func:`sync.server.exchange.repair.ids`) clears it for the records the device must pull
  again.

Every number up to the page's ``next_cursor`` is committed: see :mod:`sync.server.db`.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from sync.protocol import (
    COMMENTS_PROTOCOL,
    DEFAULT_PULL_LIMIT,
    MAX_PULL_LIMIT,
    MEMORY_PROTOCOL,
    PROTOCOL_VERSION,
    TRANSLATION_ENTITIES,
    TRANSLATION_PROTOCOL,
    PullItem,
    PullPage,
)
from sync.server import tables
from sync.server.db import current_seq, read, run_write
from sync.server.people.server_identity import server_identity
from sync.server.people.users import Device

Target = Engine | Connection
ASSIGNMENTS = tables.review_assignments
COMMENTS = tables.comments
DEVICES = tables.devices
REVIEWS = tables.reviews
SUBMISSIONS = tables.submissions
TASKS = tables.tasks


def _visible(device: Device) -> dict[str, tuple[sa.ColumnElement, ...]]:
    """Per entity, the conditions a row must meet one of for this device's user to see it:
    disjoint branches, each read through an index of its own (see :func:`_narrow_branches`)."""
    leased = sa.select(tables.task_leases.c.task_id).where(
        tables.task_leases.c.user_id == device.user_id)
    if device.blocked:
        rules = _visible_when_blocked(device, leased)
    else:
        rules = _visible_when_active(device, leased)
        if device.role not in ("coordinator", "reviewer"):
            rules.update(_narrow_branches(device))
    return {entity: rule if isinstance(rule, tuple) else (rule,)
            for entity, rule in rules.items()}


def _narrow_branches(device: Device) -> dict[str, tuple[sa.ColumnElement, ...]]:
    """An annotator's submissions and reviews, as disjoint branches: the first two terms of
    :func:`_visible_when_active`'s rules for them, which are all an annotator has, split.

    Their own items and the items they are assigned, their own reviews and the reviews of
    their items: few rows among many. As one condition ("mine, or assigned to me") neither
    database can use an index, and every page walked every row after the cursor in change
    order (a first pull at a million submissions: 0.4-0.7 s for nothing). Each branch here is
    read through its own index (``submissions_by_author``, the assignment's keys,
    ``reviews_by_author``, ``reviews_by_submission``); the second of each pair leaves out
    the first's rows, so no row comes twice. Reviewers and coordinators see most rows, for
    whom the walk is the cheaper plan; their rules keep "assigned" as an ``EXISTS``, since
    with these indexable terms in their ``OR`` SQLite gathers all their language's items
    for every page instead of walking (measured: 1,005 ms a reviewer's page, against 10).
    """
    me = device.user_id
    shared = sa.and_(SUBMISSIONS.c.state != "draft", SUBMISSIONS.c.deleted == sa.false())
    assigned = sa.select(ASSIGNMENTS.c.submission_id).where(ASSIGNMENTS.c.user_id == me)
    my_items = sa.select(SUBMISSIONS.c.id).where(SUBMISSIONS.c.author_id == me)
    return {
        "submission": (SUBMISSIONS.c.author_id == me,
                       sa.and_(SUBMISSIONS.c.id.in_(assigned), shared,
                               SUBMISSIONS.c.author_id != me)),
        "review": (REVIEWS.c.author_id == me,
                   sa.and_(REVIEWS.c.submission_id.in_(my_items), REVIEWS.c.author_id != me)),
    }


def _visible_when_active(device: Device, leased) -> dict[str, sa.ColumnElement]:
    """What a user who is not blocked sees, per entity, as one condition."""
    coordinator = device.role == "coordinator"
    langs = list(device.languages)
    shared = sa.and_(SUBMISSIONS.c.state != "draft", SUBMISSIONS.c.deleted == sa.false())
    assigned = sa.exists().where(ASSIGNMENTS.c.submission_id == SUBMISSIONS.c.id,
                                 ASSIGNMENTS.c.user_id == device.user_id)
    submission_rules = [SUBMISSIONS.c.author_id == device.user_id, sa.and_(shared, assigned)]
    if coordinator:
        submission_rules.append(shared)
    elif device.role == "reviewer":
        submission_rules.append(sa.and_(shared, SUBMISSIONS.c.language.in_(langs)))
    review_of = sa.select(SUBMISSIONS.c.id).where(SUBMISSIONS.c.author_id == device.user_id)
    review_rules = [REVIEWS.c.author_id == device.user_id, REVIEWS.c.submission_id.in_(review_of)]
    if coordinator:
        review_rules.append(sa.true())
    elif device.role == "reviewer":
        # The language of each review's item, looked up by key as the walk in server_seq
        # order meets the review; not "among every submission in the languages", a list both
        # databases gathered again for every page: 190-330 ms a page at a million submissions,
        # minutes for a reviewer's first pull. (A scalar subquery: PostgreSQL turns an EXISTS
        # here back into that list.)
        item_language = sa.select(SUBMISSIONS.c.language).where(
            SUBMISSIONS.c.id == REVIEWS.c.submission_id).scalar_subquery()
        review_rules.append(item_language.in_(langs))
    translations = tables.ui_translations
    translation_rules = [translations.c.author_id == device.user_id]
    if coordinator:
        translation_rules.append(sa.true())
    elif langs:  # other speakers of the language review suggestions (issue 16)
        translation_rules.append(translations.c.language.in_(langs))
    return {
        "project": sa.true(),
        "ui_catalog": sa.true(),
        "ui_translation": sa.or_(*translation_rules),
        # Work reaches a user through a lease (sync.server.work.distribution), and stays with them
        # after it is done or expired: a late result still counts.
        "task": sa.true() if coordinator else TASKS.c.id.in_(leased),
        "submission": sa.or_(*submission_rules),
        "review": sa.or_(*review_rules),
        # Feedback reaches the item's author and nobody else (replies: their own devices).
        "comment": COMMENTS.c.recipient_id == device.user_id,
        # The translation memory and glossary of the user's languages (all, for coordinators).
        **{entity: sa.true() if coordinator else table.c.target_language.in_(langs)
           for entity, table in tables.MEMORY_TABLES.items()},
    }


def _visible_when_blocked(device: Device, leased) -> dict[str, sa.ColumnElement]:
    """What a blocked user still sees: nothing anyone else wrote (DESIGN.md invariant 6).

    Their own submissions and reviews (a decision on their item is a change of that item),
    the projects, and the tasks they leased that are not about another person's work (a
    review task carries a peer's item); not their assigned items, nor others' reviews of
    their work. Rows a device pulled before the block stay on it: pull sends no deletions.
    """
    return {
        "project": sa.true(),
        "ui_catalog": sa.true(),
        "ui_translation": tables.ui_translations.c.author_id == device.user_id,
        "task": sa.and_(TASKS.c.id.in_(leased), sa.or_(TASKS.c.author_id.is_(None),
                                                       TASKS.c.author_id == device.user_id)),
        "submission": SUBMISSIONS.c.author_id == device.user_id,
        "review": REVIEWS.c.author_id == device.user_id,
        "comment": COMMENTS.c.author_id == device.user_id,  # their own replies
        # The memory holds others' accepted work: a blocked user reads none of it.
        **{entity: sa.false() for entity in tables.MEMORY_TABLES},
    }


def _not_echoed(device: Device) -> dict[str, sa.ColumnElement]:
    """Per entity, leave out rows whose latest change this very device pushed: it already
    holds them and learned their revision from the push answer (other devices of the same
    user still get them; a change made on the server clears ``changed_by``)."""
    return {entity: sa.or_(table.c.changed_by.is_(None), table.c.changed_by != device.id)
            if entity in ("submission", "review", "comment", "ui_translation")
            else sa.true()
            for entity, table in tables.RECORD_TABLES.items()}


def _entities(protocol: int) -> dict[str, sa.Table]:
    """The records a client of this protocol version knows how to store."""
    return {entity: table for entity, table in tables.RECORD_TABLES.items()
            if (entity != "comment" or protocol >= COMMENTS_PROTOCOL)
            and (entity not in tables.MEMORY_TABLES or protocol >= MEMORY_PROTOCOL)
            and (entity not in TRANSLATION_ENTITIES or protocol >= TRANSLATION_PROTOCOL)}


def pull_page(target: Target, device: Device, *, cursor: int = 0,
              limit: int = DEFAULT_PULL_LIMIT, protocol: int = PROTOCOL_VERSION) -> PullPage:
    """Changes visible to the device's user after ``cursor``, in server_seq order
    (``protocol``: the client's version; older clients are sent only what they know)."""
    limit = max(1, min(int(limit), MAX_PULL_LIMIT))

    def work(conn: Connection) -> PullPage:
        head = current_seq(conn)  # read first: every number up to it is committed
        rules = _visible(device)
        mine = _not_echoed(device)
        parts = []
        for entity, table in _entities(protocol).items():
            parts.extend(
                sa.select(sa.literal_column(f"'{entity}'").label("entity"), table.c.id,
                          table.c.revision, table.c.deleted, table.c.payload,
                          table.c.server_seq)
                .where(table.c.server_seq > cursor, branch, mine[entity])
                .order_by(table.c.server_seq).limit(limit + 1).subquery()
                for branch in rules[entity]
            )
        union = sa.union_all(*[sa.select(part) for part in parts]).subquery()
        rows = conn.execute(
            sa.select(union).order_by(union.c.server_seq).limit(limit + 1)
        ).all()
        more = len(rows) > limit
        rows = rows[:limit]
        items = [PullItem(cursor=r.server_seq, entity=r.entity, id=r.id, revision=r.revision,
                          deleted=bool(r.deleted), payload=r.payload) for r in rows]
        # Nothing more for this user up to head: skip past what only others can see.
        next_cursor = rows[-1].server_seq if more else max([head, *(r.server_seq for r in rows)])
        return PullPage(items=items, next_cursor=next_cursor, more=more,
                        server_id=server_identity(conn).server_id)

    page = read(target, work)
    if not isinstance(target, Connection):
        run_write(target, lambda conn: conn.execute(
            DEVICES.update().where(DEVICES.c.id == device.id, DEVICES.c.pull_cursor != cursor)
            .values(pull_cursor=cursor)))
    return page


def pending_changes(target: Target, device: Device, cursor: int) -> int:
    """How many visible changes lie after ``cursor`` (the `devices` listing's "pending")."""
    rules = _visible(device)
    mine = _not_echoed(device)

    def work(conn):
        return sum(
            conn.execute(sa.select(sa.func.count()).select_from(table).where(
                table.c.server_seq > cursor, sa.or_(*rules[entity]), mine[entity])).scalar()
            for entity, table in tables.RECORD_TABLES.items()
        )

    return read(target, work)
