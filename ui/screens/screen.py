"""What every screen of the main window has in common.

A screen is one kind of work (or a view over it). The window calls, on the current screen,
only these methods, each one user action:

    set_language(code)   the content language changed (lists load when the screen is
                         shown: ``load_language``, so start-up pays for one screen only)
    activate()           the screen is shown (refresh what may have changed)
    save_now()           before anything replaces what is shown (invariant 1)
    submit()             Ctrl+Enter
    step_task(+1 / -1)   next / previous task (Alt+Down / Alt+Up)
    rate(field, value)   thumbs up/down (Improve only)

A key that cannot change anything says what to do first (:meth:`Screen.tell`): Ctrl+Enter
with nothing open, thumbs outside Improve, Alt+Down past the last task. The screens set their
tab order to the reading order (:func:`tab_order`); Qt mirrors it on screen in a
right-to-left interface.

Each store change goes through ui/operations.py; what it changed comes back to every screen
built so far as ``on_changes(changes, initiator)``, and a screen refreshes what it names.

and, for crash recovery (ui/session.py), what a restart brings back:

    session_fields()     {name: widget} whose focus and caret are remembered
    session_item()       the item open, as Place fields ({"item": id, "task": id})
    reopen(place)        show that item again (False when it is gone)

An :class:`EditingScreen` answers the last two from its open item and ``show_submission``.
"""

from __future__ import annotations

from itertools import pairwise

from PySide6.QtCore import QItemSelectionModel, Qt, Signal
from PySide6.QtWidgets import QLabel, QSplitter, QVBoxLayout, QWidget

from i18n.translation import _
from ui.charts import TaskListProgress
from ui.listview import ItemList
from ui.models import ItemRole, TaskListModel, submission_status
from ui.operations import Changes, Context


class Screen(QWidget):
    status_changed = Signal(str, bool)   # message, is_error
    guideline_changed = Signal()         # the kind or project whose guidelines apply changed

    kind: str | None = None              # whose guidelines to show
    status: QLabel | None = None         # the screen's own status line, where it has one

    def __init__(self, context: Context, parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        self.reader = context.reader
        self.language: str | None = None

    def project_id(self) -> str | None:
        return None

    _loaded: str | None = None

    def set_language(self, code: str) -> None:
        self.save_now()
        self.language = code
        self._loaded = None
        if self.isVisible():
            self.ensure_loaded()

    def ensure_loaded(self) -> None:
        if self.language is not None and self._loaded != self.language:
            self._loaded = self.language
            self.load_language(self.language)

    def load_language(self, code: str) -> None:
        pass

    def activate(self) -> None:
        pass

    def on_changes(self, changes: Changes, initiator: object) -> None:
        """Something changed the store (ui/operations.py): refresh what ``changes`` names,
        if this screen shows it."""

    def save_now(self) -> None:
        pass

    def submit(self) -> None:
        self.tell(_("There is nothing to submit on this screen."))

    def step_task(self, step: int) -> None:
        self.tell(_("There are no tasks on this screen."))

    def rate(self, field: str, value: int) -> None:
        self.tell(_("Thumbs up and down are for the Improve screen (Ctrl+2)."))

    def tell(self, text: str) -> None:
        """Say why a key did nothing and what to do first, or what failed (the screen's
        status line, and the window's)."""
        self._set_status(text, True)

    def _set_status(self, text: str, error: bool = False) -> None:
        if self.status is not None:
            self.status.setText(text)
            self.status.setStyleSheet("color: #b00020;" if error else "")
        self.status_changed.emit(text, error)

    def step_in(self, view: TaskListView, step: int) -> None:
        """Open the next or previous task of ``view``, or say there is none."""
        if view.step(step):
            return
        if view.model().rowCount() == 0:
            self.tell(_("There are no tasks in this language."))
        elif step > 0:
            self.tell(_("That was the last task in the list."))
        else:
            self.tell(_("That was the first task in the list."))

    def focus_first(self) -> None:
        self.focusNextChild()

    def session_fields(self) -> dict[str, QWidget]:
        return {}

    def session_item(self) -> dict:
        return {}

    def reopen(self, place) -> bool:
        return not (place.item or place.task)  # nothing to open: the fields are there


class EditingScreen(Screen):
    """A screen that edits one item of a task list at a time, through an Autosaver
    (``self.autosaver``), with the open task in ``self.task``, its list in ``self.tasks``
    shown in ``self.task_view``. The hook: ``show_submission(submission, task)`` shows an
    item (a restart reopens one through it)."""

    task = None

    @property
    def submission(self):
        return self.autosaver.submission

    def project_id(self) -> str | None:
        """The project whose guidelines apply: the open task's, else the list's first."""
        if self.task is not None:
            return self.task.project_id
        first = self.tasks.task_at(0)
        return first.project_id if first else None

    def show_submission(self, submission, task=None) -> None:
        raise NotImplementedError

    def load_language(self, code: str) -> None:
        self.tasks.set_language(code)

    def save_now(self) -> None:
        self.autosaver.save_now()

    def step_task(self, step: int) -> None:
        self.step_in(self.task_view, step)

    def item_saved(self, submission) -> None:
        """An item of this screen was saved, rated or submitted: its task's status in the
        list follows."""
        if submission.task_id:
            self.tasks.set_status(submission.task_id, submission_status(submission))

    # --- crash recovery (ui/session.py) ---------------------------------------------------

    def session_item(self) -> dict:
        submission = self.submission
        if submission is None:
            return {}
        return {"item": submission.id, "task": submission.task_id}

    def reopen(self, place) -> bool:
        from ui.session import load_item

        if not place.item:
            return super().reopen(place)
        found = load_item(self.reader, place)
        if found is None:
            return False
        self.show_submission(*found)
        return True


def tab_order(*widgets: QWidget) -> None:
    """Tab visits ``widgets`` in this order (Shift+Tab back): the reading order."""
    for first, second in pairwise(widgets):
        QWidget.setTabOrder(first, second)


def task_splitter(title: str, task_view: QWidget, work: QWidget, *below: QWidget,
                  side_width: int = 240, stretch_list: bool = True) -> QSplitter:
    """The layout every task screen shares: a titled task list (``title`` carries the
    accelerator that focuses the list), anything ``below`` it, and the work area beside it."""
    side = QWidget()
    side_layout = QVBoxLayout(side)
    side_layout.setContentsMargins(0, 0, 0, 0)
    label = QLabel(title)
    label.setBuddy(task_view)
    side_layout.addWidget(label)
    side_layout.addWidget(task_view, 1 if stretch_list else 0)
    if isinstance(task_view.model(), TaskListModel):  # "12 of 20 done", under the list
        side_layout.addWidget(TaskListProgress(task_view.model()))
    for widget in below:
        side_layout.addWidget(widget)
    splitter = QSplitter(Qt.Horizontal)
    splitter.addWidget(side)
    splitter.addWidget(work)
    splitter.setStretchFactor(1, 3)
    splitter.setSizes([side_width, 1040 - side_width])
    splitter.setChildrenCollapsible(False)
    return splitter


class TaskListView(ItemList):
    """A lazily loaded task list; Enter or a click opens a task (``task_opened``)."""

    task_opened = Signal(object)

    def __init__(self, model: TaskListModel, accessible_name: str, parent=None):
        super().__init__(parent)
        self.setModel(model)
        self.setAccessibleName(accessible_name)
        self.activated.connect(self._open)
        self.clicked.connect(self._open)

    opened_id: str | None = None  # the task on screen (the current index may differ)

    def _open(self, index) -> None:
        task = index.data(ItemRole)
        self.opened_id = task.id
        self.task_opened.emit(task)

    def step(self, step: int) -> bool:
        """Open the next (``+1``) or previous (``-1``) task after the one on screen; False
        when there is none."""
        model = self.model()
        current = model.row_of(self.opened_id) if self.opened_id is not None else None
        row = 0 if current is None else current + step
        if row >= model.rowCount() and model.canFetchMore():
            model.fetchMore()
        if not 0 <= row < model.rowCount():
            return False
        self.select_row(row)
        self._open(model.index(row))
        return True

    def select_row(self, row: int) -> None:
        index = self.model().index(row)
        self.selectionModel().setCurrentIndex(index, QItemSelectionModel.ClearAndSelect)
        self.scrollTo(index)

    def select_task(self, task_id: str) -> None:
        self.opened_id = task_id
        row = self.model().row_of(task_id)
        if row is not None:
            self.select_row(row)
