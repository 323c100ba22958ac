"""SIGKILL the client during push and during pull-apply, and the server mid-batch.

Nothing is lost or applied twice: after each kill a clean sync converges, every record is on
the server exactly once, and both databases pass their integrity checks.
"""

import os
import random
import signal
import subprocess
import sys
import threading
import time

import pytest

from app import syncstate
from app.store import Store
from sync.server.work.imports import import_records
from tests.sync.live import ROOT, Device, ServerProcess, assert_converged
from tests.sync.proxy import FaultProxy, Throttle

# Each kill lands inside a sync (the clock starts when the child says it is syncing), half of
# them in a push and half in a full pull being applied: 20 cover both phases ten times each,
# where 50 timed from the child's start spent many in Python's start-up or after a push ended.
KILLS = 20
TASKS = 3000
# When, after the sync starts, to kill it: a push of 60 items takes about 0.4 s here, a full
# pull of the 3,000 tasks about 2 s (longer on a loaded machine: the kill lands earlier in it).
KILL_WITHIN = {"push": (0.0, 0.5), "pull": (0.0, 2.0)}


def _tasks(count):
    return [{"id": f"kill-task-{n:05d}", "kind": "original", "language": "swh_Latn",
             "origin": "human", "instructions": f"Andika swali kuhusu kilimo cha mtama ({n}).",
             "inputs": "", "targets": "", "dialect": None, "source_text": None,
             "mt_text": None} for n in range(count)]


def _run_and_kill(data_dir, url, after: float) -> bool:
    """Sync in a child and SIGKILL it ``after`` seconds into the sync (not into Python's
    start-up, which took most of a second and so most of the kills)."""
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.sync.sync_child", str(data_dir), url],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        env={**os.environ, "QALAM_NO_KEYRING": "1"},
    )
    try:
        started = child.stdout.readline() == "syncing\n"
        child.wait(after)
        return True  # finished before the kill
    except subprocess.TimeoutExpired:
        child.send_signal(signal.SIGKILL)
        child.wait(30)
        return False
    finally:
        assert started, "the sync child did not start"


@pytest.mark.slow
def test_client_killed_at_random_points_during_push_and_pull(tmp_path, live_server):
    """The client is killed, never the server: the server runs in a thread."""
    rng = random.Random(int(os.environ.get("QALAM_KILL_SEED", "65")))
    import_records(live_server.engine, "kill-test", _tasks(TASKS))
    from sync.server.work.projects import update_settings

    # All of them in one page: the first sync leases them, pulls then carry them all.
    update_settings(live_server.engine, "kill-test", {"distribution": {"page_size": TASKS}})
    # Slow enough that a kill lands inside a push or a page being applied.
    throttle = Throttle(bytes_per_second=1_500_000, delay=0.01)
    with FaultProxy(live_server.port, throttle=throttle) as proxy:
        amina = Device.enrolled(tmp_path / "amina", live_server)
        killed = 0
        for round_number in range(KILLS):
            phase = ("push", "pull")[round_number % 2]
            if phase == "push":
                amina.write(60, seed=round_number)          # a push to interrupt
            else:
                with Store.open(amina.db_path) as store:     # a full pull to interrupt
                    syncstate.set_meta(store, syncstate.PULL_CURSOR, "0")
            if not _run_and_kill(amina.data_dir, proxy.url, rng.uniform(*KILL_WITHIN[phase])):
                killed += 1
            with amina.store() as store:
                assert store.integrity_check() == "ok"
        assert killed >= KILLS // 2  # most runs really were cut short
    assert amina.sync().complete
    assert_converged(live_server, amina)
    with amina.store() as store:
        assert len(store.tasks()) == TASKS


@pytest.mark.slow
def test_server_killed_mid_batch_and_restarted(tmp_path):
    with ServerProcess(tmp_path / "server.db") as server_process:
        throttle = Throttle(bytes_per_second=40_000)  # pushes take seconds: kills land in them
        with FaultProxy(server_process.port, throttle=throttle) as proxy:
            amina = Device.enrolled(tmp_path / "amina", server_process)
            amina.write(600)
            outcome = {}

            def sync():
                outcome["report"] = amina.sync(proxy.url, stall_timeout=3.0)

            worker = threading.Thread(target=sync)
            worker.start()
            for _ in range(3):  # kill it three times while batches are in flight
                time.sleep(0.8)
                server_process.kill()
                time.sleep(0.5)
                server_process.start()
            worker.join(180)
            assert not worker.is_alive()
            assert outcome["report"].complete
            assert outcome["report"].retries >= 3  # the kills did cut batches short
        amina.sync()
        assert_converged(server_process, amina)
        assert len(server_process.submissions()) == 600
