"""Autosaving a draft: the one mechanism every editor in the app uses.

    saver = DraftAutosaver(context, inputs=prompt_edit, targets=completion_edit)
    saver.attach(submission)          # saves whatever was shown before
    saver.submit(check=checks_job)    # saves, runs the quality checks, then submits

Saving (DESIGN.md invariant 1): text is handed to the store writer 400 ms after the last
keystroke, and at the latest 1 s after the first unsaved one while typing goes on (so a
crash during steady typing costs at most that), when a field loses focus, and before
anything replaces the content (another item, a screen or language change, close, quit).
Writes are operations (ui/operations.py: ``save_draft``, ``submit_draft``) on the writer's
thread: the UI thread only copies the text. ``status_changed``
says "Saved" only when the write of exactly the text on screen has returned from the store,
i.e. is durable.

A full disk (:class:`app.errors.DiskFull`) is said as what it is; the text stays in the
editor, and the failed writes are retried by themselves (1, 2, 4, then every 5 s) until
space is freed, when "Saved" returns. Items left meanwhile are retried too, from memory.

A field given as ``None`` is fixed: its stored value is written back unchanged (the source
text of a post-edit). ``extra()`` adds keyword arguments to ``save_draft`` (post-edit timing).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal

from app.errors import DiskFull
from app.store import Saved, Submission
from app.text import MAX_FIELD_CHARS
from i18n.translation import _
from ui import operations
from ui.content_edit import ContentEdit
from ui.errors import show_error

AUTOSAVE_DELAY_MS = 400        # a pause in typing this long saves
AUTOSAVE_CEILING_MS = 1000     # ...and steady typing at least this often (DESIGN.md: within
                               # a second of typing)
DISK_FULL_RETRY_MS = (1000, 2000, 4000, 5000)  # then every 5 s until space is freed


class PauseOrCeiling(QObject):
    """Calls ``callback`` after a pause of ``delay_ms`` since the last :meth:`poke`, or
    ``ceiling_ms`` after the first poke since the last call, whichever comes first.

        timer = PauseOrCeiling(400, 1000, save, parent=self)
        field.textChanged.connect(timer.poke)
    """

    def __init__(self, delay_ms: int, ceiling_ms: int, callback: Callable[[], None],
                 parent: QObject | None = None):
        super().__init__(parent)
        self._pause = QTimer(self, singleShot=True, interval=delay_ms)
        self._ceiling = QTimer(self, singleShot=True, interval=ceiling_ms)
        self._pause.timeout.connect(callback)
        self._ceiling.timeout.connect(callback)

    def poke(self, *_signal_args) -> None:
        self._pause.start()
        if not self._ceiling.isActive():
            self._ceiling.start()

    def stop(self) -> None:
        self._pause.stop()
        self._ceiling.stop()

    def isActive(self) -> bool:  # QTimer's name, for callers that had one
        return self._pause.isActive() or self._ceiling.isActive()


class DraftAutosaver(QObject):
    saved = Signal(object)            # Submission, after a durable write of what is on screen
    submitted = Signal(object)        # Submission
    status_changed = Signal(str, bool)  # text, is_error
    blocked = Signal(object)          # findings that stopped a submit

    def __init__(
        self, context: operations.Context, *, inputs: ContentEdit | None,
        targets: ContentEdit | None, extra: Callable[[], dict] | None = None,
        parent: QObject | None = None,
    ):
        super().__init__(parent)
        self.context = context
        self.inputs, self.targets, self.extra = inputs, targets, extra
        self.submission: Submission | None = None
        self._edits = 0          # bumps on every keystroke
        self._saved_edits = 0    # the edit count whose text is durable
        self._timer = PauseOrCeiling(AUTOSAVE_DELAY_MS, AUTOSAVE_CEILING_MS, self.save_now,
                                     parent=self)
        # A full disk: the writes that failed, by item (the newest text of each), retried.
        self._unwritten: dict[str, dict] = {}
        self._attached = 0       # bumps on every attach: writes of an earlier showing
        self._writes = 0
        self._retries = 0
        self._retry = QTimer(self, singleShot=True)
        self._retry.timeout.connect(self._retry_unwritten)
        for field in (inputs, targets):
            if field is not None:
                field.textChanged.connect(self.note_edit)
                field.focus_lost.connect(self.save_now)
                field.paste_refused.connect(self._on_paste_refused)

    def attach(self, submission: Submission | None) -> None:
        """Follow ``submission`` from now on (after saving what the fields held before)."""
        self.save_now()
        self.submission = submission
        self._attached += 1
        self._edits = self._saved_edits = 0

    def note_edit(self) -> None:
        if self.submission is None or self.submission.state != "draft":
            return
        self._edits += 1
        if self.disk_full:  # the retry saves; the reason stays on screen meanwhile
            return
        self.status_changed.emit(_("Editing…"), False)
        self._timer.poke()

    @property
    def disk_full(self) -> bool:
        """Writes are failing for want of space (and are being retried)."""
        return bool(self._unwritten)

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
        inputs, targets = self.current_text()
        extra = self.extra() if self.extra is not None else {}
        if not self.disk_full:
            self.status_changed.emit(_("Saving…"), False)
        self._write({"submission_id": self.submission.id, "inputs": inputs,
                     "targets": targets, **extra}, (self._attached, self._edits))

    def _write(self, fields: dict, edits: tuple[int, int]) -> None:
        """Queue one save; ``edits`` is (attachment, edit count) of the text it writes."""
        submission_id = fields["submission_id"]
        self._writes += 1
        number = self._writes  # orders the writes of one item across item switches
        operations.save_draft(
            parent=self, fields=fields,
            on_done=lambda saved: self._on_saved(submission_id, edits, saved, number),
            on_error=lambda error: self._on_save_failed(fields, edits, number, error),
        )

    def _on_save_failed(self, fields: dict, edits: tuple[int, int], number: int,
                        error: BaseException) -> None:
        if not isinstance(error, DiskFull):
            show_error(parent=self, error=error, template=_("Not saved: {reason}"))
            return
        pending = self._unwritten.get(fields["submission_id"])
        if pending is None or pending["number"] < number:
            self._unwritten[fields["submission_id"]] = {
                "fields": fields, "edits": edits, "number": number}
        if self.submission is not None and self.submission.id == fields["submission_id"]:
            self.status_changed.emit(_(
                "Not saved: the disk is full. Free some space; what you typed stays here and "
                "is saved by itself as soon as there is room."), True)
        if not self._retry.isActive():
            delay = DISK_FULL_RETRY_MS[min(self._retries, len(DISK_FULL_RETRY_MS) - 1)]
            self._retries += 1
            self._retry.start(delay)

    def _retry_unwritten(self) -> None:
        """Write again what a full disk refused: the current item as it is on screen now,
        items left since then as they were."""
        current = self.submission.id if self.submission is not None else None
        for submission_id, pending in list(self._unwritten.items()):
            if submission_id == current and self.has_unsaved_changes:
                self.save_now()  # the text on screen is newer than the failed write's
            else:
                self._write(pending["fields"], pending["edits"])

    def _on_saved(self, submission_id: str, edits: tuple[int, int], saved: Saved,
                  number: int) -> None:
        pending = self._unwritten.get(submission_id)
        if pending is not None and pending["number"] <= number:
            del self._unwritten[submission_id]
        if not self._unwritten:
            self._retry.stop()
            self._retries = 0
        attached, count = edits
        if self.submission is None or self.submission.id != submission_id \
                or attached != self._attached:
            self.saved.emit(saved.submission)  # an earlier item, saved after switching away
            return
        self.submission = saved.submission
        self._saved_edits = max(self._saved_edits, count)
        if not self.has_unsaved_changes:
            self.status_changed.emit(_("Saved"), False)
        self.saved.emit(saved.submission)

    def tell(self, text: str) -> None:
        """A failure, said where the editor says how saving goes (the text stays in the
        editor; nothing saved earlier is touched)."""
        self.status_changed.emit(text, True)

    def _on_paste_refused(self, length: int) -> None:
        self.status_changed.emit(
            _("Nothing was pasted: the field would have {count} characters; the limit is "
              "{limit}.").format(count=f"{length:,}", limit=f"{MAX_FIELD_CHARS:,}"),
            True,
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
            self.save_now()  # the submit is written after the text on screen
            operations.submit_draft(parent=self, submission_id=submission_id,
                                    on_done=self._on_submitted)

        # After the save has landed, so its "Saved" never covers what the checks say.
        self.context.writer.then(lambda: go(None) if check is None else check(go))

    def _on_submitted(self, submission: Submission) -> None:
        if self.submission is not None and self.submission.id == submission.id:
            self.submission = submission
            self._edits = self._saved_edits = 0
        self.submitted.emit(submission)
