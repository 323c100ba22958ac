"""The audit log: who minted which code, decided, relabelled, blocked, revoked, imported,
exported, changed settings or commented, when and from where — newest first, a page at a time.

    GET /dashboard/log?action=decide&who=Farida&before=1234

Coordinators only. ``before`` continues after the last entry shown (the id index, never an
OFFSET scan); ``qalam-server log`` prints the same entries.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Query
from starlette.responses import Response

from sync.server.people import auditlog
from sync.server.web.site import Coordinator, new_router

router = new_router()
PAGE = 50


@router.get("/log")
def log(page: Coordinator, action: Annotated[str, Query(max_length=40)] = "",
        who: Annotated[str, Query(max_length=200)] = "",
        before: Annotated[int | None, Query(ge=1, le=2**62)] = None) -> Response:
    entries = auditlog.entries(page.engine, action=action or None, actor=who or None,
                               before=before, limit=PAGE)
    return page.render("log.html", entries=entries, action=action, who=who, shown=shown,
                       actions=auditlog.ACTIONS, people=auditlog.actors(page.engine),
                       more=len(entries) == PAGE, first=before is None)


def shown(value) -> str:
    """A detail's value as a person reads it: lists joined, nested values as key: value."""
    if isinstance(value, list):
        return ", ".join(shown(v) for v in value) or "–"
    if isinstance(value, dict):
        return ", ".join(f"{k}: {shown(v)}" for k, v in value.items())
    if value is None or value == "":
        return "–"
    return str(value)
