"""What a professional post-editor has beside a segment: memory matches, glossary terms, QA
checks, a concordance search, and find and replace across segments (ui/screens/postedit.py
lays them out; the work itself is in app/: tm, glossary, qa, memory, replace).

    matches = MatchesPanel()            # Ctrl+R puts the chosen match in the translation
    matches.show_matches(found, current_source, language)
    mark_terms(source_view, hits)       # underlined; hovering shows the target term
    checks = ChecksPanel()              # Ctrl+D dismisses the chosen check, for this segment
    dialog = ReplaceDialog(parent)      # preview, then replace all (undoable)
"""

from __future__ import annotations

import html

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QColor, QTextCharFormat, QTextCursor, QUndoCommand
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTextEdit,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from app.diffs import word_diff
from i18n.translation import _, ngettext
from ui.widgets import DiffView

DATA = Qt.UserRole


def _titled(title: str, buddy: QWidget, *widgets: QWidget) -> QWidget:
    box = QWidget()
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    label = QLabel(title, wordWrap=True)
    label.setBuddy(buddy)
    layout.addWidget(label)
    for widget in widgets:
        layout.addWidget(widget)
    return box


class MatchesPanel(QWidget):
    """The best memory matches of the segment's source: "87% · target", the first chosen;
    below, how the chosen match's source differs from this segment's (removed words struck
    through, added ones underlined)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.list = QListWidget(objectName="memoryMatches")
        self.list.setAccessibleName(_("Translation memory matches"))
        self.list.setWordWrap(True)
        self.diff = DiffView(accessible_name=_("How the match's source differs"))
        self.diff.setMaximumHeight(80)
        self.matches: list = []
        self.source = ""
        self.list.currentRowChanged.connect(self._show_diff)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(_titled(_("Memory matches (Ctrl+R uses one)"),
                                 self.list, self.list), 1)
        layout.addWidget(self.diff)

    def show_matches(self, matches: list, source: str, source_language, target_language) -> None:
        self.matches, self.source = matches, source
        self.list.clear()
        self.diff.set_language(source_language)
        for match in matches:
            label = (_("{percent}% exact · {text}") if match.exact
                     else _("{percent}% · {text}")).format(percent=match.score, text=match.target)
            item = QListWidgetItem(label)
            item.setData(DATA, match)
            item.setToolTip(match.source)
            self.list.addItem(item)
        if matches:
            self.list.setCurrentRow(0)
        else:
            self.list.addItem(_("No match in the translation memory."))
            self.diff.set_text("")

    def chosen(self):
        item = self.list.currentItem()
        return item.data(DATA) if item is not None else None

    def _show_diff(self, row: int) -> None:
        match = self.chosen()
        if match is None:
            self.diff.set_text("")
            return
        self.diff.show_diff(word_diff(match.source, self.source))


class TermsPanel(QListWidget):
    """Glossary terms found in the source: "source → target"; Ctrl+G inserts the chosen
    one's target (else the first the translation lacks) at the cursor."""

    def __init__(self, parent=None):
        super().__init__(parent, objectName="glossaryTerms")
        self.setAccessibleName(_("Glossary terms in this segment"))
        self.setWordWrap(True)

    def show_terms(self, hits: list) -> None:
        self.clear()
        seen = set()
        for hit in hits:
            if hit.term.id in seen:
                continue
            seen.add(hit.term.id)
            item = QListWidgetItem(f"{hit.term.source} → {hit.term.target}")
            item.setData(DATA, hit.term)
            if hit.term.note:
                item.setToolTip(hit.term.note)
            self.addItem(item)

    def term_to_insert(self, target_text: str):
        item = self.currentItem()
        if item is not None and item.isSelected():
            return item.data(DATA)
        terms = [self.item(row).data(DATA) for row in range(self.count())]
        lacking = [t for t in terms if t.target.lower() not in target_text.lower()]
        return (lacking or terms or [None])[0]


class ChecksPanel(QListWidget):
    """The segment's QA checks; none blocks confirming. Ctrl+D dismisses the chosen one (or
    the first) for this segment."""

    def __init__(self, parent=None):
        super().__init__(parent, objectName="qaChecks")
        self.setAccessibleName(_("QA checks"))
        self.setWordWrap(True)
        self.issues: list = []

    def show_issues(self, issues: list) -> None:
        self.issues = issues
        self.clear()
        for issue in issues:
            item = QListWidgetItem(f"⚠ {issue.message}")
            item.setData(DATA, issue)
            item.setForeground(QColor("#8a5a00"))
            self.addItem(item)
        if not issues:
            self.addItem(_("No QA warnings."))

    def chosen(self):
        item = self.currentItem()
        if item is not None and item.data(DATA) is not None:
            return item.data(DATA)
        return self.issues[0] if self.issues else None


class ConcordancePanel(QWidget):
    """Find a word or phrase anywhere in the memory (source or target)."""

    search = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.field = QLineEdit(objectName="concordanceSearch")
        self.field.setAccessibleName(_("Search the translation memory"))
        self.field.setPlaceholderText(_("A word or phrase (Ctrl+Shift+F)"))
        self.field.setClearButtonEnabled(True)
        self.results = QListWidget(objectName="concordanceResults")
        self.results.setAccessibleName(_("Concordance results"))
        self.results.setWordWrap(True)
        self.field.returnPressed.connect(lambda: self.search.emit(self.field.text()))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(_titled(_("Concordance"), self.field, self.field))
        layout.addWidget(self.results, 1)

    def show_results(self, found: list) -> None:
        self.results.clear()
        for match in found:
            item = QListWidgetItem(f"{match.source}\n→ {match.target}")
            item.setData(DATA, match)
            self.results.addItem(item)
        if not found:
            self.results.addItem(_("Not found in the translation memory."))


# --- glossary terms marked in the source -----------------------------------------------------


class TermMarker(QObject):
    """Underlines the glossary terms found in a read-only text view and shows, on hover, the
    target term."""

    def __init__(self, view: QTextEdit):
        super().__init__(view)
        self.view = view
        self.hits: list = []
        view.viewport().installEventFilter(self)
        view.viewport().setMouseTracking(True)

    def mark(self, hits: list) -> None:
        self.hits = hits
        selections = []
        form = QTextCharFormat()
        form.setBackground(QColor("#fff1b8"))
        form.setUnderlineStyle(QTextCharFormat.DotLine)
        form.setUnderlineColor(QColor("#8a5a00"))
        for hit in hits:
            selection = QTextEdit.ExtraSelection()
            cursor = QTextCursor(self.view.document())
            cursor.setPosition(hit.start)
            cursor.setPosition(hit.end, QTextCursor.KeepAnchor)
            selection.cursor, selection.format = cursor, form
            selections.append(selection)
        self.view.setExtraSelections(selections)

    def term_at(self, position: int):
        for hit in self.hits:
            if hit.start <= position < hit.end:
                return hit.term
        return None

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.ToolTip:
            position = self.view.cursorForPosition(event.pos()).position()
            term = self.term_at(position)
            if term is not None:
                text = _("Glossary: {source} = {target}").format(source=term.source,
                                                                  target=term.target)
                if term.note:
                    text += f"\n{term.note}"
                QToolTip.showText(event.globalPos(), text, self.view)
            else:
                QToolTip.hideText()
            return True
        return super().eventFilter(watched, event)


# --- find and replace ------------------------------------------------------------------------


class ReplaceDialog(QDialog):
    """Find and replace in the translations of the session's segments (or of every segment
    in the list): Preview shows each change, Replace all makes them (one undo step)."""

    preview_requested = Signal(str, str, bool, bool)   # find, replace, match case, whole word
    replace_requested = Signal(list)                    # the previewed app.replace.Replacement
    undo_requested = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWindowTitle(_("Find and replace in translations"))
        self.find = QLineEdit(objectName="replaceFind")
        self.find.setAccessibleName(_("Find"))
        self.replace = QLineEdit(objectName="replaceWith")
        self.replace.setAccessibleName(_("Replace with"))
        self.match_case = QCheckBox(_("Match case"))
        self.whole_word = QCheckBox(_("Whole words"))
        self.whole_word.setChecked(True)
        self.preview = QTableWidget(0, 2, objectName="replacePreview")
        self.preview.setAccessibleName(_("What would change"))
        self.preview.setHorizontalHeaderLabels([_("Before"), _("After")])
        self.preview.horizontalHeader().setStretchLastSection(True)
        self.preview.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.preview.setWordWrap(True)
        self.summary = QLabel(objectName="replaceSummary", wordWrap=True)
        self.preview_button = QPushButton(_("Preview"))
        self.replace_button = QPushButton(_("Replace all"))
        self.replace_button.setEnabled(False)
        self.undo_button = QPushButton(_("Undo replace"))
        self.undo_button.setEnabled(False)
        self.planned: list = []
        form = QFormLayout()
        form.addRow(_("Find:"), self.find)
        form.addRow(_("Replace with:"), self.replace)
        options = QHBoxLayout()
        options.addWidget(self.match_case)
        options.addWidget(self.whole_word)
        options.addStretch(1)
        buttons = QDialogButtonBox(QDialogButtonBox.Close)
        buttons.rejected.connect(self.reject)
        for button in (self.preview_button, self.replace_button, self.undo_button):
            buttons.addButton(button, QDialogButtonBox.ActionRole)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(options)
        layout.addWidget(self.preview, 1)
        layout.addWidget(self.summary)
        layout.addWidget(buttons)
        self.preview_button.clicked.connect(self._ask_preview)
        self.find.returnPressed.connect(self._ask_preview)
        self.replace.returnPressed.connect(self._ask_preview)
        for field in (self.find, self.replace):
            field.textChanged.connect(self._stale)
        for box in (self.match_case, self.whole_word):
            box.toggled.connect(self._stale)
        self.replace_button.clicked.connect(lambda: self.replace_requested.emit(self.planned))
        self.undo_button.clicked.connect(self.undo_requested.emit)
        self.resize(640, 420)

    def _ask_preview(self) -> None:
        self.preview_requested.emit(self.find.text(), self.replace.text(),
                                    self.match_case.isChecked(), self.whole_word.isChecked())

    def _stale(self) -> None:
        self.planned = []
        self.replace_button.setEnabled(False)

    def show_preview(self, planned: list, skipped: int) -> None:
        self.planned = planned
        self.preview.setRowCount(len(planned))
        for row, change in enumerate(planned):
            self.preview.setItem(row, 0, QTableWidgetItem(change.before))
            after = QTableWidgetItem(change.after)
            after.setToolTip(html.escape(change.after))
            self.preview.setItem(row, 1, after)
        self.preview.resizeRowsToContents()
        count = sum(change.count for change in planned)
        text = ngettext("{n} replacement in {segments} segments.",
                        "{n} replacements in {segments} segments.", count).format(
            n=count, segments=len(planned))
        if skipped:
            text += " " + ngettext("{n} confirmed segment is left as it is.",
                                   "{n} confirmed segments are left as they are.",
                                   skipped).format(n=skipped)
        self.summary.setText(text)
        self.replace_button.setEnabled(bool(planned))

    def replaced(self, count: int, can_undo: bool) -> None:
        self.planned = []
        self.replace_button.setEnabled(False)
        self.summary.setText(ngettext("Replaced in {n} segment. Undo puts it back.",
                                      "Replaced in {n} segments. Undo puts them back.",
                                      count).format(n=count))
        self.undo_button.setEnabled(can_undo)


class ReplaceCommand(QUndoCommand):
    """One "replace all", as one undo step: redo writes the new translations, undo puts the
    old ones back where nobody changed them since (``apply(edits)`` writes them)."""

    def __init__(self, planned: list, apply):
        super().__init__()
        self.planned, self.apply = planned, apply

    def redo(self) -> None:
        self.apply([(c.key, c.after, c.before) for c in self.planned])

    def undo(self) -> None:
        self.apply([(c.key, c.before, c.after) for c in self.planned])
