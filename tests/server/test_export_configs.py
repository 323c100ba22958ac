"""What a data scientist loads: the `language` of an imported row comes back as it was
imported, new rows use the Aya Dataset's own names, the six Aya columns stay exactly as they
are while a second config, `qalam`, carries the same rows with Qalam's own columns, and a
demographics table where nobody told anything is still a loadable config (a row of nulls per
contributor: `datasets` has no empty tables). Loaded with `datasets`, offline."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa

from sync.server import tables
from sync.server.export import export_dataset
from sync.server.work import decisions
from sync.server.work.imports import import_records
from sync.server.work.projects import create_project

PROJECT = "aya-ara"
AYA_COLUMNS = ["inputs", "targets", "language", "language_code", "annotation_type", "user_id"]
LOAD = """
import json, sys, datasets
folder = sys.argv[1]
out = {}
for config in (None, "qalam", "demographics"):
    loaded = datasets.load_dataset(folder, config)["train"]
    out[config or "default"] = {"rows": loaded.to_list(),
                                "features": {k: str(v) for k, v in loaded.features.items()}}
print(json.dumps(out, ensure_ascii=False))
"""


def _load(folder: Path, tmp_path: Path) -> dict:
    env = {**os.environ, "HF_DATASETS_OFFLINE": "1", "HF_HUB_OFFLINE": "1",
           "HF_HOME": str(tmp_path / "hf-home"), "HF_HUB_DISABLE_TELEMETRY": "1"}
    done = subprocess.run([sys.executable, "-c", LOAD, str(folder)], env=env,
                          capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


def _seed(harness) -> dict:
    engine = harness.engine
    create_project(engine, PROJECT, settings={"acceptance": {"min_accepted_per_language": 1}})
    import_records(engine, PROJECT, [{
        "inputs": "ما هي عاصمة مصر؟", "targets": "القاهرة", "language": "Standard Arabic",
        "language_code": "arb", "annotation_type": "original-annotations",
        "user_id": "aya-1"}], kind="reannotation")
    with engine.connect() as conn:
        task_id = conn.execute(sa.select(tables.tasks.c.id)).scalar_one()
    amina = harness.member(languages=["arb_Arab", "urd_Arab"])
    edit = amina.submission(project_id=PROJECT, language="arb_Arab", kind="reannotation",
                            task_id=task_id, inputs="ما هي عاصمة جمهورية مصر العربية؟",
                            targets="عاصمة مصر هي مدينة القاهرة، أكبر مدنها.",
                            dialect="Cairene")
    new = amina.submission(project_id=PROJECT, language="arb_Arab", inputs="ما أطول نهر؟",
                           targets="نهر النيل")
    urdu = amina.submission(project_id=PROJECT, language="urd_Arab", inputs="سوال",
                            targets="جواب")
    amina.push([edit, new, urdu])
    for item in (edit, new, urdu):
        decisions.decide(engine, item["id"], "accepted")
    return {"edit": edit["id"], "new": new["id"], "urdu": urdu["id"]}


def test_language_names_round_trip_and_new_rows_use_ayas_names(harness, tmp_path):
    ids = _seed(harness)
    export_dataset(harness.engine, tmp_path / "out", fmt="jsonl")
    rows = [json.loads(line) for line in
            (tmp_path / "out" / "data" / "train.jsonl").read_text("utf-8").splitlines()]
    by_input = {row["inputs"]: row for row in rows}
    assert by_input["ما هي عاصمة جمهورية مصر العربية؟"]["language"] == "Standard Arabic"
    assert by_input["ما أطول نهر؟"]["language"] == "Standard Arabic"  # Aya's name for arb
    assert by_input["سوال"]["language"] == "Urdu"
    assert {row["language_code"] for row in rows} == {"arb", "urd"}
    assert all(list(row) == AYA_COLUMNS for row in rows)
    own = [json.loads(line) for line in
           (tmp_path / "out" / "qalam" / "train.jsonl").read_text("utf-8").splitlines()]
    assert [r["id"] for r in own] == [r for r in sorted(ids.values())]
    edit = next(r for r in own if r["id"] == ids["edit"])
    assert edit["dialect"] == "Cairene" and edit["kind"] == "reannotation"
    assert edit["registry_code"] == "arb_Arab" and edit["script"] == "Arab"
    assert edit["decision"] == "accepted" and edit["review_count"] == 0
    assert edit["completion_distance"] > 0
    assert {k: edit[k] for k in AYA_COLUMNS} == by_input[edit["inputs"]]


def test_every_config_loads_with_datasets_even_with_no_demographics(harness, tmp_path):
    _seed(harness)  # nobody shared anything about themselves
    for fmt in ("jsonl", "hf"):
        export_dataset(harness.engine, tmp_path / fmt, fmt=fmt)
        card = (tmp_path / fmt / "README.md").read_text("utf-8")
        assert "config_name: qalam" in card and "config_name: demographics" in card
        assert "load_dataset(\"path/to/this/folder\")" in card
        loaded = _load(tmp_path / fmt, tmp_path)
        assert loaded["default"]["features"] == {name: "Value('string')"
                                                 for name in AYA_COLUMNS}
        assert len(loaded["qalam"]["rows"]) == len(loaded["default"]["rows"]) == 3
        assert list(loaded["qalam"]["features"])[:6] == AYA_COLUMNS
        assert {"dialect", "script", "kind", "prompt_distance", "completion_distance", "hter",
                "review_count", "review_mean", "decision"} <= set(loaded["qalam"]["features"])
        people = loaded["demographics"]
        # Amina told nothing: her pseudonym and nulls, typed as the card says.
        assert [row["user_id"] for row in people["rows"]] == [
            loaded["default"]["rows"][0]["user_id"]]
        assert all(v is None for k, v in people["rows"][0].items() if k != "user_id")
        assert "int64" in people["features"]["age_range"], people["features"]


def test_new_rows_take_the_name_the_imported_aya_rows_give(harness, tmp_path):
    engine = harness.engine
    create_project(engine, "aya-yor", settings={"acceptance": {"min_accepted_per_language": 1}})
    import_records(engine, "aya-yor", [{
        "inputs": "Kí ni olú ìlú Nàìjíríà?", "targets": "Àbújá ni olú ìlú Nàìjíríà.",
        "language": "Yorùbá", "language_code": "yor",
        "annotation_type": "original-annotations", "user_id": "aya-2"}], kind="reannotation")
    ade = harness.member(languages=["yor_Latn"])
    new = ade.submission(project_id="aya-yor", language="yor_Latn",
                         inputs="Kí ni orúkọ odò tó gùn jù ní Nàìjíríà?",
                         targets="Odò Ọya ni odò tó gùn jù.")
    ade.push([new])
    decisions.decide(engine, new["id"], "accepted")
    export_dataset(engine, tmp_path / "out", fmt="jsonl", project_id="aya-yor")
    rows = [json.loads(line) for line in
            (tmp_path / "out" / "data" / "train.jsonl").read_text("utf-8").splitlines()]
    assert [(row["language"], row["language_code"]) for row in rows] == [("Yorùbá", "yor")]
