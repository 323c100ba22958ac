"""The Alembic migrations build exactly the schema sync/server/tables.py describes."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from sync.server import db, tables


def test_migrated_schema_matches_the_tables(engine):
    # The full-text table (FTS5's, with its shadow tables) and index are the migration's own.
    def described(name, _kind, _parent):
        return not tables.is_search_object(name)

    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_name": described})
        diff = compare_metadata(context, tables.metadata)
    assert diff == []


def test_migrating_twice_changes_nothing(engine):
    db.migrate(engine)
    assert db.schema_revision(engine) == db.head_revision()


def test_upgrading_a_used_database_keeps_its_people_and_devices(empty_db_url):
    """0003 rebuilds ``users`` (a new role); rows that reference users must survive it."""
    import sqlalchemy as sa
    from alembic import command
    from alembic.config import Config

    engine = db.create_engine(empty_db_url)
    try:
        config = Config()
        config.set_main_option("script_location", str(db.MIGRATIONS))
        with db.write_transaction(engine) as conn:
            config.attributes["connection"] = conn
            command.upgrade(config, "0002")
        with engine.begin() as conn:
            conn.execute(sa.text("INSERT INTO users VALUES ('u1', 'Amina', 'annotator', "
                                 "'[\"urd_Arab\"]', 'x', 'x')"))
            conn.execute(sa.text("INSERT INTO devices (id, user_id, enrolled_at) "
                                 "VALUES ('d1', 'u1', 'x')"))
        db.migrate(engine)
        assert db.schema_revision(engine) == db.head_revision()
        with engine.begin() as conn:
            users = conn.execute(sa.select(tables.users.c.name, tables.users.c.role,
                                           tables.users.c.blocked_at)).all()
            assert [tuple(u) for u in users] == [("Amina", "annotator", None)]
            assert conn.execute(sa.select(tables.devices.c.user_id)).scalars().all() == ["u1"]
            conn.execute(tables.users.update().values(role="auditor"))  # the new role
        with pytest.raises(sa.exc.IntegrityError), engine.begin() as conn:
            conn.execute(sa.text("INSERT INTO devices (id, user_id, enrolled_at) "
                                 "VALUES ('d2', 'nobody', 'x')"))  # references still checked
    finally:
        engine.dispose()
