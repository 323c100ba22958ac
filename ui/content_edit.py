"""A plain-text editor for annotation content, laid out in the content language's direction.

Direction comes from the *script* of the content language (i18n.languages), never from the UI
language and never from the first strong character: an Urdu paragraph that starts with a
Latin word is still a right-to-left paragraph, right-aligned. QTextEdit rather than
QPlainTextEdit, which lays Arabic out right-to-left but leaves it left-aligned (QTBUG-7516).

A field that cannot take input is never a silent grey box: :meth:`ContentEdit.lock` makes it
read-only with a reason, shown in the empty field and emitted (``typing_refused``) when a
key that would type is pressed, so the screen can say what to do first.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QTextOption
from PySide6.QtWidgets import QTextEdit, QWidget

from app.text import MAX_FIELD_CHARS
from i18n.languages import Language
from ui.fonts import font_for_script


class ContentEdit(QTextEdit):
    focus_lost = Signal()
    paste_refused = Signal(int)  # characters the field would have had
    typing_refused = Signal(str)  # the lock's reason: a key that would type was pressed

    def __init__(self, parent: QWidget | None = None, *, accessible_name: str = ""):
        super().__init__(parent)
        self.setAcceptRichText(False)
        self.setTabChangesFocus(True)  # Tab moves on; annotation text rarely needs tabs
        self.setAccessibleName(accessible_name)
        self.language: Language | None = None
        self._lock_reason = ""

    def lock(self, reason: str | None) -> None:
        """Read-only for ``reason`` (said in the empty field and when typed into), or
        editable again (None)."""
        self._lock_reason = reason or ""
        self.setReadOnly(reason is not None)
        self.setPlaceholderText(self._lock_reason)

    def explain_read_only(self, reason: str) -> None:
        """For a field read-only by nature (an original, a source): what a key typed into
        it is told (``typing_refused``), so typing there is never silently lost."""
        self._lock_reason = reason

    def keyPressEvent(self, event) -> None:
        if self.isReadOnly() and self._lock_reason and _types(event):
            self.typing_refused.emit(self._lock_reason)
        super().keyPressEvent(event)

    def set_language(self, language: Language) -> None:
        self.language = language
        direction = Qt.RightToLeft if language.is_rtl else Qt.LeftToRight
        alignment = Qt.AlignRight if language.is_rtl else Qt.AlignLeft
        option = self.document().defaultTextOption()
        option.setTextDirection(direction)
        option.setAlignment(alignment | Qt.AlignAbsolute)
        option.setWrapMode(QTextOption.WrapAtWordBoundaryOrAnywhere)
        self.document().setDefaultTextOption(option)
        # The widget's own direction drives the cursor keys and the scroll bar side.
        self.setLayoutDirection(direction)
        self.setFont(font_for_script(language.script, language=language.code))

    def insertFromMimeData(self, source) -> None:
        # Refuse a paste the store would refuse anyway, before Qt spends seconds laying out
        # a megabyte of text; what is already in the field stays as it is.
        if source.hasText():
            selected = len(self.textCursor().selectedText())
            length = len(self.toPlainText()) - selected + len(source.text())
            if length > MAX_FIELD_CHARS:
                self.paste_refused.emit(length)
                return
        super().insertFromMimeData(source)

    def focusOutEvent(self, event) -> None:
        super().focusOutEvent(event)
        self.focus_lost.emit()

    def text(self) -> str:
        return self.toPlainText()

    def set_text(self, text: str) -> None:
        """Replace the content without adding to undo history (loading, not editing)."""
        self.blockSignals(True)
        self.setPlainText(text)
        self.blockSignals(False)
        self.document().clearUndoRedoStacks()


def _types(event) -> bool:
    """A key press that would insert text (not a shortcut, not a cursor key)."""
    text = event.text()
    commands = Qt.ControlModifier | Qt.AltModifier | Qt.MetaModifier
    return bool(text) and text.isprintable() and not (event.modifiers() & commands)
