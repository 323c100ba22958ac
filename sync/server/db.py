"""Database engines, migrations, write transactions and the change sequence.

    engine = create_engine(database_url(None))      # ./qalam-server.db, or QALAM_DATABASE_URL
    migrate(engine)
    result = run_write(engine, lambda conn: ...)    # one transaction, retried when contended

The change sequence (``server_seq``), and why pull cursors never skip a row
-------------------------------------------------------------------------
Every change to a pulled record takes the next number from the single ``counters`` row
'server_seq'. A writer that allocates numbers first takes the database's write lock for the
rest of its transaction: ``BEGIN IMMEDIATE`` on SQLite, ``SELECT … FOR UPDATE`` of the
counter row on PostgreSQL (:class:`Sequence`). The lock is held until commit, and PostgreSQL
releases row locks only after the commit is visible, so a writer can only allocate numbers
after every writer with smaller numbers has committed (or rolled back). Numbers are therefore
handed out in commit order: any snapshot that sees number N also sees every committed number
below N, and a pull that returned cursor N will find every later change above N. Rolled-back
numbers are simply never used (gaps in numbering are harmless; gaps in visibility are not).

The lock also serializes pushes, so the duplicate check in
:func:`sync.server.exchange.push.apply_push` reads everything committed before it; the unique
key on ``applied_items (device_id, seq)`` stays as the backstop, and a unique violation,
serialization failure or deadlock just retries the whole transaction (:func:`run_write`).
"""

from __future__ import annotations

import json
import operator
import os
import threading
import time
import weakref
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.ext.compiler import compiles

from app.errors import QalamError
from app.private import create_file, private_dir
from sync.protocol import ErrorCode
from sync.retry import Backoff
from sync.server import tables
from sync.server.errors import ServerError

T = TypeVar("T")

DEFAULT_DATABASE = "qalam-server.db"
ENV_DATABASE_URL = "QALAM_DATABASE_URL"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
WRITE_ATTEMPTS = 6
WRITE_BACKOFF = Backoff(first=0.04, cap=0.64)  # the client's policy, at a database's pace
MAX_BIGINT = 2**63 - 1


def database_url(value: str | None) -> str:
    """``--db`` as given (a URL or a path to a SQLite file), else the environment, else default."""
    value = value or os.environ.get(ENV_DATABASE_URL) or DEFAULT_DATABASE
    if "://" not in value:
        return f"sqlite:///{value}"
    return value


def is_sqlite(engine_or_conn: Engine | Connection) -> bool:
    return engine_or_conn.dialect.name == "sqlite"


DEFAULT_CONNECTIONS = 40  # anyio's default of threads serving requests at once


def create_engine(url: str, *, connections: int = DEFAULT_CONNECTIONS) -> Engine:
    """An engine for SQLite (WAL, our own BEGINs) or PostgreSQL (psycopg 3), opening at most
    ``connections`` connections (8 of them kept open between peaks)."""
    parsed = make_url(url)
    pool = {"pool_size": min(8, connections), "max_overflow": max(0, connections - 8)}
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            _create_private(Path(parsed.database).expanduser())
        engine = sa.create_engine(parsed, connect_args={"timeout": 30}, **pool)

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection, _record):
            # pysqlite's own transaction handling is off; _on_begin emits BEGIN itself, so a
            # write transaction can take the write lock up front (BEGIN IMMEDIATE).
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA busy_timeout = 30000")
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = FULL")
            cursor.execute("PRAGMA foreign_keys = ON")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn):
            write = conn.get_execution_options().get("qalam_write", False)
            conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

        return engine
    if parsed.get_backend_name() == "postgresql":
        return sa.create_engine(parsed, pool_pre_ping=True, **pool)
    raise ServerError(
        ErrorCode.invalid_request,
        f"Unsupported database {parsed.get_backend_name()!r}: use a SQLite file path or a "
        "postgresql+psycopg:// URL.",
    )


def _create_private(database: Path) -> None:
    """The database holds the bundle-signing key and everyone's work: a new one (with its
    folder, and so its -wal and -shm files) is made readable by its owner only."""
    try:
        private_dir(database.resolve().parent)
        create_file(database)
    except OSError as exc:
        raise QalamError(f"Cannot create the database {database}: "
                         f"{exc.strerror or exc}.") from exc


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest version (one transaction; concurrent callers wait)."""
    from alembic import command  # a tenth of a second to import: only where it is used
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.connect() as conn:
        sqlite = is_sqlite(conn)
        if sqlite:
            # SQLite changes a constraint by copying a table and dropping the old one, which
            # foreign keys would refuse mid-way. The pragma only takes effect outside a
            # transaction; the references are checked before the transaction commits.
            conn.connection.dbapi_connection.execute("PRAGMA foreign_keys = OFF")
        try:
            conn.execution_options(qalam_write=True)
            with conn.begin():
                if not sqlite:
                    conn.exec_driver_sql("SELECT pg_advisory_xact_lock(7253001)")
                config.attributes["connection"] = conn
                command.upgrade(config, "head")
                if sqlite:
                    broken = conn.exec_driver_sql("PRAGMA foreign_key_check").all()
                    if broken:
                        raise RuntimeError(f"the migration broke references: {broken[:5]}")
        finally:
            if sqlite:
                conn.connection.dbapi_connection.execute("PRAGMA foreign_keys = ON")


def schema_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        if not sa.inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()


def head_revision() -> str:
    """The newest schema revision this code has a migration for.

    Migrations are numbered files whose number is their revision (``0006_first_contact.py``
    holds revision ``"0006"``, revising ``"0005"``), so the head is the highest number. It is
    read from the file names because every command checks it, and loading alembic to ask
    would cost each one a tenth of a second; a test checks that alembic agrees.
    """
    return max(path.name.partition("_")[0]
               for path in (MIGRATIONS / "versions").glob("[0-9][0-9][0-9][0-9]_*.py"))


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """One write transaction; on SQLite it holds the write lock from its first statement.

    On SQLite the writers of one process also queue on a lock of their own first: waiting in
    SQLite's busy handler means sleeping up to 100 ms at a time, so the database sat idle
    between one push's commit and the next push's BEGIN (several pushes of one device are in
    flight at once). Other processes still meet the busy handler, as before.
    """
    with _writers(engine), engine.connect() as conn:
        conn.execution_options(qalam_write=True)
        with conn.begin():
            yield conn


_WRITERS: weakref.WeakKeyDictionary[Engine, threading.RLock] = weakref.WeakKeyDictionary()
_WRITERS_GUARD = threading.Lock()


@contextmanager
def _writers(engine: Engine) -> Iterator[None]:
    """This process's queue of SQLite writers (nothing on PostgreSQL, whose row lock on the
    change counter wakes the next writer at once)."""
    if not is_sqlite(engine):
        yield
        return
    with _WRITERS_GUARD:
        lock = _WRITERS.setdefault(engine, threading.RLock())
    with lock:
        yield


@contextmanager
def read_transaction(engine: Engine) -> Iterator[Connection]:
    with engine.connect() as conn, conn.begin():
        yield conn


def _retryable(exc: DBAPIError) -> bool:
    if isinstance(exc, IntegrityError):
        return True  # a concurrent writer inserted the same key first: judge again
    code = getattr(getattr(exc, "orig", None), "sqlstate", None)
    if code in ("40001", "40P01", "55P03"):  # serialization failure, deadlock, lock timeout
        return True
    return isinstance(exc, OperationalError) and "locked" in str(exc.orig).lower()


def run_write(target: Engine | Connection, work: Callable[[Connection], T]) -> T:
    """Run ``work(conn)`` in one write transaction, retried when the database says so
    (``WRITE_ATTEMPTS`` tries, waits by :mod:`sync.retry`'s policy, as the sync client's).

    Given a :class:`Connection`, the caller owns the transaction (it must be one opened by
    :func:`write_transaction`); ``work`` runs once, without retries.
    """
    if isinstance(target, Connection):
        return work(target)
    for attempt in range(1, WRITE_ATTEMPTS + 1):
        try:
            with write_transaction(target) as conn:
                return work(conn)
        except DBAPIError as exc:
            if attempt == WRITE_ATTEMPTS or not _retryable(exc):
                raise
            time.sleep(WRITE_BACKOFF.delay(attempt))
    raise AssertionError("unreachable")


def read(target: Engine | Connection, work: Callable[[Connection], T]) -> T:
    if isinstance(target, Connection):
        return work(target)
    with read_transaction(target) as conn:
        return work(conn)


def current_seq(conn: Connection) -> int:
    """The newest change sequence number committed (as this transaction sees it)."""
    return conn.execute(
        sa.select(tables.counters.c.value).where(tables.counters.c.name == "server_seq")
    ).scalar_one()


class Sequence:
    """Hands out change sequence numbers inside one write transaction (see the module doc).

    Creating it takes the write lock (PostgreSQL: the counter row, FOR UPDATE); call
    :meth:`save` before commit.
    """

    def __init__(self, conn: Connection):
        self.conn = conn
        query = sa.select(tables.counters.c.value).where(tables.counters.c.name == "server_seq")
        if not is_sqlite(conn):
            query = query.with_for_update()
        self.start = self.value = conn.execute(query).scalar_one()

    def next(self) -> int:
        self.value += 1
        return self.value

    def save(self) -> None:
        if self.value != self.start:
            self.conn.execute(
                tables.counters.update()
                .where(tables.counters.c.name == "server_seq")
                .values(value=self.value)
            )


def insert_many(conn: Connection, table: sa.Table, rows: list[dict]) -> None:
    """Insert ``rows`` (each with the keys of the first) with one executemany handed straight
    to the driver.

    SQLAlchemy's own executemany builds each row's parameters in Python, which costs more
    than the database's work of storing the row; a push writes three rows per record.
    """
    if not rows:
        return
    names = list(rows[0])
    quote = conn.dialect.identifier_preparer.quote
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    statement = (f"INSERT INTO {quote(table.name)} ({', '.join(map(quote, names))}) "
                 f"VALUES ({', '.join([mark] * len(names))})")
    row_values = operator.itemgetter(*names) if len(names) > 1 else lambda row: (row[names[0]],)
    conn.exec_driver_sql(statement, list(map(row_values, rows)))


class _json_strings(sa.sql.functions.GenericFunction):
    """The strings of a JSON array, one row each in a column ``value`` (see :func:`among`)."""

    name = "qalam_json_strings"
    inherit_cache = True


@compiles(_json_strings, "sqlite")
def _json_strings_sqlite(element, compiler, **kw):
    return f"json_each({compiler.process(element.clauses, **kw)})"


@compiles(_json_strings, "postgresql")
def _json_strings_postgresql(element, compiler, **kw):
    return f"json_array_elements_text(CAST({compiler.process(element.clauses, **kw)} AS json))"


def among(column, values: Iterable[str]) -> sa.ColumnElement:
    """``column IN values`` (strings) with the values sent as one JSON array: the statement
    is the same for any number of them, so it is compiled once and nothing is done per value
    in Python, where ``in_`` coerces each value and renders a placeholder for it on every
    execution (a tenth of a push's figures, per batch of 400 ids)."""
    strings = _json_strings(sa.bindparam("among", json.dumps(list(values)), type_=sa.Text,
                                         unique=True))
    return column.in_(sa.select(strings.table_valued("value").c.value).scalar_subquery())
