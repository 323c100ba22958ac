"""How a serving process queues its writers and keeps its collector out of a push's way
(sync.server.db.write_transaction, sync.server.api.factory.serving_app)."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import sqlalchemy as sa

from sync.server import db, tables

ROOT = Path(__file__).resolve().parents[2]


def test_sqlite_writers_of_one_process_queue_before_taking_a_connection(tmp_path):
    # SQLite's own busy handler sleeps up to 100 ms between tries, leaving the database idle
    # after a commit; writers of one process wait on a lock of their own instead, holding no
    # connection meanwhile, and the next one starts as soon as the first commits.
    engine = db.create_engine(f"sqlite:///{tmp_path / 'server.db'}")
    db.migrate(engine)
    entered, release = threading.Event(), threading.Event()
    order = []

    def second():
        with db.write_transaction(engine) as conn:
            order.append(conn.execute(sa.select(sa.func.count()).select_from(
                tables.counters)).scalar())
            entered.set()

    with db.write_transaction(engine) as conn:
        conn.execute(tables.counters.insert().values(name="probe", value=1))
        waiting = threading.Thread(target=second)
        waiting.start()
        assert not entered.wait(0.3)
        assert engine.pool.checkedout() == 1  # the second writer holds no connection yet
        release.set()
    assert entered.wait(10)  # bound, not a benchmark
    waiting.join(10)
    assert order == [2]  # it saw the first writer's row: it began after that commit
    engine.dispose()


def test_a_serving_process_freezes_what_it_loaded_before_serving(tmp_path):
    # Full collections during a push walked every module, model and table loaded at start
    # (about a fifth of a push's CPU); the serving app moves them out of the collector's sight.
    url = f"sqlite:///{tmp_path / 'server.db'}"
    code = ("import gc, sys; from sync.server import db; from sync.server.api import factory;"
            "engine = db.create_engine(sys.argv[1]); db.migrate(engine); engine.dispose();"
            "before = gc.get_freeze_count();"
            "factory.serving_app(sys.argv[1], connections=4, job_threads=0);"
            "print(before, gc.get_freeze_count())")
    out = subprocess.run([sys.executable, "-c", code, url], cwd=ROOT, capture_output=True,
                         text=True, timeout=120, check=True).stdout.split()
    before, after = map(int, out)
    assert before == 0 and after > 100_000
