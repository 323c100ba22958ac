"""Projects, their settings and their guidelines: the rules each project may change, with the
Aya defaults, and what annotators read beside their work, per language.

    settings = load_settings(conn, "aya-urd")         # ProjectSettings, defaults filled in
    settings.distribution.page_size                     # 20
    update_settings(engine, "aya-urd", {"acceptance": {"min_accepted_per_language": 100}})
    set_guideline(engine, "aya-urd", kind="original", language="urd_Arab", text=markdown)

Settings and guidelines live in the project's record (``payload["settings"]``,
``payload["guidelines"]``: kind -> language -> Markdown, :mod:`app.guidelines`), so a change
reaches every device on its next pull and the app scores work by the same ``rules`` the server
uses (:mod:`app.rules`). Unknown keys are refused with the key's dotted name; a missing key
takes its default. Guidelines stored in the older shape (kind -> Markdown) read as English.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from app import clock, guidelines
from app.errors import TextRejected
from app.kinds import TASK_KINDS
from app.rules import RuleSettings
from app.text import clean_field
from sync.protocol import ID_PATTERN, ErrorCode, freeze
from sync.server import tables
from sync.server.db import Sequence, read, run_write
from sync.server.errors import ServerError
from sync.server.exchange.changes import change_record
from sync.server.people import auditlog
from sync.server.people.auditlog import Actor
from sync.server.quality import tallies

PROJECTS = tables.projects
COORDINATORS = tables.project_coordinators
#: A project travels as one record: its guidelines in every language must fit a pull page.
MAX_PROJECT_BYTES = 1024 * 1024


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
    if not ID_PATTERN.fullmatch(project_id or ""):
        raise ServerError(ErrorCode.invalid_request,
                          f"{project_id!r} cannot be a project id: use 1 to 64 letters, "
                          "digits and . _ : -")
    return project_id


def load_settings(conn: Connection, project_id: str | None) -> ProjectSettings:
    """A project's settings (the defaults for ``None`` or an unknown project)."""
    if project_id is None:
        return ProjectSettings()
    payload = conn.execute(sa.select(PROJECTS.c.payload)
                           .where(PROJECTS.c.id == project_id)).scalar()
    if payload is None:
        return ProjectSettings()
    return ProjectSettings.from_dict(json.loads(payload).get("settings"))


def create_project(target: Engine | Connection, project_id: str, *, name: str | None = None,
                   description: str = "", settings: Mapping | None = None) -> bool:
    """Create a project (False when it already exists: nothing changes)."""
    check_project_id(project_id)
    checked = ProjectSettings.from_dict(settings) if settings else None

    def work(conn: Connection) -> bool:
        if conn.execute(sa.select(PROJECTS.c.id)
                        .where(PROJECTS.c.id == project_id)).first() is not None:
            return False
        seqs = Sequence(conn)
        now = clock.utc_now()
        payload = freeze({"id": project_id, "name": name or project_id,
                          "description": description,
                          "settings": checked.to_dict() if checked else {},
                          "guidelines": {}, "created_at": now, "updated_at": now})
        conn.execute(PROJECTS.insert().values(id=project_id, name=name or project_id,
                                              payload=payload, revision=1,
                                              server_seq=seqs.next(), created_at=now,
                                              updated_at=now))
        tallies.settings_changed(conn, project_id)
        seqs.save()
        return True

    return run_write(target, work)


def update_settings(target: Engine | Connection, project_id: str,
                    changes: Mapping, *, by: Actor | None = None) -> ProjectSettings:
    """Lay ``changes`` over a project's settings; devices get them on their next pull."""

    def work(conn: Connection) -> ProjectSettings:
        seqs = Sequence(conn)  # the write lock before the read: two saves never lose one
        row = conn.execute(sa.select(PROJECTS).where(PROJECTS.c.id == project_id)).first()
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
        change_record(conn, seqs, PROJECTS, project_id, now=now, payload=freeze(payload))
        auditlog.record(conn, "settings", by or Actor.command_line(), subject=project_id,
                        project_id=project_id, detail={"changes": dict(changes)})
        tallies.settings_changed(conn, project_id)
        seqs.save()
        return settings

    return run_write(target, work)


def set_guideline(target: Engine | Connection, project_id: str, *, kind: str, language: str,
                  text: str | None, draft: bool = False, by: Actor | None = None) -> dict:
    """Set one kind of work's guidelines in one language (``text=None`` removes them);
    devices get them on their next pull. Returns the project's guidelines, as stored.

    ``language`` is a registry code or a tag the registry resolves ("ur" -> "urd_Arab").
    """
    kind, language = _guideline_kind(kind), guideline_language(language)
    if text is not None:
        text = _guideline_text(text, kind, language)

    def work(conn: Connection) -> dict:
        seqs = Sequence(conn)  # the write lock before the read, as in update_settings
        row = conn.execute(sa.select(PROJECTS).where(PROJECTS.c.id == project_id)).first()
        if row is None:
            raise ServerError(ErrorCode.not_found, f"No project {project_id!r}.")
        payload = json.loads(row.payload)
        payload["guidelines"] = guidelines.with_text(payload.get("guidelines"), kind, language,
                                                     text, draft=draft)
        encoded = freeze(payload)
        if len(encoded.encode()) > MAX_PROJECT_BYTES:
            raise ServerError(ErrorCode.invalid_request,
                              f"Project {project_id}: its guidelines would make the project "
                              f"larger than {MAX_PROJECT_BYTES // 1024} KB; shorten them.")
        if encoded == row.payload:
            return payload["guidelines"]  # the same text again: devices need nothing new
        payload["updated_at"] = now = clock.utc_now()
        change_record(conn, seqs, PROJECTS, project_id, now=now, payload=freeze(payload))
        auditlog.record(conn, "guidelines", by or Actor.command_line(), subject=project_id,
                        project_id=project_id,
                        detail={"kind": kind, "language": language, "removed": text is None,
                                "characters": len(text or ""), "draft": draft})
        seqs.save()
        return payload["guidelines"]

    return run_write(target, work)


def list_guidelines(target: Engine | Connection, project_id: str) -> list[dict]:
    """What a project's guidelines hold: one row per kind and language (old-shape texts
    count as English), with their length and whether they are a machine draft."""

    def work(conn: Connection) -> list[dict]:
        payload = conn.execute(sa.select(PROJECTS.c.payload)
                               .where(PROJECTS.c.id == project_id)).scalar()
        if payload is None:
            raise ServerError(ErrorCode.not_found, f"No project {project_id!r}.")
        parsed = guidelines.parse(json.loads(payload).get("guidelines"))
        return [{"kind": kind, "language": language, "characters": len(g.text),
                 "draft": g.draft}
                for kind, texts in sorted(parsed.items())
                for language, g in sorted(texts.items())]

    return read(target, work)


def _guideline_kind(kind: str) -> str:
    if kind not in TASK_KINDS:
        raise ServerError(ErrorCode.invalid_request,
                          f"{kind!r} is not a kind of work; use one of {', '.join(TASK_KINDS)}.")
    return kind


def guideline_language(tag: str) -> str:
    """The registry code for ``tag`` ("ur" -> "urd_Arab"), or ServerError."""
    from i18n.languages import UnknownLanguage, resolve

    try:
        return resolve(tag).code
    except UnknownLanguage:
        raise ServerError(ErrorCode.invalid_request,
                          f"{tag!r} is not a language Qalam knows; use a code such as "
                          "urd_Arab, hin_Deva or eng_Latn.") from None


def _guideline_text(text: str, kind: str, language: str) -> str:
    where = f"The {kind} guidelines in {language}"
    try:
        text = clean_field("guidelines", text).text
    except TextRejected as exc:
        raise ServerError(ErrorCode.invalid_request, f"{where}: {exc}") from None
    if not text.strip():
        raise ServerError(ErrorCode.invalid_request,
                          f"{where} are empty; give Markdown text (--remove removes them).")
    if len(text) > guidelines.MAX_GUIDELINE_CHARS:
        raise ServerError(ErrorCode.invalid_request,
                          f"{where} are {len(text):,} characters long; the limit is "
                          f"{guidelines.MAX_GUIDELINE_CHARS:,}.")
    return text


def list_projects(target: Engine | Connection) -> list[dict]:
    """Every live project: id, name and settings."""

    def work(conn: Connection) -> list[dict]:
        rows = conn.execute(sa.select(PROJECTS.c.id, PROJECTS.c.name, PROJECTS.c.payload)
                            .where(PROJECTS.c.deleted == sa.false()).order_by(PROJECTS.c.id))
        return [{"id": r.id, "name": r.name,
                 "settings": ProjectSettings.from_dict(
                     json.loads(r.payload).get("settings")).to_dict()} for r in rows]

    return read(target, work)


# --- who coordinates a project ---------------------------------------------------------------


def may_coordinate(conn: Connection, user_id: str | None, project_id: str | None) -> bool:
    """Whether a coordinator may act on a project's items: those named for it
    (:func:`set_coordinators`), or every coordinator while nobody is named (and for items
    in no project)."""
    if project_id is None:
        return True
    named = set(conn.execute(sa.select(COORDINATORS.c.user_id)
                             .where(COORDINATORS.c.project_id == project_id)).scalars())
    return not named or user_id in named


def hidden_projects(target: Engine | Connection, user_id: str) -> frozenset[str]:
    """The projects whose items ``user_id`` may not act on (nor see on the dashboard): those
    that name coordinators, none of them this user. A short list, so a query over a million
    items stays one condition (``project_id NOT IN hidden``)."""

    def work(conn: Connection) -> frozenset[str]:
        mine = sa.select(COORDINATORS.c.project_id).where(COORDINATORS.c.user_id == user_id)
        return frozenset(conn.execute(
            sa.select(COORDINATORS.c.project_id).distinct()
            .where(COORDINATORS.c.project_id.not_in(mine))).scalars())

    return read(target, work)


def coordinators(target: Engine | Connection, project_id: str) -> list[str]:
    """The names of the people who coordinate a project (empty: every coordinator)."""
    users = tables.users
    return read(target, lambda conn: list(conn.execute(
        sa.select(users.c.name).join(COORDINATORS, COORDINATORS.c.user_id == users.c.id)
        .where(COORDINATORS.c.project_id == project_id).order_by(users.c.name)).scalars()))


def set_coordinators(target: Engine | Connection, project_id: str, *, add=(), remove=(),
                     by=None) -> list[str]:
    """Name coordinators of a project (by user name or id) or take them off; returns who
    coordinates it now. Only users with the coordinator role may be named."""
    users = tables.users

    def work(conn: Connection) -> list[str]:
        if conn.execute(sa.select(PROJECTS.c.id)
                        .where(PROJECTS.c.id == project_id)).first() is None:
            raise ServerError(ErrorCode.not_found, f"No project {project_id!r}.")
        now = clock.utc_now()
        for wanted, adding in ((add, True), (remove, False)):
            for who in wanted:
                user = conn.execute(sa.select(users.c.id, users.c.role).where(
                    sa.or_(users.c.name == who, users.c.id == who))).first()
                if user is None:
                    raise ServerError(ErrorCode.not_found, f"No user {who!r}.")
                where = sa.and_(COORDINATORS.c.project_id == project_id,
                                COORDINATORS.c.user_id == user.id)
                conn.execute(COORDINATORS.delete().where(where))
                if adding:
                    if user.role != "coordinator":
                        raise ServerError(ErrorCode.invalid_request,
                                          f"{who} is a {user.role}; only coordinators "
                                          "coordinate a project.")
                    conn.execute(COORDINATORS.insert().values(
                        project_id=project_id, user_id=user.id, created_at=now))
        if by is not None:
            auditlog.record(conn, "coordinators", by, subject=project_id,
                            project_id=project_id,
                            detail={"added": list(add), "removed": list(remove)})
        return list(conn.execute(
            sa.select(users.c.name).join(COORDINATORS, COORDINATORS.c.user_id == users.c.id)
            .where(COORDINATORS.c.project_id == project_id).order_by(users.c.name)).scalars())

    return run_write(target, work)
