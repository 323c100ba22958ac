"""Items: find any submitted item of the coordinator's projects by a word of it or by
filters, read one whole, and act on it.

    GET  /dashboard/items?q=پانی&language=urd_Arab&flagged=yes&after=1234
    GET  /dashboard/items/<id>
    POST /dashboard/items/<id>/decide     state (accepted | rejected), reason
    POST /dashboard/items/<id>/relabel    new_language, dialect
    POST /dashboard/items/<id>/flag       flag, note
    POST /dashboard/items/<id>/unflag     note

Searching and paging are :mod:`sync.server.quality.search`, the item's story
:mod:`sync.server.quality.item`; the actions are the ones the flagged page and the CLI use
(:mod:`sync.server.work.decisions`, :mod:`sync.server.quality.moderation`), each written to
the audit log. The item's feedback thread and comment form are :mod:`.feedback`'s, included
in the page (``item_thread.html``). An item of a project that names other coordinators is
"not found", to read or to act on. A search that cannot be right (too long, a date that is
none) shows the form with its message.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import Form, Query
from starlette.responses import Response

from app.kinds import REVIEW_FLAGS, TASK_KINDS
from app.records import MAX_COMMENT_CHARS
from i18n.languages import aya_languages
from sync.protocol import ErrorCode
from sync.server.db import MAX_BIGINT
from sync.server.errors import ServerError
from sync.server.people.users import get_user
from sync.server.quality import moderation
from sync.server.quality.item import load_item, visible_item
from sync.server.quality.search import MAX_QUERY, STATES, ItemPage, ItemQuery, find_items
from sync.server.web.site import Coordinator, CoordinatorForm, new_router
from sync.server.work import decisions, feedback
from sync.server.work.projects import hidden_projects, list_projects

router = new_router()
PAGE_SIZE = 50
Text = Annotated[str, Query(max_length=4 * MAX_QUERY)]  # a search's own check names q
Key = Annotated[int | None, Query(ge=0, le=MAX_BIGINT)]


@router.get("/items")
def items(page: Coordinator, q: Text = "", project: Text = "", language: Text = "",
          kind: Text = "", state: Text = "", author: Text = "", device: Text = "",
          flagged: Text = "", reviewed: Text = "", since: Text = "", until: Text = "",
          sort: Text = "", after: Key = None, before: Key = None) -> Response:
    values = {"q": q, "project": project, "language": language, "kind": kind, "state": state,
              "author": author, "device": device, "flagged": flagged, "reviewed": reviewed,
              "since": since, "until": until, "sort": sort}
    problem, found = "", ItemPage()
    try:
        query = ItemQuery.parse(**{**values, "author": _author_id(page, author)})
        found = find_items(page.engine, page.session.user_id, query, after=after,
                           before=before, limit=PAGE_SIZE)
    except ServerError as exc:
        if exc.code != ErrorCode.invalid_request:
            raise
        problem = exc.message
    kept = {k: v for k, v in values.items() if v}
    return page.render(
        "items.html", status=400 if problem else 200, values=values, problem=problem,
        found=found, projects=_projects(page), languages=[lang.code for lang in aya_languages()],
        kinds=TASK_KINDS, states=STATES, page_size=PAGE_SIZE, first_page=after or before,
        link=lambda **extra: "/items?" + urlencode({**kept, **extra}))


def _author_id(page, author: str) -> str:
    """The id of the author named in the form (a name or an id)."""
    author = author.strip()
    if not author:
        return ""
    try:
        return get_user(page.engine, author).id
    except ServerError:
        raise ServerError(ErrorCode.invalid_request,
                          f"author: nobody is named {author[:60]!r}.") from None


def _projects(page) -> list[dict]:
    hidden = hidden_projects(page.engine, page.session.user_id)
    return [p for p in list_projects(page.engine) if p["id"] not in hidden]


@router.get("/items/{item_id}")
def item(page: Coordinator, item_id: str, done: str = "") -> Response:
    found = load_item(page.engine, page.session.user_id, item_id[:64])
    # The thread and comment form (web/feedback.py's include) come back to this page.
    return page.render("item.html", item=found, done=done, flags=REVIEW_FLAGS,
                       relabel_languages=[lang.code for lang in aya_languages()],
                       thread=feedback.thread(page.engine, found.id), item_id=found.id,
                       back=page.url(f"/items/{found.id}"), max_chars=MAX_COMMENT_CHARS)


def _back(page, item_id: str, done: str) -> Response:
    return page.redirect(f"/items/{item_id}?done={done}#actions")


@router.post("/items/{item_id}/decide")
def decide(page: CoordinatorForm, item_id: str, state: Annotated[str, Form(max_length=20)],
           reason: Annotated[str, Form(max_length=moderation.MAX_REASON)] = "") -> Response:
    visible_item(page.engine, page.session.user_id, item_id)
    decisions.decide(page.engine, item_id, state, reason=reason.strip() or None,
                     by=page.actor)
    return _back(page, item_id, state)


@router.post("/items/{item_id}/relabel")
def relabel(page: CoordinatorForm, item_id: str,
            new_language: Annotated[str, Form(max_length=32)] = "",
            dialect: Annotated[str, Form(max_length=moderation.MAX_DIALECT)] = "") -> Response:
    visible_item(page.engine, page.session.user_id, item_id)
    if not new_language and not dialect:
        raise ServerError(ErrorCode.invalid_request, "Give a new language or a dialect.")
    moderation.relabel(page.engine, item_id, language=new_language or None,
                       dialect=dialect or None, by=page.actor)
    return _back(page, item_id, "relabeled")


@router.post("/items/{item_id}/flag")
def flag(page: CoordinatorForm, item_id: str, flag: Annotated[str, Form(max_length=20)],
         note: Annotated[str, Form(max_length=moderation.MAX_REASON)] = "") -> Response:
    visible_item(page.engine, page.session.user_id, item_id)
    moderation.flag_item(page.engine, item_id, flag, by=page.actor, note=note)
    return _back(page, item_id, "flagged")


@router.post("/items/{item_id}/unflag")
def unflag(page: CoordinatorForm, item_id: str,
           note: Annotated[str, Form(max_length=moderation.MAX_REASON)] = "") -> Response:
    visible_item(page.engine, page.session.user_id, item_id)
    moderation.unflag_item(page.engine, item_id, by=page.actor, note=note)
    return _back(page, item_id, "unflagged")
