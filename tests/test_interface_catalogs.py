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
