"""The store behind the workbench: ratings, metrics, reviews and flags, each through the
outbox in the same transaction as the change."""

import json

import pytest

from app.diffs import edit_distance, hter
from app.errors import InvalidState
from app.store import Store
from app.taskfile import TaskFileError, read_task_file

TASKS = [
    {"id": "r", "kind": "reannotation", "language": "hin_Deva", "inputs": "राजधानी?",
     "targets": "दिल्ली"},
    {"id": "p", "kind": "postedit", "language": "swh_Latn", "source_text": "Wash hands.",
     "mt_text": "Osha mikono."},
    {"id": "v", "kind": "review", "language": "arb_Arab", "original_inputs": "سؤال",
     "original_targets": "جواب", "inputs": "سؤال أوضح", "targets": "جواب أكمل",
     "author": "peer", "review_of": "peer-sub"},
]


@pytest.fixture
def tasks(store: Store):
    store.add_tasks(TASKS)
    store.set_user_id("me")
    return store


def payload(store, entity, record_id):
    (entry,) = [e for e in store.outbox() if (e.entity, e.record_id) == (entity, record_id)]
    return json.loads(entry.payload)


def test_a_reannotation_keeps_its_original_and_measures_each_field(tasks: Store):
    item = tasks.new_submission(language="hin_Deva", kind="reannotation", task_id="r",
                                inputs="राजधानी?", targets="दिल्ली")
    assert (item.original_inputs, item.original_targets) == ("राजधानी?", "दिल्ली")
    assert (item.prompt_distance, item.completion_distance) == (0, 0)
    with pytest.raises(InvalidState, match="Rate the prompt and the completion"):
        tasks.submit(item.id)
    tasks.rate(item.id, field="inputs", value=1)
    rated = tasks.rate(item.id, field="targets", value=-1)
    saved = tasks.save_draft(item.id, inputs="भारत की राजधानी?", targets="नई दिल्ली").submission
    assert saved.prompt_distance == edit_distance("राजधानी?", "भारत की राजधानी?")
    assert saved.completion_distance == edit_distance("दिल्ली", "नई दिल्ली")
    sent = payload(tasks, "submission", item.id)
    assert (sent["rating_inputs"], sent["rating_targets"]) == (1, -1)
    assert sent["completion_distance"] == saved.completion_distance
    assert rated.is_rated and tasks.submit(item.id).state == "submitted"
    with pytest.raises(InvalidState):
        tasks.rate(item.id, field="inputs", value=-1)
    with pytest.raises(ValueError):
        tasks.rate(item.id, field="inputs", value=2)


def test_a_post_edit_stores_hter_time_and_sessions(tasks: Store):
    item = tasks.new_submission(language="swh_Latn", kind="postedit", task_id="p",
                                inputs="Wash hands.", targets="Osha mikono.")
    assert item.hter == 0 and item.original_targets == "Osha mikono."
    saved = tasks.save_draft(item.id, inputs="Wash hands.", targets="Nawa mikono.",
                             seconds_spent=12.5, edit_sessions=2).submission
    assert saved.hter == pytest.approx(hter("Osha mikono.", "Nawa mikono."))
    assert (saved.seconds_spent, saved.edit_sessions) == (12.5, 2)
    sent = payload(tasks, "submission", item.id)
    assert (sent["hter"], sent["seconds_spent"], sent["edit_sessions"]) == (
        saved.hter, 12.5, 2)


def test_a_review_with_an_unchanged_improvement_discards_it(tasks: Store):
    review = tasks.save_review("v", rating_inputs=4, rating_targets=5, reason="أفضل")
    assert (review.state, review.reviewer, review.submission_id) == ("draft", "me", "peer-sub")
    assert [e for e in tasks.outbox() if e.entity == "review"] == []  # drafts stay here
    improvement = tasks.start_improvement(review.id)
    assert tasks.start_improvement(review.id).id == improvement.id  # one per review
    submitted = tasks.submit_review(review.id)
    assert submitted.state == "submitted" and submitted.improvement_id is None
    assert tasks.submissions(kind="reannotation") == []  # not an edit: discarded
    assert payload(tasks, "review", review.id)["state"] == "submitted"
    with pytest.raises(InvalidState):
        tasks.save_review("v", rating_inputs=1, rating_targets=1)


def test_a_review_needs_scores_or_a_flag(tasks: Store):
    review = tasks.save_review("v", reason="")
    with pytest.raises(InvalidState, match="Score the prompt and the completion"):
        tasks.submit_review(review.id)
    tasks.save_review("v", flag="harmful")
    assert tasks.submit_review(review.id).flag == "harmful"
    with pytest.raises(ValueError):
        tasks.save_review("v", rating_inputs=6)


def test_review_items_in_a_task_file_need_both_versions(tmp_path):
    row = {"kind": "review", "language_code": "arb_Arab", "inputs": "a", "targets": "b",
           "original_inputs": "c", "author": "peer"}
    path = tmp_path / "review.jsonl"
    path.write_text(json.dumps(row), encoding="utf-8")
    with pytest.raises(TaskFileError) as error:
        read_task_file(path)
    assert (error.value.line, error.value.field) == (1, "original_targets")
    row["original_targets"] = "d"
    path.write_text(json.dumps(row), encoding="utf-8")
    (task,) = read_task_file(path)
    assert (task["author"], task["original_targets"]) == ("peer", "d")


def test_ids_of_files_without_review_fields_do_not_change(tmp_path):
    # Derived ids must stay stable across versions, or re-importing a file would duplicate it.
    row = {"inputs": "Swali?", "targets": "Jibu.", "language_code": "swh"}
    path = tmp_path / "aya.jsonl"
    path.write_text(json.dumps(row), encoding="utf-8")
    (task,) = read_task_file(path)
    assert "author" not in task and "original_inputs" not in task
