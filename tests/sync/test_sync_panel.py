"""The sync panel, driven as a person would: enroll, sync, resolve a conflict."""

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from app import paths
from app.store import Store
from i18n.bidi import strip_isolates
from tests.sync.live import Device, ServerThread
from ui.dialogs.sync_panel import SyncPanel, SyncStatusButton
from ui.operations import Context
from ui.sync_controller import SyncController
from ui.tasks import TaskRunner


def panel_tmp(controller):
    return controller.data_dir.parent


@pytest.fixture
def app_side(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("QALAM_NO_KEYRING", "1")
    for name in ("information", "warning"):  # no modal boxes in a test; remember them
        monkeypatch.setattr(QMessageBox, name, lambda *a, **k: shown.append(a[2]))
    shown: list[str] = []
    data_dir = tmp_path / "amina"
    data_dir.mkdir()
    db_path = paths.database_path(data_dir)
    with Store.open(db_path) as store:
        draft = store.new_submission(language="urd_Arab")
        store.save_draft(draft.id, inputs="چائے کیسے بنائیں؟", targets="پانی ابالیں۔")
        store.submit(draft.id)
    tasks = TaskRunner(db_path)
    reader = Store.open(db_path, readonly=True)
    controller = SyncController(Context(reader, tasks, settings=None))
    panel = SyncPanel(controller)
    button = SyncStatusButton(controller, panel.show)
    qtbot.addWidget(panel)
    qtbot.addWidget(button)
    yield controller, panel, button, draft.id, shown
    controller.stop()
    tasks.close()
    reader.close()


def test_enroll_sync_and_resolve_a_conflict_from_the_panel(qtbot, live_server, app_side):
    controller, panel, button, item_id, shown = app_side
    assert "Not connected" in button.text()
    panel.show()
    panel.server_url.setText(live_server.url)
    qtbot.keyClicks(panel.code, live_server.invite("amina", ["urd_Arab"]))
    enroll = next(b for b in panel.enroll_box.findChildren(type(panel.sync_button))
                  if b.text() == "&Connect")
    qtbot.mouseClick(enroll, Qt.LeftButton)  # enrollment runs off the UI thread
    qtbot.waitUntil(lambda: bool(shown), timeout=20000)
    assert strip_isolates(shown[0]).startswith("Welcome, amina")  # the name is bidi-isolated
    qtbot.waitUntil(lambda: not controller.running and controller.last_report is not None,
                    timeout=20000)
    assert button.text() == "All work synced"
    assert not panel.enroll_box.isVisible()
    assert [row.id for row in live_server.submissions()] == [item_id]

    # Her second laptop changes the item while this one, offline, improves it too.
    other = Device.enrolled(panel_tmp(controller) / "second", live_server, name="amina")
    other.sync()
    with Store.open(other.db_path) as store:
        store.reopen(item_id)
        store.save_draft(item_id, inputs="چائے کیسے بنائیں؟", targets="دودھ ڈالیں۔")
    other.sync()
    controller.tasks.writer.run(lambda store: (
        store.reopen(item_id),
        store.save_draft(item_id, inputs="چائے کیسے بنائیں؟", targets="پہلے پانی ابالیں۔"),
    )).result()
    qtbot.mouseClick(panel.sync_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: not controller.running and panel.conflicts.count() == 1,
                    timeout=20000)
    assert "1 to resolve" in button.text()
    panel.conflicts.setCurrentRow(0)
    assert "پہلے پانی ابالیں" in panel.mine.toPlainText()
    assert panel.mine.layoutDirection() == Qt.RightToLeft
    keep_mine = next(b for b in panel.findChildren(type(panel.sync_button))
                     if b.text() == "Keep &mine")
    qtbot.mouseClick(keep_mine, Qt.LeftButton)
    qtbot.waitUntil(lambda: panel.conflicts.count() == 0, timeout=5000)
    qtbot.mouseClick(panel.sync_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: not controller.running and button.text() == "All work synced",
                    timeout=20000)
    (row,) = live_server.submissions()
    assert "پہلے پانی ابالیں" in row.payload


def test_a_wrong_code_says_so_and_nothing_is_stored(qtbot, live_server, app_side):
    controller, panel, _button, _item, shown = app_side
    panel.server_url.setText(live_server.url)
    panel.code.setText("AAAA-AAAA-A")
    panel._enroll()
    qtbot.waitUntil(lambda: bool(shown), timeout=20000)
    assert "code" in shown[0].lower()
    assert panel.enroll_button.isEnabled()  # ready for another try
    assert controller.enrollment is None


def test_a_provisioned_install_asks_only_for_the_code_and_pins_the_certificate(
        qtbot, tmp_path, monkeypatch):
    import json

    from app import provisioning
    from sync import tls
    from ui.application import open_window

    monkeypatch.setenv("QALAM_NO_KEYRING", "1")
    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: None)
    with ServerThread(tmp_path / "hall.db", tls=True) as hall:
        pem = tls.fetch_certificate("127.0.0.1", hall.port)
        tasks = tmp_path / "tasks.jsonl"
        tasks.write_text(json.dumps({"id": "hall-urd-1", "kind": "original",
                                     "language_code": "urd_Arab",
                                     "instructions": "بارش کے بارے میں ایک سوال لکھیں۔"},
                                    ensure_ascii=False) + "\n", "utf-8")
        data_dir = tmp_path / "laptop"
        data_dir.mkdir()
        provisioning.write_provisioning(data_dir, server_url=hall.url, project="hall",
                                        fingerprint=tls.fingerprint(pem), codes=[],
                                        tasks_file=tasks)
        window = open_window(data_dir)
        qtbot.addWidget(window)
        try:
            with Store.open(paths.database_path(data_dir), readonly=True) as store:
                assert store.task("hall-urd-1").language == "urd_Arab"  # work before any sync
            controller = SyncController(window.context)
            panel = SyncPanel(controller)
            qtbot.addWidget(panel)
            assert panel.server_url.text() == hall.url  # nothing to type but the code
            panel.code.setText(hall.invite("saima", ["urd_Arab"]))
            panel._enroll()
            qtbot.waitUntil(lambda: controller.enrollment is not None, timeout=20000)
            assert controller.enrollment.tls_fingerprint == tls.fingerprint(pem)
            qtbot.waitUntil(lambda: not controller.running
                            and controller.last_report is not None, timeout=20000)
            assert controller.last_error is None and controller.last_report.complete
        finally:
            window.close()
            window.shutdown()


def test_bundle_buttons_write_and_apply_a_bundle_in_the_background(qtbot, live_server, app_side,
                                                                   tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    from sync import device
    from sync.server.exchange.bundles import import_bundle

    controller, panel, _button, item_id, shown = app_side
    device.enroll(controller.data_dir, live_server.url, live_server.invite("amina", ["urd_Arab"]))
    stick = tmp_path / "stick.qalam"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(stick), ""))
    export_button, import_button = panel.bundle_buttons
    qtbot.mouseClick(export_button, Qt.LeftButton)  # the store work goes through the writer
    qtbot.waitUntil(lambda: bool(shown), timeout=20000)
    assert strip_isolates(shown.pop()) == "1 item written. Give the file to your coordinator."
    assert export_button.isEnabled() and stick.exists()

    answer = import_bundle(live_server.engine, stick)
    assert [row.id for row in live_server.submissions()] == [item_id]
    monkeypatch.setattr(QFileDialog, "getOpenFileName",
                        lambda *a, **k: (str(answer.answer), ""))
    qtbot.mouseClick(import_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: bool(shown), timeout=20000)
    assert strip_isolates(shown.pop()).startswith("1 item confirmed; ")
    assert controller.summary().pending == 0

    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(stick), ""))
    qtbot.mouseClick(import_button, Qt.LeftButton)  # the device's own bundle: refused
    qtbot.waitUntil(lambda: bool(shown), timeout=20000)
    assert "refused" in shown.pop() and import_button.isEnabled()


def test_the_enrollment_cards_link_pasted_into_the_code_field_fills_both(qtbot, app_side):
    from PySide6.QtGui import QGuiApplication

    _controller, panel, _button, _item, _shown = app_side
    panel.show()
    QGuiApplication.clipboard().setText(
        "qalam://enroll?server=https%3A%2F%2F192.168.1.20%3A8443&code=K7PD-3QXM-9")
    panel.code.setFocus()
    qtbot.keyClick(panel.code, Qt.Key_V, Qt.ControlModifier)
    assert panel.server_url.text() == "https://192.168.1.20:8443"
    assert panel.code.text() == "K7PD-3QXM-9"


@pytest.fixture
def tls_server(tmp_path):
    """A server with ``serve --tls``'s self-signed certificate, in a thread."""
    with ServerThread(tmp_path / "hall.db", tls=True) as running:
        yield running


def test_the_cards_link_pasted_into_its_field_pins_the_tls_server_with_nothing_typed(
        qtbot, tls_server, app_side):
    from PySide6.QtGui import QGuiApplication

    from sync import tls
    from sync.server.web.enrollment import enrollment_link

    controller, panel, _button, _item, _shown = app_side
    fingerprint = tls.fingerprint(tls.fetch_certificate("127.0.0.1", tls_server.port))
    panel.show()
    QGuiApplication.clipboard().setText(enrollment_link(
        tls_server.url, tls_server.invite("amina", ["urd_Arab"]), fingerprint))
    panel.link.setFocus()
    qtbot.keyClick(panel.link, Qt.Key_V, Qt.ControlModifier)
    assert panel.server_url.text() == tls_server.url
    qtbot.mouseClick(panel.enroll_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: controller.enrollment is not None, timeout=20000)
    assert controller.enrollment.tls_fingerprint == fingerprint
    _sync_settles(qtbot, controller)


@pytest.mark.parametrize("same_code", [True, False])
def test_a_tls_server_met_without_a_pin_shows_its_code_to_compare(
        qtbot, tls_server, app_side, monkeypatch, same_code):
    from sync import tls

    controller, panel, _button, _item, shown = app_side
    pem = tls.fetch_certificate("127.0.0.1", tls_server.port)
    asked = []

    def answer(box):
        asked.append(box.text())
        return QMessageBox.Yes if same_code else QMessageBox.No

    monkeypatch.setattr(QMessageBox, "exec", answer)
    panel.server_url.setText(tls_server.url)
    panel.code.setText(tls_server.invite("amina", ["urd_Arab"]))
    qtbot.mouseClick(panel.enroll_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: bool(asked), timeout=20000)  # at once: no silent retries
    assert tls.short_code(pem) in strip_isolates(asked[0])
    if same_code:
        qtbot.waitUntil(lambda: controller.enrollment is not None, timeout=20000)
        assert controller.enrollment.tls_fingerprint == tls.fingerprint(pem)
        _sync_settles(qtbot, controller)
    else:
        assert controller.enrollment is None and "not confirmed" in panel.state.text()
        assert not shown  # no second, alarming box


def _sync_settles(qtbot, controller) -> None:
    """The first sync after connecting has finished (before the stores close)."""
    qtbot.waitUntil(lambda: not controller.running and (
        controller.last_report is not None or controller.last_error is not None),
        timeout=20000)
    assert controller.last_error is None


def test_before_connecting_the_panel_says_not_connected_once(qtbot, app_side):
    from ui.sync_controller import status_text

    controller, panel, _button, _item, _shown = app_side
    panel.show()
    text = status_text(controller)
    visible = [panel.state.text()] + ([panel.progress.text()]
                                       if panel.progress.isVisible() else [])
    assert sum(part.count(text) for part in visible) == 1
