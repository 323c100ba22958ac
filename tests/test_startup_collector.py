"""The cyclic garbage collector during the app's start-up (app/collector.py,
ui/application.py): paused from the first import of the window to its first paint, then
given back with what start-up made frozen, whatever way the start ends."""

import gc

import pytest

from app import collector
from app.errors import StoreError


@pytest.fixture(autouse=True)
def _collector_on():
    assert gc.isenabled(), "a test before this one left the collector off"
    yield
    gc.enable()


def test_pauses_are_counted_and_each_is_given_back_once():
    first = collector.pause()
    second = collector.pause()
    assert not gc.isenabled()
    first()
    first()  # again: not counted twice, the second pause still holds
    assert not gc.isenabled()
    second()
    assert gc.isenabled()


def test_a_collector_that_was_off_stays_off():
    gc.disable()
    resume = collector.pause()
    resume()
    assert not gc.isenabled()


def test_a_block_and_a_pause_overlap():
    resume = collector.pause()
    with collector.collector_paused():
        assert not gc.isenabled()
    assert not gc.isenabled()  # the pause across the block still holds
    resume()
    assert gc.isenabled()


def test_the_window_starts_with_the_collector_paused_and_gives_it_back_after_painting(
        qtbot, tmp_path):
    from ui.application import open_window

    frozen_before = gc.get_freeze_count()
    window = open_window(tmp_path, ui_language="en")
    qtbot.addWidget(window)
    try:
        assert not gc.isenabled()  # built, not yet painted
        window.show()
        qtbot.waitUntil(gc.isenabled)
        # What start-up made is out of the collector's sight: the store, Qt's wrappers.
        assert gc.get_freeze_count() > frozen_before
    finally:
        window.close()
        window.shutdown()


def test_a_window_never_shown_gives_the_collector_back_within_a_second(qtbot, tmp_path):
    from ui.application import open_window

    window = open_window(tmp_path, ui_language="en")
    qtbot.addWidget(window)
    try:
        assert not gc.isenabled()
        qtbot.waitUntil(gc.isenabled, timeout=5000)  # bound, not a benchmark
    finally:
        window.shutdown()


def test_a_window_deleted_before_painting_gives_the_collector_back(qtbot, tmp_path):
    from PySide6.QtCore import QEvent
    from PySide6.QtWidgets import QApplication

    from ui.application import open_window

    window = open_window(tmp_path, ui_language="en")
    window.shutdown()
    window.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.DeferredDelete)
    assert gc.isenabled()


def test_a_start_that_fails_gives_the_collector_back(tmp_path):
    from ui.application import open_window

    (tmp_path / "qalam.db").write_bytes(b"not a database, but a note about one" * 100)
    with pytest.raises(StoreError):
        open_window(tmp_path, ui_language="en")
    assert gc.isenabled()
