"""The content language the window opens on, and the language box as a search (issue 12,
item 4: after choosing Urdu the box said "Acehnese"; the demo showed Amharic to an Urdu or
Hindi interface; 20,000 imported Urdu tasks stayed out of sight; "Urdu" and Enter did not
select Urdu; a click put the caret inside the name, so typing gave "AmhariYoruc")."""

import json

import pytest
from PySide6.QtCore import QPoint, Qt

from app import content_language, paths
from app.store import Store
from sync import credentials

# --- the choice order ------------------------------------------------------------------------


def test_enrolled_languages_come_first():
    assert content_language.choose(
        enrolled=["hin_Deva"], profile=["urd_Arab"], last_used="urd_Arab", ui_language="ur",
        with_tasks=["urd_Arab"]) == "hin_Deva"


def test_of_several_enrolled_languages_the_last_used_then_one_with_tasks():
    enrolled = ["pnb_Arab", "urd_Arab"]
    assert content_language.choose(enrolled=enrolled, last_used="urd_Arab") == "urd_Arab"
    assert content_language.choose(enrolled=enrolled, with_tasks=["urd_Arab"]) == "urd_Arab"
    assert content_language.choose(enrolled=enrolled) == "pnb_Arab"


def test_then_the_profile_then_the_last_used_then_the_ui_language():
    assert content_language.choose(profile=["yor_Latn"], last_used="hin_Deva",
                                   ui_language="ur") == "yor_Latn"
    assert content_language.choose(last_used="hin_Deva", ui_language="ur") == "hin_Deva"
    assert content_language.choose(ui_language="ur") == "urd_Arab"
    assert content_language.choose(ui_language="am", with_tasks=["amh_Ethi"]) == "amh_Ethi"


def test_never_the_alphabetical_first():
    # Nothing known and no tasks: the interface's language, not "Acehnese".
    assert content_language.choose(ui_language="ur") == "urd_Arab"
    assert content_language.choose() == "eng_Latn"
    # Tasks only in other languages: one a reader of the interface can read, by script.
    demo = ["amh_Ethi", "arb_Arab", "ben_Beng", "fra_Latn", "hin_Deva", "swh_Latn",
            "urd_Arab", "yor_Latn"]
    assert content_language.choose(ui_language="en", with_tasks=demo) == "fra_Latn"
    assert content_language.choose(ui_language="fa", with_tasks=demo) == "arb_Arab"
    assert content_language.choose(ui_language="he", with_tasks=demo) == "arb_Arab"  # RTL


def test_codes_the_registry_does_not_know_are_skipped():
    assert content_language.choose(enrolled=["xx_Nope"], last_used="zz_Zzzz",
                                   ui_language="hi") == "hin_Deva"


def test_after_an_import_the_imported_language_shows_when_the_current_has_no_tasks():
    after = content_language.after_import
    assert after("ace_Latn", [], ["urd_Arab"]) == "urd_Arab"
    assert after("urd_Arab", ["urd_Arab"], ["hin_Deva", "urd_Arab"]) is None  # has tasks
    assert after("ace_Latn", ["fra_Latn"], ["fra_Latn", "hin_Deva", "urd_Arab"],
                 preferred=["urd_Arab"]) == "urd_Arab"


# --- the window ------------------------------------------------------------------------------


@pytest.mark.parametrize(("ui", "expected"), [
    ("ur", "urd_Arab"), ("hi", "hin_Deva"), ("am", "amh_Ethi"), ("fr", "fra_Latn"),
    ("my", "mya_Mymr"), ("en", "fra_Latn"),
])
def test_the_demo_opens_on_the_language_of_the_interface(open_app, tmp_path, ui, expected):
    from app.demo import seed_demo

    with Store.open(paths.database_path(tmp_path)) as store:
        seed_demo(store)
    window = open_app(tmp_path, ui_language=ui)
    assert window.current_language() == expected
    assert window.screens["write"].language == expected


def test_an_urdu_interface_with_nothing_else_known_writes_urdu(open_app, tmp_path):
    window = open_app(tmp_path, ui_language="ur")
    assert window.current_language() == "urd_Arab"
    assert window.language_picker.currentText().startswith("اردو")


def test_the_enrolled_language_wins_and_is_listed_first(open_app, tmp_path, monkeypatch):
    monkeypatch.setattr(credentials, "_keyring_set", lambda *args: False)
    monkeypatch.setattr(credentials, "_keyring_get", lambda *args: None)
    credentials.save(tmp_path, credentials.Enrollment(
        server_url="https://qalam.example", server_id="s", device_id="d", user_id="u",
        user_name="Amina", role="annotator", languages=["hau_Latn"]), "token")
    with Store.open(paths.database_path(tmp_path)) as store:
        store.add_tasks([{"id": "t", "kind": "original", "language": "urd_Arab"}])
    window = open_app(tmp_path, ui_language="ur")
    assert window.current_language() == "hau_Latn"
    assert window.language_picker.itemData(0) == "hau_Latn"


def test_a_choice_is_remembered_but_an_automatic_one_is_not(open_app, tmp_path):
    window = open_app(tmp_path, ui_language="ur")
    settings = window.settings
    assert settings.value("language") is None  # the window chose: nothing to remember
    window.language_picker.setFocus()
    window.language_picker.lineEdit().selectAll()
    from PySide6.QtTest import QTest

    QTest.keyClicks(window.language_picker, "Hindi")
    QTest.keyClick(window.language_picker, Qt.Key_Return)
    assert settings.value("language") == "hin_Deva"


def test_an_import_shows_the_imported_language_when_the_current_has_none(
        qtbot, open_app, tmp_path):
    window = open_app(tmp_path, ui_language="hi")
    assert window.current_language() == "hin_Deva"  # no tasks at all yet
    path = tmp_path / "urdu.jsonl"
    path.write_text("\n".join(json.dumps(
        {"id": f"u{n}", "kind": "reannotation", "language_code": "urd_Arab",
         "inputs": f"سوال {n}", "targets": f"جواب {n}"}, ensure_ascii=False)
        for n in range(30)), encoding="utf-8")
    window.show_screen("improve")
    window.import_tasks(path)
    qtbot.waitUntil(lambda: not window.importer.running, timeout=20000)
    qtbot.waitUntil(lambda: window.current_language() == "urd_Arab")
    assert window.screens["improve"].tasks.rowCount() == 30


# --- the box as a search ---------------------------------------------------------------------


@pytest.fixture
def picker(qtbot):
    from PySide6.QtWidgets import QLineEdit, QVBoxLayout, QWidget

    from ui.language_picker import LanguagePicker

    window = QWidget()
    layout = QVBoxLayout(window)
    elsewhere = QLineEdit()  # where the focus is before the box
    picker = LanguagePicker(["amh_Ethi", "urd_Arab"])
    picker.set_code("amh_Ethi")
    layout.addWidget(elsewhere)
    layout.addWidget(picker)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()  # focus events reach it only in the active window
    qtbot.waitUntil(window.isActiveWindow)
    elsewhere.setFocus()
    qtbot.waitUntil(elsewhere.hasFocus)
    chosen = []
    picker.language_chosen.connect(chosen.append)
    picker.chosen = chosen
    picker.host = window  # kept alive with the picker
    return picker


def test_a_click_selects_the_name_so_typing_replaces_it(qtbot, picker):
    edit = picker.lineEdit()
    qtbot.mouseClick(edit, Qt.LeftButton, pos=QPoint(10, edit.height() // 2))
    qtbot.waitUntil(lambda: edit.selectedText() == edit.text())
    qtbot.keyClicks(picker, "Yoruba")
    assert edit.text() == "Yoruba"          # not "አማርኛ — AmhariYoruc"
    qtbot.keyClick(picker, Qt.Key_Return)
    assert picker.chosen == ["yor_Latn"] and picker.current_code() == "yor_Latn"


def test_typing_filters_by_native_or_english_name_and_enter_picks_the_first(qtbot, picker):
    assert picker.matches("urdu") == picker.matches("اردو") == ["urd_Arab"]
    assert picker.matches("ara")[:1] == ["arb_Arab"] or "arb_Arab" in picker.matches("ara")
    picker.setFocus(Qt.TabFocusReason)
    qtbot.keyClicks(picker, "urdu")
    completer = picker.completer()
    assert completer.popup().isVisible() and completer.completionCount() >= 1
    qtbot.keyClick(picker, Qt.Key_Return)
    assert picker.chosen == ["urd_Arab"]
    assert picker.lineEdit().text() == "اردو — Urdu"


def test_no_match_keeps_the_language_and_escape_puts_its_name_back(qtbot, picker):
    picker.setFocus(Qt.TabFocusReason)
    qtbot.keyClicks(picker, "qqqq")
    qtbot.keyClick(picker, Qt.Key_Return)
    assert picker.chosen == [] and picker.current_code() == "amh_Ethi"
    assert picker.lineEdit().text() == picker.currentText()
    qtbot.keyClicks(picker, "Hin")
    qtbot.keyClick(picker, Qt.Key_Escape)
    assert picker.lineEdit().text() == picker.currentText() and picker.chosen == []
