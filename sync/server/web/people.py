"""Annotators and devices: who works, on which devices, when last seen; blocking people.

    GET  /dashboard/people
    POST /dashboard/people/block      user, reason   (coordinators; nothing is deleted)
    POST /dashboard/people/unblock    user

"Pending" is what the `devices` command shows: changes the device may see that it has not
pulled yet (:func:`sync.server.exchange.pull.pending_changes` from its pull cursor).
"""

from __future__ import annotations

import json
from typing import Annotated

import sqlalchemy as sa
from fastapi import Form
from starlette.responses import Response

from sync.protocol import ErrorCode
from sync.server import tables
from sync.server.db import read_transaction
from sync.server.errors import ServerError
from sync.server.exchange.pull import pending_changes
from sync.server.people.users import Device
from sync.server.quality import moderation
from sync.server.web.site import Coordinator, CoordinatorForm, new_router

router = new_router()
MAX_ROWS = 300  # people and devices per page: keeps the page small on a slow link
U, D, S = tables.users, tables.devices, tables.submissions


@router.get("/people")
def people(page: Coordinator, done: str = "") -> Response:
    with read_transaction(page.engine) as conn:
        handed_in = (sa.select(S.c.author_id, sa.func.count().label("n"))
                     .where(S.c.deleted == sa.false(), S.c.state != "draft")
                     .group_by(S.c.author_id).subquery())
        devices = (sa.select(D.c.user_id, sa.func.count().label("n"),
                             sa.func.max(D.c.last_seen).label("seen"))
                   .where(D.c.revoked_at.is_(None)).group_by(D.c.user_id).subquery())
        users = conn.execute(
            sa.select(U.c.id, U.c.name, U.c.role, U.c.languages, U.c.blocked_at,
                      U.c.blocked_reason, handed_in.c.n.label("items"),
                      devices.c.n.label("devices"), devices.c.seen)
            .select_from(U.outerjoin(handed_in, handed_in.c.author_id == U.c.id)
                         .outerjoin(devices, devices.c.user_id == U.c.id))
            .order_by(U.c.name).limit(MAX_ROWS)).all()
        user_total = conn.execute(sa.select(sa.func.count()).select_from(U)).scalar()
        rows = conn.execute(
            sa.select(D, U.c.name.label("user_name"), U.c.role, U.c.languages, U.c.blocked_at)
            .select_from(D.join(U, U.c.id == D.c.user_id))
            .order_by(D.c.last_seen.desc().nulls_last(), D.c.enrolled_at.desc())
            .limit(MAX_ROWS)).all()
        device_total = conn.execute(sa.select(sa.func.count()).select_from(D)).scalar()
        listing = []
        for row in rows:
            device = Device.of(row.id, row.user_id, row.user_name, row.role, row.languages,
                               row.blocked_at)
            listing.append({"row": row,
                            "pending": pending_changes(conn, device, row.pull_cursor)})
    people = [{"row": u, "languages": json.loads(u.languages)} for u in users]
    return page.render("people.html", people=people, devices=listing, done=done,
                       user_total=user_total, device_total=device_total, max_rows=MAX_ROWS)


@router.post("/people/block")
def block(page: CoordinatorForm, user: Annotated[str, Form(max_length=64)],
          reason: Annotated[str, Form(max_length=moderation.MAX_REASON)] = "") -> Response:
    if user == page.session.user_id:
        raise ServerError(ErrorCode.invalid_request,
                          "You cannot block yourself: you would be signed out for good.")
    moderation.block(page.engine, user, reason=reason)
    return page.redirect("/people?done=blocked")


@router.post("/people/unblock")
def unblock(page: CoordinatorForm, user: Annotated[str, Form(max_length=64)]) -> Response:
    moderation.unblock(page.engine, user)
    return page.redirect("/people?done=unblocked")
