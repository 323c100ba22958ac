"""Who is who: users, their roles and languages, their devices, invitations and revocation.

    user, code, expires = invite(engine, name="Amina", role="annotator", languages=["urd_Arab"])
    user = get_user(engine, "Amina")                     # by name or id; ServerError 404
    device = load_device(engine, "d1")                   # -> Device, e.g. for an offline bundle
    revoke(engine, "d1")                                 # its tokens and dashboard sessions end

A code from :func:`invite` is exchanged for a device token by :mod:`.enrollment`; a request's
token is checked by :mod:`.authentication`. Codes are never kept in the clear (:mod:`.codes`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from app import clock
from app.ids import new_id
from sync.protocol import ErrorCode
from sync.server import tables
from sync.server.db import read, run_write
from sync.server.errors import ServerError
from sync.server.people import auditlog, codes
from sync.server.people.auditlog import Actor

ROLES = ("annotator", "reviewer", "coordinator", "auditor")
DEFAULT_CODE_DAYS = 14
DEVICES = tables.devices
DEVICE_TOKENS = tables.device_tokens
USERS = tables.users


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

    @classmethod
    def from_row(cls, row) -> Device:
        """A Device from a row with id, user_id, name, role, languages and blocked_at."""
        return cls.of(row.id, row.user_id, row.name, row.role, row.languages, row.blocked_at)


@dataclass(frozen=True)
class User:
    id: str
    name: str
    role: str
    languages: tuple[str, ...]


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
    days: float = DEFAULT_CODE_DAYS, by: Actor | None = None,
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
        user = load_user(conn, user_id)
        auditlog.record(conn, "mint_code", by or Actor.command_line(), subject=user.name,
                        detail={"role": user.role, "languages": list(user.languages),
                                "expires_at": expires})
        return user, code, expires

    return run_write(engine, work)  # a code collision is an IntegrityError: retried


def get_user(engine: Engine | Connection, name_or_id: str) -> User:
    def work(conn):
        row = conn.execute(sa.select(tables.users.c.id).where(sa.or_(
            tables.users.c.id == name_or_id, tables.users.c.name == name_or_id))).first()
        if row is None:
            raise ServerError(ErrorCode.not_found, f"No user named {name_or_id!r}.")
        return load_user(conn, row.id)

    return read(engine, work)


def load_user(conn: Connection, user_id: str) -> User:
    """The user with this id (it must exist)."""
    row = conn.execute(sa.select(tables.users).where(tables.users.c.id == user_id)).one()
    return User(row.id, row.name, row.role, tuple(json.loads(row.languages)))


# --- devices ---------------------------------------------------------------------------------


def load_device(engine: Engine | Connection, device_id: str) -> Device:
    """The device (and its user) by id, e.g. for importing an offline bundle it signed."""

    def work(conn):
        row = conn.execute(
            sa.select(DEVICES.c.id, DEVICES.c.user_id, DEVICES.c.revoked_at, USERS.c.name,
                      USERS.c.role, USERS.c.languages, USERS.c.blocked_at)
            .select_from(DEVICES.join(USERS, USERS.c.id == DEVICES.c.user_id))
            .where(DEVICES.c.id == device_id)
        ).first()
        if row is None:
            raise ServerError(ErrorCode.not_found, f"No enrolled device {device_id!r}.")
        if row.revoked_at is not None:
            raise ServerError(ErrorCode.token_revoked, f"Device {device_id} was revoked.")
        return Device.from_row(row)

    return read(engine, work)


def revoke(engine: Engine, device: str, *, by: Actor | None = None) -> str:
    """Revoke a device (its id or a unique prefix), all its tokens and the dashboard sessions
    they opened; returns the id."""

    def work(conn: Connection) -> str:
        ids = [r.id for r in conn.execute(sa.select(DEVICES.c.id).where(DEVICES.c.id == device))]
        if not ids:
            pattern = device.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            ids = [r.id for r in conn.execute(
                sa.select(DEVICES.c.id).where(DEVICES.c.id.like(pattern, escape="\\")).limit(2))]
        if not ids:
            raise ServerError(ErrorCode.not_found,
                              f"No device {device!r}; `qalam-server devices` lists them.")
        if len(ids) > 1:
            raise ServerError(ErrorCode.invalid_request,
                              f"{device!r} matches several devices; give more of the id.")
        now = clock.utc_now()
        conn.execute(DEVICES.update().where(DEVICES.c.id == ids[0], DEVICES.c.revoked_at.is_(None))
                     .values(revoked_at=now))
        conn.execute(DEVICE_TOKENS.update().where(DEVICE_TOKENS.c.device_id == ids[0],
                                                  DEVICE_TOKENS.c.revoked_at.is_(None))
                     .values(revoked_at=now))
        # Dashboard sessions signed in with one of its tokens end with it.
        conn.execute(tables.web_sessions.delete()
                     .where(tables.web_sessions.c.device_id == ids[0]))
        auditlog.record(conn, "revoke", by or Actor.command_line(), subject=ids[0])
        return ids[0]

    return run_write(engine, work)

