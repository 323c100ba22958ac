"""A project's translation memory: TMX imports and the project's accepted post-edits, per
language pair, pulled by the devices of those languages.

    result = import_tmx(engine, Path("health.tmx"), project_id="pe-urd")
    result.added, result.unchanged                     # 1200, 0 (the same file again: 0, 1200)
    refresh_postedits(engine, project_id="pe-urd")     # accepted post-edits in, others out
    keep_current(engine)               # every server process, now and then: the rules' verdicts

A unit's id is a hash of its project, languages, source and target: the same translation is
one unit however often it is imported, and a TMX export of the project's own post-edits
(``qalam-server export --format tmx``) imported back changes nothing. A unit is a record like
any other pulled one (:mod:`sync.server.exchange.changes`): revision, change number,
tombstone.

TMX 1.4 (and 1.1-1.3, which read the same): ``<header srclang>`` names the source language
(``*all*``: each unit's first ``<tuv>``); every other ``<tuv>`` of a ``<tu>`` makes a unit.
Inline codes (``bpt ept ph it ut``) hold the document's own markup and are left out of the
text; ``hi`` wraps text and is kept. A file is stored whole or not at all: a bad unit raises
:class:`~app.taskfile.TaskFileError` naming the file, the line and the field before anything
is stored. Reading is bounded (:mod:`.xmlread`).
"""

from __future__ import annotations

import hashlib
import json
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from app import clock
from app.errors import TextRejected
from app.taskfile import TaskFileError
from app.text import clean_field, require_visible
from sync.protocol import ErrorCode, freeze
from sync.server import tables
from sync.server.db import Sequence, current_seq, read, run_write
from sync.server.errors import ServerError
from sync.server.exchange.changes import change_records
from sync.server.people import auditlog
from sync.server.people.auditlog import Actor
from sync.server.work.xmlread import local, records, xml_lang

Target = Engine | Connection
UNITS = tables.tm_units
BATCH = 1000
#: How often (seconds) a server brings post-edit memories in step with the acceptance rules: a
#: coordinator's decision moves a post-edit at once (:func:`follow_decision`), but reviews
#: that make one pass the rules, a flag or a block change verdicts without a decision.
KEEP_CURRENT_EVERY = 300
_TURN_KEY = "tm:keep-current"
_CODES = frozenset({"bpt", "ept", "ph", "it", "ut"})


@dataclass(frozen=True)
class MemoryResult:
    added: int
    unchanged: int
    removed: int = 0

    @property
    def stored(self) -> int:
        return self.added + self.unchanged


def record_id(prefix: str, *parts: str) -> str:
    text = json.dumps(list(parts), ensure_ascii=False, separators=(",", ":"))
    return f"{prefix}-{hashlib.sha256(text.encode('utf-8')).hexdigest()[:40]}"


def language_code(path: Path, line: int | None, field: str, value: str | None) -> str:
    """The registry code of a language tag in a file (``en``, ``ur-PK``, ``urd_Arab``)."""
    from i18n.languages import UnknownLanguage, resolve

    if not value:
        raise TaskFileError(path, line, field, "is missing; the file must say its languages.")
    try:
        return resolve(value).code
    except UnknownLanguage:
        raise TaskFileError(path, line, field,
                            f"{value!r} is not a language code Qalam knows.") from None


def checked_text(path: Path, line: int | None, field: str, text: str) -> str:
    """The text as the app stores it (NFC, checked): a problem names the line and field."""
    try:
        cleaned = clean_field("targets", text).text
        require_visible("targets", cleaned)
    except TextRejected as exc:
        raise TaskFileError(path, line, field, str(exc)) from None
    return cleaned


# --- TMX -------------------------------------------------------------------------------------


def _seg_text(element) -> str:
    parts = [element.text or ""]
    for child in element:
        if isinstance(child.tag, str) and local(child) not in _CODES:
            parts.append(_seg_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def tmx_units(path: Path, project_id: str) -> Iterator[dict]:
    """The units of a TMX file, checked, as the payloads devices pull."""
    header: dict = {}

    def on_start(element, name: str) -> None:
        if "root" not in header:
            header["root"] = name
            if name != "tmx":
                raise TaskFileError(path, element.sourceline, None,
                                    f"is not a TMX file (its root element is <{name}>).")
        elif name == "header":
            header["line"] = element.sourceline
            value = element.get("srclang")
            header["source"] = "*all*" if value == "*all*" else language_code(
                path, element.sourceline, "srclang", value)

    found = 0
    for tu in records(path, {"tu"}, on_start=on_start):
        if "source" not in header:
            raise TaskFileError(path, tu.sourceline, "header",
                                "comes after the first <tu>, or is missing; TMX needs one "
                                "with srclang.")
        yield from _tu_units(path, project_id, tu, header["source"])
        found += 1
    if not found:
        raise TaskFileError(path, None, None, "contains no translation units (<tu>).")


def _tu_units(path: Path, project_id: str, tu, source_language: str) -> Iterator[dict]:
    variants = []
    for tuv in tu:
        if local(tuv) != "tuv":
            continue
        line = tuv.sourceline
        language = language_code(path, line, "xml:lang", xml_lang(tuv))
        segs = [child for child in tuv if local(child) == "seg"]
        if not segs:
            raise TaskFileError(path, line, "seg", "is missing; every <tuv> holds one.")
        variants.append((language, checked_text(path, segs[0].sourceline, "seg",
                                                _seg_text(segs[0]))))
    if source_language == "*all*" and variants:
        source_language = variants[0][0]
    sources = [text for language, text in variants if language == source_language]
    if not sources:
        raise TaskFileError(path, tu.sourceline, "tuv",
                            f"the unit has no <tuv> in the source language ({source_language}).")
    for language, text in variants:
        if language != source_language:
            yield unit_payload(project_id, source_language, language, sources[0], text, "tmx")


def unit_payload(project_id: str, source_language: str, target_language: str, source: str,
                 target: str, origin: str, note: str = "") -> dict:
    return {"id": record_id("tm", project_id, source_language, target_language, source, target),
            "project_id": project_id, "source_language": source_language,
            "target_language": target_language, "source": source, "target": target,
            "origin": origin, "note": note}


def import_tmx(target: Target, path: Path | str, *, project_id: str,
               by: Actor | None = None) -> MemoryResult:
    """Read a TMX file whole (bounded), then store its units in one transaction (logged in
    the audit log as ``by``'s import, when given)."""
    path = Path(path)
    return store_file(target, UNITS, project_id, tmx_units(path, project_id),
                      ("source_language", "target_language", "origin"),
                      audit=(by, path.name, "tm") if by else None)


# --- storing ---------------------------------------------------------------------------------


def store_file(target: Target, table: sa.Table, project_id: str, payloads: Iterable[dict],
               columns: tuple[str, ...], *, audit: tuple | None = None) -> MemoryResult:
    """Spool ``payloads`` (checked while read, nothing stored yet), then store them in one
    write transaction: new ids inserted, known ones left as they are (a tombstone revived).
    ``audit``: ``(actor, file name, what)``, an audit-log entry written in that transaction."""
    _require_project(target, project_id)
    with tempfile.TemporaryFile("w+b", prefix="qalam-memory-") as spool:
        for payload in payloads:
            spool.write(freeze(payload).encode("utf-8") + b"\n")
        spool.seek(0)

        def work(conn: Connection) -> MemoryResult:
            seqs = Sequence(conn)
            added = unchanged = 0
            for batch in _batches(spool):
                a, u = _store_batch(conn, seqs, table, batch, columns)
                added, unchanged = added + a, unchanged + u
            seqs.save()
            if audit is not None:
                by, name, what = audit
                auditlog.record(conn, "import", by, subject=name, project_id=project_id,
                                detail={"kind": what, "added": added, "unchanged": unchanged})
            return MemoryResult(added, unchanged)

        return run_write(target, work)


def _batches(spool) -> Iterator[list[dict]]:
    batch: list[dict] = []
    for line in spool:
        batch.append(json.loads(line))
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _store_batch(conn: Connection, seqs: Sequence, table: sa.Table, batch: list[dict],
                 columns: tuple[str, ...]) -> tuple[int, int]:
    ids = sorted({payload["id"] for payload in batch})
    existing = {row.id: row.deleted for row in conn.execute(
        sa.select(table.c.id, table.c.deleted).where(table.c.id.in_(ids)))}
    now = clock.utc_now()
    inserts: dict[str, dict] = {}
    revived: dict[str, dict] = {}
    unchanged = 0
    for payload in batch:
        record = payload["id"]
        if record in inserts or record in revived or existing.get(record) is False:
            unchanged += 1
        elif record in existing:
            revived[record] = {"payload": freeze(payload), "deleted": False}
        else:
            inserts[record] = {"id": record, "project_id": payload["project_id"],
                               **{c: payload[c] for c in columns}, "payload": freeze(payload),
                               "revision": 1, "server_seq": seqs.next(), "deleted": False,
                               "created_at": now, "updated_at": now}
    if inserts:
        conn.execute(table.insert(), list(inserts.values()))
    change_records(conn, seqs, table, revived.items(), now=now)
    return len(inserts) + len(revived), unchanged


def _require_project(target: Target, project_id: str) -> None:
    from sync.server.db import read

    def work(conn: Connection) -> bool:
        row = conn.execute(sa.select(tables.projects.c.deleted)
                           .where(tables.projects.c.id == project_id)).first()
        return row is not None and not row.deleted

    if not read(target, work):
        raise ServerError(ErrorCode.not_found,
                          f"No project {project_id!r}; create it (qalam-server project create) "
                          "or import its tasks first.")


# --- the project's accepted post-edits -------------------------------------------------------


def refresh_postedits(target: Target, *, project_id: str,
                      by: Actor | None = None) -> MemoryResult:
    """Make the project's post-edit units the accepted post-edits
    (:mod:`sync.server.work.acceptance`): new ones added, ones no longer accepted (a
    decision changed, an author blocked) removed as tombstones that devices pull."""
    from sync.server.export.postedit import accepted_pairs

    _require_project(target, project_id)

    def work(conn: Connection) -> MemoryResult:
        wanted = {}
        for source_language, target_language, source, text in accepted_pairs(conn, project_id):
            payload = unit_payload(project_id, source_language, target_language, source, text,
                                   "postedit")
            wanted[payload["id"]] = payload
        seqs = Sequence(conn)
        added = unchanged = 0
        payloads = list(wanted.values())
        for start in range(0, len(payloads), BATCH):
            a, u = _store_batch(conn, seqs, UNITS, payloads[start:start + BATCH],
                                ("source_language", "target_language", "origin"))
            added, unchanged = added + a, unchanged + u
        stale = [row.id for row in conn.execute(
            sa.select(UNITS.c.id).where(UNITS.c.project_id == project_id,
                                        UNITS.c.origin == "postedit",
                                        UNITS.c.deleted == sa.false()))
            if row.id not in wanted]
        change_records(conn, seqs, UNITS, [(unit, {"deleted": True}) for unit in stale],
                       now=clock.utc_now())
        seqs.save()
        if by is not None:
            auditlog.record(conn, "import", by, subject="accepted post-edits",
                            project_id=project_id, detail={"kind": "tm", "added": added,
                                                           "removed": len(stale)})
        return MemoryResult(added, unchanged, len(stale))

    return run_write(target, work)


def keep_current(engine: Engine, *, every: float = KEEP_CURRENT_EVERY) -> list[str]:
    """Refresh the post-edits in the memory of every project with post-edit tasks
    (:func:`refresh_postedits`) when ``every`` seconds have passed since the last time and
    anything changed meanwhile (a record, or an entry of the audit log: decisions, blocks,
    flags). Each server process's job poller calls it; of processes calling at once, one takes
    the turn (a conditional UPDATE of its ``figures`` row), the others return at once.
    Returns the projects refreshed."""
    now = clock.utc_now()
    due = clock.stamp(clock.parse(now) - timedelta(seconds=every))

    def last_turn(conn: Connection):
        row = conn.execute(sa.select(tables.figures.c.value, tables.figures.c.computed_at)
                           .where(tables.figures.c.key == _TURN_KEY)).first()
        return row, _change_mark(conn)

    row, mark = read(engine, last_turn)  # most calls end here, without taking a write lock
    if row is not None and (row.computed_at > due or json.loads(row.value) == mark):
        return []

    def take_turn(conn: Connection) -> bool:  # retried on a conflict: it reads afresh
        current = conn.execute(sa.select(tables.figures.c.computed_at)
                               .where(tables.figures.c.key == _TURN_KEY)).scalar()
        if current is None:
            conn.execute(tables.figures.insert().values(key=_TURN_KEY, value="null",
                                                        computed_at=now))
            return True
        if row is None or current != row.computed_at:
            return False  # another process took the turn since
        return conn.execute(tables.figures.update().where(
            tables.figures.c.key == _TURN_KEY, tables.figures.c.computed_at == current)
            .values(computed_at=now)).rowcount == 1

    if not run_write(engine, take_turn):
        return []
    projects = read(engine, lambda conn: sorted(conn.execute(
        sa.select(tables.tasks.c.project_id).distinct()
        .where(tables.tasks.c.kind == "postedit", tables.tasks.c.project_id.is_not(None)))
        .scalars()))
    for project_id in projects:
        refresh_postedits(engine, project_id=project_id)
    done = json.dumps(read(engine, _change_mark))  # the refreshes' own changes included
    run_write(engine, lambda conn: conn.execute(
        tables.figures.update().where(tables.figures.c.key == _TURN_KEY).values(value=done)))
    return projects


def _change_mark(conn: Connection) -> list[int]:
    """What moves when a verdict may have changed: the change counter and the audit log."""
    logged = conn.execute(sa.select(sa.func.max(tables.audit_log.c.id))).scalar()
    return [current_seq(conn), logged or 0]


def follow_decision(conn: Connection, seqs: Sequence, payload: dict, state: str) -> None:
    """A coordinator's decision on a post-edit takes it into the project's memory
    (accepted) or out of it (rejected), in the decision's own transaction, so devices pull
    it without waiting for ``tm refresh`` (which also follows the rules' verdicts)."""
    project_id = payload.get("project_id")
    if payload.get("kind") != "postedit" or not project_id or not payload.get("language"):
        return
    task = None
    if payload.get("task_id"):
        found = conn.execute(sa.select(tables.tasks.c.payload)
                             .where(tables.tasks.c.id == payload["task_id"])).scalar()
        task = json.loads(found) if found else None
    source = (task or {}).get("source_text") or payload.get("inputs") or ""
    if not source.strip() or not (payload.get("targets") or "").strip():
        return
    from i18n.languages import UnknownLanguage, resolve

    try:
        source_language = resolve((task or {}).get("source_language") or "").code
    except UnknownLanguage:
        from app.kinds import DEFAULT_SOURCE_LANGUAGE

        source_language = DEFAULT_SOURCE_LANGUAGE
    unit = unit_payload(project_id, source_language, payload["language"], source,
                        payload["targets"], "postedit")
    if state == "accepted":
        _store_batch(conn, seqs, UNITS, [unit], ("source_language", "target_language", "origin"))
        return
    live = conn.execute(sa.select(UNITS.c.id).where(
        UNITS.c.id == unit["id"], UNITS.c.origin == "postedit",
        UNITS.c.deleted == sa.false())).first()
    if live is not None:
        change_records(conn, seqs, UNITS, [(unit["id"], {"deleted": True})],
                       now=clock.utc_now())
