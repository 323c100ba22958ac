"""A full disk, at the store: SQLite's raw "database or disk is full" becomes DiskFull, a
sentence; the write is rolled back, nothing stored before is touched, and the same write
succeeds once space is freed. On a real 600 KB tmpfs where this machine lets us mount one
(root), and everywhere with SQLite's own page limit."""

import os
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest

from app.errors import DiskFull, StoreError
from app.store import Store


def test_a_page_limit_reads_as_a_full_disk_and_saving_resumes(tmp_path):
    with Store.open(tmp_path / "qalam.db") as store:
        draft = store.new_submission(language="swh_Latn")
        store.save_draft(draft.id, inputs="kept", targets="")
        pages = store.db.execute("PRAGMA page_count").fetchone()[0]
        store.db.execute(f"PRAGMA max_page_count = {pages}")
        with pytest.raises(DiskFull) as caught:
            store.save_draft(draft.id, inputs="x" * 100_000, targets="")
        assert isinstance(caught.value, StoreError)
        assert "disk that holds" in str(caught.value) and str(tmp_path) in str(caught.value)
        assert "database or disk is full" not in str(caught.value)
        assert store.integrity_check() == "ok"
        assert store.submission(draft.id).inputs == "kept"
        store.db.execute("PRAGMA max_page_count = 1073741823")
        store.save_draft(draft.id, inputs="x" * 100_000, targets="")
        assert store.submission(draft.id).inputs == "x" * 100_000


@pytest.fixture
def tiny_disk(tmp_path):
    """A 600 KB tmpfs (needs root and a kernel that lets this container mount one)."""
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a tmpfs needs root")
    folder = tmp_path / "tiny"
    folder.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=600k", "tmpfs", str(folder)],
                             capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def _fill(folder: Path) -> Path:
    filler = folder / f"filler-{uuid.uuid4().hex}"
    with open(filler, "wb", buffering=0) as out:
        try:
            while True:
                out.write(b"\0" * 4096)
        except OSError:
            pass
    return filler


def test_a_real_full_disk_loses_nothing_and_saving_resumes_once_freed(tiny_disk):
    with Store.open(tiny_disk / "qalam.db") as store:
        draft = store.new_submission(language="swh_Latn")
        store.save_draft(draft.id, inputs="before the disk filled", targets="")
        filler = _fill(tiny_disk)
        text = "before the disk filled"
        with pytest.raises(DiskFull):
            for _ in range(200):  # until a save needs a page the disk does not have
                text += " and more" * 50
                store.save_draft(draft.id, inputs=text, targets="")
        saved = store.submission(draft.id).inputs
        assert text.startswith(saved) and len(saved) < len(text)
        assert store.integrity_check() == "ok"
        filler.unlink()
        store.save_draft(draft.id, inputs=text, targets="")
        assert store.submission(draft.id).inputs == text
    with Store.open(tiny_disk / "qalam.db", readonly=True) as again:
        assert again.integrity_check() == "ok"
        assert again.submission(draft.id).inputs == text
