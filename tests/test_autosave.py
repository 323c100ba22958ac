"""Autosave with a ceiling, and a full disk: steady typing is saved at least every second (not
only after a pause), and a full disk is said as what it is, keeps the text on screen and
saving resumes by itself once space is freed."""

import time

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication

from app import paths
from app.store import Store
from ui.autosave import AUTOSAVE_CEILING_MS, AUTOSAVE_DELAY_MS


@pytest.fixture
def window(open_app, tmp_path):
    return open_app(tmp_path, active=True)


def new_item(qtbot, window, language="swh_Latn"):
    window.set_language(language)
    qtbot.keyClick(window, Qt.Key_N, Qt.ControlModifier)
    editor = window.editor
    qtbot.waitUntil(lambda: editor.submission is not None and editor.prompt.hasFocus())
    return editor


def press(widget, char):
    for kind in (QEvent.KeyPress, QEvent.KeyRelease):
        QApplication.sendEvent(widget, QKeyEvent(kind, Qt.Key_unknown, Qt.NoModifier, char))


def test_steady_typing_is_saved_at_least_every_ceiling_not_only_after_a_pause(qtbot, window):
    editor = new_item(qtbot, window)
    saves: list[tuple[float, str]] = []
    editor.saved.connect(lambda s: saves.append((time.monotonic(), s.inputs)))
    typed: list[float] = []
    started = time.monotonic()
    while time.monotonic() - started < 3.0:   # a keystroke every 100 ms for 3 s: no pause
        press(editor.prompt, "a")
        typed.append(time.monotonic())
        qtbot.wait(100)
    during = [at for at, _text in saves if at <= typed[-1]]
    assert len(during) >= 1, "nothing was saved while typing went on"
    # The longest stretch of typing that was never saved: from each keystroke to the first
    # save that holds it.
    worst = 0.0
    for n, at in enumerate(typed, start=1):
        holding = [saved_at for saved_at, text in saves if len(text) >= n]
        if holding:
            worst = max(worst, min(holding) - at)
    assert worst < 2 * AUTOSAVE_CEILING_MS / 1000  # bound, not a benchmark (ceiling 1 s)


def test_a_pause_still_saves_after_the_short_delay(qtbot, window):
    editor = new_item(qtbot, window)
    press(editor.prompt, "b")
    qtbot.waitUntil(lambda: editor.status.text() == "Saved", timeout=20 * AUTOSAVE_DELAY_MS)


def fill_disk(window):
    """No room for one more page in the writer's database (SQLite's own "database or disk is
    full"), until :func:`free_disk`."""
    def full(store):
        pages = store.db.execute("PRAGMA page_count").fetchone()[0]
        store.db.execute(f"PRAGMA max_page_count = {pages}")
    window.writer.run(full).result()


def free_disk(window):
    window.writer.run(lambda store: store.db.execute("PRAGMA max_page_count = 1073741823"))


def test_a_full_disk_is_said_keeps_the_text_and_saving_resumes_by_itself(qtbot, window,
                                                                        tmp_path):
    editor = new_item(qtbot, window)
    press(editor.prompt, "K")
    qtbot.waitUntil(lambda: editor.status.text() == "Saved", timeout=5000)
    fill_disk(window)
    long_text = "Maji safi hupunguza magonjwa. " * 2000
    editor.prompt.insertPlainText(long_text)
    qtbot.waitUntil(lambda: editor.status.property("error") is True, timeout=5000)
    said = editor.status.text()
    assert "disk is full" in said and "saved by itself" in said
    assert "database or disk is full" not in said
    assert editor.prompt.text() == "K" + long_text             # the text stays
    press(editor.prompt, "!")                                   # typing on does not hide it
    assert editor.status.text() == said
    with Store.open(paths.database_path(tmp_path), readonly=True) as store:
        assert store.integrity_check() == "ok"
        assert store.submission(editor.submission.id).inputs == "K"  # nothing half-written
    free_disk(window)
    qtbot.waitUntil(lambda: editor.status.text() == "Saved", timeout=15000)  # by itself
    with Store.open(paths.database_path(tmp_path), readonly=True) as store:
        assert store.submission(editor.submission.id).inputs == "K" + long_text + "!"


def test_an_item_left_while_the_disk_is_full_is_saved_once_there_is_room(qtbot, window,
                                                                         tmp_path):
    editor = new_item(qtbot, window)
    first = editor.submission.id
    press(editor.prompt, "Z")
    qtbot.waitUntil(lambda: editor.status.text() == "Saved", timeout=5000)
    fill_disk(window)
    editor.prompt.insertPlainText("y" * 60_000)
    qtbot.waitUntil(lambda: editor.status.property("error") is True, timeout=5000)
    qtbot.keyClick(window, Qt.Key_N, Qt.ControlModifier)  # another item: the first is left
    qtbot.waitUntil(lambda: editor.submission is None)
    free_disk(window)

    def stored():
        with Store.open(paths.database_path(tmp_path), readonly=True) as store:
            return store.submission(first).inputs

    qtbot.waitUntil(lambda: stored() == "Z" + "y" * 60_000, timeout=15000)
