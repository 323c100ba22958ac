"""Typing any script into a widget with real key events.

``QTest.keyClicks`` only knows ASCII (it asserts on anything else), so each character goes as
a key press/release pair carrying its text, the way a keyboard layout delivers it.
"""

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication


def type_text(widget, text: str) -> None:
    for char in text:
        key = Qt.Key_Return if char == "\n" else Qt.Key_unknown
        if char.isascii() and char.isalnum():
            key = Qt.Key(ord(char.upper()))
        elif char == " ":
            key = Qt.Key_Space
        for kind in (QEvent.KeyPress, QEvent.KeyRelease):
            QApplication.sendEvent(widget, QKeyEvent(kind, key, Qt.NoModifier, char))
        QApplication.processEvents()
