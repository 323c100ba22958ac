"""Files the dashboard's jobs keep (uploaded task files, export archives), in the database.

    stored = store(engine, upload.file.read, name="urd.jsonl", purpose="upload")
    with Writer(engine, name="qalam-all-jsonl.zip", purpose="export") as out:
        zipfile.ZipFile(out, "w")...              # a stream: any writer of bytes
    for chunk in chunks(engine, stored.id): ...   # a download, one query per chunk
    spool(engine, stored.id, path)                # a private local copy for a reader that seeks

A file is a ``stored_files`` row and its bytes in ``file_chunks`` rows of at most
:data:`CHUNK` bytes; no more than one chunk is in memory at a time, in or out. Each chunk is
written in a transaction of its own, so a long upload never holds the database's write lock
(SQLite) for more than one chunk, and the file is marked ``complete`` only after its last
chunk: a reader never sees half a file. Server processes on different machines thus share
files as they share everything else, through the database (DESIGN.md, "past one machine").
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from app import clock
from app.ids import new_id
from app.private import open_private
from sync.server import tables
from sync.server.db import read, run_write

FILES = tables.stored_files
CHUNKS = tables.file_chunks
CHUNK = 1 << 20
PURPOSES = ("upload", "export")
ABANDONED_AFTER = timedelta(days=1)  # an incomplete file this old lost its writer


class TooLarge(Exception):
    """More bytes than the caller's limit: the partial file has been removed."""


@dataclass(frozen=True)
class StoredFile:
    id: str
    purpose: str
    name: str
    size: int
    complete: bool
    created_at: str


class Writer:
    """A write-only binary stream into a new stored file (``zipfile`` writes to it as to an
    unseekable file). ``close()`` after the last write marks it complete; leaving the ``with``
    block on an exception removes what was written."""

    def __init__(self, engine: Engine, *, name: str, purpose: str, limit: int | None = None):
        if purpose not in PURPOSES:
            raise ValueError(f"unknown purpose {purpose!r}")
        self.engine = engine
        self.id = new_id()
        self.name = name
        self.limit = limit
        self.size = 0
        self._n = 0
        self._buffer = bytearray()
        self.closed = False
        run_write(engine, lambda conn: conn.execute(FILES.insert().values(
            id=self.id, purpose=purpose, name=name, size=0, complete=False,
            created_at=clock.utc_now())))

    def write(self, data) -> int:
        size = len(data)
        if self.limit is not None and self.size + size > self.limit:
            raise TooLarge(self.limit)
        self.size += size
        self._buffer += data
        while len(self._buffer) >= CHUNK:
            self._put(bytes(self._buffer[:CHUNK]))
            del self._buffer[:CHUNK]
        return size

    def flush(self) -> None:
        return None  # chunks go out when full; the last one on close()

    def _put(self, data: bytes) -> None:
        n = self._n
        self._n += 1
        run_write(self.engine, lambda conn: conn.execute(
            CHUNKS.insert().values(file_id=self.id, n=n, data=data)))

    def close(self) -> StoredFile:
        if not self.closed:
            if self._buffer or self._n == 0:
                self._put(bytes(self._buffer))
                self._buffer.clear()
            run_write(self.engine, lambda conn: conn.execute(
                FILES.update().where(FILES.c.id == self.id)
                .values(size=self.size, complete=True)))
            self.closed = True
        return info(self.engine, self.id)

    def __enter__(self) -> Writer:
        return self

    def __exit__(self, kind, _exc, _tb) -> None:
        if kind is None:
            self.close()
        else:
            self.closed = True
            delete(self.engine, self.id)


def store(engine: Engine, read_some: Callable[[int], bytes], *, name: str, purpose: str,
          limit: int | None = None) -> StoredFile:
    """Everything ``read_some(n)`` gives until it gives nothing, as a new stored file
    (:class:`TooLarge` past ``limit`` bytes, nothing kept)."""
    with Writer(engine, name=name, purpose=purpose, limit=limit) as out:
        while data := read_some(CHUNK):
            out.write(data)
    return info(engine, out.id)


def info(engine: Engine, file_id: str) -> StoredFile | None:
    row = read(engine, lambda conn: conn.execute(
        sa.select(FILES).where(FILES.c.id == file_id)).first())
    if row is None:
        return None
    return StoredFile(row.id, row.purpose, row.name, row.size, bool(row.complete),
                      row.created_at)


def chunks(engine: Engine, file_id: str) -> Iterator[bytes]:
    """The file's bytes, one chunk (one short query) at a time."""
    n = 0
    while True:
        data = read(engine, lambda conn, n=n: conn.execute(
            sa.select(CHUNKS.c.data).where(CHUNKS.c.file_id == file_id, CHUNKS.c.n == n))
            .scalar())
        if data is None:
            return
        yield bytes(data)
        n += 1


def spool(engine: Engine, file_id: str, path: Path) -> Path:
    """A copy of the file at ``path`` (0600: it may hold contributors' text), for readers
    that need a real file (Parquet seeks)."""
    with open_private(path) as out:
        for data in chunks(engine, file_id):
            out.write(data)
        out.flush()
        os.fsync(out.fileno())
    return path


def delete(engine: Engine, file_id: str) -> None:
    def work(conn) -> None:
        conn.execute(CHUNKS.delete().where(CHUNKS.c.file_id == file_id))
        conn.execute(FILES.delete().where(FILES.c.id == file_id))

    run_write(engine, work)


def prune_abandoned(engine: Engine, *, now: datetime | None = None) -> int:
    """Remove files left incomplete by a process that died while writing them."""
    cutoff = clock.stamp((now or datetime.now(UTC)) - ABANDONED_AFTER)
    ids = read(engine, lambda conn: conn.execute(
        sa.select(FILES.c.id).where(FILES.c.complete.is_(False),
                                    FILES.c.created_at < cutoff)).scalars().all())
    for file_id in ids:
        delete(engine, file_id)
    return len(ids)


# --- the local folder earlier versions kept these files in -----------------------------------

ENV_LEGACY_FOLDER = "QALAM_SERVER_FILES"


def legacy_folder(url: str) -> Path:
    """Where servers before schema 0008 kept uploads and export archives:
    ``$QALAM_SERVER_FILES``, else ``qalam-server-files`` beside a SQLite database, else in
    the working folder."""
    from sqlalchemy.engine import make_url

    configured = os.environ.get(ENV_LEGACY_FOLDER)
    if configured:
        return Path(configured)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        return Path(parsed.database).expanduser().resolve().parent / "qalam-server-files"
    return Path.cwd() / "qalam-server-files"


@dataclass
class Moved:
    archives: list[str]          # export archives now in the database (removed from disk)
    left: list[Path]             # files that belong to no finished export: left in place


def move_legacy(engine: Engine, folder: Path) -> Moved:
    """Copy each finished export's archive from ``folder`` into the database (streamed),
    point its job at the stored copy, then delete the local file; idempotent. Uploads of
    imports that never finished cannot be run again (their jobs did not record what to do)
    and are left for the coordinator to import again."""
    jobs_table = tables.jobs
    moved, left = [], []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        relative = path.relative_to(folder).parts
        job = None
        if len(relative) == 3 and relative[0] == "exports":
            job = read(engine, lambda conn, job_id=relative[1]: conn.execute(
                sa.select(jobs_table).where(jobs_table.c.id == job_id,
                                            jobs_table.c.kind == "export",
                                            jobs_table.c.state == "done")).first())
        result = json.loads(job.result) if job is not None and job.result else {}
        if job is None or result.get("zip") != path.name:
            left.append(path)
            continue
        if "file" not in result:
            with path.open("rb") as source:
                stored = store(engine, source.read, name=path.name, purpose="export")
            result.update(file=stored.id, bytes=stored.size)
            text = json.dumps(result, ensure_ascii=False)
            run_write(engine, lambda conn, job_id=job.id, text=text: conn.execute(
                jobs_table.update().where(jobs_table.c.id == job_id).values(result=text)))
        path.unlink()
        moved.append(path.name)
    for empty in sorted((p for p in folder.rglob("*") if p.is_dir()), reverse=True):
        if not any(empty.iterdir()):
            empty.rmdir()
    if folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
    return Moved(moved, left)
