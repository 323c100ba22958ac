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


class FakeServer:
    """An httpx transport that answers like a healthy server, except for the failures a test
    queues up (no server runs: the fixture ``fake_server``)."""

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
def fake_server():
    return FakeServer()


def _client(fake_server, sleeps):
    return SyncClient("http://qalam.test", token="t",
                      http=httpx.Client(transport=httpx.MockTransport(fake_server)),
                      sleep=sleeps.append)


def _fill(store: Store, count=3):
    for n in range(count):
        draft = store.new_submission(language="fra_Latn")
        store.save_draft(draft.id, inputs=f"Question {n}", targets="Réponse " + "é" * 300)


def test_retry_after_is_honoured_and_the_sync_completes(store, fake_server):
    _fill(store)
    fake_server.failures = [_error(503, "unavailable", headers={"Retry-After": "17"}),
                            _error(429, "rate_limited", headers={"Retry-After": "3"})]
    sleeps = []
    report = _client(fake_server, sleeps).sync(lambda fn: fn(store))
    assert report.complete and report.acknowledged == 3
    assert sleeps[0] >= 17 and sleeps[1] >= 3
    assert all(s <= 600 for s in sleeps)
    assert store.outbox() == []


def test_a_revoked_token_stops_sync_and_keeps_the_queue(store, fake_server):
    _fill(store)
    fake_server.failures = [_error(401, "token_revoked")]
    with pytest.raises(SyncError) as caught:
        _client(fake_server, []).sync(lambda fn: fn(store))
    assert caught.value.kind == "auth" and "enroll again" in str(caught.value)
    assert len(store.outbox()) == 3


def test_other_client_errors_are_not_retried_blindly(store, fake_server):
    _fill(store)
    fake_server.failures = [_error(400, "invalid_request", "bad batch")]
    sleeps = []
    with pytest.raises(SyncError) as caught:
        _client(fake_server, sleeps).sync(lambda fn: fn(store))
    assert caught.value.kind == "protocol" and sleeps == []
    assert len(store.outbox()) == 3


def test_upgrade_required_is_explicit(store, fake_server):
    _fill(store)
    fake_server.failures = [_error(426, "upgrade_required", "please update Qalam")]
    with pytest.raises(SyncError) as caught:
        _client(fake_server, []).sync(lambda fn: fn(store))
    assert caught.value.kind == "upgrade"
    assert len(store.outbox()) == 3


def test_413_halves_the_batch(store, fake_server):
    _fill(store, 8)
    fake_server.failures = [_error(413, "payload_too_large")]
    client = _client(fake_server, [])
    report = client.sync(lambda fn: fn(store))
    assert report.complete and report.acknowledged == 8
    assert len(fake_server.pushes[0]["items"]) == 4  # the first accepted push was half the batch


def test_a_damaged_answer_is_retried(store, fake_server):
    _fill(store)
    fake_server.failures = [httpx.Response(200, content=b'{"results": [{"seq": 1, "id"')]
    sleeps = []
    report = _client(fake_server, sleeps).sync(lambda fn: fn(store))
    assert report.complete and len(sleeps) == 1


def test_zstd_refused_falls_back_to_gzip(store, fake_server):
    _fill(store)
    fake_server.failures = [_error(415, "unsupported_encoding")]
    client = _client(fake_server, [])
    assert client.sync(lambda fn: fn(store)).complete
    assert client._encoding == "gzip"


def test_deadline_stops_retrying_with_a_clear_message(store, fake_server):
    _fill(store)
    fake_server.failures = [_error(503, "unavailable")] * 50
    client = _client(fake_server, [])
    client.deadline = 0  # already passed
    with pytest.raises(SyncError) as caught:
        client.sync(lambda fn: fn(store))
    assert caught.value.kind == "network" and "stopped before it finished" in str(caught.value)
    assert len(store.outbox()) == 3


def test_a_first_drop_mid_request_is_retried_at_once(store, fake_server):
    _fill(store)
    fake_server.failures = [
        httpx.RemoteProtocolError("Server disconnected without sending a response.")]
    sleeps = []
    report = _client(fake_server, sleeps).sync(lambda fn: fn(store))
    assert report.complete and report.acknowledged == 3 and report.retries == 1
    assert sleeps == []  # reconnected without waiting


def test_a_second_drop_in_a_row_backs_off(store, fake_server):
    _fill(store, 1)
    fake_server.failures = [httpx.RemoteProtocolError("cut"), httpx.RemoteProtocolError("cut")]
    sleeps = []
    report = _client(fake_server, sleeps).sync(lambda fn: fn(store))
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
    assert time.monotonic() - started < 5  # bound, not a benchmark (the others wait 30 s)
    from app import syncstate

    assert syncstate.summary(store).pending == 30  # nothing lost: all sent again next time


# --- what a person is told while a request waits (issue 11) -----------------------------------


def test_a_retry_says_what_happened_in_a_sentence_without_library_text(store, fake_server):
    """It was "retrying in 0 s: the connection broke (Server disconnected without sending a
    response.)"; now the reason is a sentence and the library's words go to the log only."""
    _fill(store, 1)
    fake_server.failures = [httpx.RemoteProtocolError("Server disconnected without sending a "
                                                      "response."),
                            httpx.RemoteProtocolError("Server disconnected without sending a "
                                                 "response.")]
    seen = []
    client = SyncClient("http://qalam.test", token="t", progress=seen.append,
                        http=httpx.Client(transport=httpx.MockTransport(fake_server)),
                        sleep=lambda _seconds: None)
    assert client.sync(lambda fn: fn(store)).complete
    waits = [p for p in seen if p.stage == "waiting"]
    assert waits and all(p.message == "The connection broke." for p in waits)
    assert all(p.retry_in is not None for p in waits)
    assert not any("disconnected" in p.message.lower() for p in seen)
    assert seen[-1].stage == "done" and seen[-1].message == ""


def test_a_wait_is_told_every_second_until_the_next_try(store, fake_server):
    """The line counted down instead of standing still: while a retry waits, progress comes
    every second with the time left."""
    _fill(store, 1)
    fake_server.failures = [_error(503, "unavailable", headers={"Retry-After": "2"})]
    seen = []
    client = SyncClient("http://qalam.test", token="t", progress=seen.append,
                        http=httpx.Client(transport=httpx.MockTransport(fake_server)))
    assert client.sync(lambda fn: fn(store)).complete
    left = [p.retry_in for p in seen if p.stage == "waiting"]
    assert len(left) >= 2 and left[0] > left[-1]
    assert all(p.message == "The server is busy." for p in seen if p.stage == "waiting")


def test_items_left_to_send_go_down_as_batches_are_answered(store, fake_server):
    _fill(store, 12)
    seen = []
    client = SyncClient("http://qalam.test", token="t", progress=seen.append,
                        batch_compressed=600,
                        http=httpx.Client(transport=httpx.MockTransport(fake_server)))
    client.compression_ratio = 0.25
    assert client.sync(lambda fn: fn(store)).complete
    pushing = [(p.items_sent, p.pending) for p in seen if p.stage == "pushing"]
    assert len({sent for sent, _ in pushing}) > 2  # several batches
    assert {sent + pending for sent, pending in pushing} == {12}  # "n of 12 items sent"


# --- enrollment: retried, visibly, within bounds ----------------------------------------------


def _enroll_client(handler, seen, sleeps):
    return SyncClient("http://qalam.test", progress=seen.append, sleep=sleeps.append,
                      http=httpx.Client(transport=httpx.MockTransport(handler)))


ENROLLED = {"device_id": "dev-1", "token": "tok", "user_id": "u1", "user_name": "Bola",
            "role": "annotator", "languages": ["yor_Latn"], "server_id": "srv",
            "server_public_key": "key"}


def test_enrollment_is_retried_after_a_lost_reply():
    answers = [httpx.ReadError("connection reset by peer"),
               httpx.Response(200, json=ENROLLED)]

    def handler(request):
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    seen, sleeps = [], []
    result = _enroll_client(handler, seen, sleeps).enroll(code="k7pd-3qxm-9",
                                                          device_id="dev-1")
    assert result.token == "tok" and answers == []


def test_enrollment_retries_are_visible_bounded_and_end_with_what_to_check():
    """`qalam enroll` against a server it cannot reach retried in silence; now each wait is
    reported with its reason, the tries are counted, and the end says what to check."""
    from sync import client as client_module

    def handler(request):
        raise httpx.ConnectError("[Errno 111] Connection refused")

    seen, sleeps = [], []
    with pytest.raises(SyncError) as failed:
        _enroll_client(handler, seen, sleeps).enroll(code="K7PD-3QXM-9", device_id="dev-1")
    limit = client_module.ENROLLING
    assert failed.value.kind == "network"
    message = str(failed.value)
    assert message.startswith("The server cannot be reached.")
    assert f"gave up after {limit.attempts} tries" in message
    assert "same network" in message and "http://qalam.test" in message
    assert "Errno" not in message and "refused" not in message
    assert len(sleeps) == limit.attempts - 1 and max(sleeps) <= limit.max_delay
    waits = [p for p in seen if p.stage == "waiting"]
    assert [p.attempt for p in waits] == list(range(1, limit.attempts))
    assert all(p.attempts == limit.attempts and p.message == "The server cannot be reached."
               and p.retry_in is not None for p in waits)


def test_enrollment_stops_when_the_server_asks_to_wait_longer_than_a_person_would():
    def handler(request):
        return _error(429, "rate_limited", headers={"Retry-After": "900"})

    seen, sleeps = [], []
    with pytest.raises(SyncError) as failed:
        _enroll_client(handler, seen, sleeps).enroll(code="K7PD-3QXM-9", device_id="dev-1")
    assert failed.value.kind == "network" and sleeps == []
    assert str(failed.value).startswith("The server is busy.")


def test_an_untrusted_certificate_is_never_retried():
    """A self-signed server met without a pin (or a pin that does not match) fails at once
    with what to do, instead of being retried like a bad link."""
    import ssl

    def handler(request):
        try:
            raise ssl.SSLCertVerificationError(1, "certificate verify failed: self-signed")
        except ssl.SSLError as exc:
            raise httpx.ConnectError("[SSL: CERTIFICATE_VERIFY_FAILED]") from exc

    seen, sleeps = [], []
    with pytest.raises(SyncError) as failed:
        _enroll_client(handler, seen, sleeps).enroll(code="K7PD-3QXM-9", device_id="dev-1")
    assert failed.value.kind == "tls" and sleeps == []
    assert str(failed.value).startswith(
        "This server's certificate is not one this computer trusts.")
    assert "--fingerprint" in str(failed.value) and "SSL" not in str(failed.value)
    assert not [p for p in seen if p.stage == "waiting"]


def test_a_sync_with_an_untrusted_certificate_stops_at_once(store):
    import ssl

    def handler(request):
        try:
            raise ssl.SSLCertVerificationError(1, "certificate verify failed")
        except ssl.SSLError as exc:
            raise httpx.ConnectError("[SSL: CERTIFICATE_VERIFY_FAILED]") from exc

    sleeps = []
    client = SyncClient("https://qalam.test", token="t", sleep=sleeps.append,
                        http=httpx.Client(transport=httpx.MockTransport(handler)))
    with pytest.raises(SyncError) as failed:
        client.sync(lambda fn: fn(store))
    assert failed.value.kind == "tls" and sleeps == []
    assert "enroll again" in str(failed.value)


def test_an_answer_that_inflates_past_the_limit_is_refused_unread(store, fake_server, monkeypatch):
    """A server's gzip answer is decoded as it arrives and refused once past the limit,
    instead of being inflated whole into memory."""
    import zlib

    from sync import client as client_module

    monkeypatch.setattr(client_module, "MAX_ANSWER_BYTES", 4 * 1024 * 1024)
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)  # gzip
    bomb = b"".join(packer.compress(b" " * 1_048_576) for _ in range(16)) + packer.flush()
    assert len(bomb) < 100_000

    def handler(request):
        if request.url.path == "/v1/pull":
            return httpx.Response(200, content=bomb, headers={"Content-Encoding": "gzip"})
        return fake_server(request)

    client = SyncClient("http://qalam.test", token="t", sleep=lambda _seconds: None,
                        http=httpx.Client(transport=httpx.MockTransport(handler)))
    with pytest.raises(SyncError) as refused:
        client.sync(lambda fn: fn(store))
    assert refused.value.kind == "protocol" and "far larger" in str(refused.value)


# --- one backoff policy for the client and the server (sync/retry.py) -------------------------
# The client computed its waits through tenacity with a faked RetryCallState while the server's
# run_write drew its own; both now wait by sync.retry.Backoff.


@pytest.fixture
def longest_waits(monkeypatch):
    """Every backoff waits its ceiling, so the waits show the policy, not chance."""
    from sync import retry

    monkeypatch.setattr(retry.random, "uniform", lambda low, high: high)


def test_the_client_and_the_servers_writes_back_off_by_one_policy(store, fake_server, tmp_path,
                                                                  monkeypatch, longest_waits):
    from sqlalchemy.exc import IntegrityError

    from sync import client
    from sync.retry import Backoff
    from sync.server import db

    consulted = set()
    delay = Backoff.delay
    monkeypatch.setattr(Backoff, "delay", lambda policy, *args, **kwargs: (
        consulted.add(policy), delay(policy, *args, **kwargs))[1])

    _fill(store)
    fake_server.failures = [_error(503, "unavailable")] * 3
    client_waits = []
    assert _client(fake_server, client_waits).sync(lambda fn: fn(store)).complete
    assert client_waits == [1.0, 2.0, 4.0]

    write_waits = []
    monkeypatch.setattr(db.time, "sleep", write_waits.append)
    engine = db.create_engine(f"sqlite:///{tmp_path / 'writes.db'}")
    tries = []

    def collide(conn):
        tries.append(conn)
        raise IntegrityError("INSERT", {}, Exception("UNIQUE constraint failed"))

    with pytest.raises(IntegrityError):
        db.run_write(engine, collide)
    engine.dispose()
    assert len(tries) == db.WRITE_ATTEMPTS
    assert write_waits == [0.04, 0.08, 0.16, 0.32, 0.64]
    assert consulted == {client.BACKOFF, db.WRITE_BACKOFF}


def test_backoff_doubles_to_its_cap_and_honours_retry_after_within_it(longest_waits):
    from sync.retry import Backoff

    policy = Backoff(first=1.0, cap=600.0)
    assert [policy.delay(n) for n in (1, 2, 3, 10, 11)] == [1.0, 2.0, 4.0, 512.0, 600.0]
    assert policy.delay(100_000) == 600.0  # a client retrying for days: still the cap
    assert policy.delay(1, retry_after=17) == 17
    assert policy.delay(1, retry_after=86_400) == 600.0  # a server cannot park a client


def test_backoff_waits_are_random_below_the_ceiling():
    from sync.retry import Backoff

    policy = Backoff(first=1.0, cap=600.0)
    waits = [policy.delay(4) for _ in range(200)]
    assert all(0 <= wait <= 8.0 for wait in waits) and len(set(waits)) > 100
    assert all(3.0 <= policy.delay(1, retry_after=3.0) <= 3.0 for _ in range(20))


def test_a_reply_waits_for_a_server_that_knows_feedback(store, fake_server):
    """A server older than protocol 3 knows no comments: the annotator's reply stays queued
    (the rest of the work goes), instead of failing the whole batch."""
    from types import SimpleNamespace

    from app import syncstate

    _fill(store, 1)
    item = store.submissions()[0]
    comment = {"id": "c-1", "submission_id": item.id, "kind": "comment", "body": "Plus court.",
               "author_name": "Farida", "reply_to": None, "created_at": "2026-12-06T10:00Z"}
    syncstate.apply_pull_page(store, SimpleNamespace(next_cursor=1, items=[SimpleNamespace(
        entity="comment", id="c-1", revision=1, deleted=False, payload=json.dumps(comment))]))
    store.reply("c-1", "D'accord.")
    _client(fake_server, []).sync(lambda fn: fn(store))
    sent = [item["entity"] for batch in fake_server.pushes for item in batch["items"]]
    assert sent == ["submission"]
    assert [entry.entity for entry in store.outbox()] == ["comment"]
