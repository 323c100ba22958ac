"""Qt's own strings speak the UI language, also where PySide6 ships no qtbase_*.qm."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QLibraryInfo, Qt, QTranslator
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QLineEdit, QMessageBox

from i18n import translation
from i18n.qt_strings import QT_STRINGS
from ui import qt_translation, ui_locale

QT_TRANSLATIONS = Path(QLibraryInfo.path(QLibraryInfo.TranslationsPath))


def read_qm(path: Path) -> list[dict]:
    """(context, source, translations) of every message in a Qt .qm file."""
    data = path.read_bytes()
    assert data[:16] == bytes.fromhex("3CB86418CAEF9C95CD211CBF60A1BDDD")
    pos, sections = 16, {}
    while pos < len(data):
        tag, (length,) = data[pos], struct.unpack(">I", data[pos + 1 : pos + 5])
        sections[tag] = data[pos + 5 : pos + 5 + length]
        pos += 5 + length
    messages, current, blob, i = [], {}, sections[0x69], 0
    while i < len(blob):
        tag = blob[i]
        i += 1
        if tag == 1:  # end of message
            messages.append(current)
            current = {}
        elif tag == 3:  # translation, UTF-16
            (length,) = struct.unpack(">I", blob[i : i + 4])
            length = 0 if length == 0xFFFFFFFF else length
            current.setdefault("tr", []).append(blob[i + 4 : i + 4 + length].decode("utf-16-be"))
            i += 4 + length
        elif tag in (6, 7, 8):  # source, context, comment (UTF-8)
            (length,) = struct.unpack(">I", blob[i : i + 4])
            key = {6: "source", 7: "context", 8: "comment"}[tag]
            current[key] = blob[i + 4 : i + 4 + length].rstrip(b"\0").decode("utf-8")
            i += 4 + length
        elif tag != 5:
            raise ValueError(f"unknown .qm tag {tag}")
    return messages


@pytest.fixture
def ui(qapp):
    applied = []

    def use(tag):
        applied.append(ui_locale.apply(tag))
        return applied[-1]

    yield use
    ui_locale.apply("en")


class Recorder(QTranslator):
    """Notes every (context, source) Qt asks to translate, and answers none."""

    def __init__(self):
        super().__init__()
        self.asked = set()

    def translate(self, context, source_text, disambiguation=None, n=-1):
        qt_translation.balance_none(disambiguation)  # see ui/qt_translation.py
        self.asked.add((context, source_text))
        return source_text  # never None

    def isEmpty(self):
        return False


@pytest.fixture(scope="module")
def asked_by_qt(qapp):
    """What the standard buttons, both text-field menus and the widget file dialog ask for."""
    from PySide6.QtWidgets import QFileDialog, QTextEdit

    recorder = Recorder()
    qapp.installTranslator(recorder)
    try:
        widgets = []
        for mode in (QFileDialog.AcceptOpen, QFileDialog.AcceptSave):
            dialog = QFileDialog(None, "", "", "")
            dialog.setOption(QFileDialog.DontUseNativeDialog)
            dialog.setAcceptMode(mode)
            dialog.show()
            widgets.append(dialog)
        QApplication.processEvents()
        box = QMessageBox(QMessageBox.Question, "", "", QMessageBox.Ok | QMessageBox.Cancel
                          | QMessageBox.Yes | QMessageBox.No | QMessageBox.Save
                          | QMessageBox.Discard | QMessageBox.Close | QMessageBox.Apply)
        widgets.append(box)
        for edit in (QLineEdit(), QTextEdit()):
            edit.createStandardContextMenu().deleteLater()
            widgets.append(edit)
        for widget in widgets:
            widget.close()
            widget.deleteLater()
    finally:
        qapp.removeTranslator(recorder)
    return recorder.asked


CONTEXTS = {"QPlatformTheme", "QLineEdit", "QWidgetTextControl", "QFileDialog",
            "QFileSystemModel", "QMessageBox"}
KEY_SEQUENCES = {"Alt+Left", "Alt+Right", "Alt+Up"}  # parsed back into shortcuts by Qt


def test_every_listed_qt_string_is_a_real_qt_source_string(asked_by_qt):
    known = {(m.get("context"), m.get("source")) for m in read_qm(QT_TRANSLATIONS / "qtbase_fr.qm")}
    assert [pair for pair in QT_STRINGS if pair not in known | asked_by_qt] == []


def test_every_string_qt_asks_for_is_listed(asked_by_qt):
    wanted = {(c, s) for c, s in asked_by_qt if c in CONTEXTS and s not in KEY_SEQUENCES}
    assert sorted(wanted - set(QT_STRINGS)) == []


def _ours(context, source):
    found = translation.lookup(context, source)
    assert found, f"no translation of {context}/{source!r} in {translation.current_locale()}"
    return found


@pytest.mark.parametrize("tag", ["ur", "ar", "hi", "am", "yo"])
def test_message_box_standard_buttons_are_translated(qtbot, ui, tag):
    ui(tag)
    box = QMessageBox(QMessageBox.Question, "Qalam", "?",
                      QMessageBox.Save | QMessageBox.Discard | QMessageBox.Cancel)
    qtbot.addWidget(box)
    texts = {box.button(b).text() for b in (QMessageBox.Save, QMessageBox.Discard,
                                             QMessageBox.Cancel)}
    expected = {_ours("QPlatformTheme", s) for s in ("Save", "Discard", "Cancel")}
    assert texts == expected
    assert not texts & {"Save", "Discard", "Cancel"}
    buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
    qtbot.addWidget(buttons)
    assert buttons.button(QDialogButtonBox.Ok).text() == _ours("QPlatformTheme", "OK")


@pytest.mark.parametrize("tag", ["ur", "ar", "bn", "sw"])
def test_line_edit_context_menu_is_translated(qtbot, ui, tag):
    ui(tag)
    edit = QLineEdit("متن")
    qtbot.addWidget(edit)
    menu = edit.createStandardContextMenu()
    texts = [a.text().split("\t")[0] for a in menu.actions() if not a.isSeparator()]
    expected = [_ours("QLineEdit", s) for s in
                ("&Undo", "&Redo", "Cu&t", "&Copy", "&Paste", "Delete", "Select All")]
    assert texts[: len(expected)] == expected
    menu.deleteLater()


def test_ours_take_precedence_over_qt_and_qt_fills_the_rest(ui):
    ui("ar")
    # qtbase_ar.qm says "ارفض" for Discard; our catalog's wording wins.
    assert QCoreApplication.translate("QPlatformTheme", "Discard") == _ours(
        "QPlatformTheme", "Discard"
    )
    # A string we do not list still comes from Qt's Arabic catalog.
    assert QCoreApplication.translate("QColorDialog", "Select Color") != "Select Color"
    ui("ur")  # no qtbase_ur.qm: unlisted strings stay English, listed ones are ours
    assert QCoreApplication.translate("QColorDialog", "Select Color") == "Select Color"
    assert len(qt_translation.installed()) == 1


@pytest.mark.parametrize(("tag", "direction"), [("ur", "RTL"), ("ar", "RTL"), ("fr", "LTR")])
def test_qt_layout_direction_string_follows_the_locale(ui, tag, direction):
    ui(tag)
    assert QCoreApplication.translate("QGuiApplication", "QT_LAYOUT_DIRECTION") == direction
    expected = Qt.RightToLeft if direction == "RTL" else Qt.LeftToRight
    assert QApplication.layoutDirection() == expected


@pytest.mark.parametrize("tag", ["ur", "hi"])
def test_file_dialog_is_translated(qtbot, ui, tag):
    from PySide6.QtWidgets import QFileDialog, QLabel

    ui(tag)
    dialog = QFileDialog(None, "", "", "")
    dialog.setOption(QFileDialog.DontUseNativeDialog)
    dialog.setAcceptMode(QFileDialog.AcceptOpen)
    qtbot.addWidget(dialog)
    labels = {label.text() for label in dialog.findChildren(QLabel)}
    assert _ours("QFileDialog", "&Look in:") in labels
    assert _ours("QFileDialog", "File &name:") in labels
    assert _ours("QFileDialog", "Files of &type:") in labels


def test_untranslated_strings_do_not_leak_references(ui):
    """PySide6 6.12 drops a reference to None per call of a Python translate() override
    (the test process aborted at exit before ui/qt_translation.py balanced it)."""
    import sys

    ui("ur")
    before = sys.getrefcount(None)
    for _ in range(2000):
        assert QCoreApplication.translate("NoSuchContext", "no such string") == "no such string"
        QCoreApplication.translate("QPlatformTheme", "Cancel")
        QCoreApplication.translate("QFileDialog", "%n file(s)", None, 2)
    assert abs(sys.getrefcount(None) - before) < 100
