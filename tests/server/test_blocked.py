"""What a block means (DESIGN.md invariant 6, issue 11): a blocked user's own work is still
received and held, but they read nobody else's work and keep no reviewer, coordinator or
auditor right — on every path: pull, push, work, leaderboards, audits, offline bundles."""

from __future__ import annotations

import json

import pytest

from app.ids import new_id
from sync.server.db import read
from sync.server.errors import ServerError
from sync.server.exchange.pull import pending_changes, pull_page
from sync.server.people import users
from sync.server.quality import audits, leaderboards, measures, moderation
from sync.server.work import acceptance, decisions, distribution
from sync.server.work.projects import create_project
from tests.server.test_distribution import add_tasks, leased, pulled_tasks


def block(harness, member, reason="copied text") -> None:
    moderation.block(harness.engine, member.user_id, reason=reason)


def second_device(harness, member):
    """Another enrolled device of the same user: it pulls what the first one pushed."""
    return harness.member(member.user.role, languages=member.user.languages,
                          name=member.user.name)


def authors(items: list[dict]) -> set[str]:
    """Who wrote the submissions and reviews in pulled items."""
    return {json.loads(i["payload"])["user_id"] for i in items
            if i["entity"] in ("submission", "review") and not i["deleted"]}


def ids(items: list[dict], entity: str) -> set[str]:
    return {i["id"] for i in items if i["entity"] == entity}


# --- pull ------------------------------------------------------------------------------------


def test_a_blocked_coordinators_device_pulls_nothing_written_by_others(harness):
    amina = harness.member()
    reviewer = harness.member("reviewer")
    farida = harness.member("coordinator", languages=["urd_Arab"])
    others = amina.submission()
    amina.push([others])
    own = farida.submission()
    farida.push([own])
    review_of_own = reviewer.review(own["id"])
    reviewer.push([review_of_own, reviewer.review(others["id"])])
    phone = second_device(harness, farida)
    assert ids(phone.pull_all(), "submission") == {own["id"], others["id"]}  # before: all

    block(harness, farida)
    pulled = phone.pull_all()
    assert authors(pulled) == {farida.user_id}
    assert ids(pulled, "submission") == {own["id"]}  # their own item, decisions included
    assert ids(pulled, "review") == set()  # not even others' reviews of their own work
    assert pending_changes(harness.engine, phone.device, 0) == 1


def test_a_blocked_reviewer_keeps_their_own_reviews_but_not_what_they_were_given(harness):
    amina, bilal = harness.member(), harness.member()
    item = amina.submission()
    amina.push([item])
    assert distribution.serve_work(harness.engine, bilal.device).leased == 1  # a review task
    review = bilal.review(item["id"])
    assert bilal.push([review])["results"][0]["status"] == "created"
    laptop = second_device(harness, bilal)

    block(harness, bilal)
    pulled = laptop.pull_all()
    assert ids(pulled, "review") == {review["id"]}  # theirs: their other devices keep it
    assert ids(pulled, "submission") == set()       # the peer's item they were asked about
    assert ids(pulled, "task") == set()             # the review task carries that item
    assert authors(pulled) == {bilal.user_id}


def test_a_blocked_user_still_pulls_the_ordinary_tasks_they_leased(harness):
    (task,) = add_tasks(harness.engine, {})
    amina = harness.member()
    distribution.serve_work(harness.engine, amina.device)
    block(harness, amina)
    assert pulled_tasks(amina) == [task]


def test_an_offline_bundles_answer_for_a_blocked_device_carries_only_their_own_work(harness):
    # sync.server.exchange.bundles builds the answer's pages with pull_page and the device as loaded
    # from the database, so a bundle carries exactly what the API would send.
    amina, reviewer = harness.member(), harness.member("reviewer")
    farida = harness.member("coordinator", languages=["urd_Arab"])
    amina.push([amina.submission()])
    own = farida.submission()
    farida.push([own])
    reviewer.push([reviewer.review(own["id"])])
    block(harness, farida)
    loaded = users.load_device(harness.engine, second_device(harness, farida).device_id)
    assert loaded.blocked and loaded.role == "annotator"
    page = pull_page(harness.engine, loaded, cursor=0)
    records = [i.model_dump() for i in page.items]
    assert ids(records, "submission") == {own["id"]} and ids(records, "review") == set()
    assert authors(records) == {farida.user_id}


# --- push ------------------------------------------------------------------------------------


def test_a_blocked_reviewer_cannot_review(harness):
    amina = harness.member()
    reviewer = harness.member("reviewer")
    annotator = harness.member()
    items = [amina.submission(), amina.submission()]
    amina.push(items)
    decisions.assign_review(harness.engine, items[1]["id"], annotator.user_id)
    block(harness, reviewer)
    block(harness, annotator)
    for person, item in ((reviewer, items[0]), (annotator, items[1])):
        result = person.push([person.review(item["id"])])["results"][0]
        assert result["status"] == "rejected"
        assert "blocked" in result["reason"]
    with pytest.raises(ServerError, match="blocked"):
        decisions.assign_review(harness.engine, items[0]["id"], reviewer.user_id)


def test_a_blocked_users_own_submissions_are_received_and_held(harness):
    amina = harness.member()
    block(harness, amina)
    item = amina.submission()
    assert amina.push([item])["results"][0]["status"] == "created"
    assert read(harness.engine, lambda conn: list(acceptance.accepted_submissions(conn))) == []
    counts = read(harness.engine, acceptance.acceptance_counts)
    assert counts.total_accepted == 0
    reviewer = harness.member()
    assert distribution.serve_work(harness.engine, reviewer.device).leased == 0  # not reviewed
    moderation.unblock(harness.engine, amina.user_id)
    accepted = read(harness.engine, lambda conn: list(acceptance.accepted_submissions(conn)))
    assert [i["id"] for i in accepted] == [item["id"]]


def test_a_blocked_coordinators_own_items_in_any_language_are_held_not_refused(harness):
    noor = harness.member("coordinator", languages=[])
    block(harness, noor)
    item = noor.submission(language="hin_Deva")
    assert noor.push([item])["results"][0]["status"] == "created"


def test_reviews_given_before_a_block_count_nowhere(harness):
    amina = harness.member()
    reviewer = harness.member("reviewer")
    items = [amina.submission(), amina.submission()]
    amina.push(items)
    flag = reviewer.item("review", {"id": new_id(), "submission_id": items[0]["id"],
                                    "flag": "harmful", "reason": "spite"})
    reviewer.push([flag, reviewer.review(items[1]["id"])])
    assert len(moderation.flagged_items(harness.engine)) == 1
    block(harness, reviewer)
    assert moderation.flagged_items(harness.engine) == []
    (progress,) = measures.language_progress(harness.engine)
    assert (progress.submitted, progress.reviewed) == (2, 0)
    board = leaderboards.board(harness.engine)
    assert [row.user_id for row in board.rows] == [amina.user_id]


# --- work ------------------------------------------------------------------------------------


def test_a_blocked_user_gets_no_new_lease_and_loses_review_assignments(harness):
    # One person per item: what a blocked user held must go to someone else at once.
    create_project(harness.engine, "p", settings={"distribution": {"audits_per_item": 1}})
    (task,) = add_tasks(harness.engine, {"project_id": "p"})
    amina, bilal, carl, asked = (harness.member() for _ in range(4))
    item = amina.submission(project_id="p")
    amina.push([item])
    review_task = distribution.review_task_id(item["id"])
    assert distribution.serve_work(harness.engine, bilal.device).leased == 2  # task + review
    decisions.assign_review(harness.engine, item["id"], asked.user_id)
    assert distribution.serve_work(harness.engine, carl.device).leased == 0  # both capped

    block(harness, bilal)
    block(harness, asked)
    assert distribution.serve_work(harness.engine, bilal.device).leased == 0
    holding = {lease.task_id: lease.state for lease in
               distribution.list_leases(harness.engine, user=bilal.user_id)}
    assert holding == {task: "expired"}  # the review lease is handed back whole
    for person in (bilal, asked):
        assert person.push([person.review(item["id"])])["results"][0]["status"] == "rejected"
    assert distribution.serve_work(harness.engine, carl.device).leased == 2
    assert set(leased(carl)) == {task, review_task}
    assert carl.push([carl.review(item["id"])])["results"][0]["status"] == "created"
    moderation.unblock(harness.engine, asked.user_id)
    refused = asked.push([asked.review(item["id"])])["results"][0]
    assert "not asked" in refused["reason"]  # the request was released, not suspended


# --- leaderboards ----------------------------------------------------------------------------


def test_a_blocked_users_leaderboard_shows_no_one(harness):
    amina, bilal = harness.member(), harness.member()
    amina.push([amina.submission()])
    bilal.push([bilal.submission()])
    block(harness, bilal)
    response = harness.client.get("/v1/leaderboard", headers=bilal.headers)
    assert response.status_code == 200, response.text
    boards = response.json()["boards"]
    assert len(boards) == 6  # day, week, all: overall and Urdu, as for anyone
    assert all(b["rows"] == [] and b["me"] is None for b in boards)
    seen = harness.client.get("/v1/leaderboard", headers=amina.headers).json()["boards"]
    assert any(b["rows"] for b in seen)  # others still see the boards (without bilal)


# --- audits ----------------------------------------------------------------------------------


def test_a_blocked_auditor_reads_and_rates_nothing(harness):
    amina = harness.member()
    amina.push([amina.submission(), amina.submission()])
    users.invite(harness.engine, name="Rahel", role="auditor", languages=["urd_Arab"])
    sample = audits.draw_sample(harness.engine, per_language=2, auditors=["Rahel"], seed=1,
                                created_by="test")
    first, second = audits.auditor_items(harness.engine, "Rahel")
    audits.record_audit(harness.engine, sample_id=sample, submission_id=first.submission_id,
                        auditor="Rahel", rating=2, acceptable=False)
    assert audits.estimates(harness.engine, sample)["urd_Arab"].audited == 1

    moderation.block(harness.engine, "Rahel", reason="rated without reading")
    with pytest.raises(ServerError, match="blocked"):
        audits.auditor_items(harness.engine, "Rahel")
    with pytest.raises(ServerError, match="blocked"):
        audits.record_audit(harness.engine, sample_id=sample,
                            submission_id=second.submission_id, auditor="Rahel", rating=5,
                            acceptable=True)
    assert audits.estimates(harness.engine, sample)["urd_Arab"].audited == 0
    assert audits.get_sample(harness.engine, sample).done == 0
