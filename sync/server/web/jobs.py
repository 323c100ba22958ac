"""Long imports and exports started from the dashboard, their state in the ``jobs`` table.

    job_id = start(engine, kind="import", created_by="Farida", message="urd.jsonl")
    run_in_thread(engine, job_id, lambda progress: {"added": 12})   # progress(done, total)
    load(engine, job_id).state        # running -> done (result saved) | failed (message, error)

The work runs in a worker thread of the process that took the request, but everything a page
shows — state, progress, result, error — is a row, so any server process can report it.
A job whose process died stops being updated; after :data:`STALLED_AFTER` without progress
it is shown as stalled rather than running forever.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url

from app import clock
from app.errors import QalamError
from app.ids import new_id
from sync.server import tables
from sync.server.db import read, run_write

log = logging.getLogger("qalam.server.jobs")
JOBS = tables.jobs
KINDS = ("import", "export")
PROGRESS_EVERY = 1.0           # seconds between progress writes
STALLED_AFTER = timedelta(minutes=10)
ENV_FILES_DIR = "QALAM_SERVER_FILES"
Progress = Callable[..., None]  # progress(done, total, stage=None)


@dataclass(frozen=True)
class Job:
    id: str
    kind: str
    state: str                 # running | done | failed
    done: int
    total: int | None
    message: str
    result: dict
    created_by: str
    created_at: str
    updated_at: str

    @property
    def stalled(self) -> bool:
        return self.state == "running" and (
            datetime.now(UTC) - clock.parse(self.updated_at) > STALLED_AFTER)

    @property
    def fraction(self) -> float | None:
        if not self.total:
            return None
        return min(1.0, self.done / self.total)


def files_dir(engine: Engine) -> Path:
    """Where uploads and finished exports are kept: ``$QALAM_SERVER_FILES``, else a
    ``qalam-server-files`` folder beside the SQLite database (or in the working folder).

    Several server processes must share this folder (as they share the database) for a
    download to work from any of them.
    """
    configured = os.environ.get(ENV_FILES_DIR)
    if configured:
        return Path(configured)
    url = make_url(str(engine.url))
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        return Path(url.database).expanduser().resolve().parent / "qalam-server-files"
    return Path.cwd() / "qalam-server-files"


def start(engine: Engine, *, kind: str, created_by: str, message: str = "") -> str:
    if kind not in KINDS:
        raise ValueError(f"unknown job kind {kind!r}")
    job_id = new_id()
    now = clock.utc_now()
    run_write(engine, lambda conn: conn.execute(JOBS.insert().values(
        id=job_id, kind=kind, state="running", done=0, total=None, message=message,
        result=None, created_by=created_by, created_at=now, updated_at=now)))
    return job_id


def update(engine: Engine, job_id: str, **values) -> None:
    if "result" in values and values["result"] is not None:
        values["result"] = json.dumps(values["result"], ensure_ascii=False)
    values["updated_at"] = clock.utc_now()
    run_write(engine, lambda conn: conn.execute(JOBS.update().where(JOBS.c.id == job_id)
                                                .values(**values)))


def load(engine: Engine, job_id: str) -> Job | None:
    row = read(engine, lambda conn: conn.execute(
        sa.select(JOBS).where(JOBS.c.id == job_id)).first())
    return _job(row) if row is not None else None


def recent(engine: Engine, kind: str, *, limit: int = 20) -> list[Job]:
    rows = read(engine, lambda conn: conn.execute(
        sa.select(JOBS).where(JOBS.c.kind == kind).order_by(JOBS.c.created_at.desc())
        .limit(limit)).all())
    return [_job(row) for row in rows]


def _job(row) -> Job:
    return Job(row.id, row.kind, row.state, row.done, row.total, row.message,
               json.loads(row.result) if row.result else {}, row.created_by, row.created_at,
               row.updated_at)


def run(engine: Engine, job_id: str, work: Callable[[Progress], dict]) -> None:
    """Run ``work(progress)`` now and record how it ended (a QalamError's message, with the
    ``file``/``line``/``field`` a task file error carries, is kept for the results page).

    ``progress(done, total, stage=None)`` writes to the jobs table (at most once a second,
    and whenever the stage changes); ``work`` must not call it while it holds the database's
    write lock on SQLite.
    """
    last = 0.0
    stages = [None]

    def progress(done: int, total: int | None, stage: str | None = None) -> None:
        nonlocal last
        now = time.monotonic()
        new_stage = stage != stages[-1]
        if new_stage or now - last >= PROGRESS_EVERY or (total is not None and done >= total):
            last = now
            stages.append(stage)
            values = {"done": int(done), "total": None if total is None else int(total)}
            if stage is not None:
                values["result"] = {"stage": stage}
            update(engine, job_id, **values)

    try:
        result = work(progress)
    except QalamError as exc:
        update(engine, job_id, state="failed", message=str(exc), result={"error": _where(exc)})
    except Exception as exc:  # a crash must still end the job, or it would "run" forever
        log.exception("job %s failed", job_id)
        update(engine, job_id, state="failed",
               message=f"The job failed unexpectedly ({type(exc).__name__}); the error was "
                       "logged on the server.", result={"error": {}})
    else:
        update(engine, job_id, state="done", result=result)


def run_in_thread(engine: Engine, job_id: str, work: Callable[[Progress], dict]) -> None:
    threading.Thread(target=run, args=(engine, job_id, work), name=f"job-{job_id}",
                     daemon=True).start()


def _where(exc: QalamError) -> dict:
    """Where a task file error happened, for the results page (what the exception has)."""
    found = {}
    for key in ("line", "row", "unit", "field", "problem"):
        value = getattr(exc, key, None)
        if value is not None:
            found[key] = value
    path = getattr(exc, "path", None)
    if path is not None:
        found["file"] = Path(path).name
    return found
