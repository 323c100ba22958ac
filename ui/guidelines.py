"""Guidelines beside the editor: the project's Markdown for the current kind of work, in the
annotator's language where it is written.

    dock.show_for(project_id, "original", "urd_Arab")

The text is the content language's, else the interface language's, else English
(:func:`app.guidelines.choose`); Qalam's general guidelines stand in for a project that has
none for this kind of work. A line above the text says when it is not in the language asked
for, or is a machine draft, or is the general one.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCharFormat, QTextCursor, QTextFormat
from PySide6.QtWidgets import QDockWidget, QLabel, QTextBrowser, QVBoxLayout, QWidget

from app.errors import NotFound
from app.guidelines import DEFAULT_LANGUAGE, Choice, choose, choose_with_general
from app.store import Store
from i18n import languages
from i18n.bidi import format_message
from i18n.translation import _, current_locale
from ui.fonts import font_for_script


class GuidelinesDock(QDockWidget):
    def __init__(self, reader: Store, parent=None):
        super().__init__(_("Guidelines (F2)"), parent)
        self.setObjectName("guidelinesDock")
        self.reader = reader
        self.note = QLabel(objectName="guidelinesNote", wordWrap=True)
        self.note.setTextFormat(Qt.PlainText)
        self.note.hide()
        self.browser = QTextBrowser(objectName="guidelines")
        self.browser.setAccessibleName(_("Guidelines"))
        self.browser.setOpenExternalLinks(False)
        self._browser_font = self.browser.font()
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.note)
        layout.addWidget(self.browser)
        self.setWidget(body)
        self.setAllowedAreas(Qt.LeftDockWidgetArea | Qt.RightDockWidgetArea)
        self.setMinimumWidth(220)
        self.shown_for: tuple | None = None
        self.chosen: Choice | None = None

    def show_for(self, project_id: str | None, kind: str | None,
                 language: str | None = None) -> None:
        """Show ``kind``'s guidelines of the project, for work in ``language``."""
        key = (project_id, kind, language, current_locale())
        if key == self.shown_for:
            return
        self.shown_for = key
        self.chosen = self._choose(project_id, kind, language) if kind is not None else None
        self._show_note(self.chosen)
        if self.chosen is not None:
            self._show_text(self.chosen)
            return
        self.browser.setFont(self._browser_font)
        if kind is None:
            self.browser.setPlainText(_(
                "The project's guidelines appear here beside the Write, Improve, Review and "
                "Post-edit screens."))
        else:
            self.browser.setPlainText(_("No guidelines for this kind of work yet."))

    def _choose(self, project_id: str | None, kind: str, language: str | None) -> Choice | None:
        ui = _ui_language()
        projects = []
        try:
            if project_id:
                projects = [self.reader.project(project_id)]
        except NotFound:
            pass
        if not projects:  # no task open: the first project that has some for this kind
            projects = self.reader.projects()
            for project in projects:
                chosen = choose(project.guidelines, kind, content=language, ui=ui)
                if chosen is not None:
                    return chosen
        raw = projects[0].guidelines if projects else None
        return choose_with_general(raw, kind, content=language, ui=ui)

    def _show_text(self, chosen: Choice) -> None:
        lang = _registry(chosen.language)
        if lang is None:
            self.browser.setFont(self._browser_font)
        else:  # Ethiopic guidelines in an Urdu interface still get an Ethiopic font
            self.browser.setFont(font_for_script(lang.script, language=lang.code))
        self.browser.setMarkdown(chosen.text)
        _tone_down_headings(self.browser)

    def _show_note(self, chosen: Choice | None) -> None:
        lines = note_lines(chosen)
        self.note.setText("\n".join(lines))
        self.note.setVisible(bool(lines))


def note_lines(chosen: Choice | None) -> list[str]:
    """What the line above the guidelines says about them, in the UI language."""
    if chosen is None:
        return []
    lines = []
    if chosen.general:
        lines.append(_("Qalam's general guidelines: this project has none of its own for "
                       "this kind of work yet."))
    if chosen.is_fallback:
        # Translators: e.g. "Guidelines in English — not yet written in Urdu"; both are
        # language names in the interface language.
        lines.append(format_message(_("Guidelines in {shown} — not yet written in {wanted}."),
                                    shown=_name(chosen.language), wanted=_name(chosen.wanted)))
    if chosen.draft:
        lines.append(_("This translation is a machine draft; a native speaker has not "
                       "reviewed it yet."))
    return lines


def _ui_language() -> str | None:
    """The registry code of the interface language ("ur" -> "urd_Arab"); English for the
    pseudo-locales, whose text is English."""
    locale = current_locale()
    if locale.endswith(("-XA", "-XB")):
        return DEFAULT_LANGUAGE
    try:
        return languages.resolve(locale).code
    except languages.UnknownLanguage:
        return None


def _registry(code: str | None):
    try:
        return languages.get(code) if code else None
    except languages.UnknownLanguage:
        return None


def _name(code: str | None) -> str:
    return languages.language_name(code) if _registry(code) else (code or "")


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
