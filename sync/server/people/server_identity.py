"""The server's own identity: its id and Ed25519 key pair, made once and kept in the database.

    ensure_server_identity(engine)                  # qalam-server init; idempotent
    server_identity(conn).server_id                 # every pull page and enrollment names it

Devices learn the public key when they enroll and check offline answer bundles with it.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

import sqlalchemy as sa
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy.engine import Connection, Engine

from app import clock
from app.ids import new_id
from sync.protocol import ErrorCode
from sync.server import tables
from sync.server.db import read, run_write
from sync.server.errors import ServerError


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
