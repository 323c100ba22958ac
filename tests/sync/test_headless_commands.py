"""`qalam enroll`, `qalam sync` and `qalam bundle …` as a script or a cron job runs them."""

import os
import subprocess
import sys

from app import paths
from app.store import Store
from tests.sync.live import ROOT, ServerProcess


def qalam(*args):
    return subprocess.run(
        [sys.executable, "-m", "ui.cli", *args], cwd=ROOT, capture_output=True, text=True,
        timeout=120, env={**os.environ, "QALAM_NO_KEYRING": "1"},
    )


def test_enroll_then_sync_then_bundle(tmp_path, live_server):
    data = tmp_path / "laptop"
    data.mkdir()
    with Store.open(paths.database_path(data)) as store:
        draft = store.new_submission(language="yor_Latn")
        store.save_draft(draft.id, inputs="Kí ni ọbẹ̀ ẹ̀gúsí?", targets="Ọbẹ̀ tí a fi ẹ̀gúsí ṣe ni.")

    wrong = qalam("enroll", "--server", live_server.url, "--code", "2222-2222-2", "--data-dir",
                  str(data))
    assert wrong.returncode == 1 and "code" in wrong.stderr.lower()

    code = live_server.invite("bola", ["yor_Latn"])
    enrolled = qalam("--data-dir", str(data), "enroll", "--server", live_server.url, "--code", code)
    assert enrolled.returncode == 0, enrolled.stderr
    assert "Enrolled as bola (annotator)" in enrolled.stdout
    token_file = data / "device-token"
    assert token_file.exists() and oct(token_file.stat().st_mode & 0o777) == "0o600"

    synced = qalam("sync", "--data-dir", str(data))
    assert synced.returncode == 0, synced.stderr
    assert "1 item sent" in synced.stdout and "Sending your work…" in synced.stderr
    assert [row.id for row in live_server.submissions()] == [draft.id]

    with Store.open(paths.database_path(data)) as store:
        store.save_draft(draft.id, inputs="Kí ni ọbẹ̀ ẹ̀gúsí?", targets="Ọbẹ̀ aládùn ni.")
    bundle = tmp_path / "bola.qalam"
    exported = qalam("bundle", "export", str(bundle), "--data-dir", str(data))
    assert exported.returncode == 0 and "1 item written" in exported.stdout

    server_side = subprocess.run(
        [sys.executable, "-m", "sync.server.cli", "import-bundle", str(bundle), "--db",
         str(live_server.db_path)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert server_side.returncode == 0, server_side.stderr
    answer = tmp_path / "bola.answer.qalam"
    imported = qalam("bundle", "import", str(answer), "--data-dir", str(data))
    assert imported.returncode == 0 and "1 item confirmed" in imported.stdout
    with Store.open(paths.database_path(data), readonly=True) as store:
        assert store.outbox() == []


def test_sync_with_the_server_gone_gives_up_after_max_time(tmp_path, live_server):
    data = tmp_path / "laptop"
    data.mkdir()
    Store.open(paths.database_path(data)).close()
    code = live_server.invite("ada", ["yor_Latn"])
    assert qalam("enroll", "--server", live_server.url, "--code", code, "--data-dir",
                 str(data)).returncode == 0
    live_server.stop()
    gone = qalam("sync", "--max-time", "2", "--data-dir", str(data))
    assert gone.returncode == 1
    assert "stopped before it finished" in gone.stderr and "cannot be reached" in gone.stderr


def test_a_sync_that_leaves_a_conflict_says_where_to_resolve_it(tmp_path, live_server):
    from sync.server.work import decisions

    data = tmp_path / "laptop"
    data.mkdir()
    with Store.open(paths.database_path(data)) as store:
        draft = store.new_submission(language="yor_Latn")
        store.save_draft(draft.id, inputs="Kí ni ọbẹ̀?", targets="Ọbẹ̀ ni.")
        store.submit(draft.id)
    code = live_server.invite("bola", ["yor_Latn"])
    assert qalam("enroll", "--server", live_server.url, "--code", code, "--data-dir",
                 str(data)).returncode == 0
    assert qalam("sync", "--data-dir", str(data)).returncode == 0
    decisions.decide(live_server.engine, draft.id, "rejected")
    with Store.open(paths.database_path(data)) as store:  # meanwhile, offline, she edits it
        store.reopen(draft.id)
        store.save_draft(draft.id, inputs="Kí ni ọbẹ̀ ẹ̀gúsí?", targets="Ọbẹ̀ aládùn ni.")
    synced = qalam("sync", "--data-dir", str(data))
    assert synced.returncode == 0, synced.stderr
    assert "1 conflicts" not in synced.stdout
    assert "1 item was changed both here and elsewhere" in synced.stdout
    assert "File › Sync and connection…" in synced.stdout
    again = qalam("sync", "--data-dir", str(data))  # still open: said again, no repair
    assert "File › Sync and connection…" in again.stdout


def test_enroll_with_a_self_signed_server_and_no_fingerprint_fails_at_once(tmp_path):
    """`qalam enroll` against `serve --tls` with no fingerprint retried in silence for more
    than ten minutes; now it fails within seconds and says what to do."""
    import time

    with ServerProcess(tmp_path / "server.db", tls=True) as tls_server:
        code = tls_server.invite("ada", ["yor_Latn"])
        started = time.monotonic()
        refused = qalam("enroll", "--server", tls_server.url, "--code", code, "--data-dir",
                        str(tmp_path / "laptop"))
        took = time.monotonic() - started
    assert refused.returncode == 1
    assert took < 60  # bound, not a benchmark
    assert "does not trust" in refused.stderr
    assert "use the link on your enrollment card" in refused.stderr
    assert "--fingerprint" in refused.stderr
    assert "Trying again" not in refused.stderr and "SSL" not in refused.stderr


def test_enroll_shows_each_retry_and_gives_up_with_what_to_check(tmp_path, capsys,
                                                                  monkeypatch):
    """Every wait of an enrollment is on stderr with its reason and the next try, and the
    tries are bounded (here: shortened, in process)."""
    from sync import client
    from tests.sync.live import free_port
    from ui import cli

    monkeypatch.setenv("QALAM_NO_KEYRING", "1")
    monkeypatch.setattr(client, "ENROLLING", client.Retries(attempts=3, max_delay=0.2))
    nobody = f"http://127.0.0.1:{free_port()}"
    status = cli.main(["enroll", "--server", nobody, "--code", "K7PD-3QXM-9", "--data-dir",
                       str(tmp_path / "laptop")])
    err = capsys.readouterr().err
    assert status == 1
    assert err.count("The server cannot be reached. Trying again") == 2
    assert "That will be try 2 of 3." in err and "That will be try 3 of 3." in err
    assert "gave up after 3 tries" in err and "same network" in err
    assert "Errno" not in err and "refused" not in err
