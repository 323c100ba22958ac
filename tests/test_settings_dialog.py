"""Settings: its digits box tells the truth and can be used; Ctrl+, opens it on every platform."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings, Qt

from app import paths
from app.store import Store
from i18n import formatting
from ui import ui_locale
from ui.dialogs.settings import SettingsDialog


@pytest.fixture
def english_afterwards(qapp):
    yield
    ui_locale.apply("en")


@pytest.mark.parametrize(("tag", "own"), [("ur", "۱۲۳"), ("hi", "१२३")])
def test_native_digits_box_is_not_ticked_and_greyed_while_western_digits_are_shown(
        qtbot, english_afterwards, tag, own):
    ui_locale.apply(tag, native_digits=None)  # the setting left alone: CLDR says Latin digits
    assert formatting.format_integer(123) == "123"
    dialog = SettingsDialog(tag, None)
    qtbot.addWidget(dialog)
    box = dialog.native_digits
    assert box.isEnabled() and not box.isChecked()  # the box says what is shown
    assert dialog.values() == (tag, None)           # nothing pinned while untouched
    box.click()                                     # the language has digits of its own
    assert box.isChecked() and dialog.values() == (tag, True)
    ui_locale.apply(tag, native_digits=True)
    assert formatting.format_integer(123) == own


def test_native_digits_box_is_ticked_where_the_language_shows_its_own_digits(
        qtbot, english_afterwards):
    dialog = SettingsDialog("fa", None)
    qtbot.addWidget(dialog)
    assert dialog.native_digits.isEnabled() and dialog.native_digits.isChecked()
    dialog.native_digits.click()
    assert dialog.values() == ("fa", False)
    dialog.ui_language.setCurrentIndex(dialog.ui_language.findData("en"))
    assert not dialog.native_digits.isEnabled() and not dialog.native_digits.isChecked()


def test_the_old_digits_setting_reads_as_before(tmp_path, qapp):
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.IniFormat)
    settings.setValue(ui_locale.NATIVE_DIGITS_KEY, "true")  # stored by every old OK
    assert ui_locale.native_digits_setting(settings) is None    # CLDR's default, as it was
    settings.setValue(ui_locale.NATIVE_DIGITS_KEY, "false")
    assert ui_locale.native_digits_setting(settings) is False
    ui_locale.save_native_digits(settings, True)
    assert ui_locale.native_digits_setting(settings) is True
    assert settings.value(ui_locale.NATIVE_DIGITS_KEY) is None
    ui_locale.save_native_digits(settings, None)
    assert ui_locale.native_digits_setting(settings) is None


def test_ctrl_comma_opens_settings_and_the_sheet_lists_it(qtbot, open_app, tmp_path):
    from ui.dialogs.shortcuts import ShortcutsDialog

    with Store.open(paths.database_path(tmp_path)):
        pass
    opened = []
    window = open_app(tmp_path, ui_language="en", active=True,
                      on_settings=lambda: opened.append(1))
    qtbot.keyClick(window, Qt.Key_Comma, Qt.ControlModifier)
    assert opened == [1]
    sheet = ShortcutsDialog(window.actions(), window)
    qtbot.addWidget(sheet)
    rows = {sheet.table.item(row, 1).text(): sheet.table.item(row, 0).text()
            for row in range(sheet.table.rowCount())}
    assert "Ctrl+," in rows["Settings…"].split(", ")
