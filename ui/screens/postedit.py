"""Post-edit: correct machine translations segment by segment, like a CAT tool.

Each segment shows the source, the machine translation and an editable target prefilled with
the MT. HTER (TER of the MT against the edit), time spent and the number of editing sessions
are shown live and stored with the segment on every save. Ctrl+Enter confirms a segment and
opens the next; Ctrl+Down / Ctrl+Up move between segments.

A session takes a batch of segments not yet confirmed, shows progress, and ends with a
summary: segments done, mean HTER and time, and the QA warnings left open.

Beside the segment, as in a CAT tool (ui/postedit_tools.py; matching and checks run on the
background reader, never on the typing path): the translation memory's best matches with
their percentage and how their source differs (Ctrl+R uses the chosen one), the glossary
terms of the source, underlined there with their translation on hover (Ctrl+G inserts one),
a concordance search (Ctrl+Shift+F), and the QA checks of the translation, none blocking
(Ctrl+D dismisses one for this segment, kept with it). Find and replace (Ctrl+H) works on the
session's segments, or every segment in the list, with a preview; Ctrl+Alt+Z undoes it.
"""

from __future__ import annotations

import time

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence, QTextCursor, QUndoStack
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

from app import memory
from app.kinds import DEFAULT_SOURCE_LANGUAGE
from app.store import Submission, Task
from i18n import languages
from i18n.formatting import format_integer, format_number, native
from i18n.translation import _, ngettext
from ui import operations
from ui.autosave import DraftAutosaver
from ui.checks import QualityWatcher
from ui.content_edit import ContentEdit
from ui.fonts import font_for_script
from ui.models import TaskListModel, submission_status
from ui.operations import Context
from ui.postedit_tools import (
    ChecksPanel,
    ConcordancePanel,
    MatchesPanel,
    ReplaceCommand,
    ReplaceDialog,
    TermMarker,
    TermsPanel,
)
from ui.screens.screen import EditingScreen, TaskListView, tab_order, task_splitter
from ui.tasks import Debounced
from ui.widgets import ContentView, FindingsLabel

SOURCE_LANGUAGE = DEFAULT_SOURCE_LANGUAGE  # a task that does not name its source's language
IDLE_CAP_S = 60.0  # a pause longer than this (away from the desk) counts as this long
HTER_DELAY_MS = 250
HELP_DELAY_MS = 200  # QA checks after typing stops


def _help(pair, source: str, target: str, dismissed: list[str], matches: bool):
    """A background job: memory matches, glossary terms and QA issues of one segment."""
    def job(store):
        return memory.segment_help(store, source_language=pair[0], target_language=pair[1],
                                   source=source, target=target, dismissed=dismissed,
                                   matches=matches)
    return job


def _concordance(pair, text: str):
    def job(store):
        return memory.pair_memory(store, *pair).index.concordance(text)
    return job


def _hter(mt: str, text: str) -> float:
    from app.diffs import hter  # on the background reader: sacrebleu is slow to import

    return hter(mt, text)


def format_duration(seconds: float) -> str:
    """Minutes and seconds ("3:07"), in the interface's digits."""
    seconds = round(seconds)
    return native(f"{seconds // 60}:{seconds % 60:02d}")


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
        self.status = QLabel(objectName="saveStatus", wordWrap=True)  # a long message wraps
        self.status.setAccessibleName(_("Save status"))
        self.confirm_button = QPushButton(_("&Confirm and next (Ctrl+Enter)"))
        self.confirm_button.setAccessibleName(_("Confirm segment"))
        self.confirm_button.clicked.connect(self.submit)

        self.matches = MatchesPanel()
        self.terms = TermsPanel()
        self.concordance = ConcordancePanel()
        self.concordance.search.connect(self.search_memory)
        self.checks_panel = ChecksPanel()
        self.checks_panel.setMaximumHeight(96)
        self.term_marker = TermMarker(self.source)
        self.replace_button = QPushButton(_("Replace… (Ctrl+H)"))
        self.replace_button.setAccessibleName(_("Find and replace in translations"))
        self.replace_button.clicked.connect(self.find_and_replace)
        self.undo_stack = QUndoStack(self)
        self.replace_dialog: ReplaceDialog | None = None
        self._pair = (SOURCE_LANGUAGE, "")
        self._dismissed: list[str] = []
        # Matches when a segment opens, QA as the translation changes: two jobs, so typing
        # right away does not drop the matches on their way.
        self.match_job = Debounced(context.background, delay_ms=0, parent=self)
        self.help_job = Debounced(context.background, delay_ms=HELP_DELAY_MS, parent=self)
        self.concordance_job = Debounced(context.background, delay_ms=0, parent=self)
        for keys, slot in (("Ctrl+R", self.use_match), ("Ctrl+G", self.insert_term),
                           ("Ctrl+D", self.dismiss_check), ("Ctrl+H", self.find_and_replace),
                           ("Ctrl+Shift+F", self.focus_concordance),
                           ("Ctrl+Alt+Z", self.undo_replace)):
            action = QAction(self, shortcut=QKeySequence(keys),
                             shortcutContext=Qt.WidgetWithChildrenShortcut)
            action.triggered.connect(slot)
            self.addAction(action)

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
        session_row.addWidget(self.replace_button)

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
        checks_label = QLabel(_("QA checks (Ctrl+D dismisses one)"), wordWrap=True)
        checks_label.setBuddy(self.checks_panel)
        editor_layout.addWidget(checks_label)
        editor_layout.addWidget(self.checks_panel)
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
        splitter = task_splitter(_("Segmen&ts"), self.task_view, editor, legend, side_width=240)
        tools = QWidget()
        tools_layout = QVBoxLayout(tools)
        tools_layout.setContentsMargins(0, 0, 0, 0)
        tools_layout.addWidget(self.matches, 3)
        terms_label = QLabel(_("Glossary (Ctrl+G inserts a term)"), wordWrap=True)
        terms_label.setBuddy(self.terms)
        tools_layout.addWidget(terms_label)
        tools_layout.addWidget(self.terms, 1)
        tools_layout.addWidget(self.concordance, 2)
        splitter.addWidget(tools)
        splitter.setSizes([240, 560, 320])
        layout = QVBoxLayout(self)
        layout.addLayout(session_row)
        layout.addWidget(self.summary)
        layout.addWidget(splitter, 1)
        read_only = _("The source and the machine translation cannot be changed: type in "
                      "your translation (Tab).")
        for view in (self.source, self.mt):
            view.explain_read_only(read_only)
            view.typing_refused.connect(lambda reason: self._set_status(reason, True))
        tab_order(self.batch_size, self.session_button, self.replace_button, self.task_view,
                  self.source, self.mt, self.target, self.checks_panel, self.confirm_button,
                  self.matches.list, self.matches.diff, self.terms, self.concordance.field,
                  self.concordance.results)
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
        self._schedule_help(matches=False)

    def _show_hter(self, value) -> None:
        if value is not None:
            self.hter_label.setText(
                _("HTER: {value}").format(value=format_number(value, decimals=2)))

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
        self.help_job.cancel()
        self.match_job.cancel()
        now = time.monotonic()
        self._opened_at = self._last_activity = now
        self._active_seconds = 0.0
        self._edited_now = False
        if submission is None:
            for widget in (self.source, self.mt, self.target):
                widget.set_text("")
            self.target.lock(_("No segment is open. Choose one from the list (Enter), or "
                               "start a session."))
            self.term_marker.mark([])
            self.checks_panel.show_issues([])
            self.terms.show_terms([])
            self.confirm_button.setEnabled(False)
            self.hter_label.clear()
            self.clock.stop()
            self._show_time()
            self._set_status(_("Choose a segment, or start a session."))
            return
        self._base_seconds = submission.seconds_spent
        self._base_sessions = submission.edit_sessions
        language = languages.get(submission.language)
        self._pair = (self._source_language(submission, task), submission.language)
        self._dismissed = submission.dismissed
        self.source.set_language(languages.get(self._pair[0]))
        # Lists of the target language's text take its font (Nastaliq for Urdu, …).
        content_font = font_for_script(language.script, language=language.code)
        for widget in (self.matches.list, self.terms, self.concordance.results):
            widget.setFont(content_font)
        if self.replace_dialog is not None:
            self.replace_dialog.preview.setFont(content_font)
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
        self._schedule_help(matches=True)
        self.guideline_changed.emit()

    # --- memory, glossary, QA -------------------------------------------------------------

    def _source_language(self, submission: Submission, task: Task | None) -> str:
        if task is None and submission.task_id:
            found = self.reader.tasks_by_ids([submission.task_id])
            task = found[0] if found else None
        return (task.source_language if task is not None else None) or SOURCE_LANGUAGE

    def _schedule_help(self, *, matches: bool) -> None:
        submission = self.submission
        if submission is None:
            return
        source, text = submission.original_inputs or submission.inputs, self.target.text()
        job = _help(self._pair, source, text, list(self._dismissed), matches)
        if matches:
            self.match_job.run_now(job, lambda found: self._show_help(found, source, text))
        else:
            self.help_job.schedule(job, lambda found: self._show_help(found, source, text))

    def _show_help(self, found, source: str, text: str) -> None:
        if found is None or self.submission is None:
            return
        if found.matches or self.matches.source != source:
            self.matches.show_matches(found.matches, source, languages.get(self._pair[0]),
                                      languages.get(self._pair[1]))
        self.term_marker.mark(found.hits)
        self.terms.show_terms(found.hits)
        if text == self.target.text():  # not checks of a text typed over since
            self.checks_panel.show_issues(found.issues)

    def _editable(self) -> bool:
        submission = self.submission
        if submission is None or submission.state != "draft":
            self.tell(_("Open a segment that is not confirmed first (Enter in the list)."))
            return False
        return True

    def use_match(self) -> None:
        """Ctrl+R: the chosen memory match becomes the translation (one undo step)."""
        match = self.matches.chosen()
        if not self._editable():
            return
        if match is None:
            self.tell(_("The translation memory has no match for this segment."))
            return
        cursor = self.target.textCursor()
        cursor.select(QTextCursor.Document)
        cursor.insertText(match.target)
        self.target.setFocus()
        self._set_status(_("Used the {percent}% match.").format(percent=match.score))

    def insert_term(self) -> None:
        """Ctrl+G: the chosen glossary term's translation (else the first one missing) at
        the cursor."""
        if not self._editable():
            return
        term = self.terms.term_to_insert(self.target.text())
        if term is None:
            self.tell(_("No glossary term occurs in this segment's source."))
            return
        self.target.textCursor().insertText(term.target)
        self.target.setFocus()

    def dismiss_check(self) -> None:
        """Ctrl+D: hide the chosen QA check (else the first) for this segment."""
        issue = self.checks_panel.chosen()
        if issue is None:
            self.tell(_("There is no QA warning to dismiss."))
            return
        if not self._editable():
            return

        def dismissed(submission: Submission) -> None:
            if self.submission is not None and submission.id == self.submission.id:
                self._dismissed = submission.dismissed
                self._schedule_help(matches=False)

        operations.dismiss_check(parent=self, submission_id=self.submission.id,
                                 key=issue.key, on_done=dismissed)

    def focus_concordance(self) -> None:
        """Ctrl+Shift+F: search the memory for the selected words (or type some)."""
        for view in (self.target, self.source, self.mt):
            selected = view.textCursor().selectedText().strip()
            if selected:
                self.concordance.field.setText(selected)
                self.search_memory(selected)
                break
        self.concordance.field.setFocus()
        self.concordance.field.selectAll()

    def search_memory(self, text: str) -> None:
        if not text.strip() or not self._pair[1]:
            self.concordance.show_results([])
            return
        self.concordance_job.run_now(_concordance(self._pair, text),
                                     lambda found: self.concordance.show_results(found or []))

    # --- find and replace ------------------------------------------------------------------

    def find_and_replace(self) -> None:
        """Ctrl+H: find and replace in the translations of the session's segments, or of
        every segment in the list."""
        if self.replace_dialog is None:
            self.replace_dialog = ReplaceDialog(self)
            self.replace_dialog.preview.setFont(self.matches.list.font())
            self.replace_dialog.preview_requested.connect(self.preview_replace)
            self.replace_dialog.replace_requested.connect(self.apply_replace)
            self.replace_dialog.undo_requested.connect(self.undo_replace)
        selected = self.target.textCursor().selectedText()
        if selected and "\u2029" not in selected:
            self.replace_dialog.find.setText(selected)
        self.replace_dialog.show()
        self.replace_dialog.raise_()
        self.replace_dialog.find.setFocus()

    def _segment_ids(self) -> list[str]:
        if self.session is not None:
            return list(self.session.task_ids)
        return [self.tasks.task_id_at(row) for row in range(self.tasks.rowCount())]

    def preview_replace(self, find: str, replace: str, match_case: bool,
                        whole_word: bool) -> None:
        self.save_now()
        task_ids = self._segment_ids()

        def plan(store):
            from app.replace import replacements

            tasks = {t.id: t for t in store.tasks_by_ids(task_ids)}
            found = store.submissions_for_tasks(task_ids)
            texts, skipped = [], 0
            for task_id in task_ids:
                submission = found.get(task_id)
                if submission is not None and submission.state != "draft":
                    skipped += 1
                    continue
                text = submission.targets if submission else (tasks[task_id].mt_text or "")
                texts.append((task_id, text))
            return replacements(texts, find, replace, match_case=match_case,
                                whole_word=whole_word), skipped

        def show(result) -> None:
            if result is not None and self.replace_dialog is not None:
                self.replace_dialog.show_preview(*result)

        self.context.writer.then(lambda: self.context.background.run(plan, on_done=show))

    def apply_replace(self, planned: list) -> None:
        if planned:
            self.save_now()
            self.undo_stack.push(ReplaceCommand(planned, self._write_targets))

    def undo_replace(self) -> None:
        """Ctrl+Alt+Z: put back what the last replace changed (where nobody typed since)."""
        if not self.undo_stack.canUndo():
            self.tell(_("There is no replace to undo."))
            return
        self.save_now()
        self.undo_stack.undo()

    def _write_targets(self, edits: list[tuple]) -> None:
        def written(changed: list[Submission]) -> None:
            for submission in changed:
                self.item_saved(submission)
            current = self.submission
            if current is not None and any(s.id == current.id for s in changed):
                fresh = next(s for s in changed if s.id == current.id)
                self.show_submission(fresh, self.task)
            if self.replace_dialog is not None:
                self.replace_dialog.replaced(len(changed), self.undo_stack.canUndo())
            self._set_status(ngettext("Changed {n} segment.", "Changed {n} segments.",
                                      len(changed)).format(n=len(changed)))

        operations.save_targets(parent=self, edits=edits, on_done=written)

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
            if model.status(model.task_id_at(row)) != "confirmed":
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

        pair = self._pair

        def summarise(store):
            found = store.submissions_for_tasks(session.task_ids)
            done = [s for s in found.values() if s.state != "draft"]
            warnings = sum(len(memory.segment_help(
                store, source_language=pair[0], target_language=s.language,
                source=s.original_inputs or s.inputs, target=s.targets,
                dismissed=s.dismissed, matches=False).issues) for s in done)
            return done, warnings

        def show(result) -> None:
            done, warnings = result
            hters = [s.hter for s in done if s.hter is not None]
            mean = sum(hters) / len(hters) if hters else 0.0
            editing = sum(s.seconds_spent for s in done)
            self.summary.setText(
                _("Session finished: {done} of {total} segments done · mean HTER {hter} · "
                  "time {wall} (editing {editing})").format(
                    done=format_integer(len(done)),
                    total=format_integer(len(session.task_ids)),
                    hter=format_number(mean, decimals=2),
                    wall=format_duration(wall), editing=format_duration(editing))
                + " · " + ngettext("{n} QA warning left open", "{n} QA warnings left open",
                                   warnings).format(n=format_integer(warnings))
            )
            self.summary.show()

        # Once what was typed is on disk, without the window waiting for it.
        self.context.writer.then(lambda: self.context.background.run(summarise, on_done=show))
        self.tasks.restrict(None)
        self._show_session()
