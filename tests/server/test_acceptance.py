"""Acceptance rules: which pushed contributions count (sync.server.work.acceptance), both backends.

Every item here reaches the server through a real push, as from a device.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app import clock
from app.diffs import edit_distance
from app.ids import new_id
from sync.protocol import freeze
from sync.server import tables
from sync.server.db import Sequence, run_write
from sync.server.work import acceptance, decisions
from sync.server.work.projects import create_project
from tests.server.helpers import statuses

PROJECT = "aya-urd"


@pytest.fixture
def project(engine):
    create_project(engine, PROJECT, settings={"acceptance": {"min_accepted_per_language": 2}})
    return PROJECT


def edit(member, distance: int, *, project: str = PROJECT, language: str = "urd_Arab",
         kind: str = "reannotation", recorded: bool = True, **extra) -> dict:
    """A re-annotation (or post-edit) whose completion is ``distance`` characters away from
    what it started from, with the distances the app records (or none)."""
    original = "یہ ایک جواب ہے"
    fields = {"kind": kind, "project_id": project, "language": language,
              "original_inputs": "سوال", "original_targets": original, "inputs": "سوال",
              "targets": original + "ے" * distance, **extra}
    if recorded:
        fields.update(prompt_distance=0, completion_distance=distance)
    return member.submission(**fields)


def add_task(engine, task: dict) -> None:
    """A task as an import leaves it (the importer is tested on its own)."""

    def work(conn):
        seqs = Sequence(conn)
        now = clock.utc_now()
        conn.execute(tables.tasks.insert().values(
            id=task["id"], project_id=task["project_id"], language=task["language"],
            kind=task["kind"], origin=task["origin"], payload=freeze(task), revision=1,
            server_seq=seqs.next(), created_at=now, updated_at=now))
        seqs.save()

    run_write(engine, work)


def push(member, items: list[dict]) -> list[str]:
    result = member.push(items)
    assert set(statuses(result)) == {"created"}, result
    return [item["id"] for item in items]


def verdict(engine, submission_id: str) -> acceptance.Verdict:
    with engine.connect() as conn:
        return acceptance.is_accepted(conn, submission_id)


def accepted_ids(engine, **kwargs) -> set[str]:
    with engine.connect() as conn:
        return {item["id"] for item in acceptance.accepted_submissions(conn, **kwargs)}


def counts(engine, **kwargs) -> acceptance.AcceptanceCounts:
    with engine.connect() as conn:
        return acceptance.acceptance_counts(conn, **kwargs)


def block(engine, user_id: str, blocked: bool = True) -> None:
    with engine.begin() as conn:
        conn.execute(tables.users.update().where(tables.users.c.id == user_id).values(
            blocked_at=clock.utc_now() if blocked else None))


def test_an_edit_under_five_characters_does_not_count_and_five_does(harness, project):
    amina = harness.member()
    small, enough, large = push(amina, [edit(amina, 4), edit(amina, 5), edit(amina, 40)])
    assert verdict(harness.engine, small) == acceptance.Verdict(False, "small_edit")
    assert verdict(harness.engine, enough).accepted
    assert accepted_ids(harness.engine) == {enough, large}


def test_a_post_edit_counts_by_its_distance_to_the_machine_translation(harness, project):
    amina = harness.member()
    small, enough = push(amina, [edit(amina, 3, kind="postedit", hter=0.1),
                                 edit(amina, 6, kind="postedit", hter=0.3)])
    assert not verdict(harness.engine, small).accepted
    assert verdict(harness.engine, enough).accepted


def test_distances_missing_from_the_record_are_measured_like_the_app(harness, project):
    amina = harness.member()
    small, enough = push(amina, [edit(amina, 4, recorded=False), edit(amina, 7, recorded=False)])
    with harness.engine.connect() as conn:
        items = {item["id"]: item for item, _ in acceptance.judged_submissions(conn)}
    assert items[enough]["completion_distance"] == edit_distance(
        "یہ ایک جواب ہے", "یہ ایک جواب ہے" + "ے" * 7) == 7
    assert accepted_ids(harness.engine) == {enough}
    assert verdict(harness.engine, small).reason == "small_edit"


def test_without_originals_the_task_is_what_an_edit_is_measured_against(harness, project):
    add_task(harness.engine, {"id": "t1", "project_id": PROJECT, "kind": "reannotation",
                              "language": "urd_Arab", "inputs": "پرانا سوال",
                              "targets": "پرانا جواب", "origin": "templated"})
    amina = harness.member()
    same, changed = push(amina, [
        amina.submission(kind="reannotation", project_id=PROJECT, task_id="t1",
                         inputs="پرانا سوال", targets="پرانا جواب"),
        amina.submission(kind="reannotation", project_id=PROJECT, task_id="t1",
                         inputs="پرانا سوال", targets="بالکل نیا اور بہتر جواب"),
    ])
    assert verdict(harness.engine, same).reason == "small_edit"
    assert verdict(harness.engine, changed).accepted


def test_a_coordinators_decision_overrides_the_rules(harness, project):
    amina = harness.member()
    small, large = push(amina, [edit(amina, 1), edit(amina, 50)])
    decisions.decide(harness.engine, small, "accepted")
    decisions.decide(harness.engine, large, "rejected")
    assert verdict(harness.engine, small) == acceptance.Verdict(True, "decided")
    assert verdict(harness.engine, large) == acceptance.Verdict(False, "rejected")
    assert accepted_ids(harness.engine) == {small}


def test_a_blocked_contributors_work_is_excluded_and_comes_back_when_unblocked(harness,
                                                                               project):
    amina, bilal = harness.member(), harness.member()
    hers = push(amina, [edit(amina, 9), amina.submission(project_id=PROJECT)])
    decisions.decide(harness.engine, hers[1], "accepted")
    his = push(bilal, [edit(bilal, 9)])
    block(harness.engine, amina.user_id)
    assert accepted_ids(harness.engine) == set(his)
    assert verdict(harness.engine, hers[1]).reason == "blocked"  # even when decided
    assert counts(harness.engine).languages["urd_Arab"]["reannotation"]["submitted"] == 1
    block(harness.engine, amina.user_id, blocked=False)
    assert accepted_ids(harness.engine) == {*hers, *his}


def flag(reviewer, submission_id: str, reason: str = "harmful") -> None:
    push(reviewer, [reviewer.item("review", {"id": new_id(), "submission_id": submission_id,
                                             "flag": reason, "reason": ""})])


def test_a_flagged_item_is_held_until_a_coordinator_accepts_it(harness, project):
    amina = harness.member()
    reviewer = harness.member("reviewer", languages=["urd_Arab"])
    original, edited = push(amina, [amina.submission(project_id=PROJECT), edit(amina, 9)])
    flag(reviewer, original)
    flag(reviewer, edited, "wrong_language")
    assert verdict(harness.engine, original) == acceptance.Verdict(False, "flagged")
    assert verdict(harness.engine, original).held
    assert counts(harness.engine).languages["urd_Arab"]["original"]["held"] == 1
    decisions.decide(harness.engine, original, "accepted")
    assert accepted_ids(harness.engine) == {original}


def test_flags_count_only_while_the_project_says_so_and_not_from_blocked_reviewers(
        harness, engine):
    create_project(engine, "lenient", settings={"acceptance": {"exclude_flagged": False}})
    create_project(engine, PROJECT)
    amina = harness.member()
    troll = harness.member("reviewer", languages=["urd_Arab"])
    lenient, strict = push(amina, [amina.submission(project_id="lenient"),
                                    amina.submission(project_id=PROJECT)])
    flag(troll, lenient)
    flag(troll, strict)
    assert accepted_ids(engine) == {lenient}
    block(engine, troll.user_id)
    assert accepted_ids(engine) == {lenient, strict}


def test_peer_rating_thresholds(harness, engine):
    create_project(engine, "rated", settings={"acceptance": {"min_ratings": 2,
                                                             "min_mean_rating": 3.5}})
    amina = harness.member()
    reviewer = harness.member("reviewer", languages=["urd_Arab"])
    unrated, liked, disliked, original = push(amina, [
        edit(amina, 9, project="rated"), edit(amina, 9, project="rated"),
        edit(amina, 9, project="rated"), amina.submission(project_id="rated")])
    push(reviewer, [reviewer.review(liked, rating=4), reviewer.review(disliked, rating=3)])
    assert verdict(engine, unrated).reason == "few_ratings"
    assert verdict(engine, liked).accepted  # two ratings (prompt and completion), mean 4
    assert verdict(engine, disliked).reason == "low_rating"
    assert verdict(engine, original).accepted  # originals are not rated as edits


def test_drafts_tombstones_and_reviews_never_count(harness, project):
    amina = harness.member()
    draft, gone, kept = push(amina, [amina.submission(project_id=PROJECT, state="draft"),
                                      amina.submission(project_id=PROJECT, state="draft"),
                                      amina.submission(project_id=PROJECT)])
    push(amina, [amina.delete(gone, base_revision=1)])
    review_kind = push(amina, [amina.submission(project_id=PROJECT, kind="review")])[0]
    assert accepted_ids(harness.engine) == {kept}
    for submission_id in (draft, gone, review_kind):
        assert verdict(harness.engine, submission_id).reason == "not_counted"
    assert verdict(harness.engine, "no-such-id").reason == "missing"
    languages = counts(harness.engine).languages
    assert languages == {"urd_Arab": {"original": {"submitted": 1, "accepted": 1, "held": 0}}}


def test_a_language_enters_only_with_enough_accepted_contributions(harness, project):
    amina = harness.member(languages=["urd_Arab", "hin_Deva"])
    urdu = push(amina, [amina.submission(project_id=PROJECT) for _ in range(2)])
    hindi = push(amina, [amina.submission(project_id=PROJECT, language="hin_Deva",
                                          inputs="सवाल", targets="जवाब"),
                         edit(amina, 1, language="hin_Deva")])
    result = counts(harness.engine, project_id=PROJECT)
    assert result.passing == {"urd_Arab"}
    assert result.accepted("hin_Deva") == 1 and result.gates["hin_Deva"] == 2
    assert result.languages["hin_Deva"]["reannotation"] == {"submitted": 1, "accepted": 0,
                                                            "held": 0}
    assert result.total_exported == 2
    # accepted_submissions does not apply the gate; the export passes `passing` itself
    assert accepted_ids(harness.engine) == {*urdu, hindi[0]}
    assert accepted_ids(harness.engine, languages=result.passing) == set(urdu)


def test_the_default_gate_is_fifty_accepted_contributions(harness, engine):
    create_project(engine, PROJECT)  # the Aya defaults
    amina = harness.member()
    push(amina, [amina.submission(project_id=PROJECT) for _ in range(49)])
    assert counts(engine, project_id=PROJECT).passing == frozenset()
    push(amina, [amina.submission(project_id=PROJECT)])
    result = counts(engine, project_id=PROJECT)
    assert result.passing == {"urd_Arab"} and result.gates == {"urd_Arab": 50}


def test_over_all_projects_a_language_passes_the_smallest_gate_it_was_collected_for(
        harness, engine):
    create_project(engine, "small", settings={"acceptance": {"min_accepted_per_language": 3}})
    create_project(engine, "big")  # 50
    amina = harness.member()
    push(amina, [amina.submission(project_id="small"), amina.submission(project_id="big"),
                 amina.submission(project_id="big")])
    result = counts(engine)
    assert result.gates == {"urd_Arab": 3} and result.passing == {"urd_Arab"}
    assert counts(engine, project_id="small").passing == frozenset()


def test_the_stream_reads_in_chunks_in_id_order(harness, project, monkeypatch):
    monkeypatch.setattr(acceptance, "CHUNK", 3)
    amina = harness.member()
    ids = push(amina, [amina.submission(project_id=PROJECT) for _ in range(8)])
    with harness.engine.connect() as conn:
        streamed = [item["id"] for item in acceptance.accepted_submissions(conn)]
    assert streamed == sorted(ids)
    with harness.engine.connect() as conn:
        statements = []
        sa.event.listen(conn, "before_cursor_execute",
                        lambda *args: statements.append(args[2]))
        list(acceptance.accepted_submissions(conn))
    assert sum("FROM submissions" in s for s in statements) == 3  # 3 + 3 + 2 rows


def test_a_device_cannot_claim_an_edit_it_did_not_make(harness, project):
    """The server measures against its own task, not the distances or originals a device
    reports: an unchanged re-annotation claiming a big edit neither counts nor escapes
    peer review as 'unchanged'."""
    add_task(harness.engine, {"id": "t9", "project_id": PROJECT, "kind": "reannotation",
                              "language": "urd_Arab", "inputs": "پرانا سوال",
                              "targets": "پرانا جواب", "origin": "human"})
    amina = harness.member()
    (claimed,) = push(amina, [amina.submission(
        kind="reannotation", project_id=PROJECT, task_id="t9", inputs="پرانا سوال",
        targets="پرانا جواب", original_inputs="x", original_targets="y",
        prompt_distance=500, completion_distance=500)])
    assert verdict(harness.engine, claimed).reason == "small_edit"
    (hidden,) = push(amina, [amina.submission(
        kind="reannotation", project_id=PROJECT, task_id="t9", inputs="پرانا سوال",
        targets="ایک بالکل نیا اور لمبا جواب", original_inputs="پرانا سوال",
        original_targets="ایک بالکل نیا اور لمبا جواب", prompt_distance=0,
        completion_distance=0)])
    assert verdict(harness.engine, hidden).accepted  # a real edit, whatever the record says
    with harness.engine.connect() as conn:
        review = conn.execute(sa.select(tables.tasks.c.payload).where(
            tables.tasks.c.review_of == hidden)).scalar()
    assert review is not None and '"original_targets":"پرانا جواب"' in review


@pytest.mark.parametrize("text", [
    '{"inputs": "سوال \\u2028 😀", "hter": 0.30000000000000004, "edit_sessions": 2}',
    '{"seconds_spent": 123456789012345678901234567890, "edit_sessions": -9223372036854775809}',
    '{"hter": NaN, "seconds_spent": Infinity}', '{"hter": 1e400}', '{"inputs": "\\ud800"}',
    '{"a": 1, "a": 2}', ' {"dialect": null, "hter": -0.0} ', '[' * 900 + ']' * 900,
])
def test_payloads_decode_exactly_as_json_loads_from_text_or_utf8(text):
    """The judge decodes payloads with msgspec from the UTF-8 bytes SQLite hands over;
    whatever json.loads would give (integers past 64 bits stay integers: orjson makes
    them floats), or json.loads itself where msgspec refuses a text."""
    import json
    import math

    from sync.server import jsontext

    expected = json.loads(text)
    for given in ([text], [text.encode("utf-8", "surrogatepass")], [text, b"{}"]):
        decoded, *_rest = [jsontext.loads(each) for each in given]
        assert repr(decoded) == repr(expected) and type(decoded) is type(expected)
        if isinstance(expected, dict) and isinstance(expected.get("hter"), float):
            assert math.copysign(1, decoded["hter"]) == math.copysign(1, expected["hter"])
    with pytest.raises(json.JSONDecodeError):
        [jsontext.loads(each) for each in (b'{"inputs": "a"}', b'{"inputs": ')]
