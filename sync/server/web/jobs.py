"""Long imports and exports started from the dashboard, as rows of the ``jobs`` table that any
server process may take and run.

    @handler("import")
    def run_import(engine, job, progress) -> dict: ...      # progress(done, total, stage=None)
    job_id = start(engine, kind="import", created_by="Farida", message="urd.jsonl",
                   params={"file": stored.id, "project": "aya-urd"})
    runner.kick()                     # this process's Runner takes it now, if it has threads
    load(engine, job_id).state        # queued -> running -> done (result) | failed (message)

A job is what it was asked to do (``params``), with its files in the database
(:mod:`.files`), so it does not matter which process took the request. A process takes a
queued job with one conditional UPDATE (``state = 'queued'`` -> ``'running'``, its name in
``claimed_by``): of processes racing for it, exactly one changes the row, on either backend
(PostgreSQL re-checks the condition once the first writer commits; SQLite has one writer).
The process that took the request starts on it at once (:meth:`Runner.kick`); every process
also looks for queued jobs every :data:`POLL_EVERY` seconds, so a job queued by a process
that stopped, or by one with no job threads (``serve --job-threads 0``), is still run.

Everything a page shows — state, progress, result, error — is a row, so any server process
can report it.

A taken job is a lease: the process running it touches its row every :data:`POLL_EVERY`
seconds. A job whose row went :data:`LEASE` without a touch lost its process (killed, out of
memory, its machine gone); any process's poller queues it again (imports and exports are
whole-or-nothing and idempotent, so running one twice is safe), at most
:data:`MAX_ATTEMPTS` times in all, after which it fails with a sentence saying so. Where no
process runs jobs, a waiting job is shown as stalled after :data:`STALLED_AFTER`.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from app import clock
from app.errors import QalamError
from app.ids import new_id
from sync.server import tables
from sync.server.db import read, run_write
from sync.server.web import files

log = logging.getLogger("qalam.server.jobs")
JOBS = tables.jobs
KINDS = ("import", "export")
PROGRESS_EVERY = 1.0           # seconds between progress writes
STALLED_AFTER = timedelta(minutes=10)
POLL_EVERY = 5.0               # seconds between looks for jobs other processes queued
LEASE = timedelta(minutes=1)   # a running job untouched this long lost its process
MAX_ATTEMPTS = 3               # times a job may be taken before a lost one fails
DEFAULT_THREADS = 2            # jobs one process runs at once
STATES = ("queued", "running", "done", "failed")
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
    params: dict
    claimed_by: str | None
    attempts: int = 0

    @property
    def stalled(self) -> bool:
        return self.waiting and (
            datetime.now(UTC) - clock.parse(self.updated_at) > STALLED_AFTER)

    @property
    def waiting(self) -> bool:
        """Not finished yet: queued or running."""
        return self.state in ("queued", "running")

    @property
    def fraction(self) -> float | None:
        if not self.total:
            return None
        return min(1.0, self.done / self.total)


HANDLERS: dict[str, Callable[[Engine, Job, Progress], dict]] = {}


def handler(kind: str):
    """Declare the function that runs jobs of ``kind``: ``work(engine, job, progress)``
    returns the result to keep; a QalamError it raises fails the job with its message."""
    if kind not in KINDS:
        raise ValueError(f"unknown job kind {kind!r}")

    def declare(work):
        HANDLERS[kind] = work
        return work

    return declare


def start(engine: Engine, *, kind: str, created_by: str, message: str = "",
          params: dict | None = None) -> str:
    """Queue a job (any process with job threads may take it); its id."""
    if kind not in KINDS:
        raise ValueError(f"unknown job kind {kind!r}")
    job_id = new_id()
    now = clock.utc_now()
    run_write(engine, lambda conn: conn.execute(JOBS.insert().values(
        id=job_id, kind=kind, state="queued", done=0, total=None, message=message,
        result=None, created_by=created_by, created_at=now, updated_at=now,
        params=json.dumps(params or {}, ensure_ascii=False), claimed_by=None)))
    return job_id


def claim(engine: Engine, *, by: str) -> Job | None:
    """Take the oldest queued job for this process (``by`` names it), or None when there is
    none; a job is taken by exactly one caller however many race for it."""
    candidates = read(engine, lambda conn: conn.execute(
        sa.select(JOBS.c.id).where(JOBS.c.state == "queued")
        .order_by(JOBS.c.created_at, JOBS.c.id).limit(10)).scalars().all())
    for job_id in candidates:
        taken = run_write(engine, lambda conn, job_id=job_id: conn.execute(
            JOBS.update().where(JOBS.c.id == job_id, JOBS.c.state == "queued")
            .values(state="running", claimed_by=by, updated_at=clock.utc_now(),
                    attempts=JOBS.c.attempts + 1)).rowcount)
        if taken == 1:
            return load(engine, job_id)
    return None


def update(engine: Engine, job_id: str, **values) -> None:
    if "result" in values and values["result"] is not None:
        values["result"] = json.dumps(values["result"], ensure_ascii=False)
    values["updated_at"] = clock.utc_now()
    run_write(engine, lambda conn: conn.execute(JOBS.update().where(JOBS.c.id == job_id)
                                                .values(**values)))


def touch(engine: Engine, job_ids: list[str], *, by: str) -> None:
    """Renew the lease of the jobs ``by`` is running (see the module's docstring)."""
    if job_ids:
        run_write(engine, lambda conn: conn.execute(
            JOBS.update().where(JOBS.c.id.in_(job_ids), JOBS.c.state == "running",
                                JOBS.c.claimed_by == by)
            .values(updated_at=clock.utc_now())))


def requeue_lost(engine: Engine, *, now: datetime | None = None,
                 running_here: frozenset[str] = frozenset()) -> list[str]:
    """Queue again the running jobs whose lease ran out (their process died), or fail those
    already taken :data:`MAX_ATTEMPTS` times; the ids queued again. Each change is
    conditional on the row being as it was read, so a late touch, or another process doing
    the same, wins cleanly."""
    cutoff = clock.stamp((now or datetime.now(UTC)) - LEASE)
    lost = read(engine, lambda conn: conn.execute(
        sa.select(JOBS.c.id, JOBS.c.updated_at, JOBS.c.attempts, JOBS.c.claimed_by)
        .where(JOBS.c.state == "running", JOBS.c.updated_at < cutoff)).all())
    queued = []
    for job in lost:
        if job.id in running_here:  # alive: its touch was held up (SQLite's write lock)
            continue
        unchanged = (JOBS.c.id == job.id, JOBS.c.state == "running",
                     JOBS.c.updated_at == job.updated_at)
        if job.attempts >= MAX_ATTEMPTS:
            values = {"state": "failed", "result": json.dumps({"error": {}}), "message": (
                f"The server process running this job stopped {job.attempts} times before "
                "it finished, so it was not tried again. Look at the server's log for why "
                "(out of memory, killed); a file that causes it needs fixing first.")}
        else:
            values = {"state": "queued", "claimed_by": None, "done": 0, "total": None,
                      "result": None}
        changed = run_write(engine, lambda conn, unchanged=unchanged, values=values:
                            conn.execute(JOBS.update().where(*unchanged).values(
                                updated_at=clock.utc_now(), **values)).rowcount)
        if changed == 1:
            log.warning("job %s lost its process %s after %s attempt(s): %s", job.id,
                        job.claimed_by, job.attempts, values["state"])
            if values["state"] == "queued":
                queued.append(job.id)
    return queued


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
               row.updated_at, json.loads(row.params) if row.params else {}, row.claimed_by,
               row.attempts)


def run(engine: Engine, job: Job) -> None:
    """Run a job this process claimed with its kind's handler and record how it ended (a
    QalamError's message, with the ``file``/``line``/``field`` a task file error carries, is
    kept for the results page).

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

    job_id = job.id
    try:
        work = HANDLERS.get(job.kind)
        if work is None:
            raise QalamError(f"This server cannot run jobs of kind {job.kind!r}.")
        result = work(engine, job, progress)
    except QalamError as exc:
        update(engine, job_id, state="failed", message=str(exc), result={"error": _where(exc)})
    except Exception as exc:  # a crash must still end the job, or it would "run" forever
        log.exception("job %s failed", job_id)
        update(engine, job_id, state="failed",
               message=f"The job failed unexpectedly ({type(exc).__name__}); the error was "
                       "logged on the server.", result={"error": {}})
    else:
        update(engine, job_id, state="done", result=result)


def process_name() -> str:
    """How ``claimed_by`` names this process: host and process id."""
    return f"{socket.gethostname()}:{os.getpid()}"[:200]


class Runner:
    """The threads of one server process that run jobs: at most ``threads`` at once, each
    taking queued jobs until none is left (0 threads: this process never runs a job)."""

    def __init__(self, engine: Engine, threads: int = DEFAULT_THREADS):
        self.engine = engine
        self.threads = threads
        self.name = process_name()
        self._lock = threading.Lock()
        self._busy = 0
        self._again = False
        self._stop = threading.Event()
        self._poller: threading.Thread | None = None
        self._running: set[str] = set()  # ids of the jobs this process's threads run

    def kick(self) -> None:
        """Start taking queued jobs now, in a new thread if fewer than ``threads`` run."""
        with self._lock:
            if self._busy >= self.threads:
                self._again = True  # a busy thread looks again before it stops
                return
            self._busy += 1
        threading.Thread(target=self._work, name="jobs", daemon=True).start()

    def _work(self) -> None:
        try:
            while not self._stop.is_set():
                job = claim(self.engine, by=self.name)
                if job is not None:
                    with self._lock:
                        self._running.add(job.id)
                    try:
                        run(self.engine, job)
                    finally:
                        with self._lock:
                            self._running.discard(job.id)
                    continue
                with self._lock:
                    if not self._again:
                        self._busy -= 1
                        return
                    self._again = False
        except Exception:  # the database went away: the poller tries again later
            log.exception("taking a job failed")
        with self._lock:
            self._busy -= 1

    def start_polling(self, every: float = POLL_EVERY) -> None:
        """Look for queued jobs every ``every`` seconds (jobs other processes queued and
        could not run, or lost), until :meth:`stop`; meanwhile renew the leases of the jobs
        running here, queue again those whose process died (:func:`requeue_lost`), drop
        abandoned uploads and keep post-edit memories in step with the acceptance rules
        (:func:`memory.keep_current`)."""
        if self.threads <= 0 or self._poller is not None:
            return
        self._stop.clear()

        def poll() -> None:
            from sync.server.work import memory

            while not self._stop.wait(every):
                try:
                    self.keep_leases()
                except Exception:
                    log.exception("renewing job leases failed")
                try:
                    files.prune_abandoned(self.engine)
                except Exception:
                    log.exception("pruning abandoned files failed")
                try:
                    memory.keep_current(self.engine)
                except Exception:
                    log.exception("bringing translation memories up to date failed")
                self.kick()

        self.kick()
        self._poller = threading.Thread(target=poll, name="jobs-poll", daemon=True)
        self._poller.start()

    def keep_leases(self) -> None:
        """Touch the jobs running here, then queue again the jobs other processes lost."""
        with self._lock:
            running = frozenset(self._running)
        touch(self.engine, sorted(running), by=self.name)
        requeue_lost(self.engine, running_here=running)

    def stop(self) -> None:
        self._stop.set()
        if self._poller is not None:
            self._poller.join(timeout=5)
            self._poller = None


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
