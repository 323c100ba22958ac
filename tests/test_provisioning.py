"""Provisioning files: written by the coordinator's command, read by a fresh install."""

import json
import shutil
from pathlib import Path, PurePosixPath

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget

from app import provisioning
from app.provisioning import FILE_NAME, ProvisioningError, find, read, write_provisioning

FINGERPRINT = ":".join(["3A"] * 32)


@pytest.fixture
def tasks(tmp_path):
    path = tmp_path / "urd.jsonl"
    path.write_text('{"id": "t1", "kind": "original", "language_code": "urd_Arab"}\n',
                    encoding="utf-8")
    return path


def write(out, **changes):
    values = {"server_url": "https://192.168.1.20:8443", "project": "aya-urdu",
              "fingerprint": FINGERPRINT}
    return write_provisioning(out, **{**values, **changes})


def test_written_folder_reads_back_with_tasks_and_codes(tmp_path, tasks):
    path = write(tmp_path / "stick", codes=["ABCD-EFGH", " JKLM-NPQR "], tasks_file=tasks)
    found = read(path)
    assert found.server_url == "https://192.168.1.20:8443"
    assert found.project == "aya-urdu"
    assert found.fingerprint == FINGERPRINT
    assert found.codes == ("ABCD-EFGH", "JKLM-NPQR")
    assert found.tasks_file == (tmp_path / "stick" / "tasks" / "urd.jsonl").resolve()
    assert found.tasks_file.read_text(encoding="utf-8") == tasks.read_text(encoding="utf-8")
    assert json.loads(path.read_text(encoding="utf-8"))["tasks"] == "tasks/urd.jsonl"


def test_fingerprint_is_normalized_to_the_servers_spelling(tmp_path):
    path = write(tmp_path, fingerprint="sha256:" + "3a" * 32)
    assert read(path).fingerprint == FINGERPRINT


@pytest.mark.parametrize(("changes", "message"), [
    ({"server_url": "ftp://example.org"}, r"http\(s\) address"),
    ({"server_url": "https://user:pw@example.org"}, "password"),
    ({"fingerprint": None}, "server_fingerprint is missing"),
    ({"fingerprint": "12:34"}, "64 hex digits"),
    ({"project": " "}, "project is missing"),
])
def test_bad_values_are_refused_before_anything_is_written(tmp_path, changes, message):
    with pytest.raises(ValueError, match=message):
        write(tmp_path / "out", **changes)
    assert not (tmp_path / "out").exists()


def test_plain_http_server_needs_no_fingerprint(tmp_path):
    path = write(tmp_path, server_url="http://field-server.local:8080/", fingerprint=None)
    found = read(path)
    assert found.server_url == "http://field-server.local:8080"
    assert found.fingerprint is None


@pytest.mark.parametrize("tasks_value", ["../outside.jsonl", "/etc/passwd", "C:\\x.jsonl",
                                         "tasks/missing.jsonl"])
def test_task_file_must_be_inside_the_folder(tmp_path, tasks_value):
    path = write(tmp_path)
    data = json.loads(path.read_text(encoding="utf-8"))
    data["tasks"] = tasks_value
    (tmp_path / "outside.jsonl").write_text("{}\n")
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ProvisioningError, match=r"tasks|task file"):
        read(path)


def test_newer_format_is_refused_with_advice(tmp_path):
    path = write(tmp_path)
    data = json.loads(path.read_text(encoding="utf-8"))
    path.write_text(json.dumps({**data, "version": provisioning.VERSION + 1}), encoding="utf-8")
    with pytest.raises(ProvisioningError, match="newer Qalam"):
        read(path)


def test_notepad_bom_and_broken_json(tmp_path):
    path = write(tmp_path)
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert read(path).project == "aya-urdu"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(ProvisioningError, match="Cannot read"):
        read(path)


def test_find_prefers_the_copy_beside_the_executable(tmp_path):
    app_dir, bundle, data = tmp_path / "app", tmp_path / "bundle", tmp_path / "data"
    write(data, project="from-data-dir")
    write(bundle, project="from-bundle")
    assert find(data_dir=data, executable_dir=app_dir, bundle_dir=bundle).project == \
        "from-bundle"
    write(app_dir / provisioning.FOLDER_NAME, project="from-folder-on-stick")
    assert find(data_dir=data, executable_dir=app_dir, bundle_dir=bundle).project == \
        "from-folder-on-stick"
    write(app_dir, project="beside-executable")
    assert find(data_dir=data, executable_dir=app_dir, bundle_dir=bundle).project == \
        "beside-executable"


def test_find_returns_none_without_a_file_and_fails_loudly_on_a_bad_one(tmp_path):
    assert find(data_dir=tmp_path, executable_dir=tmp_path / "app") is None
    (tmp_path / FILE_NAME).write_text('{"format": "something-else"}', encoding="utf-8")
    with pytest.raises(ProvisioningError, match="not a Qalam provisioning file"):
        find(data_dir=tmp_path, executable_dir=tmp_path / "app")


# --- `provision`'s own instruction, followed literally -----------------------------------------

PLACEHOLDER = "<the folder that holds Qalam>/"


def follow_printed_instruction(printed: str, app_dir: Path) -> Path:
    """Do exactly what ``qalam-server provision`` printed: copy the folder it names, as it
    is, into ``app_dir`` so that its file lands at the printed path. Returns that file."""
    lines = [line.strip() for line in printed.splitlines()]
    folder = Path(lines[lines.index("Wrote the provisioning folder:") + 1])
    relative = PurePosixPath(next(line for line in lines if line.startswith(PLACEHOLDER))
                             .removeprefix(PLACEHOLDER))
    destination = app_dir.joinpath(*relative.parts)
    assert destination.parent.name == folder.name, "the printed path keeps the folder's name"
    shutil.copytree(folder, destination.parent)
    assert destination.is_file()
    return destination


def provision(capsys, tmp_path, *, out: Path, tasks_file: Path, codes=()) -> str:
    """Run ``qalam-server provision`` in-process for an HTTPS server; returns what it printed."""
    from sync.server.cli import main

    db_url = f"sqlite:///{tmp_path / 'server.db'}"
    assert main(["init", "--db", db_url]) == 0
    capsys.readouterr()
    code_args = [arg for code in codes for arg in ("--code", code)]
    assert main(["provision", "--db", db_url, "--server", "https://192.168.1.20:8443",
                 "--project", "aya-urdu", "--out", str(out), "--tls-dir",
                 str(tmp_path / "tls"), "--tasks", str(tasks_file), *code_args]) == 0
    return capsys.readouterr().out


def test_provision_writes_a_folder_named_as_the_app_looks_for_it(tmp_path, tasks, capsys):
    printed = provision(capsys, tmp_path, out=tmp_path / "prov", tasks_file=tasks)
    folder = tmp_path / "prov" / provisioning.FOLDER_NAME
    assert (folder / FILE_NAME).is_file() and (folder / "tasks" / "urd.jsonl").is_file()
    assert f"  {folder.resolve()}\n" in printed
    assert f"{PLACEHOLDER}qalam-provisioning/qalam-provisioning.json" in printed
    assert "E:\\Qalam\\qalam-provisioning\\qalam-provisioning.json" in printed  # an example
    # --out already named so: no folder of the same name inside it
    provision(capsys, tmp_path / "again", out=tmp_path / "stick" / provisioning.FOLDER_NAME,
              tasks_file=tasks)
    assert (tmp_path / "stick" / provisioning.FOLDER_NAME / FILE_NAME).is_file()


def test_following_provisions_printed_instruction_provisions_a_fresh_app(
        tmp_path, tasks, capsys, open_app, monkeypatch):
    """A source checkout standing in for the unpacked app: its folder is where a frozen app's
    executable would be (``app.paths.frozen_app_dir``), and the data directory is apart."""
    from app import paths
    from app.store import Store

    printed = provision(capsys, tmp_path, out=tmp_path / "prov", tasks_file=tasks)
    app_dir = tmp_path / "stick" / "qalam"
    app_dir.mkdir(parents=True)
    (app_dir / "qalam").write_text("")
    follow_printed_instruction(printed, app_dir)
    monkeypatch.setattr(paths, "frozen_app_dir", lambda: app_dir)
    window = open_app(paths.data_dir(tmp_path / "data"))
    with Store.open(paths.database_path(tmp_path / "data"), readonly=True) as store:
        assert store.task("t1").project_id == "aya-urdu"      # tasks imported
    server_url, pin = window.sync.provisioned()                # only the code left to ask
    assert server_url == "https://192.168.1.20:8443" and len(pin.split(":")) == 32
    assert window.findChild(QDockWidget, "provisioningNotice") is None


def test_a_provisioning_folder_of_any_name_beside_the_app_is_found(tmp_path):
    """`provision --out prov` used to write prov/qalam-provisioning.json, and people copied
    prov/ beside the app as told: such a folder, one level down, is found too."""
    app_dir = tmp_path / "app"
    write(app_dir / "prov", project="copied-as-told")
    (app_dir / "_internal").mkdir()
    assert find(executable_dir=app_dir).project == "copied-as-told"
    assert app_dir / "prov" / FILE_NAME in provisioning.candidates(executable_dir=app_dir)
    write(app_dir / provisioning.FOLDER_NAME, project="named-folder")   # the usual place wins
    assert find(executable_dir=app_dir).project == "named-folder"


def test_two_provisioning_folders_beside_the_app_are_not_guessed_between(tmp_path):
    app_dir = tmp_path / "app"
    write(app_dir / "prov", project="one")
    write(app_dir / "prov-old", project="two")
    with pytest.raises(ProvisioningError, match="several provisioning files") as caught:
        find(executable_dir=app_dir)
    assert "prov-old" in str(caught.value)


def test_the_portable_data_folder_is_not_a_second_provisioning_folder(tmp_path):
    app_dir = tmp_path / "app"
    write(app_dir / "prov", project="on-the-stick")
    write(app_dir / "data", project="in-the-data-dir")
    assert find(executable_dir=app_dir, data_dir=app_dir / "data").project == "on-the-stick"


@pytest.mark.parametrize(("ui_language", "lead"), [
    ("en", "Qalam found a provisioning file from your coordinator but cannot use it"),
    ("ur", "قلم کو آپ کے کوآرڈینیٹر کی پروویژننگ فائل ملی"),
])
def test_a_provisioning_file_that_cannot_be_used_is_said_at_start(tmp_path, open_app,
                                                                  monkeypatch, ui_language,
                                                                  lead):
    from app import paths

    app_dir = tmp_path / "app"
    (app_dir / "prov").mkdir(parents=True)
    (app_dir / "prov" / FILE_NAME).write_text('{"format": "qalam-provisioning", "version": 1}',
                                              encoding="utf-8")
    monkeypatch.setattr(paths, "frozen_app_dir", lambda: app_dir)
    window = open_app(paths.data_dir(tmp_path / "data"), ui_language=ui_language)
    notice = window.findChild(QDockWidget, "provisioningNotice")
    assert notice is not None and notice.isVisible()
    assert notice.text().startswith(lead)                       # in the UI language
    assert str(app_dir / "prov" / FILE_NAME) in notice.text()   # for the coordinator
    assert "project is missing" in notice.text()
    assert notice.focusPolicy() == Qt.NoFocus
