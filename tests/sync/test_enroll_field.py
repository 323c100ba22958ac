"""Enrollment on a bad link: the reply to a device's enrollment is lost after the server
committed it; the device retries with the same code and gets a working token (a real server,
a real fault proxy)."""

from __future__ import annotations

from app import paths
from sync import device
from sync.client import SyncClient
from tests.sync.live import Device, fast_sleep
from tests.sync.proxy import Fault, FaultProxy


def _first_enroll_loses_its_reply():
    seen = {"enrolls": 0}

    def plan(_n, _method, path):
        if path.startswith("/v1/enroll"):
            seen["enrolls"] += 1
            if seen["enrolls"] == 1:
                return Fault.LOSE_REPLY
        return Fault.PASS

    return plan


def test_an_enrollment_whose_first_reply_is_lost_succeeds_on_retry_with_the_same_code(
        tmp_path, monkeypatch, live_server):
    monkeypatch.setenv("QALAM_NO_KEYRING", "1")
    with FaultProxy(live_server.port, _first_enroll_loses_its_reply()) as proxy:
        code = live_server.invite("amina")
        data_dir = paths.data_dir(tmp_path / "amina")
        client = SyncClient(proxy.url, sleep=fast_sleep, stall_timeout=5.0)
        enrollment = device.enroll(data_dir, proxy.url, code, client=client)
        assert proxy.faults_applied  # the server answered once and the answer was lost
        assert client.report.retries >= 1
        assert enrollment.user_name == "amina"
        amina = Device(data_dir)
        amina.write(3)
        assert amina.sync(live_server.url).complete  # the token from the retry works
