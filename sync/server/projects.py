"""Projects and their settings: the rules each project may change, with the Aya defaults.

    settings = load_settings(conn, "aya-urd")         # ProjectSettings, defaults filled in
    settings.distribution.page_size                     # 20
    update_settings(engine, "aya-urd", {"acceptance": {"min_accepted_per_language": 100}})

Settings live in the project's record (``payload["settings"]``), so a change reaches every
device on its next pull and the app scores work by the same ``rules`` the server uses
(:mod:`app.rules`). Unknown keys are refused with the key's dotted name; a missing key takes
its default.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from app import clock
from app.rules import RuleSettings
from sync.protocol import ErrorCode, freeze
from sync.server import tables
from sync.server.db import Sequence, read, run_write
from sync.server.errors import ServerError

P = tables.projects


@dataclass(frozen=True)
class Distribution:
    """How work is handed out (the Aya platform's defaults)."""

    page_size: int = 20          # tasks a device holds at once, per sync
    audits_per_item: int = 3     # users an item is served to, at most
    lease_hours: int = 7 * 24    # after this an unfinished item is offered to others


@dataclass(frozen=True)
class Acceptance:
    """What counts as an accepted contribution (exports, the dashboard)."""

    # Re-annotations and post-edits count only with this much Levenshtein distance on the
    # prompt or the completion; the same number scores edit points (rules.min_edit_distance).
    min_edit_distance: int = 5
    # A language enters the export only with this many accepted contributions.
    min_accepted_per_language: int = 50
    # Peer ratings (1–5, 3 = no change) of an edit: its mean must reach this to count...
    min_mean_rating: float = 3.0
    # ...once it has at least this many ratings (0: unrated work counts).
    min_ratings: int = 0
    # A flag from a reviewer (wrong language, harmful, nonsense) holds an item until a
    # coordinator accepts it.
    exclude_flagged: bool = True


@dataclass(frozen=True)
class ProjectSettings:
    distribution: Distribution = field(default_factory=Distribution)
    acceptance: Acceptance = field(default_factory=Acceptance)
    rules: RuleSettings = field(default_factory=RuleSettings)
    dialects: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        data = asdict(self)
        data["dialects"] = list(self.dialects)
        return data

    @classmethod
    def from_dict(cls, data: Mapping | None) -> ProjectSettings:
        """Raises ValueError naming the first bad key (e.g. ``distribution.page_size``)."""
        data = dict(data or {})
        unknown = set(data) - {f.name for f in fields(cls)}
        if unknown:
            raise ValueError(f"unknown setting {sorted(unknown)[0]!r}")
        dialects = data.get("dialects", [])
        if not isinstance(dialects, list) or not all(isinstance(d, str) for d in dialects):
            raise ValueError("setting 'dialects': expected a list of names")
        try:
            rules = RuleSettings.from_dict(data.get("rules"))
        except ValueError as exc:
            raise ValueError(f"rules: {exc}") from None
        return cls(distribution=_section(Distribution, "distribution", data),
                   acceptance=_section(Acceptance, "acceptance", data),
                   rules=rules, dialects=tuple(dialects))


def _section(kind, name: str, data: Mapping):
    values = data.get(name) or {}
    if not isinstance(values, Mapping):
        raise ValueError(f"setting {name!r}: expected an object")
    known = {f.name: f for f in fields(kind)}
    checked = {}
    for key, value in values.items():
        if key not in known:
            raise ValueError(f"unknown setting '{name}.{key}'")
        default = getattr(kind(), key)
        if isinstance(default, bool):
            ok = isinstance(value, bool)
        elif isinstance(default, float):
            ok = isinstance(value, int | float) and not isinstance(value, bool)
        else:
            ok = isinstance(value, int) and not isinstance(value, bool)
        if not ok or (not isinstance(value, bool) and value < 0):
            raise ValueError(f"setting '{name}.{key}': expected a non-negative "
                             f"{type(default).__name__}, got {value!r}")
        checked[key] = value
    return kind(**checked)


def merge(base: Mapping, changes: Mapping) -> dict:
    """``base`` with ``changes`` laid over it, one level of sections deep."""
    merged = json.loads(json.dumps(dict(base)))
    for key, value in changes.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = {**merged[key], **value}
        else:
            merged[key] = value
    return merged


def check_project_id(project_id: str) -> str:
    """``project_id`` if it can be a record id (``sync.protocol.Id``), else ServerError."""
    from sync.server.engine import ID_PATTERN

    if not ID_PATTERN.fullmatch(project_id or ""):
        raise ServerError(ErrorCode.invalid_request,
                          f"{project_id!r} cannot be a project id: use 1 to 64 letters, "
                          "digits and . _ : -")
    return project_id


def load_settings(conn: Connection, project_id: str | None) -> ProjectSettings:
    """A project's settings (the defaults for ``None`` or an unknown project)."""
    if project_id is None:
        return ProjectSettings()
    payload = conn.execute(sa.select(P.c.payload).where(P.c.id == project_id)).scalar()
    if payload is None:
        return ProjectSettings()
    return ProjectSettings.from_dict(json.loads(payload).get("settings"))


def create_project(target: Engine | Connection, project_id: str, *, name: str | None = None,
                   description: str = "", settings: Mapping | None = None) -> bool:
    """Create a project (False when it already exists: nothing changes)."""
    check_project_id(project_id)
    checked = ProjectSettings.from_dict(settings) if settings else None

    def work(conn: Connection) -> bool:
        if conn.execute(sa.select(P.c.id).where(P.c.id == project_id)).first() is not None:
            return False
        seqs = Sequence(conn)
        now = clock.utc_now()
        payload = freeze({"id": project_id, "name": name or project_id,
                          "description": description,
                          "settings": checked.to_dict() if checked else {},
                          "guidelines": {}, "created_at": now, "updated_at": now})
        conn.execute(P.insert().values(id=project_id, name=name or project_id, payload=payload,
                                       revision=1, server_seq=seqs.next(), created_at=now,
                                       updated_at=now))
        seqs.save()
        return True

    return run_write(target, work)


def update_settings(target: Engine | Connection, project_id: str,
                    changes: Mapping) -> ProjectSettings:
    """Lay ``changes`` over a project's settings; devices get them on their next pull."""

    def work(conn: Connection) -> ProjectSettings:
        seqs = Sequence(conn)  # the write lock before the read: two saves never lose one
        row = conn.execute(sa.select(P).where(P.c.id == project_id)).first()
        if row is None:
            raise ServerError(ErrorCode.not_found, f"No project {project_id!r}.")
        payload = json.loads(row.payload)
        try:
            settings = ProjectSettings.from_dict(merge(payload.get("settings") or {}, changes))
        except ValueError as exc:
            raise ServerError(ErrorCode.invalid_request, f"Project {project_id}: {exc}.") \
                from None
        payload["settings"] = settings.to_dict()
        payload["updated_at"] = now = clock.utc_now()
        conn.execute(P.update().where(P.c.id == project_id).values(
            payload=freeze(payload), revision=row.revision + 1, server_seq=seqs.next(),
            updated_at=now))
        seqs.save()
        return settings

    return run_write(target, work)


def list_projects(target: Engine | Connection) -> list[dict]:
    """Every live project: id, name and settings."""

    def work(conn: Connection) -> list[dict]:
        rows = conn.execute(sa.select(P.c.id, P.c.name, P.c.payload)
                            .where(P.c.deleted == sa.false()).order_by(P.c.id))
        return [{"id": r.id, "name": r.name,
                 "settings": ProjectSettings.from_dict(
                     json.loads(r.payload).get("settings")).to_dict()} for r in rows]

    return read(target, work)
