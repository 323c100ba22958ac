"""Digest and ids: do both ends hold the same records?"""

import json

from sync import protocol


def _digest(member, held: dict[str, int], cursor: int = 0):
    body = {"count": len(held), "digest": protocol.record_digest(held.items()),
            "cursor": cursor}
    response = member.harness.client.post("/v1/digest", json=body, headers=member.headers)
    assert response.status_code == 200, response.text
    return response.json()


def _ids(member, held: dict[str, int]):
    response = member.harness.client.post("/v1/ids", json={"ids": held}, headers=member.headers)
    assert response.status_code == 200, response.text
    return response.json()


def _pushed(member, n=3) -> dict[str, int]:
    items = [member.submission() for _ in range(n)]
    result = member.push(items)
    return {r["id"]: r["revision"] for r in result["results"]}


def test_digest_matches_when_both_hold_the_same(harness):
    amina = harness.member()
    held = _pushed(amina)
    cursor = amina.pull(0)["next_cursor"]
    result = _digest(amina, held, cursor)
    assert result["match"] and not result["server_behind"]
    assert result["server_count"] == 3 and result["server_cursor"] == cursor


def test_digest_mismatch_and_ids_say_who_needs_what(harness):
    amina = harness.member()
    held = _pushed(amina, 3)
    first, second, third = list(held)
    phone = harness.member(name=amina.user.name)
    record = json.loads(phone.pull_all()[0]["payload"])
    amina.push([amina.item("submission", {**record, "targets": "نیا"}, base_revision=1)])
    device = {first: 1, second: 1, "only-on-device": 1}  # third unknown to the device
    result = _digest(amina, device)
    assert not result["match"] and result["server_count"] == 3
    repair = _ids(amina, device)
    assert repair["missing_on_server"] == ["only-on-device"]
    assert sorted(repair["stale_on_device"]) == sorted([first, third])


def test_device_ahead_of_the_server_says_server_behind(harness):
    amina = harness.member()
    held = _pushed(amina, 1)
    result = _digest(amina, held, cursor=10_000)
    assert result["server_behind"] and result["server_cursor"] < 10_000


def test_newer_revision_on_device_is_missing_on_server(harness):
    amina = harness.member()
    held = _pushed(amina, 1)
    (record_id,) = held
    assert _ids(amina, {record_id: 5})["missing_on_server"] == [record_id]


def test_another_users_records_are_neither_missing_nor_stale(harness):
    amina, bilal = harness.member(), harness.member()
    theirs = _pushed(bilal, 1)
    assert _ids(amina, theirs) == {"missing_on_server": [], "stale_on_device": []}
    assert _digest(amina, {})["match"]


# --- an open conflict ------------------------------------------------------------------------


def _device(harness, tmp_path, name: str, code: str):
    """The real sync client on a store, talking to the in-process server; every request it
    makes is counted by path, with its body and answer sizes."""
    from app import syncstate
    from app.store import Store
    from sync.client import SyncClient

    store = Store.open(tmp_path / f"{name}.db")
    requests: list[tuple[str, int]] = []

    def count(response):
        response.read()
        requests.append((response.request.url.path,
                         len(response.request.content) + len(response.content)))

    http = harness.client
    http.event_hooks = {"request": [], "response": [count]}
    client = SyncClient("http://testserver", http=http, sleep=lambda _: None)
    result = client.enroll(code=code, device_id=store.device_id)
    syncstate.set_meta(store, "user_id", result.user_id)
    client.token = result.token
    return store, client, requests


def _open_conflict(harness, tmp_path, records: int):
    """A device whose edit of one of its ``records`` items met a coordinator's decision: one
    open conflict. Returns (store, client, requests)."""
    from app import syncstate
    from sync.server.work import decisions

    _, code, _ = harness.invite(name=f"amina-{records}")
    store, client, requests = _device(harness, tmp_path, f"laptop-{records}", code)
    ids = []
    for n in range(records):
        draft = store.new_submission(language="urd_Arab", inputs=f"سوال {n}", targets="جواب")
        store.submit(draft.id)
        ids.append(draft.id)
    assert client.sync(lambda job: job(store)).complete
    decisions.decide(harness.engine, ids[0], "rejected")
    store.reopen(ids[0])  # offline, she edits the item the coordinator just decided
    store.save_draft(ids[0], inputs="بہتر سوال", targets="بہتر جواب")
    report = client.sync(lambda job: job(store))
    assert report.conflicts == 1 and len(syncstate.open_conflicts(store)) == 1
    return store, client, requests


def test_an_open_conflict_does_not_cost_a_repair_on_every_sync(harness, tmp_path):
    """With one conflict open, a later sync agrees on the digest: no ids sent, nothing pulled
    again, and its bytes do not grow with the records the device holds (issue 11: 33 KB per
    sync for 2,050 records)."""
    sizes = {}
    for records in (5, 80):
        store, client, requests = _open_conflict(harness, tmp_path, records)
        try:
            requests.clear()
            again = client.sync(lambda job, store=store: job(store))
        finally:
            store.close()
        paths = [path for path, _ in requests]
        assert "/v1/ids" not in paths, paths
        assert again.resent == 0 and again.pulled == 0
        # The leaderboard's size depends on everyone's work, not on this device's records.
        sizes[records] = sum(size for path, size in requests if path != "/v1/leaderboard")
    assert sizes[80] <= sizes[5] + 50, sizes  # a few digits more at most


def test_ids_outside_a_model_are_checked_as_the_id_field_checks_them():
    # The server checks ids in /v1/ids, task files and project names with ID_PATTERN; it was
    # written out a second time in sync/server/engine.py, free to drift from protocol.Id.
    import pydantic

    field = pydantic.TypeAdapter(protocol.Id)
    samples = ["a", "A-1_b.c:d", "x" * 64, "x" * 65, "", "a b", "é", "a\n", "a/b", "review:s1"]
    for sample in samples:
        try:
            field.validate_python(sample)
            valid = True
        except pydantic.ValidationError:
            valid = False
        assert bool(protocol.ID_PATTERN.fullmatch(sample)) == valid, sample
