"""Import from the dashboard: upload a task file, a job imports it, a page tells how it went.

    GET  /dashboard/import                      the form and recent imports
    POST /dashboard/import                      file, project, kind, origin -> a job
    GET  /dashboard/import/{job}                progress, then counts, or the error with its
                                                file, line and field

The upload is stored in the database (:mod:`.files`, in chunks), so whichever server process
takes the job reads it there: it copies it to a private temporary file and hands that to
:func:`sync.server.work.imports.import_file` (JSONL, CSV, Parquet, XLIFF; all or nothing per
file; importing the same file twice adds nothing). The upload is removed when the job ends.
Uploads are limited by :data:`sync.server.api.body.STREAMED_UPLOADS`.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import File, Form, UploadFile
from starlette.responses import Response

from app.kinds import TASK_KINDS
from app.taskfile import ORIGINS
from sync.protocol import ErrorCode
from sync.server.api.body import STREAMED_UPLOADS
from sync.server.db import is_sqlite
from sync.server.errors import ServerError
from sync.server.people.auditlog import Actor
from sync.server.web import files, jobs
from sync.server.web.site import PREFIX, Coordinator, CoordinatorForm, new_router
from sync.server.work.imports import check_options, import_file
from sync.server.work.projects import list_projects

router = new_router()
IMPORT_KINDS = tuple(kind for kind in TASK_KINDS if kind != "review")


def _form(page, **values) -> Response:
    return page.render("import.html", projects=list_projects(page.engine), kinds=IMPORT_KINDS,
                       origins=ORIGINS, recent=jobs.recent(page.engine, "import"),
                       limit_mb=STREAMED_UPLOADS[f"{PREFIX}/import"] // (1 << 20), **values)


@router.get("/import")
def import_form(page: Coordinator) -> Response:
    return _form(page)


@router.post("/import")
def start_import(
    page: CoordinatorForm,
    file: Annotated[UploadFile, File()],
    project: Annotated[str, Form(max_length=64)] = "",
    new_project: Annotated[str, Form(max_length=64)] = "",
    kind: Annotated[str, Form(max_length=20)] = "",
    origin: Annotated[str, Form(max_length=20)] = "",
    allow_mismatch: Annotated[str, Form(max_length=5)] = "",
) -> Response:
    project_id = new_project.strip() or project
    if not project_id:
        raise ServerError(ErrorCode.invalid_request,
                          "Choose a project, or give the id of a new one.")
    if kind == "review":  # review tasks are made by the server from handed-in work
        raise ServerError(ErrorCode.invalid_request,
                          f"kind must be one of {', '.join(IMPORT_KINDS)} (got {kind!r}).")
    check_options(project_id, kind or None, origin or None)
    name = _safe_name(file.filename or "tasks")
    stored = files.store(page.engine, file.file.read, name=name, purpose="upload")
    job_id = jobs.start(page.engine, kind="import", created_by=page.session.user_name,
                        message=name, params={"file": stored.id, "name": name,
                                              "project": project_id, "kind": kind or None,
                                              "origin": origin or None,
                                              "allow_mismatch": allow_mismatch == "on",
                                              "by": page.actor.to_dict()})
    page.request.app.state.jobs.kick()
    return page.redirect(f"/import/{job_id}")


@jobs.handler("import")
def run_import(engine, job: jobs.Job, progress) -> dict:
    """An import job, in whichever process took it: the upload, copied out of the database
    to a private temporary folder, imported, then removed (the copy and the stored file)."""
    params = job.params
    sqlite = is_sqlite(engine)

    def report(done: int, total: int | None, stage: str) -> None:
        # Storing holds the write lock: on SQLite the job's row cannot be written then.
        if stage == "storing" and sqlite:
            return
        progress(done, total, stage)

    try:
        with tempfile.TemporaryDirectory(prefix="qalam-import-") as folder:  # 0700
            path = files.spool(engine, params["file"], Path(folder) / params["name"])
            result = import_file(engine, path, project_id=params["project"],
                                 kind=params["kind"], origin=params["origin"],
                                 progress=report,
                                 allow_mismatch=bool(params.get("allow_mismatch")),
                                 by=Actor.from_dict(params.get("by"), job.created_by))
    finally:
        files.delete(engine, params["file"])
    return {"file": params["name"], "project": params["project"],
            "project_created": result.project_created, "added": result.added,
            "updated": result.updated, "unchanged": result.unchanged}


def _safe_name(filename: str) -> str:
    """The upload's base name with only harmless characters (its suffix names the format)."""
    base = Path(filename.replace("\\", "/")).name
    cleaned = re.sub(r"[^\w.\-]+", "_", base).strip("._") or "tasks"
    return cleaned[-120:]


@router.get("/import/{job_id}")
def import_status(page: Coordinator, job_id: str) -> Response:
    job = jobs.load(page.engine, job_id)
    if job is None or job.kind != "import":
        raise ServerError(ErrorCode.not_found, f"No import {job_id!r}.")
    return page.render("import_job.html", job=job)
