"""Small widgets the screens share: read-only content, diffs, thumbs, 1–5 scores, findings.

Every widget that shows annotation content takes its direction and font from the content
language (as :class:`ui.content_edit.ContentEdit` does), never from the UI language.
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QWidget,
)

from i18n.translation import _
from ui.content_edit import ContentEdit


class ContentView(ContentEdit):
    """Read-only annotation content (an original, a source, a machine translation)."""

    def __init__(self, parent: QWidget | None = None, *, accessible_name: str = ""):
        super().__init__(parent, accessible_name=accessible_name)
        self.setReadOnly(True)
        self.setTextInteractionFlags(Qt.TextSelectableByKeyboard | Qt.TextSelectableByMouse)


class DiffView(ContentView):
    """A diff as ``[("equal"|"insert"|"delete", text)]``: insertions green and underlined,
    deletions red and struck through, in the content language's direction."""

    def show_diff(self, pieces: list[tuple[str, str]]) -> None:
        rtl = self.language is not None and self.language.is_rtl
        parts = []
        for op, text in pieces:
            body = html.escape(text).replace("\n", "<br>")
            if op == "insert":
                parts.append(
                    f'<span style="background-color:#c8f0c8; text-decoration:underline">'
                    f"{body}</span>"
                )
            elif op == "delete":
                parts.append(
                    f'<span style="background-color:#f6c6c6; text-decoration:line-through">'
                    f"{body}</span>"
                )
            else:
                parts.append(body)
        direction = "rtl" if rtl else "ltr"
        align = "right" if rtl else "left"
        self.setHtml(f'<div dir="{direction}" align="{align}">{"".join(parts)}</div>')


class RatingBar(QWidget):
    """Thumbs up / thumbs down for one field. ``rated`` emits 1, -1 or None."""

    rated = Signal(object)

    def __init__(self, what: str, up_keys: str, down_keys: str, parent=None):
        super().__init__(parent)
        self.value: int | None = None
        self.up = QPushButton(_("Good ({keys})").format(keys=up_keys), checkable=True)
        self.down = QPushButton(_("Needs work ({keys})").format(keys=down_keys),
                                checkable=True)
        self.up.setAccessibleName(_("Thumbs up for the {what}").format(what=what))
        self.down.setAccessibleName(_("Thumbs down for the {what}").format(what=what))
        self.up.setToolTip(_("The original {what} is good ({keys})").format(what=what,
                                                                             keys=up_keys))
        self.down.setToolTip(_("The original {what} needs work ({keys})").format(
            what=what, keys=down_keys))
        self.group = QButtonGroup(self, exclusive=False)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for button, value in ((self.up, 1), (self.down, -1)):
            layout.addWidget(button)
            button.clicked.connect(lambda _checked=False, v=value: self.choose(v))
        layout.addStretch(1)

    def choose(self, value: int | None) -> None:
        self.set_value(value)
        self.rated.emit(value)

    def set_value(self, value: int | None) -> None:
        self.value = value
        self.up.setChecked(value == 1)
        self.down.setChecked(value == -1)


class ScoreBar(QWidget):
    """A 1–5 score: five buttons; when focused, the keys 1–5 choose and arrows move."""

    scored = Signal(object)

    def __init__(self, what: str, parent=None):
        super().__init__(parent)
        self.value: int | None = None
        self.setFocusPolicy(Qt.StrongFocus)
        self.setAccessibleName(_("Score for the {what}, 1 to 5").format(what=what))
        self.buttons: list[QPushButton] = []
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for score in range(1, 6):
            button = QPushButton(str(score), checkable=True)
            button.setFocusPolicy(Qt.NoFocus)
            button.setAccessibleName(_("{what}: {score} of 5").format(what=what, score=score))
            button.setSizePolicy(QSizePolicy.Fixed, QSizePolicy.Fixed)
            button.setFixedWidth(button.fontMetrics().horizontalAdvance("00") + 24)
            button.clicked.connect(lambda _checked=False, s=score: self.choose(s))
            self.buttons.append(button)
            layout.addWidget(button)
        layout.addStretch(1)

    def keyPressEvent(self, event) -> None:
        key = event.key()
        if Qt.Key_1 <= key <= Qt.Key_5:
            self.choose(key - Qt.Key_0)
        elif key in (Qt.Key_Right, Qt.Key_Up):
            self.choose(min(5, (self.value or 0) + 1))
        elif key in (Qt.Key_Left, Qt.Key_Down):
            self.choose(max(1, (self.value or 2) - 1))
        else:
            super().keyPressEvent(event)

    def focusInEvent(self, event) -> None:
        super().focusInEvent(event)
        self.update()

    def choose(self, value: int) -> None:
        self.set_value(value)
        self.scored.emit(value)

    def set_value(self, value: int | None) -> None:
        self.value = value
        for score, button in enumerate(self.buttons, start=1):
            button.setChecked(score == value)


class FindingsLabel(QLabel):
    """The quality findings for one field (or for the item), errors first, in red."""

    def __init__(self, field: str | None, parent=None):
        super().__init__(parent)
        self.field = field
        self.setWordWrap(True)
        self.setTextFormat(Qt.RichText)
        self.setAccessibleName(_("Checks"))
        self.findings: list = []
        self.hide()

    def show_findings(self, findings: list) -> None:
        mine = [f for f in findings if getattr(f, "field", None) == self.field]
        mine.sort(key=lambda f: f.severity != "error")
        self.findings = mine
        if not mine:
            self.clear()
            self.hide()
            return
        lines = []
        for finding in mine:
            colour, mark = {"error": ("#b00020", "✖"), "warning": ("#8a5a00", "⚠")}.get(
                finding.severity, ("#555555", "•"))
            lines.append(
                f'<span style="color:{colour}">{mark} {html.escape(finding.message)}</span>'
            )
        self.setText("<br>".join(lines))
        self.show()
