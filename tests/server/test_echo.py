"""A device is not sent back its own writes; everyone else (and server-side changes) still flows.

Also the set-wise push: an id twice in one batch, and answers without null fields.
"""

import json

from sync.protocol import PushResult
from sync.server.work import decisions
from tests.server.helpers import statuses


def _ids(items):
    return [i["id"] for i in items]


def test_own_writes_are_not_echoed_but_reach_the_users_other_devices(harness):
    laptop = harness.member(name="Amina")
    phone = harness.member(name="Amina")
    items = [laptop.submission() for _ in range(3)]
    assert statuses(laptop.push(items)) == ["created"] * 3
    page = laptop.pull(0)
    assert page["items"] == [] and not page["more"]
    assert page["next_cursor"] == harness.client.get("/healthz").json()["server_seq"]
    assert _ids(phone.pull_all()) == [i["id"] for i in items]
    # the phone edits one: the laptop gets that change, the phone does not get it back
    record = json.loads(items[0]["payload"])
    edit = phone.item("submission", {**record, "targets": "نیا"}, base_revision=1)
    assert phone.push([edit])["results"][0]["revision"] == 2
    pulled = laptop.pull(page["next_cursor"])["items"]
    assert _ids(pulled) == [record["id"]] and pulled[0]["revision"] == 2
    assert phone.pull(page["next_cursor"])["items"] == []


def test_a_coordinators_decision_reaches_the_authors_device(harness):
    amina = harness.member()
    item = amina.submission()
    amina.push([item])
    cursor = amina.pull(0)["next_cursor"]
    assert decisions.decide(harness.engine, item["id"], "accepted") == 2
    page = amina.pull(cursor)
    assert _ids(page["items"]) == [item["id"]]
    assert json.loads(page["items"][0]["payload"])["state"] == "accepted"
    assert page["items"][0]["revision"] == 2


def test_own_reviews_are_not_echoed_but_reach_the_author(harness):
    amina = harness.member()
    reviewer = harness.member("reviewer")
    item = amina.submission()
    amina.push([item])
    review = reviewer.review(item["id"])
    reviewer.push([review])
    assert [i for i in reviewer.pull_all() if i["entity"] == "review"] == []
    assert [i["id"] for i in amina.pull_all() if i["entity"] == "review"] == [review["id"]]


def test_repair_pulls_the_devices_own_writes_again(harness):
    """A device that lost records it pushed (restored from a backup) gets them back."""
    amina = harness.member()
    items = [amina.submission() for _ in range(2)]
    amina.push(items)
    lost = items[1]["id"]
    response = harness.client.post("/v1/ids", json={"ids": {items[0]["id"]: 1}},
                                   headers=amina.headers)
    assert response.json()["stale_on_device"] == [lost]
    assert _ids(amina.pull_all()) == [lost]


def test_same_id_twice_in_one_batch_is_judged_in_order(harness):
    amina = harness.member()
    phone = harness.member(name=amina.user.name)
    first = amina.submission(state="draft", targets="پہلا")
    record = json.loads(first["payload"])
    second = amina.item("submission", {**record, "targets": "دوسرا"}, base_revision=1)
    stale = amina.item("submission", {**record, "targets": "تیسرا"}, base_revision=1)
    result = amina.push([first, second, stale])
    assert statuses(result) == ["created", "created", "conflict"]
    assert [r.get("revision") for r in result["results"]] == [1, 2, None]
    assert json.loads(result["results"][2]["server_payload"])["targets"] == "دوسرا"
    assert result["results"][2]["server_revision"] == 2
    pulled = phone.pull_all()
    assert _ids(pulled) == [record["id"]] and pulled[0]["revision"] == 2
    assert json.loads(pulled[0]["payload"])["targets"] == "دوسرا"
    # create, edit and delete of an existing record in one batch; then a new one deleted
    edit = amina.item("submission", {**record, "targets": "چوتھا"}, base_revision=2)
    gone = amina.delete(record["id"], base_revision=3)
    fresh = amina.submission(state="draft")
    fresh_gone = amina.delete(json.loads(fresh["payload"])["id"], base_revision=1)
    result = amina.push([edit, gone, fresh, fresh_gone])
    assert statuses(result) == ["created"] * 4
    assert [r["revision"] for r in result["results"]] == [3, 4, 1, 2]
    pulled = {i["id"]: i for i in phone.pull_all()}
    assert pulled[record["id"]]["deleted"] and pulled[record["id"]]["revision"] == 4
    assert pulled[fresh["id"]]["deleted"] and pulled[fresh["id"]]["revision"] == 2


def test_review_of_a_submission_pushed_earlier_in_the_same_batch(harness):
    coordinator = harness.member("coordinator")
    amina = harness.member()
    theirs = amina.submission()
    amina.push([theirs])
    own = coordinator.submission()
    result = coordinator.push([own, coordinator.review(own["id"]),
                               coordinator.review(theirs["id"])])
    assert statuses(result) == ["created", "rejected", "created"]
    assert "own work" in result["results"][1]["reason"]


def test_push_answers_leave_out_null_fields(harness):
    amina = harness.member()
    response = harness.client.post("/v1/push", json=amina.batch([amina.submission()]),
                                   headers=amina.headers)
    (answer,) = response.json()["results"]
    assert set(answer) == {"seq", "id", "status", "revision"}
    parsed = PushResult.model_validate_json(response.content)
    assert parsed.results[0].reason is None and parsed.results[0].server_payload is None
