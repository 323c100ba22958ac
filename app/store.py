"""The local store: every record an annotator makes, in one SQLite file.

    store = Store.open(data_dir / "qalam.db")
    draft = store.new_submission(language="urd_Arab")
    store.save_draft(draft.id, inputs="…", targets="…")   # durable when it returns
    store.submit(draft.id)

Guarantees (DESIGN.md, invariants 1 and 2):

* WAL with ``synchronous=FULL``: a write that returned survives ``kill -9`` and a power cut.
* Every change writes, in the same transaction, an ``outbox`` row numbered by a per-device
  sequence that only grows. Unsent rows for the same record are replaced (sync sends the
  newest state, under a newer number); rows of a push in flight are never touched.
* Text passes through :mod:`app.text` on every write, in one place.

A :class:`Store` belongs to one thread. The app keeps one writer store on a worker thread and
opens read-only stores (``readonly=True``) where it only reads.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import asdict, dataclass, fields
from datetime import timedelta
from pathlib import Path

from sqlite_utils import Database

from app import clock, schema
from app.errors import InvalidState, NotFound, StoreError
from app.ids import new_id
from app.text import clean_fields

# Typing within this window extends the latest revision instead of adding one, so history
# holds editing sessions rather than keystrokes.
REVISION_COALESCE = timedelta(seconds=90)


def _from_row(cls, row: sqlite3.Row | dict):
    names = {f.name for f in fields(cls)}
    return cls(**{k: row[k] for k in row.keys() if k in names})  # noqa: SIM118 (sqlite3.Row)


@dataclass(frozen=True)
class Project:
    id: str
    name: str
    description: str
    settings: str
    guidelines: str
    created_at: str
    updated_at: str

    def guideline(self, kind: str) -> str:
        return json.loads(self.guidelines).get(kind, "")

    def dialects(self, language: str) -> list[str]:
        return json.loads(self.settings).get("dialects", {}).get(language, [])


@dataclass(frozen=True)
class Task:
    id: str
    project_id: str | None
    kind: str
    language: str
    dialect: str | None
    origin: str
    instructions: str
    inputs: str
    targets: str
    source_text: str | None
    mt_text: str | None
    created_at: str
    updated_at: str


@dataclass(frozen=True)
class Submission:
    id: str
    task_id: str | None
    project_id: str | None
    kind: str
    language: str
    dialect: str | None
    inputs: str
    targets: str
    state: str
    warnings: str
    revision: int
    base_revision: int | None
    created_at: str
    updated_at: str
    submitted_at: str | None

    @property
    def warning_list(self) -> list[dict]:
        return json.loads(self.warnings)

    def as_payload(self) -> dict:
        """The record as sync sends it (warnings as a list, not as stored JSON text)."""
        return {**asdict(self), "warnings": self.warning_list}


@dataclass(frozen=True)
class Revision:
    id: str
    submission_id: str
    number: int
    inputs: str
    targets: str
    reason: str
    created_at: str
    updated_at: str


@dataclass(frozen=True)
class OutboxEntry:
    seq: int
    entity: str
    record_id: str
    op: str
    payload: str
    batch_id: str | None
    created_at: str


@dataclass(frozen=True)
class Saved:
    """What ``save_draft`` did: the stored submission, and whether anything changed."""

    submission: Submission
    changed: bool


def _connect(path: Path, readonly: bool) -> sqlite3.Connection:
    if readonly:
        conn = sqlite3.connect(
            f"{path.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None,
            check_same_thread=False,
        )
    else:
        conn = sqlite3.connect(path, isolation_level=None)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA busy_timeout = 5000")
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


class Store:
    def __init__(self, db: Database, path: Path, *, readonly: bool = False):
        self.db = db
        self.path = path
        self.readonly = readonly

    # --- opening -----------------------------------------------------------------------

    @classmethod
    def open(cls, path: Path | str, *, readonly: bool = False) -> Store:
        """Open (creating and migrating when needed) the database at ``path``.

        Raises :class:`~app.errors.SchemaTooNew` for a database of a newer Qalam and
        :class:`~app.errors.StoreError` for a file that is not a usable database; neither
        case writes anything to the file.
        """
        path = Path(path)
        try:
            conn = _connect(path, readonly)
        except sqlite3.Error as exc:
            raise StoreError(f"Cannot open {path}: {exc}.") from exc
        db = Database(conn)
        if readonly:
            return cls(db, path, readonly=True)
        try:
            schema.migrate(db, path=str(path))  # checks the version before any write
            with db.ensure_autocommit_on():
                db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA synchronous = FULL")
            with db.atomic():
                db.execute(
                    "INSERT OR IGNORE INTO meta (key, value) VALUES ('device_id', ?)",
                    [new_id()],
                )
                db.execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('last_seq', '0')")
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise StoreError(f"{path} is not a Qalam database, or it is damaged ({exc}).") from exc
        except Exception:
            conn.close()
            raise
        return cls(db, path)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def device_id(self) -> str:
        return self._meta("device_id")

    def _meta(self, key: str) -> str:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
        if row is None:
            raise StoreError(f"{self.path} has no {key!r}; open it once for writing first.")
        return row[0]

    def integrity_check(self) -> str:
        return self.db.execute("PRAGMA integrity_check").fetchone()[0]

    # --- outbox ------------------------------------------------------------------------

    def _enqueue(self, entity: str, record_id: str, payload: dict, op: str = "upsert") -> int:
        (seq,) = self.db.execute(
            "UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'last_seq' "
            "RETURNING CAST(value AS INTEGER)"
        ).fetchone()
        self.db.execute(
            "DELETE FROM outbox WHERE entity = ? AND record_id = ? AND batch_id IS NULL",
            [entity, record_id],
        )
        self.db.execute(
            "INSERT INTO outbox (seq, entity, record_id, op, payload, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [seq, entity, record_id, op, json.dumps(payload, ensure_ascii=False), clock.utc_now()],
        )
        return seq

    def outbox(self, *, limit: int | None = None) -> list[OutboxEntry]:
        sql = "SELECT * FROM outbox ORDER BY seq"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return [_from_row(OutboxEntry, row) for row in self.db.execute(sql)]

    def last_seq(self) -> int:
        return int(self._meta("last_seq"))

    # --- projects and tasks ------------------------------------------------------------

    def upsert_project(
        self, *, id: str, name: str, description: str = "", settings: dict | None = None,
        guidelines: dict | None = None,
    ) -> Project:
        now = clock.utc_now()
        with self.db.atomic():
            self.db.execute(
                """INSERT INTO projects (id, name, description, settings, guidelines,
                                         created_at, updated_at)
                   VALUES (?, ?, ?, ?, ?, ?, ?)
                   ON CONFLICT (id) DO UPDATE SET name = excluded.name,
                       description = excluded.description, settings = excluded.settings,
                       guidelines = excluded.guidelines, updated_at = excluded.updated_at""",
                [id, name, description, json.dumps(settings or {}, ensure_ascii=False),
                 json.dumps(guidelines or {}, ensure_ascii=False), now, now],
            )
        return self.project(id)

    def project(self, project_id: str) -> Project:
        row = self.db.execute("SELECT * FROM projects WHERE id = ?", [project_id]).fetchone()
        if row is None:
            raise NotFound(f"No project with id {project_id!r}.")
        return _from_row(Project, row)

    def projects(self) -> list[Project]:
        rows = self.db.execute("SELECT * FROM projects ORDER BY name")
        return [_from_row(Project, r) for r in rows]

    def add_tasks(self, tasks: Iterable[dict]) -> int:
        """Insert tasks in one transaction; ids already present are left as they are.

        Returns how many were new, so importing the same file twice adds nothing.
        """
        now = clock.utc_now()
        columns = [f.name for f in fields(Task) if f.name not in ("created_at", "updated_at")]
        sql = (
            f"INSERT INTO tasks ({', '.join(columns)}, created_at, updated_at) "
            f"VALUES ({', '.join('?' * len(columns))}, ?, ?) ON CONFLICT (id) DO NOTHING"
        )
        added = 0
        with self.db.atomic():
            for task in tasks:
                cleaned, _ = clean_fields(
                    instructions=task.get("instructions", ""), inputs=task.get("inputs", ""),
                    targets=task.get("targets", ""), source_text=task.get("source_text"),
                    mt_text=task.get("mt_text"),
                )
                values = {"origin": "human", **task, **cleaned}
                cursor = self.db.execute(
                    sql, [values.get(c) for c in columns] + [now, now]
                )
                added += cursor.rowcount
        return added

    def task(self, task_id: str) -> Task:
        row = self.db.execute("SELECT * FROM tasks WHERE id = ?", [task_id]).fetchone()
        if row is None:
            raise NotFound(f"No task with id {task_id!r}.")
        return _from_row(Task, row)

    def tasks(self, *, language: str | None = None, kind: str | None = None) -> list[Task]:
        where, args = _where(language=language, kind=kind)
        return [
            _from_row(Task, r)
            for r in self.db.execute(f"SELECT * FROM tasks {where} ORDER BY id", args)
        ]

    def languages_with_tasks(self) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT DISTINCT language FROM tasks ORDER BY 1")]

    # --- submissions -------------------------------------------------------------------

    def new_submission(
        self, *, language: str, kind: str = "original", task_id: str | None = None,
        project_id: str | None = None, dialect: str | None = None, inputs: str = "",
        targets: str = "",
    ) -> Submission:
        if kind not in schema.TASK_KINDS:
            raise ValueError(f"Unknown kind {kind!r}; expected one of {schema.TASK_KINDS}.")
        cleaned, warnings = clean_fields(inputs=inputs, targets=targets, dialect=dialect)
        submission_id = new_id()
        now = clock.utc_now()
        with self.db.atomic():
            if task_id is not None and project_id is None:
                project_id = self.task(task_id).project_id
            self.db.execute(
                """INSERT INTO submissions (id, task_id, project_id, kind, language, dialect,
                       inputs, targets, warnings, revision, created_at, updated_at)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)""",
                [submission_id, task_id, project_id, kind, language, cleaned["dialect"],
                 cleaned["inputs"], cleaned["targets"], _warnings_json(warnings), now, now],
            )
            if cleaned["inputs"] or cleaned["targets"]:
                self._add_revision(submission_id, cleaned["inputs"], cleaned["targets"], "edit")
            submission = self.submission(submission_id)
            self._enqueue("submission", submission_id, submission.as_payload())
        return submission

    def submission(self, submission_id: str) -> Submission:
        row = self.db.execute(
            "SELECT * FROM submissions WHERE id = ?", [submission_id]
        ).fetchone()
        if row is None:
            raise NotFound(f"No submission with id {submission_id!r}.")
        return _from_row(Submission, row)

    def submission_for_task(self, task_id: str) -> Submission | None:
        row = self.db.execute(
            "SELECT * FROM submissions WHERE task_id = ? ORDER BY row DESC LIMIT 1", [task_id]
        ).fetchone()
        return _from_row(Submission, row) if row else None

    def submissions(
        self, *, state: str | None = None, language: str | None = None, kind: str | None = None,
        limit: int = 200, offset: int = 0,
    ) -> list[Submission]:
        """Newest first."""
        where, args = _where(state=state, language=language, kind=kind)
        sql = (
            f"SELECT * FROM submissions {where} "
            "ORDER BY updated_at DESC, row DESC LIMIT ? OFFSET ?"
        )
        return [_from_row(Submission, r) for r in self.db.execute(sql, [*args, limit, offset])]

    def count_submissions(self, *, state: str | None = None, language: str | None = None) -> int:
        where, args = _where(state=state, language=language)
        return self.db.execute(f"SELECT count(*) FROM submissions {where}", args).fetchone()[0]

    def save_draft(
        self, submission_id: str, *, inputs: str, targets: str, language: str | None = None,
        dialect: str | None = None,
    ) -> Saved:
        """Store the draft's text; durable when this returns.

        Raises TextRejected (nothing is written; the earlier draft stays as it was),
        NotFound, or InvalidState for an item that is no longer a draft.
        """
        cleaned, warnings = clean_fields(inputs=inputs, targets=targets, dialect=dialect)
        with self.db.atomic():
            current = self.submission(submission_id)
            if current.state != "draft":
                raise InvalidState(
                    f"This item was {current.state}; reopen it before editing it again."
                )
            language = language or current.language
            dialect = cleaned["dialect"] if dialect is not None else current.dialect
            if (current.inputs, current.targets, current.language, current.dialect) == (
                cleaned["inputs"], cleaned["targets"], language, dialect
            ):
                return Saved(current, changed=False)
            now = clock.utc_now()
            self.db.execute(
                """UPDATE submissions SET inputs = ?, targets = ?, language = ?, dialect = ?,
                       warnings = ?, revision = revision + 1, updated_at = ?
                   WHERE id = ?""",
                [cleaned["inputs"], cleaned["targets"], language, dialect,
                 _warnings_json(warnings), now, submission_id],
            )
            if (current.inputs, current.targets) != (cleaned["inputs"], cleaned["targets"]):
                self._record_edit(submission_id, cleaned["inputs"], cleaned["targets"])
            saved = self.submission(submission_id)
            self._enqueue("submission", submission_id, saved.as_payload())
        return Saved(saved, changed=True)

    def submit(self, submission_id: str) -> Submission:
        """Mark a draft as submitted (it will be reviewed after sync)."""
        with self.db.atomic():
            current = self.submission(submission_id)
            if current.state != "draft":
                raise InvalidState(f"This item was already {current.state}.")
            if not current.inputs.strip() or not current.targets.strip():
                raise InvalidState("Write both a prompt and a completion before submitting.")
            now = clock.utc_now()
            self.db.execute(
                "UPDATE submissions SET state = 'submitted', submitted_at = ?, updated_at = ?, "
                "revision = revision + 1 WHERE id = ?",
                [now, now, submission_id],
            )
            self._add_revision(submission_id, current.inputs, current.targets, "submit")
            submitted = self.submission(submission_id)
            self._enqueue("submission", submission_id, submitted.as_payload())
        return submitted

    def reopen(self, submission_id: str) -> Submission:
        """Turn a submitted (not yet reviewed) item back into a draft."""
        with self.db.atomic():
            current = self.submission(submission_id)
            if current.state == "draft":
                return current
            if current.state != "submitted":
                raise InvalidState(f"This item was {current.state} by a reviewer; it is final.")
            self.db.execute(
                "UPDATE submissions SET state = 'draft', submitted_at = NULL, updated_at = ?, "
                "revision = revision + 1 WHERE id = ?",
                [clock.utc_now(), submission_id],
            )
            reopened = self.submission(submission_id)
            self._enqueue("submission", submission_id, reopened.as_payload())
        return reopened

    def discard_draft(self, submission_id: str) -> None:
        """Delete a draft and its history; sync learns of it through a delete entry."""
        with self.db.atomic():
            current = self.submission(submission_id)
            if current.state != "draft":
                raise InvalidState("Only drafts can be discarded.")
            self.db.execute("DELETE FROM revisions WHERE submission_id = ?", [submission_id])
            self.db.execute("DELETE FROM submissions WHERE id = ?", [submission_id])
            self._enqueue("submission", submission_id, {"id": submission_id}, op="delete")

    # --- revisions ---------------------------------------------------------------------

    def revisions(self, submission_id: str) -> list[Revision]:
        return [
            _from_row(Revision, r)
            for r in self.db.execute(
                "SELECT * FROM revisions WHERE submission_id = ? ORDER BY number",
                [submission_id],
            )
        ]

    def restore_revision(self, submission_id: str, number: int) -> Submission:
        """Make revision ``number``'s text current again, as a new revision.

        History is never rewritten: the restored text becomes the newest revision. A submitted
        item is reopened as a draft first.
        """
        with self.db.atomic():
            row = self.db.execute(
                "SELECT * FROM revisions WHERE submission_id = ? AND number = ?",
                [submission_id, number],
            ).fetchone()
            if row is None:
                raise NotFound(f"Submission {submission_id!r} has no revision {number}.")
            current = self.reopen(submission_id)
            self.db.execute(
                "UPDATE submissions SET inputs = ?, targets = ?, revision = revision + 1, "
                "updated_at = ? WHERE id = ?",
                [row["inputs"], row["targets"], clock.utc_now(), current.id],
            )
            self._add_revision(submission_id, row["inputs"], row["targets"], "restore")
            restored = self.submission(submission_id)
            self._enqueue("submission", submission_id, restored.as_payload())
        return restored

    def _record_edit(self, submission_id: str, inputs: str, targets: str) -> None:
        latest = self.db.execute(
            "SELECT id, reason, created_at FROM revisions WHERE submission_id = ? "
            "ORDER BY number DESC LIMIT 1",
            [submission_id],
        ).fetchone()
        now = clock.utc_now()
        if (
            latest is not None
            and latest["reason"] == "edit"
            and clock.parse(now) - clock.parse(latest["created_at"]) < REVISION_COALESCE
        ):
            self.db.execute(
                "UPDATE revisions SET inputs = ?, targets = ?, updated_at = ? WHERE id = ?",
                [inputs, targets, now, latest["id"]],
            )
        else:
            self._add_revision(submission_id, inputs, targets, "edit")

    def _add_revision(self, submission_id: str, inputs: str, targets: str, reason: str) -> None:
        now = clock.utc_now()
        self.db.execute(
            """INSERT INTO revisions (id, submission_id, number, inputs, targets, reason,
                                      created_at, updated_at)
               VALUES (?, ?, (SELECT coalesce(max(number), 0) + 1 FROM revisions
                              WHERE submission_id = ?), ?, ?, ?, ?, ?)""",
            [new_id(), submission_id, submission_id, inputs, targets, reason, now, now],
        )

    # --- search ------------------------------------------------------------------------

    def search(self, query: str, *, limit: int = 50) -> list[Submission]:
        """Submissions whose prompt or completion contains every word of ``query``.

        Case-insensitive substring match in any script, newest first. Words of three or
        more characters use the trigram index; shorter ones filter those candidates (or,
        when no word is long enough, a scan).
        """
        words = [w for w in query.split() if w]
        if not words:
            return []
        long_words = [w for w in words if len(w) >= 3]
        short_words = [w for w in words if len(w) < 3]
        args: list = []
        if long_words:
            match = " AND ".join('"' + w.replace('"', '""') + '"' for w in long_words)
            sql = (
                "SELECT s.* FROM submissions_fts f JOIN submissions s ON s.row = f.rowid "
                "WHERE submissions_fts MATCH ?"
            )
            order = "f.rowid"  # FTS5 walks its own rowids backwards without sorting
            args.append(match)
        else:
            sql = "SELECT s.* FROM submissions s WHERE 1"
            order = "s.row"
        for word in short_words:
            sql += " AND (instr(lower(s.inputs), ?) OR instr(lower(s.targets), ?))"
            args += [word.lower(), word.lower()]
        sql += f" ORDER BY {order} DESC LIMIT ?"
        args.append(limit)
        return [_from_row(Submission, r) for r in self.db.execute(sql, args)]


def _where(**conditions: str | None) -> tuple[str, list]:
    present = {k: v for k, v in conditions.items() if v is not None}
    if not present:
        return "", []
    return "WHERE " + " AND ".join(f"{k} = ?" for k in present), list(present.values())


def _warnings_json(warnings) -> str:
    return json.dumps([w.as_dict() for w in warnings], ensure_ascii=False)

