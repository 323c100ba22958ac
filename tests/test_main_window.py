"""The first window, driven as a person would: keys and clicks, then a look in the store."""

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QApplication

from app import paths
from app.store import Store
from tests.keys import type_text

TASKS = [
    {"id": "t-urd", "project_id": None, "kind": "original", "language": "urd_Arab",
     "instructions": "کھانا پکانے کے بارے میں ایک سوال لکھیں۔"},
    {"id": "t-hin", "project_id": None, "kind": "reannotation", "language": "hin_Deva",
     "origin": "templated", "inputs": "भारत की राजधानी?", "targets": "दिल्ली"},
]


@pytest.fixture
def data_dir(tmp_path):
    with Store.open(paths.database_path(tmp_path)) as store:
        store.add_tasks(TASKS)
    return tmp_path


@pytest.fixture
def window(open_app, data_dir):
    return open_app(data_dir)


def stored(data_dir):
    with Store.open(paths.database_path(data_dir), readonly=True) as store:
        return store.submissions()


def new_item(qtbot, window, language="urd_Arab"):
    window.set_language(language)
    qtbot.keyClick(window, Qt.Key_N, Qt.ControlModifier)
    editor = window.editor
    qtbot.waitUntil(lambda: editor.submission is not None and editor.prompt.hasFocus())
    return editor


def wait_saved(qtbot, editor):
    qtbot.waitUntil(lambda: editor.status.text() == "Saved", timeout=5000)


def test_typing_autosaves_and_says_saved_only_when_durable(qtbot, window, data_dir):
    editor = new_item(qtbot, window)
    type_text(editor.prompt, "چاول کیسے پکائیں؟")
    qtbot.keyClick(editor.prompt, Qt.Key_Tab)        # focus moves on: saves at once
    type_text(editor.completion, "پہلے چاول دھو لیں۔")
    wait_saved(qtbot, editor)
    (item,) = stored(data_dir)
    assert (item.inputs, item.targets, item.language) == (
        "چاول کیسے پکائیں؟", "پہلے چاول دھو لیں۔", "urd_Arab"
    )
    qtbot.keyClick(window, Qt.Key_5, Qt.ControlModifier)    # My work lists it
    assert window.submissions.rowCount() == 1


def test_ctrl_enter_submits(qtbot, window, data_dir):
    editor = new_item(qtbot, window, "swh_Latn")
    type_text(editor.prompt, "Habari ya asubuhi?")
    editor.completion.setFocus()
    type_text(editor.completion, "Nzuri sana, asante.")
    qtbot.keyClick(editor.completion, Qt.Key_Return, Qt.ControlModifier)
    qtbot.waitUntil(lambda: editor.status.text() == "Submitted", timeout=5000)
    (item,) = stored(data_dir)
    assert item.state == "submitted" and item.targets == "Nzuri sana, asante."
    assert editor.completion.isReadOnly()


def test_closing_the_window_saves_what_was_typed(qtbot, window, data_dir):
    editor = new_item(qtbot, window, "amh_Ethi")
    type_text(editor.prompt, "ሰላም እንዴት ነህ?")
    window.close()  # no wait for the autosave timer
    (item,) = stored(data_dir)
    assert item.inputs == "ሰላም እንዴት ነህ?"


def test_picking_a_task_opens_a_prefilled_item(qtbot, window, data_dir):
    window.set_language("hin_Deva")
    qtbot.keyClick(window, Qt.Key_2, Qt.ControlModifier)      # Improve
    screen = window.screens["improve"]
    index = screen.tasks.index(0)
    rect = screen.task_view.visualRect(index)
    qtbot.mouseClick(screen.task_view.viewport(), Qt.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: screen.submission is not None)
    assert screen.prompt.edit.text() == "भारत की राजधानी?"
    assert screen.prompt.original.text() == "भारत की राजधानी?"
    qtbot.keyClick(window, Qt.Key_1, Qt.AltModifier)          # prompt: thumbs up
    qtbot.keyClick(window, Qt.Key_4, Qt.AltModifier)          # completion: thumbs down
    qtbot.waitUntil(lambda: not screen.completion.edit.isReadOnly())
    screen.completion.edit.setFocus()
    screen.completion.edit.moveCursor(QTextCursor.End)
    type_text(screen.completion.edit, " है।")
    qtbot.waitUntil(lambda: screen.status.text() == "Saved", timeout=5000)
    (item,) = stored(data_dir)
    assert item.task_id == "t-hin" and item.targets == "दिल्ली है।"
    assert item.kind == "reannotation"


def test_rejected_text_is_kept_on_screen_and_the_saved_draft_is_untouched(qtbot, window,
                                                                          data_dir):
    editor = new_item(qtbot, window, "fra_Latn")
    type_text(editor.prompt, "Bonjour")
    wait_saved(qtbot, editor)
    QApplication.clipboard().setText("mauvais\x00octet")
    qtbot.keyClick(editor.prompt, Qt.Key_V, Qt.ControlModifier)
    editor.save_now()
    qtbot.waitUntil(lambda: editor.status.text().startswith("Not saved"), timeout=5000)
    assert "NUL" in editor.status.text()
    assert "mauvais" in editor.prompt.text()
    (item,) = stored(data_dir)
    assert item.inputs == "Bonjour"


def _cursor_x(edit, position):
    cursor = edit.textCursor()
    cursor.setPosition(position)
    edit.setTextCursor(cursor)
    return edit.cursorRect().center().x()


def _edge_positions(edit):
    """x of the cursor before the first and after the last character of the first line."""
    return _cursor_x(edit, 0), _cursor_x(edit, len(edit.document().firstBlock().text()))


@pytest.mark.parametrize(
    ("text", "leading_latin"),
    [("یہ ایک اردو جملہ ہے", ""), ("Python میں فہرست کیسے بنائیں", "Python")],
)
def test_urdu_content_is_a_right_aligned_rtl_paragraph_in_an_english_ui(
    qtbot, window, text, leading_latin
):
    editor = new_item(qtbot, window, "urd_Arab")
    assert window.layoutDirection() == Qt.LeftToRight
    type_text(editor.completion, text)
    right_edge = editor.completion.viewport().width()
    first, last = _edge_positions(editor.completion)
    assert last < first - 50  # the paragraph runs right to left...
    if leading_latin:
        # ...and a leading Latin word sits rightmost (itself left to right), so the paragraph
        # starts at its left end, one word's width from the right edge, never at the left.
        assert first > right_edge - 20 - editor.completion.fontMetrics().horizontalAdvance(
            leading_latin
        )
    else:
        assert first > right_edge - 20  # the first character at the right edge


def test_english_content_stays_left_to_right(qtbot, window):
    editor = new_item(qtbot, window, "fra_Latn")
    type_text(editor.completion, "Le mil pousse bien ici")
    first, last = _edge_positions(editor.completion)
    assert first < 20 and last > first
