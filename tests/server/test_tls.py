"""serve --tls: the self-signed certificate, its fingerprint and short code."""

import base64
import hashlib
import re
import ssl
import stat
import subprocess
import sys
import time

import httpx
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from sync.protocol import PROTOCOL_VERSION
from sync.server.people import tls
from tests.server.helpers import LiveServer


def _der(path):
    return x509.load_pem_x509_certificate(path.read_bytes()).public_bytes(
        serialization.Encoding.DER)


def test_certificate_is_made_once_with_a_private_key(tmp_path):
    first = tls.ensure_certificate(tmp_path, hosts=["192.0.2.7"])
    assert first.created and first.cert_path.exists() and first.key_path.exists()
    assert stat.S_IMODE(first.key_path.stat().st_mode) == 0o600
    second = tls.ensure_certificate(tmp_path)
    assert not second.created and second.fingerprint == first.fingerprint
    cert = x509.load_pem_x509_certificate(first.cert_path.read_bytes())
    names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert "localhost" in names.get_values_for_type(x509.DNSName)
    assert "192.0.2.7" in [str(a) for a in names.get_values_for_type(x509.IPAddress)]


def test_fingerprint_and_short_code(tmp_path):
    cert = tls.ensure_certificate(tmp_path)
    digest = hashlib.sha256(_der(cert.cert_path)).digest()
    assert cert.fingerprint == ":".join(f"{b:02X}" for b in digest)
    assert re.fullmatch(r"[A-Z2-7]{4}(-[A-Z2-7]{4}){3}", cert.short_code)  # 80 bits
    assert cert.short_code.replace("-", "") == base64.b32encode(digest).decode()[:16]


def test_https_request_verified_against_the_certificate(harness, tmp_path):
    cert = tls.ensure_certificate(tmp_path)
    with LiveServer(harness.app, ssl_certfile=str(cert.cert_path),
                    ssl_keyfile=str(cert.key_path)) as live:
        context = ssl.create_default_context(cafile=str(cert.cert_path))
        response = httpx.get(f"{live.url}/v1/info", verify=context, timeout=10)
        assert response.status_code == 200
        assert response.json()["protocol_version"] == PROTOCOL_VERSION


def test_serve_tls_prints_the_fingerprint_and_short_code(tmp_path):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "sync.server.cli", "serve", "--db", str(tmp_path / "s.db"),
         "--tls", "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        lines = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            lines.append(line)
            if line.startswith("Serving") or not line:
                break
        output = "".join(lines)
        cert = tls.ensure_certificate(tmp_path)  # the one serve made next to the database
        assert not cert.created
        assert f"SHA-256 fingerprint: {cert.fingerprint}" in output
        assert f"Short code (compare on each device): {cert.short_code}" in output
        context = ssl.create_default_context(cafile=str(cert.cert_path))
        for _ in range(100):
            try:
                response = httpx.get(f"https://127.0.0.1:{port}/healthz", verify=context)
                break
            except httpx.ConnectError:
                time.sleep(0.1)
        assert response.status_code == 200
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_short_code_is_what_devices_compare(tmp_path):
    from sync import tls as device_tls

    cert = tls.ensure_certificate(tmp_path)
    pem = cert.cert_path.read_text()
    assert device_tls.short_code(pem) == cert.short_code
    device_tls.check_pin(pem, cert.fingerprint)  # the printed form is accepted as a pin
    device_tls.check_pin(pem, cert.short_code)
