"""A catalog of the interface pulled by a sync: used at start, and a newer one offered and
used when the person says (the window reopens in it, nothing typed is lost)."""

from __future__ import annotations

import json

from PySide6.QtWidgets import QMenuBar, QPushButton

from app import paths, syncstate
from app.store import Store
from i18n import community
from ui.application import WindowHost, apply_ui_language
from ui.notice import Notice
from ui.operations import Changes


def _pull_catalog(data_dir, revision: int, messages: dict[str, str]) -> None:
    payload = {"id": "ui-catalog-hau_Latn", "language": "hau_Latn", "completeness": 0.01,
               "messages": [{"context": None, "msgid": k, "msgid_plural": None,
                             "msgstr": [v]} for k, v in messages.items()]}
    item = type("Item", (), {"entity": "ui_catalog", "id": payload["id"], "revision": revision,
                             "deleted": False, "payload": json.dumps(payload)})()
    page = type("Page", (), {"items": [item], "next_cursor": revision})()
    with Store.open(paths.database_path(data_dir)) as store:
        syncstate.apply_pull_page(store, page)


def _menus(window) -> list[str]:
    return [a.text() for a in window.findChild(QMenuBar).actions()]


def test_a_newer_catalog_is_offered_after_a_sync_and_used(qtbot, tmp_path):
    _pull_catalog(tmp_path, 1, {"&File": "&Fayil"})
    host = WindowHost(tmp_path, ui_language="ha")
    try:
        window = host.window
        qtbot.addWidget(window)
        window.show()
        assert _menus(window)[:2] == ["&Fayil", "&Go"]
        _pull_catalog(tmp_path, 2, {"&File": "&Fayil", "&Go": "&Je"})
        window.changes_made.emit(Changes(translations=True, sync_state=True), None)
        notice = window.findChild(Notice, "catalogNotice")
        assert notice is not None and "newer translation" in notice.text()
        notice.findChild(QPushButton, "catalogNoticeAction").click()
        qtbot.waitUntil(lambda: host.window is not window)
        assert _menus(host.window)[:2] == ["&Fayil", "&Je"]
    finally:
        host.window.close()
        host.shutdown()
        community.forget_all()
        apply_ui_language(tmp_path, "en")


def test_a_language_the_bundle_has_no_cldr_data_for_still_works(monkeypatch, qtbot, tmp_path,
                                                                 open_app):
    """The installed app ships Babel's CLDR data for the shipped languages only
    (build_scripts/bundle_rules.BABEL_KEEP): Hausa's plural forms, name, direction and number
    formats must come from the language registry and the pulled catalog instead."""
    import babel.localedata

    from i18n import catalogs, formatting, languages, plurals
    from ui import ui_locale

    kept = {"root", "en", *(loc.tag for loc in catalogs.SHIPPED)}
    real = babel.localedata.exists
    monkeypatch.setattr(babel.localedata, "exists",
                        lambda name: name in kept and real(name))
    for cached in (plurals._derived, languages._language_name, languages._script_name):
        cached.cache_clear()
    try:
        assert catalogs.get("ha").tag == "ha" and catalogs.get("pa-Arab").babel == "pa_Arab"
        assert plurals.header("ha") == "nplurals=2; plural=(((n == 1)) ? 0 : 1);"
        assert plurals.categories("zu") == ["one", "other"]
        _pull_catalog(tmp_path, 1, {"&File": "&Fayil"})
        window = open_app(tmp_path, ui_language="ha")
        assert _menus(window)[0] == "&Fayil"
        assert ui_locale.native_name("ha") == "Hausa"
        assert formatting.format_number(1234) == "1,234"
        assert ui_locale.direction_of("ps") == "rtl"  # from the script: no CLDR data
    finally:
        monkeypatch.undo()
        for cached in (plurals._derived, languages._language_name, languages._script_name):
            cached.cache_clear()
        community.forget_all()


def test_a_reload_while_typing_keeps_the_text(qtbot, tmp_path, open_app):
    """A save's answer or a sync reloads the Translate screen: what is being typed in the
    message on screen stays (it used to be rebuilt, and the typing lost)."""
    from tests.keys import type_text

    window = open_app(tmp_path, ui_language="en")
    window.show_screen("translate")
    screen = window.screens["translate"]
    screen.set_target("hau_Latn")
    assert screen.open_key((None, "&File"))
    editor = screen.editors[0]
    type_text(editor, "&Fay")
    screen.reload()
    assert screen.editors[0] is editor and editor.text() == "&Fay"
    assert screen.open_key((None, "&Quit")) and screen.editors[0].text() == ""


def test_the_translate_screen_keys(qtbot, tmp_path, open_app):
    from PySide6.QtCore import Qt

    window = open_app(tmp_path, ui_language="en", active=True)
    qtbot.keyClick(window, Qt.Key_7, Qt.ControlModifier)
    screen = window.screens["translate"]
    screen.set_target("hau_Latn")
    screen.list.setFocus()
    qtbot.keyClick(window, Qt.Key_F, Qt.ControlModifier)  # searches here, not My work
    assert window.current_screen() is screen and screen.search.hasFocus()
    qtbot.keyClick(screen.search, Qt.Key_F8)
    first = screen.current
    assert first is not None and first.accepted is None and first.mine is None
    qtbot.keyClick(window, Qt.Key_F8)
    assert screen.current is not first
    qtbot.keyClick(window, Qt.Key_Down, Qt.AltModifier)  # the next message
    assert screen.list.currentIndex().row() == screen.model.rows.index(screen.current)


def test_the_pickers_list_a_translated_language_with_how_complete_it_is(qtbot, tmp_path):
    from PySide6.QtCore import Qt

    from app import ui_translations
    from ui.dialogs.first_run import FirstRunDialog
    from ui.dialogs.settings import SettingsDialog

    _pull_catalog(tmp_path, 1, {"&File": "&Fayil"})
    try:
        with Store.open(paths.database_path(tmp_path)) as store:
            assert ui_translations.register_catalogs(store) == ["ha"]
        first = FirstRunDialog("en")
        qtbot.addWidget(first)
        names = {first.languages.item(i).data(Qt.UserRole): first.languages.item(i).text()
                 for i in range(first.languages.count())}
        assert names["ha"] == "Hausa — 1%"
        settings = SettingsDialog("en", None)
        qtbot.addWidget(settings)
        index = settings.ui_language.findData("ha")
        assert settings.ui_language.itemText(index) == "Hausa — 1%"
    finally:
        community.forget_all()
