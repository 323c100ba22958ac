"""First start: ask which language the interface should speak.

Each language is listed by its own name, in its own script and font: the bundled fonts are
registered before this dialog opens (ui/application.py), and each name is given the bundled
family for its script, so a laptop with no fonts for Hindi or Amharic still shows हिन्दी and
አማርኛ, not boxes.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
)

from i18n import catalogs
from i18n.translation import _
from ui import fitting, ui_locale
from ui.fonts import font_for_script


class FirstRunDialog(QDialog):
    """Lists the offered UI locales by native name; ``chosen()`` after ``exec()``."""

    def __init__(self, preselect: str, parent=None):
        super().__init__(parent)
        self.setObjectName("firstRunDialog")
        self.setWindowTitle(_("Welcome to Qalam"))
        intro = QLabel(_("Choose the language of Qalam's menus and buttons. You can change it "
                         "later in Settings; the language you write in is chosen separately."),
                       wordWrap=True)
        self.languages = QListWidget(objectName="uiLanguages")
        self.languages.setAccessibleName(_("Interface language"))
        intro.setBuddy(self.languages)
        for loc in catalogs.offered():
            item = QListWidgetItem(ui_locale.picker_name(loc.tag))
            item.setData(Qt.UserRole, loc.tag)
            item.setFont(font_for_script(ui_locale.script_of(loc.tag)))
            # Each name in its own direction, whatever the dialog's.
            rtl = ui_locale.direction_of(loc.tag) == "rtl"
            item.setTextAlignment((Qt.AlignRight if rtl else Qt.AlignLeft) | Qt.AlignAbsolute
                                  | Qt.AlignVCenter)
            self.languages.addItem(item)
            if loc.tag == preselect:
                self.languages.setCurrentItem(item)
        if self.languages.currentItem() is None:
            self.languages.setCurrentRow(0)
        self.languages.itemActivated.connect(self.accept)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok)
        buttons.accepted.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.languages, 1)
        layout.addWidget(buttons)
        self.resize(420, 480)
        fitting.fit_dialog(self)  # a netbook at 125% has 480 pixels in all

    def chosen(self) -> str:
        return self.languages.currentItem().data(Qt.UserRole)
