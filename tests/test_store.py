import json

import pytest

from app.errors import InvalidState, NotFound, TextRejected
from app.store import Store


def test_save_draft_is_visible_to_a_fresh_connection(store: Store, tmp_path):
    draft = store.new_submission(language="urd_Arab")
    store.save_draft(draft.id, inputs="چاول کیسے پکائیں؟", targets="پہلے چاول دھو لیں۔")
    with Store.open(tmp_path / "qalam.db", readonly=True) as other:
        saved = other.submission(draft.id)
    assert (saved.inputs, saved.targets) == ("چاول کیسے پکائیں؟", "پہلے چاول دھو لیں۔")


def test_database_is_wal_with_full_sync_and_foreign_keys(store: Store):
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert store.db.execute("PRAGMA foreign_keys").fetchone()[0] == 1


def test_ids_are_time_ordered_uuids(store: Store):
    ids = [store.new_submission(language="hin_Deva").id for _ in range(20)]
    assert ids == sorted(ids)
    assert all(i[14] == "7" for i in ids)  # UUID version 7


def test_every_change_enters_the_outbox_with_a_growing_sequence(store: Store):
    a = store.new_submission(language="swh_Latn")
    b = store.new_submission(language="swh_Latn")
    store.save_draft(a.id, inputs="Habari", targets="Nzuri")
    store.save_draft(b.id, inputs="Jina lako nani?", targets="Naitwa Amina.")
    store.submit(a.id)
    entries = store.outbox()
    assert [e.seq for e in entries] == sorted(e.seq for e in entries)
    assert len({e.seq for e in entries}) == len(entries)
    # unsent entries of one record are replaced by its newest state
    assert [e.record_id for e in entries] == [b.id, a.id]
    assert json.loads(entries[-1].payload)["state"] == "submitted"
    assert store.last_seq() == 5


def test_sequence_never_goes_back_after_the_outbox_empties(store: Store):
    first = store.new_submission(language="yor_Latn")
    seq_before = store.last_seq()
    store.db.execute("DELETE FROM outbox")  # as sync will after an acknowledgement
    store.save_draft(first.id, inputs="Báwo ni?", targets="Dáadáa ni.")
    assert store.outbox()[0].seq == seq_before + 1


def test_in_flight_entries_are_not_replaced(store: Store):
    draft = store.new_submission(language="fra_Latn")
    store.db.execute("UPDATE outbox SET batch_id = 'b1'")
    store.save_draft(draft.id, inputs="Bonjour", targets="Salut")
    assert [e.batch_id for e in store.outbox()] == ["b1", None]


def test_unchanged_save_writes_nothing(store: Store):
    draft = store.new_submission(language="fra_Latn")
    store.save_draft(draft.id, inputs="Q", targets="R")
    seq = store.last_seq()
    result = store.save_draft(draft.id, inputs="Q", targets="R")
    assert not result.changed and store.last_seq() == seq


def test_typing_is_coalesced_into_one_revision_and_restore_makes_a_new_one(store: Store):
    draft = store.new_submission(language="ben_Beng")
    for text in ["আ", "আম", "আমি"]:
        store.save_draft(draft.id, inputs=text, targets="ভাত খাই")
    assert [(r.number, r.inputs) for r in store.revisions(draft.id)] == [(1, "আমি")]
    store.submit(draft.id)
    store.reopen(draft.id)
    store.db.execute("UPDATE revisions SET created_at = '2000-01-01T00:00:00.000Z'")
    store.save_draft(draft.id, inputs="আমরা", targets="ভাত খাই")
    assert [r.reason for r in store.revisions(draft.id)] == ["edit", "submit", "edit"]
    restored = store.restore_revision(draft.id, 1)
    assert restored.inputs == "আমি" and restored.state == "draft"
    assert [r.reason for r in store.revisions(draft.id)][-1] == "restore"
    assert len(store.revisions(draft.id)) == 4  # history is never rewritten


def test_submit_needs_both_fields_and_locks_the_text(store: Store):
    draft = store.new_submission(language="amh_Ethi")
    store.save_draft(draft.id, inputs="ሰላም", targets="")
    with pytest.raises(InvalidState, match="both a prompt and a completion"):
        store.submit(draft.id)
    store.save_draft(draft.id, inputs="ሰላም", targets="ሰላም ነው።")
    store.submit(draft.id)
    with pytest.raises(InvalidState, match="reopen"):
        store.save_draft(draft.id, inputs="x", targets="y")


def test_rejected_text_leaves_the_earlier_draft_intact(store: Store):
    draft = store.new_submission(language="arb_Arab")
    store.save_draft(draft.id, inputs="سؤال", targets="جواب")
    seq = store.last_seq()
    with pytest.raises(TextRejected):
        store.save_draft(draft.id, inputs="سؤال", targets="جواب\x00")
    kept = store.submission(draft.id)
    assert (kept.inputs, kept.targets) == ("سؤال", "جواب")
    assert store.last_seq() == seq


def test_bidi_controls_are_recorded_as_warnings_on_the_submission(store: Store):
    draft = store.new_submission(language="heb_Hebr")
    saved = store.save_draft(draft.id, inputs="שלום \u202eabc", targets="תשובה").submission
    assert saved.warning_list == [{"code": "bidi_control", "field": "inputs", "detail": "U+202E"}]
    clean = store.save_draft(draft.id, inputs="שלום", targets="תשובה").submission
    assert clean.warning_list == []


@pytest.mark.parametrize(
    ("text", "query"),
    [
        ("ما هي عاصمة المغرب؟ الرباط هي العاصمة.", "عاصمة"),
        ("भारत की राजधानी नई दिल्ली है।", "राजधानी"),
        ("กรุงเทพมหานครเป็นเมืองหลวงของประเทศไทย", "เมืองหลวง"),  # no spaces between words
        ("Mji mkuu wa Tanzania ni Dodoma.", "DODOMA"),
    ],
)
def test_search_finds_words_in_any_script(store: Store, text, query):
    hit = store.new_submission(language="arb_Arab")
    store.save_draft(hit.id, inputs="prompt", targets=text)
    miss = store.new_submission(language="arb_Arab")
    store.save_draft(miss.id, inputs="something else", targets="entirely")
    assert [s.id for s in store.search(query)] == [hit.id]


def test_search_combines_words_and_short_words(store: Store):
    a = store.new_submission(language="hin_Deva")
    store.save_draft(a.id, inputs="गाय दूध देती है", targets="हाँ")
    b = store.new_submission(language="hin_Deva")
    store.save_draft(b.id, inputs="भैंस दूध देती है", targets="हाँ")
    assert {s.id for s in store.search("दूध")} == {a.id, b.id}
    assert [s.id for s in store.search("दूध गाय")] == [a.id]
    assert [s.id for s in store.search("गा")] == [a.id]  # shorter than a trigram
    assert store.search("   ") == []


def test_search_follows_edits_and_discards(store: Store):
    draft = store.new_submission(language="fra_Latn")
    store.save_draft(draft.id, inputs="le manioc", targets="se cultive")
    store.save_draft(draft.id, inputs="le mil", targets="se cultive")
    assert store.search("manioc") == []
    assert [s.id for s in store.search("mil se")] == [draft.id]
    store.discard_draft(draft.id)
    assert store.search("cultive") == []
    assert store.outbox()[-1].op == "delete"
    with pytest.raises(NotFound):
        store.submission(draft.id)


def test_device_id_is_stable_across_opens(tmp_path):
    with Store.open(tmp_path / "q.db") as first:
        device = first.device_id
    with Store.open(tmp_path / "q.db") as again:
        assert again.device_id == device


def test_lists_continue_after_an_item_without_skipping_or_repeating(store: Store):
    # Long lists page by the last item shown (no OFFSET scan); items saved in the same
    # millisecond share updated_at, so the row decides, across a page boundary too.
    drafts = [store.new_submission(language="yor_Latn") for _ in range(7)]
    store.db.execute("UPDATE submissions SET updated_at = '2026-01-01T00:00:00.000Z'")
    pages, after = [], None
    while True:
        page = store.submissions(limit=3, after=after)
        pages += page
        if len(page) < 3:
            break
        after = page[-1].id
    assert sorted(s.id for s in pages) == sorted(d.id for d in drafts)
    assert len(pages) == len(drafts)

    store.add_tasks([{"id": f"t{n}", "kind": "original", "language": "yor_Latn"}
                     for n in range(7)])
    tasks, after = [], None
    while page := store.tasks(language="yor_Latn", limit=3, after=after):
        tasks += page
        after = page[-1].id
    assert [t.id for t in tasks] == [f"t{n}" for n in range(7)]


def test_sqlite_utils_plugins_never_touch_the_store(tmp_path):
    """An installed sqlite-utils plugin would run its code on every connection to an
    annotator's work (and finding plugins scans every package's entry points at each start)."""
    from sqlite_utils import hookimpl
    from sqlite_utils.plugins import pm

    touched = []

    class Plugin:
        @hookimpl
        def prepare_connection(self, conn):
            touched.append(conn)

    plugin = Plugin()
    pm.register(plugin, name="test-intruder")
    try:
        with Store.open(tmp_path / "qalam.db") as store:
            store.db.execute("SELECT 1")
    finally:
        pm.unregister(plugin)
    assert touched == []


def test_languages_with_tasks_are_each_language_once_in_order(store):
    assert store.languages_with_tasks() == []
    store.add_tasks([{"id": f"t{n}", "kind": "original", "language": language}
                     for n, language in enumerate(["yor_Latn", "amh_Ethi", "yor_Latn",
                                                   "urd_Arab", "amh_Ethi"])])
    assert store.languages_with_tasks() == ["amh_Ethi", "urd_Arab", "yor_Latn"]
