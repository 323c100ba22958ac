"""Flagged items: what reviewers flagged (wrong language, harmful, nonsense), and the
coordinator's answers — accept or reject the item, correct its language or dialect, block its
author.

    GET  /dashboard/flagged?language=urd_Arab
    POST /dashboard/flagged/decide     submission, state (accepted | rejected)
    POST /dashboard/flagged/relabel    submission, language, dialect
    POST /dashboard/flagged/block      user, reason
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Form
from starlette.responses import Response

from app.kinds import REVIEW_FLAGS
from i18n.languages import aya_languages
from sync.protocol import ErrorCode
from sync.server.errors import ServerError
from sync.server.quality import moderation
from sync.server.web.site import Coordinator, CoordinatorForm, new_router
from sync.server.work import decisions

router = new_router()
LIMIT = 100
SHOWN_CHARS = 600  # of each text in the list: the page stays small; the app shows it whole


@router.get("/flagged")
def flagged(page: Coordinator, language: str = "", done: str = "") -> Response:
    items = moderation.flagged_items(page.engine, language=language or None, limit=LIMIT)
    return page.render("flagged.html", items=items, language=language, done=done,
                       limit=LIMIT, shown=SHOWN_CHARS, flags=REVIEW_FLAGS,
                       relabel_languages=[lang.code for lang in aya_languages()])


def _back(page, language: str, done: str) -> Response:
    query = f"?done={done}" + (f"&language={language}" if language else "")
    return page.redirect(f"/flagged{query}")


@router.post("/flagged/decide")
def decide(page: CoordinatorForm, submission: Annotated[str, Form(max_length=64)],
           state: Annotated[str, Form(max_length=20)],
           language: Annotated[str, Form(max_length=32)] = "") -> Response:
    decisions.decide(page.engine, submission, state,
                     reason=f"decided on a flag by {page.session.user_name}", by=page.actor)
    return _back(page, language, state)


@router.post("/flagged/relabel")
def relabel(page: CoordinatorForm, submission: Annotated[str, Form(max_length=64)],
            new_language: Annotated[str, Form(max_length=32)] = "",
            dialect: Annotated[str, Form(max_length=moderation.MAX_DIALECT)] = "",
            language: Annotated[str, Form(max_length=32)] = "") -> Response:
    if not new_language and not dialect:
        raise ServerError(ErrorCode.invalid_request, "Give a new language or a dialect.")
    moderation.relabel(page.engine, submission, language=new_language or None,
                       dialect=dialect or None, by=page.actor)
    return _back(page, language, "relabeled")


@router.post("/flagged/block")
def block(page: CoordinatorForm, user: Annotated[str, Form(max_length=64)],
          reason: Annotated[str, Form(max_length=moderation.MAX_REASON)] = "",
          language: Annotated[str, Form(max_length=32)] = "") -> Response:
    if user == page.session.user_id:
        raise ServerError(ErrorCode.invalid_request, "You cannot block yourself.")
    moderation.block(page.engine, user, reason=reason, by=page.actor)
    return _back(page, language, "blocked")
