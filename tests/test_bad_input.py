"""Bad input, each with its documented result (README, "Text rules"); nothing saved is lost."""

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from app import paths
from app.errors import TextRejected
from app.store import Store
from app.text import MAX_FIELD_CHARS
from tests.keys import type_text

ONE_MB = "ک" * 524_288  # 1 MiB of UTF-8 (two bytes a letter)
MIXED = "Python میں list کیسے بنائیں؟ Use [1, 2, 3] یا range(3)۔"


@pytest.mark.parametrize(
    ("bad", "words"),
    [("before\x00after", "NUL character (position 7)"),
     ("broken \udc80 half", "lone UTF-16 surrogate"),
     (ONE_MB, f"limit is {MAX_FIELD_CHARS:,}")],
)
def test_store_refuses_bad_text_and_keeps_the_saved_draft(store: Store, bad, words):
    draft = store.new_submission(language="urd_Arab")
    store.save_draft(draft.id, inputs="سوال", targets="جواب")
    with pytest.raises(TextRejected) as caught:
        store.save_draft(draft.id, inputs="سوال", targets=bad)
    assert words in str(caught.value) and "completion" in str(caught.value)
    kept = store.submission(draft.id)
    assert (kept.inputs, kept.targets) == ("سوال", "جواب")
    assert store.integrity_check() == "ok"


def test_mixed_direction_text_is_stored_exactly(store: Store):
    draft = store.new_submission(language="urd_Arab")
    saved = store.save_draft(draft.id, inputs=MIXED, targets=MIXED).submission
    assert saved.inputs == MIXED and saved.warning_list == []


@pytest.fixture
def window(open_app, tmp_path):
    return open_app(tmp_path)


def test_pasting_a_megabyte_is_refused_with_a_message(qtbot, window, tmp_path):
    window.set_language("urd_Arab")
    qtbot.keyClick(window, Qt.Key_N, Qt.ControlModifier)
    editor = window.editor
    qtbot.waitUntil(lambda: editor.submission is not None and editor.prompt.hasFocus())
    type_text(editor.prompt, "سوال")
    editor.completion.setFocus()
    type_text(editor.completion, "جواب")
    qtbot.waitUntil(lambda: editor.status.text() == "Saved", timeout=5000)
    QApplication.clipboard().setText(ONE_MB)
    qtbot.keyClick(editor.completion, Qt.Key_V, Qt.ControlModifier)
    assert editor.status.text().startswith("Nothing was pasted")
    assert "524,292" in editor.status.text() and f"{MAX_FIELD_CHARS:,}" in editor.status.text()
    assert editor.completion.text() == "جواب"
    QApplication.clipboard().setText(" ٹھیک ہے")  # a normal paste still works
    qtbot.keyClick(editor.completion, Qt.Key_V, Qt.ControlModifier)
    qtbot.waitUntil(lambda: editor.status.text() == "Saved", timeout=5000)
    with Store.open(paths.database_path(tmp_path), readonly=True) as store:
        (item,) = store.submissions()
        assert item.targets == "جواب ٹھیک ہے"
