"""The ``user_id`` a published dataset shows: a keyed SHA-256 of the real id, never the id.

    pseudonym = Pseudonyms.load(engine)     # makes the server's export salt on first use
    pseudonym("0190f3c2-…")                 # '9b1c…' (64 hex digits, like the Aya Dataset's)

The salt (256 random bits) is made once and kept in ``server_meta`` under ``export_salt``, so
one person has the same pseudonym in every export of this server, and nobody without the
database can link a pseudonym to a person by hashing candidate ids. The salt never leaves
the server: it is in no export, log or wire message. HMAC-SHA-256 is the salted hash, keyed
with the salt (the construction built for keyed hashing, so length extension cannot help).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from functools import lru_cache

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from sync.server import tables
from sync.server.db import run_write

SALT_KEY = "export_salt"
SERVER_META = tables.server_meta


class Pseudonyms:
    def __init__(self, salt: bytes):
        self._salt = salt
        self._hash = lru_cache(maxsize=65536)(self._compute)  # a few thousand contributors
        self.of = self._hash  # the same as calling this, with no call of Python between

    @classmethod
    def load(cls, target: Engine | Connection) -> Pseudonyms:
        """The server's pseudonyms, making and storing the salt the first time."""

        def work(conn: Connection) -> str:
            salt = conn.execute(sa.select(SERVER_META.c.value)
                                .where(SERVER_META.c.key == SALT_KEY)).scalar()
            if salt is None:
                salt = secrets.token_hex(32)
                # A concurrent first export inserting too fails the key; run_write retries
                # and then reads the winner's salt.
                conn.execute(SERVER_META.insert().values(key=SALT_KEY, value=salt))
            return salt

        return cls(bytes.fromhex(run_write(target, work)))

    def _compute(self, user_id: str) -> str:
        return hmac.new(self._salt, user_id.encode("utf-8"), hashlib.sha256).hexdigest()

    def __call__(self, user_id: str) -> str:
        return self._hash(user_id)

    def __repr__(self) -> str:  # never show the salt
        return "Pseudonyms(<salt hidden>)"
