"""Quality audits: coordinators draw a stratified sample and read the estimates; auditors
rate their items blind (the text only, never who wrote it).

    GET  /dashboard/audits                 coordinators: samples and the draw form;
                                           everyone with audit items: the next item to rate
    POST /dashboard/audits/draw            per_language, auditors, languages, project, seed
    GET  /dashboard/audits/sample/{id}     per-language estimates with 95 % intervals
    POST /dashboard/audits/rate            sample, submission, rating, acceptable, comment

Auditors see only this page. Items are shown one at a time, each text cut at
:data:`SHOWN_CHARS` characters so a page stays under 200 KB whatever an item holds.
"""

from __future__ import annotations

from typing import Annotated

import sqlalchemy as sa
from fastapi import Form
from starlette.responses import Response

from sync.protocol import ErrorCode
from sync.server import tables
from sync.server.db import read
from sync.server.errors import ServerError
from sync.server.quality import audits
from sync.server.web.site import Coordinator, CoordinatorForm, SignedIn, SignedInForm, new_router
from sync.server.work.projects import list_projects

router = new_router()
SHOWN_CHARS = 25_000
USERS = tables.users


@router.get("/audits")
def audits_page(page: SignedIn, done: str = "") -> Response:
    mine = audits.auditor_items(page.engine, page.session.user_id)
    values = {"item": mine[0] if mine else None, "pending": len(mine), "done": done,
              "shown": SHOWN_CHARS, "samples": [], "auditors": [], "projects": []}
    if page.session.is_coordinator:
        values.update(
            samples=audits.list_samples(page.engine), projects=list_projects(page.engine),
            auditors=read(page.engine, lambda conn: conn.execute(
                sa.select(USERS.c.id, USERS.c.name).where(USERS.c.role == "auditor",
                                                          USERS.c.blocked_at.is_(None))
                .order_by(USERS.c.name)).all()))
    return page.render("audits.html", **values)


@router.post("/audits/rate")
def rate(page: SignedInForm, sample: Annotated[str, Form(max_length=64)],
         submission: Annotated[str, Form(max_length=64)],
         rating: Annotated[int, Form(ge=1, le=5)],
         acceptable: Annotated[str, Form(pattern="^(yes|no)$")],
         comment: Annotated[str, Form(max_length=audits.MAX_COMMENT)] = "") -> Response:
    audits.record_audit(page.engine, sample_id=sample, submission_id=submission,
                        auditor=page.session.user_id, rating=rating,
                        acceptable=acceptable == "yes", comment=comment)
    return page.redirect("/audits?done=rated")


@router.post("/audits/draw")
def draw(page: CoordinatorForm,
         per_language: Annotated[int, Form(ge=1, le=audits.MAX_PER_LANGUAGE)],
         auditor: Annotated[list[str], Form()] = (),
         other_auditors: Annotated[str, Form(max_length=2000)] = "",
         languages: Annotated[str, Form(max_length=2000)] = "",
         project: Annotated[str, Form(max_length=64)] = "",
         seed: Annotated[str, Form(max_length=20)] = "",
         note: Annotated[str, Form(max_length=2000)] = "") -> Response:
    names = [*auditor, *(n.strip() for n in other_auditors.split(",") if n.strip())]
    if seed.strip() and not (seed.strip().isascii() and seed.strip().isdecimal()):
        raise ServerError(ErrorCode.invalid_request, "seed: a whole number, or leave it empty.")
    codes = [c for c in languages.replace(" ", ",").split(",") if c.strip()]
    sample_id = audits.draw_sample(
        page.engine, per_language=per_language, auditors=names, languages=codes or None,
        project_id=project or None, seed=int(seed) if seed.strip() else None,
        created_by=page.session.user_name, note=note.strip())
    return page.redirect(f"/audits/sample/{sample_id}")


@router.get("/audits/sample/{sample_id}")
def sample(page: Coordinator, sample_id: str) -> Response:
    found = [s for s in audits.list_samples(page.engine) if s.id == sample_id]
    if not found:
        raise ServerError(ErrorCode.not_found, f"No audit sample {sample_id!r}.")
    return page.render("audit_sample.html", sample=found[0],
                       estimates=audits.estimates(page.engine, sample_id))
