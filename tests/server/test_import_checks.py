"""Imports refuse rows that contradict themselves, naming file, line and field, unless the
coordinator says they are right (``--allow-mismatch``, the dashboard's checkbox): a
``language`` name that is another language than the ``language_code`` (urd with "Hindi"),
and text mostly in another script than the language's (Devanagari labelled urd). A CSV with
columns Qalam does not read names them; a truncated JSON line says its column; a DOCTYPE is
refused at its own line; ``qalam-server export … | head`` ends quietly."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.taskfile import TaskFileError
from sync.server import tables
from sync.server.cli import main
from sync.server.work.imports import import_file

URDU = "پاکستان کا دارالحکومت کیا ہے؟"
HINDI = "भारत की राजधानी क्या है और वह कहाँ है?"


def _jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows),
                    encoding="utf-8")
    return path


def _count(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(tables.tasks)).scalar()


GOOD = {"inputs": URDU, "targets": "اسلام آباد", "language_code": "urd", "language": "Urdu"}


def test_a_language_name_that_contradicts_the_code_is_refused(engine, tmp_path):
    path = _jsonl(tmp_path / "urd.jsonl", [GOOD, {**GOOD, "language": "Hindi", "targets": "لاہور"}])
    with pytest.raises(TaskFileError) as refused:
        import_file(engine, path, project_id="aya-urd", kind="reannotation")
    assert (refused.value.line, refused.value.field) == (2, "language")
    assert "'Hindi'" in str(refused.value) and "'urd'" in str(refused.value)
    assert "--allow-mismatch" in str(refused.value)
    assert _count(engine) == 0  # nothing from the file
    result = import_file(engine, path, project_id="aya-urd", kind="reannotation",
                         allow_mismatch=True)
    assert result.added == 2


def test_text_in_another_script_than_its_code_is_refused(engine, tmp_path):
    path = _jsonl(tmp_path / "urd.jsonl", [GOOD, GOOD | {"targets": "x"},
                                           {"inputs": URDU, "targets": HINDI,
                                            "language_code": "urd"}])
    with pytest.raises(TaskFileError) as refused:
        import_file(engine, path, project_id="aya-urd", kind="reannotation")
    assert (refused.value.line, refused.value.field) == (3, "targets")
    assert "Devanagari" in str(refused.value) and "Arabic" in str(refused.value)
    assert _count(engine) == 0
    assert import_file(engine, path, project_id="aya-urd", kind="reannotation",
                       allow_mismatch=True).added == 3


def test_a_csv_file_is_checked_the_same_way(engine, tmp_path):
    path = tmp_path / "urd.csv"
    path.write_text(f"inputs,targets,language_code\n{URDU},اسلام آباد,urd\n"
                    f"{HINDI},{HINDI},urd\n", encoding="utf-8")
    with pytest.raises(TaskFileError) as refused:
        import_file(engine, path, project_id="aya-urd", kind="reannotation")
    assert (refused.value.line, refused.value.field) == (3, "inputs")


@pytest.mark.parametrize("row", [
    {"inputs": "ما هي عاصمة مصر؟", "targets": "القاهرة هي عاصمة مصر", "language_code": "arb",
     "language": "Standard Arabic"},
    {"inputs": "ما هي عاصمة مصر؟", "targets": "القاهرة هي عاصمة مصر", "language_code": "arz",
     "language": "Egyptian Arabic"},
    {"inputs": "ما هي عاصمة مصر؟", "targets": "القاهرة هي عاصمة مصر", "language_code": "arz",
     "language": "Arabic"},
    {"inputs": "Mji mkuu wa Kenya ni upi?", "targets": "Nairobi ni mji mkuu wa Kenya",
     "language_code": "swh", "language": "Swahili"},
    {"inputs": f"{URDU} (Islamabad, Pakistan)", "targets": "اسلام آباد", "language_code": "urd",
     "language": "Urdu"},
])
def test_rows_that_agree_with_themselves_are_taken(engine, tmp_path, row):
    path = _jsonl(tmp_path / "ok.jsonl", [row])
    assert import_file(engine, path, project_id="aya", kind="reannotation").added == 1


def test_the_command_line_takes_allow_mismatch(engine, tmp_path, capsys):
    url = engine.url.render_as_string(hide_password=False)
    path = _jsonl(tmp_path / "urd.jsonl", [{**GOOD, "language": "Hindi"}])
    assert main(["import-tasks", str(path), "--project", "aya-urd", "--kind", "reannotation",
                 "--db", url]) == 1
    assert "line 1, field 'language'" in capsys.readouterr().err
    assert main(["import-tasks", str(path), "--project", "aya-urd", "--kind", "reannotation",
                 "--allow-mismatch", "--db", url]) == 0
    assert _count(engine) == 1


def test_a_csv_with_unknown_columns_names_them(engine, tmp_path):
    path = tmp_path / "typos.csv"
    path.write_text(f"input,targets,langauge_code,language_code\n{URDU},اسلام آباد,urd,urd\n",
                    encoding="utf-8")
    with pytest.raises(TaskFileError) as refused:
        import_file(engine, path, project_id="aya-urd", kind="reannotation")
    assert refused.value.line == 1
    assert "'input'" in str(refused.value) and "'langauge_code'" in str(refused.value)
    assert _count(engine) == 0


def test_a_truncated_json_line_says_its_column(engine, tmp_path):
    path = tmp_path / "cut.jsonl"
    path.write_text(json.dumps(GOOD, ensure_ascii=False) + '\n{"inputs": "سوال", "targets": "جو',
                    encoding="utf-8")
    with pytest.raises(TaskFileError) as refused:
        import_file(engine, path, project_id="aya-urd", kind="reannotation")
    assert refused.value.line == 2
    assert "column 31" in str(refused.value), str(refused.value)


def test_a_doctype_is_refused_at_its_own_line(engine, tmp_path):
    path = tmp_path / "xxe.xlf"
    path.write_text(
        '<?xml version="1.0"?>\n<!-- exported by a CAT tool -->\n\n'
        '<!DOCTYPE xliff [\n<!ENTITY xxe SYSTEM "file:///etc/passwd">\n]>\n'
        '<xliff version="2.0" srcLang="en" trgLang="ur"><file id="f"><unit id="u"><segment>'
        "<source>&xxe;</source><target>x</target></segment></unit></file></xliff>\n",
        encoding="utf-8")
    with pytest.raises(TaskFileError) as refused:
        import_file(engine, path, project_id="aya-urd")
    assert refused.value.line == 4 and "DOCTYPE" in str(refused.value)
    assert "root:" not in str(refused.value)


def test_export_into_a_closed_pipe_ends_quietly(tmp_path):
    """`qalam-server export … | head`: the reader goes away; no BrokenPipeError traceback."""
    database = tmp_path / "server.db"
    run = [sys.executable, "-m", "sync.server.cli", "--db", str(database)]
    assert subprocess.run([*run, "init"], capture_output=True, timeout=120).returncode == 0
    process = subprocess.Popen([*run, "export", "--format", "jsonl", "--out",
                                str(tmp_path / "out")], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, cwd=tmp_path)
    process.stdout.close()  # as `head` does once it has read what it wanted
    _out, err = process.communicate(timeout=120)
    assert process.returncode in (0, 141)
    assert b"Traceback" not in err and b"BrokenPipe" not in err, err.decode()[-2000:]
