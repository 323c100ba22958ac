"""The catalog of a language: its accepted translations of the interface, compiled by the
server for devices to pull; and how far each language has come.

    compile_language(conn, seqs, "hau_Latn", now)   # after a status change (suggestions)
    progress(engine)                                # per language: translated, pending, ...

A catalog is one record per language (``ui-catalog-<language>``) in ``ui_catalogs``, pulled by
every device (anyone may speak any language's interface). It holds, for each message of this
server's template (``i18n/qalam.pot``), the newest accepted translation whose plural forms fit
the language (CLDR), and leaves out blocked users' work; guideline texts go to the projects'
guidelines instead (:func:`apply_guideline`). The UI tag, direction and plural header are the
language's (:mod:`i18n.community`), the translators are credited by name, most work first.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from app import guidelines
from i18n import checks, community, messages, plurals
from sync.protocol import freeze
from sync.server import tables
from sync.server.db import Sequence, read
from sync.server.exchange.changes import change_record

SUGGESTIONS = tables.ui_translations
CATALOGS = tables.ui_catalogs
USERS = tables.users
MAX_PROJECT_BYTES = 1024 * 1024  # as sync.server.work.projects


def catalog_id(language: str) -> str:
    return f"ui-catalog-{language}"


def accepted(conn: Connection, language: str) -> dict[tuple, tuple[dict, str]]:
    """(context, msgid) -> (the newest accepted record, its author's name), blocked users'
    work left out."""
    rows = conn.execute(
        sa.select(SUGGESTIONS.c.payload, SUGGESTIONS.c.decided_at, USERS.c.name)
        .join(USERS, USERS.c.id == SUGGESTIONS.c.author_id)
        .where(SUGGESTIONS.c.language == language, SUGGESTIONS.c.status == "accepted",
               SUGGESTIONS.c.deleted == sa.false(), USERS.c.blocked_at.is_(None))
        .order_by(SUGGESTIONS.c.decided_at, SUGGESTIONS.c.server_seq)).all()
    found = {}
    for row in rows:
        record = json.loads(row.payload)
        found[(record.get("context"), record["msgid"])] = (record, row.name)
    return found


def build(conn: Connection, language: str, now: str) -> dict:
    """The catalog's payload for ``language`` (see the module docstring)."""
    tag = community.ui_tag(language)
    counts = plurals.example_counts(tag)
    template = messages.template_entries()
    chosen = accepted(conn, language)
    entries, credits = [], Counter()
    for entry in template:
        found = chosen.get(entry.key)
        if found is None:
            continue
        record, author = found
        strings = record.get("msgstr") or []
        if record.get("msgid_plural") != entry.msgid_plural or checks.translation_problems(
                entry.msgid, entry.msgid_plural, strings, nplurals=len(counts), counts=counts,
                limit_length=False):
            continue  # the message changed since, or the language's forms did
        entries.append({"context": entry.context, "msgid": entry.msgid,
                        "msgid_plural": entry.msgid_plural, "msgstr": strings})
        credits[author] += 1
    total = len(template)
    return {"id": catalog_id(language), "language": language, "locale": tag,
            "direction": community.direction(language), "plural_forms": plurals.header(tag),
            "messages": entries, "translated": len(entries), "total": total,
            "completeness": round(len(entries) / total, 4) if total else 0.0,
            "translators": [name for name, _n in sorted(credits.items(),
                                                        key=lambda kv: (-kv[1], kv[0]))],
            "compiled_at": now}


def compile_language(conn: Connection, seqs: Sequence, language: str, now: str) -> int:
    """Compile ``language``'s catalog into its record (a new revision when it changed) and
    put accepted guideline texts into their projects; returns the catalog's revision."""
    apply_guidelines(conn, seqs, language, now)
    payload = build(conn, language, now)
    row = conn.execute(sa.select(CATALOGS).where(CATALOGS.c.language == language)).first()
    if row is not None:
        old = json.loads(row.payload)
        if {**old, "compiled_at": now} == payload:
            return row.revision
        return change_record(conn, seqs, CATALOGS, row.id, now=now, payload=freeze(payload))
    conn.execute(CATALOGS.insert().values(
        id=payload["id"], language=language, payload=freeze(payload), revision=1,
        server_seq=seqs.next(), deleted=False, created_at=now, updated_at=now))
    return 1


def apply_guidelines(conn: Connection, seqs: Sequence, language: str, now: str) -> None:
    """Accepted translations of a project's English guidelines become its guidelines in
    ``language`` (reviewed by a speaker: not a draft); devices pull the project."""
    by_project: dict[str, dict[str, str]] = {}
    for (context, _msgid), (record, _author) in accepted(conn, language).items():
        found = messages.parse_guideline_context(context)
        if found is not None:
            project_id, kind = found
            by_project.setdefault(project_id, {})[kind] = (record.get("msgstr") or [""])[0]
    for project_id, texts in by_project.items():
        row = conn.execute(sa.select(tables.projects).where(
            tables.projects.c.id == project_id)).first()
        if row is None:
            continue
        payload = json.loads(row.payload)
        shaped = payload.get("guidelines")
        for kind, text in texts.items():
            english = guidelines.parse(shaped).get(kind, {}).get(guidelines.DEFAULT_LANGUAGE)
            if english is None:
                continue
            shaped = guidelines.with_text(shaped, kind, language, text)
        if shaped == payload.get("guidelines"):
            continue
        changed = freeze({**payload, "guidelines": shaped, "updated_at": now})
        if len(changed.encode()) <= MAX_PROJECT_BYTES and changed != row.payload:
            change_record(conn, seqs, tables.projects, project_id, now=now, payload=changed)


# --- progress --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Progress:
    language: str
    translated: int       # messages with an accepted translation in the catalog
    total: int            # messages in the template
    pending: int          # suggestions waiting for a verdict
    disputed: int
    rejected: int
    translators: int
    reviewers: int

    @property
    def share(self) -> float:
        return self.translated / self.total if self.total else 0.0


def progress(target: Engine | Connection, *, language: str | None = None) -> list[Progress]:
    """Per language with any suggestion: the catalog's coverage and the review queue."""

    def work(conn: Connection) -> list[Progress]:
        total = len(messages.template_entries())
        counts = {}
        query = (sa.select(SUGGESTIONS.c.language, SUGGESTIONS.c.status, sa.func.count(),
                           sa.func.count(sa.distinct(SUGGESTIONS.c.author_id)))
                 .group_by(SUGGESTIONS.c.language, SUGGESTIONS.c.status))
        if language is not None:
            query = query.where(SUGGESTIONS.c.language == language)
        authors = dict(conn.execute(
            sa.select(SUGGESTIONS.c.language, sa.func.count(sa.distinct(SUGGESTIONS.c.author_id)))
            .group_by(SUGGESTIONS.c.language)).all())
        voters = dict(conn.execute(
            sa.select(SUGGESTIONS.c.language,
                      sa.func.count(sa.distinct(tables.ui_votes.c.author_id)))
            .join(tables.ui_votes, tables.ui_votes.c.translation_id == SUGGESTIONS.c.id)
            .group_by(SUGGESTIONS.c.language)).all())
        for lang, status, n, _authors in conn.execute(query):
            counts.setdefault(lang, Counter())[status] += n
        translated = {row.language: json.loads(row.payload).get("translated", 0)
                      for row in conn.execute(sa.select(CATALOGS.c.language, CATALOGS.c.payload))}
        return [Progress(lang, translated.get(lang, 0), total, c["pending"], c["disputed"],
                         c["rejected"], authors.get(lang, 0), voters.get(lang, 0))
                for lang, c in sorted(counts.items())]

    return read(target, work)
