"""`qalam enroll`, `qalam sync` and `qalam bundle …` as a script or a cron job runs them."""

import os
import subprocess
import sys

import pytest

from app import paths
from app.store import Store
from tests.sync.live import ROOT, ServerProcess


def qalam(*args):
    return subprocess.run(
        [sys.executable, "-m", "ui.cli", *args], cwd=ROOT, capture_output=True, text=True,
        timeout=120, env={**os.environ, "QALAM_NO_KEYRING": "1"},
    )


@pytest.fixture
def server(tmp_path):
    with ServerProcess(tmp_path / "server.db") as running:
        yield running


def test_enroll_then_sync_then_bundle(tmp_path, server):
    data = tmp_path / "laptop"
    data.mkdir()
    with Store.open(paths.database_path(data)) as store:
        draft = store.new_submission(language="yor_Latn")
        store.save_draft(draft.id, inputs="Kí ni ọbẹ̀ ẹ̀gúsí?", targets="Ọbẹ̀ tí a fi ẹ̀gúsí ṣe ni.")

    wrong = qalam("enroll", "--server", server.url, "--code", "2222-2222-2", "--data-dir",
                  str(data))
    assert wrong.returncode == 1 and "code" in wrong.stderr.lower()

    code = server.invite("bola", ["yor_Latn"])
    enrolled = qalam("--data-dir", str(data), "enroll", "--server", server.url, "--code", code)
    assert enrolled.returncode == 0, enrolled.stderr
    assert "Enrolled as bola (annotator)" in enrolled.stdout
    token_file = data / "device-token"
    assert token_file.exists() and oct(token_file.stat().st_mode & 0o777) == "0o600"

    synced = qalam("sync", "--data-dir", str(data))
    assert synced.returncode == 0, synced.stderr
    assert "1 sent" in synced.stdout and "pushing" in synced.stderr
    assert [row.id for row in server.submissions()] == [draft.id]

    with Store.open(paths.database_path(data)) as store:
        store.save_draft(draft.id, inputs="Kí ni ọbẹ̀ ẹ̀gúsí?", targets="Ọbẹ̀ aládùn ni.")
    bundle = tmp_path / "bola.qalam"
    exported = qalam("bundle", "export", str(bundle), "--data-dir", str(data))
    assert exported.returncode == 0 and "1 items written" in exported.stdout

    server_side = subprocess.run(
        [sys.executable, "-m", "sync.server.cli", "import-bundle", str(bundle), "--db",
         str(server.db_path)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert server_side.returncode == 0, server_side.stderr
    answer = tmp_path / "bola.answer.qalam"
    imported = qalam("bundle", "import", str(answer), "--data-dir", str(data))
    assert imported.returncode == 0 and "1 items confirmed" in imported.stdout
    with Store.open(paths.database_path(data), readonly=True) as store:
        assert store.outbox() == []


def test_sync_with_the_server_gone_gives_up_after_max_time(tmp_path, server):
    data = tmp_path / "laptop"
    data.mkdir()
    Store.open(paths.database_path(data)).close()
    code = server.invite("ada", ["yor_Latn"])
    assert qalam("enroll", "--server", server.url, "--code", code, "--data-dir",
                 str(data)).returncode == 0
    server.stop()
    gone = qalam("sync", "--max-time", "2", "--data-dir", str(data))
    assert gone.returncode == 1
    assert "stopped before it finished" in gone.stderr and "cannot be reached" in gone.stderr
