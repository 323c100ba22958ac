"""Where a device keeps what enrollment gave it.

Non-secret facts (server address, user, role, languages, the server's public key, the pinned
certificate fingerprint) go to ``sync.json`` in the data directory. The device token goes to the
OS keyring when one is available (Windows Credential Manager, macOS Keychain, Secret Service),
otherwise to a file only the user can read (0600) beside the database.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)

KEYRING_SERVICE = "Qalam"


@dataclass
class Enrollment:
    server_url: str
    server_id: str
    device_id: str
    user_id: str
    user_name: str
    role: str
    languages: list[str] = field(default_factory=list)
    server_public_key: str = ""
    tls_fingerprint: str = ""      # SHA-256 of the server certificate we pinned, if any


def _paths(data_dir: Path) -> tuple[Path, Path]:
    return data_dir / "sync.json", data_dir / "device-token"


def save(data_dir: Path, enrollment: Enrollment, token: str) -> str:
    """Store the enrollment and its token. Returns where the token went."""
    facts, token_file = _paths(data_dir)
    # Written aside and renamed: the app reads this file while enrollment runs in the
    # background, and must never see it half-written.
    partial = facts.with_name(facts.name + ".partial")
    partial.write_text(json.dumps(asdict(enrollment), indent=2, ensure_ascii=False), "utf-8")
    os.replace(partial, facts)
    if _keyring_set(enrollment.device_id, token):
        token_file.unlink(missing_ok=True)
        return "keyring"
    descriptor = os.open(token_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(token)
    os.chmod(token_file, 0o600)
    return str(token_file)


def load_enrollment(data_dir: Path) -> Enrollment | None:
    """The stored enrollment (server, user, languages) without its token: no keyring asked."""
    facts, _token_file = _paths(data_dir)
    try:
        return Enrollment(**json.loads(facts.read_text("utf-8")))
    except (OSError, ValueError, TypeError):
        return None


def load(data_dir: Path) -> tuple[Enrollment, str] | None:
    """The stored enrollment and token, or None when this device was never enrolled."""
    facts, token_file = _paths(data_dir)
    if not facts.exists():
        return None
    enrollment = Enrollment(**json.loads(facts.read_text("utf-8")))
    token = _keyring_get(enrollment.device_id)
    if token is None and token_file.exists():
        token = token_file.read_text().strip()
    if not token:
        return None
    return enrollment, token


def _keyring_set(device_id: str, token: str) -> bool:
    if os.environ.get("QALAM_NO_KEYRING"):
        return False
    try:
        import keyring
        from keyring.errors import KeyringError

        try:
            keyring.set_password(KEYRING_SERVICE, device_id, token)
            return True
        except (KeyringError, RuntimeError) as exc:
            log.info("no usable OS keyring (%s); keeping the token in a private file", exc)
            return False
    except ImportError:
        return False


def _keyring_get(device_id: str) -> str | None:
    if os.environ.get("QALAM_NO_KEYRING"):
        return None
    try:
        import keyring
        from keyring.errors import KeyringError

        try:
            return keyring.get_password(KEYRING_SERVICE, device_id)
        except (KeyringError, RuntimeError):
            return None
    except ImportError:
        return None
