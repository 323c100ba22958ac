"""50 devices enrolling at once with valid codes from one address (a training room behind one
Wi-Fi), against PostgreSQL with two servers (each its own connections): every one succeeds,
because only failures are counted (sync.server.people.enrollment)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.errors import SyncError
from app.ids import new_id
from sync import keys, protocol
from sync.client import SyncClient
from sync.server.people import users
from tests.sync.live import ServerThread, fast_sleep


def _enrolling_device(url: str, code: str) -> str:
    """One laptop: its own id and key, the code it was given; returns what happened."""
    key = Ed25519PrivateKey.generate()
    device_id, public_key = new_id(), keys.public_key_text(key)
    proof = keys.sign(key, protocol.enrollment_proof(code, device_id, public_key))
    client = SyncClient(url, sleep=fast_sleep, stall_timeout=30.0)
    try:
        client.enroll(code=code, device_id=device_id, public_key=public_key, proof=proof)
    except SyncError as error:
        return f"refused: {error}"
    finally:
        client.http.close()
    return "enrolled"


def test_fifty_devices_enrolling_at_once_from_one_address_all_succeed(tmp_path, postgres):
    """A training room behind one Wi-Fi, on PostgreSQL with two servers."""
    url = postgres.url(postgres.new_database(postgres.template))
    with ServerThread(url) as first, ServerThread(url) as second:
        codes = [users.invite(first.engine, name=f"annotator-{n}", role="annotator",
                              languages=["urd_Arab"])[1] for n in range(50)]
        with ThreadPoolExecutor(25) as pool:
            answers = list(pool.map(_enrolling_device,
                                    [(first, second)[n % 2].url for n in range(50)], codes))
    assert answers == ["enrolled"] * 50
