from tests.server.helpers import statuses


def test_push_then_pull(harness):
    amina = harness.member()
    item = amina.submission()
    assert statuses(amina.push([item])) == ["created"]
    assert amina.pull_all() == []  # the pushing device is not sent its own write back
    phone = harness.member(name=amina.user.name)  # another device of the same user
    pulled = phone.pull_all()
    assert [p["id"] for p in pulled] == [item["id"]]
