"""Sync in the app, its widgets: a status-bar indicator, the sync panel, the conflicts view.

    panel = SyncPanel(controller)            # enroll, sync now, progress, conflicts, bundles
    button = SyncStatusButton(controller, panel.show)

The syncing itself is ui/sync_controller.py's; choosing a conflict's version and the bundles
are operations (ui/operations.py), run off the UI thread like every store change.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app import clock, syncstate
from i18n import formatting, languages
from i18n.bidi import format_message
from i18n.translation import _, ngettext
from sync import credentials
from sync.progress import count_text, format_size, retry_text
from ui import operations
from ui.errors import error_text
from ui.sync_controller import SyncController, status_text
from ui.widgets import ContentView

if TYPE_CHECKING:  # sync.device and sync.client load with the first enrollment or sync
    from sync.client import SyncProgress
    from sync.device import UntrustedCertificate


class SyncStatusButton(QPushButton):
    """The status-bar indicator; opens the sync panel."""

    def __init__(self, controller: SyncController, open_panel, parent=None):
        super().__init__(parent)
        self.controller = controller
        self.setFlat(True)
        self.setAccessibleName(_("Sync status"))
        self.setToolTip(_("Open the sync panel"))
        self.clicked.connect(open_panel)
        controller.changed.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        self.setText(status_text(self.controller))


class SyncPanel(QDialog):
    """Enroll, sync now, watch progress, resolve conflicts, see refused items, bundles."""

    def __init__(self, controller: SyncController, parent=None):
        super().__init__(parent)
        self.controller = controller
        self.context = controller.context  # for the operations
        self.setWindowTitle(_("Sync"))
        self.setObjectName("syncPanel")

        self.server_url = QLineEdit(controller.provisioned()[0], placeholderText="https://…")
        self.server_url.setAccessibleName(_("Server address"))
        self.code = QLineEdit(placeholderText="XXXX-XXXX-X")
        self.code.setAccessibleName(_("Enrollment code"))
        self.code.setToolTip(_("The code from your coordinator, or the whole qalam://enroll "
                               "link from the enrollment card"))
        self.code.textChanged.connect(self._take_link)
        self.link = QLineEdit(placeholderText="qalam://enroll?…", objectName="enrollLink")
        self.link.setAccessibleName(_("Link from the enrollment card"))
        self.link.setToolTip(_("Paste the link from your enrollment card (its QR code holds "
                               "it): it fills in the server and the code, and lets Qalam "
                               "recognise the server"))
        self.link.textChanged.connect(self._take_link)
        self._link_pin: tuple[str, str] | None = None  # (server, fingerprint) from a link
        self.enroll_button = enroll_button = QPushButton(_("&Connect"))
        enroll_button.clicked.connect(self._enroll)
        controller.enrolled.connect(self._on_enrolled)
        controller.enroll_failed.connect(self._on_enroll_failed)
        controller.enroll_progress.connect(self._on_enroll_progress)
        enroll_form = QFormLayout()
        enroll_form.addRow(_("&Link from the card:"), self.link)
        enroll_form.addRow(_("Server &address:"), self.server_url)
        enroll_form.addRow(_("Enrollment &code:"), self.code)
        enroll_form.addRow("", enroll_button)
        self.enroll_box = QGroupBox(_("Connect this computer to a server"))
        self.enroll_box.setLayout(enroll_form)

        self.state = QLabel(objectName="syncState", wordWrap=True)
        self.progress = QProgressBar(objectName="syncProgress")
        self.progress.setAccessibleName(_("Sync progress"))
        self.sync_button = QPushButton(_("Sync &now"))
        self.sync_button.clicked.connect(controller.sync_now)
        export_button = QPushButton(_("&Export bundle…"))
        export_button.setToolTip(_("Write your pending work to a file for a USB stick"))
        export_button.clicked.connect(self._export_bundle)
        import_button = QPushButton(_("&Import answer…"))
        import_button.setToolTip(_("Apply the server's answer bundle from a USB stick"))
        import_button.clicked.connect(self._import_bundle)
        self.bundle_buttons = (export_button, import_button)
        buttons = QHBoxLayout()
        buttons.addWidget(self.sync_button)
        buttons.addStretch(1)
        buttons.addWidget(export_button)
        buttons.addWidget(import_button)

        self.conflicts = QListWidget(objectName="conflictList")
        self.conflicts.setAccessibleName(_("Conflicts"))
        self.conflicts.currentItemChanged.connect(self._show_conflict)
        # Content views: the item's own direction, alignment and script font.
        self.mine = ContentView(accessible_name=_("Your version"))
        self.theirs = ContentView(accessible_name=_("Server's version"))
        keep_mine = QPushButton(_("Keep &mine"))
        keep_mine.clicked.connect(lambda: self._resolve("local"))
        keep_theirs = QPushButton(_("Keep the &server's"))
        keep_theirs.clicked.connect(lambda: self._resolve("server"))
        versions = QSplitter(Qt.Horizontal)
        for title, view in ((_("Your version"), self.mine), (_("Server's version"), self.theirs)):
            box = QWidget()
            column = QVBoxLayout(box)
            column.setContentsMargins(0, 0, 0, 0)
            column.addWidget(QLabel(title))
            column.addWidget(view)
            versions.addWidget(box)
        choice = QHBoxLayout()
        choice.addStretch(1)
        choice.addWidget(keep_mine)
        choice.addWidget(keep_theirs)
        conflict_box = QGroupBox(_("Conflicts: both versions are kept until you choose"))
        conflict_layout = QVBoxLayout(conflict_box)
        conflict_layout.addWidget(self.conflicts, 1)
        conflict_layout.addWidget(versions, 2)
        conflict_layout.addLayout(choice)

        self.refused = QListWidget(objectName="quarantineList")
        self.refused.setAccessibleName(_("Items the server refused"))
        refused_box = QGroupBox(_("Refused by the server"))
        QVBoxLayout(refused_box).addWidget(self.refused)

        close = QDialogButtonBox(QDialogButtonBox.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.enroll_box)
        layout.addWidget(self.state)
        layout.addWidget(self.progress)
        layout.addLayout(buttons)
        layout.addWidget(conflict_box, 3)
        layout.addWidget(refused_box, 1)
        layout.addWidget(close)
        self.resize(760, 640)
        controller.changed.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        controller = self.controller
        enrollment = controller.enrollment
        self.enroll_box.setVisible(enrollment is None)
        self.progress.setVisible(enrollment is not None)  # nothing to show before connecting
        self.sync_button.setEnabled(enrollment is not None and not controller.running)
        summary = controller.summary()
        lines = []
        if enrollment is not None:
            lines.append(format_message(_("Connected to {server} as {name}"),
                server=enrollment.server_url, name=enrollment.user_name))
        if summary.last_sync:
            when = formatting.format_datetime(clock.parse(summary.last_sync).astimezone())
            lines.append(format_message(_("Last complete sync: {when}"), when=when))
        lines.append(status_text(controller))
        if controller.last_error is not None:
            lines.append(error_text(controller.last_error))
        if controller.last_report is not None:
            lines.extend(controller.last_report.warnings)
        self.state.setText("\n".join(lines))
        progress = controller.last_progress
        if controller.running and progress is not None:
            total = progress.items_sent + max(progress.pending, 0)
            self.progress.setRange(0, max(total, 1))
            self.progress.setValue(progress.items_sent)
            self.progress.setFormat(ngettext(
                "{sent} of {total} item · {size} sent", "{sent} of {total} items · {size} sent",
                total).format(sent=count_text(progress.items_sent), total=count_text(total),
                              size=format_size(progress.bytes_sent)))
        else:
            self.progress.setRange(0, 1)
            self.progress.setValue(1 if summary.pending == 0 else 0)
            self.progress.setFormat(
                ngettext("{n} item waiting to be sent", "{n} items waiting to be sent",
                         summary.pending).format(n=formatting.format_number(summary.pending))
                if summary.pending else _("Everything is sent"))
        self._fill_lists()

    def _fill_lists(self) -> None:
        reader = self.controller.reader
        self.conflicts.clear()
        for conflict in syncstate.open_conflicts(reader):
            local = json.loads(conflict.local_payload)
            item = QListWidgetItem(_first_line(local.get("inputs", "")) or conflict.record_id)
            item.setData(Qt.UserRole, conflict)
            self.conflicts.addItem(item)
        self.refused.clear()
        for row in reader.db.execute("SELECT * FROM quarantine ORDER BY seq"):
            payload = json.loads(row["payload"])
            text = f"{_first_line(payload.get('inputs', '')) or row['record_id']} — {row['reason']}"
            self.refused.addItem(text)

    def _show_conflict(self, item) -> None:
        if item is None:
            self.mine.clear()
            self.theirs.clear()
            return
        conflict = item.data(Qt.UserRole)
        for view, payload in ((self.mine, conflict.local_payload),
                              (self.theirs, conflict.server_payload)):
            record = json.loads(payload)
            view.set_language(languages.resolve(record.get("language", "eng_Latn")))
            view.set_text(f"{record.get('inputs', '')}\n\n{record.get('targets', '')}")

    def _resolve(self, keep: str) -> None:
        item = self.conflicts.currentItem()
        if item is None:
            return
        conflict = item.data(Qt.UserRole)
        operations.resolve_conflict(parent=self, conflict_id=conflict.id, keep=keep,
                                    on_done=lambda _result: self.controller.changed.emit())

    def tell(self, text: str) -> None:
        """A failure of something done here, on the panel's state line."""
        self.state.setText(text)

    def _take_link(self, text: str) -> None:
        """The enrollment card's link, pasted into the link field (or the code field): it
        holds the server, the code and the fingerprint of the server's certificate."""
        from sync import device  # loaded with the first link, not with the window

        link = device.read_enrollment_link(text)
        if link is None:
            return
        self.server_url.setText(link.server)
        self.code.setText(link.code)
        self._link_pin = (link.server, link.fingerprint) if link.fingerprint else None

    def _enroll(self, fingerprint: str = "") -> None:
        server = self.server_url.text().strip()
        if not fingerprint and self._link_pin is not None and self._link_pin[0] == server:
            fingerprint = self._link_pin[1]
        self.enroll_button.setEnabled(False)
        self.state.setText(_("Connecting…"))
        self.controller.enroll(server, self.code.text(), fingerprint)

    def _on_enrolled(self, enrollment: credentials.Enrollment) -> None:
        self.enroll_button.setEnabled(True)
        QMessageBox.information(self, _("Connected"), format_message(_("Welcome, {name}."),
            name=enrollment.user_name))
        self.controller.sync_now()

    def _on_enroll_progress(self, progress: SyncProgress) -> None:
        """Every try of a slow enrollment is seen: what happened, and when the next one is."""
        if progress.stage == "waiting":
            self.state.setText(retry_text(progress))
        elif progress.stage == "connecting":
            self.state.setText(_("Connecting…"))

    def _on_enroll_failed(self, error: Exception) -> None:
        self.enroll_button.setEnabled(True)
        from sync import device  # loaded already: the enrollment that failed used it

        if isinstance(error, device.UntrustedCertificate):
            self._compare_certificate(error)
            return
        self.state.setText("")
        QMessageBox.warning(self, _("Could not connect"), error_text(error))

    def _compare_certificate(self, error: UntrustedCertificate) -> None:
        """A field server with its own certificate: the person compares its code with the
        one the coordinator's server shows (or the card) before Qalam trusts it."""
        box = QMessageBox(QMessageBox.Question, _("Check the server's code"),
                          format_message(_("This server's certificate code is {code}."),
                                         code=error.short_code),
                          QMessageBox.Yes | QMessageBox.No, self)
        box.setObjectName("compareCertificate")
        box.setInformativeText(_(
            "Connect only if your coordinator's server shows exactly the same code (it is "
            "printed when the server starts, and on your enrollment card). If it differs, "
            "someone else may be pretending to be the server: do not connect."))
        box.button(QMessageBox.Yes).setText(_("The codes are the &same: connect"))
        box.button(QMessageBox.No).setText(_("&Do not connect"))
        box.setDefaultButton(QMessageBox.No)
        if box.exec() == QMessageBox.Yes:
            self._enroll(error.fingerprint)
        else:
            self.state.setText(_("Not connected: the server's code was not confirmed."))

    def _export_bundle(self) -> None:
        from PySide6.QtWidgets import QFileDialog  # its Python type costs a start ~20 ms

        path, _filter = QFileDialog.getSaveFileName(
            self, _("Export bundle"), "qalam-work.qalam", _("Qalam bundles (*.qalam)"))
        if path:
            self._start_bundle("export", Path(path))

    def _import_bundle(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        path, _filter = QFileDialog.getOpenFileName(
            self, _("Import answer bundle"), "", _("Qalam bundles (*.qalam)"))
        if path:
            self._start_bundle("import", Path(path))

    def _start_bundle(self, kind: str, path: Path) -> None:
        for button in self.bundle_buttons:
            button.setEnabled(False)
        self.state.setText(_("Writing the bundle…") if kind == "export"
                           else _("Reading the bundle…"))
        run = operations.export_bundle if kind == "export" else operations.import_bundle
        run(parent=self, path=path, on_done=lambda result: self._on_bundle_done(kind, result),
            on_error=self._on_bundle_failed)

    def _on_bundle_done(self, kind: str, result) -> None:
        for button in self.bundle_buttons:
            button.setEnabled(True)
        self.refresh()
        if kind == "export":
            QMessageBox.information(self, _("Bundle written"), format_message(ngettext(
                "{n} item written. Give the file to your coordinator.",
                "{n} items written. Give the file to your coordinator.", result), n=result))
        else:
            confirmed = format_message(ngettext("{n} item confirmed", "{n} items confirmed",
                                                result["acknowledged"]),
                                       n=result["acknowledged"])
            received = format_message(ngettext("{n} update received", "{n} updates received",
                                               result["pulled"]), n=result["pulled"])
            QMessageBox.information(self, _("Bundle imported"), format_message(
                _("{confirmed}; {received}."), confirmed=confirmed, received=received))
        self.controller.changed.emit()

    def _on_bundle_failed(self, error: Exception) -> None:
        for button in self.bundle_buttons:
            button.setEnabled(True)
        self.refresh()
        QMessageBox.warning(self, _("The bundle could not be used"), error_text(error))


def _first_line(text: str) -> str:
    return text.strip().split("\n", 1)[0][:80]
