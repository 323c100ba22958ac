"""The qalam-server command: init, invite, devices, revoke, import-tasks, decide, serve's
refusals and proxy headers, --db wherever it is placed, --help for each."""

import json
import re
import subprocess
import sys
import time

import httpx
import pytest
import sqlalchemy as sa

from sync.server import db, tables
from sync.server.cli import command_names, main
from sync.server.people import codes
from sync.server.work.imports import FORMATS
from tests.server.helpers import Server
from tests.sync.live import ROOT, free_port

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
    assert status == 0 and f"schema {db.head_revision()}" in out and "Server id:" in out
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
    with Server(engine) as harness:
        response = harness.client.post("/v1/enroll", json={
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
        response = harness.client.get("/v1/pull", headers={"Authorization": f"Bearer {token}"})
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
    with Server(engine) as harness:
        amina = harness.member()
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


COMMANDS = command_names()  # "init", ..., "project guidelines set", ...


def test_help_names_every_command():
    result = subprocess.run([sys.executable, "-m", "sync.server.cli", "--help"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and "--db" in result.stdout
    for name in COMMANDS:
        assert name.split()[0] in result.stdout


@pytest.mark.parametrize("command", COMMANDS)
def test_help_for_every_command(command, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main([*command.split(), "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert "--db" in out and f"qalam-server {command}" in out


# `qalam-server --db X COMMAND` (the usage line's own form) used to ignore X: the command's
# parser put its own default (None) over it, and ./qalam-server.db was used instead.
INVITE = ["--name", "Amina", "--role", "annotator", "--languages", "urd_Arab"]
DB_PLACEMENTS = {
    "before the command": ["--db", "URL", "invite", *INVITE],
    "after the command": ["invite", "--db", "URL", *INVITE],
    "last": ["invite", *INVITE, "--db", "URL"],
    "before a group": ["--db", "URL", "project", "create", "p1"],
    "after a group": ["project", "--db", "URL", "create", "p1"],
    "after a group's action": ["project", "create", "p1", "--db", "URL"],
}


@pytest.mark.parametrize("argv", DB_PLACEMENTS.values(), ids=DB_PLACEMENTS)
def test_db_option_is_used_wherever_it_is_placed(argv, db_url, engine, tmp_path, monkeypatch,
                                                 capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(db.ENV_DATABASE_URL, raising=False)
    status, _, err = run(capsys, *[db_url if arg == "URL" else arg for arg in argv])
    assert status == 0, err
    assert not (tmp_path / db.DEFAULT_DATABASE).exists()
    with engine.connect() as conn:
        users = conn.execute(sa.select(tables.users.c.name)).scalars().all()
        projects = conn.execute(sa.select(tables.projects.c.id)).scalars().all()
    if "invite" in argv:
        assert users == ["Amina"]
    else:
        assert projects == ["p1"]


def test_db_option_comes_from_the_environment_when_not_given(db_url, tmp_path, monkeypatch,
                                                              capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(db.ENV_DATABASE_URL, db_url)
    status, out, err = run(capsys, "devices")
    assert status == 0 and "No devices enrolled yet" in out, err
    assert not (tmp_path / db.DEFAULT_DATABASE).exists()


def test_db_option_before_the_command_through_the_entry_point(tmp_path):
    database = tmp_path / "elsewhere" / "server.db"

    def qalam_server(*args):
        return subprocess.run([sys.executable, "-m", "sync.server.cli", *args], cwd=tmp_path,
                              capture_output=True, text=True, timeout=120)

    assert qalam_server("--db", str(database), "init").returncode == 0
    result = qalam_server("--db", str(database), "invite", "--name", "Amina", "--role",
                          "annotator", "--languages", "urd_Arab")
    assert result.returncode == 0 and CODE.search(result.stdout), result.stderr
    assert database.exists() and not (tmp_path / db.DEFAULT_DATABASE).exists()


def test_import_tasks_help_names_every_format(capsys):
    # --format is not argparse choices (that would load the importers for every command).
    with pytest.raises(SystemExit):
        main(["import-tasks", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    for name in FORMATS:
        assert name in out


@pytest.mark.parametrize("value", ["*", "proxy.example", "127.0.0.1,nonsense", ""])
def test_forwarded_allow_ips_must_be_addresses(value, capsys, tmp_path):
    with pytest.raises(SystemExit) as exit_info:
        main(["serve", "--db", str(tmp_path / "s.db"), "--forwarded-allow-ips", value])
    assert exit_info.value.code == 2 and "--forwarded-allow-ips" in capsys.readouterr().err


def _serve_and_enroll(tmp_path, *serve_options) -> tuple[str, list[str]]:
    """A real `serve` on loopback, one enrollment with a wrong code and a forged
    X-Forwarded-For; its access log and the rate-limit keys it recorded."""
    database = tmp_path / "server.db"
    assert main(["init", "--db", str(database)]) == 0
    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "sync.server.cli", "serve", "--db", str(database),
             "--port", str(port), *serve_options], cwd=ROOT, stdout=sink, stderr=sink)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(f"{base}/healthz", timeout=1)
                break
            except httpx.TransportError:
                assert process.poll() is None and time.monotonic() < deadline, log.read_text()
                time.sleep(0.1)
        response = httpx.post(f"{base}/v1/enroll", json={
            "code": "AAAA-AAAA-A", "device_id": "laptop-1", "app_version": "0.1.0"},
            headers={"X-Forwarded-For": "203.0.113.7", "User-Agent": "Qalam/0.1.0"})
        assert response.status_code in (400, 403, 422), response.text
    finally:
        process.terminate()
        process.wait(timeout=30)
    engine = db.create_engine(db.database_url(str(database)))
    with engine.connect() as conn:
        keys = conn.execute(sa.select(tables.rate_limits.c.key)).scalars().all()
    engine.dispose()
    return log.read_text(), keys


def test_serve_ignores_x_forwarded_for_by_default(tmp_path, capsys):
    # uvicorn believes X-Forwarded-For from 127.0.0.1 unless told otherwise: behind a TLS
    # terminator on the same host every client could choose its address and escape the limits.
    log, keys = _serve_and_enroll(tmp_path)
    assert '127.0.0.1:' in log and "203.0.113.7" not in log
    assert any("127.0.0.1" in key for key in keys)
    assert not any("203.0.113.7" in key for key in keys)


def test_serve_believes_x_forwarded_for_from_the_named_proxy_only(tmp_path, capsys):
    log, keys = _serve_and_enroll(tmp_path, "--forwarded-allow-ips", "127.0.0.1")
    assert "203.0.113.7" in log
    assert any("203.0.113.7" in key for key in keys)


# --- commands declared beside their handlers; one output helper ------------------------------

# What a --json command needs to run on a fresh database (a project, an auditor, a sample).
JSON_COMMANDS = {
    "devices": [], "queue": [], "leases": [], "project list": [], "project show": ["p1"],
    "project guidelines list": ["p1"], "blocked": [], "flagged": [], "agreement": [],
    "concentration": [], "leaderboard": [], "audit items": ["--auditor", "Rahel"],
    "audit report": ["SAMPLE"], "log": [], "project coordinators": ["p1"],
    "ui-translations progress": [], "ui-translations list": ["--language", "urd_Arab"],
}


def test_every_json_command_is_listed_here():
    # A new --json command joins JSON_COMMANDS, so the test below runs it too.
    from sync.server.commands import load_all

    declared = {" ".join(path) for path, entry in load_all().items()
                if any("--json" in names for names, _ in entry.options)}
    assert declared == set(JSON_COMMANDS)


def _busy(engine, tmp_path) -> str:
    """A project with tasks and guidelines, work handed out, reviewed (one flag), one person
    blocked and an audit sample: something for every --json command to list. The sample's id."""
    from sync.server.quality import audits, moderation
    from sync.server.work import projects
    from sync.server.work.imports import import_file

    tasks = tmp_path / "tasks.jsonl"
    tasks.write_text(json.dumps({"id": "t1", "kind": "original", "language_code": "urd_Arab",
                                 "instructions": "لکھیے"}) + "\n", encoding="utf-8")
    import_file(engine, tasks, project_id="p1")
    projects.set_guideline(engine, "p1", kind="original", language="urd_Arab", text="# لکھیے")
    with Server(engine) as harness:
        amina = harness.member(name="Amina")
        harness.member(name="Bilal")
        items = [amina.submission(inputs=f"سوال {i}") for i in range(3)]
        amina.push(items)
        amina.push([amina.item("ui_translation", {  # the interface, translated
            "id": "tr-1", "language": "urd_Arab", "context": None, "msgid": "&File",
            "msgid_plural": None, "msgstr": ["&فائل"]})])
        for reviewer, flag in ((harness.member("reviewer"), "harmful"),
                               (harness.member("reviewer"), None)):
            reviewer.push([reviewer.item("review", {
                "id": f"rv-{reviewer.user.name}-{n}", "submission_id": json.loads(
                    item["payload"])["id"], "reason": "", "rating_inputs": 2 + n,
                "rating_targets": 3, **({"flag": flag} if flag and n == 0 else {})})
                for n, item in enumerate(items)])
        harness.client.post("/v1/work", json={}, headers=amina.headers)
        harness.invite("auditor", name="Rahel")
    moderation.block(engine, "Bilal", reason="copied")
    return audits.draw_sample(engine, per_language=2, auditors=["Rahel"], created_by="F")


@pytest.mark.parametrize("command", JSON_COMMANDS)
def test_json_output_is_one_object_per_line_with_text_as_it_is(command, capsys, db_url,
                                                               engine, tmp_path):
    sample = _busy(engine, tmp_path)
    argv = [*command.split(), "--db", db_url,
            *[sample if arg == "SAMPLE" else arg for arg in JSON_COMMANDS[command]]]
    status, out, err = run(capsys, *argv, "--json")
    assert status == 0, err
    found = [json.loads(line) for line in out.splitlines()]
    assert found and all(isinstance(value, dict) for value in found)
    assert "\\u" not in out  # Urdu stays Urdu


def test_a_command_declared_twice_is_refused():
    from sync.server import commands

    with pytest.raises(RuntimeError, match="declared twice"):
        commands.command("devices", help="", description="")(lambda args, engine, url: 0)
    with pytest.raises(RuntimeError, match="declare group"):
        commands.command("nothing", "here", help="", description="")(lambda a, e, u: 0)


def test_the_table_helper_pads_columns_and_leaves_no_trailing_blanks(capsys):
    from sync.server.commands.output import table

    table(["A", "LONGER"], [["wide cell", ""], ["x", "y"]], indent="  ")
    assert capsys.readouterr().out.splitlines() == [
        "  A          LONGER", "  wide cell", "  x          y"]


def test_json_lines_print_dataclasses_dicts_and_models_with_their_text_as_is(capsys):
    from dataclasses import dataclass

    from sync.protocol import ErrorBody
    from sync.server.commands.output import listing

    @dataclass
    class Row:
        name: str

    class Args:
        json = True

    listing(Args(), [Row("آمنہ"), {"name": "Bilal"}], header=["NAME"], row=lambda r: [r])
    listing(Args(), [], header=["NAME"], row=lambda r: [r],
            as_json=ErrorBody(code="not_found", message="ناپید"))
    assert capsys.readouterr().out.splitlines() == [
        '{"name": "آمنہ"}', '{"name": "Bilal"}',
        '{"code":"not_found","message":"ناپید","detail":null}']
