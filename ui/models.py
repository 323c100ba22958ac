"""Qt item models over the local store, loaded a page at a time (fetchMore).

Rows carry their content language's direction and font, so an Urdu prompt sits right-aligned
in a list whatever the UI language is, and an Amharic one is laid out left to right (its
ellipsis at its end) in an Urdu interface (``DirectionRole``, used by ui/listview.py).
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractListModel, QModelIndex, QSize, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap

from app.contributions import task_list_progress
from app.errors import NotFound
from app.store import Review, Store, Submission, Task
from i18n import formatting, languages
from i18n.bidi import format_message
from i18n.translation import N_, _, ngettext
from ui.fonts import SAMPLE_TEXT, font_for_script, line_height_for, resolve_script

PAGE_SIZE = 100  # a few screenfuls: one page costs ~5 ms to load, not ~10
# Roles as plain ints: data() runs about eight times for every row painted, and in PySide6
# each ``Qt.DisplayRole`` is an enum attribute lookup costing microseconds (scrolling My work
# spent a fifth of its UI-thread time there).
DISPLAY_ROLE, TOOLTIP_ROLE, DECORATION_ROLE, ALIGNMENT_ROLE, FONT_ROLE, SIZE_HINT_ROLE, \
    ACCESSIBLE_ROLE = (int(role) for role in (
        Qt.DisplayRole, Qt.ToolTipRole, Qt.DecorationRole, Qt.TextAlignmentRole, Qt.FontRole,
        Qt.SizeHintRole, Qt.AccessibleDescriptionRole))
ItemRole = Qt.UserRole + 1
StatusRole = Qt.UserRole + 2
DirectionRole = Qt.UserRole + 3  # Qt.LayoutDirection of the row's text (its content language)

# Task status, as lists show it: a coloured dot, and the word for screen readers.
STATUS_NAMES = {
    "untouched": N_("untouched"),
    "edited": N_("edited"),
    "confirmed": N_("confirmed"),
}
STATUS_COLOURS = {"untouched": "#b0b0b0", "edited": "#e0a000", "confirmed": "#2e9d48",
                  "feedback": "#1f5fbf"}  # new feedback from a coordinator or a reviewer
KIND_NAMES = {
    "original": N_("Write"),
    "reannotation": N_("Improve"),
    "review": N_("Review"),
    "postedit": N_("Post-edit"),
}
STATE_NAMES = {
    "draft": N_("draft"),
    "submitted": N_("submitted"),
    "accepted": N_("accepted"),
    "rejected": N_("rejected"),
}
_icons: dict[str, QIcon] = {}


def status_icon(status: str) -> QIcon:
    if status not in _icons:
        pixmap = QPixmap(12, 12)
        pixmap.fill(Qt.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.Antialiasing)
        painter.setBrush(QColor(STATUS_COLOURS[status]))
        painter.setPen(Qt.NoPen)
        painter.drawEllipse(1, 1, 10, 10)
        painter.end()
        _icons[status] = QIcon(pixmap)
    return _icons[status]


def submission_status(submission: Submission | None) -> str:
    """untouched (nothing changed yet), edited (a draft with changes), confirmed (done)."""
    if submission is None:
        return "untouched"
    return status_from(submission.state, *_facts(submission))


def _facts(submission: Submission) -> tuple[bool, bool, bool]:
    """What a status is decided on, as ``Store.work_list`` computes it in SQL: whether the
    text is still the one it started from, whether it has any text, whether it is rated."""
    unchanged = (submission.inputs, submission.targets) == (
        submission.original_inputs or "", submission.original_targets or "")
    return unchanged, bool(submission.inputs or submission.targets), submission.is_rated


def status_from(state: str, unchanged: bool, has_text: bool, rated: bool) -> str:
    """:func:`submission_status` from the facts it is decided on (as ``Store.work_list``
    gives them): its state, whether its text is still the text it started from, whether it
    has any text, whether both its halves are rated."""
    if state != "draft":
        return "confirmed"
    if unchanged or not (has_text or rated):
        return "untouched"
    return "edited"


# What My work keeps of each row, as a plain tuple: (id, kind, language, state, the prompt's
# first line as shown, status). The whole submission is read when it is asked for.
ID, KIND, LANGUAGE, STATE, LINE, STATUS = range(6)
_shared: dict[str, str] = {}  # one copy of each kind, language and state for all rows


def _list_row(id: str, kind: str, language: str, state: str, inputs: str, unchanged,
              has_text, rated) -> tuple:
    """The row My work keeps, from a row of ``Store.work_list``."""
    shared = _shared.setdefault
    return (id, shared(kind, kind), shared(language, language), shared(state, state),
            _first_line(inputs, 90), status_from(state, bool(unchanged), bool(has_text),
                                                 bool(rated)))


def list_row(submission: Submission) -> tuple:
    """The row My work keeps for ``submission``."""
    return _list_row(submission.id, submission.kind, submission.language, submission.state,
                     submission.inputs, *_facts(submission))


def _first_line(text: str, limit: int = 120) -> str:
    line = text.strip().split("\n", 1)[0]
    return line if len(line) <= limit else line[: limit - 1] + "…"


_content_cache: dict[str, tuple[int, object, int, Qt.LayoutDirection]] = {}


def _content(language_code: str) -> tuple[int, object, int, Qt.LayoutDirection]:
    """(alignment, font, row height, direction) for content in a language, computed once:
    lists ask for them on every paint of every row."""
    cached = _content_cache.get(language_code)
    if cached is None:
        language = languages.get(language_code)
        side = Qt.AlignRight if language.is_rtl else Qt.AlignLeft
        font = font_for_script(language.script, language=language.code)
        sample = SAMPLE_TEXT.get(resolve_script(language.script, language.code), "")
        cached = _content_cache[language_code] = (
            int(side | Qt.AlignAbsolute | Qt.AlignVCenter), font,
            max(line_height_for(font, sample), 18) + 4,
            Qt.RightToLeft if language.is_rtl else Qt.LeftToRight,
        )
    return cached


def _content_roles(role: int, language_code: str, row_height: int | None = None):
    if role == ALIGNMENT_ROLE:
        return _content(language_code)[0]
    if role == FONT_ROLE:
        return _content(language_code)[1]
    if role == SIZE_HINT_ROLE:  # rows are uniform: tall enough for the tallest script
        return QSize(-1, row_height or _content(language_code)[2])
    if role == DirectionRole:
        return _content(language_code)[3]
    return None


class PagedListModel(QAbstractListModel):
    """A list model that loads rows a page at a time as the view scrolls (Qt's fetchMore).

    Subclasses give ``_page(offset)`` (the next rows, setting ``_exhausted`` when there are no
    more) and may override ``_add(rows)`` to keep something beside the rows.
    """

    _rows: list
    _exhausted: bool

    def _page(self, offset: int) -> list:
        raise NotImplementedError

    def _add(self, rows: list) -> None:
        self._rows.extend(rows)

    def canFetchMore(self, parent=QModelIndex()) -> bool:  # noqa: B008 (Qt signature)
        return not parent.isValid() and not self._exhausted

    def fetchMore(self, parent=QModelIndex()) -> None:  # noqa: B008
        start = len(self._rows)
        page = self._page(start)
        if not page:
            self._exhausted = True
            return
        self.beginInsertRows(QModelIndex(), start, start + len(page) - 1)
        self._add(page)
        self.endInsertRows()

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)


class SubmissionListModel(PagedListModel):
    """The annotator's work, newest first: submissions filtered by language, kind and state,
    the reviews they wrote (``kind="review"``), or the results of a full-text search.

    Of a submission it keeps what a row shows, as a plain tuple (``Store.work_list``; a
    scrolled list holds 50,000 rows: whole submissions made its memory grow by their texts,
    and Python's cycle collector walks Submission objects but skips tuples of strings); the
    whole submission is read from the store when it is asked for (``ItemRole``, a tooltip).
    """

    def __init__(self, store: Store, parent=None):
        super().__init__(parent)
        self.store = store
        self.language: str | None = None
        self.kind: str | None = None
        self.state: str | None = None
        self.query = ""
        self._rows: list[tuple | Review] = []
        self._exhausted = False
        self._row_height = 0
        self.unread: set[str] = set()  # items with feedback the annotator has not seen

    def set_language(self, language: str | None) -> None:
        self.language = language
        self.reload()

    def set_filters(self, *, language: str | None, kind: str | None, state: str | None,
                    query: str = "") -> None:
        self.language, self.kind, self.state, self.query = language, kind, state, query
        self.reload()

    def reload(self) -> None:
        self.beginResetModel()
        self._rows = []
        self._exhausted = False
        self.unread = self.store.unread_feedback()
        self._rows.extend(self._page(0))
        # Uniform rows: as tall as the tallest script this list may show.
        codes = [self.language] if self.language else self.store.languages_with_tasks()
        codes += [item[LANGUAGE] for item in self._rows if isinstance(item, tuple)]
        self._row_height = max((_content(code)[2] for code in set(codes)), default=22)
        self.endResetModel()

    def _page(self, offset: int) -> list:
        if self.query.strip():
            if offset:
                return []
            self._exhausted = True
            if self.kind == "review":
                return []
            return [list_row(found) for found in self.store.search(
                self.query, limit=500, kind=self.kind, language=self.language,
                state=self.state,
            )]
        if self.kind == "review":
            state = self.state if self.state in ("draft", "submitted") else None
            page = self.store.reviews(
                language=self.language, state=state, limit=PAGE_SIZE, offset=offset
            )
        else:
            last = self._rows[-1][ID] if offset and self._rows else None
            page = [_list_row(*row) for row in self.store.work_list(
                language=self.language, kind=self.kind, state=self.state, limit=PAGE_SIZE,
                after=last, offset=0 if last else offset,
            )]
        self._exhausted = len(page) < PAGE_SIZE
        return page



    def data(self, index: QModelIndex, role: int = DISPLAY_ROLE):
        if not index.isValid():
            return None
        item = self._rows[index.row()]
        if isinstance(item, Review):
            return self._review_data(item, role)
        new_feedback = item[ID] in self.unread
        if role == DISPLAY_ROLE:
            text = item[LINE] or _("(no prompt yet)")
            return text + _(" · new feedback") if new_feedback else text
        if role == TOOLTIP_ROLE:
            submission = self._submission(item[ID])
            if submission is None:
                return None
            kind, state = _(KIND_NAMES[submission.kind]), _(STATE_NAMES[submission.state])
            prompt = _first_line(submission.inputs, 400)
            completion = _first_line(submission.targets, 400)
            return f"{kind} · {state}\n\n{prompt}\n\n{completion}"
        if role == ItemRole:
            return self._submission(item[ID])
        if role == DECORATION_ROLE:
            return status_icon("feedback" if new_feedback else item[STATUS])
        if role == ACCESSIBLE_ROLE:
            described = f"{_(KIND_NAMES[item[KIND]])}, {_(STATE_NAMES[item[STATE]])}"
            return described + _(", new feedback") if new_feedback else described
        return _content_roles(role, item[LANGUAGE], self._row_height)

    def _submission(self, submission_id: str) -> Submission | None:
        try:
            return self.store.submission(submission_id)
        except NotFound:  # gone since the page was read (a reset store)
            return None

    def _review_data(self, review: Review, role: int):
        if role == DISPLAY_ROLE:
            return _("Review: prompt {p}/5, completion {c}/5").format(
                p=review.rating_inputs or "–", c=review.rating_targets or "–"
            ) + (_(" · flagged") if review.flag else "")
        if role == ItemRole:
            return review
        if role == DECORATION_ROLE:
            return status_icon("confirmed" if review.state == "submitted" else "edited")
        return None

    def row_of(self, submission_id: str) -> int | None:
        for row, item in enumerate(self._rows):
            if (item[ID] if isinstance(item, tuple) else item.id) == submission_id:
                return row
        return None

    def _matches(self, submission: Submission) -> bool:
        return not self.query.strip() and self.kind != "review" and all(
            wanted is None or wanted == actual
            for wanted, actual in ((self.language, submission.language),
                                   (self.kind, submission.kind),
                                   (self.state, submission.state))
        )

    def refresh_feedback(self) -> None:
        """Mark again which items have unseen feedback (one query; rows stay)."""
        unread = self.store.unread_feedback()
        if unread != self.unread:
            self.unread = unread
            if self._rows:
                self.dataChanged.emit(self.index(0), self.index(len(self._rows) - 1))

    def update_item(self, submission: Submission) -> None:
        """Show a saved submission without reloading the list (moved to the top)."""
        row = self.row_of(submission.id)
        if row is not None and self.query.strip():  # search results stay where they are
            self._rows[row] = list_row(submission)
            self.dataChanged.emit(self.index(row), self.index(row))
            return
        if not self._matches(submission):
            if row is not None:
                self.beginRemoveRows(QModelIndex(), row, row)
                del self._rows[row]
                self.endRemoveRows()
            return
        if row == 0:
            self._rows[0] = list_row(submission)
            self.dataChanged.emit(self.index(0), self.index(0))
            return
        if row is not None:
            self.beginRemoveRows(QModelIndex(), row, row)
            del self._rows[row]
            self.endRemoveRows()
        self.beginInsertRows(QModelIndex(), 0, 0)
        self._rows.insert(0, list_row(submission))
        self.endInsertRows()


# What a task list keeps of each task, as a plain tuple: (id, kind, language, the line it
# shows). The whole task is read from the store when it is asked for (opened, a tooltip).
TASK_ID, TASK_KIND, TASK_LANGUAGE, TASK_LINE = range(4)


def _task_row(task: Task) -> tuple:
    if task.kind == "original":
        subject = task.instructions  # none: the list says what to do, in the UI language
    elif task.kind == "postedit":
        subject = task.mt_text
    else:
        subject = task.inputs
    shared = _shared.setdefault
    return (task.id, shared(task.kind, task.kind), shared(task.language, task.language),
            _first_line(subject or "", 90))


class TaskListModel(PagedListModel):
    """Tasks of one kind for one language, a page at a time, each with its status; and how
    much of the whole list is done (``progress()``, "12 of 20 done"), counted in the store
    when the list loads and kept up to date as statuses change.

    Of a task it keeps what a row shows (as My work does: 100,000 tasks scrolled through
    kept every task's texts), and reads the whole task when it is asked for (``task_at``,
    ``ItemRole``, a tooltip).
    """

    progress_changed = Signal()

    def __init__(self, store: Store, kind: str, parent=None):
        super().__init__(parent)
        self.store = store
        self.kind = kind
        self.language: str | None = None
        self.only: list[str] | None = None  # a session's batch: these task ids only
        self._rows: list[tuple] = []
        self._status: dict[str, str] = {}
        self._exhausted = True
        self._done = self._total = 0

    def set_language(self, language: str | None) -> None:
        self.language = language
        self.reload()

    def restrict(self, task_ids: list[str] | None) -> None:
        self.only = task_ids
        self.reload()

    def reload(self) -> None:
        self.beginResetModel()
        self._rows, self._status = [], {}
        self._exhausted = self.language is None
        if self.language is not None:
            self._add(self._page(0))
        self.endResetModel()
        self._count_progress()

    def _count_progress(self) -> None:
        if self.language is None:
            self._done = self._total = 0
        elif self.only is not None:  # a session's batch is loaded whole: count what is shown
            self._total = len(self._rows)
            self._done = sum(1 for s in self._status.values() if s == "confirmed")
        else:
            counted = task_list_progress(self.store, kind=self.kind, language=self.language)
            self._done, self._total = counted.done, counted.total
        self.progress_changed.emit()

    def progress(self) -> tuple[int, int]:
        """``(done, total)`` tasks of the whole list, loaded or not."""
        return self._done, self._total

    def progress_text(self) -> str:
        """"12 of 20 done", in the UI language (its plural follows the total)."""
        done, total = self.progress()
        return format_message(
            ngettext("{done} of {total} done", "{done} of {total} done", total),
            done=formatting.format_integer(done), total=formatting.format_integer(total))

    def _page(self, offset: int) -> list[Task]:
        if self.only is not None:
            if offset:
                return []
            self._exhausted = True
            wanted = set(self.only)
            tasks = {t.id: t for t in self.store.tasks_by_ids(self.only)}
            return [tasks[i] for i in self.only if i in wanted and i in tasks]
        if self.kind == "review":
            page = self.store.review_tasks(
                language=self.language, limit=PAGE_SIZE, offset=offset
            )
        else:
            last = self._rows[-1][TASK_ID] if offset and self._rows else None
            page = self.store.tasks(
                language=self.language, kind=self.kind, limit=PAGE_SIZE,
                after=last, offset=0 if last else offset,
            )
        self._exhausted = len(page) < PAGE_SIZE
        return page

    def _add(self, tasks: list[Task]) -> None:
        ids = [t.id for t in tasks]
        if self.kind == "review":
            reviews = self.store.reviews_for_tasks(ids)
            for task_id in ids:
                review = reviews.get(task_id)
                self._status[task_id] = (
                    "untouched" if review is None
                    else "confirmed" if review.state == "submitted" else "edited"
                )
        else:
            found = self.store.submissions_for_tasks(ids)
            for task_id in ids:
                self._status[task_id] = submission_status(found.get(task_id))
        self._rows.extend(_task_row(task) for task in tasks)

    def task_id_at(self, row: int) -> str | None:
        return self._rows[row][TASK_ID] if 0 <= row < len(self._rows) else None

    def task_at(self, row: int) -> Task | None:
        """The whole task on ``row``, read from the store."""
        task_id = self.task_id_at(row)
        return None if task_id is None else self._task(task_id)

    def _task(self, task_id: str) -> Task | None:
        try:
            return self.store.task(task_id)
        except NotFound:  # gone since the page was read (a reset store)
            return None

    def row_of(self, task_id: str) -> int | None:
        for row, task in enumerate(self._rows):
            if task[TASK_ID] == task_id:
                return row
        return None

    def status(self, task_id: str) -> str:
        return self._status.get(task_id, "untouched")

    def set_status(self, task_id: str, status: str) -> None:
        row = self.row_of(task_id)
        before = self._status.get(task_id)
        if row is None or before == status:
            return
        self._status[task_id] = status
        self.dataChanged.emit(self.index(row), self.index(row))
        if "confirmed" in (before, status):  # done, or no longer done (reopened)
            self._done += 1 if status == "confirmed" else -1
            self._done = max(0, min(self._done, self._total))
            self.progress_changed.emit()

    def data(self, index: QModelIndex, role: int = DISPLAY_ROLE):
        if not index.isValid():
            return None
        task_id, kind, language, line = self._rows[index.row()]
        status = self._status.get(task_id, "untouched")
        if role == DISPLAY_ROLE:
            if kind == "original" and not line:
                return _("Write a new prompt and completion")
            return line
        if role == TOOLTIP_ROLE:
            task = self._task(task_id)
            return task and (task.instructions or task.inputs or task.mt_text)
        if role == DECORATION_ROLE:
            return status_icon(status)
        if role == StatusRole:
            return status
        if role == ACCESSIBLE_ROLE:
            return _(STATUS_NAMES[status])
        if role == ItemRole:
            return self._task(task_id)
        return _content_roles(role, language)
