"""Guidelines in the annotator's language (issue 12, item 7): per kind and per language, shown
in the content language, else the interface language, else English, with a line saying which;
the old shape (kind -> Markdown) is English; Qalam's general guidelines come in every
interface language; names inside messages come from CLDR in the interface language."""

import json
import sqlite3

import pytest
from sqlite_utils import Database

from app import guidelines, quality, schema
from app.store import Store
from i18n import languages, translation
from i18n.catalogs import SHIPPED

PER_LANGUAGE = {
    "original": {"eng_Latn": "# Writing\n\nWrite **well**.",
                 "urd_Arab": "# لکھنا\n\nاچھا لکھیں۔",
                 "hin_Deva": {"text": "# लिखना\n\nअच्छा लिखें।", "draft": True}},
    "review": "# Reviewing\n\nJudge the result.",   # the old shape, in the same project
}


@pytest.fixture
def ui_language():
    """Install a UI language for one test; English again afterwards."""
    yield translation.install
    translation.install("en")


def test_fallback_order_is_content_language_then_ui_language_then_english():
    def shown(content, ui, kind="original"):
        chosen = guidelines.choose(PER_LANGUAGE, kind, content=content, ui=ui)
        return chosen.language, chosen.is_fallback

    assert shown("urd_Arab", "hin_Deva") == ("urd_Arab", False)   # the content language
    assert shown("amh_Ethi", "urd_Arab") == ("urd_Arab", True)    # else the interface's
    assert shown("amh_Ethi", "fra_Latn") == ("eng_Latn", True)    # else English
    assert shown(None, "urd_Arab") == ("urd_Arab", False)         # nothing chosen yet
    assert shown("urd_Arab", "urd_Arab", kind="review") == ("eng_Latn", True)  # old shape
    assert guidelines.choose(PER_LANGUAGE, "postedit", content="urd_Arab", ui=None) is None
    without_english = {"original": {"yor_Latn": "# Kíkọ"}}
    assert guidelines.choose(without_english, "original", content="urd_Arab",
                             ui="fra_Latn").language == "yor_Latn"  # something beats nothing


def test_old_shape_reads_as_english_for_every_language():
    old = {"original": "# Writing", "review": "# Reviewing"}
    assert guidelines.normalize(old) == {"original": {"eng_Latn": "# Writing"},
                                         "review": {"eng_Latn": "# Reviewing"}}
    assert guidelines.normalize(json.dumps(old)) == guidelines.normalize(old)
    assert guidelines.normalize(guidelines.normalize(old)) == guidelines.normalize(old)
    # Malformed entries from a server or an old database are left out, not raised.
    assert guidelines.normalize({"original": 3, "review": {"urd_Arab": ["x"]},
                                 "postedit": {"urd_Arab": "  "}}) == {}
    assert guidelines.normalize("not json") == {}


def test_store_keeps_guidelines_per_language_and_reads_either_shape(store: Store):
    project = store.upsert_project(id="p", name="P", guidelines=PER_LANGUAGE)
    stored = json.loads(project.guidelines)
    assert stored["review"] == {"eng_Latn": "# Reviewing\n\nJudge the result."}
    assert stored["original"]["hin_Deva"] == {"text": "# लिखना\n\nअच्छा लिखें।", "draft": True}
    assert project.guideline("original", content="urd_Arab") == "# لکھنا\n\nاچھا لکھیں۔"
    assert project.guideline("original") == "# Writing\n\nWrite **well**."
    assert project.guideline("postedit") == ""


def test_migration_turns_old_shape_projects_into_english_guidelines(tmp_path):
    path = tmp_path / "old.db"
    old = Database(sqlite3.connect(path, isolation_level=None))
    schema.migrations.apply(old, stop_before="m006_guidelines_per_language")
    old.execute("INSERT INTO projects (id, name, guidelines, created_at, updated_at) VALUES "
                "('p', 'P', ?, 'x', 'x')", [json.dumps({"original": "# Writing"})])
    old.execute("INSERT INTO projects (id, name, created_at, updated_at) VALUES "
                "('q', 'Q', 'x', 'x')")
    old.close()
    with Store.open(path) as store:
        stored = {p.id: json.loads(p.guidelines) for p in store.projects()}
        assert stored == {"p": {"original": {"eng_Latn": "# Writing"}}, "q": {}}
        assert store.project("p").guideline("original", content="urd_Arab") == "# Writing"


def test_general_guidelines_exist_in_english_and_every_interface_language():
    general = guidelines.parse(guidelines.general())
    ui_codes = {languages.resolve(locale.tag).code for locale in SHIPPED}
    assert len(ui_codes) == len(SHIPPED)
    for kind in ("original", "reannotation", "review", "postedit"):
        assert set(general[kind]) == ui_codes | {"eng_Latn"}, kind
        assert not general[kind]["eng_Latn"].draft
        # machine drafts until a native speaker has reviewed them (docs/translating.md)
        assert all(general[kind][code].draft for code in ui_codes)
        for code, text in general[kind].items():
            assert text.text.startswith("# ") and text.text.count("\n## ") >= 1, (kind, code)


def test_general_translations_keep_the_english_structure():
    """Every translation has the English text's headings, list items and numbered steps."""
    general = guidelines.parse(guidelines.general())

    def shape(text):
        return [line.split(" ")[0] for line in text.splitlines()
                if line.startswith(("#", "- ", "  - ", "1.", "2.", "3."))]

    for kind, texts in general.items():
        english = shape(texts["eng_Latn"].text)
        for code, text in texts.items():
            assert shape(text.text) == english, (kind, code)


# --- the dock ------------------------------------------------------------------------------


@pytest.fixture
def dock(qtbot, store):
    from ui.guidelines import GuidelinesDock

    store.upsert_project(id="p", name="P", guidelines=PER_LANGUAGE)
    widget = GuidelinesDock(store)
    qtbot.addWidget(widget)
    widget.show()
    return widget


def test_dock_shows_the_content_language_and_says_when_it_falls_back(dock):
    dock.show_for("p", "original", "urd_Arab")
    assert "اچھا لکھیں" in dock.browser.toPlainText()
    assert dock.note.isHidden()
    dock.show_for("p", "original", "amh_Ethi")  # no Amharic, English interface: English
    assert "Write well." in dock.browser.toPlainText()
    assert dock.note.isVisibleTo(dock)
    assert "Guidelines in \u2068English\u2069 — not yet written in \u2068Amharic\u2069" in \
        dock.note.text()
    dock.show_for("p", "original", "hin_Deva")  # a machine draft says so
    assert "अच्छा लिखें" in dock.browser.toPlainText()
    assert "machine draft" in dock.note.text()


def test_dock_falls_back_to_the_ui_language_and_words_the_line_in_it(dock, ui_language):
    ui_language("ur")
    dock.show_for("p", "original", "amh_Ethi")
    assert "اچھا لکھیں" in dock.browser.toPlainText()  # Urdu interface: Urdu guidelines
    line = dock.note.text()
    assert languages.language_name("urd_Arab", "ur") in line  # "اردو"
    assert languages.language_name("amh_Ethi", "ur") in line  # Amharic, named in Urdu
    assert "Guidelines" not in line and "Amharic" not in line


def test_dock_shows_general_guidelines_for_a_project_without_its_own(dock, store,
                                                                    ui_language):
    store.upsert_project(id="bare", name="Bare")
    dock.show_for("bare", "postedit", "swh_Latn")
    general = guidelines.parse(guidelines.general())["postedit"]["swh_Latn"].text
    assert dock.browser.toPlainText().splitlines()[0] in general
    assert "general guidelines" in dock.note.text()
    assert "machine draft" in dock.note.text()


# --- names inside messages --------------------------------------------------------------------


def test_hindi_script_check_names_the_scripts_in_hindi(ui_language):
    ui_language("hi")
    findings = quality.check_script("targets", "مرحبا بكم في هذا المكان الجميل", "hin_Deva")
    message = findings[0].message
    assert "अरबी" in message and "देवनागरी" in message  # Arabic, Devanagari: from CLDR
    assert "Arabic" not in message and "Devanagari" not in message


def test_localized_names_come_from_cldr():
    assert languages.script_name("Ethi", "hi") == "इथियोपियाई"
    assert languages.language_name("urd_Arab", "hi") == "उर्दू"
    assert languages.language_name("pnb_Arab", "en") == "Punjabi (Arabic)"
    assert languages.language_name("pnb_Arab", "ur") == "پنجابی (عربی)"
    assert languages.language_name("urd_Arab", "en-XA") == "Urdu"  # pseudo-locales: English
