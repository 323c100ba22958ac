"""Nothing typed is lost: SIGKILL the real app at random moments while it is being typed into.

Every text the app reported as saved must be in the database after the kill (typing only
appends, so a later save may have landed too: the stored text then starts with the reported
one), the restarted app must show what the store held when it started (it reopens the item
it was in: ui/session.py), and the database must be intact.
"""

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from app import paths
from app.store import Store

ROOT = Path(__file__).resolve().parent.parent
KILLS = 20


def _run_child(data_dir: Path, seed: int, kill_after: float) -> list[dict]:
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.crash_child", str(data_dir), str(seed)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    events: list[dict] = []
    ready = threading.Event()

    def read():
        for line in child.stdout:
            event = json.loads(line)
            events.append(event)
            if event["event"] == "ready":
                ready.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    assert ready.wait(60), "the app did not start"
    time.sleep(kill_after)
    child.send_signal(signal.SIGKILL)
    child.wait(30)
    reader.join(10)
    return events


def _texts(data_dir: Path) -> dict[str, tuple[str, str]]:
    if not paths.database_path(data_dir).exists():
        return {}
    with Store.open(paths.database_path(data_dir), readonly=True) as store:
        return {s.id: (s.inputs, s.targets) for s in store.submissions(limit=10_000)}


@pytest.mark.slow
def test_sigkill_while_typing_loses_nothing_reported_saved(tmp_path):
    rng = random.Random(int(os.environ.get("QALAM_CRASH_SEED", "2402")))
    last_saved: dict[str, dict] = {}
    total_saves = 0
    for round_number in range(KILLS):
        before = _texts(tmp_path)
        events = _run_child(tmp_path, rng.randrange(1 << 30), rng.uniform(0.2, 2.5))
        opened = next(e for e in events if e["event"] == "opened")
        if opened["id"] is not None:  # the restarted app shows what the store held
            assert (opened["inputs"], opened["targets"]) == before[opened["id"]]
        with Store.open(paths.database_path(tmp_path), readonly=True) as store:
            assert store.integrity_check() == "ok"
            for event in events:
                if event["event"] == "saved":
                    last_saved[event["id"]] = event
                    total_saves += 1
            for submission_id, saved in last_saved.items():
                stored = store.submission(submission_id)
                assert stored.inputs.startswith(saved["inputs"]), (round_number, submission_id)
                assert stored.targets.startswith(saved["targets"]), (round_number, submission_id)
    print(f"{total_saves} saves over {len(last_saved)} items, {KILLS} kills")
    # The test really exercised saving: a quiet machine saves about once a kill, a loaded
    # one (the child types on a timer, so less between kills) about half as often.
    assert total_saves >= KILLS // 2
    with Store.open(paths.database_path(tmp_path)) as store:  # and it still opens for writing
        assert store.integrity_check() == "ok"
