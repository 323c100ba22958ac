"""Feedback in the app, as an annotator meets it: My work marks an item with new feedback,
shows the thread beside the text, takes one reply per comment, and reopens a rejected item
with feedback to be revised and submitted again.

The feedback arrives as a sync brings it (``syncstate.apply_pull_page``); the real sync with
a server is tests/sync/test_feedback_sync.py and the browser's end-to-end
tests/web/test_feedback_browser.py.
"""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from app import paths, syncstate
from app.store import Store
from tests.keys import type_text
from tests.test_workbench import click, click_row, go, seed, settle

COMMENT = "جواب ادھورا ہے: دودھ اور پتی بھی لکھیں۔"


@pytest.fixture
def data_dir(tmp_path):
    return seed(tmp_path)


@pytest.fixture
def window(open_app, data_dir):
    return open_app(data_dir, ui_language="en", active=True)


def _pull(data_dir, *records) -> None:
    """Apply a pull page holding these (entity, payload) records, as a sync does."""
    items = [SimpleNamespace(entity=entity, id=payload["id"], revision=revision,
                             deleted=False, payload=json.dumps(payload, ensure_ascii=False))
             for revision, (entity, payload) in enumerate(records, start=1)]
    with Store.open(paths.database_path(data_dir)) as store:
        syncstate.apply_pull_page(store, SimpleNamespace(items=items, next_cursor=99))


def _rejected_with_feedback(data_dir) -> tuple[str, str]:
    with Store.open(paths.database_path(data_dir)) as store:
        item = store.new_submission(language="urd_Arab", inputs="چائے کیسے بنائیں؟",
                                    targets="پانی ابالیں۔")
        store.submit(item.id)
        payload = {**store.submission(item.id).as_payload(), "state": "rejected",
                   "user_id": store.user_id}
        store.db.execute("DELETE FROM outbox")  # as if acknowledged
    comment = {"id": "c-1", "submission_id": item.id, "kind": "comment", "body": COMMENT,
               "author_name": "Farida", "reply_to": None, "created_at": "2026-12-06T10:00:00Z"}
    _pull(data_dir, ("submission", payload), ("comment", comment))
    return item.id, comment["id"]


def test_new_feedback_is_marked_shown_answered_once_and_revised(qtbot, window, data_dir):
    item_id, comment_id = _rejected_with_feedback(data_dir)
    screen = go(qtbot, window, 5, "urd_Arab")
    screen.activate()
    rows = {screen.model.index(r).data(Qt.UserRole + 1).id: r
            for r in range(screen.model.rowCount())}
    marked = screen.model.index(rows[item_id])
    assert marked.data(Qt.DisplayRole).endswith("new feedback")
    assert "new feedback" in marked.data(Qt.AccessibleDescriptionRole)

    click_row(qtbot, screen.list, marked.row())  # chosen: its feedback is seen
    panel = screen.feedback
    qtbot.waitUntil(panel.isVisible)
    assert COMMENT in panel.view.toPlainText() and "Farida" in panel.view.toPlainText()
    assert panel.revise.isVisible()
    settle(window)  # seen: no longer marked
    qtbot.waitUntil(lambda: not marked.data(Qt.DisplayRole).endswith("new feedback"))

    # One reply: typed, sent through the writer into the outbox; then no second one.
    panel.reply_box.setFocus()
    type_text(panel.reply_box, "شکریہ، درست کر دیا۔")
    click(qtbot, panel.send)
    settle(window)
    qtbot.waitUntil(lambda: "شکریہ" in panel.view.toPlainText())
    assert not panel.send.isVisible() and not panel.reply_box.isVisible()
    with Store.open(paths.database_path(data_dir), readonly=True) as store:
        [entry] = [e for e in store.outbox() if e.entity == "comment"]
        assert json.loads(entry.payload)["reply_to"] == comment_id

    # Revise: the item reopens as a draft in the Write screen, to be submitted again.
    click(qtbot, panel.revise)
    settle(window)
    qtbot.waitUntil(lambda: window.current_screen() is window.screens["write"])
    with Store.open(paths.database_path(data_dir), readonly=True) as store:
        assert store.submission(item_id).state == "draft"
    QApplication.processEvents()


def test_an_invisible_reply_is_refused_with_a_sentence(qtbot, window, data_dir):
    item_id, _ = _rejected_with_feedback(data_dir)
    screen = go(qtbot, window, 5, "urd_Arab")
    screen.activate()
    row = next(r for r in range(screen.model.rowCount())
               if screen.model.index(r).data(Qt.UserRole + 1).id == item_id)
    click_row(qtbot, screen.list, row)
    panel = screen.feedback
    assert panel.send.width() > 0
    panel.reply_box.setPlainText("\u200b \u200c")
    click(qtbot, panel.send)
    settle(window)
    qtbot.waitUntil(lambda: "visible" in panel.note.text(), timeout=2000)
    with Store.open(paths.database_path(data_dir), readonly=True) as store:
        assert [e for e in store.outbox() if e.entity == "comment"] == []


def test_items_without_feedback_show_no_panel(qtbot, window, data_dir):
    screen = go(qtbot, window, 5, "arb_Arab")
    screen.activate()
    screen.list.setCurrentIndex(screen.model.index(0))
    assert not screen.feedback.isVisible()
