"""The dataset export's bytes, pinned: a fixed dataset (fixed ids, salt and dates, written
straight into the tables) exports to exactly the files in tests/server/data/export_pinned/,
on both backends and in every format (a Parquet file as its schema and rows, read back
into ``<file>.parquet.json``).

What it holds is what makes an export's bytes: every acceptance rule (decisions, blocked
authors and reviewers, reviewers' and coordinators' flags, small edits, ratings, reviews
older than a rejection, drafts, tombstones, a review-kind item), the per-language gate over
two projects, rows held until their language passes, the split by id, names from imported
rows, edit distances stored and measured, and values JSON and Arrow treat specially
(escapes, controls, U+2028, emoji, right-to-left marks, floats, ints given for floats,
booleans given for numbers, a language the registry does not know).

Regenerate (only when an output is meant to change, and say why in the commit):
``QALAM_PIN_EXPORT=write .venv/bin/python -m pytest tests/server/test_export_pinned.py -k sqlite``
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from sync.protocol import freeze
from sync.server import tables
from sync.server.export import dataset, export_dataset
from sync.server.work.projects import create_project

PINNED = Path(__file__).parent / "data" / "export_pinned"
SALT = "5a" * 32
NOW = "2026-01-01T00:00:00.000Z"
LATER = "2026-01-02T00:00:00.000Z"
TRICKY = 'He said "yes" \\ no\n\ttab \x01 \u2028 😀 \u200fمرحبا\u200e </script>'


def _user(uid, *, blocked=False, languages=("urd_Arab",)):
    return {"id": uid, "name": uid, "role": "annotator", "languages": json.dumps(languages),
            "created_at": NOW, "updated_at": NOW, "blocked_at": NOW if blocked else None}


def _sub(seq, sid, author, language, kind="original", *, project="pin-a", state="submitted",
         task=None, deleted=False, distances=(None, None), **payload):
    record = {"id": sid, "kind": kind, "language": language, "project_id": project,
              "state": state, "task_id": task, "user_id": author, "dialect": None,
              "inputs": f"prompt {sid}", "targets": f"completion {sid}", **payload}
    return {"id": sid, "author_id": author, "device_id": "pin", "language": language,
            "kind": kind, "state": state, "task_id": task, "project_id": project,
            "changed_by": None, "prompt_distance": distances[0],
            "completion_distance": distances[1], "payload": freeze(record), "revision": 1,
            "server_seq": seq, "deleted": deleted, "created_at": NOW, "updated_at": NOW}


def _review(seq, rid, submission, author, *, at=NOW, **payload):
    record = {"id": rid, "submission_id": submission, "user_id": author, **payload}
    return {"id": rid, "author_id": author, "device_id": "pin", "submission_id": submission,
            "changed_by": None, "payload": freeze(record), "revision": 1, "server_seq": seq,
            "deleted": False, "created_at": at, "updated_at": at}


def _task(seq, tid, language, kind, project, **payload):
    return {"id": tid, "project_id": project, "language": language, "kind": kind,
            "origin": "human", "author_id": None, "review_of": None,
            "payload": freeze({"id": tid, "language": language, "kind": kind, **payload}),
            "revision": 1, "server_seq": seq, "deleted": False, "created_at": NOW,
            "updated_at": NOW}


def seed(engine) -> None:
    create_project(engine, "pin-a", settings={"acceptance": {"min_accepted_per_language": 2}})
    create_project(engine, "pin-b", settings={"acceptance": {"min_accepted_per_language": 1,
                                                              "min_ratings": 0}})
    S = tables.submissions
    subs = [
        _sub(1001, "s01", "u-amina", "urd_Arab", inputs=TRICKY, targets="جواب ایک",
             dialect="Lahori", hter=1, seconds_spent=True),
        _sub(1002, "s02", "u-bilal", "urd_Arab", inputs="سوال دو", targets="جواب دو",
             dialect="Karachi \"Urdu\" \\ ٹ"),
        _sub(1003, "s03", "u-bilal", "urd_Arab", "reannotation", distances=(0, 18),
             original_inputs="پرانا", original_targets="پرانا جواب",
             inputs="پرانا", targets="پرانا جواب، اب بہتر اور مکمل"),
        _sub(1004, "s04", "u-bilal", "urd_Arab", "reannotation", distances=(0, 1),
             original_inputs="پرانا", original_targets="پرانا جواب", inputs="پرانا",
             targets="پرانا جواب۔"),
        _sub(1005, "s05", "u-amina", "urd_Arab", "reannotation",
             original_inputs="old prompt", original_targets="old completion",
             inputs="old prompt", targets="a completion rewritten from the start"),
        _sub(1006, "s06", "u-chen", "urd_Arab", "postedit", task="t-mt", distances=(0, 24),
             inputs="Islamabad is the capital.", targets="اسلام آباد پاکستان کا دارالحکومت ہے۔",
             hter=0.5714, seconds_spent=42.5, edit_sessions=2),
        _sub(1007, "s07", "u-amina", "urd_Arab", state="rejected"),
        _sub(1008, "s08", "u-blocked", "urd_Arab", state="accepted"),
        _sub(1009, "s09", "u-amina", "urd_Arab"),  # flagged by a reviewer: held
        _sub(1010, "s10", "u-amina", "urd_Arab"),  # flagged, then unflagged by a coordinator
        _sub(1011, "s11", "u-amina", "urd_Arab", state="draft"),
        _sub(1012, "s12", "u-amina", "urd_Arab", deleted=True),
        _sub(1013, "s13", "u-amina", "urd_Arab", "review"),
        _sub(1014, "s14", "u-amina", "hin_Deva", inputs="सवाल", targets="जवाब"),
        _sub(1015, "s15", "u-bilal", "urd_Arab", "reannotation", distances=(7, 30),
             original_inputs="a", original_targets="b"),  # rated low
        _sub(1016, "s16", "u-amina", "arb_Arab", "reannotation", project="pin-b",
             task="t-aya", distances=(12, 3), inputs="ما هي عاصمة جمهورية مصر العربية؟",
             targets="القاهرة"),
        _sub(1017, "s17", "u-amina", "arb_Arab", project="pin-b", inputs="ما أطول نهر؟",
             targets="نهر النيل", dialect="Cairene"),
        _sub(1018, "s18", "u-chen", "yor_Latn", project="pin-b", inputs="Ìlú Èkó",
             targets="Ojú ọjọ́ dára lónìí.", hter=0.30000000000000004,
             seconds_spent=100000000000000000000, edit_sessions=1.5),
        _sub(1019, "s19", "u-chen", "zho_Hans", project="pin-b", inputs="北京是中国的首都。",
             targets="孩子们在公园里玩耍。", hter=1e-07, seconds_spent=-0.0),
        _sub(1020, "s20", "u-bilal", "urd_Arab", "reannotation", distances=(0, 9),
             original_inputs="x", original_targets="y"),  # rejected, revised, rated again
        _sub(1021, "s21", "u-amina", "urd_Arab", "postedit", distances=(None, None),
             task="t-mt", inputs="Islamabad is the capital.",
             targets="اسلام آباد ہی پاکستان کا دارالحکومت ہے", hter=0.2),
        _sub(1022, "s22", "u-chen", "xxx_Zzzz", project="pin-b", inputs="?", targets="!"),
    ]
    reviews = [
        _review(2001, "r01", "s03", "u-rev", rating_inputs=4, rating_targets=5),
        _review(2002, "r02", "s09", "u-rev", rating_inputs=3, rating_targets=3,
                flag="harmful"),
        _review(2003, "r03", "s10", "u-rev", flag="nonsense"),
        _review(2004, "r04", "s15", "u-rev", rating_inputs=1, rating_targets=2),
        _review(2005, "r05", "s15", "u-blocked", rating_inputs=5, rating_targets=5),
        _review(2006, "r06", "s03", "u-rev", state="draft", rating_inputs=1,
                rating_targets=1),
        _review(2007, "r07", "s20", "u-rev", rating_inputs=1, rating_targets=1),
        _review(2008, "r08", "s20", "u-rev", at=LATER, rating_inputs=4, rating_targets=3),
        _review(2009, "r09", "s06", "u-rev", rating_inputs=5, rating_targets=4),
    ]
    with engine.begin() as conn:
        meta = tables.server_meta  # kept across tests on PostgreSQL: replace the salt
        conn.execute(meta.delete().where(meta.c.key == "export_salt"))
        conn.execute(meta.insert().values(key="export_salt", value=SALT))
        conn.execute(tables.users.insert(), [
            _user("u-amina", languages=("urd_Arab", "hin_Deva")), _user("u-bilal"),
            _user("u-chen"), _user("u-rev"), _user("u-blocked", blocked=True)])
        conn.execute(tables.tasks.insert(), [
            _task(3001, "t-mt", "urd_Arab", "postedit", "pin-a",
                  source_text="Islamabad is the capital.",
                  mt_text="پاکستان کا دارالحکومت اسلام آباد ہے"),
            _task(3002, "t-aya", "arb_Arab", "reannotation", "pin-b",
                  inputs="ما هي عاصمة مصر؟", targets="القاهرة",
                  provenance={"language": "Standard Arabic"})])
        conn.execute(S.insert(), subs)
        conn.execute(tables.reviews.insert(), reviews)
        conn.execute(tables.decisions.insert(), [
            {"id": "d01", "submission_id": "s20", "revision": 1, "state": "rejected",
             "decided_at": "2026-01-01T12:00:00.000Z"}])
        conn.execute(tables.item_flags.insert(), [
            {"submission_id": "s10", "action": "flag", "flag": "harmful", "by_id": "u-co",
             "by_name": "co", "at": NOW},
            {"submission_id": "s10", "action": "unflag", "flag": None, "by_id": "u-co",
             "by_name": "co", "at": LATER}])
        conn.execute(tables.profiles.insert(), [
            {"user_id": "u-amina", "age_range": "25-34", "gender": None, "country": "PK",
             "languages": json.dumps(["urd_Arab", "hin_Deva"]), "dialects": '["Lahori"]',
             "updated_at": NOW}])


EXPORTS = {  # name -> export_dataset's arguments
    "all": {"test_fraction": 0.4},
    "pin-a": {"project_id": "pin-a"},
}


def _files(folder: Path) -> dict[str, str]:
    found = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            key = path.relative_to(folder).as_posix()
            if path.suffix == ".parquet":
                table = pq.read_table(path)
                found[key + ".json"] = json.dumps({"schema": str(table.schema),
                                         "rows": table.to_pylist()}, ensure_ascii=False,
                                        indent=1) + "\n"
            else:
                found[key] = re.sub(r"(?m)^Exported from .*$", "Exported from …",
                                    path.read_text("utf-8"))
    return found


@pytest.mark.parametrize("fmt", ["jsonl", "parquet", "hf"])
@pytest.mark.parametrize("held", [1000, 1])
def test_the_export_writes_exactly_the_pinned_files(engine, tmp_path, fmt, held, monkeypatch):
    seed(engine)
    monkeypatch.setattr(dataset, "HELD_ROWS", held)  # 1: held rows go through the spill file
    # 1: items are placed one at a time, so those of languages that already pass go
    # through the export's columns (the rest, row by row)
    monkeypatch.setattr(dataset, "NAME_BATCH", held)
    for name, arguments in EXPORTS.items():
        out = tmp_path / f"{name}-{fmt}"
        export_dataset(engine, out, fmt=fmt, **arguments)
        got = _files(out)
        pinned = PINNED / f"{name}-{fmt}"
        if os.environ.get("QALAM_PIN_EXPORT") == "write":
            for key, text in got.items():
                (pinned / key).parent.mkdir(parents=True, exist_ok=True)
                (pinned / key).write_text(text, encoding="utf-8")
        assert sorted(got) == sorted(p.relative_to(pinned).as_posix()
                                     for p in pinned.rglob("*") if p.is_file())
        for key, text in got.items():
            assert text == (pinned / key).read_text("utf-8"), f"{name}-{fmt}/{key}"


ROW_GROUPS = {  # (rows, characters) a row group may hold -> rows of each group, as before
    (3, 150): {"data/test.parquet": [1], "data/train.parquet": [2, 2, 2, 2, 2, 2],
               "demographics/train.parquet": [3], "qalam/test.parquet": [1],
               "qalam/train.parquet": [1, 2, 1, 2, 1, 2, 2, 1]},
    (3, 400): {"data/test.parquet": [1], "data/train.parquet": [3, 3, 3, 3],
               "demographics/train.parquet": [3], "qalam/test.parquet": [1],
               "qalam/train.parquet": [3, 3, 3, 3]},
}


@pytest.mark.parametrize("limits", sorted(ROW_GROUPS))
@pytest.mark.parametrize("batch", [1000, 5])
def test_parquet_row_groups_end_at_the_same_rows(engine, tmp_path, limits, batch, monkeypatch):
    """A row group ends after so many rows or at the row whose text reaches the limit,
    however the rows reach the writer (here 5 at a time, or all at once)."""
    from sync.server.export import sinks

    seed(engine)
    monkeypatch.setattr(sinks, "ROW_GROUP_ROWS", limits[0])
    monkeypatch.setattr(sinks, "ROW_GROUP_BYTES", limits[1])
    monkeypatch.setattr(dataset, "WRITE_ROWS", batch)
    out = tmp_path / "out"
    export_dataset(engine, out, fmt="parquet", test_fraction=0.4)
    groups = {}
    for path in sorted(out.rglob("*.parquet")):
        meta = pq.ParquetFile(path).metadata
        groups[path.relative_to(out).as_posix()] = [meta.row_group(i).num_rows
                                                    for i in range(meta.num_row_groups)]
    assert groups == ROW_GROUPS[limits]
    assert _files(out) == _files_of(PINNED / "all-parquet")


def _files_of(folder: Path) -> dict[str, str]:
    return {path.relative_to(folder).as_posix(): path.read_text("utf-8")
            for path in sorted(folder.rglob("*")) if path.is_file()}
