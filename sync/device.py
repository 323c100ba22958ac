"""What a device does with a server, as plain functions: enroll, sync, bundles.

Used by the headless commands (``qalam enroll``, ``qalam sync``, ``qalam bundle ...``) and by
the app's sync panel; each opens the store it needs and closes it again.

    enrollment = enroll(data_dir, "https://hub.example.org", "K7PD-3QXM-9")
    report = sync_now(data_dir, progress=print)
"""

from __future__ import annotations

import platform
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple
from urllib.parse import parse_qs, urlsplit

from app import paths, syncstate
from app.errors import SyncError
from app.store import Store
from i18n.bidi import format_message
from i18n.translation import _
from sync import bundle, credentials, keys, protocol, tls
from sync.client import StoreRunner, SyncClient, SyncProgress, SyncReport

DEVICE_KEY = "device-key.pem"
SERVER_CERT = "server-cert.pem"  # the pinned certificate of a field server, if any


def check_server_url(url: str, *, allow_http: bool = False) -> str:
    """Refuse plain HTTP except on loopback (or when explicitly allowed)."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SyncError("config", f"{url!r} is not a server address (https://host:port).")
    if parts.scheme == "http" and not allow_http and not protocol.is_loopback(parts.hostname):
        raise SyncError(
            "config",
            f"{url} is not encrypted. Use https://, or allow plain HTTP explicitly for a "
            "server you trust on this network.",
        )
    return url.strip().rstrip("/")


ENROLLMENT_LINK = "qalam://enroll"


class EnrollmentLink(NamedTuple):
    server: str
    code: str
    fingerprint: str  # the server certificate's SHA-256 (hex); "" when the server has none


def read_enrollment_link(text: str) -> EnrollmentLink | None:
    """What the link on a coordinator's enrollment card holds (also its QR code), or None for
    other text: ``qalam://enroll?server=URL&code=CODE&fp=SHA256``.

        >>> read_enrollment_link("qalam://enroll?server=https%3A%2F%2F10.0.0.2%3A8443"
        ...                      "&code=K7PD-3QXM-9&fp=" + "ab" * 32).server
        'https://10.0.0.2:8443'
    """
    text = text.strip()
    if not text.lower().startswith(ENROLLMENT_LINK):
        return None
    query = parse_qs(urlsplit(text).query)
    server, code = query.get("server", [""])[0].strip(), query.get("code", [""])[0].strip()
    fingerprint = tls.normalize_fingerprint(query.get("fp", [""])[0])
    if fingerprint and not re.fullmatch(r"[0-9a-f]{64}", fingerprint):
        return None  # a damaged link: never pin half a fingerprint
    return EnrollmentLink(server, code, fingerprint) if server and code else None


def parse_enrollment_link(text: str) -> tuple[str, str] | None:
    """``(server, code)`` of an enrollment card's link (see :func:`read_enrollment_link`)."""
    link = read_enrollment_link(text)
    return (link.server, link.code) if link else None


class UntrustedCertificate(SyncError):
    """An https server met without a pin, whose certificate this computer does not trust.

    ``short_code`` is what the person compares with the code the server printed (or the
    coordinator reads out); enrolling again with ``fingerprint=`` this ``fingerprint`` pins it.
    """

    def __init__(self, server_url: str, pem: str):
        self.fingerprint = tls.fingerprint(pem)
        self.short_code = tls.short_code(pem)
        super().__init__("tls", format_message(_(
            "{server} has a certificate this computer does not trust; its code is {code}. "
            "Connect only if your coordinator's server shows the same code."),
            server=server_url, code=self.short_code))


def device_key(data_dir: Path):
    return keys.load_or_create(data_dir / DEVICE_KEY)


def enroll(data_dir: Path, server_url: str, code: str, *, allow_http: bool = False,
           fingerprint: str | None = None, client: SyncClient | None = None,
           progress: Callable[[SyncProgress], None] | None = None) -> credentials.Enrollment:
    """Exchange a one-time code for a device token and remember it. Local work is untouched.

    With ``fingerprint`` (from the enrollment card's link, a provisioning file, or the short
    code the annotator compared with the one the server printed), the server's self-signed
    certificate is pinned: it is the only one accepted from then on. Without one, an https
    server must have a certificate this computer trusts; otherwise
    :class:`UntrustedCertificate` says at once what code it shows.
    """
    server_url = check_server_url(server_url, allow_http=allow_http)
    with Store.open(paths.database_path(data_dir)) as store:
        device_id = store.device_id
    verify, pem = True, None
    if fingerprint:
        parts = urlsplit(server_url)
        pem = tls.fetch_certificate(parts.hostname, parts.port or 443)
        tls.check_pin(pem, fingerprint)
        verify = tls.pinned_context(pem)
    key = device_key(data_dir)
    public_key = keys.public_key_text(key)
    proof = keys.sign(key, protocol.enrollment_proof(code.strip().upper(), device_id,
                                                     public_key))
    with _client(client, server_url, verify=verify, progress=progress) as talk:
        try:
            result = talk.enroll(code=code, device_id=device_id, device_name=platform.node(),
                                 public_key=public_key, proof=proof)
        except SyncError as error:
            if error.kind == "tls" and pem is None and urlsplit(server_url).scheme == "https":
                parts = urlsplit(server_url)
                raise UntrustedCertificate(server_url, tls.fetch_certificate(
                    parts.hostname, parts.port or 443)) from error
            raise
    enrollment = credentials.Enrollment(
        server_url=server_url, server_id=result.server_id, device_id=result.device_id,
        user_id=result.user_id, user_name=result.user_name, role=result.role,
        languages=list(result.languages), server_public_key=result.server_public_key,
        tls_fingerprint=tls.fingerprint(pem) if pem else "",
    )
    if pem:
        (data_dir / SERVER_CERT).write_text(pem, "utf-8")
    credentials.save(data_dir, enrollment, result.token)
    with Store.open(paths.database_path(data_dir)) as store, store.db.atomic():
        syncstate.set_meta(store, "user_id", result.user_id)
        syncstate.set_meta(store, "server_id", result.server_id)
    return enrollment


def server_verification(data_dir: Path):
    """The pinned certificate's SSL context for a field server, else normal verification."""
    pinned = data_dir / SERVER_CERT
    return tls.pinned_context(pinned.read_text("utf-8")) if pinned.exists() else True


def enrolled(data_dir: Path) -> tuple[credentials.Enrollment, str]:
    loaded = credentials.load(data_dir)
    if loaded is None:
        raise SyncError(
            "config", "This device is not enrolled yet: run `qalam enroll --server URL --code "
            "CODE` with the code your coordinator gave you."
        )
    return loaded


def sync_now(data_dir: Path, *, progress: Callable[[SyncProgress], None] | None = None,
             deadline: float | None = None, client: SyncClient | None = None) -> SyncReport:
    """One full sync (push, pull, verify) on this data directory."""
    enrollment, token = enrolled(data_dir)
    with _client(client, enrollment.server_url, token=token, progress=progress,
                 deadline=deadline, verify=server_verification(data_dir)) as talk, \
            Store.open(paths.database_path(data_dir)) as store:
        return talk.sync(lambda job: job(store))


@contextmanager
def _client(given: SyncClient | None, server_url: str, **options) -> Iterator[SyncClient]:
    """The caller's client as it is, or a new one whose connections close afterwards (a
    kept-alive connection would hold a server's graceful shutdown open)."""
    if given is not None:
        yield given
        return
    client = SyncClient(server_url, **options)
    try:
        yield client
    finally:
        client.http.close()


def export_bundle(data_dir: Path, path: Path, *,
                  run_on_store: StoreRunner | None = None) -> int:
    """Write pending work to an offline bundle; returns the number of items.

    ``run_on_store`` runs the store work where the app wants it (its single writer);
    headless, the store is opened here."""
    loaded = credentials.load(data_dir)
    server_id = loaded[0].server_id if loaded else ""
    key = device_key(data_dir)
    return _with_store(data_dir, run_on_store, lambda run: bundle.export_push(
        run, path, private_key=key, server_id=server_id))


def import_bundle(data_dir: Path, path: Path, *,
                  run_on_store: StoreRunner | None = None) -> dict:
    """Apply the server's answer bundle (acknowledgements and new tasks)."""
    enrollment, _ = enrolled(data_dir)
    return _with_store(data_dir, run_on_store, lambda run: bundle.import_answer(
        run, path, server_public_key=enrollment.server_public_key))


def _with_store(data_dir: Path, run_on_store: StoreRunner | None, work):
    if run_on_store is not None:
        return work(run_on_store)
    with Store.open(paths.database_path(data_dir)) as store:
        return work(lambda job: job(store))
