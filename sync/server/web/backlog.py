"""The review backlog: peer-review tasks waiting or handed out, work waiting for review or a
decision, and every work queue (:func:`sync.server.work.distribution.queue_status`), per language.

    GET /dashboard/backlog

A review task (``tasks.kind = 'review'``, made by :mod:`sync.server.work.distribution` when work
is handed in) is *waiting* with no live or finished lease, *leased* while someone holds it,
*done* once a lease finished. A submission *awaits review* while handed in with no review,
and *awaits a decision* once reviewed but neither accepted nor rejected. Blocked people's work
is held (never sent out for review) and their reviews do not count: neither is shown here.
"""

from __future__ import annotations

import sqlalchemy as sa
from starlette.responses import Response

from app import clock
from sync.server import tables
from sync.server.db import read_transaction
from sync.server.quality.fields import unblocked
from sync.server.web.site import Coordinator, language_cell, new_router
from sync.server.work.distribution import queue_status

router = new_router()
LEASES = tables.task_leases
REVIEWS = tables.reviews
SUBMISSIONS = tables.submissions
TASKS = tables.tasks


def _count(condition):
    return sa.func.sum(sa.case((condition, 1), else_=0))


@router.get("/backlog")
def backlog(page: Coordinator) -> Response:
    now = clock.utc_now()
    live = sa.exists().where(LEASES.c.task_id == TASKS.c.id, LEASES.c.done_at.is_(None),
                             LEASES.c.expires_at > now)
    done = sa.exists().where(LEASES.c.task_id == TASKS.c.id, LEASES.c.done_at.is_not(None))
    reviewed = sa.exists().where(REVIEWS.c.submission_id == SUBMISSIONS.c.id,
                                 REVIEWS.c.deleted == sa.false(),
                                 unblocked(REVIEWS.c.author_id))
    with read_transaction(page.engine) as conn:
        tasks = {r.language: r for r in conn.execute(
            sa.select(TASKS.c.language,
                      _count(sa.and_(sa.not_(live), sa.not_(done))).label("waiting"),
                      _count(live).label("leased"), _count(done).label("done"),
                      sa.func.min(sa.case((sa.and_(sa.not_(live), sa.not_(done)),
                                           TASKS.c.created_at))).label("oldest"))
            .where(TASKS.c.kind == "review", TASKS.c.deleted == sa.false(),
                   unblocked(TASKS.c.author_id))
            .group_by(TASKS.c.language))}
        work = {r.language: r for r in conn.execute(
            sa.select(SUBMISSIONS.c.language,
                      _count(sa.not_(reviewed)).label("unreviewed"),
                      _count(reviewed).label("undecided"),
                      sa.func.min(sa.case((sa.not_(reviewed), SUBMISSIONS.c.updated_at)))
                      .label("oldest"))
            .where(SUBMISSIONS.c.state == "submitted", SUBMISSIONS.c.deleted == sa.false(),
                   SUBMISSIONS.c.kind != "review", SUBMISSIONS.c.language.is_not(None),
                   unblocked(SUBMISSIONS.c.author_id))
            .group_by(SUBMISSIONS.c.language))}
        expired = conn.execute(
            sa.select(sa.func.count()).select_from(LEASES)
            .where(LEASES.c.done_at.is_(None), LEASES.c.expires_at <= now)).scalar()
    languages = sorted(set(tasks) | set(work),
                       key=lambda c: language_cell(c, page.ui.tag).name.casefold())
    rows = []
    for code in languages:
        t, w = tasks.get(code), work.get(code)
        rows.append({"language": code,
                     "waiting": int(t.waiting or 0) if t else 0,
                     "leased": int(t.leased or 0) if t else 0,
                     "done": int(t.done or 0) if t else 0,
                     "oldest_task": t.oldest if t else None,
                     "unreviewed": int(w.unreviewed or 0) if w else 0,
                     "undecided": int(w.undecided or 0) if w else 0,
                     "oldest_work": w.oldest if w else None})
    totals = {key: sum(r[key] for r in rows)
              for key in ("waiting", "leased", "done", "unreviewed", "undecided")}
    queues = sorted(queue_status(page.engine),
                    key=lambda q: (language_cell(q.language, page.ui.tag).name.casefold(), q.kind))
    return page.render("backlog.html", rows=rows, totals=totals, expired=expired,
                       queues=queues)
