"""The annotation editor: a prompt and a completion, autosaved while typing, checked as you go.

Saving is :class:`ui.autosave.DraftAutosaver`'s (DESIGN.md invariant 1): 400 ms after the last
keystroke and at least every second while typing goes on, on focus change, and before anything
replaces the content. With no item open, or one no longer a draft, the fields are locked with
a reason (:meth:`ContentEdit.lock`) that typing into them shows. Quality checks run
300 ms after typing stops, on the background reader; their findings show under each field,
and an error blocks Submit (a warning does not).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from app.store import Submission, Task
from i18n import languages
from i18n.bidi import format_message
from i18n.translation import _
from ui.autosave import AUTOSAVE_DELAY_MS, DraftAutosaver
from ui.checks import QualityWatcher
from ui.content_edit import ContentEdit
from ui.operations import Context
from ui.widgets import FindingsLabel

__all__ = ["AUTOSAVE_DELAY_MS", "SubmissionEditor"]


class SubmissionEditor(QWidget):
    saved = Signal(object)        # Submission, after a durable write of what is on screen
    submitted = Signal(object)    # Submission
    status_changed = Signal(str)

    def __init__(self, context: Context, parent: QWidget | None = None):
        super().__init__(parent)
        self.task: Task | None = None

        self.instructions = QLabel(wordWrap=True, objectName="instructions")
        self.instructions.setTextFormat(Qt.PlainText)
        self.instructions.setAccessibleName(_("Task instructions"))
        self.language_label = QLabel(objectName="contentLanguage")
        self.dialect_label = QLabel(_("&Dialect:"))
        self.dialect = QComboBox(objectName="dialect", editable=True)
        self.dialect.setAccessibleName(_("Dialect"))
        self.dialect.setToolTip(_("The dialect you write in: pick one or type your own"))
        self.dialect.setMinimumContentsLength(14)
        self.dialect.setInsertPolicy(QComboBox.NoInsert)
        self.dialect_label.setBuddy(self.dialect)
        self.prompt_label = QLabel(_("&Prompt"))
        self.prompt = ContentEdit(accessible_name=_("Prompt"))
        self.prompt_label.setBuddy(self.prompt)
        self.prompt_findings = FindingsLabel("inputs")
        self.completion_label = QLabel(_("&Completion"))
        self.completion = ContentEdit(accessible_name=_("Completion"))
        self.completion_label.setBuddy(self.completion)
        self.completion_findings = FindingsLabel("targets")
        self.item_findings = FindingsLabel(None)
        self.status = QLabel(objectName="saveStatus", wordWrap=True)  # a long message wraps
        self.status.setAccessibleName(_("Save status"))
        self.submit_button = QPushButton(_("&Submit (Ctrl+Enter)"))
        self.submit_button.setAccessibleName(_("Submit"))
        self.submit_button.setToolTip(_("Submit this item (Ctrl+Enter)"))
        self.submit_button.clicked.connect(self.submit)

        self.autosaver = DraftAutosaver(
            context, inputs=self.prompt, targets=self.completion, extra=self._extra,
            parent=self)
        self.autosaver.saved.connect(self.saved)
        self.autosaver.submitted.connect(self._on_submitted)
        self.autosaver.status_changed.connect(self._set_status)
        self.checks = QualityWatcher(context.background, self) \
            if context.tasks is not None else None
        if self.checks is not None:
            self.checks.findings_ready.connect(self._show_findings)
            self.autosaver.blocked.connect(self._show_findings)
        for field in (self.prompt, self.completion):
            field.textChanged.connect(self._schedule_checks)
            field.typing_refused.connect(lambda reason: self._set_status(reason, True))
            field.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Expanding)
        self.dialect.currentTextChanged.connect(self._on_dialect)

        header = QHBoxLayout()
        header.addWidget(self.language_label)
        header.addStretch(1)
        header.addWidget(self.dialect_label)
        header.addWidget(self.dialect)
        footer = QHBoxLayout()
        footer.addWidget(self.status, 1)
        footer.addWidget(self.submit_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(header)
        layout.addWidget(self.instructions)
        layout.addWidget(self.prompt_label)
        layout.addWidget(self.prompt, 2)
        layout.addWidget(self.prompt_findings)
        layout.addWidget(self.completion_label)
        layout.addWidget(self.completion, 3)
        layout.addWidget(self.completion_findings)
        layout.addWidget(self.item_findings)
        layout.addLayout(footer)
        self.show_submission(None)

    @property
    def submission(self) -> Submission | None:
        return self.autosaver.submission

    @property
    def has_unsaved_changes(self) -> bool:
        return self.autosaver.has_unsaved_changes

    # --- what is shown -------------------------------------------------------------------

    def show_submission(self, submission: Submission | None, task: Task | None = None,
                        dialects: list[str] = ()) -> None:
        """Show ``submission`` (saving whatever the editor held before)."""
        self.autosaver.attach(submission)
        self.task = task
        enabled = submission is not None
        for widget in (self.submit_button, self.dialect):
            widget.setEnabled(enabled)
        self._show_findings([])
        if self.checks is not None:
            self.checks.clear()
        if submission is None:
            # Focusable, and typing into it says what to do: never a silent grey box.
            for field in (self.prompt, self.completion):
                field.set_text("")
                field.lock(_("Nothing is open to write in. Press Ctrl+N to start a new item, "
                             "or choose a topic from the list."))
            self.language_label.clear()
            self.instructions.setText(_("Choose a task, or press Ctrl+N to write something new."))
            self.instructions.setVisible(True)
            self.instructions.setLayoutDirection(self.layoutDirection())
            self.dialect.blockSignals(True)
            self.dialect.clear()
            self.dialect.blockSignals(False)
            self._set_status("")
            return
        language = languages.get(submission.language)
        self.prompt.set_language(language)
        self.completion.set_language(language)
        self.prompt.set_text(submission.inputs)
        self.completion.set_text(submission.targets)
        self.language_label.setText(
            format_message(_("Writing in {language}"), language=language.native_name)
        )
        self.dialect.blockSignals(True)
        self.dialect.clear()
        self.dialect.addItem("")
        self.dialect.addItems(list(dialects))
        self.dialect.setEditText(submission.dialect or "")
        self.dialect.blockSignals(False)
        self.instructions.setText(task.instructions if task else "")
        self.instructions.setVisible(bool(task and task.instructions))
        if task is not None:  # instructions are written in the task's language
            self.instructions.setLayoutDirection(
                Qt.RightToLeft if language.is_rtl else Qt.LeftToRight
            )
            self.instructions.setFont(self.prompt.font())
        read_only = submission.state != "draft"
        for field in (self.prompt, self.completion):
            field.lock(_("This item is no longer a draft, so it cannot be changed. Press "
                         "Ctrl+N to start a new one.") if read_only else None)
        self.dialect.setEnabled(not read_only)
        self.submit_button.setEnabled(not read_only)
        self._set_status(_state_text(submission.state))
        if not read_only and (submission.inputs or submission.targets):
            self._schedule_checks()

    # --- saving and checking -------------------------------------------------------------

    def _extra(self) -> dict:
        return {"dialect": self.dialect.currentText().strip()}

    def _on_dialect(self, _text: str) -> None:
        self.autosaver.note_edit()

    def save_now(self) -> None:
        self.autosaver.save_now()

    def _fields(self) -> dict:
        submission = self.submission
        return {
            "kind": submission.kind if submission.kind != "review" else "original",
            "language": submission.language, "inputs": self.prompt.text(),
            "targets": self.completion.text(), "original_inputs": submission.original_inputs,
            "original_targets": submission.original_targets, "exclude_id": submission.id,
            "project_id": submission.project_id,
        }

    def _schedule_checks(self) -> None:
        if self.checks is not None and self.submission is not None:
            self.checks.schedule(**self._fields())

    def _show_findings(self, findings: list) -> None:
        for label in (self.prompt_findings, self.completion_findings, self.item_findings):
            label.show_findings(findings)

    def submit(self) -> None:
        if self.submission is None or self.submission.state != "draft":
            return
        check = None
        if self.checks is not None:
            fields = self._fields()
            check = lambda go: self.checks.check_now(go, **fields)  # noqa: E731
        self.autosaver.submit(check)

    def _on_submitted(self, submission: Submission) -> None:
        if self.submission is not None and self.submission.id == submission.id:
            self.show_submission(submission, self.task)
            self._set_status(_("Submitted"))
        self.submitted.emit(submission)

    def _set_status(self, text: str, error: bool = False) -> None:
        self.status.setText(text)
        self.status.setProperty("error", error)
        self.status.setStyleSheet("color: #b00020;" if error else "")
        self.status_changed.emit(text)


def _state_text(state: str) -> str:
    return {
        "draft": _("Draft — saved"),
        "submitted": _("Submitted — waiting for review"),
        "accepted": _("Accepted"),
        "rejected": _("Rejected"),
    }[state]
