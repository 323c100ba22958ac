"""The client's retry policy, with the transport as the seam (httpx.MockTransport).

What the real server does is tested against the real server (tests/sync/test_sync_e2e.py);
here only how the client reacts to each kind of answer.
"""

import gzip
import json

import httpx
import pytest
import zstandard

from app.errors import SyncError
from app.store import Store
from sync import protocol
from sync.client import SyncClient

INFO = protocol.ServerInfo(server_id="srv", protocol_version=1, min_protocol_version=1,
                           max_body_bytes=protocol.MAX_BODY_BYTES,
                           server_time="2026-11-26T00:00:00.000Z")


def _body(request: httpx.Request) -> dict:
    data = request.content
    encoding = request.headers.get("content-encoding")
    if encoding == "zstd":
        data = zstandard.ZstdDecompressor().decompressobj().decompress(data)
    elif encoding == "gzip":
        data = gzip.decompress(data)
    return json.loads(data)


class Server:
    """Answers like a healthy server, except for the failures a test queues up."""

    def __init__(self):
        self.failures: list[httpx.Response] = []
        self.pushes: list[dict] = []
        self.revision = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path == "/v1/info":
            return httpx.Response(200, content=INFO.model_dump_json())
        if self.failures:
            failure = self.failures.pop(0)
            if isinstance(failure, Exception):
                raise failure  # the connection broke
            return failure
        if path == "/v1/push":
            batch = _body(request)
            self.pushes.append(batch)
            results = []
            for item in batch["items"]:
                self.revision += 1
                results.append({"seq": item["seq"], "id": item["id"], "status": "created",
                                "revision": self.revision})
            return httpx.Response(200, json={"results": results, "high_water": 0})
        if path == "/v1/pull":
            return httpx.Response(200, json={"items": [], "next_cursor": 0, "more": False,
                                             "server_id": "srv"})
        if path == "/v1/digest":
            return httpx.Response(200, json={"match": True, "server_count": 0,
                                             "server_digest": "", "server_cursor": 0,
                                             "server_behind": False})
        return httpx.Response(404, json={"code": "not_found", "message": "no such endpoint"})


def _error(status, code, message="", headers=None):
    return httpx.Response(status, json={"code": code, "message": message or code},
                          headers=headers or {})


@pytest.fixture
def server():
    return Server()


def _client(server, sleeps):
    return SyncClient("http://qalam.test", token="t",
                      http=httpx.Client(transport=httpx.MockTransport(server)),
                      sleep=sleeps.append)


def _fill(store: Store, count=3):
    for n in range(count):
        draft = store.new_submission(language="fra_Latn")
        store.save_draft(draft.id, inputs=f"Question {n}", targets="Réponse " + "é" * 300)


def test_retry_after_is_honoured_and_the_sync_completes(store, server):
    _fill(store)
    server.failures = [_error(503, "unavailable", headers={"Retry-After": "17"}),
                       _error(429, "rate_limited", headers={"Retry-After": "3"})]
    sleeps = []
    report = _client(server, sleeps).sync(lambda fn: fn(store))
    assert report.complete and report.acknowledged == 3
    assert sleeps[0] >= 17 and sleeps[1] >= 3
    assert all(s <= 600 for s in sleeps)
    assert store.outbox() == []


def test_a_revoked_token_stops_sync_and_keeps_the_queue(store, server):
    _fill(store)
    server.failures = [_error(401, "token_revoked")]
    with pytest.raises(SyncError) as caught:
        _client(server, []).sync(lambda fn: fn(store))
    assert caught.value.kind == "auth" and "enroll again" in str(caught.value)
    assert len(store.outbox()) == 3


def test_other_client_errors_are_not_retried_blindly(store, server):
    _fill(store)
    server.failures = [_error(400, "invalid_request", "bad batch")]
    sleeps = []
    with pytest.raises(SyncError) as caught:
        _client(server, sleeps).sync(lambda fn: fn(store))
    assert caught.value.kind == "protocol" and sleeps == []
    assert len(store.outbox()) == 3


def test_upgrade_required_is_explicit(store, server):
    _fill(store)
    server.failures = [_error(426, "upgrade_required", "please update Qalam")]
    with pytest.raises(SyncError) as caught:
        _client(server, []).sync(lambda fn: fn(store))
    assert caught.value.kind == "upgrade"
    assert len(store.outbox()) == 3


def test_413_halves_the_batch(store, server):
    _fill(store, 8)
    server.failures = [_error(413, "payload_too_large")]
    client = _client(server, [])
    report = client.sync(lambda fn: fn(store))
    assert report.complete and report.acknowledged == 8
    assert len(server.pushes[0]["items"]) == 4  # the first accepted push was half the batch


def test_a_damaged_answer_is_retried(store, server):
    _fill(store)
    server.failures = [httpx.Response(200, content=b'{"results": [{"seq": 1, "id"')]
    sleeps = []
    report = _client(server, sleeps).sync(lambda fn: fn(store))
    assert report.complete and len(sleeps) == 1


def test_zstd_refused_falls_back_to_gzip(store, server):
    _fill(store)
    server.failures = [_error(415, "unsupported_encoding")]
    client = _client(server, [])
    assert client.sync(lambda fn: fn(store)).complete
    assert client._encoding == "gzip"


def test_deadline_stops_retrying_with_a_clear_message(store, server):
    _fill(store)
    server.failures = [_error(503, "unavailable")] * 50
    client = _client(server, [])
    client.deadline = 0  # already passed
    with pytest.raises(SyncError) as caught:
        client.sync(lambda fn: fn(store))
    assert caught.value.kind == "network" and "stopped before it finished" in str(caught.value)
    assert len(store.outbox()) == 3


def test_a_first_drop_mid_request_is_retried_at_once(store, server):
    _fill(store)
    server.failures = [httpx.RemoteProtocolError("Server disconnected without sending a response.")]
    sleeps = []
    report = _client(server, sleeps).sync(lambda fn: fn(store))
    assert report.complete and report.acknowledged == 3 and report.retries == 1
    assert sleeps == []  # reconnected without waiting


def test_a_second_drop_in_a_row_backs_off(store, server):
    _fill(store, 1)
    server.failures = [httpx.RemoteProtocolError("cut"), httpx.RemoteProtocolError("cut")]
    sleeps = []
    report = _client(server, sleeps).sync(lambda fn: fn(store))
    assert report.complete and report.retries == 2
    assert len(sleeps) == 1


def test_a_failing_batch_does_not_wait_for_the_others_backoff(store):
    """One push worker is refused (revoked token) while the others were told to come back
    later: the refusal reaches the caller at once, not after their Retry-After."""
    import threading
    import time

    from app.errors import SyncError

    _fill(store, 30)
    pushes, lock = [], threading.Lock()

    def handler(request):
        if request.url.path == "/v1/info":
            return httpx.Response(200, content=INFO.model_dump_json())
        with lock:
            pushes.append(1)
            first = len(pushes) == 1
        if first:
            time.sleep(0.5)  # the others are backing off by now
            return _error(401, "token_revoked")
        return _error(503, "unavailable", headers={"Retry-After": "30"})

    client = SyncClient("http://q.test", token="t", batch_compressed=500,
                        http=httpx.Client(transport=httpx.MockTransport(handler)))
    client.compression_ratio = 0.25
    started = time.monotonic()
    with pytest.raises(SyncError) as refused:
        client.sync(lambda job: job(store))
    assert refused.value.kind == "auth"
    assert time.monotonic() - started < 5
    from app import syncstate

    assert syncstate.summary(store).pending == 30  # nothing lost: all sent again next time
