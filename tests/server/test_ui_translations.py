"""Translations of the interface on the server (issue 16): who may suggest and vote, what a
hostile device sends, status from the votes, and the catalog devices pull."""

from __future__ import annotations

import json

import pytest

from app.ids import new_id
from sync import protocol
from sync.server.translation import catalogs, suggestions
from tests.server.helpers import statuses

HAUSA = "hau_Latn"


def _headers(member, version=protocol.PROTOCOL_VERSION):
    return {**member.headers, protocol.PROTOCOL_HEADER: str(version)}


def _push(member, items, version=protocol.PROTOCOL_VERSION):
    response = member.harness.client.post("/v1/push", json=member.batch(items),
                                          headers=_headers(member, version))
    assert response.status_code == 200, response.text
    return response.json()


def _pull(member, version=protocol.PROTOCOL_VERSION):
    items, cursor = [], 0
    while True:
        response = member.harness.client.get("/v1/pull", params={"cursor": cursor},
                                             headers=_headers(member, version))
        assert response.status_code == 200, response.text
        page = response.json()
        items += page["items"]
        cursor = page["next_cursor"]
        if not page["more"]:
            return items


def suggestion(member, msgid="&File", msgstr=("&Fayil",), *, language=HAUSA, id=None,
               context=None, msgid_plural=None, base_revision=None):
    record = {"id": id or new_id(), "language": language, "context": context, "msgid": msgid,
              "msgid_plural": msgid_plural, "msgstr": list(msgstr), "comment": None}
    return member.item("ui_translation", record, base_revision=base_revision)


def vote(member, translation_id, verdict="accept", reason=None, revision=1, id=None):
    record = {"id": id or new_id(), "translation_id": translation_id, "verdict": verdict,
              "reason": reason, "revision": revision}
    return member.item("ui_vote", record)


@pytest.fixture
def hausa(harness):
    return (harness.member(languages=[HAUSA], name="amina"),
            harness.member(languages=[HAUSA], name="bala"))


def test_an_accepted_suggestion_reaches_every_device_in_the_catalog(harness, hausa):
    amina, bala = hausa
    item = suggestion(amina)
    assert statuses(_push(amina, [item])) == ["created"]
    seen = [i for i in _pull(bala) if i["entity"] == "ui_translation"]
    assert [json.loads(i["payload"])["status"] for i in seen] == ["pending"]
    assert statuses(_push(bala, [vote(bala, item["id"])])) == ["created"]

    urdu = harness.member(languages=["urd_Arab"])  # anyone may speak any interface
    pulled = {i["entity"]: i for i in _pull(urdu)}
    assert "ui_translation" not in pulled  # not their language: nothing to review
    catalog = json.loads(pulled["ui_catalog"]["payload"])
    assert (catalog["language"], catalog["locale"], catalog["direction"]) == (HAUSA, "ha", "ltr")
    assert catalog["messages"] == [{"context": None, "msgid": "&File", "msgid_plural": None,
                                    "msgstr": ["&Fayil"]}]
    assert catalog["translators"] == ["amina"]
    mine = [json.loads(i["payload"]) for i in _pull(amina) if i["entity"] == "ui_translation"]
    assert [(m["status"], m["votes"][0]["by"]) for m in mine] == [("accepted", "bala")]


def test_nobody_reviews_their_own_and_only_speakers_review(harness, hausa):
    amina, bala = hausa
    item = suggestion(amina)
    _push(amina, [item])
    urdu = harness.member(languages=["urd_Arab"])
    answer = _push(amina, [vote(amina, item["id"])])
    assert "nobody reviews their own" in answer["results"][0]["reason"]
    answer = _push(urdu, [vote(urdu, item["id"])])
    assert "not one of your languages" in answer["results"][0]["reason"]
    answer = _push(bala, [vote(bala, item["id"], "reject")])
    assert "needs a reason" in answer["results"][0]["reason"]
    assert _status(harness, item["id"]) == "pending"


def test_a_hostile_device_is_refused_before_anything_is_stored(harness, hausa):
    amina, _bala = hausa
    urdu = harness.member(languages=["urd_Arab"])
    bad = [
        suggestion(amina, "Saved {n}", ["An ajiye {m}"]),          # placeholder changed
        suggestion(amina, "&File", ["Fayil"]),                       # accelerator dropped
        suggestion(urdu),                                            # not their language
        suggestion(amina, "No such message in Qalam", ["Babu"]),    # not a message
        suggestion(amina, "&File", ["&" + "F" * 5000]),              # far too long
        suggestion(amina, "&File", ["&Fayil", "&Fayiloli"]),         # two forms for one
        suggestion(amina, language="xyz_Latn"),                      # no such language
    ]
    answer = _push(amina, bad[:2] + bad[3:])
    assert statuses(answer) == ["rejected"] * 6
    reasons = [r["reason"] for r in answer["results"]]
    assert "placeholders differ" in reasons[0] and "accelerator" in reasons[1]
    assert "not a message" in reasons[2] and "too long" in reasons[3]
    assert "needs 1 plural forms" in reasons[4] and "xyz_Latn" in reasons[5]
    assert "not one of your languages" in _push(urdu, [bad[2]])["results"][0]["reason"]
    huge = suggestion(amina, "&File", ["&" + "x" * (3 * 1024 * 1024)])
    assert "payload" in _push(amina, [huge])["results"][0]["reason"]
    assert _rows(harness) == 0


def test_a_plural_needs_every_cldr_form(harness, hausa):
    from i18n import messages

    amina, _bala = hausa
    entry = next(e for e in messages.template_entries() if e.msgid_plural)
    assert "rejected" in statuses(_push(amina, [suggestion(
        amina, entry.msgid, [entry.msgid], msgid_plural=entry.msgid_plural)]))
    item = suggestion(amina, entry.msgid, [entry.msgid + " ha", entry.msgid_plural + " ha"],
                      msgid_plural=entry.msgid_plural)
    assert statuses(_push(amina, [item])) == ["created"]


def test_the_author_changes_an_open_suggestion_and_old_votes_stop_counting(harness, hausa):
    amina, bala = hausa
    item = suggestion(amina)
    _push(amina, [item])
    _push(bala, [vote(bala, item["id"], "reject", "wrong word")])
    assert _status(harness, item["id"]) == "rejected"
    changed = suggestion(amina, msgstr=["&Takarda"], id=item["id"], base_revision=1)
    assert "rejected already" in _push(amina, [changed])["results"][0]["reason"]

    second = suggestion(amina, "&Quit", ["&Fita"])
    _push(amina, [second])
    edited = suggestion(amina, "&Quit", ["&Fice"], id=second["id"], base_revision=1)
    assert _push(amina, [edited])["results"][0]["revision"] == 2
    _push(bala, [vote(bala, second["id"], "accept", revision=1)])  # saw the old text
    assert _status(harness, second["id"]) == "pending"
    _push(bala, [vote(bala, second["id"], "accept", revision=2)])
    assert _status(harness, second["id"]) == "accepted"


def test_a_coordinator_decides_outright(harness, hausa):
    amina, bala = hausa
    noor = harness.member("coordinator", languages=[], name="noor")
    item = suggestion(amina)
    _push(amina, [item])
    _push(bala, [vote(bala, item["id"], "reject", "prefer Takarda")])
    assert statuses(_push(noor, [vote(noor, item["id"], "accept")])) == ["created"]
    assert _status(harness, item["id"]) == "accepted"
    assert suggestions.decide(harness.engine, item["id"], "rejected", by="noor",
                              reason="spelling") == "rejected"
    with pytest.raises(Exception, match="not a coordinator"):
        suggestions.decide(harness.engine, item["id"], "accepted", by="bala")
    progress = catalogs.progress(harness.engine)
    assert [(p.language, p.translated, p.rejected) for p in progress] == [(HAUSA, 0, 1)]


def test_an_old_client_is_sent_no_translation_records(harness, hausa):
    amina, bala = hausa
    item = suggestion(amina)
    _push(amina, [item])
    _push(bala, [vote(bala, item["id"])])
    entities = {i["entity"] for i in _pull(bala, version=2)}
    assert not entities & protocol.TRANSLATION_ENTITIES


def _status(harness, translation_id):
    import sqlalchemy as sa

    from sync.server import tables

    with harness.engine.connect() as conn:
        return conn.execute(sa.select(tables.ui_translations.c.status).where(
            tables.ui_translations.c.id == translation_id)).scalar()


def _rows(harness):
    import sqlalchemy as sa

    from sync.server import tables

    with harness.engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(
            tables.ui_translations)).scalar()


def test_translation_work_earns_its_own_points_on_the_leaderboard(harness, hausa):
    from sync.server.quality import leaderboards

    amina, bala = hausa
    items = [suggestion(amina), suggestion(amina, "&Quit", ["&Fita"])]
    _push(amina, items)
    _push(bala, [vote(bala, items[0]["id"]), vote(bala, items[1]["id"], "reject", "no")])
    board = leaderboards.board(harness.engine, period="all", language=HAUSA)
    points = {row.name: (row.points, row.contributions) for row in board.rows}
    assert points == {"amina": (1, 1), "bala": (2, 2)}  # one accepted; two verdicts
    assert leaderboards.board(harness.engine, period="day").rows  # counted today too


def test_an_accepted_guideline_translation_becomes_the_projects_guidelines(harness, hausa):
    from sync.server.work import projects

    amina, bala = hausa
    projects.create_project(harness.engine, "p1", name="P1")
    english = "# Writing\n\nWrite a prompt and its completion in your own language."
    projects.set_guideline(harness.engine, "p1", kind="original", language="eng_Latn",
                           text=english)
    hausa_text = "# Rubutu\n\nRubuta tambaya da amsarta da harshenka."
    item = suggestion(amina, english, [hausa_text], context="guideline:p1:original")
    assert statuses(_push(amina, [item])) == ["created"]
    stale = suggestion(amina, "# Old text", ["# Tsoho"], context="guideline:p1:original")
    assert "not the English guidelines" in _push(amina, [stale])["results"][0]["reason"]
    _push(bala, [vote(bala, item["id"])])
    [project] = [json.loads(i["payload"]) for i in _pull(bala) if i["entity"] == "project"]
    assert project["guidelines"]["original"][HAUSA] == hausa_text  # reviewed: not a draft
