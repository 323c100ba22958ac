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

from i18n.translation import N_
from sync.server.people import auditlog
from sync.server.web.site import KIND_NAMES, ROLE_NAMES, Coordinator, new_router

router = new_router()
PAGE = 50

#: The names an entry's details are stored under (auditlog.record's ``detail``), as read.
DETAIL_LABELS = {
    "reason": N_("reason"), "state": N_("decision"), "flag": N_("flag"), "note": N_("note"),
    "from": N_("was"), "language": N_("language"), "dialect": N_("dialect"),
    "kind": N_("kind"), "added": N_("added"), "updated": N_("updated"),
    "unchanged": N_("unchanged"), "removed": N_("removed"), "comment": N_("comment"),
    "chars": N_("characters"), "changes": N_("changes"), "role": N_("role"),
    "languages": N_("languages"), "expires_at": N_("expires"), "rows": N_("rows"),
    "format": N_("format"), "errors": N_("errors"), "ui_translation": N_("translation"),
    "ui_translations": N_("translations"),
}
#: Stored values that are words of the interface.
VALUE_LABELS = {"accepted": N_("accepted"), "rejected": N_("rejected"),
                **KIND_NAMES, **ROLE_NAMES}


@router.get("/log")
def log(page: Coordinator, action: Annotated[str, Query(max_length=40)] = "",
        who: Annotated[str, Query(max_length=200)] = "",
        before: Annotated[int | None, Query(ge=1, le=2**62)] = None) -> Response:
    entries = auditlog.entries(page.engine, action=action or None, actor=who or None,
                               before=before, limit=PAGE)
    gettext = page.ui.gettext

    def label(key: str) -> str:
        return gettext(DETAIL_LABELS[key]) if key in DETAIL_LABELS else key

    def value(found) -> str:
        if isinstance(found, str) and found in VALUE_LABELS:
            return gettext(VALUE_LABELS[found])
        return shown(found, label)

    return page.render("log.html", entries=entries, action=action, who=who, shown=value,
                       label=label,
                       actions=auditlog.ACTIONS, people=auditlog.actors(page.engine),
                       more=len(entries) == PAGE, first=before is None)


def shown(value, label=str) -> str:
    """A detail's value as a person reads it: lists joined, nested values as key: value
    (``label`` names a key in the reader's language)."""
    if isinstance(value, list):
        return ", ".join(shown(v, label) for v in value) or "–"
    if isinstance(value, dict):
        return ", ".join(f"{label(k)}: {shown(v, label)}" for k, v in value.items())
    if value is None or value == "":
        return "–"
    return str(value)
