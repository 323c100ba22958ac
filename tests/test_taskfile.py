import json

import pytest

from app.store import Store
from app.taskfile import TaskFileError, read_task_file


def _write_jsonl(path, rows):
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", "utf-8")
    return path


QALAM_ROWS = [
    {"id": "t1", "kind": "original", "language_code": "urd_Arab", "instructions": "کھانا"},
    {"id": "t2", "kind": "reannotation", "language_code": "hin_Deva", "origin": "templated",
     "inputs": "भारत की राजधानी क्या है?", "targets": "दिल्ली"},
    {"id": "t3", "kind": "postedit", "language_code": "swh_Latn", "source_text": "Wash hands.",
     "mt_text": "Osha mikono."},
]


def test_qalam_task_file_imports_once(tmp_path, store: Store):
    path = _write_jsonl(tmp_path / "tasks.jsonl", QALAM_ROWS)
    tasks = read_task_file(path, project=None)
    assert store.add_tasks(tasks) == 3
    assert store.add_tasks(read_task_file(path)) == 0  # same file twice adds nothing
    assert store.task("t2").inputs == "भारत की राजधानी क्या है?"
    assert store.task("t3").kind == "postedit"


def test_aya_schema_rows_become_reannotation_tasks_with_stable_ids(tmp_path, store: Store):
    rows = [{"inputs": "Ni nini maana ya methali hii?", "targets": "Haraka haraka haina baraka.",
             "language": "Swahili", "language_code": "swh", "annotation_type":
             "original-annotations", "user_id": "abc"}]
    path = _write_jsonl(tmp_path / "aya.jsonl", rows)
    first = read_task_file(path)
    assert first[0]["kind"] == "reannotation" and first[0]["language"] == "swh_Latn"
    assert read_task_file(path)[0]["id"] == first[0]["id"]
    assert store.add_tasks(first) == 1 and store.add_tasks(read_task_file(path)) == 0


def test_csv_task_file(tmp_path):
    path = tmp_path / "tasks.csv"
    path.write_text(
        "id,kind,language_code,inputs,targets\n"
        "c1,reannotation,yor_Latn,\"Kí ni orúkọ rẹ?\",\"Orúkọ mi ni Adé.\"\n",
        encoding="utf-8",
    )
    (task,) = read_task_file(path)
    assert task["language"] == "yor_Latn" and task["targets"] == "Orúkọ mi ni Adé."


@pytest.mark.parametrize(
    ("content", "line", "field", "words"),
    [
        (b'{"kind": "original", "language_code": "urd_Arab"}\n{"kind": "orig', 2, None, "JSON"),
        (b'{"kind": "original"}\n', 1, "language_code", "missing"),
        (b'{"kind": "original", "language_code": "xx_Nope"}\n', 1, "language_code", "knows"),
        (b'{"kind": "painting", "language_code": "urd_Arab"}\n', 1, "kind", "one of"),
        (b'{"kind": "reannotation", "language_code": "urd_Arab", "inputs": "x"}\n', 1,
         "targets", "empty"),
        (b'{"kind": "original", "language_code": "urd_Arab", "inputs": "a\\u0000"}\n', 1,
         "inputs", "NUL"),
        (b'\n\n{"kind": "original", "language_code": "urd_Arab", "inputs": 5}\n', 3,
         "inputs", "must be text"),
        (b'{"kind": "original", "language_code": "urd_Arab"}\n\xff\xfe broken\n', 2, None,
         "UTF-8"),
    ],
)
def test_bad_records_name_file_line_and_field(tmp_path, store: Store, content, line, field,
                                              words):
    path = tmp_path / "bad.jsonl"
    path.write_bytes(content)
    with pytest.raises(TaskFileError) as caught:
        store.add_tasks(read_task_file(path))
    error = caught.value
    assert (error.line, error.field) == (line, field)
    assert "bad.jsonl" in str(error) and words in str(error)
    assert store.tasks() == []  # nothing half-imported


def test_unknown_format_and_empty_file(tmp_path):
    (tmp_path / "tasks.xlsx").write_bytes(b"PK")
    with pytest.raises(TaskFileError, match="unknown format"):
        read_task_file(tmp_path / "tasks.xlsx")
    (tmp_path / "empty.jsonl").write_text("\n", "utf-8")
    with pytest.raises(TaskFileError, match="no tasks"):
        read_task_file(tmp_path / "empty.jsonl")
