"""Where data goes: --data-dir > QALAM_DATA_DIR > portable marker > the user data directory."""

import os
import stat
import sys
from pathlib import Path

import platformdirs
import pytest

from app import paths
from app.store import Store


@pytest.fixture(autouse=True)
def no_env(monkeypatch, tmp_path):
    monkeypatch.delenv(paths.ENV_VAR, raising=False)
    # The platform default, redirected so that no test writes into the real home.
    monkeypatch.setattr(platformdirs, "user_data_dir",
                        lambda *a, **k: str(tmp_path / "home" / "Qalam"))


@pytest.fixture
def stick(tmp_path):
    """A USB stick: the unpacked app with the portable marker beside its executable."""
    folder = tmp_path / "stick" / "Qalam"
    folder.mkdir(parents=True)
    (folder / paths.PORTABLE_MARKER).write_text("keep my data here\n")
    return folder


def test_portable_marker_keeps_data_beside_the_executable(stick):
    chosen = paths.data_dir(executable_dir=stick)
    assert chosen == (stick / "data").resolve()
    assert chosen.is_dir()


def test_without_marker_the_user_data_directory_is_used(tmp_path):
    folder = tmp_path / "installed"
    folder.mkdir()
    assert paths.data_dir(executable_dir=folder) == (tmp_path / "home" / "Qalam").resolve()
    assert not (folder / "data").exists()


def test_a_folder_named_like_the_marker_is_not_a_marker(tmp_path):
    folder = tmp_path / "installed"
    (folder / paths.PORTABLE_MARKER).mkdir(parents=True)
    assert paths.data_dir(executable_dir=folder) == (tmp_path / "home" / "Qalam").resolve()


def test_environment_beats_portable_marker(stick, tmp_path, monkeypatch):
    monkeypatch.setenv(paths.ENV_VAR, str(tmp_path / "from-env"))
    assert paths.data_dir(executable_dir=stick) == (tmp_path / "from-env").resolve()


def test_command_line_beats_environment_and_marker(stick, tmp_path, monkeypatch):
    monkeypatch.setenv(paths.ENV_VAR, str(tmp_path / "from-env"))
    chosen = paths.data_dir(tmp_path / "from-option", executable_dir=stick)
    assert chosen == (tmp_path / "from-option").resolve()


def test_source_checkout_never_looks_for_a_marker(monkeypatch):
    monkeypatch.delattr(sys, "frozen", raising=False)
    assert paths.frozen_app_dir() is None


def test_frozen_app_dir_is_the_executables_folder(monkeypatch, tmp_path):
    monkeypatch.delenv("APPIMAGE", raising=False)
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", str(tmp_path / "Qalam" / "qalam.exe"))
    assert paths.frozen_app_dir() == (tmp_path / "Qalam").resolve()


def test_frozen_mac_app_looks_beside_the_app_bundle(monkeypatch, tmp_path):
    monkeypatch.delenv("APPIMAGE", raising=False)
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    exe = tmp_path / "Stick" / "Qalam.app" / "Contents" / "MacOS" / "qalam"
    monkeypatch.setattr(sys, "executable", str(exe))
    assert paths.frozen_app_dir() == (tmp_path / "Stick").resolve()


def test_appimage_looks_beside_the_appimage_file(monkeypatch, tmp_path):
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", "/tmp/.mount_QalamX/usr/lib/qalam/qalam")
    monkeypatch.setenv("APPIMAGE", str(tmp_path / "Stick" / "Qalam-x86_64.AppImage"))
    assert paths.frozen_app_dir() == (tmp_path / "Stick").resolve()


def test_frozen_app_with_marker_is_portable_by_default(monkeypatch, stick):
    monkeypatch.delenv("APPIMAGE", raising=False)
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", str(stick / "qalam"))
    assert paths.data_dir() == (stick / "data").resolve()
    assert Path(paths.database_path(paths.data_dir())).parent == (stick / "data").resolve()


# The data directory holds everyone's drafts and the device's keys; qalam.db was made 0644.
@pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes")
@pytest.mark.parametrize("umask", [0o022, 0o277], ids=["umask-022", "umask-277"])
def test_a_new_data_directory_and_database_are_private(tmp_path, umask):
    def mode(path: Path) -> int:
        return stat.S_IMODE(path.stat().st_mode)

    old = os.umask(umask)
    try:
        chosen = paths.data_dir(tmp_path / "new" / "Qalam")
        with Store.open(paths.database_path(chosen)) as store:
            store.new_submission(language="urd_Arab")  # a write: -wal and -shm exist now
            files = {name: mode(chosen / name)
                     for name in ("qalam.db", "qalam.db-wal", "qalam.db-shm")}
    finally:
        os.umask(old)
    assert files == dict.fromkeys(files, 0o600)
    assert (mode(chosen), mode(chosen.parent)) == (0o700, 0o700)
