"""A revoked device keeps its queue, is told why, and syncs again after a new code."""

import pytest

from app.errors import SyncError
from app.store import Store
from sync import device
from sync.server.people import users
from tests.sync.live import Device, assert_converged


def test_revoked_then_enrolled_again_resumes_with_nothing_lost(tmp_path, live_server):
    amina = Device.enrolled(tmp_path / "amina", live_server)
    amina.write(3)
    amina.sync()
    with Store.open(amina.db_path, readonly=True) as store:
        device_id = store.device_id
    users.revoke(live_server.engine, device_id)
    amina.write(2, seed=5)  # work goes on offline
    with pytest.raises(SyncError) as caught:
        amina.sync()
    assert caught.value.kind == "auth" and "revoked" in str(caught.value)
    with amina.store() as store:
        assert len(store.outbox()) == 2  # the queue is kept
    device.enroll(amina.data_dir, live_server.url, live_server.invite("amina"))
    assert amina.sync().complete
    assert_converged(live_server, amina)
    assert len(live_server.submissions()) == 5
