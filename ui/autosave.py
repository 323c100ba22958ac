"""Autosaving a draft: the one mechanism every editor in the app uses.

    saver = DraftAutosaver(writer, inputs=prompt_edit, targets=completion_edit)
    saver.attach(submission)          # saves whatever was shown before
    saver.submit(check=checks_job)    # saves, runs the quality checks, then submits

Saving (DESIGN.md invariant 1): text is handed to the store writer 400 ms after the last
keystroke, when a field loses focus, and before anything replaces the content (another item,
a screen or language change, close, quit). ``status_changed`` says "Saved" only when the
write of exactly the text on screen has returned from the store, i.e. is durable.

A field given as ``None`` is fixed: its stored value is written back unchanged (the source
text of a post-edit). ``extra()`` adds keyword arguments to ``save_draft`` (post-edit timing).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal

from app.store import Saved, Submission
from app.text import MAX_FIELD_CHARS
from i18n.bidi import format_message
from i18n.translation import _
from ui.content_edit import ContentEdit
from ui.errors import error_text
from ui.writer import StoreWriter

AUTOSAVE_DELAY_MS = 400


class DraftAutosaver(QObject):
    saved = Signal(object)            # Submission, after a durable write of what is on screen
    submitted = Signal(object)        # Submission
    status_changed = Signal(str, bool)  # text, is_error
    blocked = Signal(object)          # findings that stopped a submit

    def __init__(
        self, writer: StoreWriter, *, inputs: ContentEdit | None,
        targets: ContentEdit | None, extra: Callable[[], dict] | None = None,
        parent: QObject | None = None,
    ):
        super().__init__(parent)
        self.writer = writer
        self.inputs, self.targets, self.extra = inputs, targets, extra
        self.submission: Submission | None = None
        self._edits = 0          # bumps on every keystroke
        self._saved_edits = 0    # the edit count whose text is durable
        self._timer = QTimer(self, singleShot=True, interval=AUTOSAVE_DELAY_MS)
        self._timer.timeout.connect(self.save_now)
        for field in (inputs, targets):
            if field is not None:
                field.textChanged.connect(self.note_edit)
                field.focus_lost.connect(self.save_now)
                field.paste_refused.connect(self._on_paste_refused)

    def attach(self, submission: Submission | None) -> None:
        """Follow ``submission`` from now on (after saving what the fields held before)."""
        self.save_now()
        self.submission = submission
        self._edits = self._saved_edits = 0

    def note_edit(self) -> None:
        if self.submission is None or self.submission.state != "draft":
            return
        self._edits += 1
        self.status_changed.emit(_("Editing…"), False)
        self._timer.start()

    @property
    def has_unsaved_changes(self) -> bool:
        return self._edits != self._saved_edits

    def current_text(self) -> tuple[str, str]:
        assert self.submission is not None
        inputs = self.inputs.text() if self.inputs is not None else self.submission.inputs
        targets = self.targets.text() if self.targets is not None else self.submission.targets
        return inputs, targets

    def save_now(self) -> None:
        """Queue a durable write of the text on screen, if it changed since the last one."""
        self._timer.stop()
        if self.submission is None or not self.has_unsaved_changes:
            return
        submission_id, edits = self.submission.id, self._edits
        inputs, targets = self.current_text()
        extra = self.extra() if self.extra is not None else {}
        self.status_changed.emit(_("Saving…"), False)
        self.writer.run(
            lambda store: store.save_draft(
                submission_id, inputs=inputs, targets=targets, **extra
            ),
            on_done=lambda saved: self._on_saved(submission_id, edits, saved),
            on_error=lambda error: self._on_failed(error),
        )

    def _on_saved(self, submission_id: str, edits: int, saved: Saved) -> None:
        if self.submission is None or self.submission.id != submission_id:
            self.saved.emit(saved.submission)  # an earlier item, saved after switching away
            return
        self.submission = saved.submission
        self._saved_edits = max(self._saved_edits, edits)
        if not self.has_unsaved_changes:
            self.status_changed.emit(_("Saved"), False)
        self.saved.emit(saved.submission)

    def _on_failed(self, error: BaseException, prefix: str | None = None) -> None:
        # The text stays in the editor; nothing saved earlier is touched.
        template = prefix or _("Not saved: {reason}")
        self.status_changed.emit(format_message(template, reason=error_text(error)), True)

    def _on_paste_refused(self, length: int) -> None:
        self.status_changed.emit(
            _("Nothing was pasted: the field would have {count} characters; the limit is "
              "{limit}.").format(count=f"{length:,}", limit=f"{MAX_FIELD_CHARS:,}"),
            True,
        )

    def run_after_save(self, job, *, on_done, error_prefix: str | None = None) -> None:
        """Queue a write that must see the text on screen (it runs after the save)."""
        self.save_now()
        self.writer.run(
            job, on_done=on_done,
            on_error=lambda error: self._on_failed(error, error_prefix),
        )

    def submit(self, check: Callable[[Callable[[list], None]], None] | None = None) -> None:
        """Save, run ``check`` (which calls back with findings), submit unless an error."""
        if self.submission is None or self.submission.state != "draft":
            return
        self.save_now()
        submission_id = self.submission.id

        def go(findings: list | None) -> None:
            if self.submission is None or self.submission.id != submission_id:
                return
            if findings and any(f.severity == "error" for f in findings):
                self.blocked.emit(findings)
                self.status_changed.emit(
                    _("Not submitted: fix the problems marked in red first."), True
                )
                return
            self.run_after_save(
                lambda store: store.submit(submission_id), on_done=self._on_submitted,
                error_prefix=_("Not submitted: {reason}"),
            )

        # After the save has landed, so its "Saved" never covers what the checks say.
        self.writer.run(
            lambda store: None,
            on_done=lambda _none: go(None) if check is None else check(go),
        )

    def _on_submitted(self, submission: Submission) -> None:
        if self.submission is not None and self.submission.id == submission.id:
            self.submission = submission
            self._edits = self._saved_edits = 0
        self.submitted.emit(submission)
