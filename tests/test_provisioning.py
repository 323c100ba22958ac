"""Provisioning files: written by the coordinator's command, read by a fresh install."""

import json

import pytest

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
