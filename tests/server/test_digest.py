"""Digest and ids: do both ends hold the same records?"""

import json

from sync import protocol


def _digest(member, held: dict[str, int], cursor: int = 0):
    body = {"count": len(held), "digest": protocol.record_digest(held.items()),
            "cursor": cursor}
    response = member.server.client.post("/v1/digest", json=body, headers=member.headers)
    assert response.status_code == 200, response.text
    return response.json()


def _ids(member, held: dict[str, int]):
    response = member.server.client.post("/v1/ids", json={"ids": held}, headers=member.headers)
    assert response.status_code == 200, response.text
    return response.json()


def _pushed(member, n=3) -> dict[str, int]:
    items = [member.submission() for _ in range(n)]
    result = member.push(items)
    return {r["id"]: r["revision"] for r in result["results"]}


def test_digest_matches_when_both_hold_the_same(server):
    amina = server.member()
    held = _pushed(amina)
    cursor = amina.pull(0)["next_cursor"]
    result = _digest(amina, held, cursor)
    assert result["match"] and not result["server_behind"]
    assert result["server_count"] == 3 and result["server_cursor"] == cursor


def test_digest_mismatch_and_ids_say_who_needs_what(server):
    amina = server.member()
    held = _pushed(amina, 3)
    first, second, third = list(held)
    phone = server.member(name=amina.user.name)
    record = json.loads(phone.pull_all()[0]["payload"])
    amina.push([amina.item("submission", {**record, "targets": "نیا"}, base_revision=1)])
    device = {first: 1, second: 1, "only-on-device": 1}  # third unknown to the device
    result = _digest(amina, device)
    assert not result["match"] and result["server_count"] == 3
    repair = _ids(amina, device)
    assert repair["missing_on_server"] == ["only-on-device"]
    assert sorted(repair["stale_on_device"]) == sorted([first, third])


def test_device_ahead_of_the_server_says_server_behind(server):
    amina = server.member()
    held = _pushed(amina, 1)
    result = _digest(amina, held, cursor=10_000)
    assert result["server_behind"] and result["server_cursor"] < 10_000


def test_newer_revision_on_device_is_missing_on_server(server):
    amina = server.member()
    held = _pushed(amina, 1)
    (record_id,) = held
    assert _ids(amina, {record_id: 5})["missing_on_server"] == [record_id]


def test_another_users_records_are_neither_missing_nor_stale(server):
    amina, bilal = server.member(), server.member()
    theirs = _pushed(bilal, 1)
    assert _ids(amina, theirs) == {"missing_on_server": [], "stale_on_device": []}
    assert _digest(amina, {})["match"]
