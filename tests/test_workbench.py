"""The annotator's workbench, driven as a person would: keys and clicks, then the store.

One screen per group of tests: Write, Improve, Review, Post-edit, My work, Progress, and the
window around them (shortcuts sheet, guidelines, state across runs, accessibility).
"""

import threading

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QAbstractButton, QApplication, QWidget

from app import paths, quality
from app.diffs import edit_distance, hter
from app.errors import InvalidState
from app.store import Store
from tests.keys import type_text

PROJECT = {
    "id": "p1", "name": "Test project",
    "guidelines": {"original": "# Writing\n\nWrite **well**.",
                   "reannotation": "# Improving\n\nRate, then edit.",
                   "review": "# Reviewing\n\nJudge the result.",
                   "postedit": "# Post-editing\n\nMeaning first."},
}
TASKS = [
    {"id": "w1", "project_id": "p1", "kind": "original", "language": "urd_Arab",
     "instructions": "کھانا پکانے کے بارے میں ایک سوال لکھیں۔"},
    {"id": "r1", "project_id": "p1", "kind": "reannotation", "language": "hin_Deva",
     "origin": "templated", "inputs": "भारत की राजधानी क्या है?", "targets": "दिल्ली"},
    {"id": "v-peer", "project_id": "p1", "kind": "review", "language": "arb_Arab",
     "original_inputs": "ما هي عاصمة مصر؟", "original_targets": "القاهرة",
     "inputs": "ما هي عاصمة مصر، ولماذا اختيرت؟",
     "targets": "عاصمة مصر هي القاهرة، وقد اختيرت لموقعها على النيل.",
     "author": "peer-7", "review_of": "peer-sub-1"},
    {"id": "v-mine-by-author", "project_id": "p1", "kind": "review", "language": "arb_Arab",
     "original_inputs": "سؤال قديم عن النيل", "original_targets": "جواب قصير",
     "inputs": "سؤال جديد عن نهر النيل", "targets": "جواب أطول عن نهر النيل وأهميته.",
     "author": "me"},
    {"id": "p-1", "project_id": "p1", "kind": "postedit", "language": "swh_Latn",
     "source_text": "Wash your hands with soap before eating.",
     "mt_text": "Osha mikono yako na sabuni kabla kula."},
    {"id": "p-2", "project_id": "p1", "kind": "postedit", "language": "swh_Latn",
     "source_text": "Boil drinking water for one minute.",
     "mt_text": "Chemsha maji ya kunywa kwa dakika moja."},
    {"id": "p-3", "project_id": "p1", "kind": "postedit", "language": "swh_Latn",
     "source_text": "Keep the water covered.", "mt_text": "Weka maji yamefunikwa."},
]


def seed(folder):
    """A data dir with the project, its tasks, and "me" as this device's user."""
    with Store.open(paths.database_path(folder)) as store:
        store.upsert_project(**PROJECT)
        store.add_tasks(TASKS)
        store.set_user_id("me")
    return folder


@pytest.fixture
def data_dir(tmp_path):
    with Store.open(paths.database_path(seed(tmp_path))) as store:
        # An item written on this device that came back as a review task: own work too.
        mine = store.new_submission(language="arb_Arab", inputs="سؤالي", targets="جوابي")
        store.add_tasks([{
            "id": "v-mine-local", "project_id": "p1", "kind": "review", "language": "arb_Arab",
            "original_inputs": "سؤالي", "original_targets": "جوابي",
            "inputs": "سؤالي المحسن", "targets": "جوابي المحسن", "review_of": mine.id,
        }])
    return tmp_path


@pytest.fixture
def window(open_app, data_dir):
    # active: window shortcuts (Ctrl+1…) need the active window
    return open_app(data_dir, ui_language="en", active=True)


def store_of(data_dir):
    return Store.open(paths.database_path(data_dir), readonly=True)


def settle(window):
    window.writer.flush()
    window.tasks.reader.flush()
    QApplication.processEvents()


def click(qtbot, button):
    qtbot.mouseClick(button, Qt.LeftButton)


def click_row(qtbot, view, row=0):
    rect = view.visualRect(view.model().index(row, 0))
    qtbot.mouseClick(view.viewport(), Qt.LeftButton, pos=rect.center())


def go(qtbot, window, number, language):
    window.set_language(language)
    qtbot.keyClick(window, Qt.Key_0 + number, Qt.ControlModifier)
    return window.current_screen()


# --- Write -----------------------------------------------------------------------------------


def test_an_original_is_written_with_a_dialect_and_submitted(qtbot, window, data_dir):
    screen = go(qtbot, window, 1, "urd_Arab")
    qtbot.keyClick(window, Qt.Key_N, Qt.ControlModifier)
    editor = screen.editor
    qtbot.waitUntil(lambda: editor.submission is not None and editor.prompt.hasFocus())
    type_text(editor.prompt, "برسات میں چاول کی فصل کی دیکھ بھال کیسے کریں؟")
    qtbot.keyClick(editor.prompt, Qt.Key_Tab)
    type_text(editor.completion, "کھیت میں پانی کھڑا نہ ہونے دیں اور وقت پر کھاد ڈالیں۔")
    editor.dialect.setFocus()
    type_text(editor.dialect.lineEdit(), "Dakhini")
    qtbot.keyClick(editor.completion, Qt.Key_Return, Qt.ControlModifier)
    qtbot.waitUntil(lambda: editor.status.text() == "Submitted", timeout=10000)
    with store_of(data_dir) as store:
        (item,) = store.submissions(kind="original", language="urd_Arab")
    assert item.state == "submitted" and item.dialect == "Dakhini"
    assert item.inputs.startswith("برسات")


def test_a_quality_error_blocks_submit_and_shows_beside_the_field(qtbot, window, data_dir):
    screen = go(qtbot, window, 1, "swh_Latn")
    qtbot.keyClick(window, Qt.Key_N, Qt.ControlModifier)
    editor = screen.editor
    qtbot.waitUntil(lambda: editor.submission is not None and editor.prompt.hasFocus())
    editor.completion.setFocus()  # no prompt: an error (a short one is only a warning)
    type_text(editor.completion, "Nzuri sana, asante kwa kuuliza.")
    qtbot.keyClick(editor.completion, Qt.Key_Return, Qt.ControlModifier)
    qtbot.waitUntil(lambda: editor.status.text().startswith("Not submitted"), timeout=10000)
    assert editor.prompt_findings.isVisible()
    assert any(f.severity == "error" for f in editor.prompt_findings.findings)
    with store_of(data_dir) as store:
        (item,) = store.submissions(kind="original", language="swh_Latn")
    assert item.state == "draft" and item.targets  # saved, not submitted


def test_checks_run_debounced_off_the_ui_thread(qtbot, window, monkeypatch):
    threads = []
    real = quality.check_submission

    def spy(**kwargs):
        threads.append(threading.current_thread())
        return real(**kwargs)

    monkeypatch.setattr(quality, "check_submission", spy)
    screen = go(qtbot, window, 1, "swh_Latn")
    qtbot.keyClick(window, Qt.Key_N, Qt.ControlModifier)
    editor = screen.editor
    qtbot.waitUntil(lambda: editor.submission is not None and editor.prompt.hasFocus())
    type_text(editor.prompt, "Jinsi ya kupanda mahindi wakati wa mvua?")
    assert threads == []  # nothing ran while typing
    qtbot.waitUntil(lambda: len(threads) == 1, timeout=5000)
    assert threads[0] is not threading.main_thread()


# --- Improve ---------------------------------------------------------------------------------


def _open_improve(qtbot, window):
    screen = go(qtbot, window, 2, "hin_Deva")
    click_row(qtbot, screen.task_view, 0)
    qtbot.waitUntil(lambda: screen.submission is not None)
    return screen


def test_editing_stays_locked_until_both_ratings_are_given(qtbot, window):
    screen = _open_improve(qtbot, window)
    edit = screen.completion.edit
    assert edit.isReadOnly() and screen.prompt.edit.isReadOnly()
    edit.setFocus()
    type_text(edit, "xyz")
    assert edit.text() == "दिल्ली"                               # typing did nothing
    qtbot.keyClick(window, Qt.Key_1, Qt.AltModifier)            # prompt: thumbs up
    qtbot.waitUntil(lambda: screen.submission.rating_inputs == 1)
    assert edit.isReadOnly()                                     # one rating is not enough
    click(qtbot, screen.completion.rating.down)                  # completion: thumbs down
    qtbot.waitUntil(lambda: not edit.isReadOnly())
    assert not screen.prompt.edit.isReadOnly()


def test_a_rated_and_edited_reannotation_lands_with_its_edit_distance(qtbot, window, data_dir):
    screen = _open_improve(qtbot, window)
    qtbot.keyClick(window, Qt.Key_2, Qt.AltModifier)            # prompt: thumbs down
    qtbot.keyClick(window, Qt.Key_4, Qt.AltModifier)            # completion: thumbs down
    edit = screen.completion.edit
    qtbot.waitUntil(lambda: not edit.isReadOnly())
    edit.setFocus()
    edit.moveCursor(QTextCursor.End)
    addition = " भारत की राजधानी है। यह यमुना नदी के किनारे बसा है।"
    type_text(edit, addition)
    expected = edit_distance("दिल्ली", "दिल्ली" + addition)
    qtbot.waitUntil(lambda: screen.completion.distance.text()
                    == f"Edit distance: {expected} characters", timeout=5000)
    assert screen.prompt.distance.text() == "Unchanged"
    qtbot.keyClick(edit, Qt.Key_Return, Qt.ControlModifier)
    qtbot.waitUntil(lambda: screen.status.text() == "Submitted", timeout=10000)
    with store_of(data_dir) as store:
        (item,) = store.submissions(kind="reannotation")
    assert (item.state, item.rating_inputs, item.rating_targets) == ("submitted", -1, -1)
    assert item.original_targets == "दिल्ली" and item.targets == "दिल्ली" + addition
    assert (item.prompt_distance, item.completion_distance) == (0, expected)


def test_rating_without_editing_is_allowed_and_counts_only_the_rating(qtbot, window,
                                                                       data_dir):
    from app.activity import progress_report

    screen = _open_improve(qtbot, window)
    qtbot.keyClick(window, Qt.Key_1, Qt.AltModifier)
    qtbot.keyClick(window, Qt.Key_3, Qt.AltModifier)
    qtbot.waitUntil(lambda: screen.submission.is_rated)
    qtbot.keyClick(window, Qt.Key_Return, Qt.ControlModifier)
    assert screen.status.text().startswith("Nothing was edited")  # said, not yet sent
    qtbot.keyClick(window, Qt.Key_Return, Qt.ControlModifier)     # the ratings alone
    qtbot.waitUntil(lambda: screen.status.text() == "Submitted", timeout=10000)
    with store_of(data_dir) as store:
        (item,) = store.submissions(kind="reannotation")
        assert (item.state, item.prompt_distance, item.completion_distance) == (
            "submitted", 0, 0)
        assert progress_report(store).points == 1  # the rating; an unchanged edit earns 0


# --- Review ----------------------------------------------------------------------------------


def test_the_review_screen_never_offers_the_annotators_own_work(qtbot, window, data_dir):
    screen = go(qtbot, window, 3, "arb_Arab")
    offered = [screen.tasks.task_at(row).id for row in range(screen.tasks.rowCount())]
    assert offered == ["v-peer"]
    with Store.open(paths.database_path(data_dir)) as store:
        for own in ("v-mine-by-author", "v-mine-local"):
            with pytest.raises(InvalidState):
                store.save_review(own, rating_inputs=5, rating_targets=5)


def test_a_review_scored_1_to_5_with_a_further_improvement(qtbot, window, data_dir):
    screen = go(qtbot, window, 3, "arb_Arab")
    click_row(qtbot, screen.task_view, 0)
    qtbot.waitUntil(lambda: screen.task is not None)
    assert not screen.improve_button.isEnabled()
    qtbot.keyClick(window, Qt.Key_P, Qt.AltModifier)        # "&Prompt score" label's buddy
    assert screen.scores["inputs"].hasFocus()
    qtbot.keyClick(screen.scores["inputs"], Qt.Key_5)
    qtbot.keyClick(window, Qt.Key_C, Qt.AltModifier)
    qtbot.keyClick(screen.scores["targets"], Qt.Key_3)
    assert screen.improve_button.isEnabled()                  # a score under 5
    screen.reason.setFocus()
    type_text(screen.reason, "ينقصها تفصيل")
    click(qtbot, screen.improve_button)
    qtbot.waitUntil(lambda: screen.improvement.isVisible(), timeout=5000)
    edit = screen.improve_completion
    edit.setFocus()
    edit.moveCursor(QTextCursor.End)
    type_text(edit, " وهي أكبر مدن أفريقيا.")
    qtbot.keyClick(edit, Qt.Key_Return, Qt.ControlModifier)
    qtbot.waitUntil(lambda: screen.status.text() == "Review submitted", timeout=10000)
    with store_of(data_dir) as store:
        review = store.review_for_task("v-peer")
        assert (review.state, review.rating_inputs, review.rating_targets) == (
            "submitted", 5, 3)
        assert review.reason == "ينقصها تفصيل" and review.submission_id == "peer-sub-1"
        better = store.submission(review.improvement_id)
        assert better.state == "submitted" and better.kind == "reannotation"
        assert (better.parent_id, better.review_id) == ("peer-sub-1", review.id)
        assert better.targets.endswith("وهي أكبر مدن أفريقيا.")
        assert better.completion_distance == len(" وهي أكبر مدن أفريقيا.")
        sent = {(e.entity, e.record_id) for e in store.outbox()}
        assert ("review", review.id) in sent and ("submission", better.id) in sent


def test_an_item_can_be_flagged_without_scores(qtbot, window, data_dir):
    screen = go(qtbot, window, 3, "arb_Arab")
    click_row(qtbot, screen.task_view, 0)
    qtbot.waitUntil(lambda: screen.task is not None)
    qtbot.keyClick(window, Qt.Key_A, Qt.AltModifier)        # "Fl&ag"
    assert screen.flag.hasFocus()
    screen.flag.setCurrentIndex(screen.flag.findData("wrong_language"))
    screen.flag.activated.emit(screen.flag.currentIndex())
    qtbot.keyClick(screen.flag, Qt.Key_Return, Qt.ControlModifier)
    qtbot.waitUntil(lambda: screen.status.text() == "Review submitted", timeout=10000)
    with store_of(data_dir) as store:
        review = store.review_for_task("v-peer")
    assert (review.flag, review.rating_inputs, review.improvement_id) == (
        "wrong_language", None, None)


# --- Post-edit -------------------------------------------------------------------------------


def test_a_post_edit_session_stores_hter_time_and_sessions(qtbot, window, data_dir):
    screen = go(qtbot, window, 4, "swh_Latn")
    screen.batch_size.setValue(2)
    click(qtbot, screen.session_button)
    qtbot.waitUntil(lambda: screen.submission is not None and screen.target.hasFocus())
    assert screen.target.text() == "Osha mikono yako na sabuni kabla kula."  # the MT
    assert screen.mt.text() == screen.target.text()
    screen.target.moveCursor(QTextCursor.End)
    for _ in range(len("kula.")):
        qtbot.keyClick(screen.target, Qt.Key_Backspace)
    type_text(screen.target, "ya kula.")
    edited = "Osha mikono yako na sabuni kabla ya kula."
    qtbot.waitUntil(lambda: screen.hter_label.text()
                    == f"HTER: {hter(screen.mt.text(), edited):.2f}", timeout=5000)
    assert screen.sessions_label.text() == "1 editing session"
    qtbot.keyClick(screen.target, Qt.Key_Return, Qt.ControlModifier)    # confirm and next
    qtbot.waitUntil(lambda: screen.task is not None and screen.task.id == "p-2"
                    and screen.target.hasFocus(), timeout=10000)
    assert screen.progress.value() == 1
    qtbot.keyClick(screen.target, Qt.Key_Return, Qt.ControlModifier)    # the MT was right
    qtbot.waitUntil(lambda: screen.summary.isVisible(), timeout=10000)
    assert "2 of 2 segments done" in screen.summary.text()
    with store_of(data_dir) as store:
        first = store.submission_for_task("p-1")
        second = store.submission_for_task("p-2")
    assert first.state == second.state == "submitted"
    assert first.targets == edited and first.hter == pytest.approx(
        hter("Osha mikono yako na sabuni kabla kula.", edited))
    assert first.hter > 0 and second.hter == 0
    assert first.seconds_spent > 0 and first.edit_sessions == 1
    assert f"mean HTER {(first.hter + 0) / 2:.2f}" in screen.summary.text()
    assert store_of(data_dir).submission_for_task("p-3") is None   # not in the batch


def test_segments_are_navigated_by_keyboard_with_their_status(qtbot, window):
    screen = go(qtbot, window, 4, "swh_Latn")
    screen.task_view.setFocus()
    qtbot.keyClick(window, Qt.Key_Down, Qt.ControlModifier)     # next segment: the first
    qtbot.waitUntil(lambda: screen.task is not None and screen.task.id == "p-1")
    qtbot.waitUntil(lambda: screen.target.hasFocus())
    type_text(screen.target, "X")
    qtbot.waitUntil(lambda: screen.tasks.status("p-1") == "edited", timeout=5000)
    qtbot.keyClick(screen.target, Qt.Key_Down, Qt.ControlModifier)
    qtbot.waitUntil(lambda: screen.task.id == "p-2")
    qtbot.keyClick(window, Qt.Key_Up, Qt.ControlModifier)
    qtbot.waitUntil(lambda: screen.task.id == "p-1")
    assert screen.target.text().startswith("X")
    assert screen.tasks.status("p-3") == "untouched"


# --- My work ---------------------------------------------------------------------------------


@pytest.fixture
def history_dir(data_dir):
    with Store.open(paths.database_path(data_dir)) as store:
        item = store.new_submission(language="swh_Latn", inputs="Mvua ya kwanza",
                                    targets="Ilinyesha jana usiku.")
        # an older editing session, then a newer one: two revisions
        store.db.execute("UPDATE revisions SET created_at = '2026-01-01T00:00:00.000Z'")
        store.save_draft(item.id, inputs="Mvua ya kwanza ya mwaka",
                         targets="Ilinyesha jana usiku kwa nguvu.")
    return data_dir


def test_a_revision_is_found_compared_and_restored(qtbot, open_app, history_dir):
    window = open_app(history_dir, ui_language="en", active=True)
    qtbot.keyClick(window, Qt.Key_F, Qt.ControlModifier)
    screen = window.screens["work"]
    assert window.current_screen() is screen and screen.search.hasFocus()
    screen.language_filter.setCurrentIndex(0)               # all languages
    type_text(screen.search, "nguvu")
    qtbot.waitUntil(lambda: screen.model.rowCount() == 1, timeout=5000)
    qtbot.waitUntil(lambda: screen.revisions.count() == 2)
    screen.revisions.item(0).setSelected(True)
    screen.revisions.item(1).setSelected(True)
    assert "revision 1 to revision 2" in screen.compare_note.text()
    assert not screen.restore_button.isEnabled()            # two chosen: compare only
    screen.revisions.clearSelection()
    screen.revisions.item(1).setSelected(True)              # revision 1 (oldest last)
    click(qtbot, screen.restore_button)
    qtbot.waitUntil(lambda: "restored" in screen.status.text(), timeout=5000)
    with store_of(history_dir) as store:
        (item,) = store.search("Mvua")
        history = store.revisions(item.id)
    assert (item.inputs, item.targets) == ("Mvua ya kwanza", "Ilinyesha jana usiku.")
    assert [r.reason for r in history] == ["edit", "edit", "restore"]
    qtbot.waitUntil(lambda: screen.revisions.count() == 3)


def test_my_work_filters_by_kind_and_state(qtbot, window, data_dir):
    with Store.open(paths.database_path(data_dir)) as store:
        done = store.new_submission(language="arb_Arab", inputs="سؤال طويل بما يكفي هنا",
                                    targets="جواب طويل بما يكفي هنا أيضًا")
        store.submit(done.id)
    screen = go(qtbot, window, 5, "arb_Arab")
    screen.activate()
    assert screen.model.rowCount() == 2
    screen.state_filter.setCurrentIndex(screen.state_filter.findData("submitted"))
    screen.apply_filters()
    assert [screen.model.index(r).data(Qt.UserRole + 1).id
            for r in range(screen.model.rowCount())] == [done.id]
    screen.kind_filter.setCurrentIndex(screen.kind_filter.findData("postedit"))
    screen.apply_filters()
    assert screen.model.rowCount() == 0


# --- Progress --------------------------------------------------------------------------------


def _received(store, submission_id, prompt, completion, n):
    store.db.execute(
        "INSERT INTO reviews (id, submission_id, rating_inputs, rating_targets, reason, "
        "created_at, updated_at, reviewer, state) VALUES (?, ?, ?, ?, '', ?, ?, 'peer', "
        "'submitted')",
        [f"rx-{n}", submission_id, prompt, completion, "2026-01-01", "2026-01-01"],
    )


def test_points_and_quality_score_match_hand_computed_values(qtbot, open_app, data_dir):
    with Store.open(paths.database_path(data_dir)) as store:
        # an original pair: 2 points
        original = store.new_submission(language="urd_Arab", task_id="w1")
        store.save_draft(original.id, inputs="چاول کیسے پکائیں؟ تفصیل سے بتائیں",
                         targets="پہلے چاول دھو کر آدھا گھنٹہ بھگو دیں۔")
        store.submit(original.id)
        # a re-annotation, rated, prompt changed by 12, completion by 3: 1 + 1 + 0 = 2
        task = store.task("r1")
        edit = store.new_submission(language="hin_Deva", kind="reannotation", task_id="r1",
                                    inputs=task.inputs, targets=task.targets)
        store.rate(edit.id, field="inputs", value=1)
        store.rate(edit.id, field="targets", value=-1)
        store.save_draft(edit.id, inputs=task.inputs + " विस्तार से", targets="नई दिल्ली")
        store.submit(edit.id)
        edit = store.submission(edit.id)
        assert (edit.prompt_distance, edit.completion_distance) == (11, 3)
        # a review with a further improvement: 1 + 1
        store.save_review("v-peer", rating_inputs=4, rating_targets=2)
        review = store.review_for_task("v-peer")
        better = store.start_improvement(review.id)
        store.save_draft(better.id, inputs=better.inputs,
                         targets=better.targets + " وهي مدينة كبيرة جدًا.")
        store.submit_review(review.id)
        # a post-edit changed by ≥ 5 characters: 1
        post = store.new_submission(language="swh_Latn", kind="postedit", task_id="p-1",
                                    inputs="Wash", targets="Osha mikono yako na sabuni kabla "
                                                           "kula.")
        store.save_draft(post.id, inputs="Wash",
                         targets="Osha mikono yako kwa sabuni kabla ya kula.")
        store.submit(post.id)
        # drafts earn nothing
        store.new_submission(language="urd_Arab", inputs="ادھورا", targets="")
        # ratings peers gave: the re-annotation (4, 5), the further improvement (3, 2),
        # the post-edit (5, 5)
        _received(store, edit.id, 4, 5, 1)
        _received(store, better.id, 3, 2, 2)
        _received(store, post.id, 5, 5, 3)
    # points: 2 + 2 + 2 + 1 = 7; ratings 4 5 3 2 5 5: mean 24 / 6 = 4.00,
    # better than "no change" (3): 4 5 5 5 -> 4 / 6 = 67 %
    window = open_app(data_dir, ui_language="en", active=True)
    qtbot.keyClick(window, Qt.Key_6, Qt.ControlModifier)
    screen = window.screens["progress"]
    qtbot.waitUntil(lambda: screen.report is not None, timeout=10000)
    assert screen.points.text() == "7"
    assert screen.quality.text() == "4.00"
    assert screen.aya.text() == "67%"
    assert screen.rated.text() == "3"
    counts = screen.report.counts
    assert counts == {("original", "urd_Arab"): 1, ("reannotation", "hin_Deva"): 1,
                      ("review", "arb_Arab"): 1, ("postedit", "swh_Latn"): 1}
    assert screen.table.rowCount() == 4


# --- the window ------------------------------------------------------------------------------


def test_f1_opens_the_shortcuts_sheet(qtbot, window):
    qtbot.keyClick(window, Qt.Key_F1)
    qtbot.waitUntil(lambda: getattr(window, "_shortcuts_dialog", None) is not None
                    and window._shortcuts_dialog.isVisible())
    table = window._shortcuts_dialog.table
    rows = {table.item(r, 1).text(): table.item(r, 0).text() for r in range(table.rowCount())}
    assert rows["Submit"].startswith("Ctrl+Return")
    assert rows["Prompt: thumbs up"] == "Alt+1"
    assert "Ctrl+Down" in rows["Next task"] and rows["Search my work"] == "Ctrl+F"
    window._shortcuts_dialog.close()


def test_guidelines_follow_the_screen(qtbot, window):
    if not window.guidelines.isVisible():  # folded away on a narrow screen: F2 unfolds them
        qtbot.keyClick(window, Qt.Key_F2)
    assert window.guidelines.isVisible()
    go(qtbot, window, 2, "hin_Deva")
    assert "Rate, then edit." in window.guidelines.browser.toPlainText()
    go(qtbot, window, 4, "swh_Latn")
    assert "Meaning first." in window.guidelines.browser.toPlainText()
    qtbot.keyClick(window, Qt.Key_F2)
    assert not window.guidelines.isVisible()


def test_screen_and_language_are_remembered(qtbot, open_app, data_dir):
    window = open_app(data_dir, ui_language="en", active=True)
    go(qtbot, window, 4, "swh_Latn")
    window.close()
    window.shutdown()  # a clean exit before the next start
    again = open_app(data_dir, ui_language="en", active=True)
    assert again.current_screen_name() == "postedit"
    assert again.current_language() == "swh_Latn"


def test_every_control_has_an_accessible_name(qtbot, window):
    window.set_language("arb_Arab")
    missing = []
    for name, screen in window.screens.items():
        window.show_screen(name)
        for widget in screen.findChildren(QWidget):
            if not widget.isVisible() or widget.focusPolicy() == Qt.NoFocus:
                continue
            if isinstance(widget, QAbstractButton) and widget.text():
                continue
            if widget.accessibleName():
                continue
            if widget.parent() is not None and widget.parent().accessibleName() and \
                    type(widget).__name__ in ("QLineEdit", "QWidget"):
                continue  # a combo box's own line edit, a scroll area's viewport
            if type(widget).__name__ in ("QScrollBar", "QSplitterHandle"):
                continue
            missing.append(f"{name}: {type(widget).__name__} {widget.objectName()}")
    assert missing == []


def _mnemonic(text: str) -> str | None:
    at = text.replace("&&", "").find("&")
    return text.replace("&&", "")[at + 1].lower() if at >= 0 else None


def test_no_two_visible_controls_share_an_alt_key(qtbot, window):
    from PySide6.QtWidgets import QLabel

    window.set_language("arb_Arab")
    menus = [_mnemonic(action.text()) for action in window.menuBar().actions()]
    clashes = []
    for name in ("write", "improve", "review", "postedit", "work", "progress"):
        window.show_screen(name)
        keys = list(menus)
        for widget in window.findChildren(QWidget):
            if not widget.isVisible():
                continue
            if (isinstance(widget, QLabel) and widget.buddy() is not None) or \
                    isinstance(widget, QAbstractButton):
                key = _mnemonic(widget.text())
                if key:
                    keys.append(key)
        clashes += [(name, key) for key in set(keys) if keys.count(key) > 1]
    assert clashes == []


def test_undo_and_redo_work_in_the_editors(qtbot, window):
    screen = _open_improve(qtbot, window)
    qtbot.keyClick(window, Qt.Key_1, Qt.AltModifier)
    qtbot.keyClick(window, Qt.Key_3, Qt.AltModifier)
    edit = screen.completion.edit
    qtbot.waitUntil(lambda: not edit.isReadOnly())
    edit.setFocus()
    edit.moveCursor(QTextCursor.End)
    type_text(edit, " है")
    qtbot.keyClick(edit, Qt.Key_Z, Qt.ControlModifier)
    assert edit.text() == "दिल्ली"          # loading the item is not an undo step
    qtbot.keyClick(edit, Qt.Key_Z, Qt.ControlModifier | Qt.ShiftModifier)
    assert edit.text() == "दिल्ली है"
