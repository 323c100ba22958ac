"""Who is who: users, enrollment codes, devices and their tokens, the server's own key.

    user, code, expires = invite(engine, name="Amina", role="annotator", languages=["urd_Arab"])
    result = enroll(engine, EnrollRequest(code=code, device_id="d1"), client="203.0.113.9")
    device = authenticate(engine, result.token)           # -> Device, or ServerError 401

Tokens are ``secrets.token_urlsafe(32)``: 256 random bits, so an unsalted SHA-256 is enough to
store them; the server never keeps a token or a code in the clear.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy.engine import Connection, Engine

from app import clock
from app.ids import new_id
from sync import keys
from sync.protocol import EnrollRequest, EnrollResult, ErrorCode, enrollment_proof
from sync.server import codes, tables
from sync.server.db import read, run_write
from sync.server.errors import ServerError
from sync.server.ratelimit import FailureLimit

ROLES = ("annotator", "reviewer", "coordinator", "auditor")
DEFAULT_CODE_DAYS = 14
LAST_SEEN_EVERY = timedelta(seconds=60)  # how stale last_seen may get before a write
ENROLL_FAILURES_ALLOWED = 20             # per client address and window
CODE_FAILURES_ALLOWED = 5                # per code: another device presenting a used code…
ACCOUNT_FAILURES_ALLOWED = 10            # per user: attempts on devices that are not theirs
ENROLL_FAILURE_WINDOW = 15 * 60          # seconds


@dataclass(frozen=True)
class Device:
    """An authenticated device and its user: what every engine function acts for.

    ``role`` is the user's *effective* role: a blocked user acts as an annotator whatever
    their role (DESIGN.md invariant 6), so every role check drops their rights by itself;
    ``blocked`` further limits what they may read to their own work.
    """

    id: str
    user_id: str
    user_name: str
    role: str
    languages: tuple[str, ...]
    blocked: bool = False

    @classmethod
    def of(cls, device_id: str, user_id: str, user_name: str, role: str, languages: str,
           blocked_at: str | None) -> Device:
        """The device as stored: ``languages`` is the users row's JSON list."""
        blocked = blocked_at is not None
        return cls(device_id, user_id, user_name, "annotator" if blocked else role,
                   tuple(json.loads(languages)), blocked)


def _device(row) -> Device:
    """A Device from a row with id, user_id, name, role, languages and blocked_at."""
    return Device.of(row.id, row.user_id, row.name, row.role, row.languages, row.blocked_at)


@dataclass(frozen=True)
class User:
    id: str
    name: str
    role: str
    languages: tuple[str, ...]


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


# --- the server's identity -------------------------------------------------------------------


@dataclass(frozen=True)
class ServerIdentity:
    server_id: str
    public_key: str  # base64 of the raw 32-byte Ed25519 key

    def private_key(self, engine: Engine) -> Ed25519PrivateKey:
        pem = read(engine, lambda conn: _meta(conn, "private_key"))
        return serialization.load_pem_private_key(pem.encode(), password=None)


def ensure_server_identity(engine: Engine | Connection) -> ServerIdentity:
    """The server's id and Ed25519 key pair, made on first use and kept in the database."""

    def work(conn: Connection) -> ServerIdentity:
        if _meta(conn, "server_id") is None:
            key = Ed25519PrivateKey.generate()
            pem = key.private_bytes(serialization.Encoding.PEM,
                                    serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption()).decode()
            public = key.public_key().public_bytes(serialization.Encoding.Raw,
                                                   serialization.PublicFormat.Raw)
            conn.execute(tables.server_meta.insert(), [
                {"key": "server_id", "value": new_id()},
                {"key": "private_key", "value": pem},
                {"key": "public_key", "value": base64.b64encode(public).decode()},
                {"key": "created_at", "value": clock.utc_now()},
            ])
        return ServerIdentity(_meta(conn, "server_id"), _meta(conn, "public_key"))

    return run_write(engine, work)


def server_identity(conn: Connection) -> ServerIdentity:
    server_id = _meta(conn, "server_id")
    if server_id is None:
        raise ServerError(ErrorCode.unavailable,
                          "The server is not initialized; run `qalam-server init`.")
    return ServerIdentity(server_id, _meta(conn, "public_key"))


def _meta(conn: Connection, key: str) -> str | None:
    return conn.execute(
        sa.select(tables.server_meta.c.value).where(tables.server_meta.c.key == key)
    ).scalar()


# --- users and invitations -------------------------------------------------------------------


def check_languages(languages) -> tuple[str, ...]:
    from i18n.languages import UnknownLanguage, get

    checked = []
    for code in languages:
        code = code.strip()
        if not code:
            continue
        try:
            checked.append(get(code).code)
        except UnknownLanguage:
            raise ServerError(
                ErrorCode.invalid_request,
                f"{code!r} is not a language code Qalam knows; use registry codes such as "
                "urd_Arab or hin_Deva.",
            ) from None
    return tuple(dict.fromkeys(checked))


def invite(
    engine: Engine, *, name: str, role: str | None = None, languages=None,
    days: float = DEFAULT_CODE_DAYS,
) -> tuple[User, str, str]:
    """Create the user if new (or update role/languages when given); return a one-time code.

    Returns ``(user, code, expires_at)``.
    """
    name = name.strip()
    if not name or len(name) > 200:
        raise ServerError(ErrorCode.invalid_request,
                          "Give the person's name (--name), at most 200 characters.")
    if role is not None and role not in ROLES:
        raise ServerError(ErrorCode.invalid_request,
                          f"Unknown role {role!r}; use one of {', '.join(ROLES)}.")
    langs = check_languages(languages) if languages is not None else None
    if days <= 0:
        raise ServerError(ErrorCode.invalid_request, "A code must be valid for some time.")

    def work(conn: Connection):
        now = clock.utc_now()
        row = conn.execute(sa.select(tables.users).where(tables.users.c.name == name)).first()
        if row is None:
            if role is None:
                raise ServerError(ErrorCode.invalid_request,
                                  f"{name} is a new user: give their --role.")
            if not langs and role != "coordinator":
                raise ServerError(ErrorCode.invalid_request,
                                  f"Give the languages {name} works in (--languages).")
            user_id = new_id()
            conn.execute(tables.users.insert().values(
                id=user_id, name=name, role=role, languages=json.dumps(list(langs or ())),
                created_at=now, updated_at=now))
        else:
            user_id = row.id
            changes = {}
            if role is not None and role != row.role:
                changes["role"] = role
            if langs is not None and list(langs) != json.loads(row.languages):
                changes["languages"] = json.dumps(list(langs))
            if changes:
                conn.execute(tables.users.update().where(tables.users.c.id == user_id)
                             .values(updated_at=now, **changes))
        expires = clock.stamp(datetime.now(UTC) + timedelta(days=days))
        code = codes.new_code()
        conn.execute(tables.enrollment_codes.insert().values(
            code_hash=codes.code_hash(code), user_id=user_id, created_at=now, expires_at=expires))
        return _user(conn, user_id), code, expires

    return run_write(engine, work)  # a code collision is an IntegrityError: retried


def get_user(engine: Engine | Connection, name_or_id: str) -> User:
    def work(conn):
        row = conn.execute(sa.select(tables.users.c.id).where(sa.or_(
            tables.users.c.id == name_or_id, tables.users.c.name == name_or_id))).first()
        if row is None:
            raise ServerError(ErrorCode.not_found, f"No user named {name_or_id!r}.")
        return _user(conn, row.id)

    return read(engine, work)


def _user(conn: Connection, user_id: str) -> User:
    row = conn.execute(sa.select(tables.users).where(tables.users.c.id == user_id)).one()
    return User(row.id, row.name, row.role, tuple(json.loads(row.languages)))


# --- enrollment ------------------------------------------------------------------------------
#
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
    ec = tables.enrollment_codes
    row = conn.execute(sa.select(ec).where(ec.c.code_hash == code_hash)).first()
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
    d = tables.devices
    device = conn.execute(sa.select(d).where(d.c.id == request.device_id)).first()
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
        claimed = conn.execute(ec.update().where(ec.c.code_hash == code_hash,
                                                 ec.c.used_at.is_(None))
                               .values(used_at=now, device_id=request.device_id))
        if claimed.rowcount != 1:  # cannot happen under the write lock; refuse if it does
            raise _Refused(ServerError(
                ErrorCode.invalid_code, "That code was already used. Ask your coordinator "
                "for a new one.", {"reason": "used"}), code_key)
    values = {"user_id": row.user_id, "name": request.device_name,
              "public_key": request.public_key or (device.public_key if device else ""),
              "app_version": request.app_version, "last_seen": now, "revoked_at": None}
    if device is not None:
        conn.execute(d.update().where(d.c.id == request.device_id).values(**values))
    else:
        conn.execute(d.insert().values(id=request.device_id, enrolled_at=now, **values))
    token = _new_token(conn, request.device_id, now)
    user = _user(conn, row.user_id)
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
    t = tables.device_tokens
    conn.execute(t.update().where(t.c.device_id == device_id, t.c.revoked_at.is_(None))
                 .values(revoked_at=now))
    token = secrets.token_urlsafe(32)
    conn.execute(t.insert().values(token_hash=token_hash(token), device_id=device_id,
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


# --- authentication --------------------------------------------------------------------------


def authenticate(engine: Engine, token: str | None, *, app_version: str | None = None) -> Device:
    """The device a bearer token belongs to; ServerError 401 (unauthorized/token_revoked)."""
    if not token:
        raise ServerError(ErrorCode.unauthorized,
                          "This request needs a device token (Authorization: Bearer …); "
                          "enroll the device with a code from your coordinator.",
                          headers={"WWW-Authenticate": "Bearer"})
    t, d, u = tables.device_tokens, tables.devices, tables.users
    query = (
        sa.select(t.c.revoked_at.label("token_revoked_at"), d.c.id, d.c.revoked_at,
                  d.c.last_seen, d.c.app_version, d.c.user_id, u.c.name, u.c.role,
                  u.c.languages, u.c.blocked_at)
        .select_from(t.join(d, d.c.id == t.c.device_id).join(u, u.c.id == d.c.user_id))
        .where(t.c.token_hash == token_hash(token))
    )
    row = read(engine, lambda conn: conn.execute(query).first())
    if row is None:
        raise ServerError(ErrorCode.unauthorized,
                          "This server does not know this device's token; enroll again with a "
                          "code from your coordinator.", headers={"WWW-Authenticate": "Bearer"})
    if row.token_revoked_at is not None or row.revoked_at is not None:
        raise ServerError(ErrorCode.token_revoked,
                          "This device's access was revoked; enroll again with a new code. "
                          "Work on the device is kept.", headers={"WWW-Authenticate": "Bearer"})
    _touch(engine, row, app_version)
    return _device(row)


def _touch(engine: Engine, row, app_version: str | None) -> None:
    now = datetime.now(UTC)
    stale = row.last_seen is None or now - clock.parse(row.last_seen) > LAST_SEEN_EVERY
    version_changed = app_version is not None and app_version != row.app_version
    if not (stale or version_changed):
        return  # spare the database a write on every request
    values = {"last_seen": clock.utc_now()}
    if version_changed:
        values["app_version"] = app_version
    d = tables.devices
    run_write(engine, lambda conn: conn.execute(d.update().where(d.c.id == row.id)
                                                .values(**values)))


def load_device(engine: Engine | Connection, device_id: str) -> Device:
    """The device (and its user) by id, e.g. for importing an offline bundle it signed."""
    d, u = tables.devices, tables.users

    def work(conn):
        row = conn.execute(
            sa.select(d.c.id, d.c.user_id, d.c.revoked_at, u.c.name, u.c.role, u.c.languages,
                      u.c.blocked_at)
            .select_from(d.join(u, u.c.id == d.c.user_id)).where(d.c.id == device_id)
        ).first()
        if row is None:
            raise ServerError(ErrorCode.not_found, f"No enrolled device {device_id!r}.")
        if row.revoked_at is not None:
            raise ServerError(ErrorCode.token_revoked, f"Device {device_id} was revoked.")
        return _device(row)

    return read(engine, work)


# --- administration --------------------------------------------------------------------------


def revoke(engine: Engine, device: str) -> str:
    """Revoke a device (its id or a unique prefix), all its tokens and the dashboard sessions
    they opened; returns the id."""
    d, t = tables.devices, tables.device_tokens

    def work(conn: Connection) -> str:
        ids = [r.id for r in conn.execute(sa.select(d.c.id).where(d.c.id == device))]
        if not ids:
            pattern = device.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            ids = [r.id for r in conn.execute(
                sa.select(d.c.id).where(d.c.id.like(pattern, escape="\\")).limit(2))]
        if not ids:
            raise ServerError(ErrorCode.not_found,
                              f"No device {device!r}; `qalam-server devices` lists them.")
        if len(ids) > 1:
            raise ServerError(ErrorCode.invalid_request,
                              f"{device!r} matches several devices; give more of the id.")
        now = clock.utc_now()
        conn.execute(d.update().where(d.c.id == ids[0], d.c.revoked_at.is_(None))
                     .values(revoked_at=now))
        conn.execute(t.update().where(t.c.device_id == ids[0], t.c.revoked_at.is_(None))
                     .values(revoked_at=now))
        # Dashboard sessions signed in with one of its tokens end with it.
        conn.execute(tables.web_sessions.delete()
                     .where(tables.web_sessions.c.device_id == ids[0]))
        return ids[0]

    return run_write(engine, work)

