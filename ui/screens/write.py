"""Write: original prompt/completion pairs, from a suggested topic or from scratch (Ctrl+N)."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QPushButton

from app.errors import NotFound
from app.store import Submission, Task
from i18n.translation import _
from ui import operations
from ui.editor import SubmissionEditor
from ui.models import TaskListModel
from ui.operations import Context
from ui.screens.screen import EditingScreen, TaskListView, tab_order, task_splitter


class WriteScreen(EditingScreen):
    kind = "original"

    def __init__(self, context: Context, parent=None):
        super().__init__(context, parent)
        self.tasks = TaskListModel(self.reader, "original", self)
        self.task_view = TaskListView(self.tasks, _("Writing tasks"))
        self.task_view.setObjectName("writeTasks")
        self.task_view.task_opened.connect(self.open_task)
        self.new_button = QPushButton(_("&New item (Ctrl+N)"))
        self.new_button.setAccessibleName(_("New item"))
        self.new_button.clicked.connect(self.new_submission)

        self.editor = SubmissionEditor(context)
        self.editor.status_changed.connect(lambda text: self.status_changed.emit(text, False))
        self.editor.saved.connect(self.item_saved)
        self.editor.submitted.connect(self.item_saved)

        splitter = task_splitter(_("&Topics"), self.task_view, self.editor, self.new_button,
                                 side_width=260)
        layout = QHBoxLayout(self)
        layout.addWidget(splitter)
        editor = self.editor
        tab_order(self.task_view, self.new_button, editor.dialect, editor.prompt,
                  editor.completion, editor.submit_button)

    @property
    def autosaver(self):
        return self.editor.autosaver

    def project_id(self) -> str | None:
        submission = self.editor.submission
        if submission is not None and submission.project_id:
            return submission.project_id
        task = self.tasks.task_at(0)
        return task.project_id if task else None

    def submit(self) -> None:
        submission = self.editor.submission
        if submission is None:
            self.tell(_("Nothing is open to submit. Press Ctrl+N to start a new item, or "
                        "choose a topic from the list."))
        elif submission.state != "draft":
            self.tell(_("This item is submitted already. Press Ctrl+N to start a new one."))
        else:
            self.editor.submit()

    def tell(self, text: str) -> None:
        self.editor._set_status(text, True)
        self.status_changed.emit(text, True)

    def focus_first(self) -> None:
        if self.editor.submission is not None:
            self.editor.prompt.setFocus()
        else:
            self.task_view.setFocus()

    # --- crash recovery (ui/session.py) ---------------------------------------------------

    def session_fields(self) -> dict:
        editor = self.editor
        return {"tasks": self.task_view, "dialect": editor.dialect, "prompt": editor.prompt,
                "completion": editor.completion}

    def _dialects(self, project_id: str | None, language: str) -> list[str]:
        if not project_id:
            return []
        try:
            return self.reader.project(project_id).dialects(language)
        except NotFound:
            return []

    def new_submission(self) -> None:
        if self.language is None:
            return
        self._create(language=self.language, kind="original")

    def open_task(self, task: Task) -> None:
        existing = self.reader.submission_for_task(task.id)
        if existing is not None:
            self.show_submission(existing, task)
            self.editor.prompt.setFocus()  # opened from the list: on to the writing
            return
        self._create(language=task.language, kind=task.kind, task_id=task.id,
                     dialect=task.dialect, task=task)

    def show_submission(self, submission: Submission, task: Task | None = None) -> None:
        self.editor.show_submission(
            submission, task, self._dialects(submission.project_id, submission.language)
        )
        if task is not None:
            self.task_view.select_task(task.id)
        self.guideline_changed.emit()

    def _create(self, *, task: Task | None = None, **fields) -> None:
        self.editor.show_submission(None)

        def opened(submission: Submission) -> None:
            self.show_submission(submission, task)
            self.editor.prompt.setFocus()

        operations.new_item(parent=self, on_done=opened, **fields)
