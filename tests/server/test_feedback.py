"""Feedback on items: a coordinator's comment and a reviewer's reason reach the item's author
(and nobody else), the author replies once, and a rejected item with feedback may be revised
and submitted again while its decision history is kept.

Hostile callers: an annotator commenting, a coordinator of another project, a second reply, a
reply to someone else's item, oversize and invisible bodies, older clients.
"""

import json

import pytest
import sqlalchemy as sa

from app.ids import new_id
from app.records import MAX_COMMENT_CHARS
from sync.protocol import COMMENTS_PROTOCOL
from sync.server import tables
from sync.server.errors import ServerError
from sync.server.people import auditlog
from sync.server.people.auditlog import Actor
from sync.server.work import decisions, feedback, projects
from tests.server.helpers import statuses


def _by(member) -> Actor:
    return Actor(member.user.name, address="127.0.0.1", user_id=member.user_id)


def _comments(page: dict) -> list[dict]:
    return [json.loads(i["payload"]) for i in page["items"] if i["entity"] == "comment"]


@pytest.fixture
def people(harness):
    amina = harness.member(name="Amina")
    amina.protocol = COMMENTS_PROTOCOL
    bilal = harness.member(name="Bilal")
    bilal.protocol = COMMENTS_PROTOCOL
    farida = harness.member("coordinator", languages=(), name="Farida")
    farida.protocol = COMMENTS_PROTOCOL
    return amina, bilal, farida


def _submitted(member, **extra) -> tuple[str, dict]:
    item = member.submission(**extra)
    assert statuses(member.push([item])) == ["created"]
    return item["id"], json.loads(item["payload"])


def test_a_comment_reaches_the_author_only(harness, people):
    amina, bilal, farida = people
    item_id, _ = _submitted(amina)
    comment_id = feedback.comment(harness.engine, item_id, "رسمی لہجہ استعمال کریں۔",
                                  by=_by(farida))

    [pulled] = _comments(amina.pull())
    assert pulled["id"] == comment_id and pulled["body"] == "رسمی لہجہ استعمال کریں۔"
    assert pulled["author_name"] == "Farida" and pulled["submission_id"] == item_id
    assert _comments(bilal.pull()) == []          # another annotator: never
    assert _comments(farida.pull()) == []         # a coordinator reads it on the dashboard
    amina.protocol = 2
    assert _comments(amina.pull()) == []          # a client that cannot store comments


def test_a_reviewers_reason_becomes_feedback_to_the_author(harness, people):
    amina, _, _ = people
    reviewer = harness.member("reviewer", name="Rubina")
    item_id, _ = _submitted(amina)
    review = reviewer.review(item_id)
    assert statuses(reviewer.push([review])) == ["created"]
    [pulled] = _comments(amina.pull())
    assert pulled["kind"] == "review" and pulled["body"] == "clear"
    assert pulled["author_name"] == ""            # peer review stays anonymous
    assert pulled["rating_inputs"] == 4


def test_only_a_coordinator_of_the_project_comments(harness, people):
    amina, bilal, farida = people
    other = harness.member("coordinator", languages=(), name="Omar")
    projects.create_project(harness.engine, "aya-urd")
    item_id, _ = _submitted(amina, project_id="aya-urd")
    with pytest.raises(ServerError, match="Only a coordinator"):
        feedback.comment(harness.engine, item_id, "hello", by=_by(bilal))
    projects.set_coordinators(harness.engine, "aya-urd", add=["Farida"])
    with pytest.raises(ServerError, match="do not coordinate"):
        feedback.comment(harness.engine, item_id, "hello", by=_by(other))
    with pytest.raises(ServerError, match="do not coordinate"):
        decisions.decide(harness.engine, item_id, "rejected", by=_by(other))
    assert feedback.comment(harness.engine, item_id, "hello", by=_by(farida))


@pytest.mark.parametrize("body, problem", [
    ("x" * (MAX_COMMENT_CHARS + 1), "too long"),
    ("\u200b\u200d \u2067", "no visible character"),
    ("", "empty"),
    ("a\x00b", "NUL"),
])
def test_oversize_and_invisible_comments_are_refused(harness, people, body, problem):
    amina, _, farida = people
    item_id, _ = _submitted(amina)
    with pytest.raises(ServerError, match=problem):
        feedback.comment(harness.engine, item_id, body, by=_by(farida))
    assert feedback.thread(harness.engine, item_id) == []


def _reply(member, item_id: str, reply_to: str, body: str = "شکریہ، درست کر دیا۔",
           **extra) -> dict:
    return member.item("comment", {"id": new_id(), "submission_id": item_id,
                                   "reply_to": reply_to, "body": body, **extra})


def test_the_author_replies_once_per_thread(harness, people):
    amina, bilal, farida = people
    item_id, _ = _submitted(amina)
    first = feedback.comment(harness.engine, item_id, "Fix the spelling.", by=_by(farida))
    second = feedback.comment(harness.engine, item_id, "And the tone.", by=_by(farida))
    reply = _reply(amina, item_id, first)
    assert statuses(amina.push([reply])) == ["created"]
    # The same reply again (a lost answer) is harmless; another reply to the thread is not.
    assert statuses(amina.push([reply])) == ["duplicate"]
    result = amina.push([_reply(amina, item_id, first, "again")])
    assert statuses(result) == ["rejected"] and "one reply" in result["results"][0]["reason"]
    two = amina.push([_reply(amina, item_id, second, "one"), _reply(amina, item_id, second)])
    assert statuses(two) == ["created", "rejected"]
    kinds = [(c.kind, c.reply_to) for c in feedback.thread(harness.engine, item_id)]
    assert kinds == [("comment", None), ("reply", first), ("comment", None), ("reply", second)]
    # Bilal may not answer feedback on Amina's item, nor invent a thread.
    hostile = bilal.push([_reply(bilal, item_id, first), _reply(bilal, item_id, "nothing")])
    assert statuses(hostile) == ["rejected", "rejected"]
    own, _ = _submitted(bilal)
    fake = bilal.push([_reply(bilal, own, first)])
    assert "no feedback" in fake["results"][0]["reason"]


def test_replies_are_bounded_and_visible(harness, people):
    amina, _, farida = people
    item_id, _ = _submitted(amina)
    root = feedback.comment(harness.engine, item_id, "Why?", by=_by(farida))
    result = amina.push([_reply(amina, item_id, root, "\u200b \u200c"),
                         _reply(amina, item_id, root, "x" * (MAX_COMMENT_CHARS + 1))])
    assert statuses(result) == ["rejected", "rejected"]
    assert all(r["reason"].startswith("body:") for r in result["results"])


def test_a_reply_cannot_be_changed_or_withdrawn(harness, people):
    amina, _, farida = people
    item_id, _ = _submitted(amina)
    root = feedback.comment(harness.engine, item_id, "Why?", by=_by(farida))
    reply = _reply(amina, item_id, root, "Because.")
    amina.push([reply])
    record = json.loads(reply["payload"])
    changed = amina.item("comment", {**record, "body": "Something else."})
    withdrawn = amina.delete(record["id"], entity="comment")
    assert statuses(amina.push([changed, withdrawn])) == ["rejected", "rejected"]


def test_a_rejected_item_with_feedback_is_revised_and_reviewed_again(harness, people):
    amina, _, farida = people
    item_id, record = _submitted(amina)
    feedback.comment(harness.engine, item_id, "The completion is cut short.", by=_by(farida))
    revision = decisions.decide(harness.engine, item_id, "rejected", reason="incomplete",
                                by=_by(farida))
    revised = amina.item("submission", {**record, "targets": "پورا جواب", "state": "submitted"},
                         base_revision=revision)
    assert statuses(amina.push([revised])) == ["created"]
    with harness.engine.connect() as conn:
        row = conn.execute(sa.select(tables.submissions)
                           .where(tables.submissions.c.id == item_id)).one()
        task = conn.execute(sa.select(tables.tasks.c.deleted)
                            .where(tables.tasks.c.review_of == item_id)).scalar()
    assert row.state == "submitted" and json.loads(row.payload)["targets"] == "پورا جواب"
    assert task is not None and not task  # back in peer review
    [decision] = decisions.history(harness.engine, item_id)
    assert (decision.state, decision.reason, decision.targets) == ("rejected", "incomplete",
                                                                   "جواب")
    assert decision.decided_by == "Farida"
    decisions.decide(harness.engine, item_id, "accepted", by=_by(farida))
    assert [d.state for d in decisions.history(harness.engine, item_id)] == ["rejected",
                                                                              "accepted"]


def test_without_feedback_a_rejection_and_any_acceptance_stay_final(harness, people):
    amina, _, farida = people
    silent, record = _submitted(amina)
    revision = decisions.decide(harness.engine, silent, "rejected", by=_by(farida))
    again = amina.item("submission", {**record, "targets": "نیا"}, base_revision=revision)
    assert "final" in amina.push([again])["results"][0]["reason"]
    accepted, record = _submitted(amina)
    feedback.comment(harness.engine, accepted, "Well done.", by=_by(farida))
    revision = decisions.decide(harness.engine, accepted, "accepted", by=_by(farida))
    again = amina.item("submission", {**record, "targets": "نیا"}, base_revision=revision)
    assert "final" in amina.push([again])["results"][0]["reason"]


def test_actions_are_in_the_audit_log(harness, people):
    amina, _, farida = people
    item_id, _ = _submitted(amina)
    feedback.comment(harness.engine, item_id, "Fix it.", by=_by(farida))
    decisions.decide(harness.engine, item_id, "rejected", by=_by(farida))
    logged = auditlog.entries(harness.engine)[:2]
    assert [(e.action, e.actor, e.address, e.subject) for e in logged] == [
        ("decide", "Farida", "127.0.0.1", item_id), ("comment", "Farida", "127.0.0.1", item_id)]
    assert [e.action for e in auditlog.entries(harness.engine, action="comment")] == ["comment"]


def test_every_kind_of_coordinator_action_is_logged_with_who_and_where(harness, people,
                                                                      tmp_path):
    from sync.server.people import users
    from sync.server.quality import moderation
    from sync.server.work.imports import import_file

    amina, bilal, farida = people
    by = _by(farida)
    item_id, _ = _submitted(amina)
    users.invite(harness.engine, name="Chidi", role="annotator", languages=["yor_Latn"], by=by)
    moderation.relabel(harness.engine, item_id, dialect="Lahori", by=by)
    moderation.block(harness.engine, "Bilal", reason="copied text", by=by)
    moderation.unblock(harness.engine, "Bilal", by=by)
    users.revoke(harness.engine, bilal.device_id, by=by)
    tasks = tmp_path / "urd.jsonl"
    tasks.write_text(json.dumps({"id": "t1", "kind": "original", "language_code": "urd_Arab",
                                 "instructions": "لکھیے"}) + "\n", encoding="utf-8")
    import_file(harness.engine, tasks, project_id="aya-urd", by=by)
    projects.update_settings(harness.engine, "aya-urd",
                             {"distribution": {"page_size": 10}}, by=by)
    projects.set_guideline(harness.engine, "aya-urd", kind="original", language="urd_Arab",
                           text="# لکھیے", by=by)
    projects.set_coordinators(harness.engine, "aya-urd", add=["Farida"], by=by)
    auditlog.record_alone(harness.engine, "export", by, subject="aya-urd-v1")
    mine = auditlog.entries(harness.engine, actor="Farida")
    assert {e.action for e in mine} == {"mint_code", "relabel", "block", "unblock", "revoke",
                                        "import", "settings", "guidelines", "coordinators",
                                        "export"}
    assert all(e.address == "127.0.0.1" for e in mine)
    [relabel] = [e for e in mine if e.action == "relabel"]
    assert relabel.subject == item_id and relabel.detail["to"]["dialect"] == "Lahori"
    # Without a person named, the command line is who acted, from this machine.
    moderation.block(harness.engine, "Bilal", reason="again")
    assert auditlog.entries(harness.engine, action="block")[0].address.startswith("local:")


def test_an_action_that_fails_logs_nothing(harness, people):
    _, _, farida = people
    before = len(auditlog.entries(harness.engine, limit=200))
    with pytest.raises(ServerError):
        decisions.decide(harness.engine, "no-such-item", "rejected", by=_by(farida))
    with pytest.raises(ServerError):
        feedback.comment(harness.engine, "no-such-item", "hello", by=_by(farida))
    assert len(auditlog.entries(harness.engine, limit=200)) == before


def test_a_blocked_author_pulls_no_ones_feedback_only_their_own_replies(harness, people):
    from sync.server.quality import moderation

    amina, _, farida = people
    item_id, _ = _submitted(amina)
    root = feedback.comment(harness.engine, item_id, "Why?", by=_by(farida))
    reply = _reply(amina, item_id, root, "Because.")
    assert statuses(amina.push([reply])) == ["created"]
    moderation.block(harness.engine, amina.user.name, reason="copied text", by=_by(farida))
    # Another of her devices: her own reply comes down, the coordinator's comment does not.
    laptop = harness.member(name="Amina")
    laptop.protocol = COMMENTS_PROTOCOL
    assert [c["kind"] for c in _comments(laptop.pull())] == ["reply"]
    late = amina.push([_reply(amina, item_id, root, "More.")])
    assert "blocked" in late["results"][0]["reason"]


def test_a_revision_is_judged_by_the_reviews_of_its_new_text(harness, people):
    from sync.server.work.acceptance import is_accepted
    from sync.server.work.imports import import_records

    amina, _, farida = people
    reviewer = harness.member("reviewer", name="Rubina")
    import_records(harness.engine, "aya-urd", [{
        "id": "t1", "kind": "reannotation", "language_code": "urd_Arab",
        "inputs": "چائے کیسے بنائیں؟", "targets": "پانی ابالیں۔"}])
    with harness.engine.connect() as conn:
        task_id = conn.execute(sa.select(tables.tasks.c.id)
                               .where(tables.tasks.c.kind == "reannotation")).scalar_one()
    item_id, record = _submitted(amina, kind="reannotation", task_id=task_id,
                                 project_id="aya-urd", inputs="چائے کیسے بنائیں؟",
                                 targets="پانی ابالیں اور پتی ڈالیں۔")
    low = reviewer.item("review", {"id": new_id(), "submission_id": item_id,
                                   "rating_inputs": 1, "rating_targets": 1,
                                   "reason": "The completion is cut short."})
    assert statuses(reviewer.push([low])) == ["created"]
    with harness.engine.connect() as conn:
        assert is_accepted(conn, item_id).reason == "low_rating"
    revision = decisions.decide(harness.engine, item_id, "rejected", by=_by(farida))
    revised = amina.item("submission", {**record, "targets": "پانی ابالیں، پتی اور دودھ ڈالیں۔"},
                         base_revision=revision)
    assert statuses(amina.push([revised])) == ["created"]
    with harness.engine.connect() as conn:  # the old 1/5 no longer holds the new text back
        assert is_accepted(conn, item_id).accepted
