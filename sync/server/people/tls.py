"""The server's self-signed certificate, and a fingerprint people can compare by eye.

    cert = ensure_certificate(Path("."), hosts=["192.168.1.20"])
    print(cert.short_code)           # 'MFRG-GZDF-MZTW-Q2LK' — the annotator's app shows it too

Made once and kept next to the database (``qalam-server.crt`` / ``qalam-server.key``, both
readable only by their owner). Devices pin the certificate by its SHA-256 fingerprint; the short
code is the first 16 base32 characters (80 bits) of that fingerprint, grouped in fours.
"""

from __future__ import annotations

import datetime
import hashlib
import ipaddress
import socket
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from app.private import open_private, private_dir
from sync.protocol import certificate_short_code

CERT_NAME = "qalam-server.crt"
KEY_NAME = "qalam-server.key"
VALID_DAYS = 3650


@dataclass(frozen=True)
class Certificate:
    cert_path: Path
    key_path: Path
    fingerprint: str   # SHA-256 of the DER certificate, colon-separated hex
    short_code: str    # e.g. 'MFRG-GZDF-MZTW-Q2LK'
    created: bool


def fingerprint(der: bytes) -> str:
    return ":".join(f"{b:02X}" for b in hashlib.sha256(der).digest())


def short_code(der: bytes) -> str:
    """First 10 base32 characters of the SHA-256 fingerprint, grouped: 'ABCDE-FGHIJ'.

    The one definition is :func:`sync.protocol.certificate_short_code`; devices compare with it.
    """
    return certificate_short_code(hashlib.sha256(der).hexdigest())


def ensure_certificate(directory: Path, hosts: list[str] = ()) -> Certificate:
    """The certificate in ``directory``, made (with its key) when missing."""
    directory = Path(directory)
    cert_path, key_path = directory / CERT_NAME, directory / KEY_NAME
    created = False
    if not (cert_path.exists() and key_path.exists()):
        private_dir(directory)
        key = ec.generate_private_key(ec.SECP256R1())
        cert = _self_signed(key, hosts)
        with open_private(key_path) as f:
            f.write(key.private_bytes(serialization.Encoding.PEM,
                                      serialization.PrivateFormat.PKCS8,
                                      serialization.NoEncryption()))
        with open_private(cert_path) as f:
            f.write(cert.public_bytes(serialization.Encoding.PEM))
        created = True
    der = x509.load_pem_x509_certificate(cert_path.read_bytes()).public_bytes(
        serialization.Encoding.DER)
    return Certificate(cert_path, key_path, fingerprint(der), short_code(der), created)


def _self_signed(key: ec.EllipticCurvePrivateKey, hosts) -> x509.Certificate:
    names: list[x509.GeneralName] = [x509.DNSName("localhost")]
    addresses = {"127.0.0.1", "::1"}
    for host in [socket.gethostname(), *hosts]:
        try:
            addresses.add(str(ipaddress.ip_address(host)))
        except ValueError:
            if host and x509.DNSName(host) not in names:
                names.append(x509.DNSName(host))
    names += [x509.IPAddress(ipaddress.ip_address(a)) for a in sorted(addresses)
              if not ipaddress.ip_address(a).is_unspecified]
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Qalam server"),
                         x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Qalam")])
    now = datetime.datetime.now(datetime.UTC)
    public = key.public_key()
    return (
        x509.CertificateBuilder()
        .subject_name(subject).issuer_name(subject).public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=VALID_DAYS))
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(
            digital_signature=True, key_encipherment=False, content_commitment=False,
            data_encipherment=False, key_agreement=True, key_cert_sign=False, crl_sign=False,
            encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(public),
                       critical=False)
        .sign(key, hashes.SHA256())
    )
