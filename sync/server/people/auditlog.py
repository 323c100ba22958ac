"""The audit log: who minted which code, decided, relabelled, blocked, revoked, imported,
exported, changed settings or commented, when and from where.

    by = Actor("Farida", address="192.168.1.20", user_id=farida.id)   # a dashboard request
    by = Actor.command_line()                                          # qalam-server …
    record(conn, "decide", by, subject=submission_id, detail={"state": "rejected"})
    page = entries(engine, action="decide", actor="Farida", before=None, limit=50)

:func:`record` takes the connection of the action's own transaction: the entry is written
with the action, or not at all (an export, which writes nothing, is logged when its files are
complete: :func:`record_alone`). Entries are never changed or deleted.
"""

from __future__ import annotations

import getpass
import json
import socket
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from app import clock
from sync.protocol import ErrorCode
from sync.server import tables
from sync.server.db import read, run_write
from sync.server.errors import ServerError

LOG = tables.audit_log
#: What is logged. A new action is added here (and named in the dashboard's filter).
ACTIONS = ("mint_code", "decide", "relabel", "block", "unblock", "revoke", "import", "export",
           "settings", "guidelines", "coordinators", "comment", "flag", "unflag")
MAX_PAGE = 200


@dataclass(frozen=True)
class Actor:
    """Who acts, and from where: a signed-in person's name and address, or the command line
    (the operating-system user on this machine)."""

    name: str
    address: str = ""
    user_id: str | None = None

    def to_dict(self) -> dict:
        """What a queued job keeps of who started it (:meth:`from_dict` reads it back)."""
        return {"name": self.name, "address": self.address, "user_id": self.user_id}

    @classmethod
    def from_dict(cls, data: dict | None, name: str = "") -> Actor:
        data = data if isinstance(data, dict) else {}
        return cls(str(data.get("name") or name), address=str(data.get("address") or ""),
                   user_id=data.get("user_id") or None)

    @classmethod
    def command_line(cls, user_id: str | None = None, name: str | None = None) -> Actor:
        who = name or f"{_login()} (command line)"
        return cls(who[:200], address=f"local:{socket.gethostname()}"[:64], user_id=user_id)


def _login() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "unknown"


@dataclass(frozen=True)
class Entry:
    id: int
    at: str
    action: str
    actor: str
    address: str
    subject: str
    project_id: str | None
    detail: dict

    def as_dict(self) -> dict:
        return {"id": self.id, "at": self.at, "action": self.action, "actor": self.actor,
                "address": self.address, "subject": self.subject,
                "project_id": self.project_id, "detail": self.detail}


def record(conn: Connection, action: str, by: Actor, *, subject: str = "",
           project_id: str | None = None, detail: dict | None = None) -> None:
    """Write one entry inside the caller's transaction."""
    if action not in ACTIONS:
        raise ValueError(f"Unknown audit action {action!r}; expected one of {ACTIONS}.")
    conn.execute(LOG.insert().values(
        at=clock.utc_now(), action=action, actor=by.name[:200], address=by.address[:64],
        subject=str(subject)[:200], project_id=project_id,
        detail=json.dumps(detail or {}, ensure_ascii=False, sort_keys=True)))


def record_alone(target: Engine | Connection, action: str, by: Actor, **what) -> None:
    """An entry in a transaction of its own, for an action that writes nothing else (an
    export reads a snapshot): logged once its files are complete."""
    run_write(target, lambda conn: record(conn, action, by, **what))


def entries(target: Engine | Connection, *, action: str | None = None,
            actor: str | None = None, before: int | None = None,
            limit: int = 50) -> list[Entry]:
    """Newest first; ``before`` (an entry id) continues a page where the last one ended."""
    if action is not None and action not in ACTIONS:
        raise ServerError(ErrorCode.invalid_request,
                          f"Unknown kind of action {action!r}; one of {', '.join(ACTIONS)}.")
    limit = max(1, min(int(limit), MAX_PAGE))
    query = sa.select(LOG).order_by(LOG.c.id.desc()).limit(limit)
    if action:
        query = query.where(LOG.c.action == action)
    if actor:
        query = query.where(LOG.c.actor == actor)
    if before is not None:
        query = query.where(LOG.c.id < before)
    return read(target, lambda conn: [
        Entry(r.id, r.at, r.action, r.actor, r.address, r.subject, r.project_id,
              json.loads(r.detail)) for r in conn.execute(query)])


def actors(target: Engine | Connection) -> list[str]:
    """Everyone who has an entry, by name (the dashboard's filter)."""
    return read(target, lambda conn: list(conn.execute(
        sa.select(LOG.c.actor).distinct().order_by(LOG.c.actor)).scalars()))
