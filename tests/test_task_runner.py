"""The one task runner (ui/tasks.py): writes one at a time and in order, reads and the
network beside them, everything back on the UI thread, one default for an unheard failure,
one shutdown."""

import logging
import threading

import pytest
from PySide6.QtWidgets import QApplication

from app.store import Store
from ui.tasks import TaskRunner


@pytest.fixture
def tasks(qapp, tmp_path):
    runner = TaskRunner(tmp_path / "qalam.db")
    yield runner
    runner.close()


def settle(tasks):
    for lane in (tasks.writer, tasks.reader):
        lane.flush()
    QApplication.processEvents()


def test_writes_run_in_order_and_every_outcome_comes_back_on_the_ui_thread(qtbot, tasks):
    done, threads = [], []

    def add(store, n):
        threads.append(threading.current_thread().name)
        return store.new_submission(language="swh_Latn", inputs=str(n)).inputs

    for n in range(5):
        tasks.writer.run(lambda store, n=n: add(store, n), on_done=lambda value: done.append(
            (value, threading.current_thread() is threading.main_thread())))
    qtbot.waitUntil(lambda: len(done) == 5)
    assert done == [(str(n), True) for n in range(5)]
    assert set(threads) == {"qalam-writer_0"}  # one writer thread, whatever the caller
    counted = []
    tasks.reader.run(lambda store: store.count_submissions(), on_done=counted.append)
    qtbot.waitUntil(lambda: counted == [5])


def test_a_failure_nobody_listens_for_is_logged_once_with_its_traceback(qtbot, tasks, caplog):
    def broken(_store):
        raise KeyError("no such thing")

    with caplog.at_level(logging.ERROR, logger="ui.tasks"):
        future = tasks.writer.run(broken)
        qtbot.waitUntil(lambda: bool(caplog.records))
    (record,) = caplog.records
    assert record.exc_info[0] is KeyError  # the traceback, for whoever reads the log
    assert isinstance(future.exception(), KeyError)  # and the future holds it too
    heard = []
    tasks.io.run(lambda: 1 / 0, on_error=heard.append)
    qtbot.waitUntil(lambda: bool(heard))
    assert isinstance(heard[0], ZeroDivisionError) and len(caplog.records) == 1


def test_the_ui_thread_is_refused_a_wait_on_a_lane(tasks):
    with pytest.raises(RuntimeError, match="never waits"):
        tasks.writer.call(lambda store: None)


def test_the_io_lane_stores_through_the_writer_and_reports_progress_in_order(qtbot, tasks):
    progress, done = [], []

    def job():
        report = tasks.to_ui(progress.append)
        for n in range(3):
            report(n)
        return tasks.writer.call(lambda store: store.add_tasks(
            [{"id": "t1", "kind": "original", "language": "yor_Latn"}]))

    tasks.io.run(job, on_done=done.append)
    qtbot.waitUntil(lambda: done == [1])
    assert progress == [0, 1, 2]


def test_then_calls_back_once_the_writes_queued_before_it_have_landed(qtbot, tasks, tmp_path):
    seen = []
    tasks.writer.run(lambda store: store.new_submission(language="swh_Latn", inputs="x"))
    tasks.writer.then(lambda: seen.append(_count(tmp_path)))
    qtbot.waitUntil(lambda: bool(seen))
    assert seen == [1]


def _count(folder) -> int:
    with Store.open(folder / "qalam.db", readonly=True) as store:
        return store.count_submissions()


def test_closing_lands_queued_writes_drops_reads_and_still_reports_the_writes(qtbot, tmp_path):
    tasks = TaskRunner(tmp_path / "qalam.db")
    release = threading.Event()
    tasks.reader.run(lambda store: release.wait(5))  # the reader is busy...
    read, written = [], []
    tasks.reader.run(lambda store: "late", on_done=read.append)  # ...so this one waits
    for n in range(3):
        tasks.writer.run(lambda store, n=n: store.new_submission(language="swh_Latn",
                                                                 inputs=str(n)),
                         on_done=written.append)
    release.set()
    tasks.close()
    QApplication.processEvents()
    assert _count(tmp_path) == 3  # nothing queued for the writer was dropped
    assert read == []  # a read queued before the close is not delivered
    assert [s.inputs for s in written] == ["0", "1", "2"]  # what is durable is still said
    assert tasks.reader.run(lambda store: None) is None
    with pytest.raises(RuntimeError):
        tasks.writer.run(lambda store: None)  # a write after the end is refused, loudly
