"""First start: ask which language the interface should speak."""

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
from ui import ui_locale


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
            item = QListWidgetItem(ui_locale.native_name(loc.tag))
            item.setData(Qt.UserRole, loc.tag)
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

    def chosen(self) -> str:
        return self.languages.currentItem().data(Qt.UserRole)
