"""Guidelines beside the editor: the project's Markdown for the current kind of work."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCharFormat, QTextCursor, QTextFormat
from PySide6.QtWidgets import QDockWidget, QTextBrowser

from app.errors import NotFound
from app.store import Store
from i18n.translation import _


class GuidelinesDock(QDockWidget):
    def __init__(self, reader: Store, parent=None):
        super().__init__(_("Guidelines (F2)"), parent)
        self.setObjectName("guidelinesDock")
        self.reader = reader
        self.browser = QTextBrowser(objectName="guidelines")
        self.browser.setAccessibleName(_("Guidelines"))
        self.browser.setOpenExternalLinks(False)
        self.setWidget(self.browser)
        self.setAllowedAreas(Qt.LeftDockWidgetArea | Qt.RightDockWidgetArea)
        self.setMinimumWidth(220)
        self.shown_for: tuple[str | None, str | None] | None = None

    def show_for(self, project_id: str | None, kind: str | None) -> None:
        if (project_id, kind) == self.shown_for:
            return
        self.shown_for = (project_id, kind)
        text = ""
        if kind is not None:
            projects = []
            try:
                if project_id:
                    projects = [self.reader.project(project_id)]
            except NotFound:
                pass
            projects = projects or self.reader.projects()
            text = next((p.guideline(kind) for p in projects if p.guideline(kind)), "")
        if text:
            self.browser.setMarkdown(text)
            _tone_down_headings(self.browser)
        elif kind is None:
            self.browser.setPlainText(_(
                "The project's guidelines appear here beside the Write, Improve, Review and "
                "Post-edit screens."))
        else:
            self.browser.setPlainText(_("No guidelines for this kind of work yet."))


# Markdown headings at Qt's default sizes (up to twice the text) crowd a side panel: one
# step of QTextFormat.FontSizeAdjustment ("large") for h1 and h2, none below.
_HEADING_ADJUSTMENT = {1: 1, 2: 1}


def _tone_down_headings(browser: QTextBrowser) -> None:
    block = browser.document().begin()
    while block.isValid():
        level = block.blockFormat().headingLevel()
        if level:
            cursor = QTextCursor(block)
            cursor.movePosition(QTextCursor.EndOfBlock, QTextCursor.KeepAnchor)
            char_format = QTextCharFormat()
            char_format.setProperty(QTextFormat.FontSizeAdjustment,
                                    _HEADING_ADJUSTMENT.get(level, 0))
            cursor.mergeCharFormat(char_format)
        block = block.next()
