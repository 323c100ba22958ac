"""Pull: pages in server_seq order, cursors, and who sees what."""

import json

from sync.server.exchange.pull import pending_changes
from sync.server.people import users
from sync.server.work import decisions
from sync.server.work.imports import import_file
from tests.server.helpers import statuses


def _ids(items, entity=None):
    return [i["id"] for i in items if entity is None or i["entity"] == entity]


def test_pages_follow_the_cursor_without_gaps_or_repeats(harness):
    amina = harness.member()
    pushed = [amina.submission() for _ in range(25)]
    amina.push(pushed)
    amina = harness.member(name=amina.user.name)  # another device: it is sent all of them
    seen, cursor, pages = [], 0, 0
    while True:
        page = amina.pull(cursor, limit=10)
        pages += 1
        cursors = [i["cursor"] for i in page["items"]]
        assert cursors == sorted(cursors) and all(c > cursor for c in cursors)
        seen += page["items"]
        cursor = page["next_cursor"]
        if not page["more"]:
            break
    assert pages == 3
    assert _ids(seen) == [p["id"] for p in pushed]
    assert amina.pull(cursor)["items"] == []


def test_limit_is_capped_and_validated(harness):
    amina = harness.member()
    response = harness.client.get("/v1/pull", params={"limit": 5000}, headers=amina.headers)
    assert response.status_code == 422 and response.json()["code"] == "invalid_request"
    response = harness.client.get("/v1/pull", params={"cursor": -1}, headers=amina.headers)
    assert response.status_code == 422


def test_cursor_skips_past_changes_the_user_cannot_see(harness):
    amina, bilal = harness.member(), harness.member()
    bilal.push([bilal.submission(state="draft") for _ in range(5)])
    page = amina.pull(0)
    assert page["items"] == [] and not page["more"]
    assert page["next_cursor"] == harness.client.get("/healthz").json()["server_seq"]


def test_own_work_from_another_device_is_pulled(harness):
    laptop = harness.member(name="Amina")
    phone = harness.member(name="Amina")
    item = laptop.submission(state="draft")
    laptop.push([item])
    pulled = phone.pull_all()
    assert _ids(pulled) == [item["id"]]
    assert json.loads(pulled[0]["payload"])["user_id"] == laptop.user_id


def test_nobody_reads_another_annotators_drafts_or_work(harness):
    amina, bilal = harness.member(), harness.member()
    bilal.push([bilal.submission(state="draft"), bilal.submission(state="submitted")])
    assert amina.pull_all() == []


def test_decision_reaches_the_author_as_a_new_revision(harness):
    amina = harness.member()
    item = amina.submission()
    amina.push([item])
    cursor = amina.pull(0)["next_cursor"]
    decisions.decide(harness.engine, item["id"], "rejected", reason="off topic")
    page = amina.pull(cursor)
    assert _ids(page["items"]) == [item["id"]]
    payload = json.loads(page["items"][0]["payload"])
    assert payload["state"] == "rejected" and page["items"][0]["revision"] == 2


def test_tasks_are_pulled_for_the_users_languages_only(harness, tmp_path):
    path = tmp_path / "tasks.jsonl"
    path.write_text(
        json.dumps({"id": "t-urd", "kind": "original", "language_code": "urd_Arab"}) + "\n"
        + json.dumps({"id": "t-hin", "kind": "original", "language_code": "hin_Deva"}) + "\n",
        encoding="utf-8",
    )
    result = import_file(harness.engine, path, project_id="demo")
    assert (result.project_created, result.added) == (True, 2)
    again = import_file(harness.engine, path, project_id="demo")
    assert (again.added, again.unchanged) == (0, 2)
    amina = harness.member(languages=["urd_Arab"])
    from sync.server.work.distribution import serve_work

    assert serve_work(harness.engine, amina.device).leased == 1  # work reaches a user by lease
    pulled = amina.pull_all()
    assert _ids(pulled, "project") == ["demo"] and _ids(pulled, "task") == ["t-urd"]
    assert pulled[0]["entity"] == "project"  # the project before its tasks
    coordinator = harness.member("coordinator", languages=[])
    assert sorted(_ids(coordinator.pull_all(), "task")) == ["t-hin", "t-urd"]


def test_reviews_of_my_work_reach_me(harness):
    amina = harness.member()
    reviewer = harness.member("reviewer")
    item = amina.submission()
    amina.push([item])
    review = reviewer.review(item["id"])
    assert reviewer.push([review])["results"][0]["status"] == "created"
    assert _ids(amina.pull_all(), "review") == [review["id"]]


def test_assigned_peer_submission_is_pulled_even_after_the_cursor_passed_it(harness):
    amina, bilal = harness.member(), harness.member()
    item = bilal.submission()
    bilal.push([item])
    cursor = amina.pull(0)["next_cursor"]
    decisions.assign_review(harness.engine, item["id"], amina.user_id)
    page = amina.pull(cursor)
    assert _ids(page["items"]) == [item["id"]]
    assert json.loads(page["items"][0]["payload"])["user_id"] == bilal.user_id


def test_an_assigned_item_its_author_deleted_is_no_longer_pulled_by_the_assignee(harness):
    amina, bilal = harness.member(), harness.member()
    item, own = bilal.submission(), amina.submission()
    bilal.push([item])
    amina.push([own])
    decisions.assign_review(harness.engine, item["id"], amina.user_id)
    assert _ids(amina.pull_all(), "submission") == [item["id"]]
    assert statuses(bilal.push([bilal.delete(item["id"], base_revision=1)])) == ["created"]
    another_device = harness.member(name=amina.user.name)
    assert _ids(another_device.pull_all(), "submission") == [own["id"]]


def test_reviewer_sees_submitted_work_in_their_languages_not_drafts(harness):
    amina = harness.member(languages=["urd_Arab", "hin_Deva"])
    reviewer = harness.member("reviewer", languages=["urd_Arab"])
    submitted = amina.submission()
    amina.push([submitted, amina.submission(state="draft"),
                amina.submission(language="hin_Deva")])
    assert _ids(reviewer.pull_all()) == [submitted["id"]]


def test_a_reviewer_pulls_the_reviews_of_items_in_their_languages_only(harness):
    amina = harness.member(languages=["urd_Arab", "hin_Deva"])
    both = harness.member("reviewer", languages=["urd_Arab", "hin_Deva"])
    urdu_only = harness.member("reviewer", languages=["urd_Arab"])
    urdu, hindi = amina.submission(), amina.submission(language="hin_Deva")
    amina.push([urdu, hindi])
    of_urdu, of_hindi = both.review(urdu["id"]), both.review(hindi["id"])
    assert statuses(both.push([of_urdu, of_hindi])) == ["created"] * 2

    pulled = urdu_only.pull_all()
    assert _ids(pulled, "review") == [of_urdu["id"]]
    assert _ids(pulled, "submission") == [urdu["id"]]
    assert sorted(_ids(amina.pull_all(), "review")) == sorted(  # the author: every review of hers
        [of_urdu["id"], of_hindi["id"]])
    # Another annotator of the language reads none of them.
    assert _ids(harness.member(languages=["urd_Arab"]).pull_all(), "review") == []


def test_pull_records_the_devices_cursor(harness):
    laptop = harness.member()
    laptop.push([laptop.submission()])
    amina = harness.member(name=laptop.user.name)
    page = amina.pull(0)
    amina.pull(page["next_cursor"])
    device = users.load_device(harness.engine, amina.device_id)
    assert pending_changes(harness.engine, device, page["next_cursor"]) == 0
    assert pending_changes(harness.engine, device, 0) == 1
