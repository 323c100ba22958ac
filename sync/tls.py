"""Trusting a field server's self-signed certificate by its fingerprint.

A coordinator's laptop on a village-hall Wi-Fi has no certificate a browser would trust. The
device trusts it only by a fingerprint it got from the provisioning file, or that the annotator
confirmed by comparing the short code the server printed (``qalam-server serve --tls``). The
pinned certificate is then the only one accepted for that server; any other is refused.

    pem = fetch_certificate("192.168.1.20", 8443)
    fingerprint(pem), protocol.certificate_short_code(fingerprint(pem))   # show, compare
    client = SyncClient(url, verify=pinned_context(pem))
"""

from __future__ import annotations

import hashlib
import socket
import ssl

from app.errors import SyncError
from sync.protocol import certificate_short_code


def fingerprint(pem: str) -> str:
    """SHA-256 of the certificate's DER bytes, hex."""
    return hashlib.sha256(ssl.PEM_cert_to_DER_cert(pem)).hexdigest()


def short_code(pem: str) -> str:
    return certificate_short_code(fingerprint(pem))


def fetch_certificate(host: str, port: int, timeout: float = 10.0) -> str:
    """The certificate a server presents, unverified (to be compared, never trusted blindly)."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    try:
        with socket.create_connection((host, port), timeout=timeout) as raw, \
                context.wrap_socket(raw, server_hostname=host) as tls:
            der = tls.getpeercert(binary_form=True)
    except OSError as exc:
        raise SyncError("tls", f"Cannot reach {host}:{port} to read its certificate ({exc}).") \
            from exc
    return ssl.DER_cert_to_PEM_cert(der)


def pinned_context(pem: str) -> ssl.SSLContext:
    """An SSL context that trusts exactly this certificate (hostname not checked: a field
    server is reached by whatever address the local network gave it)."""
    context = ssl.create_default_context(cadata=pem)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_REQUIRED
    return context


def check_pin(pem: str, expected_fingerprint: str) -> None:
    """Raise unless ``pem`` is the certificate with ``expected_fingerprint`` (hex, any case;
    a short code is accepted too)."""
    expected = expected_fingerprint.strip().lower().replace(":", "")
    actual = fingerprint(pem)
    if expected in (actual, short_code(pem).lower()):
        return
    raise SyncError(
        "tls",
        "The server's certificate does not match the one you were given "
        f"(it shows {short_code(pem)}). Do not connect; ask your coordinator.",
    )
