"""Settings: the interface language and native digits (the content language is elsewhere)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QVBoxLayout,
)

from i18n import catalogs, formatting
from i18n.translation import _
from ui import ui_locale


class SettingsDialog(QDialog):
    """``values()`` after ``exec()`` gives ``(ui_language, native_digits)``."""

    def __init__(self, current: str, native_digits: bool, parent=None):
        super().__init__(parent)
        self.setObjectName("settingsDialog")
        self.setWindowTitle(_("Settings"))
        self.ui_language = QComboBox(objectName="uiLanguage")
        tags = [loc.tag for loc in catalogs.offered()]
        if current not in tags:  # a pseudo-locale or an incomplete catalog chosen by option
            tags.append(current)
        for tag in tags:
            self.ui_language.addItem(ui_locale.native_name(tag), tag)
        self.ui_language.setCurrentIndex(tags.index(current))
        self.native_digits = QCheckBox(_("Show numbers in the language's own &digits"))
        self.native_digits.setChecked(native_digits)
        self.ui_language.currentIndexChanged.connect(self._update_digits)
        self._update_digits()
        note = QLabel(_("The window reopens in the new language; nothing you typed is lost. "
                        "The language you write in is chosen in the main window."),
                      wordWrap=True)
        form = QFormLayout()
        form.addRow(_("&Interface language:"), self.ui_language)
        form.addRow("", self.native_digits)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(buttons)

    def _update_digits(self) -> None:
        tag = self.ui_language.currentData()
        self.native_digits.setEnabled(bool(tag) and formatting.native_digits_for(tag) is not None)

    def values(self) -> tuple[str, bool]:
        return self.ui_language.currentData(), self.native_digits.isChecked()
