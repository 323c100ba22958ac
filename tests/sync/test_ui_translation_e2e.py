"""Issue 16 end to end: Qalam translated into Hausa by its users, with a real server.

Device A (Hausa) translates 20 messages on the Translate screen, a plural and accelerators
among them (a placeholder mistake is refused before it is saved); device B (Hausa) accepts 19
and rejects one with a reason; device C, after a sync, starts with ``--ui-language ha`` and its
menus and Write screen speak Hausa, the rejected message still English. A Pashto catalog
imported the same way lays the window out right to left.

Screenshots go to ``$QALAM_SCREENSHOTS`` when set (to look at them), else a temporary folder.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QLabel, QMenuBar, QPushButton

from app import ui_translations
from app.store import Store
from i18n import community
from sync import device
from sync.server.people import users
from tests.keys import type_text
from tests.sync.live import Device

HAUSA = "hau_Latn"
PLURAL = "{done} of {total} done"
# (message, its Hausa translation): menus, the navigation and the Write screen.
WORK = [
    ("&File", ["&Fayil"]),
    ("&Go", ["&Je"]),
    ("&Item", ["&Abu"]),
    ("&View", ["&Duba"]),
    ("&Help", ["&Taimako"]),
    ("&Quit", ["&Rufe"]),
    ("&Import tasks…", ["&Shigo da ayyuka…"]),
    ("Sync &now", ["Daidaita &yanzu"]),
    ("&New item", ["Sa&bon abu"]),
    ("&Submit", ["&Mika"]),
    ("Write", ["Rubuta"]),
    ("Review", ["Bita"]),             # B rejects this one
    ("My work", ["Aikina"]),
    ("Progress", ["Ci gaba"]),
    ("&Topics", ["&Batutuwa"]),
    ("&New item (Ctrl+N)", ["Sabon &abu (Ctrl+N)"]),
    ("&Prompt", ["&Tambaya"]),
    ("&Completion", ["&Amsa"]),
    ("Writing in {language}", ["Rubutu cikin {language}"]),
    (PLURAL, ["An gama {done} daga cikin {total}", "An gama {done} daga cikin {total}"]),
]
REJECTED = "Review"


def _screenshots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("QALAM_SCREENSHOTS") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _enroll(server, tmp_path: Path, name: str, languages) -> Device:
    os.environ["QALAM_NO_KEYRING"] = "1"
    made = Device(tmp_path / name)
    _user, code, _ = users.invite(server.engine, name=name, role="annotator",
                                  languages=list(languages))
    device.enroll(made.data_dir, server.url, code)
    return made


def _sync_in_app(qtbot, window) -> None:
    """A sync through the app's own controller (the io lane), as Sync now (F5) runs it."""
    before = window.sync.last_report
    window.sync.sync_now()
    qtbot.waitUntil(lambda: not window.sync.running and window.sync.last_report is not before,
                    timeout=30_000)
    assert window.sync.last_error is None
    assert window.sync.last_report.complete


def _translate_screen(qtbot, window):
    qtbot.keyClick(window, Qt.Key_7, Qt.ControlModifier)  # Go ▸ Translate Qalam
    screen = window.screens["translate"]
    assert window.current_screen() is screen
    qtbot.waitUntil(lambda: screen.target == HAUSA)
    return screen


def _suggestions(window) -> list[ui_translations.Suggestion]:
    return ui_translations.suggestions(window.reader, HAUSA)


def _translate(qtbot, window, screen, msgid: str, strings: list[str]) -> None:
    screen.search.clear()
    type_text(screen.search, msgid.replace("&", "").split("{")[0].strip()[:12])
    assert screen.open_key((None, msgid)), msgid
    for editor, text in zip(screen.editors, strings, strict=True):
        editor.clear()
        type_text(editor, text)
    qtbot.keyClick(window, Qt.Key_Return, Qt.ControlModifier)  # Item ▸ Submit


def test_hausa_translated_reviewed_and_spoken_by_a_third_device(qtbot, open_app, live_server,
                                                                tmp_path):
    amina = _enroll(live_server, tmp_path, "amina", [HAUSA])
    bala = _enroll(live_server, tmp_path, "bala", [HAUSA])
    chidi = _enroll(live_server, tmp_path, "chidi", ["urd_Arab"])

    # --- A translates, on the Translate screen, in an English interface --------------------
    window = open_app(amina.data_dir, ui_language="en", active=True)
    screen = _translate_screen(qtbot, window)
    # A placeholder mistake: refused as it is typed, and again on Ctrl+Enter; nothing saved.
    _translate(qtbot, window, screen, "Writing in {language}", ["Rubutu cikin {harshe}"])
    assert "placeholders differ" in screen.check.text()
    assert not screen.save_button.isEnabled()
    qtbot.wait(300)
    assert _suggestions(window) == []
    with Store.open(amina.db_path, readonly=True) as store:
        assert [e for e in store.outbox() if e.entity == "ui_translation"] == []
    assert "Not saved" in window.statusBar().currentMessage()

    for count, (msgid, strings) in enumerate(WORK, start=1):
        _translate(qtbot, window, screen, msgid, strings)
        qtbot.waitUntil(lambda n=count: len(_suggestions(window)) == n, timeout=5000)
    saved = {s.msgid: list(s.strings) for s in _suggestions(window)}
    assert saved == dict(WORK)
    _sync_in_app(qtbot, window)
    window.close()

    # --- B reviews: accepts 19, rejects one with a reason ---------------------------------
    window = open_app(bala.data_dir, ui_language="en", active=True)
    _sync_in_app(qtbot, window)
    screen = _translate_screen(qtbot, window)
    screen.filter.setCurrentIndex(screen.filter.findData("review"))
    assert screen.model.rowCount() == len(WORK)
    votes = 0
    while screen.model.rowCount():
        screen.list.setCurrentIndex(screen.model.index(0))
        row = screen.current
        assert [s.author_name for s in row.others] == ["amina"]
        screen.suggestions.setCurrentRow(0)
        if row.entry.msgid == REJECTED:
            qtbot.mouseClick(screen.reject_button, Qt.LeftButton)  # no reason: refused
            assert ui_translations.my_votes(window.reader) == {} or votes
            type_text(screen.reason, "Bita is a loanword here; say Sake duba")
            qtbot.mouseClick(screen.reject_button, Qt.LeftButton)
        else:
            qtbot.mouseClick(screen.accept_button, Qt.LeftButton)
        votes += 1
        qtbot.waitUntil(lambda n=votes: len(ui_translations.my_votes(window.reader)) == n
                        and screen.model.rowCount() == len(WORK) - n, timeout=5000)
    verdicts = list(ui_translations.my_votes(window.reader).values())
    assert sorted(verdicts) == ["accept"] * 19 + ["reject"]
    _sync_in_app(qtbot, window)
    window.close()

    # --- the server kept every suggestion and vote, and compiled the catalog --------------
    from sync.server.translation import catalogs

    [progress] = catalogs.progress(live_server.engine)
    assert (progress.language, progress.translated, progress.rejected) == (HAUSA, 19, 1)

    # --- C syncs, then starts with --ui-language ha ----------------------------------------
    assert chidi.sync().complete
    from ui.cli import build_parser

    assert build_parser().parse_args(["--ui-language", "ha"]).ui_language == "ha"
    window = open_app(chidi.data_dir, ui_language="ha", active=True)
    menus = [a.text() for a in window.findChild(QMenuBar).actions()]
    assert menus == ["&Fayil", "&Je", "&Abu", "&Duba", "&Taimako"]
    file_menu = window.findChild(QMenuBar).actions()[0].menu()
    assert [a.text() for a in file_menu.actions()][:1] == ["&Shigo da ayyuka…"]
    assert "&Rufe" in [a.text() for a in file_menu.actions()]
    window.show_screen("write")
    write = window.screens["write"]
    nav = [window.nav.item(i).text().split("\t")[0] for i in range(window.nav.count())]
    assert nav[:6] == ["Rubuta", "Improve", "Review", "Post-edit", "Aikina", "Ci gaba"]
    labels = {w.text() for w in write.findChildren(QLabel)}
    assert {"&Batutuwa", "&Tambaya", "&Amsa"} <= labels
    assert write.new_button.text() == "Sabon &abu (Ctrl+N)"
    assert write.tasks.progress_text() == "An gama ⁨0⁩ daga cikin ⁨0⁩"
    buttons = {b.text() for b in write.findChildren(QPushButton)}
    assert "&Submit (Ctrl+Enter)" in buttons  # not translated: stays English, per string
    assert window.layoutDirection() == Qt.LeftToRight
    # Settings and the first-start dialog list Hausa, with how complete it is.
    from ui import ui_locale

    assert "ha" in [loc.tag for loc in __import__("i18n.catalogs").catalogs.offered()]
    assert ui_locale.picker_name("ha").startswith("Hausa — ")
    shot = _screenshots(tmp_path) / "hausa-write.png"
    window.grab().save(str(shot))
    assert shot.stat().st_size > 10_000


def test_a_pashto_catalog_lays_the_window_out_right_to_left(qtbot, open_app, live_server,
                                                            tmp_path):
    from i18n import messages
    from sync.server.translation import po
    from tests.server.test_ui_translation_po import write_po

    users.invite(live_server.engine, name="noor", role="coordinator", languages=[])
    entries = {entry.msgid: entry for entry in messages.template_entries()}
    pashto = [(entries["&File"], ["&دوتنه"]), (entries["Write"], ["ليکل"]),
              (entries["&Prompt"], ["&پوښتنه"]), (entries["&Completion"], ["&ځواب"])]
    source = write_po(tmp_path / "ps.po", pashto, plural_forms="nplurals=2; plural=(n != 1);")
    assert po.import_po(live_server.engine, source, language="pbt_Arab",
                        by="noor").imported == 4

    gul = _enroll(live_server, tmp_path, "gul", ["pbt_Arab"])
    assert gul.sync().complete
    window = open_app(gul.data_dir, ui_language="ps", active=True)
    assert community.get("ps").direction == "rtl"
    assert window.layoutDirection() == Qt.RightToLeft
    assert window.findChild(QMenuBar).actions()[0].text() == "&دوتنه"
    window.show_screen("write")
    nav_x = window.nav.mapTo(window, QPoint(0, 0)).x()
    stack_x = window.stack.mapTo(window, QPoint(0, 0)).x()
    assert nav_x > stack_x  # the navigation is on the right: mirrored
    write = window.screens["write"]
    prompt_label = next(w for w in write.findChildren(QLabel) if w.text() == "&پوښتنه")
    assert prompt_label.layoutDirection() == Qt.RightToLeft
    window.grab().save(str(_screenshots(tmp_path) / "pashto-write.png"))


@pytest.fixture(autouse=True)
def _forget_catalogs():
    yield
    community.forget_all()  # the next test's interface starts from the shipped catalogs
