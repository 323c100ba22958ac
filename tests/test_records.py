"""The record contract (app.records): one definition of a pushed submission, a pushed review
and an imported task row, and one translator from pydantic's errors to sentences naming the
field, for the server's push answers and for task files' errors alike."""

from pathlib import Path

import pytest
from pydantic import ValidationError

from app.records import ReviewRecord, SubmissionRecord, TaskRow, first_problem
from app.taskfile import TaskFileError, task_from_row

SUBMISSION = {"id": "s1", "kind": "original", "language": "urd_Arab", "inputs": "سوال",
              "targets": "جواب", "state": "submitted", "task_id": None, "project_id": None}


def _reason(model, record, **context) -> str:
    with pytest.raises(ValidationError) as caught:
        model.model_validate(record, context=context or None)
    return first_problem(caught.value).reason


def test_a_pushed_submission_keeps_fields_the_server_does_not_know():
    record = SubmissionRecord.model_validate({**SUBMISSION, "warnings": [], "hter": 0.2})
    assert record.model_extra == {"warnings": [], "hter": 0.2}


@pytest.mark.parametrize(("change", "reason"), [
    ({"kind": "poem"}, "kind: must be one of original, reannotation, review, postedit "
                       "(got 'poem')."),
    ({"inputs": None}, "inputs: required text (got NoneType)."),
    ({"task_id": 3}, "task_id: must be text or null (got int)."),
    ({"project_id": "p" * 65}, "project_id: an id has at most 64 characters (got 65)."),
    # The old message said "must be draft or submitted" while the check accepted four states
    # (a device may send an item back in the state a reviewer gave it).
    ({"state": "published"}, "state: must be one of draft, submitted, accepted, rejected "
                             "(got 'published')."),
])
def test_a_pushed_submissions_first_problem_names_the_field(change, reason):
    assert _reason(SubmissionRecord, {**SUBMISSION, **change}) == reason


def test_a_submission_in_a_language_not_the_authors_is_refused_only_when_limited():
    record = {**SUBMISSION, "language": "hin_Deva"}
    assert _reason(SubmissionRecord, record, languages=("urd_Arab",)) == \
        "language: hin_Deva is not one of your languages (urd_Arab); ask your coordinator."
    assert SubmissionRecord.model_validate(record, context={"languages": None})


def test_invisible_text_is_refused_once_submitted_and_kept_in_a_draft():
    record = {**SUBMISSION, "targets": "\u200b"}
    assert _reason(SubmissionRecord, record).startswith("targets: ")
    assert SubmissionRecord.model_validate({**record, "state": "draft"})


def test_a_review_needs_a_rating_or_a_flag():
    review = {"id": "r1", "submission_id": "s1"}
    assert _reason(ReviewRecord, review) == \
        "rating_inputs, rating_targets: a review needs at least one rating (1–5) or a flag."
    assert ReviewRecord.model_validate({**review, "flag": "harmful"}).flag == "harmful"
    assert _reason(ReviewRecord, {**review, "rating_targets": True}).startswith(
        "rating_targets: must be a whole number from 1 to 5")


def test_an_aya_row_becomes_a_reannotation_task():
    row = TaskRow.model_validate({"inputs": "Orúkọ rẹ?", "targets": "Orúkọ mi ni Adé.",
                                  "language": "Yoruba", "language_code": "yor",
                                  "annotation_type": "original-annotations", "id": 7})
    task = row.task(project="aya-yor")
    assert (task["kind"], task["origin"], task["language"]) == ("reannotation", "human",
                                                               "yor_Latn")
    assert task["id"] != "7"  # an Aya row's id numbers rows in its dataset, not tasks


def test_a_rows_project_column_is_read_as_project_id():
    row = TaskRow.model_validate({"kind": "original", "language_code": "urd_Arab",
                                  "project": "from-file", "project_id": "ignored"})
    assert row.task()["project_id"] == "from-file"
    assert row.task(project="chosen")["project_id"] == "chosen"


def test_a_task_files_error_is_the_same_problem_with_its_place():
    row = {"kind": "original", "language_code": "urd_Arab", "inputs": 5}
    with pytest.raises(TaskFileError) as caught:
        task_from_row(row, Path("urd.jsonl"), line=3)
    assert str(caught.value) == "urd.jsonl, line 3, field 'inputs': must be text (got int)."
    assert _reason(TaskRow, row) == "inputs: must be text (got int)."


def test_a_language_problem_keeps_its_names_for_every_interface_language():
    with pytest.raises(ValidationError) as caught:
        TaskRow.model_validate({"kind": "original", "language_code": "kur"})
    problem = first_problem(caught.value)
    assert problem.field == "language_code" and callable(problem.values["options"])
    assert "Central Kurdish (ckb_Arab)" in problem.text
