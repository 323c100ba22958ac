"""Hostile task files: every importer's memory stays bounded whatever the file's shape.

One hostile file of each format (JSONL, Aya JSONL, CSV, Parquet, XLIFF 2.0 and 1.2) is
imported in a process of its own (tests/server/import_child.py), beside a normal file of the
same format and similar size, and the peak RSS (VmHWM) of each is compared: a hostile file is
refused with a sentence naming the file and the line, row, unit or field, or imported, and
either way costs about what a normal import costs (``pytest -s`` prints both). Smaller cases run in
process. Each test runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from app.taskfile import MAX_RECORD_BYTES, TaskFileError
from sync.server.work import imports
from sync.server.work.imports import MAX_UNIT_ELEMENTS, import_file
from tests.server.import_child import import_in_child

MB = 1024 * 1024
WORDS = ["maji", "safi", "kisima", "mvua", "shamba", "mahindi", "chakula", "nyumba", "watoto",
         "shule", "barabara", "soko", "mti", "jua"]
XLIFF_2 = ('<?xml version="1.0" encoding="UTF-8"?>\n<xliff xmlns="urn:oasis:names:tc:xliff:'
           'document:2.0" version="2.0" srcLang="en" trgLang="sw">\n<file id="f1">\n')
XLIFF_1_2 = ('<?xml version="1.0" encoding="UTF-8"?>\n<xliff xmlns="urn:oasis:names:tc:xliff:'
             'document:1.2" version="1.2">\n<file original="doc.html" source-language="en" '
             'target-language="sw" datatype="html"><body>\n')
UNIT_2 = ('<unit id="u{n}"><segment><source>Wash your hands {n}, {text}.</source>'
          '<target>Osha mikono yako {n}, {text}.</target></segment></unit>\n')
UNIT_1_2 = ('<trans-unit id="u{n}"><source>Wash your hands {n}, {text}.</source>'
            '<target>Osha mikono yako {n}, {text}.</target></trans-unit>\n')
JUNK = '<a b="1">t</a>'  # an element outside any unit: old importers kept every one


def sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words))


# --- normal files, a few MB each -------------------------------------------------------------


def normal_rows(count: int, *, aya: bool = False) -> list[dict]:
    rng = random.Random(11)
    if aya:
        return [{"inputs": f"Swali {n}: {sentence(rng, 20)}?", "targets": sentence(rng, 30),
                 "language": "Swahili", "language_code": "swh",
                 "annotation_type": "original-annotations", "user_id": f"{n:064x}"}
                for n in range(count)]
    return [{"id": f"t{n}", "kind": "original", "language_code": "swh_Latn",
             "instructions": f"Andika swali {n}: {sentence(rng, 40)}"} for n in range(count)]


def normal_file(path: Path, family: str, count: int = 12_000) -> Path:
    rng = random.Random(5)
    if family in ("jsonl", "aya"):
        with path.open("w", encoding="utf-8") as out:
            for row in normal_rows(count, aya=family == "aya"):
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
    elif family == "csv":
        with path.open("w", encoding="utf-8") as out:
            out.write("id,kind,language_code,instructions\n")
            for row in normal_rows(count):
                out.write(f'{row["id"]},original,swh_Latn,"{row["instructions"]}"\n')
    elif family == "parquet":
        pq.write_table(pa.Table.from_pylist(normal_rows(count, aya=True)), path,
                       row_group_size=4000)
    else:
        head, unit = (XLIFF_2, UNIT_2) if family == "xliff2" else (XLIFF_1_2, UNIT_1_2)
        tail = "</file>\n</xliff>\n" if family == "xliff2" else "</body></file>\n</xliff>\n"
        with path.open("w", encoding="utf-8") as out:
            out.write(head)
            for n in range(count):
                out.write(unit.format(n=n, text=sentence(rng, 20)))
            out.write(tail)
    return path


NORMAL_NAMES = {"jsonl": "normal.jsonl", "aya": "normal-aya.jsonl", "csv": "normal.csv",
                "parquet": "normal.parquet", "xliff2": "normal.xlf", "xliff12": "normal-1.2.xlf"}


# --- hostile files ---------------------------------------------------------------------------


def jsonl_one_long_line(path: Path) -> Path:
    """One 64 MB line: a record with no end."""
    with path.open("w") as out:
        out.write('{"kind": "original", "language_code": "swh_Latn", "instructions": "')
        for _ in range(64):
            out.write("a" * MB)
        out.write('"}\n')
    return path


def jsonl_empty_lists(path: Path) -> Path:
    """A 15 MB line of empty lists: 2 bytes of JSON, 56 of memory each."""
    with path.open("w") as out:
        out.write('{"kind": "original", "language_code": "swh_Latn", "instructions": "x", '
                  '"junk": [' + ",".join(["[]"] * (5 * MB)) + "]}\n")
    return path


def aya_deep_template(path: Path) -> Path:
    """An Aya row whose template_id nests 100,000 lists."""
    path.write_text(json.dumps(normal_rows(1, aya=True)[0])[:-1]
                    + ', "template_id": ' + "[" * 100_000 + "]" * 100_000 + "}\n")
    return path


def aya_huge_user_id(path: Path) -> Path:
    """Aya rows whose user_id is 5 MB, kept as provenance with every task."""
    with path.open("w") as out:
        for row in normal_rows(3, aya=True):
            out.write(json.dumps({**row, "user_id": "u" * (5 * MB)}) + "\n")
    return path


def csv_one_wide_line(path: Path) -> Path:
    """A 64 MB line of one-letter values."""
    with path.open("w") as out:
        out.write("kind,language_code,instructions\noriginal,swh_Latn,x")
        for _ in range(32):
            out.write(",a" * (MB // 2))
        out.write("\n")
    return path


def csv_record_of_many_lines(path: Path) -> Path:
    """One record of 12 MB over 3 million short lines, each opening a new quoted value."""
    with path.open("w") as out:
        out.write('kind,language_code,instructions\noriginal,swh_Latn,"x\n')
        for _ in range(3 * MB // 1024):
            out.write('y","x\n' * 1024)
        out.write('y"\n')
    return path


def parquet_repeated_long_value(path: Path) -> Path:
    """A few KB on disk: a dictionary of one value just longer than a field may be, used by
    2,048 rows (2 GB as Python strings, were a batch turned into Python whole)."""
    rows = 2048
    value = pa.array(["a" * (1024 * 1024 + 1)])
    table = pa.table({"id": [f"r{n}" for n in range(rows)], "kind": ["original"] * rows,
                      "language_code": ["swh_Latn"] * rows,
                      "instructions": pa.DictionaryArray.from_arrays(
                          pa.array([0] * rows, pa.int32()), value)})
    pq.write_table(table, path, compression="zstd", use_dictionary=True)
    return path


def parquet_nested_inputs(path: Path) -> Path:
    """An ``inputs`` column of lists: 20 million numbers in one row, compressed to little."""
    count = 20_000_000
    numbers = pa.nulls(count, pa.int64()).fill_null(0)
    table = pa.table({"kind": ["original"], "language_code": ["swh_Latn"],
                      "inputs": pa.ListArray.from_arrays(pa.array([0, count], pa.int32()),
                                                         numbers)})
    pq.write_table(table, path, compression="zstd")
    return path


def xliff_junk_outside_units(path: Path, *, version: str = "2.0", size: int = 8 * MB) -> Path:
    """``size`` bytes of elements inside <file> (2.0) or <body> (1.2), outside any unit,
    before one real unit."""
    head, unit, tail = ((XLIFF_2, UNIT_2, "</file>\n</xliff>\n") if version == "2.0" else
                        (XLIFF_1_2, UNIT_1_2, "</body></file>\n</xliff>\n"))
    with path.open("w") as out:
        out.write(head)
        block = JUNK * (MB // len(JUNK))
        for _ in range(size // MB):
            out.write(block)
        out.write(unit.format(n=1, text="maji") + tail)
    return path


def xliff_junk_inside_a_unit(path: Path) -> Path:
    with path.open("w") as out:
        out.write(XLIFF_2 + '<unit id="u0"><notes>')
        out.write("<note>n</note>" * (MB // 2))
        out.write("</notes><segment><source>x</source><target>y</target></segment></unit>"
                  + UNIT_2.format(n=1, text="maji") + "</file>\n</xliff>\n")
    return path


def xliff_a_million_attributes(path: Path) -> Path:
    with path.open("w") as out:
        out.write(XLIFF_2.replace('<file id="f1">', '<file id="f1" ')
                  + " ".join(f'a{n}="x"' for n in range(1_000_000)) + ">"
                  + UNIT_2.format(n=1, text="maji") + "</file>\n</xliff>\n")
    return path


# (case, family, builder, file name, refusal (regex) or None when the file imports)
HOSTILE = [
    ("jsonl-long-line", "jsonl", jsonl_one_long_line, "long.jsonl",
     r"^long\.jsonl, line 1: is longer than 16 MB"),
    ("jsonl-empty-lists", "jsonl", jsonl_empty_lists, "lists.jsonl",
     r"^lists\.jsonl, line 1: holds more than 10,000 values"),
    ("aya-deep-template", "aya", aya_deep_template, "deep.jsonl",
     r"^deep\.jsonl, line 1: holds more than 10,000 values"),
    ("aya-huge-user-id", "aya", aya_huge_user_id, "users.jsonl",
     r"^users\.jsonl, line 1, field 'user_id': is longer than 1,000 characters"),
    ("csv-wide-line", "csv", csv_one_wide_line, "wide.csv",
     r"^wide\.csv, line 2: is longer than 16 MB"),
    ("csv-many-lines", "csv", csv_record_of_many_lines, "lines.csv",
     r"^lines\.csv, line \d+: holds more than 10,000 values"),
    ("parquet-repeated-value", "parquet", parquet_repeated_long_value, "repeated.parquet",
     r"^repeated\.parquet, row 1, field 'instructions': is longer than 262,144 characters"),
    ("parquet-nested", "parquet", parquet_nested_inputs, "nested.parquet",
     r"^nested\.parquet, field 'inputs': holds list<"),
    ("xliff2-junk-in-file", "xliff2", xliff_junk_outside_units, "junk.xlf", None),
    ("xliff12-junk-in-body", "xliff12",
     lambda path: xliff_junk_outside_units(path, version="1.2"), "junk-1.2.xlf", None),
    ("xliff2-junk-in-unit", "xliff2", xliff_junk_inside_a_unit, "unit.xlf",
     r"^unit\.xlf, unit 'u0' \(line 4\): holds more than 10,000 elements"),
    ("xliff2-attributes", "xliff2", xliff_a_million_attributes, "attributes.xlf",
     r"^attributes\.xlf, line 2: goes on for more than 10 MB, or 10,000 attributes"),
]


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """Each file built once for the module (both backends read the same)."""
    folder = tmp_path_factory.mktemp("hostile")
    built: dict[str, Path] = {}

    def get(name: str, build) -> Path:
        if name not in built:
            built[name] = build(folder / name)
        return built[name]

    return get


_normal_runs: dict[tuple[str, str], dict] = {}


def normal_run(files, family: str, backend: str, db_url: str) -> dict:
    """A normal import of this format on this backend, measured once for the module."""
    key = (family, backend)
    if key not in _normal_runs:
        path = files(NORMAL_NAMES[family], lambda p: normal_file(p, family))
        run = import_in_child(path, db_url, "normal")
        assert run["error"] is None and run["added"] == 12_000
        _normal_runs[key] = {**run, "size_mb": path.stat().st_size / MB}
    return _normal_runs[key]


# --- the tests ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("family", "build", "name", "refusal"),
                         [case[1:] for case in HOSTILE], ids=[case[0] for case in HOSTILE])
def test_a_hostile_file_is_refused_or_imported_in_bounded_memory(files, backend, db_url,
                                                                family, build, name,
                                                                refusal):
    normal = normal_run(files, family, backend, db_url)
    path = files(name, build)
    hostile = import_in_child(path, db_url, "hostile")
    print(f"\n{backend}: normal {family} ({normal['size_mb']:.1f} MB): "
          f"{normal['seconds']:.1f} s, peak {normal['peak_mb']:.0f} MB | {name} "
          f"({path.stat().st_size / MB:.1f} MB): {hostile['seconds']:.1f} s, "
          f"peak {hostile['peak_mb']:.0f} MB: {hostile['error'] or 'imported'}")
    if refusal is None:
        assert hostile["error"] is None and hostile["added"] == 1
    else:
        assert hostile["error"] is not None and hostile["added"] == 0
        assert re.search(refusal, hostile["error"]), hostile["error"]
    assert hostile["peak_mb"] < normal["peak_mb"] + 100  # bound, not a benchmark


# --- smaller cases, in process -------------------------------------------------------------------


def refused(engine, path: Path, match: str) -> TaskFileError:
    with pytest.raises(TaskFileError, match=match) as caught:
        import_file(engine, path, project_id="hostile")
    return caught.value


def test_jsonl_nesting_past_pythons_recursion_limit_is_a_clear_error(engine, tmp_path):
    # 5,000 levels in a short line: under the value count, past json's recursion limit.
    path = tmp_path / "deep.jsonl"
    row = json.dumps(normal_rows(1, aya=True)[0])[:-1]
    path.write_text(row + ', "template_id": ' + "[" * 5000 + "]" * 5000 + "}\n")
    refused(engine, path, r"^deep\.jsonl, line 1: nests lists or objects too deeply")


def test_jsonl_number_of_thousands_of_digits_is_a_clear_error(engine, tmp_path):
    path = tmp_path / "number.jsonl"
    path.write_text('{"kind": "original", "language_code": "swh_Latn", "instructions": "x", '
                    '"id": ' + "7" * 5000 + "}\n")
    refused(engine, path, r"^number\.jsonl, line 1: holds a number too long to read")


def test_jsonl_text_with_many_commas_is_not_counted_as_values(engine, tmp_path):
    # 100,000 commas inside strings on a 200 KB line: text, not values.
    path = tmp_path / "commas.jsonl"
    path.write_text(json.dumps({"kind": "original", "language_code": "swh_Latn",
                                "instructions": "maji, " * 40_000}) + "\n")
    assert import_file(engine, path, project_id="commas").added == 1


def test_csv_value_past_the_field_limit_names_the_line(engine, tmp_path):
    path = tmp_path / "field.csv"
    path.write_text('kind,language_code,instructions\noriginal,swh_Latn,"'
                    + "maji " * 1_000_000 + '"\n')
    error = refused(engine, path, r"^field\.csv, line 2: holds a value longer than "
                                  r"4,194,304 characters")
    assert "field larger than field limit" not in str(error)


def test_csv_long_quoted_text_with_commas_still_imports(engine, tmp_path):
    # A 240 KB value over several lines, with 40,000 commas inside its quotes.
    path = tmp_path / "prose.csv"
    path.write_text('id,kind,language_code,instructions\np1,original,swh_Latn,"'
                    + "maji, safi,\n" * 20_000 + '"\n')
    assert import_file(engine, path, project_id="prose").added == 1


def test_csv_record_past_the_record_limit_names_the_line(engine, tmp_path, monkeypatch):
    monkeypatch.setattr("app.taskfile.MAX_RECORD_BYTES", 2 * MB)
    path = tmp_path / "record.csv"
    path.write_text('kind,language_code,instructions\noriginal,swh_Latn,"'
                    + "maji safi\n" * 300_000 + '"\n')
    refused(engine, path, r"^record\.csv, line \d+: is longer than 2 MB")


def test_parquet_row_group_past_the_cap_is_refused_before_it_is_read(engine, tmp_path,
                                                                     monkeypatch):
    monkeypatch.setattr("sync.server.work.imports.PARQUET_GROUP_BYTES", 1 * MB)
    path = tmp_path / "groups.parquet"
    pq.write_table(pa.Table.from_pylist(normal_rows(12_000, aya=True)), path,
                   row_group_size=4000)  # 4000 rows: some 2 MB each, unpacked
    refused(engine, path, r"^groups\.parquet, row 1: row group 1 holds 2 MB of tasks once "
                          r"unpacked; Qalam reads row groups of up to 1 MB")


def test_parquet_reads_only_task_columns(engine, tmp_path):
    # 50 MB of a column no task uses (compressed to nothing) is never read.
    rows = normal_rows(20, aya=True)
    table = pa.Table.from_pylist(rows).append_column(
        "image", pa.array([b"\0" * (50 * MB)] + [b""] * 19, pa.large_binary()))
    path = tmp_path / "wide.parquet"
    pq.write_table(table, path, compression="zstd")
    assert import_file(engine, path, project_id="wide").added == 20


def test_parquet_value_longer_than_a_field_is_refused_before_python_sees_it(engine,
                                                                            tmp_path):
    rows = normal_rows(10, aya=True)
    rows[6]["targets"] = "a" * (5 * MB)
    path = tmp_path / "long.parquet"
    pq.write_table(pa.Table.from_pylist(rows), path)
    refused(engine, path, r"^long\.parquet, row 7, field 'targets': is longer than "
                          r"262,144 characters")


def test_parquet_dictionary_repeating_a_long_value_is_read_in_slices(engine, tmp_path,
                                                                     monkeypatch):
    # One 20 KB text in every row: small on disk (a dictionary), so read in 2,048-row batches,
    # 40 MB as Python strings if a batch were turned into Python at once (at 200 KB a row,
    # 400 MB). Each part turned into Python holds at most PARQUET_BATCH_BYTES of text.
    text = (" ".join(WORDS) * 300)[:20_000]
    rows = [{"id": f"d{n}", "kind": "original", "language_code": "swh_Latn",
             "instructions": text} for n in range(3000)]
    table = pa.Table.from_pylist(rows)
    table = table.set_column(3, "instructions", table["instructions"].dictionary_encode())
    path = tmp_path / "dictionary.parquet"
    pq.write_table(table, path, use_dictionary=True)
    batches, parts = [], []

    def slices(batch, sizes):
        batches.append(batch.num_rows)
        for part in read_in_slices(batch, sizes):
            parts.append(part.num_rows)
            yield part

    read_in_slices = imports._parquet_slices
    monkeypatch.setattr(imports, "_parquet_slices", slices)
    assert import_file(engine, path, project_id="dictionary").added == 3000
    assert max(batches) * len(text) > imports.PARQUET_BATCH_BYTES  # a batch is too big ...
    assert max(parts) * len(text) <= imports.PARQUET_BATCH_BYTES   # ... its parts are not


def test_xliff_depth_past_libxml2s_limit_is_refused(engine, tmp_path):
    path = tmp_path / "deep.xlf"
    path.write_text(XLIFF_2 + "<g>" * 5000 + "</g>" * 5000 + UNIT_2.format(n=1, text="maji")
                    + "</file>\n</xliff>\n")
    refused(engine, path, r"^deep\.xlf, line 4: is not well-formed XML")


def test_xliff_notes_and_groups_outside_units_do_not_stop_an_import(engine, tmp_path):
    path = tmp_path / "notes.xlf"
    path.write_text(XLIFF_2 + "<notes>" + "<note>n</note>" * 20_000 + "</notes>"
                    + '<group id="g">' + JUNK * 20_000 + UNIT_2.format(n=1, text="maji")
                    + JUNK * 20_000 + UNIT_2.format(n=2, text="safi") + "</group>"
                    + "</file>\n</xliff>\n")
    assert import_file(engine, path, project_id="notes").added == 2


def test_a_unit_of_many_elements_is_refused_naming_the_unit(engine, tmp_path):
    path = tmp_path / "unit.xlf"
    path.write_text(XLIFF_2 + '<unit id="big"><segment><source>'
                    + "<ph/>" * (MAX_UNIT_ELEMENTS + 1)
                    + "x</source><target>y</target></segment></unit></file>\n</xliff>\n")
    refused(engine, path, r"^unit\.xlf, unit 'big' \(line 4\): holds more than 10,000 "
                          "elements")


def test_the_record_limit_fits_every_field_at_its_longest(engine, tmp_path):
    # Five text fields of 262,144 characters, \\u-escaped (6 bytes each): under the limit.
    field = "ا" * 262_144
    row = {"kind": "postedit", "language_code": "urd_Arab", "instructions": field,
           "inputs": field, "targets": field, "source_text": field, "mt_text": field}
    line = json.dumps(row) + "\n"
    assert len(line) < MAX_RECORD_BYTES
    path = tmp_path / "longest.jsonl"
    path.write_text(line)
    assert import_file(engine, path, project_id="longest").added == 1
