"""Annotators and devices: who works, on which devices, when last seen; blocking people.

    GET  /dashboard/people
    POST /dashboard/people/block      user, reason   (coordinators; nothing is deleted)
    POST /dashboard/people/unblock    user
    POST /dashboard/people/revoke     device         (its tokens and the sessions they opened)

A form with a mistake (a block without a reason, a device or person that is gone) comes back
with what was typed and the problem beside the field.

"Pending" is what the `devices` command shows: changes the device may see that it has not
pulled yet (:func:`sync.server.exchange.pull.pending_changes` from its pull cursor).
"""

from __future__ import annotations

import json
from typing import Annotated

import sqlalchemy as sa
from fastapi import Form
from starlette.responses import Response

from sync.server import tables
from sync.server.db import read_transaction
from sync.server.errors import ServerError
from sync.server.exchange.pull import pending_changes
from sync.server.people import users
from sync.server.people.users import Device
from sync.server.quality import moderation
from sync.server.web.site import Coordinator, CoordinatorForm, new_router

router = new_router()
MAX_ROWS = 300  # people and devices per page: keeps the page small on a slow link
DEVICES = tables.devices
SUBMISSIONS = tables.submissions
USERS = tables.users


@router.get("/people")
def people(page: Coordinator, done: str = "") -> Response:
    return _render(page, done=done)


def _render(page, *, done: str = "", status: int = 200, errors: dict | None = None,
            typed: dict | None = None) -> Response:
    with read_transaction(page.engine) as conn:
        handed_in = (sa.select(SUBMISSIONS.c.author_id, sa.func.count().label("n"))
                     .where(SUBMISSIONS.c.deleted == sa.false(), SUBMISSIONS.c.state != "draft")
                     .group_by(SUBMISSIONS.c.author_id).subquery())
        devices = (sa.select(DEVICES.c.user_id, sa.func.count().label("n"),
                             sa.func.max(DEVICES.c.last_seen).label("seen"))
                   .where(DEVICES.c.revoked_at.is_(None)).group_by(DEVICES.c.user_id).subquery())
        users = conn.execute(
            sa.select(USERS.c.id, USERS.c.name, USERS.c.role, USERS.c.languages, USERS.c.blocked_at,
                      USERS.c.blocked_reason, handed_in.c.n.label("items"),
                      devices.c.n.label("devices"), devices.c.seen)
            .select_from(USERS.outerjoin(handed_in, handed_in.c.author_id == USERS.c.id)
                         .outerjoin(devices, devices.c.user_id == USERS.c.id))
            .order_by(USERS.c.name).limit(MAX_ROWS)).all()
        user_total = conn.execute(sa.select(sa.func.count()).select_from(USERS)).scalar()
        rows = conn.execute(
            sa.select(DEVICES, USERS.c.name.label("user_name"), USERS.c.role, USERS.c.languages,
                      USERS.c.blocked_at)
            .select_from(DEVICES.join(USERS, USERS.c.id == DEVICES.c.user_id))
            .order_by(DEVICES.c.last_seen.desc().nulls_last(), DEVICES.c.enrolled_at.desc())
            .limit(MAX_ROWS)).all()
        device_total = conn.execute(sa.select(sa.func.count()).select_from(DEVICES)).scalar()
        listing = []
        for row in rows:
            device = Device.of(row.id, row.user_id, row.user_name, row.role, row.languages,
                               row.blocked_at)
            listing.append({"row": row,
                            "pending": pending_changes(conn, device, row.pull_cursor)})
    people = [{"row": u, "languages": json.loads(u.languages)} for u in users]
    return page.render("people.html", status=status, people=people, devices=listing,
                       done=done, user_total=user_total, device_total=device_total,
                       max_rows=MAX_ROWS, errors=errors or {}, typed=typed or {})


@router.post("/people/block")
def block(page: CoordinatorForm, user: Annotated[str, Form(max_length=64)],
          reason: Annotated[str, Form(max_length=moderation.MAX_REASON)] = "") -> Response:
    field = f"reason-{user}"
    if user == page.session.user_id:  # no form on one's own row: said above the table
        return _render(page, status=400, errors={"people": page.ui.gettext(
            "You cannot block yourself: you would be signed out for good.")})
    if not reason.strip():
        problem = page.ui.gettext("Say why: the reason is kept with the block.")
    else:
        try:
            moderation.block(page.engine, user, reason=reason, by=page.actor)
            return page.redirect("/people?done=blocked")
        except ServerError as exc:  # nobody by that id (any more): said above the table
            return _render(page, status=400, errors={"people": exc.message},
                           typed={field: reason})
    return _render(page, status=400, errors={field: problem}, typed={field: reason})


@router.post("/people/unblock")
def unblock(page: CoordinatorForm, user: Annotated[str, Form(max_length=64)]) -> Response:
    try:
        moderation.unblock(page.engine, user, by=page.actor)
    except ServerError as exc:
        return _render(page, status=400, errors={"people": exc.message})
    return page.redirect("/people?done=unblocked")


@router.post("/people/revoke")
def revoke(page: CoordinatorForm, device: Annotated[str, Form(max_length=64)]) -> Response:
    try:
        users.revoke(page.engine, device, by=page.actor)
    except ServerError as exc:
        return _render(page, status=400, errors={"devices": exc.message})
    return page.redirect("/people?done=revoked")
