"""The Alembic migrations build exactly the schema sync/server/tables.py describes."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from sync.server import db, tables


def test_migrated_schema_matches_the_tables(engine):
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), tables.metadata)
    assert diff == []


def test_migrating_twice_changes_nothing(engine):
    db.migrate(engine)
    assert db.schema_revision(engine) == "0002"
