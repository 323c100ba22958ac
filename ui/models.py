"""Qt item models over the local store, loaded a page at a time (fetchMore).

Rows carry their content language's direction and font, so an Urdu prompt sits right-aligned
in a list whatever the UI language is.
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractListModel, QModelIndex, Qt

from app.store import Store, Submission, Task
from i18n import languages
from i18n.translation import _
from ui.fonts import font_for_script

PAGE_SIZE = 200
ItemRole = Qt.UserRole + 1


def _first_line(text: str, limit: int = 120) -> str:
    line = text.strip().split("\n", 1)[0]
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _content_roles(role: int, language_code: str):
    language = languages.get(language_code)
    if role == Qt.TextAlignmentRole:
        side = Qt.AlignRight if language.is_rtl else Qt.AlignLeft
        return int(side | Qt.AlignAbsolute | Qt.AlignVCenter)
    if role == Qt.FontRole:
        return font_for_script(language.script, language=language.code)
    return None


class SubmissionListModel(QAbstractListModel):
    """The annotator's submissions, newest first, optionally for one language."""

    def __init__(self, store: Store, parent=None):
        super().__init__(parent)
        self.store = store
        self.language: str | None = None
        self._rows: list[Submission] = []
        self._exhausted = False

    def set_language(self, language: str | None) -> None:
        self.language = language
        self.reload()

    def reload(self) -> None:
        self.beginResetModel()
        self._rows = []
        self._exhausted = False
        self._fetch()
        self.endResetModel()

    def _fetch(self) -> list[Submission]:
        page = self.store.submissions(
            language=self.language, limit=PAGE_SIZE, offset=len(self._rows)
        )
        self._exhausted = len(page) < PAGE_SIZE
        self._rows.extend(page)
        return page

    def canFetchMore(self, parent=QModelIndex()) -> bool:  # noqa: B008 (Qt signature)
        return not parent.isValid() and not self._exhausted

    def fetchMore(self, parent=QModelIndex()) -> None:  # noqa: B008
        start = len(self._rows)
        page = self.store.submissions(language=self.language, limit=PAGE_SIZE, offset=start)
        if not page:
            self._exhausted = True
            return
        self.beginInsertRows(QModelIndex(), start, start + len(page) - 1)
        self._rows.extend(page)
        self._exhausted = len(page) < PAGE_SIZE
        self.endInsertRows()

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: QModelIndex, role: int = Qt.DisplayRole):
        if not index.isValid():
            return None
        item = self._rows[index.row()]
        if role == Qt.DisplayRole:
            return _first_line(item.inputs) or _("(no prompt yet)")
        if role == Qt.ToolTipRole:
            return f"{_first_line(item.inputs, 400)}\n\n{_first_line(item.targets, 400)}"
        if role == ItemRole:
            return item
        if role == Qt.AccessibleDescriptionRole:
            return item.state
        return _content_roles(role, item.language)

    def row_of(self, submission_id: str) -> int | None:
        for row, item in enumerate(self._rows):
            if item.id == submission_id:
                return row
        return None

    def update_item(self, submission: Submission) -> None:
        """Show a saved submission without reloading the list (moved to the top)."""
        if self.language is not None and submission.language != self.language:
            return
        row = self.row_of(submission.id)
        if row == 0:
            self._rows[0] = submission
            self.dataChanged.emit(self.index(0), self.index(0))
            return
        if row is not None:
            self.beginRemoveRows(QModelIndex(), row, row)
            del self._rows[row]
            self.endRemoveRows()
        self.beginInsertRows(QModelIndex(), 0, 0)
        self._rows.insert(0, submission)
        self.endInsertRows()


class TaskListModel(QAbstractListModel):
    """Tasks for one language that this screen can work on."""

    KINDS = ("original", "reannotation")

    def __init__(self, store: Store, parent=None):
        super().__init__(parent)
        self.store = store
        self._rows: list[Task] = []

    def set_language(self, language: str | None) -> None:
        self.beginResetModel()
        self._rows = [
            task for task in self.store.tasks(language=language) if task.kind in self.KINDS
        ] if language else []
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: QModelIndex, role: int = Qt.DisplayRole):
        if not index.isValid():
            return None
        task = self._rows[index.row()]
        if role == Qt.DisplayRole:
            label = _("Write") if task.kind == "original" else _("Improve")
            subject = task.instructions if task.kind == "original" else task.inputs
            return f"{label}: {_first_line(subject, 90)}"
        if role == Qt.ToolTipRole:
            return task.instructions or task.inputs
        if role == ItemRole:
            return task
        return _content_roles(role, task.language)
