"""Issue 6's end-to-end run: a coordinator imports tasks; two annotators' devices (separate
data directories, a real server) sync, work, review each other and sync again; the
export holds exactly the accepted items, and `datasets` reads the same rows back.
"""

from __future__ import annotations

import json
import os

import pytest

from app.store import Store
from sync.server.export import export_dataset
from sync.server.work import projects
from sync.server.work.imports import import_file
from tests.sync.live import Device

SWAHILI = "swh_Latn"
# Aya dataset rows (human-written), to re-annotate.
TASKS = [
    ("Mvua ikinyesha sana, mahindi hufanyaje?", "Mahindi huoza mizizi."),
    ("Ni lini ni bora kupanda maharagwe?", "Mwanzoni mwa msimu wa mvua."),
    ("Jinsi ya kuhifadhi maji ya mvua?", "Tumia tanki safi lenye mfuniko."),
    ("Kuku wanahitaji chakula gani?", "Nafaka na mboga za majani."),
    ("Nifanye nini mtoto akiwa na homa?", "Mpe maji mengi na umpeleke kliniki."),
    ("Udongo wenye rutuba unatambuliwaje?", "Una rangi nyeusi na harufu nzuri."),
]


def _aya_file(path) -> None:
    with path.open("w", encoding="utf-8") as out:
        for inputs, targets in TASKS:
            out.write(json.dumps({"inputs": inputs, "targets": targets, "language": "Swahili",
                                  "language_code": "swh", "annotation_type":
                                  "original-annotations", "user_id": "aya-0"},
                                 ensure_ascii=False) + "\n")


def _reannotate(device: Device, edits: dict[int, tuple[str, str]]) -> dict[int, str]:
    """Edit the leased tasks at these positions (in TASKS order); returns position -> id."""
    made = {}
    with Store.open(device.db_path) as store:
        leased = {task.inputs: task for task in store.tasks(kind="reannotation")}
        assert len(leased) == len(TASKS)  # the whole (small) queue came down with the sync
        for position, (inputs, targets) in edits.items():
            task = leased[TASKS[position][0]]
            draft = store.new_submission(language=SWAHILI, kind="reannotation",
                                         task_id=task.id)
            store.save_draft(draft.id, inputs=inputs, targets=targets)
            store.rate(draft.id, field="inputs", value=1)   # the thumbs a re-annotation needs
            store.rate(draft.id, field="targets", value=-1)
            store.submit(draft.id)
            made[position] = draft.id
    return made


def _review(device: Device, ratings: dict[str, int]) -> int:
    """Rate the peers' items this device was asked to review: submission id -> 1..5."""
    done = 0
    with Store.open(device.db_path) as store:
        for task in store.review_tasks(limit=100):
            if task.review_of in ratings:
                score = ratings[task.review_of]
                review = store.save_review(task.id, rating_inputs=score, rating_targets=score)
                store.submit_review(review.id)
                done += 1
    return done


def test_import_work_review_export_round_trip(tmp_path, live_server):
    tasks_file = tmp_path / "aya_swh.jsonl"
    _aya_file(tasks_file)
    imported = import_file(live_server.engine, tasks_file, project_id="aya-swh",
                           kind="reannotation")
    assert (imported.project_created, imported.added) == (True, len(TASKS))
    projects.update_settings(live_server.engine, "aya-swh",
                             {"acceptance": {"min_accepted_per_language": 3}})

    amina = Device.enrolled(tmp_path / "amina", live_server, name="amina")
    baraka = Device.enrolled(tmp_path / "baraka", live_server, name="baraka")
    for device in (amina, baraka):
        assert device.sync().complete

    amina_items = _reannotate(amina, {
        0: ("Mvua ikinyesha kupita kiasi, mahindi shambani hufanyaje?",
            "Mizizi ya mahindi huoza na mimea hunyauka."),                 # a real edit
        1: ("Ni wakati gani bora kupanda maharagwe?",
            "Mwanzoni mwa msimu wa mvua za masika, udongo ukiwa na unyevu."),  # a real edit
        2: ("Jinsi ya kuhifadhi maji ya mvua!", TASKS[2][1]),             # 1 character: no edit
    })
    baraka_items = _reannotate(baraka, {
        3: ("Kuku wa kienyeji wanahitaji chakula gani?",
            "Nafaka, mboga za majani, na maji safi kila siku."),           # a real edit
        4: ("Nifanye nini mtoto wangu akiwa na homa kali?",
            "Mpe maji mengi, mpoze kwa kitambaa, na umpeleke kliniki haraka."),  # rated down
    })
    with Store.open(baraka.db_path) as store:
        original = store.new_submission(language=SWAHILI)
        store.save_draft(original.id, inputs="Samaki wa maji baridi hupatikana wapi?",
                         targets="Katika maziwa na mito ya milimani.")
        store.submit(original.id)
    with Store.open(amina.db_path) as store:  # a draft never counts
        draft = store.new_submission(language=SWAHILI)
        store.save_draft(draft.id, inputs="Rasimu", targets="haijakamilika")

    # Push the work; the next sync brings each annotator the other's items to review.
    for device in (amina, baraka, amina, baraka):
        assert device.sync().complete
    assert _review(amina, {baraka_items[3]: 5, baraka_items[4]: 1}) == 2
    assert _review(baraka, {amina_items[0]: 4}) == 1
    for device in (amina, baraka, amina, baraka):
        assert device.sync().complete

    # The reviews reached the authors' devices.
    with Store.open(baraka.db_path) as store:
        assert sorted((r.rating_inputs, r.rating_targets)
                      for r in store.received_ratings()) == [(1, 1), (5, 5)]

    expected = {
        (amina, "Mvua ikinyesha kupita kiasi, mahindi shambani hufanyaje?"),
        (amina, "Ni wakati gani bora kupanda maharagwe?"),
        (baraka, "Kuku wa kienyeji wanahitaji chakula gani?"),
        (baraka, "Samaki wa maji baridi hupatikana wapi?"),
    }
    out = tmp_path / "export"
    result = export_dataset(live_server.engine, out, fmt="parquet")
    assert result.rows == len(expected)
    assert result.counts == {SWAHILI: {"re-annotations": 3, "original-annotations": 1}}

    jsonl = export_dataset(live_server.engine, tmp_path / "export-jsonl", fmt="jsonl")
    # data/ is the Aya dataset's own config; qalam/ (our columns) and demographics/ sit beside
    aya_config = tmp_path / "export-jsonl" / "data"
    rows = [json.loads(line) for path in sorted(aya_config.glob("*.jsonl"))
            if path.name.startswith("train") for line in path.read_text("utf-8").splitlines()]
    assert jsonl.rows == len(rows) == len(expected)
    assert {row["inputs"] for row in rows} == {inputs for _, inputs in expected}
    for row in rows:
        assert list(row) == ["inputs", "targets", "language", "language_code",
                             "annotation_type", "user_id"]
        # the code the Aya dataset itself uses for Swahili (the registry has it from the card)
        assert (row["language"], row["language_code"]) == ("Swahili", "swa")
    authors = {row["inputs"]: row["user_id"] for row in rows}
    assert len(set(authors.values())) == 2  # two annotators, hashed
    with Store.open(amina.db_path) as store:
        assert store.user_id not in authors.values()

    # `datasets` reads the Parquet export offline and gets the same rows.
    os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
    os.environ["HF_HOME"] = str(tmp_path / "hf")
    datasets = pytest.importorskip("datasets")
    parquet = sorted(str(p) for p in (out / "data").glob("*.parquet") if "train" in p.name)
    loaded = datasets.load_dataset("parquet", data_files={"train": parquet},
                                   cache_dir=str(tmp_path / "hf-cache"))["train"]
    assert sorted(loaded.to_list(), key=lambda r: r["inputs"]) == sorted(
        rows, key=lambda r: r["inputs"])
