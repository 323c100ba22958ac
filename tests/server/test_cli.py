"""The qalam-server command: init, invite, devices, revoke, import-tasks, decide, serve's
refusals, --help for each."""

import json
import re
import subprocess
import sys

import pytest

from sync.server import codes, db
from sync.server.cli import COMMANDS, main
from tests.server.helpers import Server

CODE = re.compile(r"^    ([2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z])$", re.MULTILINE)


def run(capsys, *args):
    status = main(list(args))
    out = capsys.readouterr()
    return status, out.out, out.err


def _invite(capsys, url, *extra, name="Amina"):
    status, out, err = run(capsys, "invite", "--db", url, "--name", name, *extra)
    assert status == 0, err
    return CODE.search(out).group(1)


def test_init_creates_and_upgrades_the_database(capsys, empty_db_url):
    status, out, _ = run(capsys, "init", "--db", empty_db_url)
    assert status == 0 and "schema 0005" in out and "Server id:" in out
    server_id = re.search(r"Server id:\s+(\S+)", out).group(1)
    status, out, _ = run(capsys, "init", "--db", empty_db_url)  # again: nothing changes
    assert status == 0 and server_id in out


def test_default_database_is_a_sqlite_file_in_the_current_folder(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(db.ENV_DATABASE_URL, raising=False)
    status, _, _ = run(capsys, "init")
    assert status == 0 and (tmp_path / "qalam-server.db").exists()
    engine = db.create_engine(db.database_url(None))
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    engine.dispose()


def test_commands_other_than_init_need_an_initialized_database(capsys, tmp_path):
    status, _, err = run(capsys, "devices", "--db", str(tmp_path / "nothing.db"))
    assert status == 1 and "qalam-server init" in err


def test_invite_prints_a_code_with_a_valid_check_character(capsys, db_url):
    code = _invite(capsys, db_url, "--role", "annotator", "--languages", "hin_Deva,urd_Arab")
    assert codes.normalize(code) == code
    status, out, _ = run(capsys, "invite", "--db", db_url, "--name", "Amina")  # existing user
    assert status == 0 and "(annotator; hin_Deva, urd_Arab)" in out
    assert "Valid until" in out


def test_invite_errors_are_clear(capsys, db_url):
    status, _, err = run(capsys, "invite", "--db", db_url, "--name", "New")
    assert status == 1 and "--role" in err
    status, _, err = run(capsys, "invite", "--db", db_url, "--name", "New", "--role",
                         "annotator", "--languages", "urdu")
    assert status == 1 and "'urdu' is not a language code" in err
    with pytest.raises(SystemExit) as exit_info:
        main(["invite", "--db", db_url, "--name", "X", "--role", "admin"])
    assert exit_info.value.code == 2


def test_devices_lists_and_revoke_revokes(capsys, db_url, engine):
    code = _invite(capsys, db_url, "--role", "reviewer", "--languages", "urd_Arab")
    with Server(engine) as server:
        response = server.client.post("/v1/enroll", json={
            "code": code, "device_id": "laptop-amina", "app_version": "0.1.0"},
            headers={"User-Agent": "Qalam/0.1.0"})
        assert response.status_code == 200
        token = response.json()["token"]
        status, out, _ = run(capsys, "devices", "--db", db_url)
        assert status == 0
        header, row = out.splitlines()[:2]
        for column in ("DEVICE", "USER", "ROLE", "LAST SEEN", "APP", "PENDING", "LAST SEQ",
                       "REVOKED"):
            assert column in header
        assert row.split()[:4] == ["laptop-amina", "Amina", "reviewer", row.split()[3]]
        assert row.rstrip().endswith("no")
        status, out, _ = run(capsys, "revoke", "--db", db_url, "laptop")  # a unique prefix
        assert status == 0 and "laptop-amina" in out
        response = server.client.get("/v1/pull", headers={"Authorization": f"Bearer {token}"})
        assert response.json()["code"] == "token_revoked"
        status, out, _ = run(capsys, "devices", "--db", db_url, "--json")
        listed = json.loads(out.splitlines()[0])
        assert listed["device"] == "laptop-amina" and listed["revoked"]
    status, _, err = run(capsys, "revoke", "--db", db_url, "no-such-device")
    assert status == 1 and "No device" in err


def test_import_tasks_and_decide(capsys, db_url, engine, tmp_path):
    tasks = tmp_path / "urd.jsonl"
    tasks.write_text(json.dumps({"id": "t1", "kind": "original", "language_code": "urd_Arab",
                                 "instructions": "لکھیے"}) + "\n", encoding="utf-8")
    status, out, _ = run(capsys, "import-tasks", "--db", db_url, str(tasks), "--project", "p1")
    assert status == 0 and "1 new" in out and "(new project)" in out
    status, out, _ = run(capsys, "import-tasks", "--db", db_url, str(tasks), "--project", "p1")
    assert status == 0 and "0 new" in out and "1 unchanged" in out
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"kind": "original"}\n', encoding="utf-8")
    status, _, err = run(capsys, "import-tasks", "--db", db_url, str(bad), "--project", "p1")
    assert status == 1 and "language_code" in err
    with Server(engine) as server:
        amina = server.member()
        item = amina.submission()
        amina.push([item])
        status, out, _ = run(capsys, "decide", "--db", db_url, item["id"], "accepted")
        assert status == 0 and "revision 2" in out
        states = [json.loads(i["payload"]).get("state") for i in amina.pull_all()
                  if i["entity"] == "submission"]
        assert states == ["accepted"]
    status, _, err = run(capsys, "decide", "--db", db_url, "missing", "rejected")
    assert status == 1 and "No submission" in err


def test_serve_refuses_plain_http_on_a_network_address(capsys, tmp_path):
    status, _, err = run(capsys, "serve", "--db", str(tmp_path / "s.db"), "--host", "0.0.0.0")
    assert status == 2 and "--tls" in err and "--allow-http" in err


def test_unreachable_database_is_a_clear_error(capsys):
    url = "postgresql+psycopg://nobody@127.0.0.1:1/none"
    status, _, err = run(capsys, "devices", "--db", url)
    assert status == 1 and "cannot be used" in err


def test_help_names_every_command():
    result = subprocess.run([sys.executable, "-m", "sync.server.cli", "--help"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and "--db" in result.stdout
    for name in COMMANDS:
        assert name in result.stdout


@pytest.mark.parametrize("command", COMMANDS)
def test_help_for_every_command(command, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main([command, "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert "--db" in out and f"qalam-server {command}" in out
