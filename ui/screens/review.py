"""Review: is a peer's edit an improvement? 1–5 for the prompt and for the completion.

The peer's original sits beside their edit, shown as a word-level diff. A score under 5
offers "Improve it further": an editor whose result becomes a new edit, linked to the edit it
improves and to this review. An item can be flagged for the coordinator (wrong language
label, harmful, nonsense). The list never offers the annotator's own work
(``Store.review_tasks``). The review autosaves as a draft, like every editor.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from app.kinds import REVIEW_FLAGS
from app.store import Review, Submission, Task
from i18n import languages
from i18n.bidi import format_message
from i18n.translation import N_, _
from ui import operations
from ui.autosave import AUTOSAVE_CEILING_MS, AUTOSAVE_DELAY_MS, DraftAutosaver, PauseOrCeiling
from ui.checks import QualityWatcher
from ui.content_edit import ContentEdit
from ui.models import TaskListModel
from ui.operations import Context
from ui.screens.screen import Screen, TaskListView, tab_order, task_splitter
from ui.widgets import ContentView, DiffView, FindingsLabel, ScoreBar

FLAG_NAMES = {
    "wrong_language": N_("Wrong language label"),
    "harmful": N_("Harmful content"),
    "nonsense": N_("Nonsense"),
}


# Whole sentences, so each language places its own accelerator ("&{title} score:" put it on a
# title's first letter, which split an Indic conjunct such as प्र, and the keys shown were
# Alt+P and Alt+C whatever the language).
SCORE_LABELS = {"inputs": N_("&Prompt score:"), "targets": N_("&Completion score:")}


def score_key(field: str) -> str:
    """The keys that reach a score bar in the UI language, e.g. "Alt+P" (or "Alt+ط")."""
    return QKeySequence.mnemonic(_(SCORE_LABELS[field])).toString(
        QKeySequence.SequenceFormat.NativeText)


class ReviewScreen(Screen):
    kind = "review"

    def __init__(self, context: Context, parent=None):
        super().__init__(context, parent)
        self.task: Task | None = None
        self.review: Review | None = None
        self._loading = False
        self.tasks = TaskListModel(self.reader, "review", self)
        self.task_view = TaskListView(self.tasks, _("Edits to review"))
        self.task_view.setObjectName("reviewTasks")
        self.task_view.task_opened.connect(self.open_task)

        self.question = QLabel(_("Is the edit an improvement? 1 = much worse, 3 = no change, "
                                 "5 = much better."), wordWrap=True)
        grid_box = QWidget()
        grid = QGridLayout(grid_box)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.addWidget(QLabel(_("Original")), 0, 1)
        grid.addWidget(QLabel(_("Edit (changes marked)")), 0, 2)
        self.originals: dict[str, ContentView] = {}
        self.diffs: dict[str, DiffView] = {}
        self.scores: dict[str, ScoreBar] = {}
        for row, (field, title, what) in enumerate(
            (("inputs", _("Prompt"), _("prompt")),
             ("targets", _("Completion"), _("completion"))), start=1
        ):
            label_text = _(SCORE_LABELS[field])
            self.originals[field] = ContentView(
                accessible_name=_("Original {what}").format(what=what))
            self.diffs[field] = DiffView(
                accessible_name=_("Edited {what}, changes marked").format(what=what))
            score = ScoreBar(what)
            score.scored.connect(self._save_review)
            self.scores[field] = score
            label = QLabel(label_text)
            score.setToolTip(format_message(_("{shortcut}, then a digit from 1 to 5"),
                                            shortcut=score_key(field)))
            label.setBuddy(score)
            grid.addWidget(QLabel(title), row * 2 - 1, 0, Qt.AlignTop)
            grid.addWidget(self.originals[field], row * 2 - 1, 1)
            grid.addWidget(self.diffs[field], row * 2 - 1, 2)
            score_row = QHBoxLayout()
            score_row.addWidget(label)
            score_row.addWidget(score)
            score_row.addStretch(1)
            grid.addLayout(score_row, row * 2, 1, 1, 2)
            grid.setRowStretch(row * 2 - 1, 1)
        self.reason = QLineEdit(objectName="reviewReason")
        self.reason.setAccessibleName(_("Reason (optional)"))
        self.reason.setPlaceholderText(_("Why? (optional)"))
        self.reason.textEdited.connect(lambda _text: self._reason_timer.poke())
        self.reason.editingFinished.connect(self._save_review)
        self._reason_timer = PauseOrCeiling(AUTOSAVE_DELAY_MS, AUTOSAVE_CEILING_MS,
                                            self._save_review, parent=self)
        self.flag = QComboBox(objectName="reviewFlag")
        self.flag.setAccessibleName(_("Flag for the coordinator"))
        self.flag.addItem(_("No flag"), None)
        for code in REVIEW_FLAGS:
            self.flag.addItem(_(FLAG_NAMES[code]), code)
        self.flag.activated.connect(lambda _index: self._save_review())
        form = QFormLayout()
        reason_label = QLabel(_("&Reason:"))
        reason_label.setBuddy(self.reason)
        flag_label = QLabel(_("Fl&ag:"))
        flag_label.setBuddy(self.flag)
        form.addRow(reason_label, self.reason)
        form.addRow(flag_label, self.flag)

        self.improve_button = QPushButton(_("I&mprove it further…"))
        self.improve_button.setAccessibleName(_("Improve it further"))
        self.improve_button.setToolTip(_("Write a better version; it becomes a new edit "
                                         "linked to this one and to your review"))
        self.improve_button.clicked.connect(self.start_improvement)
        self.improvement = QGroupBox(_("Your further improvement"))
        self.improve_prompt = ContentEdit(accessible_name=_("Improved prompt"))
        self.improve_completion = ContentEdit(accessible_name=_("Improved completion"))
        self.improve_findings = [FindingsLabel("inputs"), FindingsLabel("targets")]
        improve_layout = QVBoxLayout(self.improvement)
        improve_layout.addWidget(QLabel(_("Prompt")))
        improve_layout.addWidget(self.improve_prompt)
        improve_layout.addWidget(self.improve_findings[0])
        improve_layout.addWidget(QLabel(_("Completion")))
        improve_layout.addWidget(self.improve_completion)
        improve_layout.addWidget(self.improve_findings[1])
        self.improvement.hide()
        # Heights follow the layout's stretch, not the editors' (tall) size hints.
        for widget in (*self.originals.values(), *self.diffs.values(), self.improve_prompt,
                       self.improve_completion):
            widget.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Ignored)
            widget.setMinimumHeight(44)
        self.autosaver = DraftAutosaver(
            context, inputs=self.improve_prompt, targets=self.improve_completion, parent=self
        )
        self.autosaver.status_changed.connect(self._set_status)
        self.checks = QualityWatcher(context.background, self)
        self.checks.findings_ready.connect(self._show_findings)
        for edit in (self.improve_prompt, self.improve_completion):
            edit.textChanged.connect(self._schedule_checks)
            edit.typing_refused.connect(lambda reason: self._set_status(reason, True))

        self.status = QLabel(objectName="saveStatus", wordWrap=True)  # a long message wraps
        self.status.setAccessibleName(_("Save status"))
        self.submit_button = QPushButton(_("&Submit review (Ctrl+Enter)"))
        self.submit_button.setAccessibleName(_("Submit review"))
        self.submit_button.clicked.connect(self.submit)

        work = QWidget()
        work_layout = QVBoxLayout(work)
        work_layout.setContentsMargins(0, 0, 0, 0)
        work_layout.addWidget(self.question)
        work_layout.addWidget(grid_box, 3)
        work_layout.addLayout(form)
        improve_row = QHBoxLayout()
        improve_row.addWidget(self.improve_button)
        improve_row.addStretch(1)
        work_layout.addLayout(improve_row)
        work_layout.addWidget(self.improvement, 2)
        footer = QHBoxLayout()
        footer.addWidget(self.status, 1)
        footer.addWidget(self.submit_button)
        work_layout.addLayout(footer)
        splitter = task_splitter(_("&Edits to review"), self.task_view, work,
                                 stretch_list=False)
        layout = QHBoxLayout(self)
        layout.addWidget(splitter)
        read_only = format_message(
            _("The text under review cannot be changed. Score it ({prompt} and {completion}, "
              "then a digit), or improve it further."),
            prompt=score_key("inputs"), completion=score_key("targets"))
        for view in (*self.originals.values(), *self.diffs.values()):
            view.explain_read_only(read_only)
            view.typing_refused.connect(lambda reason: self._set_status(reason, True))
        tab_order(self.task_view,
                  self.originals["inputs"], self.diffs["inputs"], self.scores["inputs"],
                  self.originals["targets"], self.diffs["targets"], self.scores["targets"],
                  self.reason, self.flag, self.improve_button, self.improve_prompt,
                  self.improve_completion, self.submit_button)
        self.show_task(None)

    def project_id(self) -> str | None:
        return self.task.project_id if self.task is not None else None

    def load_language(self, code: str) -> None:
        self.tasks.set_language(code)
        self.show_task(None)

    def activate(self) -> None:
        if self.task is None:
            self.tasks.reload()

    def step_task(self, step: int) -> None:
        self.step_in(self.task_view, step)

    def focus_first(self) -> None:
        if self.task is None:
            self.task_view.setFocus()
        else:
            self.scores["inputs"].setFocus()

    def save_now(self) -> None:
        if self._reason_timer.isActive():
            self._save_review()
        self.autosaver.save_now()

    # --- crash recovery (ui/session.py) ---------------------------------------------------

    def session_fields(self) -> dict:
        return {"tasks": self.task_view, "prompt_score": self.scores["inputs"],
                "completion_score": self.scores["targets"], "reason": self.reason,
                "flag": self.flag, "improved_prompt": self.improve_prompt,
                "improved_completion": self.improve_completion}

    def session_item(self) -> dict:
        if self.task is None:
            return {}
        improvement = self.autosaver.submission
        return {"task": self.task.id, "item": improvement.id if improvement else None}

    def reopen(self, place) -> bool:
        from app.errors import NotFound

        if not place.task:
            return super().reopen(place)
        try:
            task = self.reader.task(place.task)
        except NotFound:
            return False
        self.show_task(task, self.reader.review_for_task(task.id))
        return True

    # --- showing -------------------------------------------------------------------------

    def open_task(self, task: Task) -> None:
        self.save_now()
        self.show_task(task, self.reader.review_for_task(task.id))
        self.focus_first()  # opened from the list: on to the first score

    def show_task(self, task: Task | None, review: Review | None = None) -> None:
        self.task, self.review = task, review
        self._loading = True
        self.checks.clear()
        enabled = task is not None
        for widget in (*self.scores.values(), self.reason, self.flag, self.submit_button,
                       self.improve_button):
            widget.setEnabled(enabled and (review is None or review.state == "draft"))
        self.reason.setText(review.reason if review else "")
        self.flag.setCurrentIndex(max(0, self.flag.findData(review.flag if review else None)))
        for field in ("inputs", "targets"):
            self.scores[field].set_value(getattr(review, f"rating_{field}") if review else None)
        improvement = None
        if review is not None and review.improvement_id:
            improvement = self.reader.submission(review.improvement_id)
        self._show_improvement(improvement)
        if task is None:
            for field in ("inputs", "targets"):
                self.originals[field].set_text("")
                self.diffs[field].set_text("")
            self._set_status(_("Choose an edit to review from the list."))
            self._loading = False
            return
        self.task_view.select_task(task.id)
        from app.diffs import word_diff

        language = languages.get(task.language)
        for field, original, edited in (
            ("inputs", task.original_inputs, task.inputs),
            ("targets", task.original_targets, task.targets),
        ):
            self.originals[field].set_language(language)
            self.diffs[field].set_language(language)
            self.originals[field].set_text(original or "")
            self.diffs[field].show_diff(word_diff(original or "", edited))
        for edit in (self.improve_prompt, self.improve_completion):
            edit.set_language(language)
        self._update_improve_button()
        self._set_status(
            "" if review is None else
            _("Review draft — saved") if review.state == "draft" else _("Review submitted")
        )
        self._loading = False
        self.guideline_changed.emit()

    def _show_improvement(self, submission: Submission | None) -> None:
        self.autosaver.attach(submission)
        if submission is None:
            self.improve_prompt.set_text("")
            self.improve_completion.set_text("")
            self.improvement.hide()
            return
        self.improve_prompt.set_text(submission.inputs)
        self.improve_completion.set_text(submission.targets)
        read_only = submission.state != "draft"
        for edit in (self.improve_prompt, self.improve_completion):
            edit.lock(_("This improvement is submitted and cannot be changed.")
                      if read_only else None)
        self.improvement.show()

    def _update_improve_button(self) -> None:
        scores = [bar.value for bar in self.scores.values()]
        below_five = any(score is not None and score < 5 for score in scores)
        draft = self.review is None or self.review.state == "draft"
        self.improve_button.setEnabled(
            self.task is not None and below_five and draft and self.improvement.isHidden()
        )

    # --- saving --------------------------------------------------------------------------

    def _save_review(self, *_args) -> None:
        self._reason_timer.stop()
        self._update_improve_button()
        if self._loading or self.task is None or (
            self.review is not None and self.review.state != "draft"
        ):
            return
        task_id = self.task.id
        values = {
            "rating_inputs": self.scores["inputs"].value,
            "rating_targets": self.scores["targets"].value,
            "reason": self.reason.text(), "flag": self.flag.currentData(),
        }
        if self.review is not None and (
            self.review.rating_inputs, self.review.rating_targets, self.review.reason,
            self.review.flag) == tuple(values.values()):
            return
        self._set_status(_("Saving…"))

        def saved(review: Review) -> None:
            if self.task is not None and self.task.id == task_id:
                self.review = review
                self._set_status(_("Review draft — saved"))
                self.tasks.set_status(task_id, "edited")

        operations.save_review(parent=self, task_id=task_id, values=values, on_done=saved)

    def start_improvement(self) -> None:
        if self.task is None:
            return
        self._save_review()
        task_id = self.task.id

        def started(submission: Submission) -> None:
            if self.task is None or self.task.id != task_id:
                return
            self.review = self.reader.review_for_task(task_id)
            self._show_improvement(submission)
            self._update_improve_button()
            self.improve_prompt.setFocus()

        operations.start_improvement(parent=self, task_id=task_id, on_done=started)

    def _schedule_checks(self) -> None:
        submission = self.autosaver.submission
        if submission is None or self.task is None:
            return
        self.checks.schedule(
            kind="review", language=submission.language, inputs=self.improve_prompt.text(),
            targets=self.improve_completion.text(), original_inputs=self.task.inputs,
            original_targets=self.task.targets, project_id=submission.project_id,
        )

    def _show_findings(self, findings: list) -> None:
        for label in self.improve_findings:
            label.show_findings(findings)

    def submit(self) -> None:
        if self.task is None:
            self.tell(_("Nothing is open to submit. Choose an edit to review from the list "
                        "(Enter)."))
            return
        if self.review is not None and self.review.state != "draft":
            self.tell(_("This review is submitted already. Press Alt+Down for the next edit."))
            return
        self._save_review()
        self.autosaver.save_now()
        task_id = self.task.id

        def done(review: Review) -> None:
            self.tasks.set_status(task_id, "confirmed")
            if self.task is not None and self.task.id == task_id:
                self.show_task(self.task, review)
                self._set_status(_("Review submitted"))

        operations.submit_review(parent=self, task_id=task_id, on_done=done)
