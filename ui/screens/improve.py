"""Improve: re-annotation with feedback, as on the Aya platform.

Rate the original prompt and completion (thumbs up/down, Alt+1…Alt+4); both ratings unlock
the editable copies beside the read-only originals. A character-level diff and the live
Levenshtein distance follow every edit (computed off the typing path). Rating without editing
is allowed; an unchanged edit is not counted as an edit (app/rules.py), and it is never sent
by accident: Ctrl+Enter on an unchanged item first says so, and a second Ctrl+Enter sends the
ratings alone. Typing into the read-only original, or into a copy before rating, says what to
do instead.
"""

from __future__ import annotations

import math

from PySide6.QtCore import Qt
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import (
    QCheckBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLayout,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from app.store import Submission, Task
from i18n import languages
from i18n.bidi import format_message
from i18n.translation import N_, _
from ui import fitting, operations
from ui.autosave import DraftAutosaver
from ui.checks import QualityWatcher
from ui.content_edit import ContentEdit
from ui.fonts import SAMPLE_TEXT, resolve_script
from ui.models import TaskListModel
from ui.operations import Context
from ui.screens.screen import EditingScreen, TaskListView, tab_order, task_splitter
from ui.tasks import Debounced
from ui.widgets import ContentView, DiffView, FindingsLabel, RatingBar

LOOK_OUT_FOR = (
    N_("Grammar and spelling"),
    N_("A length that suits the prompt"),
    N_("A clear instruction"),
    N_("Full sentences"),
)
DIFF_DELAY_MS = 250
MIN_LINES = 2  # the boxes show at least two lines of their script (Nastaliq is tall)


def lines_high(edit: ContentEdit, language, lines: int = MIN_LINES) -> int:
    """The height in pixels that shows ``lines`` lines of ``language``'s script in ``edit``
    (laid out in its font, with its margins and frame) without a scroll bar."""
    sample = SAMPLE_TEXT.get(resolve_script(language.script, language.code), "Hg")
    document = QTextDocument()
    document.setDefaultFont(edit.font())
    document.setDocumentMargin(edit.document().documentMargin())
    document.setPlainText("\n".join([sample] * lines))  # unwrapped: one line each
    return math.ceil(document.size().height()) + 2 * edit.frameWidth()


class FieldPanel(QGroupBox):
    """One field of a re-annotation: rating, original | editable copy, diff and distance."""

    def __init__(self, title: str, what: str, field: str, keys: tuple[str, str], parent=None):
        super().__init__(title, parent)
        self.rating = RatingBar(what, *keys)
        self.original = ContentView(accessible_name=_("Original {what}").format(what=what))
        self.edit = ContentEdit(accessible_name=_("Your improved {what}").format(what=what))
        self.diff = DiffView(accessible_name=_("Changes to the {what}").format(what=what))
        self.diff.setMaximumHeight(80)
        for widget in (self.original, self.edit, self.diff):
            widget.setMinimumHeight(44)
        # Heights follow the panel's stretch, not the editors' (tall) size hints.
        for widget in (self.original, self.edit):
            widget.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Ignored)
        self.distance = QLabel()
        self.distance.setAccessibleName(_("Edit distance of the {what}").format(what=what))
        self.findings = FindingsLabel(field)
        original_label = QLabel(_("Original"))
        edit_label = QLabel(_("Your version"))
        edit_label.setBuddy(self.edit)
        grid = QGridLayout(self)
        # The distance shares the ratings' row: a line less, so the screen fits 1366×768.
        grid.addWidget(self.rating, 0, 0)
        grid.addWidget(self.distance, 0, 1, Qt.AlignTrailing | Qt.AlignVCenter)
        grid.addWidget(original_label, 1, 0)
        grid.addWidget(edit_label, 1, 1)
        grid.addWidget(self.original, 2, 0)
        grid.addWidget(self.edit, 2, 1)
        grid.addWidget(self.diff, 3, 0, 1, 2)
        grid.addWidget(self.findings, 4, 0, 1, 2)
        grid.setVerticalSpacing(4)
        grid.setRowStretch(2, 1)
        # The panel's own minimum follows its layout's: the screen lays the panels out by
        # height-for-width (the wrapped findings), which keeps a widget's stated minimum but
        # not its boxes' own, and squeezed two-line boxes to one.
        grid.setSizeConstraint(QLayout.SetMinimumSize)
        self.original.explain_read_only(_(
            "This is the original {what}; it cannot be changed. Your version is the next "
            "field (Tab).").format(what=what))
        self.diff.explain_read_only(_(
            "This shows your changes to the {what}. Type in your version (Shift+Tab).").format(
                what=what))

    def fields(self) -> tuple:
        """Its focusable parts in reading order."""
        return (self.rating.up, self.rating.down, self.original, self.edit, self.diff)

    def set_language(self, language) -> None:
        for widget in (self.original, self.edit, self.diff):
            widget.set_language(language)
            widget.setMinimumHeight(lines_high(widget, language))
        self.diff.setMaximumHeight(max(80, self.diff.minimumHeight()))


class ImproveScreen(EditingScreen):
    kind = "reannotation"

    def __init__(self, context: Context, parent=None):
        super().__init__(context, parent)
        self.task: Task | None = None
        self.tasks = TaskListModel(self.reader, "reannotation", self)
        self.task_view = TaskListView(self.tasks, _("Items to improve"))
        self.task_view.setObjectName("improveTasks")
        self.task_view.task_opened.connect(self.open_task)

        self.prompt = FieldPanel(_("Prompt"), _("prompt"), "inputs", ("Alt+1", "Alt+2"))
        self.completion = FieldPanel(
            _("Completion"), _("completion"), "targets", ("Alt+3", "Alt+4")
        )
        self.prompt.rating.rated.connect(lambda value: self.rate("inputs", value))
        self.completion.rating.rated.connect(lambda value: self.rate("targets", value))
        self.hint = QLabel(wordWrap=True, objectName="improveHint")
        fitting.keep_wrapped_height(self.hint)  # the boxes below keep their two lines
        self.checklist = QGroupBox(_("Look out for"))
        checklist_layout = QVBoxLayout(self.checklist)
        self.checks_boxes = []
        for item in LOOK_OUT_FOR:
            box = QCheckBox(_(item))
            box.setAccessibleName(_(item))
            checklist_layout.addWidget(box)
            self.checks_boxes.append(box)
        self.status = QLabel(objectName="saveStatus", wordWrap=True)  # a long message wraps
        self.status.setAccessibleName(_("Save status"))
        self.submit_button = QPushButton(_("&Submit (Ctrl+Enter)"))
        self.submit_button.setAccessibleName(_("Submit"))
        self.submit_button.clicked.connect(self.submit)

        self.autosaver = DraftAutosaver(
            context, inputs=self.prompt.edit, targets=self.completion.edit, parent=self
        )
        self.autosaver.status_changed.connect(self._set_status)
        self.autosaver.saved.connect(self.item_saved)
        self.autosaver.submitted.connect(self._on_submitted)
        self.checks = QualityWatcher(context.background, self)
        self.checks.findings_ready.connect(self._show_findings)
        self.autosaver.blocked.connect(self._show_findings)
        self.diffs = Debounced(context.background, delay_ms=DIFF_DELAY_MS, parent=self)
        for panel in (self.prompt, self.completion):
            panel.edit.textChanged.connect(self._on_text)
            panel.edit.typing_refused.connect(lambda reason: self._set_status(reason, True))

        work = QWidget()
        work_layout = QVBoxLayout(work)
        work_layout.setContentsMargins(0, 0, 0, 0)
        work_layout.addWidget(self.hint)
        work_layout.addWidget(self.prompt, 2)
        work_layout.addWidget(self.completion, 3)
        footer = QHBoxLayout()
        footer.addWidget(self.status, 1)
        footer.addWidget(self.submit_button)
        work_layout.addLayout(footer)
        splitter = task_splitter(_("Ite&ms"), self.task_view, work, self.checklist)
        layout = QHBoxLayout(self)
        layout.addWidget(splitter)
        for panel in (self.prompt, self.completion):
            for view in (panel.original, panel.diff):
                view.typing_refused.connect(lambda reason: self._set_status(reason, True))
        self._unchanged_confirmed: str | None = None  # the item a first Ctrl+Enter warned of
        tab_order(self.task_view, *self.checks_boxes, *self.prompt.fields(),
                  *self.completion.fields(), self.submit_button)
        self.show_submission(None)

    def focus_first(self) -> None:
        if self.submission is None:
            self.task_view.setFocus()
        elif self.submission.is_rated:
            self.prompt.edit.setFocus()
        else:
            self.prompt.rating.up.setFocus()

    # --- crash recovery (ui/session.py) ---------------------------------------------------

    def session_fields(self) -> dict:
        return {"tasks": self.task_view,
                "prompt_up": self.prompt.rating.up, "prompt_down": self.prompt.rating.down,
                "prompt": self.prompt.edit,
                "completion_up": self.completion.rating.up,
                "completion_down": self.completion.rating.down,
                "completion": self.completion.edit}

    # --- opening -------------------------------------------------------------------------

    def open_task(self, task: Task) -> None:
        self.autosaver.save_now()
        existing = self.reader.submission_for_task(task.id)
        if existing is not None:
            self.show_submission(existing, task)
            self.focus_first()  # opened from the list: on to rating or editing
            return
        self.show_submission(None)

        def opened(submission: Submission) -> None:
            self.show_submission(submission, task)
            self.focus_first()

        operations.new_item(
            parent=self, on_done=opened, language=task.language, kind="reannotation",
            task_id=task.id, dialect=task.dialect, inputs=task.inputs, targets=task.targets)

    def show_submission(self, submission: Submission | None, task: Task | None = None) -> None:
        self.autosaver.attach(submission)
        self.task = task
        self._unchanged_confirmed = None
        self.checks.clear()
        self.diffs.cancel()
        for box in self.checks_boxes:
            box.setChecked(False)
        if submission is None:
            for panel in (self.prompt, self.completion):
                panel.original.set_text("")
                panel.edit.set_text("")
                panel.diff.set_text("")
                panel.distance.clear()
                panel.rating.set_value(None)
                panel.setEnabled(False)
            self.submit_button.setEnabled(False)
            self.hint.setText(_("Choose an item to improve from the list."))
            self._set_status("")
            return
        if task is not None:
            self.task_view.select_task(task.id)
        language = languages.get(submission.language)
        for panel, original, text, rating in (
            (self.prompt, submission.original_inputs, submission.inputs,
             submission.rating_inputs),
            (self.completion, submission.original_targets, submission.targets,
             submission.rating_targets),
        ):
            panel.setEnabled(True)
            panel.set_language(language)
            panel.original.set_text(original or "")
            panel.edit.set_text(text)
            panel.rating.set_value(rating)
        draft = submission.state == "draft"
        self.prompt.rating.setEnabled(draft)
        self.completion.rating.setEnabled(draft)
        self.submit_button.setEnabled(draft)
        self._apply_lock()
        self._refresh_diffs(now=True)
        self._set_status(_("Draft — saved") if draft else _("Submitted"))
        self.guideline_changed.emit()

    def _apply_lock(self) -> None:
        submission = self.submission
        locked = submission is None or not submission.is_rated or submission.state != "draft"
        if not locked:
            reason = None
        elif submission is not None and submission.state != "draft":
            reason = _("This item is submitted and cannot be changed. Press Alt+Down for the "
                       "next one.")
        else:
            reason = _("Rate the original prompt (Alt+1 or Alt+2) and completion (Alt+3 or "
                       "Alt+4) first: rating both unlocks editing.")
        for panel in (self.prompt, self.completion):
            panel.edit.lock(reason)
        if submission is not None and submission.state != "draft":
            self.hint.setText(_("Submitted. Pick another item, or press Alt+Down for the next."))
        elif locked:
            self.hint.setText(_(
                "First rate the original prompt (Alt+1 good, Alt+2 needs work) and completion "
                "(Alt+3, Alt+4). Rating both unlocks editing."
            ))
        else:
            # Names the boxes, not a side: the side depends on the interface's direction.
            self.hint.setText(format_message(_(
                "Edit your copies in the boxes under “{label}”. Rating without editing is "
                "fine too; an unchanged item counts as a rating, not an edit."
            ), label=_("Your version")))

    # --- rating --------------------------------------------------------------------------

    def rate(self, field: str, value: int | None) -> None:
        submission = self.submission
        if submission is None:
            self.tell(_("Open an item from the list first (Enter), then rate it."))
            return
        if submission.state != "draft":
            self.tell(_("This item is submitted and cannot be changed. Press Alt+Down for "
                        "the next one."))
            return
        panel = self.prompt if field == "inputs" else self.completion
        panel.rating.set_value(value)
        submission_id = submission.id

        def rated(updated: Submission) -> None:
            if self.submission is None or self.submission.id != submission_id:
                return
            self.autosaver.submission = updated
            self._apply_lock()
            self.item_saved(updated)
            if updated.is_rated and field == "targets" and not self.prompt.edit.hasFocus():
                self.prompt.edit.setFocus()

        self.autosaver.save_now()  # the rating is written after the text on screen
        operations.rate(parent=self, submission_id=submission_id, field=field, value=value,
                        on_done=rated)

    # --- live diff, distance and checks --------------------------------------------------

    def _on_text(self) -> None:
        self._unchanged_confirmed = None
        self._refresh_diffs()
        submission = self.submission
        if submission is not None:
            self.checks.schedule(**self._fields())

    def _fields(self) -> dict:
        submission = self.submission
        return {
            "kind": "reannotation", "language": submission.language,
            "inputs": self.prompt.edit.text(), "targets": self.completion.edit.text(),
            "original_inputs": submission.original_inputs or "",
            "original_targets": submission.original_targets or "",
            "exclude_id": submission.id, "project_id": submission.project_id,
        }

    def _refresh_diffs(self, now: bool = False) -> None:
        submission = self.submission
        if submission is None:
            return
        pairs = (
            (submission.original_inputs or "", self.prompt.edit.text()),
            (submission.original_targets or "", self.completion.edit.text()),
        )

        def job(_store):
            from app.diffs import char_diff, edit_distance

            return [(char_diff(a, b), edit_distance(a, b)) for a, b in pairs]

        if now:
            self.diffs.run_now(job, self._show_diffs)
        else:
            self.diffs.schedule(job, self._show_diffs)

    def _show_diffs(self, results) -> None:
        if not results:
            return
        for panel, (pieces, distance) in zip((self.prompt, self.completion), results,
                                             strict=True):
            panel.diff.show_diff(pieces)
            panel.distance.setText(
                _("Edit distance: {n} characters").format(n=distance) if distance
                else _("Unchanged")
            )

    def _show_findings(self, findings: list) -> None:
        self.prompt.findings.show_findings(findings)
        self.completion.findings.show_findings(findings)

    # --- submitting ----------------------------------------------------------------------

    def submit(self) -> None:
        submission = self.submission
        if submission is None:
            self.tell(_("Nothing is open to submit. Choose an item from the list (Enter)."))
            return
        if submission.state != "draft":
            self.tell(_("This item is submitted already. Press Alt+Down for the next one."))
            return
        if not submission.is_rated:
            self.tell(_("Rate the original prompt (Alt+1 or Alt+2) and completion (Alt+3 or "
                        "Alt+4) first; then edit your copies, or submit the ratings alone."))
            return
        fields = self._fields()
        unchanged = (fields["inputs"], fields["targets"]) == (
            fields["original_inputs"], fields["original_targets"])
        if unchanged and self._unchanged_confirmed != submission.id:
            self._unchanged_confirmed = submission.id
            self.tell(_("Nothing was edited. Press Ctrl+Enter again to submit your ratings "
                        "alone, or edit your copies first."))
            return
        self.autosaver.submit(lambda go: self.checks.check_now(go, **fields))

    def _on_submitted(self, submission: Submission) -> None:
        self.item_saved(submission)
        if self.submission is not None and self.submission.id == submission.id:
            self.show_submission(submission, self.task)
            self._set_status(_("Submitted"))
