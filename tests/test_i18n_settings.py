"""Choosing the UI language: first start, settings, command line, environment."""

from __future__ import annotations

import subprocess
import sys

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication

from app import paths
from i18n import catalogs, translation
from ui import application, ui_locale
from ui.dialogs.first_run import FirstRunDialog
from ui.dialogs.settings import SettingsDialog


@pytest.fixture
def english_afterwards(qapp):
    yield
    ui_locale.apply("en")


def _settings(tmp_path):
    return QSettings(str(paths.settings_path(tmp_path)), QSettings.IniFormat)


def test_precedence_option_then_environment_then_setting(tmp_path, monkeypatch):
    settings = _settings(tmp_path)
    monkeypatch.delenv(ui_locale.ENV_VAR, raising=False)
    assert ui_locale.chosen(settings) is None  # first start: nothing chosen yet
    settings.setValue(ui_locale.LANGUAGE_KEY, "fr")
    assert ui_locale.chosen(settings) == "fr"
    monkeypatch.setenv(ui_locale.ENV_VAR, "ur-PK")
    assert ui_locale.chosen(settings) == "ur"
    assert ui_locale.chosen(settings, "en-XA") == "en-XA"


def test_environment_variable_sets_the_window_language(open_app, tmp_path, monkeypatch,
                                                       english_afterwards):
    monkeypatch.setenv(ui_locale.ENV_VAR, "ur")
    window = open_app(tmp_path)
    assert window.layoutDirection() == Qt.RightToLeft
    assert translation.current_locale() == "ur"


def test_first_run_lists_offered_languages_by_native_name(qtbot, english_afterwards,
                                                          monkeypatch):
    monkeypatch.setattr(catalogs, "compiled_completeness",
                        lambda tag: 0.5 if tag == "ta" else 1.0)
    dialog = FirstRunDialog("ur")
    qtbot.addWidget(dialog)
    names = [dialog.languages.item(i).text() for i in range(dialog.languages.count())]
    tags = [dialog.languages.item(i).data(Qt.UserRole) for i in range(dialog.languages.count())]
    assert "ta" not in tags  # below the completeness threshold
    assert not any(tag.endswith(("XA", "XB")) for tag in tags)
    assert {"English", "اردو", "العربية", "हिन्दी", "Français", "Kiswahili"} <= set(names)
    assert dialog.chosen() == "ur"


def test_settings_dialog_offers_languages_and_native_digits(qtbot, english_afterwards):
    dialog = SettingsDialog("fa", True)
    qtbot.addWidget(dialog)
    assert dialog.values() == ("fa", True)
    assert dialog.native_digits.isEnabled()  # Persian has its own digits
    dialog.ui_language.setCurrentIndex(dialog.ui_language.findData("en"))
    assert not dialog.native_digits.isEnabled()
    assert dialog.values()[0] == "en"
    pseudo = SettingsDialog("en-XA", True)
    qtbot.addWidget(pseudo)
    assert pseudo.values()[0] == "en-XA"  # the current one is listed even if not offered


def test_direction_is_set_before_widgets_exist(qapp, english_afterwards):
    ui_locale.apply("ur")
    assert QApplication.layoutDirection() == Qt.RightToLeft
    ui_locale.apply("ps")  # no catalog and no Qt translation: still right to left
    assert QApplication.layoutDirection() == Qt.RightToLeft
    ui_locale.apply("hi")
    assert QApplication.layoutDirection() == Qt.LeftToRight


def _qalam(*args):
    return subprocess.run([sys.executable, "-m", "ui.cli", *args], capture_output=True,
                          text=True, timeout=60)


def test_cli_ui_language_option():
    assert "--ui-language" in _qalam("--help").stdout
    result = _qalam("--ui-language", "xx-nonsense", "--version")
    assert result.returncode == 2 and "no UI language" in result.stderr


def test_first_start_asks_once_and_saves_the_choice(qapp, tmp_path, monkeypatch,
                                                    english_afterwards):
    monkeypatch.delenv(ui_locale.ENV_VAR, raising=False)
    asked = []

    def answer(dialog):
        asked.append([dialog.languages.item(i).data(Qt.UserRole)
                      for i in range(dialog.languages.count())])
        dialog.languages.setCurrentRow(
            next(i for i in range(dialog.languages.count())
                 if dialog.languages.item(i).data(Qt.UserRole) == "sw"))
        return 1

    monkeypatch.setattr(FirstRunDialog, "exec", answer)
    application.choose_first_ui_language(tmp_path)
    assert _settings(tmp_path).value(ui_locale.LANGUAGE_KEY) == "sw"
    application.choose_first_ui_language(tmp_path)  # chosen already: not asked again
    assert len(asked) == 1 and "en" in asked[0]


def test_settings_action_reopens_the_window_in_the_new_language(qtbot, tmp_path,
                                                                monkeypatch,
                                                                english_afterwards):
    monkeypatch.delenv(ui_locale.ENV_VAR, raising=False)
    host = application.WindowHost(tmp_path)
    try:
        old = host.window
        old.show()
        action = old.findChild(type(old.actions()[0]), "settingsAction")
        assert action is not None and action.text() == translation._("Se&ttings…")

        def choose_urdu(dialog):
            dialog.ui_language.setCurrentIndex(dialog.ui_language.findData("ur"))
            return 1

        monkeypatch.setattr(SettingsDialog, "exec", choose_urdu)
        action.trigger()
        qtbot.waitUntil(lambda: host.window is not old, timeout=5000)
        assert host.window.layoutDirection() == Qt.RightToLeft
        assert _settings(tmp_path).value(ui_locale.LANGUAGE_KEY) == "ur"
    finally:
        host.window.close()
        host.shutdown()
