"""Invisible text is not text: an item whose prompt or completion has no visible character
(only spaces, zero-width characters, bidi controls…) is refused at submit by the store, so the
app, task imports and the server refuse it alike; a draft may hold anything while a person
types. (Issue 12, item 5: an item of zero-width characters only was shown as "Submitted".)"""

import pytest
from PySide6.QtCore import Qt

from app import paths
from app.errors import InvalidState, TextRejected
from app.store import Store
from tests.keys import type_text
from tests.test_text import INVISIBLE, ZWNJ

# The kinds of invisible character that get past str.strip(): whitespace alone is refused
# earlier, by the "write both" rule.
INVISIBLE_PAST_STRIP = {name: text for name, text in INVISIBLE.items() if text.strip()}


@pytest.mark.parametrize("text", INVISIBLE_PAST_STRIP.values(),
                         ids=INVISIBLE_PAST_STRIP.keys())
def test_the_store_refuses_to_submit_an_invisible_only_prompt(store: Store, text):
    draft = store.new_submission(language="urd_Arab")
    store.save_draft(draft.id, inputs=text, targets="جواب")   # a draft may hold it
    assert store.submission(draft.id).inputs == text
    with pytest.raises(TextRejected) as caught:
        store.submit(draft.id)
    assert caught.value.field == "inputs" and "prompt" in str(caught.value)
    kept = store.submission(draft.id)
    assert kept.state == "draft" and kept.inputs == text    # nothing saved is lost


def test_the_store_refuses_an_invisible_only_completion_naming_it(store: Store):
    draft = store.new_submission(language="fas_Arab")
    store.save_draft(draft.id, inputs="سلام", targets="\u200b\u200c\u200d")
    with pytest.raises(TextRejected) as caught:
        store.submit(draft.id)
    assert caught.value.field == "targets" and "completion" in str(caught.value)
    assert "U+200B" in str(caught.value)


def test_whitespace_only_is_still_asked_for_both_fields(store: Store):
    draft = store.new_submission(language="urd_Arab")
    store.save_draft(draft.id, inputs="  \n", targets="جواب")
    with pytest.raises(InvalidState, match="both a prompt and a completion"):
        store.submit(draft.id)


def test_real_text_with_zwnj_and_zwj_is_submitted(store: Store):
    draft = store.new_submission(language="fas_Arab")
    store.save_draft(draft.id, inputs=f"چه می{ZWNJ}خواهید؟", targets="क्\u200dष")
    assert store.submit(draft.id).state == "submitted"


# --- in the window -------------------------------------------------------------------------


def test_an_invisible_only_item_is_refused_in_the_write_screen(qtbot, open_app, tmp_path):
    window = open_app(tmp_path, active=True)
    window.set_language("urd_Arab")
    qtbot.keyClick(window, Qt.Key_N, Qt.ControlModifier)
    editor = window.editor
    qtbot.waitUntil(lambda: editor.submission is not None and editor.prompt.hasFocus())
    type_text(editor.prompt, "\u200b\u200d")
    editor.completion.setFocus()
    type_text(editor.completion, "\u2060\ufeff")
    qtbot.keyClick(editor.completion, Qt.Key_Return, Qt.ControlModifier)
    qtbot.waitUntil(lambda: "visible" in editor.status.text(), timeout=5000)
    assert "Submitted" not in editor.status.text()
    assert "prompt" in editor.status.text()
    assert not editor.completion.isReadOnly()                  # still editable
    with Store.open(paths.database_path(tmp_path), readonly=True) as store:
        (item,) = store.submissions()
    assert item.state == "draft" and item.inputs == "\u200b\u200d"


# --- task imports -------------------------------------------------------------------------------


@pytest.mark.parametrize(("field", "text"), [
    ("inputs", "\u200b"), ("targets", "\u200c\u200d"), ("instructions", "\u2060 \ufeff"),
    ("targets", "\u2067\u2069"), ("inputs", "   "),
])
def test_an_import_row_with_an_invisible_only_field_is_refused_naming_line_and_field(
        tmp_path, field, text):
    import json

    from app.taskfile import TaskFileError, read_task_file

    good = {"id": "ok", "kind": "reannotation", "language_code": "urd_Arab",
            "inputs": "سوال", "targets": "جواب"}
    path = tmp_path / "urd.jsonl"
    path.write_text("\n".join(json.dumps(row, ensure_ascii=False) for row in
                              (good, {**good, "id": "bad", field: text})) + "\n", "utf-8")
    with pytest.raises(TaskFileError) as caught:
        read_task_file(path)
    assert (caught.value.line, caught.value.field) == (2, field)
    assert "visible" in str(caught.value) and "urd.jsonl, line 2" in str(caught.value)


def test_imported_text_with_zwnj_and_an_empty_optional_field_is_fine(tmp_path):
    from app.taskfile import read_task_file

    path = tmp_path / "fas.csv"
    path.write_text("kind,language_code,instructions,inputs,targets\n"
                    f"reannotation,pes_Arab,,چه می{ZWNJ}خواهید؟,می{ZWNJ}خواهم\n", "utf-8")
    (task,) = read_task_file(path)
    assert task["inputs"] == f"چه می{ZWNJ}خواهید؟" and task["instructions"] == ""
