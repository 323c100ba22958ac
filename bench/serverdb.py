"""A server database for a bench to fill straight through its tables (bench/export.py,
bench/items.py, bench/figures.py).

    engine = fresh(url, ["bench-a", "bench-b"], defer_search_index=True)
    ...                                     # bulk inserts
    finish(engine)                          # the search index again, statistics; disposed

On PostgreSQL the items' trigram index is dropped for the load and built again after it as
migration 0011 builds it: one index build instead of a million inserts into it.
"""

from __future__ import annotations

import time
from pathlib import Path


def database_url(value: str | None, folder: Path) -> str:
    """A bench's ``--db``: a database URL as given, a path as a SQLite file's URL, nothing as a
    new SQLite file ``server.db`` in ``folder``."""
    if not value:
        return f"sqlite:///{folder / 'server.db'}"
    return value if "://" in value else f"sqlite:///{Path(value).resolve()}"


def fresh(url: str, projects: list[str], *, defer_search_index: bool = False):
    """A migrated database at ``url`` with the server's identity and ``projects``."""
    from sync.server import db, tables
    from sync.server.people import server_identity
    from sync.server.work.projects import create_project

    engine = db.create_engine(url)
    db.migrate(engine)
    server_identity.ensure_server_identity(engine)
    for project in projects:
        create_project(engine, project)
    if defer_search_index and not db.is_sqlite(engine):
        with db.write_transaction(engine) as conn:
            conn.exec_driver_sql(f"DROP INDEX {tables.SEARCH_INDEX}")
    return engine


def finish(engine, *, vacuum: bool = False) -> float:
    """After the load: on PostgreSQL the search index built again and the tables analysed
    (``vacuum``: vacuumed too, as autovacuum would after inserts). Returns the seconds it
    took; disposes of the engine."""
    from sync.server import db, tables

    started = time.perf_counter()
    if not db.is_sqlite(engine):
        with engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT")
            conn.exec_driver_sql(
                f"CREATE INDEX {tables.SEARCH_INDEX} ON submissions USING gin "
                "(qalam_grams(qalam_item_text(payload))) WHERE state <> 'draft' AND NOT deleted")
            conn.exec_driver_sql("VACUUM ANALYZE" if vacuum else "ANALYZE")
    engine.dispose()
    return time.perf_counter() - started
