"""What a device does with a server, as plain functions: enroll, sync, bundles.

Used by the headless commands (``qalam enroll``, ``qalam sync``, ``qalam bundle ...``) and by
the app's sync panel; each opens the store it needs and closes it again.

    enrollment = enroll(data_dir, "https://hub.example.org", "K7PD-3QXM-9")
    report = sync_now(data_dir, progress=print)
"""

from __future__ import annotations

import platform
from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from app import paths, syncstate
from app.errors import SyncError
from app.store import Store
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


def parse_enrollment_link(text: str) -> tuple[str, str] | None:
    """``(server, code)`` from the link on a coordinator's enrollment card
    (``qalam://enroll?server=URL&code=CODE``, also in its QR code), or None for other text.

        >>> parse_enrollment_link("qalam://enroll?server=https%3A%2F%2F10.0.0.2%3A8443&code=K7PD-3QXM-9")
        ('https://10.0.0.2:8443', 'K7PD-3QXM-9')
    """
    text = text.strip()
    if not text.lower().startswith(ENROLLMENT_LINK):
        return None
    query = parse_qs(urlsplit(text).query)
    server, code = query.get("server", [""])[0].strip(), query.get("code", [""])[0].strip()
    return (server, code) if server and code else None


def device_key(data_dir: Path):
    return keys.load_or_create(data_dir / DEVICE_KEY)


def enroll(data_dir: Path, server_url: str, code: str, *, allow_http: bool = False,
           fingerprint: str | None = None, client: SyncClient | None = None,
           progress: Callable[[SyncProgress], None] | None = None) -> credentials.Enrollment:
    """Exchange a one-time code for a device token and remember it. Local work is untouched.

    With ``fingerprint`` (from a provisioning file, or the short code the annotator compared
    with the one the server printed), the server's self-signed certificate is pinned: it is
    the only one accepted from then on.
    """
    server_url = check_server_url(server_url, allow_http=allow_http)
    with Store.open(paths.database_path(data_dir)) as store:
        device_id = store.device_id
    verify = True
    pem = None
    if fingerprint:
        parts = urlsplit(server_url)
        pem = tls.fetch_certificate(parts.hostname, parts.port or 443)
        tls.check_pin(pem, fingerprint)
        verify = tls.pinned_context(pem)
    client = client or SyncClient(server_url, verify=verify, progress=progress)
    result = client.enroll(code=code, device_id=device_id, device_name=platform.node(),
                           public_key=keys.public_key_text(device_key(data_dir)))
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
    client = client or SyncClient(enrollment.server_url, token=token, progress=progress,
                                  deadline=deadline, verify=server_verification(data_dir))
    with Store.open(paths.database_path(data_dir)) as store:
        return client.sync(lambda job: job(store))


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
