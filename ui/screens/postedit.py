"""Post-edit: correct machine translations segment by segment, like a CAT tool.

Each segment shows the source, the machine translation and an editable target prefilled with
the MT. HTER (TER of the MT against the edit), time spent and the number of editing sessions
are shown live and stored with the segment on every save. Ctrl+Enter confirms a segment and
opens the next; Ctrl+Down / Ctrl+Up move between segments.

A session takes a batch of segments not yet confirmed, shows progress, and ends with a
summary: segments done, mean HTER and time.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.store import Submission, Task
from i18n import languages
from i18n.translation import _, ngettext
from ui import operations
from ui.autosave import DraftAutosaver
from ui.checks import QualityWatcher
from ui.content_edit import ContentEdit
from ui.models import TaskListModel, submission_status
from ui.operations import Context
from ui.screens.screen import EditingScreen, TaskListView, tab_order, task_splitter
from ui.tasks import Debounced
from ui.widgets import ContentView, FindingsLabel

SOURCE_LANGUAGE = "eng_Latn"  # the demo's and most projects' source; tasks carry no code yet
IDLE_CAP_S = 60.0  # a pause longer than this (away from the desk) counts as this long
HTER_DELAY_MS = 250


def _hter(mt: str, text: str) -> float:
    from app.diffs import hter  # on the background reader: sacrebleu is slow to import

    return hter(mt, text)


def format_duration(seconds: float) -> str:
    seconds = round(seconds)
    return f"{seconds // 60}:{seconds % 60:02d}"


class Session:
    def __init__(self, task_ids: list[str]):
        self.task_ids = task_ids
        self.started = time.monotonic()


class PostEditScreen(EditingScreen):
    kind = "postedit"

    def __init__(self, context: Context, parent=None):
        super().__init__(context, parent)
        self.task: Task | None = None
        self.session: Session | None = None
        self._opened_at = self._last_activity = time.monotonic()
        self._base_seconds, self._base_sessions = 0.0, 0
        self._active_seconds = 0.0
        self._edited_now = False

        self.tasks = TaskListModel(self.reader, "postedit", self)
        self.task_view = TaskListView(self.tasks, _("Segments"))
        self.task_view.setObjectName("segments")
        self.task_view.task_opened.connect(self.open_task)

        self.batch_size = QSpinBox(minimum=1, maximum=500, value=10)
        self.batch_size.setAccessibleName(_("Segments per session"))
        self.session_button = QPushButton(_("Start &session"))
        self.session_button.setAccessibleName(_("Start or end a session"))
        self.session_button.clicked.connect(self.toggle_session)
        self.progress = QProgressBar()
        self.progress.setAccessibleName(_("Session progress"))
        self.progress.setFormat(_("%v of %m segments"))
        self.progress.hide()
        self.summary = QLabel(objectName="sessionSummary", wordWrap=True)
        self.summary.setAccessibleName(_("Session summary"))
        self.summary.setFrameShape(QLabel.StyledPanel)
        self.summary.hide()

        self.source = ContentView(accessible_name=_("Source text"))
        self.mt = ContentView(accessible_name=_("Machine translation"))
        self.target = ContentEdit(accessible_name=_("Your translation"))
        self.findings = FindingsLabel("targets")
        self.hter_label = QLabel()
        self.hter_label.setAccessibleName(_("HTER"))
        self.time_label = QLabel()
        self.time_label.setAccessibleName(_("Time spent"))
        self.sessions_label = QLabel()
        self.sessions_label.setAccessibleName(_("Editing sessions"))
        self.status = QLabel(objectName="saveStatus")
        self.status.setAccessibleName(_("Save status"))
        self.confirm_button = QPushButton(_("&Confirm and next (Ctrl+Enter)"))
        self.confirm_button.setAccessibleName(_("Confirm segment"))
        self.confirm_button.clicked.connect(self.submit)

        self.autosaver = DraftAutosaver(
            context, inputs=None, targets=self.target, extra=self._timing, parent=self
        )
        self.autosaver.status_changed.connect(self._set_status)
        self.autosaver.saved.connect(self.item_saved)
        self.autosaver.submitted.connect(self._on_confirmed)
        self.checks = QualityWatcher(context.background, self)
        self.checks.findings_ready.connect(self.findings.show_findings)
        self.autosaver.blocked.connect(self.findings.show_findings)
        self.hter_job = Debounced(context.background, delay_ms=HTER_DELAY_MS, parent=self)
        self.target.textChanged.connect(self._on_text)
        self.target.typing_refused.connect(lambda reason: self._set_status(reason, True))
        self.clock = QTimer(self, interval=1000)
        self.clock.timeout.connect(self._show_time)

        session_row = QHBoxLayout()
        batch_label = QLabel(_("Segments per session:"))
        batch_label.setBuddy(self.batch_size)
        session_row.addWidget(batch_label)
        session_row.addWidget(self.batch_size)
        session_row.addWidget(self.session_button)
        session_row.addWidget(self.progress, 1)
        session_row.addStretch(0)

        editor = QWidget()
        editor_layout = QVBoxLayout(editor)
        editor_layout.setContentsMargins(0, 0, 0, 0)
        for title, widget in ((_("Source"), self.source), (_("Machine translation"), self.mt),
                              (_("&Your translation"), self.target)):
            label = QLabel(title)
            label.setBuddy(widget)
            editor_layout.addWidget(label)
            editor_layout.addWidget(widget, 1)
        editor_layout.addWidget(self.findings)
        metrics = QHBoxLayout()
        for label in (self.hter_label, self.time_label, self.sessions_label):
            metrics.addWidget(label)
            metrics.addSpacing(18)
        metrics.addStretch(1)
        editor_layout.addLayout(metrics)
        footer = QHBoxLayout()
        footer.addWidget(self.status, 1)
        footer.addWidget(self.confirm_button)
        editor_layout.addLayout(footer)

        legend = QGroupBox(_("Status"))
        legend_layout = QVBoxLayout(legend)
        legend_layout.addWidget(QLabel(_("grey: untouched · amber: edited · green: confirmed"),
                                       wordWrap=True))
        splitter = task_splitter(_("Segmen&ts"), self.task_view, editor, legend, side_width=260)
        layout = QVBoxLayout(self)
        layout.addLayout(session_row)
        layout.addWidget(self.summary)
        layout.addWidget(splitter, 1)
        read_only = _("The source and the machine translation cannot be changed: type in "
                      "your translation (Tab).")
        for view in (self.source, self.mt):
            view.explain_read_only(read_only)
            view.typing_refused.connect(lambda reason: self._set_status(reason, True))
        tab_order(self.batch_size, self.session_button, self.task_view, self.source, self.mt,
                  self.target, self.confirm_button)
        self.show_submission(None)

    def load_language(self, code: str) -> None:
        self.session = None
        self.tasks.only = None
        self.tasks.set_language(code)
        self._show_session()
        self.show_submission(None)

    def focus_first(self) -> None:
        (self.target if self.submission is not None else self.task_view).setFocus()

    # --- crash recovery (ui/session.py) ---------------------------------------------------

    def session_fields(self) -> dict:
        return {"tasks": self.task_view, "target": self.target}

    # --- timing --------------------------------------------------------------------------

    def _timing(self) -> dict:
        return {"seconds_spent": round(self._base_seconds + self._active_seconds, 3),
                "edit_sessions": self._base_sessions + (1 if self._edited_now else 0)}

    def _on_text(self) -> None:
        if self.submission is None or self.submission.state != "draft":
            return
        now = time.monotonic()
        self._active_seconds += min(now - self._last_activity, IDLE_CAP_S)
        self._last_activity = now
        self._edited_now = True
        self._show_time()
        mt, text = self.submission.original_targets or "", self.target.text()
        self.hter_job.schedule(lambda _store: _hter(mt, text), self._show_hter)
        self.checks.schedule(
            kind="postedit", language=self.submission.language,
            inputs=self.submission.inputs, targets=text, original_targets=mt,
            project_id=self.submission.project_id,
        )

    def _show_hter(self, value) -> None:
        if value is not None:
            self.hter_label.setText(_("HTER: {value}").format(value=f"{value:.2f}"))

    def _show_time(self) -> None:
        if self.submission is None:
            self.time_label.clear()
            self.sessions_label.clear()
            return
        timing = self._timing()
        self.time_label.setText(
            _("Time: {duration}").format(duration=format_duration(timing["seconds_spent"])))
        sessions = timing["edit_sessions"]
        self.sessions_label.setText(
            ngettext("{n} editing session", "{n} editing sessions", sessions).format(n=sessions))

    # --- segments ------------------------------------------------------------------------

    def open_task(self, task: Task) -> None:
        self.autosaver.save_now()
        existing = self.reader.submission_for_task(task.id)
        if existing is not None:
            self.show_submission(existing, task)
            self.target.setFocus()
            return

        def opened(submission: Submission) -> None:
            self.show_submission(submission, task)
            self.target.setFocus()

        operations.new_item(
            parent=self, on_done=opened, language=task.language, kind="postedit",
            task_id=task.id, dialect=task.dialect, inputs=task.source_text or "",
            targets=task.mt_text or "")

    def show_submission(self, submission: Submission | None, task: Task | None = None) -> None:
        self.autosaver.attach(submission)
        self.task = task
        self.checks.clear()
        self.hter_job.cancel()
        now = time.monotonic()
        self._opened_at = self._last_activity = now
        self._active_seconds = 0.0
        self._edited_now = False
        if submission is None:
            for widget in (self.source, self.mt, self.target):
                widget.set_text("")
            self.target.lock(_("No segment is open. Choose one from the list (Enter), or "
                               "start a session."))
            self.confirm_button.setEnabled(False)
            self.hter_label.clear()
            self.clock.stop()
            self._show_time()
            self._set_status(_("Choose a segment, or start a session."))
            return
        self._base_seconds = submission.seconds_spent
        self._base_sessions = submission.edit_sessions
        language = languages.get(submission.language)
        self.source.set_language(languages.get(SOURCE_LANGUAGE))
        self.mt.set_language(language)
        self.target.set_language(language)
        self.source.set_text(submission.original_inputs or submission.inputs)
        self.mt.set_text(submission.original_targets or "")
        self.target.set_text(submission.targets)
        draft = submission.state == "draft"
        self.target.lock(None if draft else _(
            "This segment is confirmed and cannot be changed. Press Ctrl+Down for the next."))
        self.confirm_button.setEnabled(draft)
        self._show_hter(submission.hter if submission.hter is not None else 0.0)
        self._show_time()
        if draft:
            self.clock.start()
        else:
            self.clock.stop()
        if task is not None:
            self.task_view.select_task(task.id)
        self._set_status(_("Draft — saved") if draft else _("Confirmed"))
        self.guideline_changed.emit()

    # --- confirming ----------------------------------------------------------------------

    def submit(self) -> None:
        submission = self.submission
        if submission is None:
            self.tell(_("No segment is open. Choose one from the list (Enter), or start a "
                        "session."))
            return
        if submission.state != "draft":
            self.tell(_("This segment is confirmed already. Press Ctrl+Down for the next."))
            return
        fields = {
            "kind": "postedit", "language": submission.language,
            "inputs": submission.inputs, "targets": self.target.text(),
            "original_targets": submission.original_targets or "",
            "project_id": submission.project_id,
        }
        # Confirming counts as an edit of the segment (time and session) even when the MT
        # was right as it was.
        self._edited_now = True
        self.autosaver.note_edit()
        self.autosaver.submit(lambda go: self.checks.check_now(go, **fields))

    def _on_confirmed(self, submission: Submission) -> None:
        self.item_saved(submission)
        if self.submission is None or self.submission.id != submission.id:
            return
        self.show_submission(submission, self.task)
        self._show_session()
        if self.session is not None and self._session_done():
            self.end_session()
            return
        self._open_next_open_segment()

    def _open_next_open_segment(self) -> None:
        model = self.tasks
        current = model.row_of(self.task.id) if self.task is not None else None
        start = -1 if current is None else current
        for row in range(start + 1, model.rowCount()):
            if model.status(model.task_at(row).id) != "confirmed":
                self.task_view.select_row(row)
                self.open_task(model.task_at(row))
                return

    # --- sessions ------------------------------------------------------------------------

    def toggle_session(self) -> None:
        if self.session is None:
            self.start_session()
        else:
            self.end_session()

    def start_session(self) -> None:
        if self.language is None:
            return
        self.save_now()
        wanted = self.batch_size.value()
        batch: list[str] = []
        offset = 0
        while len(batch) < wanted:
            page = self.reader.tasks(language=self.language, kind="postedit", limit=200,
                                     offset=offset)
            if not page:
                break
            found = self.reader.submissions_for_tasks([t.id for t in page])
            batch += [t.id for t in page
                      if submission_status(found.get(t.id)) != "confirmed"][: wanted - len(batch)]
            offset += len(page)
        if not batch:
            self._set_status(_("Every segment in this language is confirmed."))
            return
        self.session = Session(batch)
        self.summary.hide()
        self.tasks.restrict(batch)
        self._show_session()
        self.task_view.select_row(0)
        self.open_task(self.tasks.task_at(0))

    def _session_done(self) -> bool:
        return all(self.tasks.status(task_id) == "confirmed"
                   for task_id in self.session.task_ids)

    def _show_session(self) -> None:
        if self.session is None:
            self.progress.hide()
            self.session_button.setText(_("Start &session"))
            self.batch_size.setEnabled(True)
            return
        done = sum(self.tasks.status(t) == "confirmed" for t in self.session.task_ids)
        self.progress.setRange(0, len(self.session.task_ids))
        self.progress.setValue(done)
        self.progress.show()
        self.session_button.setText(_("End &session"))
        self.batch_size.setEnabled(False)

    def end_session(self) -> None:
        if self.session is None:
            return
        self.save_now()
        session, self.session = self.session, None
        wall = time.monotonic() - session.started

        def summarise(store):
            found = store.submissions_for_tasks(session.task_ids)
            return [s for s in found.values() if s.state != "draft"]

        def show(done: list[Submission]) -> None:
            hters = [s.hter for s in done if s.hter is not None]
            mean = sum(hters) / len(hters) if hters else 0.0
            editing = sum(s.seconds_spent for s in done)
            self.summary.setText(
                _("Session finished: {done} of {total} segments done · mean HTER {hter} · "
                  "time {wall} (editing {editing})").format(
                    done=len(done), total=len(session.task_ids), hter=f"{mean:.2f}",
                    wall=format_duration(wall), editing=format_duration(editing))
            )
            self.summary.show()

        # Once what was typed is on disk, without the window waiting for it.
        self.context.writer.then(lambda: self.context.background.run(summarise, on_done=show))
        self.tasks.restrict(None)
        self._show_session()
