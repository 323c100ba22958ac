"""Files that hold secrets or personal data are readable by their owner only, whatever the
umask: the server database (it holds the bundle-signing key), the TLS key and certificate,
exports (demographics), the dashboard's export archives and uploads. They were made 0644.
"""

from __future__ import annotations

import os
import re
import stat
import sys
import tempfile
import threading
import types
import warnings
from pathlib import Path

import pytest

from sync.server import db
from sync.server.cli import main
from sync.server.people.tls import ensure_certificate
from sync.server.web import exporter, importer
from tests.web.helpers import Dashboard
from tests.web.test_dashboard import wait_for_job

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def modes_under(root: Path) -> dict[str, int]:
    return {str(path.relative_to(root)): mode(path) for path in [root, *root.rglob("*")]}


@pytest.fixture(params=[0o022, 0o277], ids=["umask-022", "umask-277"])
def umask(request):
    """A usual umask, and one that would make a file unwritable to its owner: the modes are
    set explicitly, not left to the umask."""
    old = os.umask(request.param)
    yield request.param
    os.umask(old)


@pytest.fixture
def scratch(tmp_path, monkeypatch) -> Path:
    """Where jobs make their temporary folders (the exports and uploads themselves live in
    the database)."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def test_a_new_server_database_and_its_wal_and_shm_are_private(tmp_path, umask):
    path = tmp_path / "new" / "server.db"
    engine = db.create_engine(db.database_url(str(path)))
    try:
        db.migrate(engine)
        with engine.connect() as conn:  # open: the -wal and -shm files exist meanwhile
            conn.exec_driver_sql("SELECT 1")
            journal = [path.with_name(path.name + suffix) for suffix in ("-wal", "-shm")]
            assert all(p.exists() for p in journal)
            assert {p.name: mode(p) for p in [path, *journal]} == dict.fromkeys(
                ["server.db", "server.db-wal", "server.db-shm"], 0o600)
    finally:
        engine.dispose()
    assert mode(path.parent) == 0o700


def test_init_through_the_cli_makes_a_private_database(tmp_path, capsys):
    path = tmp_path / "server.db"
    assert main(["init", "--db", str(path)]) == 0
    assert mode(path) == 0o600


def test_serve_tls_key_and_certificate_are_private(tmp_path, umask):
    cert = ensure_certificate(tmp_path / "tls", hosts=["127.0.0.1"])
    assert (mode(cert.key_path), mode(cert.cert_path)) == (0o600, 0o600)
    assert mode(tmp_path / "tls") == 0o700


@pytest.mark.parametrize("fmt", ["jsonl", "hf"])
def test_an_export_and_its_folders_are_private(fmt, db_url, engine, tmp_path, capsys):
    out = tmp_path / "exports" / "v1"
    status = main(["export", "--db", db_url, "--format", fmt, "--out", str(out), "--quiet"])
    assert status == 0, capsys.readouterr().err
    found = modes_under(out)
    assert any(name.endswith((".jsonl", ".parquet")) for name in found)  # files of the export
    assert found == {name: 0o700 if (out / name).is_dir() else 0o600 for name in found}
    assert mode(out.parent) == 0o700


def _signed_in(engine):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return Dashboard(engine).coordinator()


def test_a_dashboard_export_is_written_in_a_private_folder_and_removed(engine, scratch,
                                                                      monkeypatch):
    seen = {}
    real = exporter.export_dataset

    def export_dataset(engine, out, **options):
        result = real(engine, out, **options)
        root = out.parent
        seen.update(found={str(p.relative_to(root)): (p.is_dir(), mode(p))
                           for p in [root, *root.rglob("*")]})
        return result

    monkeypatch.setattr(exporter, "export_dataset", export_dataset)
    farida = _signed_in(engine)
    farida.get("/dashboard/export")
    started = farida.post("/dashboard/export", {"fmt": "jsonl", "test_fraction": "0"})
    assert 'data-state="done"' in wait_for_job(farida, started.headers["location"])
    found = seen["found"]
    assert any(name.endswith(".jsonl") for name in found)
    assert {name: m for name, (_, m) in found.items()} == {
        name: 0o700 if is_dir else 0o600 for name, (is_dir, _) in found.items()}
    assert list(scratch.iterdir()) == []  # removed once the zip is in the database


def test_an_uploaded_task_file_is_private_while_it_is_imported(engine, scratch, monkeypatch):
    seen = {}
    imported = threading.Event()

    def import_file(engine, path, **options):
        seen.update(file=mode(path), folders={mode(f) for f in path.parents
                                              if f.is_relative_to(scratch) and f != scratch},
                    text=path.read_bytes())
        imported.set()
        return types.SimpleNamespace(project_created=True, added=0, updated=0, unchanged=0)

    monkeypatch.setattr(importer, "import_file", import_file)
    farida = _signed_in(engine)
    farida.get("/dashboard/import")
    started = farida.post("/dashboard/import", {"new_project": "p1"},
                          files={"file": ("urd.jsonl", b"{}\n", "application/json")})
    assert started.status_code == 303, started.text
    assert imported.wait(60)
    assert re.search(r'data-state="done"', wait_for_job(farida, started.headers["location"]))
    assert seen == {"file": 0o600, "folders": {0o700}, "text": b"{}\n"}
    assert list(scratch.iterdir()) == []
