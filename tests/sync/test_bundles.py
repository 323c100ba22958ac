"""Offline bundles: the same protocol on a USB stick (DESIGN.md invariant 5)."""

import shutil
import zipfile

import pytest

from app.errors import SyncError
from app.store import Store
from sync import device
from sync.server.exchange.bundles import import_bundle
from sync.server.work.imports import import_records
from tests.sync.live import Device, assert_converged


@pytest.fixture
def amina(tmp_path, live_server):
    return Device.enrolled(tmp_path / "amina", live_server)


def test_push_bundle_answer_bundle_round_trip_and_twice_changes_nothing(tmp_path, live_server,
                                                                        amina):
    import_records(live_server.engine, "hall", [
        {"id": "hall-1", "kind": "original", "language": "swh_Latn", "origin": "human",
         "instructions": "Andika swali kuhusu maji safi.", "inputs": "", "targets": ""}])
    amina.write(30)
    stick = tmp_path / "stick"
    stick.mkdir()
    work = stick / "amina.qalam"
    assert device.export_bundle(amina.data_dir, work) == 30
    first = import_bundle(live_server.engine, work)
    assert (first.created, first.duplicates, first.leased) == (30, 0, 1)  # work goes home
    again = import_bundle(live_server.engine, work)  # the same stick plugged in twice
    assert (again.created, again.duplicates, again.leased) == (0, 30, 0)
    assert len(live_server.submissions()) == 30

    counts = device.import_bundle(amina.data_dir, first.answer)
    assert counts["acknowledged"] == 30 and counts["pulled"] >= 1
    assert device.import_bundle(amina.data_dir, first.answer)["acknowledged"] == 0
    with amina.store() as store:
        assert store.task("hall-1").instructions == "Andika swali kuhusu maji safi."
    assert_converged(live_server, amina)


def test_work_sent_by_bundle_and_then_over_the_network_is_stored_once(tmp_path, live_server, amina):
    amina.write(12)
    work = tmp_path / "amina.qalam"
    device.export_bundle(amina.data_dir, work)
    import_bundle(live_server.engine, work)
    report = amina.sync()  # the answer bundle never came back; a connection did
    assert report.complete
    assert_converged(live_server, amina)
    assert len(live_server.submissions()) == 12


def test_a_tampered_bundle_is_refused(tmp_path, live_server, amina):
    amina.write(3)
    work = tmp_path / "amina.qalam"
    device.export_bundle(amina.data_dir, work)
    forged = tmp_path / "forged.qalam"
    with zipfile.ZipFile(work) as original, zipfile.ZipFile(forged, "w") as copy:
        for info in original.infolist():
            data = original.read(info)
            if info.filename.startswith("batches/"):
                data = data.replace(b'draft', b'dreft', 1)  # one letter changed
                assert data != original.read(info)
            copy.writestr(info, data)
    with pytest.raises(SyncError, match="changed after it was made"):
        import_bundle(live_server.engine, forged)
    assert live_server.submissions() == []


def test_a_truncated_bundle_is_refused(tmp_path, live_server, amina):
    amina.write(3)
    work = tmp_path / "amina.qalam"
    device.export_bundle(amina.data_dir, work)
    cut = tmp_path / "cut.qalam"
    cut.write_bytes(work.read_bytes()[: work.stat().st_size // 2])
    with pytest.raises(SyncError, match="damaged or incomplete"):
        import_bundle(live_server.engine, cut)


def test_a_bundle_signed_by_another_key_is_refused(tmp_path, live_server, amina):
    amina.write(3)
    work = tmp_path / "amina.qalam"
    (amina.data_dir / device.DEVICE_KEY).unlink()  # the key the server knows is gone
    device.export_bundle(amina.data_dir, work)      # a new one signs this bundle
    with pytest.raises(SyncError, match="not signed by who it claims"):
        import_bundle(live_server.engine, work)


def test_an_answer_for_another_device_is_refused(tmp_path, live_server, amina):
    amina.write(2)
    work = tmp_path / "amina.qalam"
    device.export_bundle(amina.data_dir, work)
    answer = import_bundle(live_server.engine, work).answer
    other = Device.enrolled(tmp_path / "other", live_server, name="baraka")
    with pytest.raises(SyncError, match="another device"):
        device.import_bundle(other.data_dir, answer)
    with Store.open(other.db_path, readonly=True) as store:
        assert store.count_submissions() == 0
    shutil.rmtree(other.data_dir)


def test_import_bundle_command(tmp_path, live_server, amina, capsys):
    from sync.server.cli import main

    amina.write(4)
    work = tmp_path / "amina.qalam"
    device.export_bundle(amina.data_dir, work)
    assert main(["import-bundle", str(work), "--db", str(live_server.db_path)]) == 0
    out = capsys.readouterr().out
    assert "4 items — 4 new, 0 already here" in out
    assert (tmp_path / "amina.answer.qalam").exists()
    broken = tmp_path / "broken.qalam"
    broken.write_bytes(b"not a zip at all")
    assert main(["import-bundle", str(broken), "--db", str(live_server.db_path)]) == 1
    err = capsys.readouterr().err
    assert "broken.qalam is damaged or incomplete; copy it again." in err
    assert "File is not a zip file" not in err  # library text goes to the log only
