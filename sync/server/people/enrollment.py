"""Enrollment: a device exchanges a one-time code from a coordinator for its token.

    result = enroll(engine, EnrollRequest(code=code, device_id="d1"), client="203.0.113.9")

The token is ``secrets.token_urlsafe(32)`` and shown once; only its hash is kept
(:func:`sync.server.people.authentication.token_hash`).
"""

from __future__ import annotations

import base64
import binascii
import secrets

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from app import clock
from sync import keys
from sync.protocol import EnrollRequest, EnrollResult, ErrorCode, enrollment_proof
from sync.server import tables
from sync.server.db import run_write
from sync.server.errors import ServerError
from sync.server.people import codes
from sync.server.people.authentication import token_hash
from sync.server.people.ratelimit import FailureLimit
from sync.server.people.server_identity import server_identity
from sync.server.people.users import load_user

ENROLL_FAILURES_ALLOWED = 20             # per client address and window
CODE_FAILURES_ALLOWED = 5                # per code: another device presenting a used code…
ACCOUNT_FAILURES_ALLOWED = 10            # per user: attempts on devices that are not theirs
ENROLL_FAILURE_WINDOW = 15 * 60          # seconds
DEVICES = tables.devices
DEVICE_TOKENS = tables.device_tokens
ENROLLMENT_CODES = tables.enrollment_codes

# A device id belongs to one user for life (DESIGN.md invariant 6). Enrolling a device id the
# server has never seen binds it to the code's user and to the device's Ed25519 key; enrolling
# a known device id again (after a revoke, with a new code of the same user) needs a proof
# signed by that key, and another user's code can never rebind it. The same device sending
# the same code again — its first answer was lost on the way — gets a working token, and the
# one it never received is revoked.
#
# Only failures are counted, per client address, per code and per account (the code's user),
# inside the enrollment's own transaction: a room of devices enrolling at once from one
# address never touches a counter, while a burst of wrong codes is judged one at a time.


class _Refused(Exception):
    """An enrollment refused inside the transaction: the failure counts are committed with
    it, then ``error`` is raised to the caller."""

    def __init__(self, error: ServerError, *counted: tuple[FailureLimit, str]):
        super().__init__(error.message)
        self.error = error
        self.counted = counted  # (limit, key) pairs this failure counts against


def enroll(engine: Engine, request: EnrollRequest, *, client: str = "") -> EnrollResult:
    """Exchange a one-time code for a device token (shown once; only its hash is kept)."""
    for field in ("device_name", "app_version", "public_key", "proof"):
        _check_text(field, getattr(request, field))
    _check_key(request)
    address = (_limit(ENROLL_FAILURES_ALLOWED), f"enroll-address:{client}")

    def work(conn: Connection) -> EnrollResult | ServerError:
        wait = address[0].wait(conn, address[1])
        if wait is not None:
            return _rate_limited(wait, "from this address")
        try:
            return _enroll(conn, request)
        except _Refused as refused:
            for limit, key in (address, *refused.counted):
                limit.fail(conn, key)
            return refused.error  # the counts commit; the caller raises

    outcome = run_write(engine, work)
    if isinstance(outcome, ServerError):
        raise outcome
    return outcome


def _enroll(conn: Connection, request: EnrollRequest) -> EnrollResult:
    try:
        code_hash = codes.code_hash(request.code)
    except ServerError as typo:
        raise _Refused(typo) from None
    now = clock.utc_now()
    row = conn.execute(sa.select(ENROLLMENT_CODES)
                       .where(ENROLLMENT_CODES.c.code_hash == code_hash)).first()
    if row is None:
        raise _Refused(ServerError(
            ErrorCode.invalid_code, "That code is not known here. Check it with your "
            "coordinator.", {"reason": "unknown"}))
    code_key = (_limit(CODE_FAILURES_ALLOWED), f"enroll-code:{code_hash}")
    account_key = (_limit(ACCOUNT_FAILURES_ALLOWED), f"enroll-account:{row.user_id}")
    for (limit, key), whose in ((code_key, "for this code"), (account_key, "for this account")):
        wait = limit.wait(conn, key)
        if wait is not None:
            raise _Refused(_rate_limited(wait, whose))
    device = conn.execute(sa.select(DEVICES).where(DEVICES.c.id == request.device_id)).first()
    if row.used_at is not None:
        if not _same_device_again(row, device, request, now):
            raise _Refused(ServerError(
                ErrorCode.invalid_code, "That code was already used. Ask your coordinator "
                "for a new one.", {"reason": "used"}), code_key)
    elif row.expires_at <= now:
        raise _Refused(ServerError(
            ErrorCode.invalid_code, f"That code expired on {row.expires_at[:10]}. Ask your "
            "coordinator for a new one.", {"reason": "expired"}), code_key)
    else:
        _check_binding(device, row.user_id, request, code_key, account_key)
        claimed = conn.execute(ENROLLMENT_CODES.update()
                               .where(ENROLLMENT_CODES.c.code_hash == code_hash,
                                      ENROLLMENT_CODES.c.used_at.is_(None))
                               .values(used_at=now, device_id=request.device_id))
        if claimed.rowcount != 1:  # cannot happen under the write lock; refuse if it does
            raise _Refused(ServerError(
                ErrorCode.invalid_code, "That code was already used. Ask your coordinator "
                "for a new one.", {"reason": "used"}), code_key)
    values = {"user_id": row.user_id, "name": request.device_name,
              "public_key": request.public_key or (device.public_key if device else ""),
              "app_version": request.app_version, "last_seen": now, "revoked_at": None}
    if device is not None:
        conn.execute(DEVICES.update().where(DEVICES.c.id == request.device_id).values(**values))
    else:
        conn.execute(DEVICES.insert().values(id=request.device_id, enrolled_at=now, **values))
    token = _new_token(conn, request.device_id, now)
    user = load_user(conn, row.user_id)
    identity = server_identity(conn)
    return EnrollResult(
        token=token, device_id=request.device_id, user_id=user.id, user_name=user.name,
        role=user.role, languages=list(user.languages), server_id=identity.server_id,
        server_public_key=identity.public_key,
    )


def _same_device_again(code_row, device, request: EnrollRequest, now: str) -> bool:
    """Is this the device that used the code, asking again because the answer was lost?

    Same device id, same key (proved by a signature when the device has one), the device not
    revoked since, and the code still within its validity."""
    if device is None or code_row.device_id != request.device_id:
        return False
    if device.revoked_at is not None or code_row.expires_at <= now:
        return False
    if device.user_id != code_row.user_id or device.public_key != request.public_key:
        return False
    return not device.public_key or _proved(request, device.public_key)


def _check_binding(device, user_id: str, request: EnrollRequest, code_key, account_key) -> None:
    """Refuse to bind a known device id to another user, or to anyone without its key."""
    if device is None:
        if request.proof and not _proved(request, request.public_key):
            raise _Refused(ServerError(
                ErrorCode.invalid_request, "The device's key proof does not verify; "
                "enroll again from the app.", {"field": "proof"}), code_key)
        return
    if device.user_id != user_id:
        raise _Refused(ServerError(
            ErrorCode.forbidden, "This device is registered to another person. Enroll from "
            "your own computer, or ask your coordinator.", {"reason": "device_taken"}),
            code_key, account_key)
    if device.public_key and not (request.public_key == device.public_key
                                  and _proved(request, device.public_key)):
        raise _Refused(ServerError(
            ErrorCode.forbidden, "This device was enrolled before with another key. Enroll "
            "from the computer that holds it, or ask your coordinator.",
            {"reason": "device_key"}), code_key, account_key)


def _proved(request: EnrollRequest, public_key: str) -> bool:
    message = enrollment_proof(request.code, request.device_id, request.public_key)
    return bool(request.proof) and keys.verify(public_key, message, request.proof)


def _new_token(conn: Connection, device_id: str, now: str) -> str:
    """A fresh token for the device; every earlier one (received or not) is revoked."""
    conn.execute(DEVICE_TOKENS.update().where(DEVICE_TOKENS.c.device_id == device_id,
                                              DEVICE_TOKENS.c.revoked_at.is_(None))
                 .values(revoked_at=now))
    token = secrets.token_urlsafe(32)
    conn.execute(DEVICE_TOKENS.insert().values(token_hash=token_hash(token), device_id=device_id,
                                               created_at=now))
    return token


def _rate_limited(wait: int, whose: str) -> ServerError:
    return ServerError(
        ErrorCode.rate_limited,
        f"Too many failed enrollments {whose}; try again in {wait // 60 + 1} minutes.",
        {"retry_after": wait}, headers={"Retry-After": str(wait)},
    )


def _check_key(request: EnrollRequest) -> None:
    if not request.public_key:
        return
    try:
        raw = base64.b64decode(request.public_key, validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != 32:
        raise ServerError(ErrorCode.invalid_request,
                          "public_key must be a base64 Ed25519 public key (32 bytes).")


def _check_text(field: str, value: str) -> None:
    if "\x00" in value or any("\ud800" <= ch <= "\udfff" for ch in value):
        raise ServerError(ErrorCode.invalid_request,
                          f"{field} contains a NUL or a broken (surrogate) character.",
                          {"field": field})


def _limit(allowed: int) -> FailureLimit:
    return FailureLimit(allowed, ENROLL_FAILURE_WINDOW)  # read at call time: tests lower them
