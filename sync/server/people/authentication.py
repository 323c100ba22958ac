"""Authentication: the device a request's bearer token belongs to.

    device = authenticate(engine, token)           # -> Device, or ServerError 401

Tokens are ``secrets.token_urlsafe(32)``: 256 random bits, so an unsalted SHA-256 is enough to
store them; the server never keeps a token in the clear.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from app import clock
from sync.protocol import ErrorCode
from sync.server import tables
from sync.server.db import read, run_write
from sync.server.errors import ServerError
from sync.server.people.users import Device

LAST_SEEN_EVERY = timedelta(seconds=60)  # how stale last_seen may get before a write
DEVICES = tables.devices
DEVICE_TOKENS = tables.device_tokens
USERS = tables.users


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def authenticate(engine: Engine, token: str | None, *, app_version: str | None = None) -> Device:
    """The device a bearer token belongs to; ServerError 401 (unauthorized/token_revoked)."""
    if not token:
        raise ServerError(ErrorCode.unauthorized,
                          "This request needs a device token (Authorization: Bearer …); "
                          "enroll the device with a code from your coordinator.",
                          headers={"WWW-Authenticate": "Bearer"})
    query = (
        sa.select(DEVICE_TOKENS.c.revoked_at.label("token_revoked_at"), DEVICES.c.id,
                  DEVICES.c.revoked_at, DEVICES.c.last_seen, DEVICES.c.app_version,
                  DEVICES.c.user_id, USERS.c.name, USERS.c.role, USERS.c.languages,
                  USERS.c.blocked_at)
        .select_from(DEVICE_TOKENS.join(DEVICES, DEVICES.c.id == DEVICE_TOKENS.c.device_id)
                     .join(USERS, USERS.c.id == DEVICES.c.user_id))
        .where(DEVICE_TOKENS.c.token_hash == token_hash(token))
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
    return Device.from_row(row)


def _touch(engine: Engine, row, app_version: str | None) -> None:
    now = datetime.now(UTC)
    stale = row.last_seen is None or now - clock.parse(row.last_seen) > LAST_SEEN_EVERY
    version_changed = app_version is not None and app_version != row.app_version
    if not (stale or version_changed):
        return  # spare the database a write on every request
    values = {"last_seen": clock.utc_now()}
    if version_changed:
        values["app_version"] = app_version
    run_write(engine, lambda conn: conn.execute(DEVICES.update().where(DEVICES.c.id == row.id)
                                                .values(**values)))
