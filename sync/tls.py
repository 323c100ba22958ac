"""Trusting a field server's self-signed certificate by its fingerprint.

A coordinator's laptop on a village-hall Wi-Fi has no certificate a browser would trust. The
device trusts it only by a fingerprint it got from the enrollment card's link, the
provisioning file, or the short code the annotator compared with the one the server printed
(``qalam-server serve --tls``). The pinned certificate is then the only one accepted for that
server; any other is refused.

    pem = fetch_certificate("192.168.1.20", 8443)
    fingerprint(pem), short_code(pem)             # show, compare
    client = SyncClient(url, verify=pinned_context(pem))

Why the full SHA-256 is compared after each handshake: the pinned certificate is given to
OpenSSL as a trust anchor, and OpenSSL does not check a trust anchor's own signature, so a
certificate with the same name and key but other signature bytes (a different hash) would
pass its chain check. :func:`pinned_context` refuses any peer certificate whose SHA-256 is not
exactly the pin's.
"""

from __future__ import annotations

import hashlib
import hmac
import socket
import ssl

from app.errors import SyncError
from sync.protocol import certificate_short_code


def fingerprint(pem: str) -> str:
    """SHA-256 of the certificate's DER bytes, hex."""
    return hashlib.sha256(ssl.PEM_cert_to_DER_cert(pem)).hexdigest()


def short_code(pem: str) -> str:
    return certificate_short_code(fingerprint(pem))


def normalize_fingerprint(text: str) -> str:
    """A fingerprint as printed (colon-separated, any case) or as a link carries it (hex),
    to plain lower-case hex; a short code is returned as its upper-case letters."""
    return text.strip().replace(":", "").replace("-", "").replace(" ", "").lower()


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
        raise SyncError("tls", f"Cannot reach {host}:{port} to read its certificate.") \
            from exc
    return ssl.DER_cert_to_PEM_cert(der)


class PinMismatch(ssl.SSLCertVerificationError):
    """The peer's certificate is not byte for byte the pinned one."""


class _PinnedSocket(ssl.SSLSocket):
    """An SSLSocket that, once the handshake is done, insists on the exact pinned bytes."""

    def do_handshake(self, *args, **kwargs):
        super().do_handshake(*args, **kwargs)
        der = self.getpeercert(binary_form=True) or b""
        expected = self.context.qalam_pin  # set by pinned_context
        if not hmac.compare_digest(hashlib.sha256(der).hexdigest(), expected):
            self.close()
            raise PinMismatch("the server's certificate is not the pinned one")


def pinned_context(pem: str) -> ssl.SSLContext:
    """An SSL context that trusts exactly this certificate: its chain is checked as a trust
    anchor, then the peer's full SHA-256 must equal this one's (hostname not checked: a field
    server is reached by whatever address the local network gave it)."""
    context = ssl.create_default_context(cadata=pem)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_REQUIRED
    context.qalam_pin = fingerprint(pem)
    context.sslsocket_class = _PinnedSocket
    return context


def matches(pem: str, expected: str) -> bool:
    """Is ``pem`` the certificate with ``expected`` (the full fingerprint in hex, any case or
    with colons, or the short code a person compared)?"""
    wanted = normalize_fingerprint(expected)
    return hmac.compare_digest(wanted, fingerprint(pem)) or hmac.compare_digest(
        wanted, normalize_fingerprint(short_code(pem)))


def check_pin(pem: str, expected_fingerprint: str) -> None:
    """Raise unless ``pem`` is the certificate with ``expected_fingerprint``."""
    if matches(pem, expected_fingerprint):
        return
    raise SyncError(
        "tls",
        "The server's certificate does not match the one you were given "
        f"(it shows {short_code(pem)}). Do not connect; ask your coordinator.",
    )
