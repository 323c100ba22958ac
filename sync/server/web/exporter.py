"""Export from the dashboard: a form, a job that writes the export and zips it, a download.

    GET  /dashboard/export                      the form and recent exports
    POST /dashboard/export                      format, project, test_fraction -> a job
    GET  /dashboard/export/{job}                progress, then counts and the download link
    GET  /dashboard/export/{job}/download       the zip

Dataset formats (jsonl, parquet, hf) go through
:func:`sync.server.export.dataset.export_dataset`; post-edit formats (xliff, tmx) through
:func:`sync.server.export.postedit.export_postedits`, in whichever server process takes the
job, into a private temporary folder; the zip is written straight into the database
(:mod:`.files`, in chunks) and downloaded from there, through any server process.
"""

from __future__ import annotations

import re
import tempfile
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

from fastapi import Form
from starlette.responses import Response, StreamingResponse

from sync.protocol import ErrorCode
from sync.server.errors import ServerError
from sync.server.export.dataset import FORMATS as DATASET_FORMATS
from sync.server.export.dataset import export_dataset
from sync.server.export.postedit import FORMATS as POSTEDIT_FORMATS
from sync.server.export.postedit import export_postedits
from sync.server.people import auditlog
from sync.server.people.auditlog import Actor
from sync.server.web import files, jobs
from sync.server.web.site import Coordinator, CoordinatorForm, new_router
from sync.server.work.projects import list_projects

router = new_router()
FORMATS = (*DATASET_FORMATS, *POSTEDIT_FORMATS)


@router.get("/export")
def export_form(page: Coordinator) -> Response:
    return page.render("export.html", projects=list_projects(page.engine),
                       dataset_formats=DATASET_FORMATS, postedit_formats=POSTEDIT_FORMATS,
                       recent=jobs.recent(page.engine, "export"))


@router.post("/export")
def start_export(
    page: CoordinatorForm,
    fmt: Annotated[str, Form(max_length=20)],
    project: Annotated[str, Form(max_length=64)] = "",
    test_fraction: Annotated[float, Form(ge=0, lt=1)] = 0.0,
) -> Response:
    if fmt not in FORMATS:
        raise ServerError(ErrorCode.invalid_request,
                          f"Unknown format {fmt!r}; choose one of {', '.join(FORMATS)}.")
    projects = {p["id"] for p in list_projects(page.engine)}
    if project and project not in projects:
        raise ServerError(ErrorCode.not_found, f"No project {project!r}.")
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    name = f"qalam-{_slug(project or 'all')}-{fmt}-{stamp}"
    job_id = jobs.start(page.engine, kind="export", created_by=page.session.user_name,
                        message=name, params={"fmt": fmt, "project": project,
                                              "test_fraction": test_fraction, "name": name,
                                              "by": page.actor.to_dict()})
    page.request.app.state.jobs.kick()
    return page.redirect(f"/export/{job_id}")


@jobs.handler("export")
def run_export(engine, job: jobs.Job, progress) -> dict:
    """An export job, in whichever process took it: written to a private temporary folder,
    zipped into the database, the folder removed."""
    params = job.params
    fmt, project, name = params["fmt"], params["project"], params["name"]
    with tempfile.TemporaryDirectory(prefix="qalam-export-") as folder:  # 0700
        out = Path(folder) / name
        if fmt in DATASET_FORMATS:
            result = export_dataset(engine, out, fmt=fmt, project_id=project or None,
                                    test_fraction=params["test_fraction"], progress=progress)
        else:
            result = export_postedits(engine, out, fmt=fmt, project_id=project or None,
                                      progress=progress)
        archive = _zip(engine, out, f"{name}.zip")
    auditlog.record_alone(engine, "export", Actor.from_dict(params.get("by"), job.created_by),
                          subject=archive.name,
                          project_id=project or None,
                          detail={"format": fmt, "rows": result.rows})
    return {"rows": result.rows, "format": fmt, "project": project,
            "zip": archive.name, "file": archive.id, "bytes": archive.size,
            "splits": result.splits, "counts": result.counts,
            "below_gate": result.below_gate, "contributors": result.contributors,
            "files": [p.relative_to(out).as_posix() for p in result.files]}


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text)[:40] or "export"


def _zip(engine, folder: Path, name: str) -> files.StoredFile:
    """``folder``'s files as a zip stored in the database (complete only once whole)."""
    with files.Writer(engine, name=name, purpose="export") as out, zipfile.ZipFile(
            out, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as z:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                z.write(path, f"{folder.name}/{path.relative_to(folder).as_posix()}")
    return files.info(engine, out.id)


def _export_job(page, job_id: str) -> jobs.Job:
    job = jobs.load(page.engine, job_id)
    if job is None or job.kind != "export":
        raise ServerError(ErrorCode.not_found, f"No export {job_id!r}.")
    return job


@router.get("/export/{job_id}")
def export_status(page: Coordinator, job_id: str) -> Response:
    return page.render("export_job.html", job=_export_job(page, job_id))


@router.get("/export/{job_id}/download")
def download(page: Coordinator, job_id: str) -> Response:
    job = _export_job(page, job_id)
    stored = files.info(page.engine, job.result["file"]) if "file" in job.result else None
    if job.state != "done" or stored is None or not stored.complete:
        raise ServerError(ErrorCode.not_found,
                          "This export has no file to download (not finished, failed, or "
                          "removed from the server).")
    return StreamingResponse(
        files.chunks(page.engine, stored.id), media_type="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{stored.name}"',
                 "Content-Length": str(stored.size), "Cache-Control": "no-store"})
