"""Push: created, duplicate, conflict, rejected; one transaction; tombstones; high-water."""

import json

import pytest
import sqlalchemy as sa

from sync import protocol
from sync.protocol import PushBatch
from sync.server import tables
from sync.server.exchange.push import apply_push
from sync.server.work import decisions
from tests.server.helpers import statuses


def _count(harness, table) -> int:
    with harness.engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(table)).scalar()


def test_new_records_are_created_at_revision_1(harness):
    amina = harness.member()
    result = amina.push([amina.submission(), amina.submission()])
    assert statuses(result) == ["created", "created"]
    assert [r["revision"] for r in result["results"]] == [1, 1]
    assert result["high_water"] == 2


def test_same_batch_twice_is_a_duplicate_and_changes_nothing(harness):
    amina = harness.member()
    batch = amina.batch([amina.submission(), amina.submission(), amina.submission()])
    first = harness.client.post("/v1/push", json=batch, headers=amina.headers).json()
    seq_after_first = harness.client.get("/healthz").json()["server_seq"]
    second = harness.client.post("/v1/push", json=batch, headers=amina.headers).json()
    assert statuses(first) == ["created"] * 3
    assert statuses(second) == ["duplicate"] * 3
    # the revision is repeated so a device that lost the first reply still learns it
    assert [r["revision"] for r in second["results"]] == [1, 1, 1]
    assert second["high_water"] == first["high_water"] == 3
    assert harness.client.get("/healthz").json()["server_seq"] == seq_after_first
    assert _count(harness, tables.submissions) == 3


def test_edit_based_on_current_revision_moves_the_record_on(harness):
    amina = harness.member()
    item = amina.submission(state="draft")
    amina.push([item])
    record = json.loads(item["payload"])
    edit = amina.item("submission", {**record, "targets": "نیا جواب"}, base_revision=1)
    result = amina.push([edit])
    assert statuses(result) == ["created"] and result["results"][0]["revision"] == 2


def test_unchanged_content_is_not_a_new_revision(harness):
    amina = harness.member()
    item = amina.submission()
    amina.push([item])
    record = json.loads(item["payload"])
    again = amina.item("submission", {**record, "updated_at": "later"}, base_revision=None)
    result = amina.push([again])
    assert statuses(result) == ["created"] and result["results"][0]["revision"] == 1


def test_edit_from_an_old_revision_conflicts_and_overwrites_nothing(harness):
    amina = harness.member(name="Amina")
    laptop = amina
    phone = harness.member(name="Amina")  # a second device of the same user
    item = laptop.submission(state="draft", targets="پہلا")
    laptop.push([item])
    record = json.loads(item["payload"])
    laptop.push([laptop.item("submission", {**record, "targets": "دوسرا"}, base_revision=1)])
    stale = phone.item("submission", {**record, "targets": "تیسرا"}, base_revision=1)
    result = phone.push([stale])["results"][0]
    assert result["status"] == "conflict"
    assert result["server_revision"] == 2
    assert json.loads(result["server_payload"])["targets"] == "دوسرا"
    with harness.engine.connect() as conn:
        payload = conn.execute(sa.select(tables.submissions.c.payload)).scalar()
    assert json.loads(payload)["targets"] == "دوسرا"
    # a conflict is not recorded as applied: sending it again is judged again
    assert phone.push([stale])["results"][0]["status"] == "conflict"


def test_decision_then_edit_on_old_revision_conflicts(harness):
    amina = harness.member()
    item = amina.submission()
    amina.push([item])
    assert decisions.decide(harness.engine, item["id"], "accepted") == 2
    record = json.loads(item["payload"])
    edit = amina.item("submission", {**record, "targets": "بدلا"}, base_revision=1)
    result = amina.push([edit])["results"][0]
    assert result["status"] == "conflict" and result["server_revision"] == 2
    assert json.loads(result["server_payload"])["state"] == "accepted"
    # based on the decision, an edit is refused: the decision is final
    final = amina.item("submission", {**record, "targets": "بدلا", "state": "accepted"},
                       base_revision=2)
    result = amina.push([final])["results"][0]
    assert result["status"] == "rejected" and "final" in result["reason"]


def test_device_cannot_accept_its_own_work(harness):
    amina = harness.member()
    result = amina.push([amina.submission(state="accepted")])["results"][0]
    assert result["status"] == "rejected" and result["reason"].startswith("state:")


def test_a_wrong_state_is_answered_with_every_state_a_record_may_have(harness):
    # The answer said "must be draft or submitted" while the check accepts the four states: a
    # device sends an item back in the state a reviewer gave it.
    amina = harness.member()
    result = amina.push([amina.submission(state="published")])["results"][0]
    assert result["reason"] == ("state: must be one of draft, submitted, accepted, rejected "
                                "(got 'published').")


def test_poison_item_among_200_good_ones_fails_only_itself(harness):
    amina = harness.member()
    items = [amina.submission() for _ in range(200)]
    poison = amina.submission(language="xx_Nope")
    items.insert(100, poison)
    result = amina.push(items)
    by_status = [r["status"] for r in result["results"]]
    assert by_status.count("created") == 200
    assert by_status[100] == "rejected"
    assert result["results"][100]["reason"].startswith("language:")
    assert _count(harness, tables.submissions) == 200
    assert result["high_water"] == 201


def test_reused_sequence_number_with_other_content_is_rejected(harness):
    amina = harness.member()
    first = amina.submission()
    amina.push([first])
    reuse = amina.submission(targets="something else")
    reuse["seq"] = first["seq"]
    result = amina.push([reuse])["results"][0]
    assert result["status"] == "rejected" and "reused" in result["reason"]
    assert _count(harness, tables.submissions) == 1


def test_rejected_item_stays_rejected_when_sent_again(harness):
    amina = harness.member()
    bad = amina.submission(kind="nonsense")
    first = amina.push([bad])["results"][0]
    again = amina.push([bad])["results"][0]
    assert first["status"] == again["status"] == "rejected"
    assert again["reason"] == first["reason"]


@pytest.mark.parametrize(("change", "field"), [
    ({"kind": "poem"}, "kind:"),
    ({"language": "urd"}, "language:"),
    ({"language": "hin_Deva"}, "language:"),     # not one of the user's languages
    ({"inputs": None}, "inputs:"),
    ({"targets": 5}, "targets:"),
    ({"targets": "a\x00b"}, "targets:"),
    ({"state": "published"}, "state:"),
    ({"task_id": 3}, "task_id:"),
    ({"task_id": "t" * 65}, "task_id:"),             # would not fit its column
    ({"project_id": "p" * 300}, "project_id:"),
    ({"extra": [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["deep"]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]},
     "payload:"),
    ({"id": "someone-else"}, "id:"),
])
def test_invalid_submission_is_rejected_naming_the_field(harness, change, field):
    amina = harness.member()
    item = amina.submission()
    record = {**json.loads(item["payload"]), **change}
    bad = amina.item("submission", record)
    bad["id"] = item["id"]
    result = amina.push([bad])["results"][0]
    assert result["status"] == "rejected"
    assert result["reason"].startswith(field), result["reason"]


@pytest.mark.parametrize(("mutate", "field"), [
    (lambda item: item.update(hash="0" * 64), "hash:"),
    (lambda item: item.update(payload="not json", hash=protocol.payload_hash("not json")),
     "payload:"),
    (lambda item: item.update(payload="[1]", hash=protocol.payload_hash("[1]")), "payload:"),
    (lambda item: item.update(seq=2**63), "seq:"),
    (lambda item: item.update(base_revision=2**40), "base_revision:"),
    (lambda item: item.update(payload="[" * 100_000, hash=protocol.payload_hash("[" * 100_000)),
     "payload:"),
])
def test_malformed_items_are_rejected(harness, mutate, field):
    amina = harness.member()
    item = amina.submission()
    mutate(item)
    result = amina.push([item, amina.submission()])
    assert statuses(result) == ["rejected", "created"]
    assert result["results"][0]["reason"].startswith(field)


def test_discarded_draft_becomes_a_tombstone_with_a_new_revision(harness):
    amina = harness.member()
    item = amina.submission(state="draft")
    amina.push([item])
    result = amina.push([amina.delete(item["id"], base_revision=1)])["results"][0]
    assert result["status"] == "created" and result["revision"] == 2
    with harness.engine.connect() as conn:
        row = conn.execute(sa.select(tables.submissions)).one()
    assert row.deleted and row.revision == 2
    phone = harness.member(name=amina.user.name)
    pulled = [p for p in phone.pull_all() if p["id"] == item["id"]]
    assert len(pulled) == 1 and pulled[0]["deleted"] and pulled[0]["revision"] == 2


def test_delete_of_a_never_pushed_draft_leaves_a_tombstone(harness):
    amina = harness.member()
    result = amina.push([amina.delete("never-seen")])["results"][0]
    assert result["status"] == "created"
    assert _count(harness, tables.submissions) == 1


def test_batch_for_another_device_is_forbidden(harness):
    amina, bilal = harness.member(), harness.member()
    batch = amina.batch([amina.submission()])
    response = harness.client.post("/v1/push", json=batch, headers=bilal.headers)
    assert response.status_code == 403 and response.json()["code"] == "forbidden"


def test_engine_function_is_the_same_path_as_http(harness):
    """Offline bundles call apply_push directly: a bundle imported twice changes nothing."""
    amina = harness.member()
    batch = PushBatch.model_validate(amina.batch([amina.submission(), amina.submission()]))
    first = apply_push(harness.engine, amina.device, batch)
    second = apply_push(harness.engine, amina.device, batch)
    http = harness.client.post("/v1/push", json=batch.model_dump(), headers=amina.headers)
    assert [r.status for r in first.results] == ["created", "created"]
    assert [r.status for r in second.results] == ["duplicate", "duplicate"]
    assert statuses(http.json()) == ["duplicate", "duplicate"]


def test_high_water_is_remembered_per_device(harness):
    amina = harness.member()
    amina.push([amina.submission(), amina.submission()])
    amina.seq = 10
    result = amina.push([amina.submission()])
    assert result["high_water"] == 11
    with harness.engine.connect() as conn:
        high = conn.execute(sa.select(tables.devices.c.high_water)).scalar()
    assert high == 11


def test_review_of_an_overlong_submission_id_is_rejected_not_a_crash(harness):
    reviewer = harness.member("reviewer")
    result = reviewer.push([reviewer.review("s" * 100), reviewer.review("s" * 10)])
    assert statuses(result) == ["rejected", "rejected"]
    assert result["results"][0]["reason"].startswith("submission_id:")


def test_concurrent_edits_of_one_record_from_two_devices_one_wins(harness):
    import threading

    from tests.server.helpers import LiveServer

    laptop, phone = harness.member(name="Amina"), harness.member(name="Amina")
    item = laptop.submission(state="draft")
    laptop.push([item])
    record = json.loads(item["payload"])
    edits = [member.item("submission", {**record, "targets": f"from {n}"}, base_revision=1)
             for n, member in enumerate((laptop, phone))]
    answers = {}
    barrier = threading.Barrier(2)

    def push(member, edit):
        import httpx

        with httpx.Client(base_url=live.url, timeout=60) as client:
            barrier.wait()
            answers[member.device_id] = client.post(
                "/v1/push", json=member.batch([edit]), headers=member.headers).json()

    with LiveServer(harness.app) as live:
        threads = [threading.Thread(target=push, args=(m, e))
                   for m, e in zip((laptop, phone), edits, strict=True)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    outcomes = sorted(statuses(answer)[0] for answer in answers.values())
    assert outcomes == ["conflict", "created"]


def _statements(engine, work) -> int:
    """How many SQL statements ``work()`` sends to the database."""
    count = 0

    def counted(*_args):
        nonlocal count
        count += 1

    sa.event.listen(engine, "before_cursor_execute", counted)
    try:
        work()
    finally:
        sa.event.remove(engine, "before_cursor_execute", counted)
    return count


def test_a_push_sends_as_many_statements_for_fifty_items_as_for_five(harness):
    """One query per kind of work per batch, not per item: reviews by an annotator asked to
    review (assignment look-up, review reasons), edits of handed-in items (review tasks
    changed) and new items all cost a fixed number of statements, whatever the batch size."""
    author = harness.member("annotator")
    peer = harness.member("annotator")

    def history(n: int) -> tuple[int, int]:
        items = [author.submission(inputs=f"سوال {i}") for i in range(n)]
        author.push(items)
        ids = [json.loads(item["payload"])["id"] for item in items]
        for submission_id in ids:
            decisions.assign_review(harness.engine, submission_id, peer.user_id)
        edits = [author.submission(id=submission_id, inputs=f"نیا سوال {i}",
                                   base_revision=1) for i, submission_id in enumerate(ids)]
        reviews = [peer.review(submission_id) for submission_id in ids]
        return applied(author, edits, "created"), applied(peer, reviews, "created")

    def applied(member, items, status) -> int:
        # apply_push itself: the HTTP path adds sign-in's own statements (last_seen, now and
        # then), which depend on the clock, not on the batch
        batch, device = PushBatch.model_validate(member.batch(items)), member.device
        answers = []
        count = _statements(harness.engine, lambda: answers.extend(
            apply_push(harness.engine, device, batch).results))
        assert {answer.status for answer in answers} == {status}
        return count

    assert history(5) == history(50)


def test_protocol_2_answers_leave_out_the_ids_of_created_and_duplicate_items(harness):
    # The answer is encoded once from the result as built (sync.server.api.exchange.answer):
    # a newer client matches created and duplicate answers by seq, so their ids are left
    # out; a rejection or a conflict still names its record, and protocol 1 gets every id.
    amina = harness.member()
    first = amina.submission(targets="پہلا")
    amina.push([first])
    amina.protocol = 2
    stale = amina.item("submission", {**json.loads(first["payload"]), "targets": "دوسرا"},
                       base_revision=0)
    bad = amina.submission(state="accepted")
    fresh = amina.submission()
    answer = amina.push([first, stale, bad, fresh])["results"]
    assert [(r["status"], "id" in r) for r in answer] == [
        ("duplicate", False), ("conflict", True), ("rejected", True), ("created", False)]
    assert answer[1]["id"] == stale["id"] and answer[2]["id"] == bad["id"]
    assert all(None not in r.values() for r in answer)  # null fields are left out
    amina.protocol = 1
    again = amina.push([first, fresh])["results"]
    assert [(r["status"], r["id"]) for r in again] == [("duplicate", first["id"]),
                                                        ("duplicate", fresh["id"])]


def test_an_escaped_lone_surrogate_in_one_payload_rejects_that_item_only(harness):
    # The body is read by pydantic-core first, which refuses the escape; Python's JSON takes
    # it, and then it is one item's problem, as before (sync.server.api.exchange.pushed_batch).
    amina = harness.member()
    broken = {**amina.submission(), "payload": '{"id": "x", "inputs": "\ud800"}',
              "hash": "0" * 64}
    body = json.dumps(amina.batch([broken, amina.submission()]))  # the surrogate escaped
    assert "\\ud800" in body
    response = harness.client.post("/v1/push", content=body, headers={
        **amina.headers, "content-type": "application/json"})
    result = response.json()
    assert statuses(result) == ["rejected", "created"]
    assert result["results"][0]["reason"].startswith("payload: contains a broken")


@pytest.mark.parametrize(("body", "content_type", "where"), [
    (b'{"device_id": ', "application/json", "body.14"),
    (b"", "application/json", "body"),
    (b'{"device_id": "d", "batch_id": "b", "items": []}', "text/plain", "body"),
    (b'{"device_id": "d", "batch_id": "b", "items": [{"seq": 0}]}', "application/json",
     "body.items.0.seq"),
    (b"[" * 5000 + b"]" * 5000, "application/json", "body"),
])
def test_a_body_that_is_no_batch_is_refused_naming_where(harness, body, content_type, where):
    amina = harness.member()
    response = harness.client.post("/v1/push", content=body, headers={
        **amina.headers, "content-type": content_type})
    assert response.status_code == 422, response.text
    error = response.json()
    assert error["code"] == "invalid_request"
    assert error["message"].startswith(f"The request is not valid: {where}:"), error["message"]


def test_the_push_body_is_described_in_openapi(harness):
    # The body is decoded by the endpoint's own dependency; its schema is still published,
    # whole (no reference to a definition the document does not hold).
    operation = harness.client.get("/openapi.json").json()["paths"]["/v1/push"]["post"]
    schema = operation["requestBody"]["content"]["application/json"]["schema"]
    assert operation["requestBody"]["required"] is True
    assert set(schema["required"]) == {"device_id", "batch_id", "items"}
    item = schema["properties"]["items"]["items"]
    assert {"seq", "entity", "id", "op", "hash", "payload"} <= set(item["required"])
    assert "$ref" not in json.dumps(schema)


@pytest.mark.parametrize("text", [
    '{"a": 1, "a": 2, "b": [1, 2.5, -0.0, 1e-7, 123456789012345678901234567890]}',
    '{"hter": NaN, "seconds_spent": Infinity}', '{"hter": 1e400}', '{"inputs": "\\ud800"}',
    '{"inputs": "\\u0000"}', "[" * 40 + "]" * 40, "[" * 5000 + "]" * 5000,
    '{"x": 1.7976931348623157e308, "y": 5e-324, "z": 0.1}', ' {"a" : "b"} ', "nul",
    '{"a": 1}x', '{"inputs": "سوال", "targets": "जवाब"}',
])
def test_a_payload_is_read_exactly_as_json_loads_reads_it(text):
    # check_item reads payloads with msgspec first (jsontext.loads): the same value, or
    # the same error, as json.loads
    from sync.server import jsontext

    def outcome(read):
        try:
            return "value", repr(read())
        except RecursionError:
            return "too deep", None
        except ValueError as exc:
            return "error", str(exc)

    assert outcome(lambda: jsontext.loads(text.encode("utf-8", "surrogatepass"))) \
        == outcome(lambda: json.loads(text))


def test_the_collector_is_paused_while_a_batch_is_applied_and_given_back(harness, monkeypatch):
    # A batch's objects make no reference cycles; the cyclic collector walked them again at
    # every collection. It is off while a batch is checked and written, on again after,
    # whether the push ends well or not.
    import gc

    from sync.server.exchange import push as push_module

    amina = harness.member()
    seen = []
    original = push_module._push

    def watched(*args):
        seen.append(gc.isenabled())
        return original(*args)

    monkeypatch.setattr(push_module, "_push", watched)
    assert gc.isenabled()
    assert statuses(amina.push([amina.submission()])) == ["created"]
    assert seen == [False] and gc.isenabled()

    def failing(*args):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(push_module, "_push", failing)
    with pytest.raises(RuntimeError):
        apply_push(harness.engine, amina.device, PushBatch.model_validate(
            amina.batch([amina.submission()])))
    assert gc.isenabled()
