"""Sync in the app, without its widgets: syncs on demand and every few minutes, enrollment,
and the one line the status bar shows of them.

    controller = SyncController(window.context)
    controller.changed.connect(refresh)      # running, progress, a report or an error
    controller.sync_now()                    # F5; also every AUTO_SYNC_MS once enrolled
    controller.enroll(server_url, code)      # then enrolled(enrollment) or enroll_failed(error)

The network work runs on the task runner's io lane (ui/tasks.py); every store operation it
needs goes through the app's single writer (``writer.call`` on that io thread), so the UI
thread never waits on the disk or the network. A finished sync is announced like any other
change (ui/operations.py: :func:`~ui.operations.pulled`), so the screens refresh what it
brought. The panel and the status button are in ui/dialogs/sync_panel.py.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal

from app import syncstate
from i18n.translation import _, ngettext
from sync import credentials
from sync.progress import STAGES, count_text, retry_text
from ui.operations import Context, pulled

if TYPE_CHECKING:
    from sync.client import SyncProgress, SyncReport

# sync.device and sync.client (httpx, ssl, the protocol's models: a quarter of a second) are
# imported when a sync or an enrollment starts, not with the window (bench/ui.py first paint).

AUTO_SYNC_MS = 5 * 60 * 1000


class SyncController(QObject):
    """Runs syncs (on demand and every few minutes) and enrollment, off the UI thread, and
    tells the UI how they went."""

    changed = Signal()
    enrolled = Signal(object)       # credentials.Enrollment
    enroll_failed = Signal(object)  # Exception
    enroll_progress = Signal(object)  # SyncProgress: an enrollment's tries, for the panel

    def __init__(self, context: Context, parent=None):
        super().__init__(parent)
        self.context = context
        self.tasks, self.reader, self.data_dir = context.tasks, context.reader, context.data_dir
        self.running = False
        self.last_progress: SyncProgress | None = None
        self.last_report: SyncReport | None = None
        self.last_error: Exception | None = None
        self._stopped = False
        self._timer = QTimer(self, interval=AUTO_SYNC_MS, timeout=self.sync_now)
        self._enrollment: credentials.Enrollment | None = None
        if self.enrollment is not None:
            self._timer.start()

    @property
    def enrollment(self) -> credentials.Enrollment | None:
        # Read once and kept: loading asks the OS keyring for the token (D-Bus, which may
        # block), and the status bar asks on every progress report. Until there is a
        # sync.json, a look costs only a file check, so a CLI enrollment is still noticed.
        if self._enrollment is None:
            loaded = credentials.load(self.data_dir)
            self._enrollment = loaded[0] if loaded else None
        return self._enrollment

    def summary(self) -> syncstate.SyncSummary:
        return syncstate.summary(self.reader)

    def _unless_stopped(self, handler):
        """``handler``, silent once the app is closing (a sync still finishing must not
        report to closed stores)."""
        return lambda *args: None if self._stopped else handler(*args)

    # --- syncing -------------------------------------------------------------------------

    def sync_now(self) -> None:
        if self.running or self.enrollment is None or self._stopped:
            return
        self.running = True
        self.last_error = None
        self.changed.emit()
        self.tasks.io.run(self._sync, on_done=self._unless_stopped(self._on_finished),
                          on_error=self._unless_stopped(self._on_failed))

    def _sync(self) -> SyncReport:  # on an io thread
        from sync import device
        from sync.client import SyncClient

        enrollment, token = device.enrolled(self.data_dir)
        client = SyncClient(enrollment.server_url, token=token,
                            progress=self.tasks.to_ui(self._unless_stopped(self._on_progress)),
                            verify=device.server_verification(self.data_dir))
        return client.sync(self.tasks.writer.call)

    def _on_progress(self, progress: SyncProgress) -> None:
        self.last_progress = progress
        self.changed.emit()

    def _on_finished(self, report: SyncReport) -> None:
        self.running = False
        self.last_report = report
        self.changed.emit()
        # Tasks, decisions, leaderboards may have come down: the screens show them.
        self.context.announce(pulled(report.pulled), self)

    def _on_failed(self, error: Exception) -> None:
        self.running = False
        self.last_error = error
        self.changed.emit()

    # --- enrolling -----------------------------------------------------------------------

    def provisioned(self) -> tuple[str, str]:
        """The server address and certificate fingerprint a provisioning file gave us."""
        return (syncstate.get_meta(self.reader, "provisioned_server_url", "") or "",
                syncstate.get_meta(self.reader, "provisioned_fingerprint", "") or "")

    def enroll(self, server_url: str, code: str, fingerprint: str = "") -> None:
        """Exchange the code for a token in the background; ``enrolled`` or ``enroll_failed``
        follows (a slow link must not freeze the window). ``fingerprint`` pins the server's
        certificate (from the card's link, or a code the person compared); without it, a
        provisioning file's fingerprint for that same address is used."""
        provisioned_url, provisioned_pin = self.provisioned()
        if not fingerprint and server_url.rstrip("/") == provisioned_url.rstrip("/"):
            fingerprint = provisioned_pin

        def work() -> credentials.Enrollment:  # on an io thread
            from sync import device

            self.tasks.writer.flush()  # what was typed is on disk before enrolling opens it
            return device.enroll(self.data_dir, server_url, code,
                                 fingerprint=fingerprint or None,
                                 progress=self.tasks.to_ui(
                                     self._unless_stopped(self.enroll_progress.emit)))

        self.tasks.io.run(work, on_done=self._unless_stopped(self._on_enrolled),
                          on_error=self._unless_stopped(self.enroll_failed.emit))

    def _on_enrolled(self, enrollment: credentials.Enrollment) -> None:
        self._enrollment = enrollment
        self._timer.start()
        self.changed.emit()
        self.enrolled.emit(enrollment)

    def stop(self) -> None:
        """No more syncs, and no more reports from one still finishing (the app is closing)."""
        self._timer.stop()
        self._stopped = True


def status_text(controller: SyncController) -> str:
    """One line for the status bar."""
    if controller.enrollment is None:
        return _("Not connected to a server — work is kept on this computer")
    summary = controller.summary()
    progress = controller.last_progress
    if controller.running and progress is not None:
        if progress.stage == "waiting":
            return retry_text(progress)
        return _(STAGES.get(progress.stage, STAGES["connecting"]))
    parts = []
    if controller.last_error is not None:
        parts.append(_("Sync failed"))
    elif summary.pending:
        parts.append(ngettext("{count} item waiting to sync", "{count} items waiting to sync",
                              summary.pending).format(count=count_text(summary.pending)))
    else:
        parts.append(_("All work synced"))
    if summary.conflicts:
        parts.append(ngettext("{count} to resolve", "{count} to resolve",
                              summary.conflicts).format(count=count_text(summary.conflicts)))
    if summary.quarantined:
        parts.append(ngettext("{count} refused by the server", "{count} refused by the server",
                              summary.quarantined).format(
                                  count=count_text(summary.quarantined)))
    return " · ".join(parts)
