"""The real desktop sync client (sync/client.py) against this server, in process: the two
ends agree on the protocol, digests included."""

import pytest

from app import syncstate
from app.store import Store
from sync.client import SyncClient
from sync.server.work import decisions


def _device(harness, tmp_path, name, code):
    store = Store.open(tmp_path / f"{name}.db")
    client = SyncClient("http://testserver", http=harness.client, sleep=lambda _: None)
    result = client.enroll(code=code, device_id=store.device_id)
    syncstate.set_meta(store, "user_id", result.user_id)
    client.token = result.token
    return store, client


@pytest.fixture
def amina_devices(harness, tmp_path):
    _, first, _ = harness.invite("annotator", ["urd_Arab"], name="Amina")
    _, second, _ = harness.invite(name="Amina")
    laptop = _device(harness, tmp_path, "laptop", first)
    phone = _device(harness, tmp_path, "phone", second)
    yield laptop, phone
    laptop[0].close()
    phone[0].close()


def _sync(device):
    store, client = device
    return client.sync(lambda job: job(store))


def test_work_reaches_the_other_device_and_decisions_come_back(harness, amina_devices):
    laptop, phone = amina_devices
    draft = laptop[0].new_submission(language="urd_Arab", inputs="سوال", targets="جواب")
    laptop[0].submit(draft.id)
    report = _sync(laptop)
    assert report.complete and report.acknowledged >= 1 and report.rejected == 0
    report = _sync(phone)
    assert report.complete
    assert phone[0].submission(draft.id).state == "submitted"
    decisions.decide(harness.engine, draft.id, "accepted")
    _sync(laptop)
    assert laptop[0].submission(draft.id).state == "accepted"
    again = _sync(laptop)  # nothing new: the digests agree, nothing is resent
    assert again.complete and again.resent == 0 and again.pushed == 0
