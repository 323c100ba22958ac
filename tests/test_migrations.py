import hashlib
import sqlite3

import pytest
from sqlite_utils import Database

from app import schema
from app.errors import SchemaTooNew, StoreError
from app.store import Store


def _digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_database_of_the_first_schema_opens_and_keeps_its_data(tmp_path):
    path = tmp_path / "old.db"
    old = Database(sqlite3.connect(path, isolation_level=None))
    schema.migrations.apply(old, stop_before="m002_search")  # as version 1 shipped
    old.execute(
        "INSERT INTO submissions (id, kind, language, inputs, targets, created_at, updated_at) "
        "VALUES ('s1', 'original', 'urd_Arab', 'پرانا سوال', 'پرانا جواب', 'x', 'x')"
    )
    old.close()

    with Store.open(path) as store:
        assert store.submission("s1").targets == "پرانا جواب"
        assert [s.id for s in store.search("پرانا")] == ["s1"]  # indexed on upgrade
        assert store.db.execute("PRAGMA user_version").fetchone()[0] == len(
            schema.known_migrations()
        )
        assert store.integrity_check() == "ok"


def test_a_database_from_a_newer_qalam_is_refused_and_left_untouched(tmp_path):
    path = tmp_path / "newer.db"
    with Store.open(path) as store:
        store.db.execute(
            "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
            "VALUES ('qalam', 'm999_from_the_future', 'later')"
        )
    before = _digest(path)
    with pytest.raises(SchemaTooNew, match="newer version of Qalam"):
        Store.open(path)
    assert _digest(path) == before


def test_a_file_that_is_not_a_database_is_refused_and_left_untouched(tmp_path):
    path = tmp_path / "notes.db"
    path.write_bytes(b"these are my notes, not a database" * 100)
    before = _digest(path)
    with pytest.raises(StoreError, match="not a Qalam database"):
        Store.open(path)
    assert _digest(path) == before


def test_migrations_are_idempotent(tmp_path):
    for _ in range(3):
        Store.open(tmp_path / "q.db").close()
    with Store.open(tmp_path / "q.db") as store:
        applied = [m.name for m in schema.migrations.applied(store.db.utils)]
    assert applied == schema.known_migrations()


def test_the_store_knows_how_many_steps_the_schema_has():
    # A store at this many steps opens without importing them (app.store._is_current):
    # a new step must raise the count, or stores would not be migrated to it.
    from app import store

    assert len(schema.known_migrations()) == store.SCHEMA_STEPS


@pytest.mark.parametrize("newer", ["step recorded", "user_version"])
def test_a_newer_store_is_refused_however_it_says_so(tmp_path, newer):
    path = tmp_path / "newer.db"
    Store.open(path).close()
    conn = sqlite3.connect(path, isolation_level=None)
    if newer == "step recorded":  # a newer Qalam stopped after its step, before user_version
        conn.execute("INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
                     "VALUES ('qalam', 'm999_from_the_future', 'later')")
    else:
        conn.execute(f"PRAGMA user_version = {len(schema.known_migrations()) + 1}")
    conn.close()
    before = _digest(path)
    with pytest.raises(SchemaTooNew, match="newer version of Qalam"):
        Store.open(path)
    assert _digest(path) == before
