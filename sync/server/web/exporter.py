"""Export from the dashboard: a form, a job that writes the export and zips it, a download.

    GET  /dashboard/export                      the form and recent exports
    POST /dashboard/export                      format, project, test_fraction -> a job
    GET  /dashboard/export/{job}                progress, then counts and the download link
    GET  /dashboard/export/{job}/download       the zip

Dataset formats (jsonl, parquet, hf) go through
:func:`sync.server.export.dataset.export_dataset`; post-edit formats (xliff, tmx) through
:func:`sync.server.export.postedit.export_postedits`. The zip is kept in
:func:`~sync.server.web.jobs.files_dir` ``/exports/<job>/``.
"""

from __future__ import annotations

import re
import shutil
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

from fastapi import Form
from starlette.responses import FileResponse, Response

from app.private import open_private
from sync.protocol import ErrorCode
from sync.server.errors import ServerError
from sync.server.export.dataset import FORMATS as DATASET_FORMATS
from sync.server.export.dataset import export_dataset
from sync.server.export.postedit import FORMATS as POSTEDIT_FORMATS
from sync.server.export.postedit import export_postedits
from sync.server.web import jobs
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
                        message=name)
    folder = jobs.files_dir(page.engine) / "exports" / job_id
    engine = page.engine

    def work(progress) -> dict:
        out = folder / name
        if fmt in DATASET_FORMATS:
            result = export_dataset(engine, out, fmt=fmt, project_id=project or None,
                                    test_fraction=test_fraction, progress=progress)
        else:
            result = export_postedits(engine, out, fmt=fmt, project_id=project or None,
                                      progress=progress)
        archive = _zip(out, folder / f"{name}.zip")
        shutil.rmtree(out, ignore_errors=True)
        return {"rows": result.rows, "format": fmt, "project": project,
                "zip": archive.name, "bytes": archive.stat().st_size,
                "splits": result.splits, "counts": result.counts,
                "below_gate": result.below_gate, "contributors": result.contributors,
                "files": [p.relative_to(out).as_posix() for p in result.files]}

    jobs.run_in_thread(engine, job_id, work)
    return page.redirect(f"/export/{job_id}")


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text)[:40] or "export"


def _zip(folder: Path, target: Path) -> Path:
    """``folder``'s files into ``target`` (written beside it, then renamed: never half a zip)."""
    partial = target.with_suffix(".zip.partial")
    with open_private(partial) as raw, zipfile.ZipFile(  # 0600: it holds demographics
            raw, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as z:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                z.write(path, f"{folder.name}/{path.relative_to(folder).as_posix()}")
    partial.replace(target)
    return target


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
    name = job.result.get("zip")
    path = jobs.files_dir(page.engine) / "exports" / job.id / name if name else None
    if job.state != "done" or path is None or not path.is_file():
        raise ServerError(ErrorCode.not_found,
                          "This export has no file to download (not finished, failed, or "
                          "removed from the server's files folder).")
    return FileResponse(path, media_type="application/zip", filename=name,
                        headers={"Cache-Control": "no-store"})
