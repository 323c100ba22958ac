"""The annotation editor: a prompt and a completion, autosaved while typing.

Saving (DESIGN.md invariant 1): text is handed to the store writer 400 ms after the last
keystroke, when a field loses focus, and before anything replaces the editor's content
(another item, a language change, close, quit). The status says "Saved" only when the write
of exactly the text on screen has returned from the store, i.e. is durable.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from app.errors import QalamError
from app.store import Saved, Submission, Task
from app.text import MAX_FIELD_CHARS
from i18n import languages
from i18n.translation import _
from ui.content_edit import ContentEdit
from ui.writer import StoreWriter

AUTOSAVE_DELAY_MS = 400


class SubmissionEditor(QWidget):
    saved = Signal(object)        # Submission, after a durable write of what is on screen
    submitted = Signal(object)    # Submission
    status_changed = Signal(str)

    def __init__(self, writer: StoreWriter, parent: QWidget | None = None):
        super().__init__(parent)
        self.writer = writer
        self.submission: Submission | None = None
        self._edits = 0          # bumps on every keystroke
        self._saved_edits = 0    # the edit count whose text is durable
        self._timer = QTimer(self, singleShot=True, interval=AUTOSAVE_DELAY_MS)
        self._timer.timeout.connect(self.save_now)

        self.instructions = QLabel(wordWrap=True, objectName="instructions")
        self.instructions.setTextFormat(Qt.PlainText)
        self.language_label = QLabel(objectName="contentLanguage")
        self.prompt_label = QLabel(_("&Prompt"))
        self.prompt = ContentEdit(accessible_name=_("Prompt"))
        self.prompt_label.setBuddy(self.prompt)
        self.completion_label = QLabel(_("&Completion"))
        self.completion = ContentEdit(accessible_name=_("Completion"))
        self.completion_label.setBuddy(self.completion)
        self.status = QLabel(objectName="saveStatus")
        self.status.setAccessibleName(_("Save status"))
        self.submit_button = QPushButton(_("&Submit"))
        self.submit_button.setToolTip(_("Submit this item (Ctrl+Enter)"))
        self.submit_button.clicked.connect(self.submit)

        for field in (self.prompt, self.completion):
            field.textChanged.connect(self._on_edit)
            field.focus_lost.connect(self.save_now)
            field.paste_refused.connect(self._on_paste_refused)
            field.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Expanding)

        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), self, self.submit, context=Qt.WidgetWithChildrenShortcut)

        header = QHBoxLayout()
        header.addWidget(self.language_label)
        header.addStretch(1)
        footer = QHBoxLayout()
        footer.addWidget(self.status, 1)
        footer.addWidget(self.submit_button)
        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addWidget(self.instructions)
        layout.addWidget(self.prompt_label)
        layout.addWidget(self.prompt, 2)
        layout.addWidget(self.completion_label)
        layout.addWidget(self.completion, 3)
        layout.addLayout(footer)
        self.show_submission(None)

    # --- what is shown -------------------------------------------------------------------

    def show_submission(self, submission: Submission | None, task: Task | None = None) -> None:
        """Show ``submission`` (saving whatever the editor held before)."""
        self.save_now()
        self.submission = submission
        self._edits = self._saved_edits = 0
        enabled = submission is not None
        for widget in (self.prompt, self.completion, self.submit_button):
            widget.setEnabled(enabled)
        if submission is None:
            self.prompt.set_text("")
            self.completion.set_text("")
            self.language_label.clear()
            self.instructions.setText(_("Choose a task, or press Ctrl+N to write something new."))
            self._set_status("")
            return
        language = languages.get(submission.language)
        self.prompt.set_language(language)
        self.completion.set_language(language)
        self.prompt.set_text(submission.inputs)
        self.completion.set_text(submission.targets)
        self.language_label.setText(
            _("Writing in {language}").format(language=language.native_name)
        )
        self.instructions.setText(task.instructions if task else "")
        self.instructions.setVisible(bool(task and task.instructions))
        if task is not None:  # instructions are written in the task's language
            self.instructions.setLayoutDirection(
                Qt.RightToLeft if language.is_rtl else Qt.LeftToRight
            )
            self.instructions.setFont(self.prompt.font())
        read_only = submission.state != "draft"
        self.prompt.setReadOnly(read_only)
        self.completion.setReadOnly(read_only)
        self.submit_button.setEnabled(not read_only)
        self._set_status(_state_text(submission.state))

    # --- saving --------------------------------------------------------------------------

    def _on_edit(self) -> None:
        if self.submission is None:
            return
        self._edits += 1
        self._set_status(_("Editing…"))
        self._timer.start()

    @property
    def has_unsaved_changes(self) -> bool:
        return self._edits != self._saved_edits

    def save_now(self) -> None:
        """Queue a durable write of the text on screen, if it changed since the last one."""
        self._timer.stop()
        if self.submission is None or not self.has_unsaved_changes:
            return
        submission_id, edits = self.submission.id, self._edits
        inputs, targets = self.prompt.text(), self.completion.text()
        self._set_status(_("Saving…"))
        self.writer.run(
            lambda store: store.save_draft(submission_id, inputs=inputs, targets=targets),
            on_done=lambda saved: self._on_saved(submission_id, edits, saved),
            on_error=lambda error: self._on_save_failed(submission_id, error),
        )

    def _on_saved(self, submission_id: str, edits: int, saved: Saved) -> None:
        if self.submission is None or self.submission.id != submission_id:
            self.saved.emit(saved.submission)  # an earlier item, saved after switching away
            return
        self.submission = saved.submission
        self._saved_edits = max(self._saved_edits, edits)
        if not self.has_unsaved_changes:
            self._set_status(_("Saved"))
        self.saved.emit(saved.submission)

    def _on_save_failed(self, submission_id: str, error: BaseException) -> None:
        message = str(error) if isinstance(error, QalamError) else repr(error)
        # The text stays in the editor; nothing saved earlier is touched.
        self._set_status(_("Not saved: {reason}").format(reason=message), error=True)

    def _on_paste_refused(self, length: int) -> None:
        self._set_status(
            _("Nothing was pasted: the field would have {count} characters; the limit is "
              "{limit}.").format(count=f"{length:,}", limit=f"{MAX_FIELD_CHARS:,}"),
            error=True,
        )

    def submit(self) -> None:
        if self.submission is None or self.submission.state != "draft":
            return
        self.save_now()
        submission_id = self.submission.id
        self.writer.run(
            lambda store: store.submit(submission_id),
            on_done=self._on_submitted,
            on_error=lambda error: self._on_save_failed(submission_id, error),
        )

    def _on_submitted(self, submission: Submission) -> None:
        if self.submission is not None and self.submission.id == submission.id:
            self.show_submission(submission)
            self._set_status(_("Submitted"))
        self.submitted.emit(submission)

    def _set_status(self, text: str, *, error: bool = False) -> None:
        self.status.setText(text)
        self.status.setProperty("error", error)
        self.status.style().unpolish(self.status)
        self.status.style().polish(self.status)
        self.status_changed.emit(text)


def _state_text(state: str) -> str:
    return {
        "draft": _("Draft — saved"),
        "submitted": _("Submitted — waiting for review"),
        "accepted": _("Accepted"),
        "rejected": _("Rejected"),
    }[state]
