"""Translating the interface on the device (app/ui_translations.py): refused before anything
is saved, revisions kept, one open suggestion per message, the rules of review."""

from __future__ import annotations

import json

import pytest

from app import syncstate, ui_translations
from app.errors import InvalidState
from i18n import checks, community, translation

HAUSA = "hau_Latn"


def _outbox(store, entity="ui_translation"):
    return [e for e in store.outbox() if e.entity == entity]


@pytest.mark.parametrize(("msgid", "strings", "problem"), [
    ("Writing in {language}", ["Rubutu cikin {harshe}"], "placeholders differ"),
    ("&File", ["Fayil"], "accelerator"),
    ("{done} of {total} done", ["{done} daga {total}"], "needs 2 plural forms"),
    ("&File", ["&" + "x" * 200], "too long"),
    ("&File", ["   "], "empty"),
])
def test_a_translation_the_checks_refuse_is_never_saved(store, msgid, strings, problem):
    plural = "{done} of {total} done" if "{done}" in msgid else None
    with pytest.raises(ui_translations.TranslationRefused) as refused:
        ui_translations.suggest(store, language=HAUSA, context=None, msgid=msgid,
                                msgid_plural=plural, strings=strings)
    assert problem in str(refused.value).replace("\u2068", "").replace("\u2069", "")
    assert ui_translations.suggestions(store, HAUSA) == [] and _outbox(store) == []


def test_printf_placeholders_count_too():
    assert checks.placeholders("%d files, %(name)s, 50%% done, %1") == \
        ["%(name)s", "%1", "%d"]
    assert checks.problems("%d files", "faili %s") != []
    assert checks.placeholders("50% de réussite") == []  # French, not a conversion


def test_an_accelerator_taken_on_the_same_screen_is_refused():
    neighbours = [("&Go", "&Je"), ("&View", "&Duba")]
    assert checks.accelerator_clash("&Help", "&Jagora", neighbours) == "&Je"
    assert checks.accelerator_clash("&Help", "&Taimako", neighbours) is None
    problems = ui_translations.problems(HAUSA, None, "&Help", None, ["&Jagora"],
                                        neighbours=neighbours)
    assert problems[0] == "&j is used on the same screen by &Je"


def test_my_open_suggestion_keeps_its_revisions_and_goes_out_once(store):
    first = ui_translations.suggest(store, language=HAUSA, context=None, msgid="&File",
                                    strings=["&Fayil"])
    again = ui_translations.suggest(store, language=HAUSA, context=None, msgid="&File",
                                    strings=["&Takarda"])
    assert again.id == first.id and again.revision == 2
    assert [r[1] for r in ui_translations.revisions(store, first.id)] == [["&Fayil"],
                                                                           ["&Takarda"]]
    [entry] = _outbox(store)  # the newest text, once
    assert json.loads(entry.payload)["msgstr"] == ["&Takarda"]


def test_plural_forms_follow_cldr_for_any_language():
    assert ui_translations.forms(HAUSA).categories == ("one", "other")
    assert ui_translations.forms("arb_Arab").n == 6
    assert ui_translations.forms("pbt_Arab").tag == "ps"
    assert community.direction("pbt_Arab") == "rtl" and community.direction(HAUSA) == "ltr"
    with pytest.raises(ValueError, match="CLDR has no locale"):
        ui_translations.forms("ace_Latn")


def _peer_suggestion(store, status="pending"):
    page = type("Page", (), {})()
    item = type("Item", (), {})()
    item.entity, item.id, item.revision, item.deleted = "ui_translation", "peer-1", 3, False
    item.payload = json.dumps({"id": "peer-1", "language": HAUSA, "context": None,
                               "msgid": "&Quit", "msgstr": ["&Rufe"], "user_id": "u-bala",
                               "author_name": "bala", "status": status, "votes": [],
                               "text_revision": 1})
    page.items, page.next_cursor = [item], 7
    syncstate.apply_pull_page(store, page)


def test_review_rules_on_the_device(store):
    store.set_user_id("u-amina")
    _peer_suggestion(store)
    with pytest.raises(InvalidState, match="Say why"):
        ui_translations.vote(store, "peer-1", "reject")
    ui_translations.vote(store, "peer-1", "reject", reason="Fita is the usual word")
    ui_translations.vote(store, "peer-1", "accept")  # changed my mind: one vote, replaced
    assert ui_translations.my_votes(store) == {"peer-1": "accept"}
    [vote] = _outbox(store, "ui_vote")
    assert json.loads(vote.payload)["revision"] == 1  # the text I saw
    mine = ui_translations.suggest(store, language=HAUSA, context=None, msgid="&Help",
                                   strings=["&Taimako"])
    with pytest.raises(InvalidState, match="own translation"):
        ui_translations.vote(store, mine.id, "accept")
    _peer_suggestion(store, status="accepted")
    with pytest.raises(InvalidState, match="decided already"):
        ui_translations.vote(store, "peer-1", "reject", reason="late")


def test_a_pulled_catalog_is_checked_before_it_is_used(store):
    good = {"language": HAUSA, "messages": [{"context": None, "msgid": "&File",
                                             "msgid_plural": None, "msgstr": ["&Fayil"]}],
            "completeness": 0.001}
    bad = {"language": "urd_Arab", "messages": [{"context": None, "msgid": "Saved {n}",
                                                 "msgstr": ["محفوظ"]}]}
    nonsense = {"language": "xyz_Latn", "messages": []}
    for n, payload in enumerate((good, bad, nonsense)):
        item = type("Item", (), {"entity": "ui_catalog", "id": f"c{n}", "revision": 1,
                                 "deleted": False, "payload": json.dumps(payload)})()
        syncstate.apply_pull_page(store, type("Page", (), {"items": [item],
                                                           "next_cursor": n + 1})())
    try:
        # The unknown language is left out at once; Urdu's messages are checked when it is
        # used (start-up reads every catalog, uses one), and a bad one is not used at all.
        assert sorted(ui_translations.register_catalogs(store)) == ["ha", "ur"]
        with pytest.raises(community.InvalidCatalog, match="placeholders differ"):
            _ = community.get("ur").messages
        translation.install("ur")
        assert translation._("Saved {n}") != "محفوظ"
        assert translation._("Write") == "لکھیں"  # the shipped catalog, as before
        translation.install("ha")
        assert translation._("&File") == "&Fayil"
        assert translation._("Write") == "Write"  # not translated: English, per string
    finally:
        community.forget_all()
        translation.install("en")


def test_translating_the_interface_earns_points_on_the_device_too(store):
    """The device's Progress counts what the server's leaderboards count for it (issue 16):
    a suggestion of mine the server accepted, and each verdict I gave on a peer's."""
    from app.activity import progress_report

    store.set_user_id("u-amina")
    before = progress_report(store).points
    mine = ui_translations.suggest(store, language=HAUSA, context=None, msgid="&Help",
                                   strings=["&Taimako"])
    assert progress_report(store).points == before  # not accepted yet
    _peer_suggestion(store)
    ui_translations.vote(store, "peer-1", "accept")
    assert progress_report(store).points == before + 1
    page = type("Page", (), {})()
    item = type("Item", (), {})()
    item.entity, item.id, item.revision, item.deleted = "ui_translation", mine.id, 2, False
    item.payload = json.dumps({"id": mine.id, "language": HAUSA, "context": None,
                               "msgid": "&Help", "msgstr": ["&Taimako"], "user_id": "u-amina",
                               "author_name": "amina", "status": "accepted", "votes": [],
                               "text_revision": 1})
    page.items, page.next_cursor = [item], 8
    syncstate.apply_pull_page(store, page)
    assert ui_translations.suggestion(store, mine.id).status == "accepted"
    assert progress_report(store).points == before + 2
