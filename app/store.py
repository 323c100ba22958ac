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

import contextlib
import json
import sqlite3
import sys
import threading
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, fields
from datetime import timedelta
from pathlib import Path

from app import clock, kinds, private
from app.errors import DiskFull, InvalidState, NotFound, StoreError, TextRejected
from app.guidelines import choose as choose_guideline
from app.guidelines import normalize as guidelines_shape
from app.ids import new_id
from app.text import clean_fields, require_visible

# How many steps app.schema has (tests/test_migrations.py holds them equal): a store at this
# user_version opens without importing them.
SCHEMA_STEPS = 10

# Typing within this window extends the latest revision instead of adding one, so history
# holds editing sessions rather than keystrokes.
REVISION_COALESCE = timedelta(seconds=90)


_field_names: dict[type, frozenset[str]] = {}


def _names(cls) -> frozenset[str]:
    names = _field_names.get(cls)
    if names is None:
        names = _field_names[cls] = frozenset(f.name for f in fields(cls))
    return names


def _from_row(cls, row: sqlite3.Row | dict):
    names = _names(cls)
    return cls(**{k: row[k] for k in row.keys() if k in names})  # noqa: SIM118 (sqlite3.Row)


def _all_from(cls, cursor: sqlite3.Cursor) -> list:
    """Every row of ``cursor`` as a ``cls``: the columns are matched to fields once per query,
    not once per row (a page of My work is read as the list scrolls, on the UI thread)."""
    names = _names(cls)
    kept = [(i, d[0]) for i, d in enumerate(cursor.description) if d[0] in names]
    return [cls(**{name: row[i] for i, name in kept}) for row in cursor]


@dataclass(frozen=True)
class Project:
    id: str
    name: str
    description: str
    settings: str
    guidelines: str
    created_at: str
    updated_at: str

    def guideline(self, kind: str, *, content: str | None = None,
                  ui: str | None = None) -> str:
        """``kind``'s guidelines in ``content``, else ``ui``, else English ("" when none):
        :func:`app.guidelines.choose`, which also says which language it found."""
        chosen = choose_guideline(self.guidelines, kind, content=content, ui=ui)
        return chosen.text if chosen else ""

    def dialects(self, language: str) -> list[str]:
        return json.loads(self.settings).get("dialects", {}).get(language, [])


@dataclass(frozen=True, slots=True)
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
    # review tasks: the peer's original (inputs/targets hold the peer's edit), its author and
    # the peer's submission id, so nobody is offered their own work
    original_inputs: str | None = None
    original_targets: str | None = None
    author: str | None = None
    review_of: str | None = None
    source_language: str | None = None     # post-edit: the source's registry code, if known


@dataclass(frozen=True, slots=True)
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
    # what a re-annotation or post-edit started from (the task's text, or the peer's edit)
    original_inputs: str | None = None
    original_targets: str | None = None
    rating_inputs: int | None = None       # thumbs: 1 up, -1 down, None not rated yet
    rating_targets: int | None = None
    prompt_distance: int | None = None     # Levenshtein, characters, to the original
    completion_distance: int | None = None
    hter: float | None = None              # post-edit: TER of the MT against the edit
    seconds_spent: float = 0.0
    edit_sessions: int = 0
    parent_id: str | None = None           # a further improvement: the edit it improves
    review_id: str | None = None           # ...and the review it came from
    qa_dismissed: str = "[]"               # JSON list of app.qa keys dismissed for this item

    @property
    def dismissed(self) -> list[str]:
        return json.loads(self.qa_dismissed or "[]")

    @property
    def is_rated(self) -> bool:
        return self.rating_inputs is not None and self.rating_targets is not None

    @property
    def warning_list(self) -> list[dict]:
        return json.loads(self.warnings)

    def as_payload(self) -> dict:
        """The record as sync sends it (warnings as a list, not as stored JSON text)."""
        return {**asdict(self), "warnings": self.warning_list, "qa_dismissed": self.dismissed}


# Submission's fields in order: what Store.submissions selects, as Submission(*row) takes.
SUBMISSION_FIELDS = tuple(f.name for f in fields(Submission))


@dataclass(frozen=True, slots=True)
class Review:
    """A review of a peer's edit: 1–5 per field ("is the edit an improvement?"), a reason,
    an optional flag for the coordinator and the further improvement it produced."""

    id: str
    submission_id: str
    task_id: str | None
    rating_inputs: int | None
    rating_targets: int | None
    reason: str
    created_at: str
    updated_at: str
    reviewer: str = ""
    language: str | None = None
    improvement_id: str | None = None
    flag: str | None = None
    state: str = "submitted"

    def as_payload(self) -> dict:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class Comment:
    """Feedback on one of the annotator's items: a coordinator's comment (``author_name``
    is theirs), a reviewer's reason (``kind`` 'review', no name: peer review is anonymous),
    or the annotator's own reply (``reply_to`` the comment it answers)."""

    id: str
    submission_id: str
    kind: str
    body: str
    author_name: str
    reply_to: str | None
    created_at: str
    updated_at: str
    read_at: str | None = None
    rating_inputs: int | None = None
    rating_targets: int | None = None
    flag: str | None = None

    @property
    def opens_thread(self) -> bool:
        return self.kind in ("comment", "review")


@dataclass(frozen=True)
class ReceivedRating:
    """A rating a reviewer gave one of this annotator's edits (arrives through sync)."""

    submission_id: str
    rating_inputs: int | None
    rating_targets: int | None


@dataclass(frozen=True, slots=True)
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
    # As sqlite-utils sets on every connection it wraps: a row replaced (INSERT OR REPLACE)
    # fires its delete triggers, which keep the full-text indexes in step.
    conn.execute("PRAGMA recursive_triggers = ON")
    return conn


_SQLITE_UTILS_LOCK = threading.Lock()


def _sqlite_utils():
    """sqlite-utils, imported once (by the first store to need it, in any thread) without
    numpy: it imports numpy when it is installed (the language identifier needs it) only to
    map numpy types we never store, a tenth of a second. While it imports, numpy cannot be
    imported: the app's first import of it comes after its first paint, before anything
    that uses numpy (``ui.application``)."""
    with _SQLITE_UTILS_LOCK:
        if "sqlite_utils" in sys.modules:
            return sys.modules["sqlite_utils"]
        blocked = [name for name in ("numpy", "pandas") if name not in sys.modules]
        for name in blocked:
            sys.modules[name] = None  # makes "import numpy" raise ImportError
        try:
            import sqlite_utils
        finally:
            for name in blocked:
                del sys.modules[name]
        return sqlite_utils


def load_sqlite_utils() -> None:
    """Import sqlite-utils now, on this thread (see :func:`_sqlite_utils`)."""
    _sqlite_utils()


def _is_current(conn: sqlite3.Connection) -> bool:
    """Whether the store at ``conn`` is one this version made or migrated, as it left it:
    its schema steps all applied (``user_version``, set by :func:`app.schema.migrate`, and
    as many steps recorded as this version has), in WAL mode, with a device id. Such a store
    opens without loading the schema's steps."""
    if conn.execute("PRAGMA user_version").fetchone()[0] != SCHEMA_STEPS:
        return False  # new, older, or written by a newer Qalam: migrate() tells which
    steps = conn.execute("SELECT count(*) FROM _sqlite_migrations "  # sqlite-utils' record
                         "WHERE migration_set = 'qalam'").fetchone()[0]
    if steps != SCHEMA_STEPS:
        return False
    if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
        return False
    return conn.execute("SELECT count(*) FROM meta WHERE key IN ('device_id', 'last_seq')"
                        ).fetchone()[0] == 2


@contextlib.contextmanager
def _disk_full_translated(folder: Path) -> Iterator[None]:
    """SQLite's raw "database or disk is full" becomes DiskFull, a sentence (app.errors)."""
    try:
        yield
    except sqlite3.OperationalError as exc:
        if getattr(exc, "sqlite_errorname", "") == "SQLITE_FULL" or "disk is full" in str(exc):
            raise DiskFull(folder) from exc
        raise


class _Database:
    """The store's connection, with a full disk translated where it enters: in any statement
    and in a transaction's COMMIT (the transaction is rolled back first, so nothing stored
    before is touched and the same write succeeds once space is freed).

    Transactions (``atomic``: savepoints when nested) and the schema's steps are
    sqlite-utils', on this same connection. sqlite-utils is loaded by the first of them, not
    by opening: a start whose store is current paints its window without its 40 ms of
    imports, and its first transaction comes after that paint (``ui.application``).
    """

    def __init__(self, conn: sqlite3.Connection, folder: Path):
        self.conn = conn
        self.folder = folder
        self._utils = None

    @property
    def utils(self):
        """sqlite-utils' ``Database`` over this connection (no plugins: finding them scans
        every installed package's entry points, ~0.1 s, and a plugin would run its code on
        every connection to an annotator's work)."""
        if self._utils is None:
            self._utils = _sqlite_utils().Database(self.conn, execute_plugins=False)
        return self._utils

    def execute(self, sql, parameters=None) -> sqlite3.Cursor:
        # The connection opens no transaction by itself (isolation_level=None): a statement
        # outside ``atomic`` commits on its own, as sqlite-utils' execute() has it.
        with _disk_full_translated(self.folder):
            if parameters is None:
                return self.conn.execute(sql)
            return self.conn.execute(sql, parameters)

    def tuples(self, sql, parameters=()) -> list[tuple]:
        """The rows of a query as plain tuples, not ``sqlite3.Row`` (see
        :meth:`Store.work_list` for why)."""
        cursor = self.conn.cursor()
        cursor.row_factory = None
        with _disk_full_translated(self.folder):
            return cursor.execute(sql, parameters).fetchall()

    def executemany(self, sql, rows) -> None:
        """One statement for many rows (nothing is done for none)."""
        if not rows:
            return
        with _disk_full_translated(self.folder):
            self.conn.executemany(sql, rows)

    @contextlib.contextmanager
    def atomic(self):
        with _disk_full_translated(self.folder), self.utils.atomic():
            yield self

    def ensure_autocommit_on(self):
        return self.utils.ensure_autocommit_on()

    def close(self) -> None:
        self.conn.close()


def _bring_up_to_date(db: _Database, path: Path) -> None:
    """Migrate (refusing a newer store untouched), switch to WAL and give a new store its
    device id."""
    _sqlite_utils()  # before the schema's steps import it: without numpy
    from app import schema

    with _disk_full_translated(db.folder):
        schema.migrate(db.utils, path=str(path))  # checks the version before any write
    with db.ensure_autocommit_on():
        db.execute("PRAGMA journal_mode = WAL")
    with db.atomic():
        if db.execute("SELECT 1 FROM meta WHERE key = 'device_id'").fetchone() is None:
            # Only a new store needs an id (making one loads uuid6: ~15 ms a start).
            db.execute("INSERT INTO meta (key, value) VALUES ('device_id', ?)", [new_id()])
        db.execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('last_seq', '0')")


class Store:
    def __init__(self, db: _Database, path: Path, *, readonly: bool = False):
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
            if not readonly:  # a new database is 0600, and SQLite gives -wal/-shm its mode
                private.create_file(path)
            conn = _connect(path, readonly)
        except (sqlite3.Error, OSError) as exc:
            raise StoreError(f"Cannot open {path}: {exc}.") from exc
        db = _Database(conn, path.parent)
        if readonly:
            return cls(db, path, readonly=True)
        try:
            db.execute("PRAGMA synchronous = FULL")
            if not _is_current(conn):
                _bring_up_to_date(db, path)
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

    @property
    def user_id(self) -> str:
        """The enrolled annotator's id ("" when not enrolled): their own work is never
        offered to them for review."""
        row = self.db.execute("SELECT value FROM meta WHERE key = 'user_id'").fetchone()
        return row[0] if row else ""

    def set_user_id(self, user_id: str) -> None:
        with self.db.atomic():
            self.db.execute(
                "INSERT INTO meta (key, value) VALUES ('user_id', ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                [user_id],
            )

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
        return _all_from(OutboxEntry, self.db.execute(sql))

    def last_seq(self) -> int:
        return int(self._meta("last_seq"))

    # --- projects and tasks ------------------------------------------------------------

    def upsert_project(
        self, *, id: str, name: str, description: str = "", settings: dict | None = None,
        guidelines: dict | None = None,
    ) -> Project:
        """Add or replace a project. ``guidelines`` may be in either shape
        (:mod:`app.guidelines`); they are stored as kind -> language -> Markdown."""
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
                 json.dumps(guidelines_shape(guidelines), ensure_ascii=False), now, now],
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
                    mt_text=task.get("mt_text"), original_inputs=task.get("original_inputs"),
                    original_targets=task.get("original_targets"),
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

    def tasks(
        self, *, language: str | None = None, kind: str | None = None,
        limit: int | None = None, offset: int = 0, after: str | None = None,
    ) -> list[Task]:
        """In id order. ``after`` (a task id) continues a list after that task without an
        OFFSET scan, as fast at the 100,000th task as at the first."""
        where, args = _where(language=language, kind=kind)
        if after is not None:
            where = (where + " AND " if where else "WHERE ") + "id > ?"
            args += [after]
        sql = f"SELECT * FROM tasks {where} ORDER BY id"
        if limit is not None:
            sql += " LIMIT ? OFFSET ?"
            args += [limit, offset]
        return _all_from(Task, self.db.execute(sql, args))

    def count_tasks(self, *, language: str | None = None, kind: str | None = None) -> int:
        where, args = _where(language=language, kind=kind)
        return self.db.execute(f"SELECT count(*) FROM tasks {where}", args).fetchone()[0]

    def tasks_by_ids(self, task_ids: list[str]) -> list[Task]:
        found: list[Task] = []
        for start in range(0, len(task_ids), 500):
            chunk = task_ids[start:start + 500]
            found += [
                _from_row(Task, r) for r in self.db.execute(
                    f"SELECT * FROM tasks WHERE id IN ({', '.join('?' * len(chunk))})", chunk
                )
            ]
        return found

    def review_tasks(
        self, *, language: str | None = None, limit: int = 200, offset: int = 0
    ) -> list[Task]:
        """Peers' edits this annotator may review: never their own work.

        Own work is an item whose author is this annotator's ``user_id``, or whose reviewed
        submission was made on this device.
        """
        sql = (
            "SELECT t.* FROM tasks t WHERE t.kind = 'review' "
            "AND (t.author IS NULL OR t.author = '' OR t.author != ?) "
            "AND (t.review_of IS NULL OR NOT EXISTS "
            "     (SELECT 1 FROM submissions s WHERE s.id = t.review_of))"
        )
        args: list = [self.user_id or "\x00no-user"]
        if language is not None:
            sql += " AND t.language = ?"
            args.append(language)
        sql += " ORDER BY t.id LIMIT ? OFFSET ?"
        return _all_from(Task, self.db.execute(sql, [*args, limit, offset]))

    def languages_with_tasks(self) -> list[str]:
        # One index lookup per language, from each to the next (SQLite has no skip-scan for
        # DISTINCT): 0.2 ms at 100,000 tasks where DISTINCT read the whole index (10 ms),
        # four times before the first window.
        return [r[0] for r in self.db.execute(
            "WITH RECURSIVE found(language) AS (SELECT min(language) FROM tasks UNION ALL "
            "SELECT (SELECT min(language) FROM tasks WHERE language > found.language) "
            "FROM found WHERE found.language IS NOT NULL) "
            "SELECT language FROM found WHERE language IS NOT NULL")]

    # --- submissions -------------------------------------------------------------------

    def new_submission(
        self, *, language: str, kind: str = "original", task_id: str | None = None,
        project_id: str | None = None, dialect: str | None = None, inputs: str = "",
        targets: str = "", original_inputs: str | None = None,
        original_targets: str | None = None, parent_id: str | None = None,
        review_id: str | None = None,
    ) -> Submission:
        """A new draft. For a re-annotation or post-edit task the text it starts from is
        kept beside it (``original_inputs``/``original_targets``: the task's prompt and
        completion, or its source and machine translation), so distances can be measured."""
        if kind not in kinds.TASK_KINDS:
            raise ValueError(f"Unknown kind {kind!r}; expected one of {kinds.TASK_KINDS}.")
        cleaned, warnings = clean_fields(
            inputs=inputs, targets=targets, dialect=dialect, original_inputs=original_inputs,
            original_targets=original_targets,
        )
        submission_id = new_id()
        now = clock.utc_now()
        with self.db.atomic():
            if task_id is not None:
                task = self.task(task_id)
                project_id = project_id if project_id is not None else task.project_id
                if cleaned["original_inputs"] is None and task.kind == "reannotation":
                    cleaned["original_inputs"] = task.inputs
                    cleaned["original_targets"] = task.targets
                elif cleaned["original_inputs"] is None and task.kind == "postedit":
                    cleaned["original_inputs"] = task.source_text
                    cleaned["original_targets"] = task.mt_text
            self.db.execute(
                """INSERT INTO submissions (id, task_id, project_id, kind, language, dialect,
                       inputs, targets, warnings, revision, created_at, updated_at,
                       original_inputs, original_targets, parent_id, review_id)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?)""",
                [submission_id, task_id, project_id, kind, language, cleaned["dialect"],
                 cleaned["inputs"], cleaned["targets"], _warnings_json(warnings), now, now,
                 cleaned["original_inputs"], cleaned["original_targets"], parent_id,
                 review_id],
            )
            self._update_metrics(submission_id)
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
        limit: int = 200, offset: int = 0, after: str | None = None,
    ) -> list[Submission]:
        """Newest first. ``after`` (a submission id) continues a list after that item,
        as fast at the 50,000th row as at the first (no OFFSET scan)."""
        return [Submission(*row) for row in self._submission_page(
            ", ".join(SUBMISSION_FIELDS), state=state, language=language, kind=kind,
            limit=limit, offset=offset, after=after)]

    def work_list(
        self, *, state: str | None = None, language: str | None = None, kind: str | None = None,
        limit: int = 200, offset: int = 0, after: str | None = None,
    ) -> list[tuple]:
        """A page of My work, as :meth:`submissions` orders and filters it: for each item
        ``(id, kind, language, state, inputs, unchanged, has_text, rated)``, the facts its
        row shows and its status is decided from (``ui.models.status_from``).

        Plain tuples, for a list that keeps tens of thousands of rows: a tuple of strings
        and numbers is invisible to Python's cycle collector once it has been seen, a
        Submission is walked by every collection (4–6 ms of a scroll step at the 40,000th
        row). SQLite compares the completion with the text the item started from, so a
        page decodes neither (they were two thirds of what a page read)."""
        return self._submission_page(
            "id, kind, language, state, inputs, "
            "inputs = coalesce(original_inputs, '') AND targets = coalesce(original_targets, ''), "
            "inputs != '' OR targets != '', "
            "rating_inputs IS NOT NULL AND rating_targets IS NOT NULL",
            state=state, language=language, kind=kind, limit=limit, offset=offset, after=after)

    def _submission_page(self, columns: str, *, state: str | None, language: str | None,
                         kind: str | None, limit: int, offset: int,
                         after: str | None) -> list[tuple]:
        where, args = _where(state=state, language=language, kind=kind)
        if after is not None:
            mark = self.db.execute(
                "SELECT updated_at, row FROM submissions WHERE id = ?", [after]
            ).fetchone()
            if mark is not None:
                # A row value, not "a < ? OR (a = ? AND b < ?)": SQLite turns it into a range
                # on the index, where the OR form scans the index from the top (16 ms at the
                # 49,000th row, 0.5 ms this way).
                where = (where + " AND " if where else "WHERE ") + "(updated_at, row) < (?, ?)"
                args += [mark[0], mark[1]]
        sql = (
            f"SELECT {columns} FROM submissions {where} "
            "ORDER BY updated_at DESC, row DESC LIMIT ? OFFSET ?"
        )
        return self.db.tuples(sql, [*args, limit, offset])

    def count_submissions(self, *, state: str | None = None, language: str | None = None) -> int:
        where, args = _where(state=state, language=language)
        return self.db.execute(f"SELECT count(*) FROM submissions {where}", args).fetchone()[0]

    def save_draft(
        self, submission_id: str, *, inputs: str, targets: str, language: str | None = None,
        dialect: str | None = None, seconds_spent: float | None = None,
        edit_sessions: int | None = None,
    ) -> Saved:
        """Store the draft's text; durable when this returns.

        Edit distances (re-annotation) and HTER (post-edit) are measured here, against the
        text the item started from; ``seconds_spent`` and ``edit_sessions`` are the post-edit
        timing the editor measured.

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
            dialect = (cleaned["dialect"] or None) if dialect is not None else current.dialect
            seconds = current.seconds_spent if seconds_spent is None else float(seconds_spent)
            sessions = current.edit_sessions if edit_sessions is None else int(edit_sessions)
            if (current.inputs, current.targets, current.language, current.dialect,
                current.seconds_spent, current.edit_sessions) == (
                cleaned["inputs"], cleaned["targets"], language, dialect, seconds, sessions
            ):
                return Saved(current, changed=False)
            now = clock.utc_now()
            self.db.execute(
                """UPDATE submissions SET inputs = ?, targets = ?, language = ?, dialect = ?,
                       warnings = ?, revision = revision + 1, updated_at = ?,
                       seconds_spent = ?, edit_sessions = ?
                   WHERE id = ?""",
                [cleaned["inputs"], cleaned["targets"], language, dialect,
                 _warnings_json(warnings), now, seconds, sessions, submission_id],
            )
            if (current.inputs, current.targets) != (cleaned["inputs"], cleaned["targets"]):
                self._record_edit(submission_id, cleaned["inputs"], cleaned["targets"])
                self._update_metrics(submission_id)
            saved = self.submission(submission_id)
            self._enqueue("submission", submission_id, saved.as_payload())
        return Saved(saved, changed=True)

    def dismiss_check(self, submission_id: str, key: str, *, dismissed: bool = True
                      ) -> Submission:
        """Remember that the QA check ``key`` (:mod:`app.qa`) was dismissed for this draft
        (or, ``dismissed=False``, bring it back). Kept with the item, synced with it."""
        with self.db.atomic():
            current = self.submission(submission_id)
            if current.state != "draft":
                raise InvalidState(f"This item was {current.state}; its checks are final.")
            keys = [k for k in current.dismissed if k != key] + ([key] if dismissed else [])
            if sorted(keys) == sorted(current.dismissed):
                return current
            self.db.execute(
                "UPDATE submissions SET qa_dismissed = ?, revision = revision + 1, "
                "updated_at = ? WHERE id = ?",
                [json.dumps(keys, ensure_ascii=False), clock.utc_now(), submission_id])
            changed = self.submission(submission_id)
            self._enqueue("submission", submission_id, changed.as_payload())
        return changed

    def save_targets(self, edits: Iterable[tuple]) -> list[Submission]:
        """Set the translation of post-editing tasks in one transaction (find and replace,
        and its undo): ``(task_id, targets)``, or ``(task_id, targets, expected)`` to change
        only a translation that still reads ``expected`` (an undo leaves later typing alone).
        A task not opened yet gets its draft here; a confirmed one is left alone. Returns the
        items that changed."""
        changed: list[Submission] = []
        with self.db.atomic():
            for task_id, targets, *expected in edits:
                current = self.submission_for_task(task_id)
                if current is None:
                    task = self.task(task_id)
                    current = self.new_submission(
                        language=task.language, kind=task.kind, task_id=task_id,
                        dialect=task.dialect, inputs=task.source_text or "",
                        targets=task.mt_text or "")
                if current.state != "draft" or (expected and current.targets != expected[0]):
                    continue
                saved = self.save_draft(current.id, inputs=current.inputs, targets=targets)
                if saved.changed:
                    changed.append(saved.submission)
        return changed

    def submit(self, submission_id: str) -> Submission:
        """Mark a draft as submitted (it will be reviewed after sync)."""
        with self.db.atomic():
            current = self.submission(submission_id)
            if current.state != "draft":
                raise InvalidState(f"This item was already {current.state}.")
            if not current.inputs.strip() or not current.targets.strip():
                raise InvalidState("Write both a prompt and a completion before submitting.")
            for field in ("inputs", "targets"):  # zero-width characters only are no text
                require_visible(field, getattr(current, field))
            if (current.kind == "reannotation" and current.original_inputs is not None
                    and current.review_id is None and not current.is_rated):
                raise InvalidState("Rate the prompt and the completion before submitting.")
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
        """Turn a submitted (not yet reviewed) item back into a draft; a rejected item too,
        when its author was given feedback on it (revised, it goes back to review)."""
        with self.db.atomic():
            current = self.submission(submission_id)
            if current.state == "draft":
                return current
            revisable = current.state == "rejected" and self.has_feedback(submission_id)
            if current.state != "submitted" and not revisable:
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

    def _update_metrics(self, submission_id: str) -> None:
        """Measure a re-annotation's edit distances or a post-edit's HTER against the text
        it started from (inside the caller's transaction)."""
        current = self.submission(submission_id)
        if current.original_inputs is None and current.original_targets is None:
            return
        # Imported here: rapidfuzz, regex (and sacrebleu for HTER) are not start-up costs.
        from app.diffs import edit_distance, hter

        if current.kind == "postedit":
            mt = current.original_targets or ""
            self.db.execute(
                "UPDATE submissions SET hter = ?, completion_distance = ? WHERE id = ?",
                [hter(mt, current.targets), edit_distance(mt, current.targets), submission_id],
            )
            return
        self.db.execute(
            "UPDATE submissions SET prompt_distance = ?, completion_distance = ? WHERE id = ?",
            [edit_distance(current.original_inputs or "", current.inputs),
             edit_distance(current.original_targets or "", current.targets), submission_id],
        )

    def rate(self, submission_id: str, *, field: str, value: int | None) -> Submission:
        """Thumbs up (1) or down (-1) for the original prompt (``field="inputs"``) or
        completion (``"targets"``) of a re-annotation; None takes the rating back."""
        if field not in ("inputs", "targets"):
            raise ValueError(f"field must be 'inputs' or 'targets', not {field!r}.")
        if value not in (1, -1, None):
            raise ValueError(f"A rating is 1 (thumbs up) or -1 (thumbs down), not {value!r}.")
        with self.db.atomic():
            current = self.submission(submission_id)
            if current.state != "draft":
                raise InvalidState(
                    f"This item was {current.state}; reopen it before rating it again."
                )
            if getattr(current, f"rating_{field}") == value:
                return current
            self.db.execute(
                f"UPDATE submissions SET rating_{field} = ?, revision = revision + 1, "
                "updated_at = ? WHERE id = ?",
                [value, clock.utc_now(), submission_id],
            )
            rated = self.submission(submission_id)
            self._enqueue("submission", submission_id, rated.as_payload())
        return rated

    def submissions_for_tasks(self, task_ids: list[str]) -> dict[str, Submission]:
        """The latest submission of each task that has one."""
        found: dict[str, Submission] = {}
        for start in range(0, len(task_ids), 500):
            chunk = task_ids[start:start + 500]
            rows = self.db.execute(
                f"SELECT * FROM submissions WHERE task_id IN ({', '.join('?' * len(chunk))}) "
                "ORDER BY row",
                chunk,
            )
            for row in rows:
                found[row["task_id"]] = _from_row(Submission, row)
        return found

    # --- reviews -----------------------------------------------------------------------

    def review(self, review_id: str) -> Review:
        row = self.db.execute("SELECT * FROM reviews WHERE id = ?", [review_id]).fetchone()
        if row is None:
            raise NotFound(f"No review with id {review_id!r}.")
        return _from_row(Review, row)

    def review_for_task(self, task_id: str) -> Review | None:
        row = self.db.execute(
            "SELECT * FROM reviews WHERE task_id = ? AND reviewer = ? "
            "ORDER BY created_at DESC LIMIT 1",
            [task_id, self.user_id],
        ).fetchone()
        return _from_row(Review, row) if row else None

    def reviews_for_tasks(self, task_ids: list[str]) -> dict[str, Review]:
        """This annotator's latest review of each of ``task_ids`` that has one."""
        found: dict[str, Review] = {}
        for start in range(0, len(task_ids), 500):
            chunk = task_ids[start:start + 500]
            rows = self.db.execute(
                f"SELECT * FROM reviews WHERE task_id IN ({', '.join('?' * len(chunk))}) "
                "AND reviewer = ? ORDER BY created_at",
                [*chunk, self.user_id],
            )
            for row in rows:
                found[row["task_id"]] = _from_row(Review, row)
        return found

    def save_review(
        self, task_id: str, *, rating_inputs: int | None = None,
        rating_targets: int | None = None, reason: str = "", flag: str | None = None,
    ) -> Review:
        """Create or update this annotator's draft review of a review task (durable when it
        returns). Scores are 1–5 ("is the edit an improvement?"); ``flag`` is one of
        :data:`app.kinds.REVIEW_FLAGS` or None. Drafts are not synced: the review enters
        the outbox when it is submitted."""
        for name, score in (("rating_inputs", rating_inputs),
                            ("rating_targets", rating_targets)):
            if score is not None and score not in range(1, 6):
                raise ValueError(f"{name} must be 1 to 5, not {score!r}.")
        if flag is not None and flag not in kinds.REVIEW_FLAGS:
            raise ValueError(f"flag must be one of {kinds.REVIEW_FLAGS}, not {flag!r}.")
        cleaned, _ = clean_fields(reason=reason)
        with self.db.atomic():
            task = self.task(task_id)
            if task.kind != "review":
                raise InvalidState("Only review tasks can be reviewed.")
            own_submission = task.review_of is not None and self.db.execute(
                "SELECT 1 FROM submissions WHERE id = ?", [task.review_of]
            ).fetchone() is not None
            if own_submission or (task.author and task.author == self.user_id):
                raise InvalidState("Nobody reviews their own work.")
            existing = self.review_for_task(task_id)
            now = clock.utc_now()
            if existing is not None and existing.state != "draft":
                raise InvalidState("This review was already submitted.")
            if existing is None:
                review_id = new_id()
                self.db.execute(
                    """INSERT INTO reviews (id, submission_id, task_id, rating_inputs,
                           rating_targets, reason, created_at, updated_at, reviewer, language,
                           flag, state)
                       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'draft')""",
                    [review_id, task.review_of or task.id, task_id, rating_inputs,
                     rating_targets, cleaned["reason"], now, now, self.user_id, task.language,
                     flag],
                )
            else:
                review_id = existing.id
                if (existing.rating_inputs, existing.rating_targets, existing.reason,
                        existing.flag) == (rating_inputs, rating_targets, cleaned["reason"],
                                           flag):
                    return existing
                self.db.execute(
                    "UPDATE reviews SET rating_inputs = ?, rating_targets = ?, reason = ?, "
                    "flag = ?, updated_at = ? WHERE id = ?",
                    [rating_inputs, rating_targets, cleaned["reason"], flag, now, review_id],
                )
            review = self.review(review_id)
            # A draft review stays on the device (the server takes finished reviews only);
            # submit_review puts it in the outbox.
        return review

    def start_improvement(self, review_id: str) -> Submission:
        """The "improve it further" draft of a review: a new edit starting from the peer's
        edit, linked to it (``parent_id``) and to the review (``review_id``)."""
        with self.db.atomic():
            review = self.review(review_id)
            if review.improvement_id is not None:
                return self.submission(review.improvement_id)
            task = self.task(review.task_id)
            improvement = self.new_submission(
                language=task.language, kind="reannotation", project_id=task.project_id,
                dialect=task.dialect, inputs=task.inputs, targets=task.targets,
                original_inputs=task.inputs, original_targets=task.targets,
                parent_id=review.submission_id, review_id=review_id,
            )
            self.db.execute(
                "UPDATE reviews SET improvement_id = ?, updated_at = ? WHERE id = ?",
                [improvement.id, clock.utc_now(), review_id],
            )
        return improvement

    def submit_review(self, review_id: str) -> Review:
        """Submit a review, and its further improvement with it when the text changed (an
        unchanged improvement is discarded: it is not an edit)."""
        with self.db.atomic():
            review = self.review(review_id)
            if review.state != "draft":
                raise InvalidState("This review was already submitted.")
            if review.flag is None and (review.rating_inputs is None
                                        or review.rating_targets is None):
                raise InvalidState(
                    "Score the prompt and the completion (1 to 5), or flag the item."
                )
            improvement_id = review.improvement_id
            if improvement_id is not None:
                improvement = self.submission(improvement_id)
                unchanged = (improvement.inputs, improvement.targets) == (
                    improvement.original_inputs, improvement.original_targets
                )
                if unchanged and improvement.state == "draft":
                    self.discard_draft(improvement_id)
                    improvement_id = None
                elif improvement.state == "draft":
                    self.submit(improvement_id)
            now = clock.utc_now()
            self.db.execute(
                "UPDATE reviews SET state = 'submitted', improvement_id = ?, updated_at = ? "
                "WHERE id = ?",
                [improvement_id, now, review_id],
            )
            submitted = self.review(review_id)
            self._enqueue("review", review_id, submitted.as_payload())
        return submitted

    def reviews(
        self, *, language: str | None = None, state: str | None = None, limit: int = 200,
        offset: int = 0,
    ) -> list[Review]:
        """Reviews this annotator wrote, newest first."""
        where, args = _where(language=language, state=state)
        where = (where + " AND " if where else "WHERE ") + "reviewer = ?"
        args.append(self.user_id)
        return [
            _from_row(Review, r)
            for r in self.db.execute(
                f"SELECT * FROM reviews {where} ORDER BY updated_at DESC, id DESC "
                "LIMIT ? OFFSET ?",
                [*args, limit, offset],
            )
        ]

    def received_ratings(self) -> list[ReceivedRating]:
        """Ratings that reviewers gave this annotator's edits (reviews of local items)."""
        rows = self.db.execute(
            "SELECT r.submission_id, r.rating_inputs, r.rating_targets FROM reviews r "
            "JOIN submissions s ON s.id = r.submission_id WHERE r.state = 'submitted' "
            "ORDER BY r.created_at"
        )
        return [ReceivedRating(*row) for row in rows]

    # --- feedback ----------------------------------------------------------------------

    def feedback(self, submission_id: str) -> list[Comment]:
        """The thread of an item: each comment, oldest first, with its reply after it."""
        found = [_from_row(Comment, r) for r in self.db.execute(
            "SELECT * FROM comments WHERE submission_id = ? ORDER BY created_at, id",
            [submission_id])]
        replies = {c.reply_to: c for c in found if c.reply_to}
        ordered = []
        for comment in found:
            if comment.reply_to is None:
                ordered.append(comment)
                if comment.id in replies:
                    ordered.append(replies.pop(comment.id))
        return ordered + list(replies.values())

    def has_feedback(self, submission_id: str) -> bool:
        return self.db.execute(
            "SELECT 1 FROM comments WHERE submission_id = ? AND kind IN ('comment', 'review')",
            [submission_id]).fetchone() is not None

    def unread_feedback(self) -> set[str]:
        """Ids of the items with feedback the annotator has not seen yet."""
        return {r[0] for r in self.db.execute(
            "SELECT DISTINCT submission_id FROM comments WHERE read_at IS NULL "
            "AND kind IN ('comment', 'review')")}

    def mark_feedback_read(self, submission_id: str) -> int:
        """The item's feedback has been seen; returns how many comments were new."""
        with self.db.atomic():
            return self.db.execute(
                "UPDATE comments SET read_at = ? WHERE submission_id = ? AND read_at IS NULL",
                [clock.utc_now(), submission_id]).rowcount

    def reply(self, comment_id: str, body: str) -> Comment:
        """The annotator's one reply to a comment on their item, durable when this returns
        and sent at the next sync. Raises TextRejected (an empty, invisible or too long
        reply), NotFound, or InvalidState (answered already, or not feedback)."""
        from app.records import RecordProblem, comment_body  # pydantic: not a start-up cost

        try:
            text = comment_body(body)
        except RecordProblem as exc:
            raise TextRejected("body", _comment_problem(exc)) from None
        with self.db.atomic():
            row = self.db.execute("SELECT * FROM comments WHERE id = ?", [comment_id]).fetchone()
            if row is None:
                raise NotFound(f"No comment with id {comment_id!r}.")
            root = _from_row(Comment, row)
            if not root.opens_thread:
                raise InvalidState("Reply to the comment itself, not to a reply.")
            if self.db.execute("SELECT 1 FROM comments WHERE reply_to = ?",
                               [comment_id]).fetchone():
                raise InvalidState("You have already replied to this comment; "
                                   "one reply per comment.")
            now = clock.utc_now()
            reply_id = new_id()
            self.db.execute(
                "INSERT INTO comments (id, submission_id, kind, body, author_name, reply_to, "
                "created_at, updated_at, read_at) VALUES (?, ?, 'reply', ?, '', ?, ?, ?, ?)",
                [reply_id, root.submission_id, text, comment_id, now, now, now])
            self._enqueue("comment", reply_id, {
                "id": reply_id, "submission_id": root.submission_id, "reply_to": comment_id,
                "body": text, "created_at": now})
            return _from_row(Comment, self.db.execute(
                "SELECT * FROM comments WHERE id = ?", [reply_id]).fetchone())

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

    def search(
        self, query: str, *, limit: int = 50, kind: str | None = None,
        language: str | None = None, state: str | None = None,
    ) -> list[Submission]:
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
        for column, value in (("kind", kind), ("language", language), ("state", state)):
            if value is not None:
                sql += f" AND s.{column} = ?"
                args.append(value)
        sql += f" ORDER BY {order} DESC LIMIT ?"
        args.append(limit)
        return _all_from(Submission, self.db.execute(sql, args))


def _where(**conditions: str | None) -> tuple[str, list]:
    present = {k: v for k, v in conditions.items() if v is not None}
    if not present:
        return "", []
    return "WHERE " + " AND ".join(f"{k} = ?" for k in present), list(present.values())


def _comment_problem(problem) -> str:
    """A refused comment's sentence in the interface's language."""
    from i18n.translation import _

    return _(problem.template).format(**problem.values)


def _warnings_json(warnings) -> str:
    return json.dumps([w.as_dict() for w in warnings], ensure_ascii=False)

