from tests.server.helpers import statuses


def test_push_then_pull(server):
    amina = server.member()
    item = amina.submission()
    assert statuses(amina.push([item])) == ["created"]
    pulled = amina.pull_all()
    assert [p["id"] for p in pulled] == [item["id"]]
