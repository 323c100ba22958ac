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


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


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
    d = tables.devices
    run_write(engine, lambda conn: conn.execute(d.update().where(d.c.id == row.id)
                                                .values(**values)))
