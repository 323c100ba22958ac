"""Importing a coordinator's task file from the window: all of it, or nothing and a clear
message naming file, line and field. Parsing runs off the UI thread with a progress bar."""

import json

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox

from app import paths
from app.store import Store

GOOD = [
    {"id": "i-1", "kind": "original", "language_code": "yor_Latn",
     "instructions": "Kọ ìbéèrè kan nípa oúnjẹ."},
    {"id": "i-2", "kind": "reannotation", "language_code": "hau_Latn",
     "inputs": "Menene babban birnin Najeriya?", "targets": "Abuja"},
    {"id": "i-3", "kind": "review", "language_code": "arb_Arab", "author": "peer-2",
     "review_of": "sub-9", "original_inputs": "سؤال", "original_targets": "جواب",
     "inputs": "سؤال أوضح", "targets": "جواب أكمل وأوضح"},
]


@pytest.fixture
def window(open_app, tmp_path):
    with Store.open(paths.database_path(tmp_path)) as store:
        store.add_tasks([{"id": "old", "kind": "original", "language": "fra_Latn"}])
    return open_app(tmp_path, ui_language="en", active=True)


def task_count(window):
    window.writer.flush()
    with Store.open(window.reader.path, readonly=True) as store:
        return store.count_tasks()


def write_jsonl(path, rows, tail=""):
    with path.open("w", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
        out.write(tail)
    return path


def run_import(qtbot, window, path, timeout=60000):
    window.last_import_message = ""
    window.import_tasks(path)
    qtbot.waitUntil(lambda: not window.importer.running, timeout=timeout)
    QApplication.processEvents()
    return window.last_import_message


def test_ctrl_i_imports_a_valid_file(qtbot, window, tmp_path, monkeypatch):
    path = write_jsonl(tmp_path / "batch.jsonl", GOOD)
    monkeypatch.setattr(QFileDialog, "getOpenFileName",
                        staticmethod(lambda *args, **kwargs: (str(path), "")))
    qtbot.keyClick(window, Qt.Key_I, Qt.ControlModifier)
    qtbot.waitUntil(lambda: window.last_import_message.startswith("Imported"), timeout=20000)
    assert window.last_import_message == "Imported 3 new tasks (3 in the file)."
    assert task_count(window) == 4
    with Store.open(window.reader.path, readonly=True) as store:
        review = store.task("i-3")
    assert (review.author, review.review_of, review.original_targets) == (
        "peer-2", "sub-9", "جواب")
    assert window.language_picker.findData("hau_Latn") >= 0  # new languages are offered
    # the same file again adds nothing
    assert run_import(qtbot, window, path) == "Imported 0 new tasks (3 in the file)."


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("bad-utf8.jsonl", json.dumps(GOOD[0]).encode() + b"\n" + b'{"id": "x\xff"}\n',
         "bad-utf8.jsonl, line 2: is not valid UTF-8"),
        ("missing.jsonl",
         "\n".join(json.dumps(r, ensure_ascii=False) for r in
                   [GOOD[0], {k: v for k, v in GOOD[2].items() if k != "original_targets"}]),
         "missing.jsonl, line 2, field 'original_targets': is missing"),
        ("no-language.jsonl", json.dumps({"id": "n", "kind": "original"}),
         "no-language.jsonl, line 1, field 'language_code': is missing"),
        ("truncated.jsonl",
         json.dumps(GOOD[0]) + "\n" + json.dumps(GOOD[1], ensure_ascii=False)[:40],
         "truncated.jsonl, line 2: is not a complete JSON object"),
    ],
)
def test_a_broken_file_imports_nothing_and_says_where(qtbot, window, tmp_path, name, content,
                                                       expected):
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    message = run_import(qtbot, window, path)
    assert message.startswith(expected), message
    assert task_count(window) == 1  # only what was there before
    box = window.findChild(QMessageBox, "importError")
    assert box is not None and box.isVisible()
    assert box.text() == "Nothing was imported." and expected in box.informativeText()
    box.close()


def _big_rows(count):
    paragraph = "Ọmọ tí a kò kọ́ ni yóò gbé ilé tí a kọ́ tà. " * 100  # ~4.5 KB of Yoruba
    for n in range(count):
        yield {"id": f"big-{n}", "kind": "reannotation", "language_code": "yor_Latn",
               "inputs": f"Ìbéèrè {n}: {paragraph[:200]}", "targets": paragraph}


@pytest.mark.slow
def test_a_50_mb_file_imports_whole_or_not_at_all(qtbot, window, tmp_path):
    rows = list(_big_rows(9500))
    good = write_jsonl(tmp_path / "big.jsonl", rows)
    assert good.stat().st_size > 50_000_000
    broken = write_jsonl(tmp_path / "big-broken.jsonl", rows,
                         tail=json.dumps({"id": "last", "kind": "reannotation"})[:-7])
    message = run_import(qtbot, window, broken, timeout=120000)
    assert message.startswith(f"big-broken.jsonl, line {len(rows) + 1}:"), message
    assert task_count(window) == 1
    window.findChild(QMessageBox, "importError").close()
    progress = []
    window.importer.progressed.connect(lambda done, total: progress.append((done, total)))
    message = run_import(qtbot, window, good, timeout=120000)
    assert message == f"Imported {len(rows)} new tasks ({len(rows)} in the file)."
    assert task_count(window) == len(rows) + 1
    assert len(progress) > 5 and progress[-1][0] == progress[-1][1]  # the bar moved
