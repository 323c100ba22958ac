"""Feedback on an item: its thread (the coordinator's comments, reviewers' reasons, the
author's replies), a comment form, and the decision, with every earlier decision and the text
it was made on.

    GET  /dashboard/items/<id>/feedback            the item, its decisions and its thread
    POST /dashboard/items/<id>/comment             body, back    (the item's coordinators)
    POST /dashboard/items/<id>/feedback/decide     state, reason

``item_thread.html`` is a template include: any page about an item shows the thread and the
comment form with ``{% include "item_thread.html" %}`` given ``thread`` (``feedback.thread``),
``item_id`` and ``back`` (where the form returns). Only a coordinator of the item's project
(:func:`sync.server.work.projects.may_coordinate`) sees it or writes; forms carry the session's
CSRF token. A refused comment (empty, invisible, too long) comes back with what was typed.
"""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import Form, Path
from starlette.responses import Response

from app.kinds import FINAL_STATES
from app.records import MAX_COMMENT_CHARS
from sync.protocol import ErrorCode
from sync.server.errors import ServerError
from sync.server.web.site import PREFIX, Coordinator, CoordinatorForm, NotAllowed, Page, new_router
from sync.server.work import decisions, feedback

router = new_router()
ItemId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")]
MAX_REASON = 2000
_BACK = re.compile(rf"{PREFIX}/items/[A-Za-z0-9_.:-]{{1,64}}(/feedback)?")


def _item(page: Page, item_id: str) -> feedback.Item:
    try:
        return feedback.item(page.engine, item_id, for_user=page.session.user_id)
    except ServerError as exc:
        if exc.code == ErrorCode.forbidden:
            raise NotAllowed from None
        raise


def _render(page: Page, item: feedback.Item, *, status: int = 200, done: str = "",
            error: str = "", typed: str = "") -> Response:
    return page.render(
        "item_feedback.html", status=status, item=item, done=done, comment_error=error,
        typed=typed, thread=feedback.thread(page.engine, item.id),
        history=decisions.history(page.engine, item.id), item_id=item.id,
        back=page.url(f"/items/{item.id}/feedback"), max_chars=MAX_COMMENT_CHARS)


@router.get("/items/{item_id}/feedback")
def item_feedback(page: Coordinator, item_id: ItemId, done: str = "") -> Response:
    return _render(page, _item(page, item_id), done=done)


@router.post("/items/{item_id}/comment")
def comment(page: CoordinatorForm, item_id: ItemId,
            body: Annotated[str, Form(max_length=MAX_COMMENT_CHARS * 4)] = "",
            back: Annotated[str, Form(max_length=200)] = "") -> Response:
    item = _item(page, item_id)
    try:
        feedback.comment(page.engine, item.id, body, by=page.actor)
    except ServerError as exc:
        if exc.code != ErrorCode.invalid_request:
            raise
        return _render(page, item, status=400, error=exc.message, typed=body)
    target = back if _BACK.fullmatch(back) else f"{PREFIX}/items/{item.id}/feedback"
    return page.redirect(target.removeprefix(PREFIX) + "?done=commented")


@router.post("/items/{item_id}/feedback/decide")
def decide(page: CoordinatorForm, item_id: ItemId,
           state: Annotated[str, Form(max_length=20)],
           reason: Annotated[str, Form(max_length=MAX_REASON)] = "") -> Response:
    item = _item(page, item_id)
    if state not in FINAL_STATES:
        raise ServerError(ErrorCode.invalid_request,
                          f"A decision is accepted or rejected (got {state!r}).")
    decisions.decide(page.engine, item.id, state, reason=reason.strip() or None, by=page.actor)
    return page.redirect(f"/items/{item.id}/feedback?done={state}")
