"""A notice above the work: something the person should know at start, said once.

    Notice(window, text, name="provisioningNotice", accessible_name=_("Provisioning problem"))

Non-modal and never focused (the keyboard stays where it was), closed with its button,
announced to screen readers as an alert; the text is selectable, so a person can copy it to
their coordinator. It sits in the main window's top dock area, above the screens.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible, QAccessibleEvent
from PySide6.QtWidgets import (
    QDockWidget,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QToolButton,
    QWidget,
)

from i18n.translation import _

WARNING_BACKGROUND = "#fff4ce"


class Notice(QDockWidget):
    def __init__(self, window, text: str, *, name: str, accessible_name: str):
        super().__init__(window, objectName=name)
        self.setFeatures(QDockWidget.DockWidgetClosable)
        self.setTitleBarWidget(QWidget())  # no title bar: it reads as a banner
        self.setFocusPolicy(Qt.NoFocus)
        self.setAttribute(Qt.WA_ShowWithoutActivating)
        body = QWidget(objectName=f"{name}Body")
        body.setStyleSheet(f"#{name}Body {{ background: {WARNING_BACKGROUND}; color: black; }}")
        self.label = QLabel(text, wordWrap=True, objectName=f"{name}Text")
        self.label.setTextFormat(Qt.PlainText)
        self.label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.label.setAccessibleName(accessible_name)
        self.label.setAccessibleDescription(text)
        close = QToolButton(text="×", objectName=f"{name}Close")
        close.setAccessibleName(_("Close this notice"))
        close.setToolTip(_("Close this notice"))
        close.setFocusPolicy(Qt.NoFocus)
        close.clicked.connect(self.close)
        layout = QHBoxLayout(body)
        layout.setContentsMargins(8, 4, 4, 4)
        layout.addWidget(self.label, 1)
        layout.addWidget(close, 0, Qt.AlignTop)
        self._layout = layout
        self.setWidget(body)
        window.addDockWidget(Qt.TopDockWidgetArea, self)
        self.show()
        QAccessible.updateAccessibility(QAccessibleEvent(self.label, QAccessible.Alert))

    def text(self) -> str:
        return self.label.text()

    def add_action(self, text: str, slot) -> QPushButton:
        """A button before the close button that does ``slot`` and closes the notice."""
        button = QPushButton(text, objectName=f"{self.objectName()}Action")
        button.setFocusPolicy(Qt.NoFocus)
        button.clicked.connect(lambda: (self.close(), slot()))
        self._layout.insertWidget(self._layout.count() - 1, button, 0, Qt.AlignTop)
        return button
