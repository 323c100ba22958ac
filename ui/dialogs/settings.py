"""Settings: the interface language and its digits (the content language is elsewhere).

The digits box says what is shown: ticked exactly when numbers appear in the language's own
digits (Urdu ۱۲۳, Hindi १२३), and usable wherever the language has digits of its own. Left as
CLDR has it for the language, the choice is not pinned: ``values()`` gives None, so another
interface language later shows its own default.
"""

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
from ui import fitting, ui_locale


class SettingsDialog(QDialog):
    """``values()`` after ``exec()`` gives ``(ui_language, native_digits)``, the latter True,
    False or None (CLDR's default for the language)."""

    def __init__(self, current: str, native_digits: bool | None, parent=None):
        super().__init__(parent)
        self.setObjectName("settingsDialog")
        self.setWindowTitle(_("Settings"))
        self._native_digits = native_digits  # the setting, kept until the box is clicked
        self.ui_language = QComboBox(objectName="uiLanguage")
        tags = [loc.tag for loc in catalogs.offered()]
        if current not in tags:  # a pseudo-locale or an incomplete catalog chosen by option
            tags.append(current)
        for tag in tags:
            self.ui_language.addItem(ui_locale.picker_name(tag), tag)
        self.ui_language.setCurrentIndex(tags.index(current))
        self.native_digits = QCheckBox(_("Show numbers in the language's own &digits"),
                                       objectName="nativeDigits")
        self.native_digits.clicked.connect(self._digits_chosen)
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
        fitting.fit_dialog(self)

    def _update_digits(self) -> None:
        """The box for the language chosen: usable when it has digits of its own, ticked
        when they are what it would show."""
        tag = self.ui_language.currentData()
        has_own = bool(tag) and formatting.native_system_for(tag) is not None
        self.native_digits.setEnabled(has_own)
        self.native_digits.setChecked(
            has_own and formatting.uses_native_digits(tag, self._native_digits))

    def _digits_chosen(self, checked: bool) -> None:
        tag = self.ui_language.currentData()
        default = formatting.uses_native_digits(tag, None)
        self._native_digits = None if checked == default else checked

    def values(self) -> tuple[str, bool | None]:
        return self.ui_language.currentData(), self._native_digits
