"""The main window: pick a language, choose a task or an earlier item, write."""

from __future__ import annotations

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QLabel,
    QListView,
    QMainWindow,
    QSplitter,
    QTabWidget,
    QToolBar,
)

from app.errors import NotFound
from app.store import Store, Submission, Task
from i18n.translation import _
from ui.editor import SubmissionEditor
from ui.language_picker import LanguagePicker
from ui.models import ItemRole, SubmissionListModel, TaskListModel
from ui.writer import StoreWriter


class MainWindow(QMainWindow):
    def __init__(self, *, reader: Store, writer: StoreWriter, settings: QSettings):
        super().__init__()
        self.reader = reader
        self.writer = writer
        self.settings = settings
        self.setWindowTitle(_("Qalam"))
        self.setObjectName("mainWindow")

        self.language_picker = LanguagePicker(reader.languages_with_tasks())
        self.language_picker.language_chosen.connect(self.set_language)

        new_action = QAction(_("&New item"), self, shortcut=QKeySequence.New)
        new_action.setToolTip(_("Write a new prompt and completion (Ctrl+N)"))
        new_action.triggered.connect(self.new_submission)
        quit_action = QAction(_("&Quit"), self, shortcut=QKeySequence.Quit)
        quit_action.triggered.connect(self.close)
        self.addAction(quit_action)

        toolbar = QToolBar(_("Main"), objectName="mainToolbar", movable=False)
        language_label = QLabel(_("&Language:"))
        language_label.setBuddy(self.language_picker)
        toolbar.addWidget(language_label)
        toolbar.addWidget(self.language_picker)
        toolbar.addSeparator()
        toolbar.addAction(new_action)
        self.addToolBar(toolbar)

        self.tasks = TaskListModel(reader, self)
        self.task_view = QListView(objectName="taskList")
        self.task_view.setAccessibleName(_("Tasks"))
        self.task_view.setModel(self.tasks)
        self.task_view.setUniformItemSizes(False)
        self.task_view.setWordWrap(True)
        self.task_view.activated.connect(self._open_task)
        self.task_view.clicked.connect(self._open_task)

        self.submissions = SubmissionListModel(reader, self)
        self.submission_view = QListView(objectName="submissionList")
        self.submission_view.setAccessibleName(_("My work"))
        self.submission_view.setModel(self.submissions)
        self.submission_view.activated.connect(self._open_submission)
        self.submission_view.clicked.connect(self._open_submission)

        self.sidebar = QTabWidget(objectName="sidebar")
        self.sidebar.addTab(self.task_view, _("&Tasks"))
        self.sidebar.addTab(self.submission_view, _("&My work"))

        self.editor = SubmissionEditor(writer)
        self.editor.saved.connect(self.submissions.update_item)
        self.editor.submitted.connect(self.submissions.update_item)
        self.editor.status_changed.connect(self.statusBar().showMessage)

        splitter = QSplitter(Qt.Horizontal, objectName="mainSplitter")
        splitter.addWidget(self.sidebar)
        splitter.addWidget(self.editor)
        splitter.setStretchFactor(1, 3)
        splitter.setSizes([320, 760])
        self.setCentralWidget(splitter)
        self.resize(1100, 720)
        self._restore_state()

    # --- user actions ----------------------------------------------------------------------

    def set_language(self, code: str) -> None:
        self.editor.save_now()
        self.language_picker.set_code(code)
        self.tasks.set_language(code)
        self.submissions.set_language(code)
        self.settings.setValue("language", code)

    def current_language(self) -> str | None:
        return self.language_picker.current_code()

    def new_submission(self) -> None:
        language = self.current_language()
        if language is None:
            return
        self._create(language=language, kind="original")

    def _open_task(self, index) -> None:
        task: Task = index.data(ItemRole)
        existing = self.reader.submission_for_task(task.id)
        if existing is not None:
            self.editor.show_submission(existing, task)
            return
        self._create(
            language=task.language, kind=task.kind, task_id=task.id, dialect=task.dialect,
            inputs=task.inputs, targets=task.targets, task=task,
        )

    def _create(self, *, task: Task | None = None, **fields) -> None:
        self.editor.show_submission(None)

        def opened(submission: Submission) -> None:
            self.submissions.update_item(submission)
            self.editor.show_submission(submission, task)
            self.editor.prompt.setFocus()

        self.writer.run(
            lambda store: store.new_submission(**fields),
            on_done=opened,
            on_error=lambda error: self.statusBar().showMessage(str(error)),
        )

    def _open_submission(self, index) -> None:
        submission: Submission = index.data(ItemRole)
        task = self.reader.task(submission.task_id) if submission.task_id else None
        # Read it fresh: the list may hold an older copy than the store.
        self.editor.show_submission(self.reader.submission(submission.id), task)

    # --- state across runs -----------------------------------------------------------------

    def _restore_state(self) -> None:
        geometry = self.settings.value("geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        language = self.settings.value("language") or self.language_picker.itemData(0)
        if language:
            self.set_language(language)
        last = self.settings.value("last_submission")
        if last:
            try:
                submission = self.reader.submission(last)
            except NotFound:  # discarded since, or another data dir
                return
            task = self.reader.task(submission.task_id) if submission.task_id else None
            self.editor.show_submission(submission, task)

    def closeEvent(self, event) -> None:
        self.editor.save_now()
        self.writer.flush()
        self.settings.setValue("geometry", self.saveGeometry())
        if self.editor.submission is not None:
            self.settings.setValue("last_submission", self.editor.submission.id)
        self.settings.sync()
        super().closeEvent(event)

    def shutdown(self) -> None:
        """Release the stores (after the window has closed)."""
        self.writer.close()
        self.reader.close()
