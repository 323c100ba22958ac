"""The post-editor's tools as pure functions: QA checks (script-aware), glossary terms in a
segment, translation-memory lookup and concordance; and the store keeping what they need."""

import json
from types import SimpleNamespace as NS

import pytest

from app import memory, qa, syncstate
from app.glossary import Term, find_terms, missing_terms
from app.store import Store
from app.tm import MemoryIndex


def keys(source, target, **kw):
    return [issue.key for issue in qa.check_segment(source, target, **kw)]


@pytest.mark.parametrize("source, target", [
    ("Take 2 tablets, 3 times a day.", "دن میں ۳ بار، ۲ گولیاں لیں۔"),     # Extended Arabic-Indic
    ("Take 2 tablets, 3 times a day.", "يوميًا ٣ مرات، قرصان ٢."),          # Arabic-Indic
    ("Take 2 tablets, 3 times a day.", "दिन में ३ बार, २ गोलियाँ लें।"),        # Devanagari
    ("It costs 1,500.5 rupees.", "اس کی قیمت ۱٬۵۰۰٫۵ روپے ہے۔"),            # separators too
    ("It costs 1,500 rupees.", "Inagharimu 1500 rupia."),
])
def test_numbers_in_any_script_equal_their_ascii_values(source, target):
    assert "numbers" not in keys(source, target)


def test_numbers_that_differ_are_named():
    [issue] = [i for i in qa.check_segment("Boil for 5 minutes.", "Chemsha kwa dakika 15.")
               if i.key == "numbers"]
    assert "5" in issue.message and "15" in issue.message


@pytest.mark.parametrize("source, target, flagged", [
    ("Is it safe?", "کیا یہ محفوظ ہے؟", False),          # Arabic question mark
    ("Wash your hands.", "ہاتھ دھوئیں۔", False),           # Urdu full stop
    ("Wash your hands.", "हाथ धोएँ।", False),               # danda
    ("Wash your hands.", "手を洗ってください。", False),      # ideographic full stop
    ("Wash your hands.", "Osha mikono yako", True),
    ("Wash your hands", "Osha mikono yako!", True),
    ("Is it safe?", "Ni salama.", True),
])
def test_end_punctuation_compares_by_kind_in_every_script(source, target, flagged):
    assert ("end_punctuation" in keys(source, target)) is flagged


def test_the_other_mechanical_checks():
    assert "identical" in keys("Water", "Water")
    assert "doubled_word" in keys("the cat", "paka paka mweusi")
    assert "doubled_space" in keys("the cat", "paka  mweusi")
    assert "brackets" in keys("a (b) c", "a (b c")
    assert "brackets" in keys("say “hi”", "sema “habari")
    assert "brackets" not in keys("a (b) «c»", "a (b) «c»")
    assert "placeholders" in keys("Hello %s, you have {count} <b>new</b> messages",
                                  "Habari %s, una ujumbe <b>mpya</b>")
    assert "placeholders" not in keys("Hello {name}", "Habari {name}")
    assert keys("Hello.", "") == []   # nothing typed yet: nothing to say


def test_glossary_terms_are_found_whole_word_and_missing_ones_flagged():
    terms = [Term("t1", "hand washing", "kunawa mikono"), Term("t2", "hand", "mkono"),
             Term("t3", "soap", "sabuni"), Term("t4", "ap", "xx")]
    hits = find_terms("Hand washing with soap saves lives.", terms)
    assert [(h.term.id, h.start, h.end) for h in hits] == [("t1", 0, 12), ("t3", 18, 22)]
    assert [t.id for t in missing_terms(hits, "Kunawa mikono kwa maji huokoa maisha.")] == ["t3"]
    issues = qa.check_segment("Hand washing with soap saves lives.",
                              "Kunawa mikono kwa maji huokoa maisha.", terms=hits)
    assert [i.key for i in issues if i.check == "glossary"] == ["glossary:t3"]
    assert qa.visible(issues, ["glossary:t3"]) == [i for i in issues if i.check != "glossary"]


def test_thai_terms_match_without_word_boundaries():
    hits = find_terms("ล้างมือด้วยสบู่", [Term("t", "สบู่", "soap")])
    assert [(h.start, h.end) for h in hits] == [(11, 15)]


def test_memory_lookup_exact_and_fuzzy_with_percentages():
    index = MemoryIndex([("u1", "Wash your hands with soap.", "Osha mikono kwa sabuni."),
                         ("u2", "Boil the water for one minute.", "Chemsha maji kwa dakika moja."),
                         ("u3", "wash your  hands with soap.", "osha mikono kwa sabuni.")])
    exact = index.lookup("Wash your hands with soap.")
    assert [(m.id, m.score, m.exact) for m in exact] == [("u1", 100, True), ("u3", 99, False)]
    [fuzzy] = index.lookup("Boil the water for two minutes.")
    assert fuzzy.id == "u2" and 70 <= fuzzy.score < 100 and not fuzzy.exact
    assert index.lookup("Something else entirely, nothing alike") == []
    assert [m.id for m in index.concordance("SABUNI hands")] == ["u1", "u3"]


def test_a_large_memory_finds_what_a_full_scan_finds():
    from rapidfuzz import fuzz, process

    from app.tm import normalize
    from bench.postedit import build_memory, queries_for

    units, words, weights, rng = build_memory(3000, seed=3)
    index = MemoryIndex(units)
    normalized = [normalize(u[1]) for u in units]
    for query in queries_for(units, words, weights, rng, 40):
        best = process.extractOne(normalize(query), normalized, scorer=fuzz.ratio,
                                  score_cutoff=70)
        found = index.lookup(query, limit=1)
        assert bool(found) == bool(best), query
        if best:
            assert found[0].score >= min(99, int(best[1])) - 1


def test_pulled_memory_and_terms_are_stored_and_dismissals_kept_with_the_segment(tmp_path):
    store = Store.open(tmp_path / "q.db")
    unit = {"id": "u1", "project_id": "p", "source_language": "eng_Latn",
            "target_language": "urd_Arab", "source": "Hello", "target": "سلام", "origin": "tmx",
            "note": ""}
    term = {"id": "t1", "project_id": "p", "source_language": "eng_Latn",
            "target_language": "urd_Arab", "source_term": "hello", "target_term": "سلام",
            "note": ""}
    before = memory.version(store)
    syncstate.apply_pull_page(store, NS(next_cursor=3, items=[
        NS(entity="tm_unit", id="u1", revision=1, deleted=False, payload=json.dumps(unit)),
        NS(entity="term", id="t1", revision=1, deleted=False, payload=json.dumps(term))]))
    assert memory.units(store, "eng_Latn", "urd_Arab") == [("u1", "Hello", "سلام", "tmx")]
    assert [t.target for t in memory.terms(store, "eng_Latn", "urd_Arab")] == ["سلام"]
    assert memory.version(store) != before
    syncstate.apply_pull_page(store, NS(next_cursor=4, items=[
        NS(entity="tm_unit", id="u1", revision=2, deleted=True, payload=json.dumps(unit))]))
    assert memory.units(store, "eng_Latn", "urd_Arab") == []

    store.add_tasks([{"id": "p-1", "kind": "postedit", "language": "urd_Arab",
                      "source_text": "Hello 5.", "mt_text": "سلام ۶"}])
    [draft] = store.save_targets([("p-1", "سلام ۷")])
    dismissed = store.dismiss_check(draft.id, "numbers")
    assert dismissed.dismissed == ["numbers"]
    assert json.loads(store.outbox()[-1].payload)["qa_dismissed"] == ["numbers"]
    store.close()
    with Store.open(tmp_path / "q.db") as again:   # a restart keeps it
        assert again.submission(draft.id).dismissed == ["numbers"]
