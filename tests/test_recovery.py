"""Crash recovery, as an annotator meets it: after an unclean exit the app reopens the same
screen and item, with the keyboard focus in the same field and the caret where it was, and
says so once without taking the focus; after a clean exit it says nothing.

A "crash" here is what ``kill -9`` leaves behind: no closeEvent and no clean-exit mark, only
what the writer had made durable (tests/test_crash.py and tests/test_kill_display.py kill a
real process).
"""

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QApplication, QToolButton

from app import paths, session
from app.store import Store
from tests.keys import type_text
from tests.test_workbench import click_row, go, seed


@pytest.fixture
def data_dir(tmp_path):
    return seed(tmp_path)


def remembered(data_dir):
    with Store.open(paths.database_path(data_dir), readonly=True) as store:
        return session.recall(store)


def crash(window):
    """What kill -9 leaves: no closeEvent and no clean-exit mark (the keeper stops first)."""
    window.session.stop()
    window.hide()
    window.shutdown()


def set_caret(edit, position):
    cursor = edit.textCursor()
    cursor.setPosition(position)
    edit.setTextCursor(cursor)


# Each editing screen, brought to an item with the caret inside a field:
# returns (screen name, field name, the field widget of a window, caret position).


def at_write(qtbot, window):
    window.set_language("urd_Arab")
    qtbot.keyClick(window, Qt.Key_N, Qt.ControlModifier)
    editor = window.editor
    qtbot.waitUntil(lambda: editor.submission is not None and editor.prompt.hasFocus())
    type_text(editor.prompt, "چاول کیسے پکائیں؟")
    qtbot.keyClick(editor.prompt, Qt.Key_Tab)
    type_text(editor.completion, "پہلے چاول دھو لیں۔")
    set_caret(editor.completion, 5)
    return "write", "completion", lambda w: w.screens["write"].editor.completion, 5


def at_improve(qtbot, window):
    screen = go(qtbot, window, 2, "hin_Deva")
    click_row(qtbot, screen.task_view)
    qtbot.waitUntil(lambda: screen.submission is not None)
    qtbot.keyClick(window, Qt.Key_1, Qt.AltModifier)
    qtbot.keyClick(window, Qt.Key_3, Qt.AltModifier)
    qtbot.waitUntil(lambda: not screen.completion.edit.isReadOnly())
    screen.completion.edit.setFocus()
    screen.completion.edit.moveCursor(QTextCursor.End)
    type_text(screen.completion.edit, " है")
    set_caret(screen.completion.edit, 3)
    return "improve", "completion", lambda w: w.screens["improve"].completion.edit, 3


def at_review(qtbot, window):
    screen = go(qtbot, window, 3, "arb_Arab")
    click_row(qtbot, screen.task_view)
    qtbot.waitUntil(lambda: screen.task is not None)
    screen.reason.setFocus()
    type_text(screen.reason, "ينقصها تفصيل")
    screen.reason.setCursorPosition(4)
    return "review", "reason", lambda w: w.screens["review"].reason, 4


def at_postedit(qtbot, window):
    screen = go(qtbot, window, 4, "swh_Latn")
    click_row(qtbot, screen.task_view)
    qtbot.waitUntil(lambda: screen.submission is not None and screen.target.hasFocus())
    set_caret(screen.target, 7)
    return "postedit", "target", lambda w: w.screens["postedit"].target, 7


SCREENS = {"write": at_write, "improve": at_improve, "review": at_review,
           "postedit": at_postedit}


@pytest.mark.parametrize("name", list(SCREENS))
def test_the_place_is_remembered_as_it_changes_not_at_close(qtbot, open_app, data_dir, name):
    window = open_app(data_dir, active=True)
    screen_name, field, _widget, caret = SCREENS[name](qtbot, window)
    # The window stays open: the place is in the store already.
    qtbot.waitUntil(lambda: (p := remembered(data_dir)) is not None
                    and (p.screen, p.field, p.caret, p.at_end) == (screen_name, field, caret,
                                                                    False),
                    timeout=5000)
    assert window.isVisible()
    place = remembered(data_dir)
    assert place.language == window.current_language()
    assert place.item or place.task


@pytest.mark.parametrize("name", list(SCREENS))
def test_after_a_crash_the_same_item_field_and_caret_come_back_with_a_notice(
    qtbot, open_app, data_dir, name
):
    first = open_app(data_dir, active=True)
    screen_name, field, widget_of, caret = SCREENS[name](qtbot, first)
    before = first.current_screen().session_item()
    text = widget_of(first).text() if hasattr(widget_of(first), "text") else None
    qtbot.waitUntil(lambda: (p := remembered(data_dir)) is not None
                    and (p.field, p.caret, p.at_end) == (field, caret, False), timeout=5000)
    first.writer.flush()  # the typing reached the store (as "Saved" said)
    crash(first)

    again = open_app(data_dir, active=True)
    assert again.current_screen_name() == screen_name
    assert again.current_screen().session_item() == before
    field_widget = widget_of(again)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is field_widget)
    assert field_widget.isEnabled() and not field_widget.isReadOnly()
    position = (field_widget.textCursor().position() if hasattr(field_widget, "textCursor")
                else field_widget.cursorPosition())
    assert position == caret
    assert field_widget.text() == text
    qtbot.waitUntil(lambda: again.session.notice is not None)
    notice = again.session.notice
    assert notice.isVisible()
    assert "did not close properly" in notice.text()
    assert not notice.isAncestorOf(QApplication.focusWidget())


def test_typing_after_a_crash_goes_into_the_restored_field_at_the_caret(qtbot, open_app,
                                                                       data_dir):
    first = open_app(data_dir, active=True)
    at_write(qtbot, first)
    qtbot.waitUntil(lambda: (p := remembered(data_dir)) is not None
                    and (p.caret, p.at_end) == (5, False),
                    timeout=5000)
    first.writer.flush()
    item = first.editor.submission.id
    crash(first)
    again = open_app(data_dir, active=True)
    completion = again.editor.completion
    qtbot.waitUntil(completion.hasFocus)
    type_text(completion, "X")
    qtbot.waitUntil(lambda: again.editor.status.text() == "Saved", timeout=5000)
    with Store.open(paths.database_path(data_dir), readonly=True) as store:
        typed = "پہلے چاول دھو لیں۔"
        assert store.submission(item).targets == typed[:5] + "X" + typed[5:]


def test_a_clean_exit_reopens_the_place_without_a_notice(qtbot, open_app, data_dir):
    first = open_app(data_dir, active=True)
    at_postedit(qtbot, first)
    first.close()
    first.shutdown()
    again = open_app(data_dir, active=True)
    again.writer.flush()
    qtbot.wait(50)  # the start mark's answer has been delivered
    assert again.session.notice is None
    assert again.current_screen_name() == "postedit"
    qtbot.waitUntil(lambda: QApplication.focusWidget() is again.screens["postedit"].target)


def test_the_notice_is_said_once(qtbot, open_app, data_dir):
    first = open_app(data_dir, active=True)
    at_write(qtbot, first)
    first.writer.flush()
    crash(first)
    second = open_app(data_dir, active=True)
    qtbot.waitUntil(lambda: second.session.notice is not None)
    second.close()
    second.shutdown()
    third = open_app(data_dir, active=True)
    third.writer.flush()
    qtbot.wait(50)  # the start mark's answer has been delivered
    assert third.session.notice is None


def test_the_notice_does_not_take_the_focus_and_closes_without_moving_it(qtbot, open_app,
                                                                         data_dir):
    first = open_app(data_dir, active=True)
    at_write(qtbot, first)
    first.writer.flush()
    crash(first)
    again = open_app(data_dir, ui_language="ur", active=True)
    completion = again.editor.completion
    qtbot.waitUntil(completion.hasFocus)
    qtbot.waitUntil(lambda: again.session.notice is not None)
    notice = again.session.notice
    assert completion.hasFocus()
    assert notice.text() and "did not close properly" not in notice.text()  # in Urdu
    assert notice.focusPolicy() == Qt.NoFocus
    close = notice.findChild(QToolButton, "recoveryNoticeClose")
    assert close.focusPolicy() == Qt.NoFocus
    qtbot.mouseClick(close, Qt.LeftButton)
    assert not notice.isVisible()
    assert completion.hasFocus()


def test_a_place_whose_item_is_gone_opens_the_screen_without_error(qtbot, open_app,
                                                                   data_dir):
    with Store.open(paths.database_path(data_dir)) as store:
        session.remember(store, session.Place(screen="improve", language="hin_Deva",
                                              item="no-such-item", field="completion"))
    window = open_app(data_dir, active=True)
    assert window.current_screen_name() == "improve"
    assert window.current_screen().submission is None


def test_a_damaged_place_is_forgotten(store):
    from app.syncstate import set_meta

    set_meta(store, session.PLACE_KEY, "{not json")
    assert session.recall(store) is None
    set_meta(store, session.PLACE_KEY, '{"screen": 3, "caret": "x"}')
    assert session.recall(store) is None


def test_the_running_mark_tells_a_crash_from_a_clean_exit(store):
    assert session.start(store) is None          # first start
    assert session.start(store) is not None      # started again without a clean end
    session.end(store)
    assert session.start(store) is None


# --- an editor that cannot take input says why ------------------------------------------------


def test_the_empty_write_editor_after_a_restart_says_why_typing_goes_nowhere(qtbot, open_app,
                                                                            data_dir):
    window = open_app(data_dir, active=True)
    editor = window.editor
    assert editor.submission is None
    assert editor.prompt.isEnabled()                       # focusable, not a grey box
    assert "Ctrl+N" in editor.prompt.placeholderText()
    editor.prompt.setFocus()
    type_text(editor.prompt, "a")
    assert editor.prompt.text() == ""
    assert "Ctrl+N" in editor.status.text() and editor.status.property("error")


def test_typing_into_an_unrated_improve_copy_says_to_rate_first(qtbot, open_app, data_dir):
    window = open_app(data_dir, active=True)
    screen = go(qtbot, window, 2, "hin_Deva")
    click_row(qtbot, screen.task_view)
    qtbot.waitUntil(lambda: screen.submission is not None)
    screen.prompt.edit.setFocus()
    type_text(screen.prompt.edit, "x")
    assert "Alt+1" in screen.status.text()
    assert screen.prompt.edit.text() == "भारत की राजधानी क्या है?"


def test_typing_into_post_edit_with_no_segment_says_what_to_do(qtbot, open_app, data_dir):
    window = open_app(data_dir, active=True)
    screen = go(qtbot, window, 4, "swh_Latn")
    assert screen.submission is None and screen.target.isEnabled()
    screen.target.setFocus()
    type_text(screen.target, "x")
    assert "segment" in screen.status.text() and screen.target.text() == ""


@pytest.mark.parametrize(("at_end", "expected"), [(True, 17), (False, 3)])
def test_a_caret_that_was_at_the_end_follows_text_saved_after_it_was_remembered(
    qtbot, open_app, data_dir, at_end, expected
):
    # The caret is remembered within 0.3 s, the text within 1.5 s: a kill between the two
    # must not leave the caret in the middle of what was typed last.
    with Store.open(paths.database_path(data_dir)) as store:
        draft = store.new_submission(language="swh_Latn")
        store.save_draft(draft.id, inputs="Habari ya asubuhi", targets="")
        session.remember(store, session.Place(
            screen="write", language="swh_Latn", item=draft.id, field="prompt", caret=3,
            at_end=at_end))
    window = open_app(data_dir, active=True)
    prompt = window.editor.prompt
    qtbot.waitUntil(prompt.hasFocus)
    assert prompt.textCursor().position() == expected


def test_the_item_an_older_version_remembered_at_close_still_reopens(qtbot, open_app,
                                                                     data_dir):
    from ui.application import _settings

    with Store.open(paths.database_path(data_dir)) as store:
        draft = store.new_submission(language="swh_Latn")
        store.save_draft(draft.id, inputs="Habari", targets="")
    settings = _settings(data_dir)
    settings.setValue("last_submission", draft.id)
    settings.sync()
    window = open_app(data_dir, active=True)
    assert window.current_screen_name() == "write"
    assert window.editor.submission.id == draft.id
