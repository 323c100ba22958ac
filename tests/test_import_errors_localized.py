"""Import errors in the interface's language (issue 12, item 7): under Urdu, the detail of a
bad task file (its place, its problem, the languages it names) is Urdu; the English message
stays for logs and the server."""

import json

import pytest

from app.taskfile import TaskFileError, read_task_file
from i18n import languages, translation
from i18n.bidi import strip_isolates

ENGLISH_WORDS = ("line", "field", "must", "missing", "Qalam knows")


@pytest.fixture
def urdu():
    translation.install("ur")
    yield
    translation.install("en")


def _error(tmp_path, rows) -> TaskFileError:
    path = tmp_path / "urd.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows),
                    encoding="utf-8")
    with pytest.raises(TaskFileError) as caught:
        read_task_file(path)
    return caught.value


def test_an_import_error_detail_is_in_urdu_under_urdu(tmp_path, urdu):
    error = _error(tmp_path, [
        {"kind": "original", "language_code": "urd_Arab"},
        {"kind": "bogus", "language_code": "urd_Arab", "inputs": "سوال", "targets": "جواب"},
    ])
    # English for logs and the server, as before
    assert str(error) == "urd.jsonl, line 2, field 'kind': must be one of original, " \
                         "reannotation, review, postedit (got 'bogus')."
    shown = strip_isolates(error.localized())
    assert shown == "urd.jsonl، سطر 2، فیلڈ 'kind': original, reannotation, review, " \
                    "postedit میں سے ایک ہونا چاہیے (ملا: 'bogus')۔"
    assert not any(word in shown for word in ENGLISH_WORDS)


def test_a_language_named_in_an_import_error_is_named_in_urdu(tmp_path, urdu):
    error = _error(tmp_path, [{"kind": "original", "language_code": "urd", "script": "Latn"}])
    assert "Qalam knows no Urdu written in Latn" in str(error)
    shown = strip_isolates(error.localized())
    assert languages.language_name("urd_Arab", "ur") in shown  # "اردو", from CLDR
    assert "Urdu" not in shown and not any(word in shown for word in ENGLISH_WORDS)


def test_the_importer_shows_the_urdu_detail(qtbot, tmp_path, urdu):
    from ui.importer import TaskImporter
    from ui.operations import Context
    from ui.tasks import TaskRunner

    path = tmp_path / "empty.jsonl"
    path.write_text("\n", encoding="utf-8")
    tasks = TaskRunner(tmp_path / "qalam.db")
    importer = TaskImporter(Context(None, tasks, None))
    with qtbot.waitSignal(importer.failed, timeout=10_000) as failed:  # bound, not a benchmark
        importer.start(path)
    tasks.close()
    assert strip_isolates(failed.args[0]) == "empty.jsonl: اس میں کوئی کام نہیں ہے۔"
