"""Sync against a real server through a fault-injecting proxy (DESIGN invariants 2–4).

After each fault: every record on the server exactly once, both databases intact, and a
second sync converges.
"""

import pytest

from app.store import Store
from tests.sync.live import Device, ServerProcess, assert_converged
from tests.sync.proxy import Fault, FaultProxy


def _on_push(number: int, fault: Fault):
    """A plan that applies ``fault`` to the n-th push request only."""
    seen = {"pushes": 0}

    def plan(_n, method, path):
        if path.startswith("/v1/push"):
            seen["pushes"] += 1
            if seen["pushes"] == number:
                return fault
        return Fault.PASS

    return plan


@pytest.mark.parametrize("fraction", [0.10, 0.50, 0.99])
def test_connection_cut_part_way_through_a_push(tmp_path, live_server, fraction):
    with FaultProxy(live_server.port, _on_push(1, Fault.cut_request(fraction))) as proxy:
        amina = Device.enrolled(tmp_path / "amina", live_server)
        amina.write(40)
        report = amina.sync(proxy.url)
        assert report.complete and report.retries >= 1
        assert proxy.faults_applied
    amina.sync()
    assert_converged(live_server, amina)


def test_reply_lost_after_the_server_committed(tmp_path, live_server):
    with FaultProxy(live_server.port, _on_push(1, Fault.LOSE_REPLY)) as proxy:
        amina = Device.enrolled(tmp_path / "amina", live_server)
        amina.write(30)
        report = amina.sync(proxy.url)
        assert report.complete and report.retries >= 1
    assert_converged(live_server, amina)
    assert len(live_server.submissions()) == 30


@pytest.mark.parametrize("status", [500, 503, 429])
def test_server_errors_with_retry_after(tmp_path, live_server, status):
    fault = Fault.answer(status, Retry_After="2")
    with FaultProxy(live_server.port, _on_push(1, fault)) as proxy:
        amina = Device.enrolled(tmp_path / "amina", live_server)
        amina.write(10)
        waits = []
        report = amina.sync(proxy.url, sleep=waits.append)
        assert report.complete and waits and waits[0] >= 2
    assert_converged(live_server, amina)


@pytest.mark.parametrize("fault", [Fault.cut_reply(0.5), Fault.CORRUPT_REPLY],
                         ids=["truncated", "corrupted"])
def test_damaged_replies_are_retried(tmp_path, live_server, fault):
    with FaultProxy(live_server.port, _on_push(1, fault)) as proxy:
        amina = Device.enrolled(tmp_path / "amina", live_server)
        amina.write(25)
        assert amina.sync(proxy.url).complete
    assert_converged(live_server, amina)


def test_one_poison_item_in_two_hundred(tmp_path, live_server):
    amina = Device.enrolled(tmp_path / "amina", live_server)
    ids = amina.write(200)
    poison = ids[117]
    with Store.open(amina.db_path) as store:  # a record the server must refuse
        store.db.execute(
            "UPDATE outbox SET payload = json_set(payload, '$.language', 'xx_Nope') "
            "WHERE record_id = ?", [poison])
    report = amina.sync()
    assert report.rejected == 1 and report.acknowledged == 199
    with amina.store() as store:
        (refused,) = store.db.execute("SELECT record_id, reason FROM quarantine").fetchall()
        assert refused[0] == poison and "language" in refused[1]
        store_ids = {s.id for s in store.submissions(limit=1000)}
    on_server = {row.id for row in live_server.submissions()}
    assert on_server == store_ids - {poison}
    assert amina.sync().complete  # the queue went on; nothing left


def test_edits_after_sync_and_a_decision_from_the_coordinator(tmp_path, live_server):
    from sync.server.work import decisions

    amina = Device.enrolled(tmp_path / "amina", live_server)
    (first, second) = amina.write(2, submit_every=1)
    amina.sync()
    decisions.decide(live_server.engine, first, "accepted")
    with Store.open(amina.db_path) as store:
        store.reopen(second)
        store.save_draft(second, inputs="نیا سوال", targets="نیا جواب")
    amina.sync()
    with amina.store() as store:
        assert store.submission(first).state == "accepted"
        assert store.submission(second).inputs == "نیا سوال"
    assert_converged(live_server, amina)


def test_a_decision_racing_a_local_edit_is_a_conflict_with_both_versions(tmp_path, live_server):
    from app import syncstate
    from sync.server.work import decisions

    amina = Device.enrolled(tmp_path / "amina", live_server)
    (item,) = amina.write(1, submit_every=1)
    amina.sync()
    decisions.decide(live_server.engine, item, "rejected")
    with Store.open(amina.db_path) as store:  # offline, she reopens and edits meanwhile
        store.reopen(item)
        store.save_draft(item, inputs="بہتر سوال", targets="بہتر جواب")
    report = amina.sync()
    assert report.conflicts == 1
    with Store.open(amina.db_path) as store:
        (conflict,) = syncstate.open_conflicts(store)
        assert "بہتر سوال" in conflict.local_payload
        assert "rejected" in conflict.server_payload
        syncstate.resolve_conflict(store, conflict.id, "local")
    amina.sync()
    assert_converged(live_server, amina)


def test_two_devices_of_one_person_see_each_others_work(tmp_path, live_server):
    laptop = Device.enrolled(tmp_path / "laptop", live_server, name="amina")
    laptop.write(5)
    laptop.sync()
    second = Device.enrolled(tmp_path / "second", live_server, name="amina")
    second.sync()
    with second.store() as store:
        assert store.count_submissions() == 5
    assert_converged(live_server, laptop)


def test_server_restored_from_an_old_backup_gets_the_work_again(tmp_path, server_process):
    import shutil

    db_path, port = server_process.db_path, server_process.port
    amina = Device.enrolled(tmp_path / "amina", server_process)
    amina.write(5)
    amina.sync()
    server_process.stop()
    backup = tmp_path / "backup.db"
    shutil.copy(db_path, backup)
    restarted = ServerProcess(db_path, port=port).start()
    amina.write(5, seed=1)
    amina.sync()
    restarted.stop()
    shutil.copy(backup, db_path)  # the disk died; last week's copy goes back
    for suffix in ("-wal", "-shm"):
        (db_path.parent / (db_path.name + suffix)).unlink(missing_ok=True)
    restored = ServerProcess(db_path, port=port).start()
    try:
        report = amina.sync()
        assert report.resent >= 5
        amina.sync()
        assert_converged(restored, amina)
        assert len(restored.submissions()) == 10
    finally:
        restored.stop()


class _OnPush:
    """An httpx transport that lets a test act (and answer) on the n-th push."""

    def __init__(self, hook):
        import httpx

        self.inner, self.hook, self.pushes = httpx.HTTPTransport(), hook, 0

    def handle_request(self, request):
        if request.url.path == "/v1/push":
            self.pushes += 1
            answer = self.hook(self.pushes)
            if answer is not None:
                return answer
        return self.inner.handle_request(request)


def test_typing_during_a_push_that_is_halved_makes_no_false_conflict(tmp_path, live_server):
    """The annotator edits an item while its batch is in flight; the server refuses the batch
    as too big, so it is halved and the item's older change goes back to the queue beside the
    newer one. They go one after the other, each on the base the last answer set."""
    import httpx

    from sync import credentials
    from sync import device as sync_device
    from sync.client import SyncClient
    from tests.sync.live import fast_sleep

    amina = Device.enrolled(tmp_path / "amina", live_server)
    ids = amina.write(4, submit_every=100)

    def hook(n):
        if n == 1:
            with Store.open(amina.db_path) as store:
                store.save_draft(ids[-1], inputs="typed during the push", targets="x")
            return httpx.Response(413, json={"code": "payload_too_large", "message": "big"})
        return None

    enrollment, token = credentials.load(amina.data_dir)
    client = SyncClient(enrollment.server_url, token=token, sleep=fast_sleep,
                        http=httpx.Client(transport=_OnPush(hook)))
    report = sync_device.sync_now(amina.data_dir, client=client)
    assert report.complete and report.conflicts == 0
    assert_converged(live_server, amina)
    (row,) = [r for r in live_server.submissions() if r.id == ids[-1]]
    assert "typed during the push" in row.payload


def test_two_bundles_of_one_item_then_a_sync_make_no_false_conflict(tmp_path, live_server):
    """An item edited, exported, edited again and exported again: the second change waits
    for the answer to the first (in a later bundle or sync), so neither conflicts."""
    from sync import device as sync_device

    amina = Device.enrolled(tmp_path / "amina", live_server)
    ids = amina.write(2, submit_every=100)
    assert amina.sync().complete
    for text in ("edit one", "edit two"):
        with Store.open(amina.db_path) as store:
            store.save_draft(ids[1], inputs=text, targets="t " + text)
        sync_device.export_bundle(amina.data_dir, tmp_path / f"{text}.qalam")
    report = amina.sync()
    assert report.conflicts == 0
    assert amina.sync().complete
    assert_converged(live_server, amina)
    (row,) = [r for r in live_server.submissions() if r.id == ids[1]]
    assert "edit two" in row.payload
