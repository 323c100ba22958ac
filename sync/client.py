"""The sync client: pushes the outbox and pulls changes over httpx, surviving bad links.

    client = SyncClient(server_url, token=token)
    report = client.sync(run_on_store)       # run_on_store(fn) runs fn(store) on the writer

Behaviour on a bad network (DESIGN.md invariant 3):

* timeouts are stall-based: a request is abandoned when no byte moves for ``stall_timeout``
  seconds (httpx's read/write timeouts are per operation), never for being slow overall;
* transient failures (connection errors, timeouts, 408/429/5xx, a truncated or corrupt
  answer) are retried with exponential backoff and full jitter, capped at 10 minutes,
  honouring ``Retry-After`` (:mod:`sync.retry`, the server's policy too); the client never
  gives up while work is pending unless given a ``deadline``;
* a connection that drops mid-request is retried at once the first time (a link that cuts
  now and then), with backoff when it fails again;
* a timeout or a 413 halves the batch in flight; other 4xx are not retried blindly: 401 stops
  with ``SyncError("auth")`` (the queue is kept), 426 with ``SyncError("upgrade")``;
* request bodies are zstd-compressed (gzip if the server refuses zstd);
* a server whose certificate this computer does not trust is never retried:
  ``SyncError("tls")`` at once;
* an enrollment is retried like any request, but a person is waiting: a few tries, short
  waits, two minutes at most, then a failure that says what to check.

Progress (``progress`` callback, a :class:`SyncProgress`) moves while bytes move: bodies are
sent and read in chunks, and the bytes counted are those that crossed the wire (request and
response heads and bodies, as sent and as received, failed attempts included; TLS framing is
not counted). While a request waits to be retried, the callback hears about it every second,
with the reason as a sentence for a person; the library's own words go to the log.

The client never touches the database itself: every store operation goes through
``run_on_store`` (the app's single writer, or a plain call in ``qalam sync``).
"""

from __future__ import annotations

import gzip
import logging
import ssl
import threading
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

import httpx
import zstandard
from pydantic import ValidationError

from app import __version__, clock, syncstate
from app.errors import SyncError
from i18n.translation import N_, _, ngettext
from sync import protocol
from sync.protocol import (
    DigestRequest,
    DigestResult,
    EnrollRequest,
    EnrollResult,
    IdsRequest,
    IdsResult,
    PullPage,
    PushBatch,
    PushResult,
    ServerInfo,
)
from sync.retry import Backoff

log = logging.getLogger(__name__)

# Batches are sized by their expected *compressed* size: 32 KB to start, halved when a link
# stalls, refuses (413) or keeps dropping mid-request (never to grow past that again), and
# doubled after a batch answered within GROW_WITHIN seconds, up to MAX_BATCH_COMPRESSED.
# A batch stays about two seconds of link time: on 256 kbit/s 32 KB takes longer than
# GROW_WITHIN, so it never grows, a cut wastes little, and the round trip per batch (0.6 s
# on 3G) stays a small share (bench/sync.py measured 40, 64, 96 and 256 KB on a link cut
# every 200 KB); on a LAN or loopback batches grow to the server's 2,000 items, where 32 KB
# ones had the server commit 25 times for 10,000 records.
START_BATCH_COMPRESSED = 32_000
MIN_BATCH_COMPRESSED = 8_000
GROW_WITHIN = 1.0
MAX_BATCH_COMPRESSED = 1_000_000
INITIAL_COMPRESSION_RATIO = 0.25   # until the first batch tells us the real one
DROPS_BEFORE_SHRINKING = 2
# Batches in flight at once. Three keep a slow link busy through each batch's round trip and
# answer (bench/sync.py); the server applies them in any order, idempotently.
PUSH_PIPELINE = 3
EXTRAS_WAIT = 60          # seconds the end of a sync waits for them at most
MAX_BACKOFF_SECONDS = 600
BACKOFF = Backoff(first=1.0, cap=MAX_BACKOFF_SECONDS)  # the policy the server's writes share
DEFAULT_STALL_TIMEOUT = 30.0       # abort a request when no byte moved for this long
CLOCK_SKEW_WARNING_SECONDS = 300
RETRYABLE_STATUS = {408, 409, 425, 429, 500, 502, 503, 504}
UPLOAD_CHUNK = 8_192          # bytes handed to httpx at a time: progress moves while they go
MAX_ANSWER_BYTES = 64 * 1024 * 1024  # a decoded answer larger than this is refused, unread
BYTES_REPORT_INTERVAL = 0.2   # seconds between progress reports that only move byte counts
WAIT_TICK = 1.0               # seconds between progress reports while a retry waits


@dataclass(frozen=True)
class Retries:
    """How long a request is retried: ``attempts`` tries in all and ``total`` seconds from the
    first (None: no bound; the client's ``deadline`` still applies), waiting at most
    ``max_delay`` between tries. A server asking to wait longer than that ends the tries."""

    attempts: int | None = None
    max_delay: float = MAX_BACKOFF_SECONDS
    total: float | None = None


UNTIL_DONE = Retries()                       # a sync: work is pending, keep at it
EXTRAS = Retries(attempts=3, max_delay=5.0)  # profile, leaderboards: never hold a sync up
# A person is looking at the screen: short waits, then a clear failure instead of a silence.
ENROLLING = Retries(attempts=6, max_delay=10.0, total=120.0)

# Why a request is tried again, for the person waiting (translated when shown).
STALLED = N_("The connection stalled.")
DAMAGED = N_("The server's answer was damaged on the way.")
UNREACHABLE = N_("The server cannot be reached.")
BROKE = N_("The connection broke.")
BUSY = N_("The server is busy.")
SERVER_TROUBLE = N_("The server had a problem.")
TOO_BIG = N_("The server found the batch too big; sending a smaller one.")
ENCODING = N_("The server does not take this compression; using another.")

UNTRUSTED_ON_SYNC = N_(
    "This server's certificate is not the one this computer trusts, so Qalam did not "
    "connect. Your work is kept on this computer. If your coordinator moved the server or "
    "changed its certificate, enroll again with the link on your new enrollment card.")
UNTRUSTED_ON_ENROLL = N_(
    "This server's certificate is not one this computer trusts. If it is your coordinator's "
    "field server, use the link on your enrollment card, or give --fingerprint with the code "
    "the server printed.")

StoreRunner = Callable[[Callable[[Any], Any]], Any]


@dataclass(frozen=True)
class SyncProgress:
    stage: str                     # connecting | pushing | pulling | verifying | waiting | done
    items_sent: int = 0            # acknowledged by the server
    items_received: int = 0
    bytes_sent: int = 0            # crossed the wire: heads and (compressed) bodies
    bytes_received: int = 0
    pending: int = 0               # still to send: items_sent + pending is the whole push
    conflicts: int = 0
    quarantined: int = 0
    retry_in: float | None = None  # seconds until the next try, while waiting to retry
    message: str = ""              # while waiting: what happened, a sentence for a person
    attempt: int = 0               # while waiting: tries so far of the request that waits
    attempts: int | None = None    # ... and how many it gets (None: until the work is done)


@dataclass
class SyncReport:
    pushed: int = 0
    acknowledged: int = 0
    conflicts: int = 0
    rejected: int = 0
    pulled: int = 0
    retries: int = 0
    bytes_sent: int = 0
    bytes_received: int = 0
    raw_bytes: int = 0             # uncompressed request bodies
    resent: int = 0
    warnings: list[str] = field(default_factory=list)
    complete: bool = False         # everything acknowledged and the digests agree
    pending: int = 0               # after the sync: still waiting to be sent
    open_conflicts: int = 0        # after the sync: waiting for the annotator to choose
    quarantined: int = 0           # after the sync: refused by the server, in all


@dataclass
class _Job:
    """A batch being pushed by a worker, as it is now (halved on a stall or a 413)."""

    batch: syncstate.Batch
    shrunk: bool = False
    compressed: int = 0             # bytes of the last request body sent for it
    seconds: float = 0.0            # from the first try to the answer


class _Transient(Exception):
    """A failure worth retrying. ``reason`` is one of the sentences above (untranslated);
    ``detail`` the library's or the server's own words, for the log only."""

    def __init__(self, reason: str, detail: str = "", *, retry_after: float | None = None,
                 shrink: bool = False, dropped: bool = False):
        super().__init__(f"{reason} ({detail})" if detail else reason)
        self.reason = reason
        self.detail = detail
        self.retry_after = retry_after
        self.shrink = shrink        # the request was too big for the link or the server
        self.dropped = dropped      # the connection broke mid-request (not: refused)


class GaveUp(SyncError):
    """Retrying stopped (tries, time or the deadline used up, or another worker failed)
    before a request got through; ``reason`` says why the last try failed (untranslated)."""

    def __init__(self, message: str, *, reason: str, tries: int):
        super().__init__("network", message)
        self.reason = reason
        self.tries = tries


class SyncClient:
    def __init__(
        self, server_url: str, *, token: str | None = None, http: httpx.Client | None = None,
        stall_timeout: float = DEFAULT_STALL_TIMEOUT,
        progress: Callable[[SyncProgress], None] | None = None,
        sleep: Callable[[float], None] = time.sleep, deadline: float | None = None,
        batch_compressed: int = START_BATCH_COMPRESSED, verify: Any = True,
    ):
        self.server_url = server_url.rstrip("/")
        self.token = token
        timeout = httpx.Timeout(stall_timeout, connect=stall_timeout, pool=stall_timeout)
        self.http = http or httpx.Client(timeout=timeout, verify=verify)
        self._progress_callback = progress
        self._sleep = sleep
        self.deadline = deadline       # time.monotonic() value after which we stop retrying
        self.batch_compressed = batch_compressed   # target compressed size of a batch
        self.batch_ceiling = max(batch_compressed, MAX_BATCH_COMPRESSED)  # lowered by failures
        self.compression_ratio = INITIAL_COMPRESSION_RATIO
        self._local = threading.local()   # per worker: the last request's compressed size
        self._lock = threading.RLock()      # report, progress and batch sizing, across workers
        self._stopping = threading.Event()  # a push worker failed: the others stop retrying
        self._waits: dict[int, tuple[float, str, int, int | None]] = {}  # thread -> its wait
        self._bytes_reported = 0.0          # when byte counts alone were last reported
        self._stage = "connecting"
        self._protocol = protocol.PROTOCOL_VERSION
        self._encoding = "zstd"
        self._state = SyncProgress("connecting")
        self.report = SyncReport()

    # --- plumbing ------------------------------------------------------------------------

    def _progress(self, **changes) -> None:
        with self._lock:
            if changes.get("stage", "waiting") != "waiting":
                self._stage = changes["stage"]  # what a waiting worker shows again after
            self._state = replace(self._state, **changes)
            if self._progress_callback is not None:
                self._progress_callback(self._state)

    def _moved(self, *, sent: int = 0, received: int = 0, report: bool = False) -> None:
        """Count bytes that crossed the wire; tell the caller now and then (always when
        ``report``), so progress moves while a large request or answer is on its way."""
        with self._lock:
            self.report.bytes_sent += sent
            self.report.bytes_received += received
            now = time.monotonic()
            if report or now - self._bytes_reported >= BYTES_REPORT_INTERVAL:
                self._bytes_reported = now
                self._progress(bytes_sent=self.report.bytes_sent,
                               bytes_received=self.report.bytes_received)

    def _headers(self) -> dict[str, str]:
        headers = {
            protocol.PROTOCOL_HEADER: str(self._protocol),
            "User-Agent": f"Qalam/{__version__}",
            "Accept-Encoding": "gzip",
        }
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        return headers

    def _compress(self, body: bytes) -> tuple[bytes, str]:
        if self._encoding == "zstd":
            return zstandard.ZstdCompressor(level=10).compress(body), "zstd"
        return gzip.compress(body, compresslevel=6), "gzip"

    def _request(self, method: str, path: str, *, body=None, params=None, answer=None,
                 shrink: Callable[[], bool] | None = None, retries: Retries = UNTIL_DONE):
        """One exchange, retried while the failure is transient; returns the parsed answer.

        ``body`` is a protocol model, or a function building one (rebuilt after ``shrink``,
        which is called on a stall or a 413 and returns True if it made the request smaller).
        ``retries`` bounds the tries (default: until done, or the client's ``deadline``);
        when they run out, :class:`GaveUp`.
        """
        attempt = drops = 0
        started = time.monotonic()
        while True:
            try:
                model = body() if callable(body) else body
                return self._attempt(method, path, model, params, answer)
            except _Transient as error:
                attempt += 1
                log.info("sync: %s %s failed (try %d): %s", method, path, attempt, error)
                if self._stopping.is_set():
                    raise self._gave_up(error, attempt) from error
                if retries.attempts is not None and (
                        attempt >= retries.attempts
                        or (error.retry_after or 0) > retries.max_delay):
                    raise self._gave_up(error, attempt) from error
                with self._lock:
                    self.report.retries += 1
                drops = drops + 1 if error.dropped else 0
                too_big = error.shrink or drops >= DROPS_BEFORE_SHRINKING
                if too_big and shrink is not None and shrink():
                    drops = 0
                    continue
                if drops == 1 and attempt == 1:
                    # The link dropped mid-transfer after working: reconnect at once (a radio
                    # link that cuts now and then). A second failure in a row backs off.
                    continue
                delay = min(BACKOFF.delay(attempt, retry_after=error.retry_after),
                            retries.max_delay)
                now = time.monotonic()
                if (self.deadline is not None and now + delay > self.deadline) or (
                        retries.total is not None and now + delay - started > retries.total):
                    raise self._gave_up(error, attempt) from error
                log.info("sync: trying %s again in %.1f s", path, delay)
                self._back_off(delay, error, attempt, retries.attempts)

    def _gave_up(self, error: _Transient, tries: int) -> GaveUp:
        message = _("{reason} Sync stopped before it finished; your work is kept on this "
                    "computer and will be sent at the next sync.").format(reason=_(error.reason))
        return GaveUp(message, reason=error.reason, tries=tries)

    def _back_off(self, delay: float, error: _Transient, attempt: int,
                  attempts: int | None) -> None:
        """Wait ``delay`` seconds before a retry, saying so every second; give up at once when
        another worker of this sync failed. "waiting" shows while any worker waits (the
        soonest next try); then the sync's own stage."""
        worker = threading.get_ident()
        until = time.monotonic() + delay
        with self._lock:
            self._waits[worker] = (until, error.reason, attempt, attempts)
            self._show_waits()
        try:
            if self._sleep is time.sleep:
                stopped = False
                while (left := until - time.monotonic()) > 0 and not stopped:
                    stopped = self._stopping.wait(min(left, WAIT_TICK))
                    self._show_waits()
            else:  # an injected sleep (tests, benchmarks) is called as it is
                self._sleep(delay)
                stopped = self._stopping.is_set()
        finally:
            with self._lock:
                del self._waits[worker]
                self._show_waits()
        if stopped:
            raise self._gave_up(error, attempt)

    def _show_waits(self) -> None:
        with self._lock:
            if not self._waits:
                self._progress(stage=self._stage, retry_in=None, message="", attempt=0,
                               attempts=None)
                return
            until, reason, attempt, attempts = min(self._waits.values(),
                                                   key=lambda wait: wait[0])
            self._progress(stage="waiting", retry_in=max(0.0, until - time.monotonic()),
                           message=_(reason), attempt=attempt, attempts=attempts)

    def _attempt(self, method, path, model, params, answer):
        headers, content = self._headers(), None
        if model is not None:
            raw = model.model_dump_json().encode()
            content, encoding = self._compress(raw)
            self._local.compressed = len(content)
            headers.update({"Content-Type": "application/json", "Content-Encoding": encoding,
                            # given, so that httpx sends the chunks below as one body
                            "Content-Length": str(len(content))})
            with self._lock:
                self.report.raw_bytes += len(raw)
        head_sent = []  # the request's head is counted once, when it has gone

        def sent_head():
            if not head_sent:
                head_sent.append(True)
                self._moved(sent=_head_size(_request_line(request), request.headers))

        def upload():
            sent_head()  # httpx writes the head before it asks for the body
            for start in range(0, len(content), UPLOAD_CHUNK):
                chunk = content[start:start + UPLOAD_CHUNK]
                yield chunk
                self._moved(sent=len(chunk))  # asked for the next: this one has gone

        request = self.http.build_request(
            method, self.server_url + path, params=params, headers=headers,
            content=upload() if content is not None else None)
        try:
            response = self.http.send(request, stream=True)
            try:
                sent_head()
                self._moved(received=_head_size(_status_line(response), response.headers))
                body = self._read(response)
            finally:
                response.close()
        except httpx.TimeoutException as exc:
            raise _Transient(STALLED, repr(exc), shrink=True) from exc
        except httpx.DecodingError as exc:
            raise _Transient(DAMAGED, str(exc)) from exc
        except httpx.ConnectError as exc:
            if _untrusted_certificate(exc):
                log.info("sync: %s: certificate not trusted: %s", self.server_url, exc)
                raise SyncError("tls", _(UNTRUSTED_ON_SYNC)) from exc
            raise _Transient(UNREACHABLE, str(exc)) from exc
        except httpx.TransportError as exc:
            raise _Transient(BROKE, str(exc) or repr(exc), dropped=True) from exc
        finally:
            self._moved(report=True)
        self._raise_for_status(response, body)
        try:
            return answer.model_validate_json(body) if answer is not None else None
        except ValidationError as exc:
            raise _Transient(DAMAGED, str(exc)) from exc

    def _read(self, response: httpx.Response) -> bytes:
        """The answer's body, decoded, counting its bytes as they arrive; refused past
        ``MAX_ANSWER_BYTES`` (decoded), before it is all read."""
        chunks, size, counted = [], 0, 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > MAX_ANSWER_BYTES:
                log.warning("sync: an answer of more than %d bytes from %s was refused",
                            MAX_ANSWER_BYTES, response.request.url)
                raise SyncError("protocol", _(
                    "The server's answer was far larger than any Qalam expects, so it was "
                    "not read. Your work is kept on this computer; tell your coordinator."))
            chunks.append(chunk)
            self._moved(received=response.num_bytes_downloaded - counted)
            counted = response.num_bytes_downloaded
        return b"".join(chunks)

    def _raise_for_status(self, response: httpx.Response, body: bytes) -> None:
        status = response.status_code
        if status < 400:
            return
        try:
            error = protocol.ErrorBody.model_validate_json(body)
            code, message = error.code, error.message
        except ValidationError:
            code, message = None, f"HTTP {status}"
        if status == 415 and self._encoding == "zstd":
            self._encoding = "gzip"
            raise _Transient(ENCODING, message, retry_after=0)
        if status == 413:
            raise _Transient(TOO_BIG, message, shrink=True, retry_after=0)
        if status in RETRYABLE_STATUS:
            reason = BUSY if status in (429, 503) else SERVER_TROUBLE
            raise _Transient(reason, f"HTTP {status}: {message}",
                             retry_after=_retry_after(response))
        if status == 401:
            raise SyncError("auth", _auth_message(code))
        if status == 426:
            raise SyncError("upgrade", _(UPGRADE))
        raise SyncError("protocol", _("The server refused the request: {message}").format(
            message=message))

    # --- the conversation ------------------------------------------------------------------

    def info(self) -> ServerInfo:
        return self._request("GET", "/v1/info", answer=ServerInfo)

    def enroll(self, *, code: str, device_id: str, device_name: str = "",
               public_key: str = "", proof: str = "") -> EnrollResult:
        request = EnrollRequest(code=code.strip().upper(), device_id=device_id,
                                device_name=device_name, app_version=__version__,
                                public_key=public_key, proof=proof)
        self._progress(stage="connecting", message="")
        try:
            return self._request("POST", "/v1/enroll", body=request, answer=EnrollResult,
                                 retries=ENROLLING)
        except GaveUp as error:
            raise SyncError("network", " ".join((
                _(error.reason),
                ngettext("Qalam gave up after {n} try.", "Qalam gave up after {n} tries.",
                         error.tries).format(n=error.tries),
                _("Check that this computer is on the same network as the server, that the "
                  "address {server} is right and that the server is running; then try again "
                  "with the same code.").format(server=self.server_url),
            ))) from error
        except SyncError as error:
            if error.kind == "tls":
                raise SyncError("tls", _(UNTRUSTED_ON_ENROLL)) from error
            raise

    def sync(self, run_on_store: StoreRunner) -> SyncReport:
        """Push everything pending, pull everything new, then check both sides agree."""
        self.report = SyncReport()
        self._stopping.clear()
        self._progress(stage="connecting", message="")
        info = self.info()
        self._check_version(info)
        self._check_clock(info)
        self._push_all(run_on_store)
        self._request_work()
        extras = self._start_extras(run_on_store)
        try:
            self._pull_all(run_on_store)
            self._progress(stage="verifying")
            if self._verify(run_on_store):
                self._push_all(run_on_store)  # what the repair queued again
                self._pull_all(run_on_store)
        except BaseException:
            self._stopping.set()  # the extras worker stops at its next retry
            raise
        self._keep_extras(run_on_store, extras)
        summary = run_on_store(syncstate.summary)
        self.report.complete = summary.pending == 0
        self.report.pending = summary.pending
        self.report.open_conflicts = summary.conflicts
        self.report.quarantined = summary.quarantined
        if self.report.complete:
            run_on_store(lambda store: _mark_synced(store))
        self._progress(stage="done", pending=summary.pending, conflicts=summary.conflicts,
                       quarantined=summary.quarantined, retry_in=None)
        return self.report

    def _check_version(self, info: ServerInfo) -> None:
        # Speak the newest version both ends know; this client still reads every answer of
        # protocol.MIN_PROTOCOL_VERSION and up.
        self._protocol = min(protocol.PROTOCOL_VERSION, info.protocol_version)
        if not info.min_protocol_version <= self._protocol <= info.protocol_version \
                or self._protocol < protocol.MIN_PROTOCOL_VERSION:
            raise SyncError("upgrade", _(UPGRADE))

    def _check_clock(self, info: ServerInfo) -> None:
        try:
            skew = abs((datetime.now(UTC) - clock.parse(info.server_time)).total_seconds())
        except ValueError:
            return
        if skew > CLOCK_SKEW_WARNING_SECONDS:
            minutes = int(skew // 60)
            self.report.warnings.append(ngettext(
                "This computer's clock differs from the server's by {n} minute.",
                "This computer's clock differs from the server's by {n} minutes.",
                minutes).format(n=minutes))

    def _push_all(self, run_on_store: StoreRunner) -> None:
        """Push every pending entry, ``PUSH_PIPELINE`` batches at a time.

        While one batch uploads, the other's round trip and answer are under way, so a slow,
        high-latency link carries data nearly all the time. The store is only touched from
        this thread (claims and answers go through ``run_on_store``); the workers only talk
        HTTP. A record is never in two unanswered batches (syncstate.claim_batch).
        """
        device_id = run_on_store(lambda store: store.device_id)
        running: dict[Future, _Job] = {}
        pool = ThreadPoolExecutor(PUSH_PIPELINE, thread_name_prefix="qalam-push")
        try:
            while True:
                while len(running) < PUSH_PIPELINE:
                    batch = self._claim(run_on_store, busy={
                        job.batch.batch_id for job in running.values()})
                    if batch is None:
                        break
                    if not running:
                        self._progress(stage="pushing",
                                       pending=run_on_store(syncstate.summary).pending)
                    job = _Job(batch)
                    running[pool.submit(self._push_batch, device_id, job)] = job
                if not running:
                    break
                done, _still = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    job = running.pop(future)
                    self._settle(run_on_store, job, future.result())
        except BaseException:
            # The other workers give up at once (even mid-backoff) instead of holding the
            # failure back; their entries stay claimed and go again with the next sync.
            self._stopping.set()
            pool.shutdown(wait=False, cancel_futures=True)
            raise
        pool.shutdown(wait=True)

    def _claim(self, run_on_store: StoreRunner, busy: set[str]) -> syncstate.Batch | None:
        # The body limit is on the decompressed body, which adds each item's envelope and
        # escapes to its payload: half of it is left for that.
        raw_bound = min(int(self.batch_compressed / self.compression_ratio),
                        protocol.MAX_BODY_BYTES // 2)
        # A server older than translations of the interface knows none of their entities,
        # and one older than feedback no replies to it: they wait for a newer server.
        skip = tuple(protocol.TRANSLATION_ENTITIES) \
            if self._protocol < protocol.TRANSLATION_PROTOCOL else ()
        if self._protocol < protocol.COMMENTS_PROTOCOL:
            skip += ("comment",)
        return run_on_store(lambda store: syncstate.claim_batch(
            store, max_bytes=raw_bound, max_items=protocol.MAX_BATCH_ITEMS, busy=busy,
            skip=skip))

    def _push_batch(self, device_id: str, job: _Job) -> PushResult:
        """One batch, sent until answered (runs on a worker thread)."""

        def build():
            return PushBatch.of(device_id, job.batch, clock.utc_now())

        def shrink():
            # Send the first half only; the answer leaves the rest unanswered, and
            # apply_push_results hands those back to the queue for a later batch.
            if len(job.batch.items) <= 1:
                return False
            keep = len(job.batch.items) // 2
            job.batch = syncstate.Batch(job.batch.batch_id, job.batch.items[:keep])
            job.shrunk = True
            with self._lock:
                self.batch_compressed = max(MIN_BATCH_COMPRESSED, self.batch_compressed // 2)
                self.batch_ceiling = self.batch_compressed
            return True

        started = time.monotonic()
        result = self._request("POST", "/v1/push", body=build, answer=PushResult,
                               shrink=shrink)
        job.seconds = time.monotonic() - started
        job.compressed = self._local.compressed
        return result

    def _settle(self, run_on_store: StoreRunner, job: _Job, result: PushResult) -> None:
        sent = job.batch
        outcome = run_on_store(lambda store: syncstate.apply_push_results(
            store, sent.batch_id, result.results))
        self.report.pushed += len(sent.items)
        self.report.acknowledged += outcome.acknowledged
        self.report.conflicts += outcome.conflicts
        self.report.rejected += outcome.rejected
        answered = outcome.acknowledged + outcome.conflicts + outcome.rejected
        self._progress(items_sent=self.report.acknowledged,
                       pending=max(0, self._state.pending - answered),
                       conflicts=self._state.conflicts + outcome.conflicts,
                       quarantined=self._state.quarantined + outcome.rejected)
        self._learn(sent, job.compressed, job.shrunk, job.seconds)

    def _learn(self, sent: syncstate.Batch, compressed: int, shrunk: bool,
               seconds: float) -> None:
        """Update the compression estimate, and grow the batch after a clean, quick push."""
        raw = sent.payload_bytes
        with self._lock:
            if raw and compressed:
                # compressed request size per payload byte, as claim_batch measures payloads
                self.compression_ratio = max(0.02, min(1.0, compressed / raw))
            if not shrunk and seconds < GROW_WITHIN \
                    and self.batch_compressed < self.batch_ceiling:
                self.batch_compressed = min(self.batch_ceiling, self.batch_compressed * 2)

    def _pull_all(self, run_on_store: StoreRunner) -> None:
        self._progress(stage="pulling")
        while True:
            cursor = run_on_store(syncstate.pull_cursor)
            page = self._request("GET", "/v1/pull", answer=PullPage,
                                 params={"cursor": cursor, "limit": protocol.DEFAULT_PULL_LIMIT})
            run_on_store(lambda store, p=page: syncstate.apply_pull_page(store, p))
            self.report.pulled += len(page.items)
            self._progress(items_received=self.report.pulled)
            if not page.more:
                return

    def _request_work(self) -> None:
        """Ask the server to lease this device's user new work (it arrives with the pull).

        Once per sync, after pushing (finished work frees places in the user's page) and
        before pulling. It cannot fail a sync: a server older than ``/v1/work`` answers 404,
        and the device simply keeps the tasks it has.
        """
        try:
            answer = self._request("POST", "/v1/work", body=protocol.WorkRequest(),
                                   answer=protocol.WorkResult)
        except SyncError as error:
            if error.kind != "protocol":
                raise
            log.info("sync: no work handed out by this server (%s)", error)
            return
        log.info("sync: %d new items leased; %d held, %d waiting", answer.leased, answer.open,
                 answer.queued)

    def _verify(self, run_on_store: StoreRunner) -> bool:
        """Compare counts and digests; repair by exchanging ids. True if a repair was queued."""
        held = run_on_store(syncstate.acknowledged_revisions)
        cursor = run_on_store(syncstate.pull_cursor)
        result = self._request(
            "POST", "/v1/digest",
            body=DigestRequest(count=len(held), cursor=cursor,
                                digest=protocol.record_digest(held.items())),
            answer=DigestResult,
        )
        if result.match and not result.server_behind:
            return False
        if result.server_behind:
            self.report.warnings.append(_(
                "The server has less than this computer has seen (restored from a backup?); "
                "sending your work again."))
        ids = self._request("POST", "/v1/ids", body=IdsRequest(ids=held), answer=IdsResult)
        resent = run_on_store(
            lambda store: syncstate.request_resend(store, ids.missing_on_server))
        self.report.resent += resent
        if ids.stale_on_device or result.server_behind:
            run_on_store(lambda store: syncstate.set_meta(store, syncstate.PULL_CURSOR, "0"))
        return True

    def _start_extras(self, run_on_store: StoreRunner) -> Future | None:
        """Send the annotator's profile if it changed and fetch the leaderboards, on a worker
        thread while the pull runs (each is a round trip a slow link need not wait for).

        The store is read here and written in :meth:`_keep_extras`, both on this thread.
        """
        from app import profile as local_profile

        if self._protocol < 2:
            return None  # the server speaks protocol 1: it has neither endpoint
        waiting = run_on_store(local_profile.pending)
        known = waiting is not None or run_on_store(local_profile.exists)
        pool = ThreadPoolExecutor(1, thread_name_prefix="qalam-extras")
        future = pool.submit(self._fetch_extras, waiting, known)
        pool.shutdown(wait=False)
        return future

    def _fetch_extras(self, waiting, known: bool) -> _Extras:
        """Neither exchange can fail a sync, nor hold it up for long: a server older than
        these endpoints refuses both (404), silently; otherwise a failure is a warning, and a
        profile that was not sent stays pending for the next sync."""
        extras = _Extras()
        try:
            if waiting is not None:
                version, given = waiting
                self._request("PUT", "/v1/profile", answer=protocol.Profile,
                              body=protocol.Profile.model_validate(given.as_payload()),
                              retries=EXTRAS)
                extras.sent_version = version
            elif not known:
                # A device that never had a profile adopts what the user gave elsewhere.
                extras.remote_profile = self._request("GET", "/v1/profile",
                                                      answer=protocol.Profile,
                                                      retries=EXTRAS)
        except SyncError as error:
            if waiting is not None:
                log.info("sync: the profile was not sent (%s)", error)
                # the server's refusal says what to change; a network failure says nothing new
                extras.refused = str(error) if error.kind == "protocol" else ""
            elif error.kind != "protocol":
                log.info("sync: the profile on the server was not fetched (%s)", error)
        except ValidationError as error:  # the local profile does not fit the wire format
            log.warning("sync: the profile does not fit the wire format (%s)", error)
            extras.refused = ""
        try:
            extras.leaderboards = self._request("GET", "/v1/leaderboard",
                                                answer=protocol.Leaderboards,
                                                retries=EXTRAS)
        except SyncError as error:
            if error.kind == "protocol":
                log.info("sync: no leaderboards from this server (%s)", error)
                extras.refused = None  # an older server: it has no profiles either
            else:
                extras.leaderboards_failed = str(error)
        return extras

    def _keep_extras(self, run_on_store: StoreRunner, future: Future | None) -> None:
        from app import leaderboards
        from app import profile as local_profile

        if future is None:
            return
        try:
            extras = future.result(timeout=EXTRAS_WAIT)
        except FutureTimeout:  # a stalling server: the sync's own work is done, do not wait
            log.warning("sync: no profile or leaderboard answer after %d s", EXTRAS_WAIT)
            return
        if extras.sent_version is not None:
            run_on_store(lambda store: local_profile.mark_sent(store, extras.sent_version))
        if extras.remote_profile is not None:
            try:
                run_on_store(lambda store: local_profile.adopt(
                    store, extras.remote_profile.model_dump()))
            except local_profile.InvalidProfile as error:
                log.warning("sync: the profile on the server was not kept (%s)", error)
        if extras.leaderboards is not None:
            run_on_store(lambda store: leaderboards.store_answer(
                store, extras.leaderboards.model_dump_json()))
        if extras.refused is not None:
            self.report.warnings.append(" ".join(filter(None, (_(
                "Your profile was not sent; it is kept on this computer and sent again at "
                "the next sync."), extras.refused))))
        if extras.leaderboards_failed is not None:
            log.warning("sync: leaderboards not updated (%s)", extras.leaderboards_failed)


@dataclass
class _Extras:
    """What the profile and leaderboard exchange brought back, to keep in the store."""

    sent_version: int | None = None
    remote_profile: protocol.Profile | None = None
    leaderboards: protocol.Leaderboards | None = None
    refused: str | None = None             # the profile was not sent ("" or the server's why)
    leaderboards_failed: str | None = None


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        try:
            from email.utils import parsedate_to_datetime

            return max(0.0, (parsedate_to_datetime(value) - datetime.now(UTC)).total_seconds())
        except (TypeError, ValueError):
            return None


UPGRADE = N_("This version of Qalam cannot sync with that server; please update Qalam. "
             "Your work is kept and will sync after the update.")


def _auth_message(code) -> str:
    if code == protocol.ErrorCode.token_revoked:
        return _("This device's access was revoked by a coordinator. Your work is kept on this "
                 "computer; enroll again with a new code to resume syncing.")
    return _("The server does not recognise this device. Your work is kept on this computer; "
             "enroll again with a code from your coordinator.")


def _request_line(request: httpx.Request) -> str:
    return f"{request.method} {request.url.raw_path.decode('ascii')} HTTP/1.1"


def _status_line(response: httpx.Response) -> str:
    return f"{response.http_version} {response.status_code} {response.reason_phrase}"


def _head_size(first_line: str, headers: httpx.Headers) -> int:
    """Bytes of an HTTP/1.1 head as it crosses the wire: the first line, every header as
    ``Name: value``, each line ended by CRLF, and the blank line."""
    return len(first_line) + 2 + sum(len(name) + len(value) + 4
                                     for name, value in headers.raw) + 2


def _untrusted_certificate(error: BaseException) -> bool:
    """Whether a failed connection was refused because the server's certificate did not
    verify (httpx wraps httpcore's error, which wraps the ssl module's)."""
    seen: BaseException | None = error
    for _depth in range(8):
        if seen is None:
            return False
        if isinstance(seen, ssl.SSLCertVerificationError):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _mark_synced(store) -> None:
    syncstate.set_meta(store, "last_sync", clock.utc_now())
