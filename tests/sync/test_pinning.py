"""A pinned field server: the exact certificate or nothing, and enrollment cards that pin it.

The pinned certificate is given to OpenSSL as a trust anchor, and OpenSSL does not check an
anchor's own signature; so the device compares the peer's full SHA-256 after every handshake.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization

from app import paths
from app.errors import SyncError
from sync import credentials, device
from sync import tls as device_tls
from sync.protocol import SHORT_CODE_CHARACTERS, certificate_short_code
from sync.server import db
from sync.server.api.factory import create_app
from sync.server.people import enrollment, server_identity, tls, users
from sync.server.web.enrollment import enrollment_link
from tests.server.helpers import LiveServer, Server


@pytest.fixture
def engine(tmp_path):
    """A migrated SQLite server database (pinning does not depend on the backend)."""
    engine = db.create_engine(db.database_url(str(tmp_path / "server.db")))
    db.migrate(engine)
    server_identity.ensure_server_identity(engine)
    yield engine
    engine.dispose()


def _twin(cert: tls.Certificate, directory) -> str:
    """The same certificate (name, key, extensions) signed again: other signature bytes."""
    key = serialization.load_pem_private_key(cert.key_path.read_bytes(), None)
    original = x509.load_pem_x509_certificate(cert.cert_path.read_bytes())
    builder = (x509.CertificateBuilder().subject_name(original.subject)
               .issuer_name(original.issuer).public_key(original.public_key())
               .serial_number(original.serial_number)
               .not_valid_before(original.not_valid_before_utc)
               .not_valid_after(original.not_valid_after_utc))
    for extension in original.extensions:
        builder = builder.add_extension(extension.value, extension.critical)
    path = directory / "twin.crt"
    path.write_bytes(builder.sign(key, hashes.SHA256()).public_bytes(
        serialization.Encoding.PEM))
    return str(path)


def test_the_short_code_people_compare_holds_at_least_80_bits():
    code = certificate_short_code("ab" * 32)
    assert SHORT_CODE_CHARACTERS * 5 >= 80
    assert len(code.replace("-", "")) == SHORT_CODE_CHARACTERS


def test_a_certificate_with_the_pinned_key_but_other_signature_bytes_is_refused(
        tmp_path, engine):
    cert = tls.ensure_certificate(tmp_path)
    pem = cert.cert_path.read_text()
    twin = _twin(cert, tmp_path)
    app = create_app(engine)
    with LiveServer(app, ssl_certfile=twin, ssl_keyfile=str(cert.key_path)) as live:
        with pytest.raises(httpx.ConnectError):
            httpx.get(f"{live.url}/v1/info", verify=device_tls.pinned_context(pem), timeout=10)
        # Where OpenSSL's chain check passes (here: the twin as the anchor), the exact
        # SHA-256 comparison after the handshake still refuses it.
        context = device_tls.pinned_context(Path(twin).read_text())
        context.qalam_pin = device_tls.fingerprint(pem)
        with pytest.raises(httpx.ConnectError, match="not the pinned one"):
            httpx.get(f"{live.url}/v1/info", verify=context, timeout=10)
    with LiveServer(app, ssl_certfile=str(cert.cert_path),
                    ssl_keyfile=str(cert.key_path)) as live:
        response = httpx.get(f"{live.url}/v1/info", verify=device_tls.pinned_context(pem),
                             timeout=10)
        assert response.status_code == 200


def test_a_pin_is_the_full_fingerprint_or_the_80_bit_code(tmp_path):
    cert = tls.ensure_certificate(tmp_path)
    pem = cert.cert_path.read_text()
    device_tls.check_pin(pem, cert.fingerprint)                 # as serve prints it
    device_tls.check_pin(pem, cert.fingerprint.replace(":", "").lower())  # as a link has it
    device_tls.check_pin(pem, cert.short_code.lower())
    with pytest.raises(SyncError, match="does not match"):
        device_tls.check_pin(pem, cert.short_code[:11])  # the old 50-bit code: too short


def test_the_enrollment_card_link_carries_the_certificate_fingerprint(tmp_path, engine):
    cert = tls.ensure_certificate(tmp_path)
    fingerprint = cert.fingerprint.replace(":", "").lower()
    link = enrollment_link("https://192.0.2.7:8443", "K7PD-3QXM-9", fingerprint)
    assert device.read_enrollment_link(link) == ("https://192.0.2.7:8443", "K7PD-3QXM-9",
                                                 fingerprint)
    assert "fp=" not in enrollment_link("http://127.0.0.1:8000", "K7PD-3QXM-9", fingerprint)
    damaged = link[:-4]
    assert device.read_enrollment_link(damaged) is None  # half a fingerprint is never pinned


def test_the_cards_link_enrolls_against_a_tls_server_with_nothing_typed(tmp_path, engine):
    cert = tls.ensure_certificate(tmp_path / "tls")
    app = create_app(engine, tls_fingerprint=cert.fingerprint)
    with Server(engine) as harness, LiveServer(app, ssl_certfile=str(cert.cert_path),
                                               ssl_keyfile=str(cert.key_path)) as live:
        coordinator = harness.member("coordinator", languages=[])
        card = _card_link(app, coordinator, live.url)
        link = device.read_enrollment_link(card)
        assert link.fingerprint == cert.fingerprint.replace(":", "").lower()
        enrollment = device.enroll(paths.data_dir(tmp_path / "amina"), link.server, link.code,
                                   fingerprint=link.fingerprint)
        assert enrollment.tls_fingerprint == link.fingerprint
        loaded, token = credentials.load(tmp_path / "amina")
        assert loaded.server_url == live.url and token


def _card_link(app, coordinator, url: str) -> str:
    """Make a code on the dashboard's enrollment page and read the card's link off it."""
    import html
    import re
    import warnings

    from tests.web.helpers import Browser

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from starlette.testclient import TestClient
    with TestClient(app, follow_redirects=False) as client:
        browser = Browser(client)
        assert browser.sign_in(token=coordinator.token).status_code == 303
        made = browser.post("/dashboard/enrollment", data={
            "name": "Amina", "role": "annotator", "languages": "urd_Arab", "server": url})
    assert made.status_code == 200, made.text
    return html.unescape(re.search(r'id="link" readonly dir="ltr" value="([^"]+)"',
                                   made.text).group(1))


def test_an_https_server_this_computer_does_not_trust_is_named_at_once(tmp_path, engine):
    cert = tls.ensure_certificate(tmp_path / "tls")
    with Server(engine) as harness, LiveServer(create_app(engine),
                                               ssl_certfile=str(cert.cert_path),
                                               ssl_keyfile=str(cert.key_path)) as live:
        _, code, _ = harness.invite(name="Amina")
        with pytest.raises(device.UntrustedCertificate) as refused:
            device.enroll(paths.data_dir(tmp_path / "amina"), live.url, code)
        assert refused.value.short_code == cert.short_code
        assert cert.short_code in str(refused.value)
        # The person compared the code and said yes: the same code now enrolls, pinned.
        enrollment = device.enroll(paths.data_dir(tmp_path / "amina"), live.url, code,
                                   fingerprint=refused.value.fingerprint)
        assert enrollment.tls_fingerprint == refused.value.fingerprint


def test_serve_tls_cards_link_enrolls_with_qalam_enroll_link_and_nothing_typed(tmp_path):
    """The whole path: `serve --tls`, a coordinator makes a code on the dashboard, and the
    card's link given to `qalam enroll --link` pins the server (no --fingerprint)."""
    import html
    import os
    import re
    import subprocess
    import sys

    from sync.protocol import EnrollRequest
    from tests.sync.live import ROOT, ServerProcess

    with ServerProcess(tmp_path / "hall.db", tls=True) as hall:
        pem = device_tls.fetch_certificate("127.0.0.1", hall.port)
        _, code, _ = users.invite(hall.engine, name="Noor", role="coordinator")
        token = enrollment.enroll(hall.engine, EnrollRequest(code=code, device_id="noor-1")).token
        with httpx.Client(base_url=hall.url, verify=device_tls.pinned_context(pem),
                          timeout=30) as browser:
            csrf = re.search(r'name="csrf" value="([^"]+)"',
                             browser.get("/dashboard/sign-in").text).group(1)
            browser.post("/dashboard/sign-in", data={"csrf": csrf, "token": token})
            page = browser.get("/dashboard/enrollment").text
            csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
            made = browser.post("/dashboard/enrollment", data={
                "csrf": csrf, "name": "Amina", "role": "annotator", "languages": "urd_Arab",
                "server": hall.url})
        link = html.unescape(re.search(r'id="link" readonly dir="ltr" value="([^"]+)"',
                                       made.text).group(1))
        assert device.read_enrollment_link(link).fingerprint == device_tls.fingerprint(pem)
        enrolled = subprocess.run(
            [sys.executable, "-m", "ui.cli", "enroll", "--link", link, "--data-dir",
             str(tmp_path / "amina")], cwd=ROOT, capture_output=True, text=True, timeout=120,
            env={**os.environ, "QALAM_NO_KEYRING": "1"})
        assert enrolled.returncode == 0, enrolled.stderr
        loaded, _token = credentials.load(tmp_path / "amina")
        assert loaded.tls_fingerprint == device_tls.fingerprint(pem)
