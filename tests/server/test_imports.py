"""Importing task files on the server (sync.server.work.imports and `qalam-server import-tasks`,
`project …`): every format, bad input in every format (nothing stored), idempotency, updates.
Each test runs on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import sqlalchemy as sa

from app.taskfile import TaskFileError
from sync.server import tables
from sync.server.cli import main
from sync.server.work.imports import import_file, import_records

DATA = Path(__file__).parent / "data"
T = tables.tasks


def tasks(engine) -> dict[str, dict]:
    """Every task row by id, with its payload parsed."""
    with engine.connect() as conn:
        rows = conn.execute(sa.select(T)).all()
    return {r.id: {**r._mapping, "payload": json.loads(r.payload)} for r in rows}


def project_ids(engine) -> list[str]:
    with engine.connect() as conn:
        return sorted(conn.execute(sa.select(tables.projects.c.id)).scalars())


def jsonl(path: Path, rows, tail: str = "") -> Path:
    with path.open("w", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
        out.write(tail)
    return path


def run(capsys, *args):
    status = main(list(args))
    out = capsys.readouterr()
    return status, out.out, out.err


OWN = [
    {"id": "t-orig", "kind": "original", "language_code": "urd_Arab",
     "instructions": "اپنے شہر کے بارے میں ایک سوال لکھیے۔"},
    {"id": "t-re", "kind": "reannotation", "language_code": "hin_Deva", "origin": "templated",
     "inputs": "भारत की राजधानी क्या है?", "targets": "दिल्ली"},
    {"id": "t-pe", "kind": "postedit", "language_code": "swh_Latn", "source_text": "Wash hands.",
     "mt_text": "Osha mikono.", "dialect": "Kiunguja"},
    {"id": "t-rev", "kind": "review", "language_code": "arb_Arab", "author": "user-7",
     "review_of": "sub-9", "original_inputs": "سؤال", "original_targets": "جواب",
     "inputs": "سؤال أوضح", "targets": "جواب أكمل"},
    {"id": "t-default", "language_code": "yor_Latn", "instructions": "Kọ ìbéèrè kan."},
]


# --- every format ----------------------------------------------------------------------------


def test_aya_dataset_jsonl(engine):
    result = import_file(engine, DATA / "aya_dataset.jsonl", project_id="aya")
    assert (result.project_created, result.added, result.updated, result.unchanged) == (
        True, 5, 0, 0)
    found = {t["language"]: t for t in tasks(engine).values()}
    # ISO 639-3 codes and names map to registry codes; 'kur' and 'zho' by their names.
    assert sorted(found) == ["ckb_Arab", "hin_Deva", "swh_Latn", "urd_Arab", "zho_Hans"]
    urdu = found["urd_Arab"]
    assert (urdu["kind"], urdu["origin"], urdu["project_id"]) == ("reannotation", "human", "aya")
    assert urdu["payload"]["targets"] == "پاکستان کا دارالحکومت اسلام آباد ہے۔"
    assert urdu["payload"]["provenance"] == {
        "format": "aya", "annotation_type": "original-annotations", "language": "Urdu",
        "user_id": "9a1c7d0e"}
    again = import_file(engine, DATA / "aya_dataset.jsonl", project_id="aya")
    assert (again.project_created, again.added, again.updated, again.unchanged) == (
        False, 0, 0, 5)


def test_own_jsonl_keeps_ids_kinds_authors_and_fills_the_kind(engine, tmp_path):
    path = jsonl(tmp_path / "own.jsonl", OWN)
    result = import_file(engine, path, project_id="p1", kind="original", origin="templated",
                         project_name="Pilot")
    assert result.added == 5
    found = tasks(engine)
    assert sorted(found) == sorted(row["id"] for row in OWN)
    assert (found["t-rev"]["author_id"], found["t-rev"]["review_of"]) == ("user-7", "sub-9")
    assert found["t-pe"]["payload"]["mt_text"] == "Osha mikono."
    assert found["t-pe"]["payload"]["dialect"] == "Kiunguja"
    # Rows say their own kind and origin; --kind and --origin fill in the rest.
    assert (found["t-re"]["kind"], found["t-re"]["origin"]) == ("reannotation", "templated")
    assert (found["t-orig"]["origin"], found["t-default"]["kind"]) == ("templated", "original")
    with engine.connect() as conn:
        name = conn.execute(sa.select(tables.projects.c.name)).scalar()
    assert name == "Pilot"


def test_csv(engine, tmp_path):
    path = tmp_path / "tasks.csv"
    path.write_text(
        "id,kind,language_code,inputs,targets,author_id\n"
        'c1,reannotation,yor_Latn,"Kí ni orúkọ rẹ?","Orúkọ mi ni Adé.\nMo wá láti Ìbàdàn.",u-3\n'
        "c2,original,hau_Latn,,,\n",
        encoding="utf-8")
    result = import_file(engine, path, project_id="p1", origin="human")
    assert result.added == 2
    found = tasks(engine)
    assert found["c1"]["payload"]["targets"] == "Orúkọ mi ni Adé.\nMo wá láti Ìbàdàn."
    assert found["c1"]["author_id"] == "u-3" and found["c2"]["author_id"] is None
    assert import_file(engine, path, project_id="p1").unchanged == 2


def test_parquet_aya_collection_in_several_row_groups(engine, tmp_path):
    rows = [{"id": n, "inputs": f"Swali {n}?", "targets": f"Jibu {n}.",
             "dataset_name": "Translated-Flan" if n % 2 else "Mintaka-inst",
             "template_id": n % 3, "language": "swh", "script": "Latn", "split": "train"}
            for n in range(50)]
    path = tmp_path / "collection.parquet"
    pq.write_table(pa.Table.from_pylist(rows), path, row_group_size=16)
    assert pq.ParquetFile(path).num_row_groups == 4
    progress = []
    result = import_file(engine, path, project_id="coll",
                         progress=lambda *call: progress.append(call))
    assert result.added == 50
    found = tasks(engine)
    origins = sorted(t["origin"] for t in found.values())
    assert origins == ["templated"] * 25 + ["translated"] * 25
    assert {t["language"] for t in found.values()} == {"swh_Latn"}
    # The collection's row id is provenance, never the task id (it repeats across datasets).
    assert "7" not in found
    assert sorted(t["payload"]["provenance"]["id"] for t in found.values()) == list(range(50))
    assert progress[-1] == (50, 50, "storing") and (50, 50, "reading") in progress
    assert import_file(engine, path, project_id="coll").unchanged == 50


def test_xliff_2(engine):
    result = import_file(engine, DATA / "health.xlf", project_id="pe")
    assert result.added == 3  # the translate="no" unit is left out
    found = sorted(tasks(engine).values(), key=lambda t: t["payload"]["provenance"]["unit"])
    payloads = [t["payload"] for t in found]
    assert [(p["source_text"], p["mt_text"]) for p in payloads] == [
        ("Call the clinic.", "Piga simu kliniki."),
        ("Wash your hands with soap.", "Osha mikono yako kwa sabuni."),
        ("Drink clean water.", "Kunywa maji safi."),
    ]
    assert {(t["kind"], t["language"], t["origin"]) for t in found} == {
        ("postedit", "swh_Latn", "translated")}
    assert payloads[1]["source_language"] == "eng_Latn"
    assert payloads[1]["provenance"] == {"format": "xliff", "version": "2.0",
                                         "document": "health/handwashing.html",
                                         "unit": "title", "segment": "s1"}
    assert import_file(engine, DATA / "health.xlf", project_id="pe").unchanged == 3


def test_xliff_1_2_with_groups_and_alternative_translations(engine):
    result = import_file(engine, DATA / "health-1.2.xlf", project_id="pe", origin="human")
    assert result.added == 2
    payloads = sorted((t["payload"] for t in tasks(engine).values()),
                      key=lambda p: p["provenance"]["unit"])
    assert [(p["source_text"], p["mt_text"]) for p in payloads] == [
        ("Boil water before drinking it.", "پینے سے پہلے پانی ابال لیں۔"),
        ("Keep food covered.", "کھانا ڈھانپ کر رکھیں۔"),
    ]
    assert {p["language"] for p in payloads} == {"urd_Arab"}
    assert {p["origin"] for p in payloads} == {"human"}


def test_import_records_validates_like_a_file(engine):
    result = import_records(engine, "hall", [
        {"id": "hall-1", "kind": "original", "language": "swh_Latn",
         "instructions": "Andika swali kuhusu maji safi."}])
    assert result.added == 1 and tasks(engine)["hall-1"]["language"] == "swh_Latn"
    with pytest.raises(TaskFileError) as caught:
        import_records(engine, "hall", [{"kind": "original", "language": "swh_Latn"},
                                        {"kind": "original"}], name="api")
    assert str(caught.value).startswith("api, row 2, field 'language_code': is missing")


# --- idempotent, and changes reach devices ---------------------------------------------------


def test_a_changed_row_gets_a_new_revision_and_change_number(engine, tmp_path):
    path = jsonl(tmp_path / "own.jsonl", OWN)
    import_file(engine, path, project_id="p1", kind="original")
    before = tasks(engine)
    changed = [dict(row) for row in OWN]
    changed[1]["targets"] = "नई दिल्ली"
    result = import_file(engine, jsonl(path, changed), project_id="p1", kind="original")
    assert (result.added, result.updated, result.unchanged) == (0, 1, 4)
    after = tasks(engine)
    assert after["t-re"]["revision"] == 2 and after["t-re"]["payload"]["targets"] == "नई दिल्ली"
    assert after["t-re"]["server_seq"] > max(t["server_seq"] for t in before.values())
    assert after["t-re"]["payload"]["created_at"] == before["t-re"]["payload"]["created_at"]
    assert after["t-orig"]["revision"] == 1


def test_a_new_machine_translation_of_a_segment_updates_its_task(engine, tmp_path):
    import_file(engine, DATA / "health.xlf", project_id="pe")
    text = (DATA / "health.xlf").read_text(encoding="utf-8")
    path = tmp_path / "health.xlf"
    path.write_text(text.replace("Piga simu kliniki.", "Piga simu zahanati."), "utf-8")
    result = import_file(engine, path, project_id="pe")
    assert (result.added, result.updated, result.unchanged) == (0, 1, 2)


def test_a_file_naming_one_task_twice_adds_it_once(engine, tmp_path):
    path = jsonl(tmp_path / "twice.jsonl", [OWN[0], OWN[0]])
    result = import_file(engine, path, project_id="p1")
    assert (result.added, result.unchanged) == (1, 1)


# --- bad input: the message says where, and nothing is stored --------------------------------


def _fails(engine, path: Path, *expected: str, **options) -> TaskFileError:
    with pytest.raises(TaskFileError) as caught:
        import_file(engine, path, project_id="bad", **options)
    message = str(caught.value)
    assert message.startswith(path.name), message
    for words in expected:
        assert words in message, message
    assert tasks(engine) == {} and project_ids(engine) == []  # all or nothing
    return caught.value


GOOD_ROW = {"kind": "original", "language_code": "urd_Arab", "instructions": "لکھیے"}


@pytest.mark.parametrize(("content", "expected"), [
    (b'{"kind": "original"}\n', ["line 1, field 'language_code': is missing"]),
    (b'{"kind": "original", "language_code": "xx_Nope"}\n',
     ["line 1, field 'language_code'", "'xx_Nope' is not a language code Qalam knows"]),
    (b'{"inputs": "a", "targets": "b", "language": "Klingon"}\n',
     ["line 1, field 'language'", "'Klingon'"]),
    (b'{"inputs": "a", "targets": "b", "language_code": "kur", "annotation_type": "x"}\n',
     ["line 1, field 'language_code'", "ambiguous", "ckb_Arab", "kmr_Latn"]),
    (b'{"inputs": "a", "targets": "b", "language_code": "urd", "script": "Latn"}\n',
     ["line 1, field 'script'", "Latn"]),
    (json.dumps(GOOD_ROW).encode() + b'\n{"kind": "orig', ["line 2:", "not a complete JSON"]),
    (b'\n\n{"kind": "original", "language_code": "urd_Arab", "inputs": 5}\n',
     ["line 3, field 'inputs': must be text (got int)"]),
    (b'{"kind": "original", "language_code": "urd_Arab", "id": "has space"}\n',
     ["line 1, field 'id'", "cannot be a task id"]),
    (b'{"kind": "painting", "language_code": "urd_Arab"}\n', ["line 1, field 'kind'"]),
    (json.dumps(GOOD_ROW).encode() + b"\n\xff\xfe\n", ["line 2:", "UTF-8"]),
    (b"[1, 2]\n", ["line 1:", "must be a JSON object"]),
    (b"", ["is empty"]),
    (b"\n\n", ["contains no tasks"]),
])
def test_bad_jsonl(engine, tmp_path, content, expected):
    path = tmp_path / "bad.jsonl"
    path.write_bytes(content)
    _fails(engine, path, *expected)


@pytest.mark.parametrize(("content", "expected"), [
    ("id,kind,inputs\nc1,original,x\n", ["line 2, field 'language_code': is missing"]),
    ("id,kind,language_code\nc1,original,urd_Arab\nc2,original,nope\n",
     ["line 3, field 'language_code'", "'nope'"]),
    ("id,kind,language_code\nc1,original,urd_Arab,extra\n", ["line 2:", "more values"]),
    ("id,kind,language_code,inputs\nc1,reannotation,urd_Arab,x\n",
     ["line 2, field 'targets': is empty"]),
    ("id,kind,language_code\nc1,sculpture,urd_Arab\n", ["line 2, field 'kind'"]),
    ("", ["is empty"]),
    ("id,kind,language_code\n", ["contains no tasks"]),
])
def test_bad_csv(engine, tmp_path, content, expected):
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="utf-8")
    _fails(engine, path, *expected)


@pytest.mark.parametrize(("rows", "expected"), [
    ([{"kind": "original", "inputs": "x"}], ["row 1, field 'language_code': is missing"]),
    ([GOOD_ROW, {**GOOD_ROW, "language_code": "zz"}], ["row 2, field 'language_code'"]),
    ([{**GOOD_ROW, "instructions": 7}], ["row 1, field 'instructions': must be text (got int)"]),
    ([{"inputs": "a", "targets": "b", "language": "zho", "template_id": 1}],
     ["row 1, field 'language'", "ambiguous"]),
    ([], ["contains no tasks"]),
])
def test_bad_parquet(engine, tmp_path, rows, expected):
    path = tmp_path / "bad.parquet"
    schema = pa.schema([("kind", pa.string()), ("inputs", pa.string())])
    pq.write_table(pa.Table.from_pylist(rows) if rows else schema.empty_table(), path)
    _fails(engine, path, *expected)


def test_a_file_that_is_not_parquet(engine, tmp_path):
    path = tmp_path / "bad.parquet"
    path.write_bytes(b"PAR1 this is not really parquet")
    _fails(engine, path, "is not a Parquet file")
    path.write_bytes(b"")
    _fails(engine, path, "is empty")


XLIFF2 = ('<?xml version="1.0"?>\n<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" '
          'version="2.0" srcLang="en" trgLang="{trg}">\n<file id="f">\n{units}\n</file>\n'
          '</xliff>\n')
UNIT = '<unit id="{id}"><segment><source>{src}</source><target>{tgt}</target></segment></unit>'


def _xliff2(trg="sw", units=None) -> str:
    units = units or [UNIT.format(id="u1", src="Hello.", tgt="Habari.")]
    return XLIFF2.format(trg=trg, units="\n".join(units))


@pytest.mark.parametrize(("content", "expected"), [
    (_xliff2(units=[UNIT.format(id="u1", src="Hello.", tgt="Habari."),
                    UNIT.format(id="u2", src="Bye.", tgt="")]),
     ["unit 'u2' (line 5), field 'target': is missing or empty"]),
    (_xliff2(trg="xx-Nope"), ["line 2, field 'trgLang'", "'xx-Nope'"]),
    (_xliff2().replace(' trgLang="sw"', ""), ["line 2, field 'trgLang': is missing"]),
    (_xliff2(units=[UNIT.format(id="u1", src="Hello.", tgt="Habari.") + "<unit id='u2'>"]),
     ["line", "not well-formed XML"]),
    (_xliff2(units=['<unit id="u1"><segment><source>Hi</source><target>A\x01</target>'
                    "</segment></unit>"]), ["line 4", "not well-formed XML"]),
    (_xliff2().replace('version="2.0"', 'version="3.0"'), ["field 'version'", "3.0"]),
    ('<?xml version="1.0"?>\n<tmx version="1.4"><body/></tmx>\n', ["not an XLIFF file"]),
    ('<?xml version="1.0"?>\n<!DOCTYPE xliff [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;">]>'
     + _xliff2().split("\n", 1)[1].replace("Hello.", "&b;"), ["DOCTYPE"]),
    ('<?xml version="1.0"?>\n<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">'
     '\n<file original="a" source-language="en" datatype="plaintext"><body>'
     '<trans-unit id="1"><source>Hi</source><target>Salaam</target></trans-unit>'
     "</body></file></xliff>", ["line 3, field 'target-language': is missing"]),
    ('<?xml version="1.0"?>\n<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">'
     '\n<file original="a" source-language="en" target-language="ur" datatype="plaintext">'
     '<body>\n<trans-unit id="7"><source>Hi</source></trans-unit></body></file></xliff>',
     ["unit '7' (line 4), field 'target'"]),
    (_xliff2(units=["<unit><segment><source>Hi</source><target>Salaam</target></segment>"
                    "</unit>"]), ["field 'id'", "no id"]),
    ("", ["is empty"]),
    (_xliff2(units=['<unit id="u1"><segment><source> </source><target/></segment></unit>']),
     ["contains no tasks"]),
])
def test_bad_xliff(engine, tmp_path, content, expected):
    path = tmp_path / "bad.xlf"
    path.write_text(content, encoding="utf-8")
    _fails(engine, path, *expected)


def test_xliff_kind_must_be_postedit(engine):
    path = DATA / "health.xlf"
    with pytest.raises(TaskFileError, match="post-editing"):
        import_file(engine, path, project_id="bad", kind="original")


def test_a_bad_last_row_of_many_stores_nothing(engine, tmp_path):
    rows = [{"id": f"r{n}", "kind": "original", "language_code": "swh_Latn",
             "instructions": f"Andika swali {n}."} for n in range(2500)]
    path = jsonl(tmp_path / "many.jsonl", rows, tail='{"id": "last", "kind": "original"}\n')
    _fails(engine, path, "line 2501, field 'language_code'")
    # Caught only while storing (the third batch), after two batches were written: rolled back.
    path = jsonl(tmp_path / "many.jsonl", [*rows, {**rows[0], "instructions": "Tofauti."}])
    _fails(engine, path, "line 2501, field 'id'", "'r0' names an earlier, different task")
    many = tmp_path / "many.parquet"
    pq.write_table(pa.Table.from_pylist([*rows, {**rows[0], "language_code": None}]), many,
                   row_group_size=1000)
    _fails(engine, many, "row 2501, field 'language_code'")


def test_an_id_of_another_project_is_refused(engine, tmp_path):
    path = jsonl(tmp_path / "own.jsonl", OWN[:3])
    import_file(engine, path, project_id="p1")
    with pytest.raises(TaskFileError, match=r"line 1, field 'id'.*belongs to project p1"):
        import_file(engine, path, project_id="p2")
    assert project_ids(engine) == ["p1"]


def test_unknown_format_and_options(engine, tmp_path):
    path = tmp_path / "tasks.xlsx"
    path.write_bytes(b"PK")
    with pytest.raises(TaskFileError, match="unknown format"):
        import_file(engine, path, project_id="p1")
    copy = shutil.copy(DATA / "aya_dataset.jsonl", tmp_path / "aya.txt")
    assert import_file(engine, copy, project_id="p1", file_format="jsonl").added == 5


# --- the commands ----------------------------------------------------------------------------


def test_project_create_list_show_and_set(capsys, db_url):
    status, out, _ = run(capsys, "project", "create", "--db", db_url, "aya-urd", "--name",
                         "Aya Urdu", "--settings", '{"distribution": {"page_size": 5}}')
    assert status == 0 and "Created project aya-urd" in out
    status, _, err = run(capsys, "project", "create", "--db", db_url, "aya-urd")
    assert status == 1 and "already exists" in err
    status, _, err = run(capsys, "project", "create", "--db", db_url, "bad id")
    assert status == 1 and "cannot be a project id" in err
    status, _, err = run(capsys, "project", "create", "--db", db_url, "p2", "--settings",
                         '{"distribution": {"page_sise": 5}}')
    assert status == 1 and "distribution.page_sise" in err
    status, out, _ = run(capsys, "project", "list", "--db", db_url)
    assert status == 0 and out.split("\n")[1].split() == ["aya-urd", "Aya", "Urdu", "0"]
    status, out, _ = run(capsys, "project", "set", "--db", db_url, "aya-urd",
                         "distribution.page_size=10", "acceptance.min_accepted_per_language=100",
                         "acceptance.exclude_flagged=false", 'dialects=["Dakhini"]')
    assert status == 0 and "aya-urd: distribution.page_size = 10" in out
    status, out, _ = run(capsys, "project", "show", "--db", db_url, "aya-urd", "--json")
    settings = json.loads(out)["settings"]
    assert settings["distribution"]["page_size"] == 10
    assert settings["acceptance"]["min_accepted_per_language"] == 100
    assert settings["acceptance"]["exclude_flagged"] is False
    assert settings["dialects"] == ["Dakhini"]
    for assignment, words in [("distribution.page_size=ten", "'distribution.page_size'"),
                              ("distribution.page_sise=3", "'distribution.page_sise'"),
                              ("acceptance.min_mean_rating=true", "acceptance.min_mean_rating"),
                              ("page_size", "KEY=VALUE")]:
        status, _, err = run(capsys, "project", "set", "--db", db_url, "aya-urd", assignment)
        assert status == 1 and words in err, err
    status, _, err = run(capsys, "project", "show", "--db", db_url, "nothing")
    assert status == 1 and "No project 'nothing'" in err


def test_import_tasks_command(capsys, db_url, tmp_path):
    path = str(DATA / "aya_dataset.jsonl")
    status, out, _ = run(capsys, "import-tasks", "--db", db_url, path, "--project", "aya")
    assert status == 0
    assert out == "aya_dataset.jsonl: 5 new, 0 updated, 0 unchanged tasks in project aya " \
                  "(new project).\n"
    status, out, _ = run(capsys, "import-tasks", "--db", db_url, path, "--project", "aya")
    assert status == 0 and "0 new, 0 updated, 5 unchanged" in out
    xliff = str(DATA / "health.xlf")
    status, out, _ = run(capsys, "import-tasks", "--db", db_url, xliff, "--project", "pe",
                         "--origin", "human", "--project-name", "Post-editing")
    assert status == 0 and "3 new" in out
    status, out, _ = run(capsys, "project", "show", "--db", db_url, "pe")
    assert "Post-editing" in out and "swh_Latn  postedit  human   3" in out
    bad = jsonl(tmp_path / "bad.jsonl", [GOOD_ROW, {"kind": "original"}])
    status, out, err = run(capsys, "import-tasks", "--db", db_url, str(bad), "--project", "aya")
    assert status == 1 and out == ""
    assert "bad.jsonl, line 2, field 'language_code': is missing" in err
    status, _, err = run(capsys, "import-tasks", "--db", db_url, str(bad), "--project", "aya",
                         "--format", "xliff")
    assert status == 1 and "not well-formed XML" in err
    status, out, _ = run(capsys, "project", "list", "--db", db_url, "--json")
    assert [json.loads(line)["tasks"] for line in out.splitlines()] == [5, 3]
