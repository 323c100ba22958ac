"""Every change to the store is an operation (ui/operations.py), driven here as a person would:
a failure reaches the person through error_text (a sentence, never a Python repr), and what
an operation changed reaches the screens that show it through the window's one signal."""

import json

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from app import clock, paths
from app import profile as app_profile
from app.profile import Profile
from app.store import Store
from i18n.bidi import strip_isolates
from sync import device
from sync.client import SyncReport
from tests.keys import type_text
from tests.test_workbench import click, click_row, go, seed
from ui.models import ItemRole
from ui.operations import Changes

# What a bug looks like inside: a message no annotator should read.
BOOM = "boom: <app.store.Store object at 0x7f3a2c1d0e50>"
SENTENCE = "Something unexpected went wrong; the details are in Qalam's log."


class Boom(RuntimeError):
    pass


def boom(*_args, **_kwargs):
    raise Boom(BOOM)


def plain(text: str) -> str:
    """``text`` as read, after checking it holds no trace of the Python error."""
    text = strip_isolates(text)
    assert "boom" not in text and "object at" not in text and "Boom" not in text, text
    return text


@pytest.fixture
def window(open_app, tmp_path):
    return open_app(seed(tmp_path), ui_language="en", active=True)


def changes_seen(window) -> list:
    seen = []
    window.changes_made.connect(lambda changes, initiator: seen.append((changes, initiator)))
    return seen


def new_write_item(qtbot, window):
    window.set_language("urd_Arab")
    qtbot.keyClick(window, Qt.Key_N, Qt.ControlModifier)
    editor = window.editor
    qtbot.waitUntil(lambda: editor.submission is not None and editor.prompt.hasFocus())
    return editor


def item_with_two_revisions(data_dir) -> str:
    with Store.open(paths.database_path(data_dir)) as store:
        item = store.new_submission(language="urd_Arab", inputs="پہلا", targets="جواب")
        # an older editing session, then a newer one: two revisions
        store.db.execute("UPDATE revisions SET created_at = '2026-01-01T00:00:00.000Z'")
        store.save_draft(item.id, inputs="پہلا سوال", targets="پورا جواب")
    return item.id


def open_history(qtbot, window):
    screen = go(qtbot, window, 5, "urd_Arab")
    qtbot.waitUntil(lambda: screen.revisions.count() == 2, timeout=5000)
    screen.revisions.clearSelection()
    screen.revisions.item(1).setSelected(True)  # the first revision (the newest is on top)
    return screen


# --- a failure is a sentence -------------------------------------------------------------------


def test_an_item_that_cannot_be_started_says_so_in_a_sentence(qtbot, window, monkeypatch):
    monkeypatch.setattr(Store, "new_submission", boom)
    window.set_language("urd_Arab")
    qtbot.keyClick(window, Qt.Key_N, Qt.ControlModifier)
    qtbot.waitUntil(lambda: SENTENCE in window.statusBar().currentMessage(), timeout=5000)
    assert plain(window.editor.status.text()) == SENTENCE


def test_a_draft_that_cannot_be_saved_says_so_in_a_sentence(qtbot, window, monkeypatch):
    editor = new_write_item(qtbot, window)
    monkeypatch.setattr(Store, "save_draft", boom)
    type_text(editor.prompt, "چائے")
    editor.save_now()
    qtbot.waitUntil(lambda: editor.status.text().startswith("Not saved"), timeout=5000)
    assert plain(editor.status.text()) == f"Not saved: {SENTENCE}"
    assert editor.prompt.text() == "چائے"  # what was typed stays


def test_a_rating_that_cannot_be_saved_says_so_in_a_sentence(qtbot, window, monkeypatch):
    screen = go(qtbot, window, 2, "hin_Deva")
    click_row(qtbot, screen.task_view)
    qtbot.waitUntil(lambda: screen.submission is not None, timeout=5000)
    monkeypatch.setattr(Store, "rate", boom)
    qtbot.keyClick(window, Qt.Key_1, Qt.AltModifier)
    qtbot.waitUntil(lambda: screen.status.text().startswith("Not saved"), timeout=5000)
    assert plain(screen.status.text()) == f"Not saved: {SENTENCE}"


def test_a_revision_that_cannot_be_restored_says_so_in_a_sentence(qtbot, open_app, tmp_path,
                                                                  monkeypatch):
    item_with_two_revisions(seed(tmp_path))
    window = open_app(tmp_path, ui_language="en", active=True)
    screen = open_history(qtbot, window)
    monkeypatch.setattr(Store, "restore_revision", boom)
    click(qtbot, screen.restore_button)
    qtbot.waitUntil(lambda: SENTENCE in screen.status.text(), timeout=5000)
    assert plain(screen.status.text()) == SENTENCE


@pytest.mark.parametrize("failing", ["save_review", "submit_review"])
def test_a_review_that_cannot_be_saved_or_submitted_says_so_in_a_sentence(
        qtbot, window, monkeypatch, failing):
    screen = go(qtbot, window, 3, "arb_Arab")
    click_row(qtbot, screen.task_view)
    qtbot.waitUntil(lambda: screen.task is not None)
    monkeypatch.setattr(Store, failing, boom)
    qtbot.keyClick(screen.scores["inputs"], Qt.Key_4)
    qtbot.keyClick(screen.scores["targets"], Qt.Key_4)
    if failing == "submit_review":
        qtbot.keyClick(window, Qt.Key_Return, Qt.ControlModifier)
    said = "Not submitted" if failing == "submit_review" else "Not saved"
    qtbot.waitUntil(lambda: screen.status.text().startswith(said), timeout=5000)
    assert plain(screen.status.text()) == f"{said}: {SENTENCE}"


def test_a_profile_that_cannot_be_saved_says_so_in_a_sentence(qtbot, window, monkeypatch):
    from ui.dialogs.profile import ProfileDialog

    dialog = ProfileDialog(Profile(), ["urd_Arab"], window.context, window)
    qtbot.addWidget(dialog)
    dialog.show()
    monkeypatch.setattr(app_profile, "save", boom)
    dialog.save()
    qtbot.waitUntil(lambda: dialog.error.isVisible(), timeout=5000)
    assert plain(dialog.error.text()) == SENTENCE
    assert dialog.save_button.isEnabled()  # ready to try again


def add_conflict(window) -> None:
    payload = json.dumps({"inputs": "سؤال", "targets": "جواب", "language": "arb_Arab"})
    window.writer.run(lambda store: store.db.execute(
        "INSERT INTO conflicts (id, entity, record_id, local_payload, server_payload, "
        "server_revision, created_at) VALUES ('c1', 'submission', 's1', ?, ?, 2, ?)",
        [payload, payload, clock.utc_now()])).result()


def test_a_conflict_that_cannot_be_resolved_says_so_in_a_sentence(qtbot, window,
                                                                  monkeypatch):
    from app import syncstate

    add_conflict(window)
    window.show_sync_panel()
    panel = window._sync_panel
    panel.refresh()
    panel.conflicts.setCurrentRow(0)
    monkeypatch.setattr(syncstate, "resolve_conflict", boom)
    panel._resolve("local")  # before, a failure here was only logged: nothing was said
    qtbot.waitUntil(lambda: SENTENCE in panel.state.text(), timeout=5000)
    assert plain(panel.state.text()) == SENTENCE
    panel.close()


def test_a_bundle_that_cannot_be_written_and_a_failed_sync_say_so_in_a_sentence(
        qtbot, window, monkeypatch, tmp_path):
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *args: shown.append(args[2]))
    monkeypatch.setattr(device, "export_bundle", boom)
    window.show_sync_panel()
    panel = window._sync_panel
    panel._start_bundle("export", tmp_path / "stick.qalam")
    qtbot.waitUntil(lambda: bool(shown), timeout=5000)
    assert plain(shown[0]) == SENTENCE
    assert all(button.isEnabled() for button in panel.bundle_buttons)

    window.sync._on_failed(Boom(BOOM))  # what the panel says of the last sync
    assert SENTENCE in plain(panel.state.text())
    panel.close()


@pytest.mark.parametrize("where", ["reading", "storing"])
def test_a_task_file_that_cannot_be_imported_says_so_in_a_sentence(
        qtbot, window, monkeypatch, tmp_path, where):
    path = tmp_path / "batch.jsonl"
    path.write_text(json.dumps({"id": "n1", "kind": "original", "language_code": "yor_Latn"})
                    + "\n", "utf-8")
    if where == "reading":
        from app import taskfile  # the operation imports it when an import starts

        monkeypatch.setattr(taskfile, "read_task_file", boom)
    else:
        monkeypatch.setattr(Store, "add_tasks", boom)
    window.import_tasks(path)
    qtbot.waitUntil(lambda: not window.importer.running, timeout=20000)
    QApplication.processEvents()
    assert plain(window.last_import_message) == \
        f"batch.jsonl: could not be imported ({SENTENCE})."
    window.findChild(QMessageBox, "importError").close()


# --- what changed reaches the screens that show it ----------------------------------------


def test_a_draft_typed_on_write_shows_at_once_in_my_work(qtbot, window):
    window.build_all_screens()
    work = window.screens["work"]
    seen = changes_seen(window)
    editor = new_write_item(qtbot, window)
    type_text(editor.prompt, "بارش کب ہوگی؟")
    editor.save_now()
    qtbot.waitUntil(lambda: editor.status.text() == "Saved", timeout=5000)
    assert work.model.row_of(editor.submission.id) == 0       # without reloading the list
    assert work.model.index(0).data(ItemRole).inputs == "بارش کب ہوگی؟"
    changes, initiator = seen[-1]
    assert (changes.submissions, changes.item.id) == (True, editor.submission.id)
    assert initiator is editor.autosaver


def test_a_restore_is_announced_once_by_my_work(qtbot, open_app, tmp_path):
    item_id = item_with_two_revisions(seed(tmp_path))
    window = open_app(tmp_path, ui_language="en", active=True)
    screen = open_history(qtbot, window)
    seen = changes_seen(window)
    click(qtbot, screen.restore_button)
    qtbot.waitUntil(lambda: "restored" in screen.status.text(), timeout=5000)
    ((changes, initiator),) = seen
    assert initiator is screen and changes.item.id == item_id
    assert changes == Changes(submissions=True, item=changes.item)
    assert changes.item.inputs == "پہلا"
    qtbot.waitUntil(lambda: screen.revisions.count() == 3)  # its history follows


def test_a_submitted_review_puts_its_improvement_in_my_work(qtbot, window):
    window.build_all_screens()
    work = window.screens["work"]
    screen = go(qtbot, window, 3, "arb_Arab")
    click_row(qtbot, screen.task_view)
    qtbot.waitUntil(lambda: screen.task is not None)
    qtbot.keyClick(screen.scores["inputs"], Qt.Key_4)
    qtbot.keyClick(screen.scores["targets"], Qt.Key_3)
    click(qtbot, screen.improve_button)
    qtbot.waitUntil(lambda: screen.improvement.isVisible(), timeout=5000)
    improvement = screen.autosaver.submission
    screen.improve_completion.setFocus()
    type_text(screen.improve_completion, " وأوضح.")  # an unchanged improvement is dropped
    qtbot.keyClick(window, Qt.Key_Return, Qt.ControlModifier)
    qtbot.waitUntil(lambda: screen.status.text() == "Review submitted", timeout=10000)
    row = work.model.row_of(improvement.id)
    assert row is not None and work.model.index(row).data(ItemRole).state == "submitted"


def featured(picker) -> list[str]:
    """The languages the picker lists first (before its separator)."""
    codes = [picker.itemData(i) for i in range(picker.count())]
    return codes[:codes.index(None)] if None in codes else codes


@pytest.mark.parametrize("pulled", [1, 0])
def test_tasks_a_sync_brought_are_listed_and_offered_when_it_brought_some(qtbot, window,
                                                                          pulled):
    write = go(qtbot, window, 1, "urd_Arab")
    qtbot.waitUntil(lambda: write.tasks.rowCount() == 1)
    # What a sync's pull does: store through the writer, then report.
    window.writer.run(lambda store: store.add_tasks([
        {"id": "w2", "kind": "original", "language": "urd_Arab"},
        {"id": "y1", "kind": "original", "language": "yor_Latn"}])).result()
    window.sync._on_finished(SyncReport(complete=True, pulled=pulled))
    QApplication.processEvents()
    assert write.tasks.rowCount() == (2 if pulled else 1)
    assert ("yor_Latn" in featured(window.language_picker)) == bool(pulled)
