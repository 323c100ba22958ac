"""The coordinators' dashboard: server-rendered HTML pages under ``/dashboard``.

    app.include_router(sync.server.web.router)          # sync.server.api.factory does this
    qalam-server set-password Farida                    # then sign in at /dashboard/

One module per page (or pair of pages), each with its own ``router``; :mod:`.site` holds what
they share (templates, the signed-in person, CSRF-checked forms, HTML errors), :mod:`.assets`
the stylesheet and fonts, :mod:`.sessions` the sign-in, :mod:`.locale` the per-request UI
language, :mod:`.jobs` imports and exports that outlive a request. Pages are plain HTML and
one small stylesheet (no scripts), each under 200 KB, in the coordinator's language and
direction. Nothing is kept in process memory between requests: sessions, failed sign-ins and
jobs are rows in the database, so several server processes can share one.
"""

from fastapi import APIRouter

from sync.server.web import (
    assets,
    audits,
    backlog,
    enrollment,
    exporter,
    feedback,
    flagged,
    health,
    importer,
    items,
    log,
    overview,
    people,
    projects,
    signin,
)
from sync.server.web.site import PREFIX

router = APIRouter(prefix=PREFIX, include_in_schema=False)
for _module in (assets, signin, overview, items, backlog, flagged, people, projects, importer,
                exporter, enrollment, audits, health, feedback, log):
    router.include_router(_module.router)
