"""Dashboard sign-in: coordinators' and auditors' passwords, cookie sessions, failed attempts.

    set_password(engine, "Farida", "correct horse battery")     # qalam-server set-password
    session, cookie = sign_in(engine, name="Farida", password="correct horse battery",
                              client="203.0.113.9", language="ur")
    load_session(engine, cookie)          # -> Session, or None once expired or signed out
    sign_out(engine, cookie)

Passwords are hashed with Argon2id (argon2-cffi's defaults); a device token of a coordinator's
or auditor's enrolled device signs in too (:func:`sign_in` with ``token=``). Sessions live in
``web_sessions``: the cookie carries a random token and the table only its SHA-256, as for
device tokens, so several server processes share them and a copied database holds no usable
cookie. Each session has its own CSRF token for the POST forms. A session opened with a
device token remembers the device: revoking the device ends it. Failed sign-ins are counted
per client address in ``rate_limits`` (a fixed window, like failed enrollment codes).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.engine import Connection, Engine

from app import clock
from sync.protocol import ErrorCode
from sync.server import tables
from sync.server.db import read, run_write
from sync.server.errors import ServerError
from sync.server.people import authentication, users
from sync.server.people.ratelimit import FailureLimit

DASHBOARD_ROLES = ("coordinator", "auditor")
SESSION_HOURS = 12
MIN_PASSWORD = 10
FAILURES_ALLOWED = 10           # per client address and window
FAILURE_WINDOW = 15 * 60        # seconds
_hasher = PasswordHasher()
# Verified against when the name is unknown, so a wrong name takes as long as a wrong password.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))
USERS = tables.users
WEB_SESSIONS = tables.web_sessions


class SignInRefused(Exception):
    """Why a sign-in failed, in words for the person (``kind``: wrong | role | rate | blocked)."""

    def __init__(self, kind: str, retry_after: int = 0):
        super().__init__(kind)
        self.kind = kind
        self.retry_after = retry_after


@dataclass(frozen=True)
class Session:
    token_hash: str
    user_id: str
    user_name: str
    role: str
    csrf: str
    language: str
    expires_at: str

    @property
    def is_coordinator(self) -> bool:
        return self.role == "coordinator"


# --- passwords -------------------------------------------------------------------------------


def set_password(target: Engine | Connection, name: str, password: str) -> users.User:
    """Set (or replace) the dashboard password of a coordinator or auditor.

    Replacing a password signs out every session of that person.
    """
    if len(password) < MIN_PASSWORD:
        raise ServerError(ErrorCode.invalid_request,
                          f"A password needs at least {MIN_PASSWORD} characters.")
    if password != password.strip() or "\x00" in password:
        raise ServerError(ErrorCode.invalid_request,
                          "A password may not start or end with spaces or contain NUL.")
    hashed = _hasher.hash(password)

    def work(conn: Connection) -> users.User:
        user = users.get_user(conn, name)
        if user.role not in DASHBOARD_ROLES:
            raise ServerError(ErrorCode.forbidden,
                              f"{user.name}'s role is {user.role}; only coordinators and auditors "
                              "sign in to the dashboard.")
        conn.execute(USERS.update().where(USERS.c.id == user.id)
                     .values(password_hash=hashed, updated_at=clock.utc_now()))
        conn.execute(WEB_SESSIONS.delete().where(WEB_SESSIONS.c.user_id == user.id))
        return user

    return run_write(target, work)


# --- signing in and out ----------------------------------------------------------------------


def sign_in(engine: Engine, *, name: str = "", password: str = "", token: str = "",
            client: str = "", language: str = "en") -> tuple[Session, str]:
    """A new session for a name and password, or for a device token; returns it and the
    cookie value. Raises :class:`SignInRefused`."""
    key = f"web-sign-in:{client}"
    limit = FailureLimit(FAILURES_ALLOWED, FAILURE_WINDOW)
    wait = limit.reserve(engine, key)
    if wait is not None:
        raise SignInRefused("rate", wait)
    try:
        user_id, device_id = (_by_token(engine, token) if token
                              else (_by_password(engine, name, password), None))
    except SignInRefused as refused:
        if refused.kind != "wrong":
            limit.release(engine, key)  # only wrong passwords and tokens count
        raise
    limit.release(engine, key)
    cookie = secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    expires = clock.stamp(now + timedelta(hours=SESSION_HOURS))

    def work(conn: Connection) -> Session:
        conn.execute(WEB_SESSIONS.delete()
                     .where(WEB_SESSIONS.c.expires_at <= clock.stamp(now)))  # tidy as we go
        conn.execute(WEB_SESSIONS.insert().values(
            token_hash=authentication.token_hash(cookie), user_id=user_id,
            csrf=secrets.token_urlsafe(32), language=language, created_at=clock.stamp(now),
            expires_at=expires, device_id=device_id))
        return _load(conn, authentication.token_hash(cookie))

    return run_write(engine, work), cookie


def _by_password(engine: Engine, name: str, password: str) -> str:
    row = read(engine, lambda conn: conn.execute(
        sa.select(USERS.c.id, USERS.c.role, USERS.c.password_hash, USERS.c.blocked_at)
        .where(USERS.c.name == name.strip())).first())
    try:
        _hasher.verify(row.password_hash if row and row.password_hash else _DUMMY_HASH,
                       password)
    except (VerificationError, InvalidHashError):
        raise SignInRefused("wrong") from None
    if row is None or not row.password_hash:
        raise SignInRefused("wrong")
    _allowed(row)
    if _hasher.check_needs_rehash(row.password_hash):
        run_write(engine, lambda conn: conn.execute(
            USERS.update().where(USERS.c.id == row.id)
            .values(password_hash=_hasher.hash(password))))
    return row.id


def _by_token(engine: Engine, token: str) -> tuple[str, str]:
    """The user and device of a coordinator's or auditor's device token."""
    try:
        device = authentication.authenticate(engine, token.strip())
    except ServerError:
        raise SignInRefused("wrong") from None
    row = read(engine, lambda conn: conn.execute(
        sa.select(USERS.c.id, USERS.c.role, USERS.c.blocked_at)
        .where(USERS.c.id == device.user_id)).one())
    _allowed(row)
    return row.id, device.id


def _allowed(row) -> None:
    if row.role not in DASHBOARD_ROLES:
        raise SignInRefused("role")
    if row.blocked_at is not None:
        raise SignInRefused("blocked")


def load_session(engine: Engine, cookie: str | None) -> Session | None:
    """The live session a cookie belongs to; None when unknown, expired or its user blocked."""
    if not cookie:
        return None
    session = read(engine, lambda conn: _load(conn, authentication.token_hash(cookie)))
    if session is None or session.expires_at <= clock.utc_now():
        return None
    return session


def _load(conn: Connection, token_hash: str) -> Session | None:
    row = conn.execute(
        sa.select(WEB_SESSIONS, USERS.c.name, USERS.c.role, USERS.c.blocked_at)
        .select_from(WEB_SESSIONS.join(USERS, USERS.c.id == WEB_SESSIONS.c.user_id))
        .where(WEB_SESSIONS.c.token_hash == token_hash)).first()
    if row is None or row.blocked_at is not None or row.role not in DASHBOARD_ROLES:
        return None
    return Session(row.token_hash, row.user_id, row.name, row.role, row.csrf, row.language,
                   row.expires_at)


def sign_out(engine: Engine, session: Session) -> None:
    run_write(engine, lambda conn: conn.execute(
        WEB_SESSIONS.delete().where(WEB_SESSIONS.c.token_hash == session.token_hash)))


def set_language(engine: Engine, session: Session, language: str) -> None:
    run_write(engine, lambda conn: conn.execute(
        WEB_SESSIONS.update().where(WEB_SESSIONS.c.token_hash == session.token_hash)
        .values(language=language)))


def csrf_ok(session: Session, given: str | None) -> bool:
    return bool(given) and secrets.compare_digest(session.csrf, given)


# --- failed attempts (the same fixed window as failed enrollment codes) -----------------------


