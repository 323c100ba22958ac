"""The Post-edit screen as a professional post-editor uses it, by keys and clicks: a fuzzy
memory match, a glossary term, a number QA flags and its fix, a word replaced in every
segment and the replace undone; dismissals kept with the segment."""

import json
from types import SimpleNamespace as NS

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QApplication

from app import paths, syncstate
from app.store import Store
from tests.keys import type_text

TASKS = [
    {"id": "p-1", "project_id": "p1", "kind": "postedit", "language": "swh_Latn",
     "source_text": "Wash your hands with soap before eating.",
     "mt_text": "Osha mikono yako na sabuni kabla kula."},
    {"id": "p-2", "project_id": "p1", "kind": "postedit", "language": "swh_Latn",
     "source_text": "Boil drinking water for 10 minutes.",
     "mt_text": "Chemsha maji ya kunywa kwa dakika 5."},
    {"id": "p-3", "project_id": "p1", "kind": "postedit", "language": "swh_Latn",
     "source_text": "Keep the drinking water covered.",
     "mt_text": "Weka maji ya kunywa yamefunikwa."},
]
UNITS = [
    ("u1", "Wash your hands with soap before you eat.",
     "Nawa mikono yako kwa sabuni kabla ya kula."),
    ("u2", "Cover the pot.", "Funika sufuria."),
]
TERMS = [("t1", "drinking water", "maji safi ya kunywa")]


def pulled(entity, record):
    return NS(entity=entity, id=record["id"], revision=1, deleted=False,
              payload=json.dumps(record, ensure_ascii=False))


@pytest.fixture
def data_dir(tmp_path):
    with Store.open(paths.database_path(tmp_path)) as store:
        store.upsert_project(id="p1", name="Health")
        store.add_tasks(TASKS)
        store.set_user_id("me")
        pair = {"project_id": "p1", "source_language": "eng_Latn",
                "target_language": "swh_Latn"}
        items = [pulled("tm_unit", {"id": i, "source": s, "target": t, "origin": "tmx",
                                    "note": "", **pair}) for i, s, t in UNITS]
        items += [pulled("term", {"id": i, "source_term": s, "target_term": t, "note": "",
                                  **pair}) for i, s, t in TERMS]
        syncstate.apply_pull_page(store, NS(next_cursor=5, items=items))
    return tmp_path


@pytest.fixture
def screen(qtbot, open_app, data_dir):
    window = open_app(data_dir, ui_language="en", active=True)
    window.set_language("swh_Latn")
    qtbot.keyClick(window, Qt.Key_4, Qt.ControlModifier)
    found = window.current_screen()
    found.window_ = window
    return found


def open_segment(qtbot, screen, task_id):
    row = screen.tasks.row_of(task_id)
    screen.task_view.select_row(row)
    screen.open_task(screen.tasks.task_at(row))
    qtbot.waitUntil(lambda: screen.task is not None and screen.task.id == task_id
                    and screen.target.hasFocus(), timeout=5000)


def store_of(data_dir):
    return Store.open(paths.database_path(data_dir), readonly=True)


def settle(screen):
    screen.window_.writer.flush()
    screen.window_.tasks.reader.flush()
    QApplication.processEvents()


def issue_keys(screen):
    return [issue.key for issue in screen.checks_panel.issues]


def test_a_post_editor_uses_memory_glossary_qa_and_replace(qtbot, screen, data_dir):
    # 1. A fuzzy match appears beside the segment with its percentage; Ctrl+R uses it.
    open_segment(qtbot, screen, "p-1")
    qtbot.waitUntil(lambda: bool(screen.matches.matches), timeout=10000)
    match = screen.matches.matches[0]
    assert match.id == "u1" and 70 <= match.score < 100
    assert screen.matches.list.item(0).text().startswith(f"{match.score}% · ")
    html = screen.matches.diff.toHtml()
    assert "line-through" in html and "underline" in html   # "you eat" out, "eating" in
    qtbot.keyClick(screen.target, Qt.Key_R, Qt.ControlModifier)
    assert screen.target.text() == "Nawa mikono yako kwa sabuni kabla ya kula."
    qtbot.waitUntil(lambda: store_of(data_dir).submission_for_task("p-1").targets
                    == "Nawa mikono yako kwa sabuni kabla ya kula.", timeout=5000)

    # 2. The glossary term is marked in the source; its translation is missing, so QA
    #    says so; Ctrl+G inserts it at the cursor and the warning goes.
    open_segment(qtbot, screen, "p-2")
    qtbot.waitUntil(lambda: "glossary:t1" in issue_keys(screen), timeout=10000)
    [marked] = screen.source.extraSelections()
    assert marked.cursor.selectedText() == "drinking water"
    assert screen.term_marker.term_at(8).target == "maji safi ya kunywa"
    assert screen.terms.item(0).text() == "drinking water → maji safi ya kunywa"
    assert "numbers" in issue_keys(screen)            # 10 in the source, 5 in the MT
    text = screen.target.text()
    cursor = screen.target.textCursor()               # select "maji ya kunywa", type over it
    start = text.index("maji ya kunywa")
    cursor.setPosition(start)
    cursor.setPosition(start + len("maji ya kunywa"), QTextCursor.KeepAnchor)
    screen.target.setTextCursor(cursor)
    qtbot.keyClick(screen.target, Qt.Key_G, Qt.ControlModifier)
    assert screen.target.text() == "Chemsha maji safi ya kunywa kwa dakika 5."
    qtbot.waitUntil(lambda: "glossary:t1" not in issue_keys(screen), timeout=5000)

    # 3. Fix the number QA flagged: the warning goes.
    screen.target.moveCursor(QTextCursor.End)
    qtbot.keyClick(screen.target, Qt.Key_Backspace)
    qtbot.keyClick(screen.target, Qt.Key_Backspace)
    type_text(screen.target, "10.")
    qtbot.waitUntil(lambda: "numbers" not in issue_keys(screen), timeout=5000)
    assert screen.target.text() == "Chemsha maji safi ya kunywa kwa dakika 10."
    settle(screen)

    # 4. Replace "kunywa" with "kunyweka" in every segment (preview first), then undo.
    qtbot.keyClick(screen.target, Qt.Key_H, Qt.ControlModifier)
    dialog = screen.replace_dialog
    qtbot.waitUntil(dialog.isVisible)
    type_text(dialog.find, "kunywa")
    type_text(dialog.replace, "kunyweka")
    qtbot.keyClick(dialog.find, Qt.Key_Return)
    qtbot.waitUntil(lambda: dialog.preview.rowCount() == 2, timeout=5000)
    assert dialog.preview.item(1, 1).text() == "Weka maji ya kunyweka yamefunikwa."
    assert "2 replacements in 2 segments" in dialog.summary.text()
    qtbot.mouseClick(dialog.replace_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: screen.target.text()
                    == "Chemsha maji safi ya kunyweka kwa dakika 10.", timeout=5000)
    settle(screen)
    with store_of(data_dir) as store:
        assert store.submission_for_task("p-3").targets == "Weka maji ya kunyweka yamefunikwa."
        assert store.submission_for_task("p-1").targets.startswith("Nawa")   # no "kunywa"
    qtbot.mouseClick(dialog.undo_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: screen.target.text()
                    == "Chemsha maji safi ya kunywa kwa dakika 10.", timeout=5000)
    settle(screen)
    with store_of(data_dir) as store:
        assert store.submission_for_task("p-3").targets == "Weka maji ya kunywa yamefunikwa."
        assert store.submission_for_task("p-2").targets == \
            "Chemsha maji safi ya kunywa kwa dakika 10."


def test_a_dismissed_check_stays_dismissed_for_that_segment(qtbot, open_app, screen,
                                                            data_dir):
    open_segment(qtbot, screen, "p-2")
    qtbot.waitUntil(lambda: "numbers" in issue_keys(screen), timeout=10000)
    screen.checks_panel.setCurrentRow(issue_keys(screen).index("numbers"))
    qtbot.keyClick(screen.checks_panel, Qt.Key_D, Qt.ControlModifier)
    qtbot.waitUntil(lambda: "numbers" not in issue_keys(screen), timeout=5000)
    settle(screen)
    with store_of(data_dir) as store:
        item = store.submission_for_task("p-2")
        assert item.dismissed == ["numbers"]
        assert json.loads(store.outbox()[-1].payload)["qa_dismissed"] == ["numbers"]
    open_segment(qtbot, screen, "p-3")
    open_segment(qtbot, screen, "p-2")
    qtbot.waitUntil(lambda: bool(screen.checks_panel.issues), timeout=5000)
    assert "numbers" not in issue_keys(screen) and "glossary:t1" in issue_keys(screen)


def test_concordance_finds_a_word_across_the_memory(qtbot, screen):
    open_segment(qtbot, screen, "p-1")
    qtbot.keyClick(screen.target, Qt.Key_F, Qt.ControlModifier | Qt.ShiftModifier)
    assert screen.concordance.field.hasFocus()
    type_text(screen.concordance.field, "sufuria")
    qtbot.keyClick(screen.concordance.field, Qt.Key_Return)
    qtbot.waitUntil(lambda: screen.concordance.results.count() == 1
                    and "Cover the pot." in screen.concordance.results.item(0).text(),
                    timeout=5000)


def test_typing_never_waits_for_the_memory(qtbot, screen, monkeypatch):
    """Matching runs on the background reader: a slow lookup does not hold up a key."""
    import threading
    import time

    from app import memory

    gate = threading.Event()
    real = memory.segment_help

    def slow(*args, **kwargs):
        gate.wait(5)
        return real(*args, **kwargs)

    monkeypatch.setattr(memory, "segment_help", slow)
    open_segment(qtbot, screen, "p-1")
    screen.target.moveCursor(QTextCursor.End)
    started = time.monotonic()
    type_text(screen.target, " sasa")
    assert time.monotonic() - started < 2.0   # bound, not a benchmark: the lookup waits 5 s
    assert screen.target.text().endswith(" sasa")
    gate.set()
    qtbot.waitUntil(lambda: bool(screen.matches.matches), timeout=10000)


def test_hovering_a_marked_term_shows_its_translation(qtbot, screen):
    open_segment(qtbot, screen, "p-3")
    qtbot.waitUntil(lambda: bool(screen.term_marker.hits), timeout=10000)
    hit = screen.term_marker.hits[0]
    cursor = QTextCursor(screen.source.document())
    cursor.setPosition(hit.start + 2)
    rect = screen.source.cursorRect(cursor)
    term = screen.term_marker.term_at(
        screen.source.cursorForPosition(rect.center() + QPoint(1, 0)).position())
    assert term is not None and term.target == "maji safi ya kunywa"


def test_the_session_summary_counts_the_qa_warnings_left_open(qtbot, screen):
    screen.batch_size.setValue(2)
    qtbot.mouseClick(screen.session_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: screen.task is not None and screen.task.id == "p-1"
                    and screen.target.hasFocus(), timeout=5000)
    qtbot.keyClick(screen.target, Qt.Key_Return, Qt.ControlModifier)   # p-1: MT as it is
    qtbot.waitUntil(lambda: screen.task.id == "p-2" and screen.target.hasFocus(),
                    timeout=10000)
    qtbot.keyClick(screen.target, Qt.Key_Return, Qt.ControlModifier)   # p-2: 5 for 10, term
    qtbot.waitUntil(lambda: screen.summary.isVisible(), timeout=10000)
    # p-1's MT lacks nothing the checks see; p-2 keeps its wrong number and missing term.
    assert "2 of 2 segments done" in screen.summary.text()
    assert "2 QA warnings left open" in screen.summary.text()


def test_hter_time_and_the_summary_are_in_burmese_digits_in_a_burmese_interface(
        qtbot, open_app, data_dir):
    """Burmese counts in Myanmar digits (CLDR's default for "my"), HTER and time included."""
    window = open_app(data_dir, ui_language="my", active=True)
    window.set_language("swh_Latn")
    qtbot.keyClick(window, Qt.Key_4, Qt.ControlModifier)
    screen = window.current_screen()
    screen.batch_size.setValue(1)
    qtbot.mouseClick(screen.session_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: screen.task is not None and screen.target.hasFocus(), timeout=5000)
    type_text(screen.target, " sana")
    qtbot.waitUntil(lambda: any("\u1040" <= c <= "\u1049" for c in screen.hter_label.text()),
                    timeout=5000)
    qtbot.keyClick(screen.target, Qt.Key_Return, Qt.ControlModifier)
    qtbot.waitUntil(lambda: screen.summary.isVisible(), timeout=10000)
    for label in (screen.hter_label, screen.time_label, screen.summary):
        text = label.text()
        assert not any(c.isascii() and c.isdigit() for c in text), text
    assert "\u1041" in screen.summary.text()  # "၁" segment of "၁"
