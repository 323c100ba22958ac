"""Community ``.po`` files in and out: ``qalam-server ui-translations import`` and ``export``.

    result = import_po(engine, Path("ha.po"), language="hau_Latn", by="Noor")
    count = export_po(engine, "hau_Latn", Path("ha.po"))      # msgfmt --check passes

An imported file's translations count as accepted, attributed to the coordinator who imported
it (each is a suggestion with that coordinator's verdict, like any other, and the catalog is
compiled again). The file is checked whole before anything is stored, and refused with its
name, the line and the reason: larger than :data:`MAX_PO_BYTES` (a ``.po`` bomb stops there,
unread), not valid gettext (Babel's parser, strict), a ``Plural-Forms`` header that is not the
language's CLDR rule, more than :data:`MAX_PO_MESSAGES` entries, or any translation failing
:func:`i18n.checks.translation_problems`. Fuzzy, obsolete and untranslated entries are left
out, and so are messages this server's template does not have (counted in the result).

An exported file is every message of the template, the accepted translation where there is
one, with the translators' names in its header comment (most accepted translations first).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import Connection, Engine

from app import clock
from app.errors import QalamError
from app.ids import new_id
from i18n import catalogs as shipped_catalogs
from i18n import checks, community, messages, plurals
from sync.protocol import freeze
from sync.server import tables
from sync.server.db import Sequence, read, run_write
from sync.server.translation import catalogs, suggestions

MAX_PO_BYTES = 4 * 1024 * 1024
MAX_PO_MESSAGES = 20_000
SUGGESTIONS = tables.ui_translations
VOTES = tables.ui_votes


class PoRefused(QalamError):
    """A ``.po`` file that is not imported; the message names the file, line and reason."""


@dataclass(frozen=True)
class PoEntry:
    line: int
    context: str | None
    msgid: str
    msgid_plural: str | None
    strings: tuple[str, ...]


@dataclass(frozen=True)
class PoImport:
    language: str
    imported: int       # new accepted translations
    unchanged: int      # already accepted with the same text
    unknown: int        # messages this server's template does not have
    skipped: int        # fuzzy or untranslated


def read_po_file(path: Path, language: str) -> tuple[list[PoEntry], int, int]:
    """The translated entries of ``path``, all checked: (entries, unknown, skipped).
    Raises :class:`PoRefused` naming the file, the line and the reason."""
    from babel.messages.pofile import PoFileError, read_po

    name = path.name
    try:
        tag = community.ui_tag(language)
        size = path.stat().st_size
    except (ValueError, OSError) as error:
        raise PoRefused(f"{name}: {error}") from None
    if size > MAX_PO_BYTES:
        raise PoRefused(f"{name}: {size:,} bytes; a .po file may have at most "
                        f"{MAX_PO_BYTES:,}.")
    with open(path, "rb") as f:
        data = f.read(MAX_PO_BYTES + 1)
    if len(data) > MAX_PO_BYTES:
        raise PoRefused(f"{name}: more than {MAX_PO_BYTES:,} bytes.")
    try:
        _check_syntax(data.decode("utf-8"), name)
        catalog = read_po(io.BytesIO(data), locale=tag.replace("-", "_"), domain="qalam",
                          abort_invalid=True)
    except PoFileError as error:
        raise PoRefused(f"{name}, line {error.lineno}: {error}") from None
    except (ValueError, UnicodeDecodeError, LookupError) as error:
        raise PoRefused(f"{name}: not a gettext catalog ({error}).") from None
    wanted = plurals.header(tag)
    given = catalog.mime_headers and dict(catalog.mime_headers).get("Plural-Forms")
    if given and not _same_rule(given, wanted):
        raise PoRefused(f"{name}, line 1 (header): Plural-Forms is {given!r}; {language} "
                        f"has CLDR's {wanted!r}.")
    counts = plurals.example_counts(tag)
    index = messages.template_index()
    entries, unknown, skipped, seen = [], 0, 0, 0
    for message in catalog:
        if not message.id:
            continue
        seen += 1
        if seen > MAX_PO_MESSAGES:
            raise PoRefused(f"{name}, line {message.lineno}: more than {MAX_PO_MESSAGES:,} "
                            "messages.")
        plural = isinstance(message.id, tuple)
        msgid = message.id[0] if plural else message.id
        msgid_plural = message.id[1] if plural else None
        strings = tuple(message.string) if plural else (message.string,)
        if message.fuzzy or not all(strings):
            skipped += 1
            continue
        entry = index.get((message.context, msgid))
        if entry is None or entry.msgid_plural != msgid_plural:
            unknown += 1
            continue
        found = checks.translation_problems(msgid, msgid_plural, list(strings),
                                            nplurals=len(counts), counts=counts)
        if found:
            raise PoRefused(f"{name}, line {message.lineno}: msgid {msgid[:60]!r}: {found[0]}")
        entries.append(PoEntry(message.lineno, message.context, msgid, msgid_plural, strings))
    return entries, unknown, skipped


_STRING = r'"(?:[^"\\]|\\.)*"'
_LINE = re.compile(rf'(?:(?:msgctxt|msgid|msgid_plural|msgstr|msgstr\[\d+\])\s+)?{_STRING}\s*')


def _check_syntax(text: str, name: str) -> None:
    """Each line a comment, blank, or a keyword and a whole quoted string (Babel's reader
    forgives an unterminated string; msgfmt does not, and neither do we)."""
    plural = False
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if not _LINE.fullmatch(stripped):
            raise PoRefused(f"{name}, line {number}: not a gettext line (a keyword and a "
                            f"quoted string): {stripped[:60]!r}")
        keyword = stripped.split(None, 1)[0]
        if keyword in ("msgid", "msgctxt"):
            plural = False
        elif keyword == "msgid_plural":
            plural = True
        elif keyword.startswith("msgstr[") and not plural:
            raise PoRefused(f"{name}, line {number}: {keyword} without a msgid_plural.")
        elif keyword == "msgstr" and plural:
            raise PoRefused(f"{name}, line {number}: a plural message needs msgstr[0], "
                            "msgstr[1], ...")


def _same_rule(given: str, wanted: str) -> bool:
    """Whether two ``Plural-Forms`` headers pick the same form for every count that matters
    (written differently, they are often the same rule)."""
    try:
        n_given, n_wanted = plurals._parse(given)[0], plurals._parse(wanted)[0]
        pick_given, pick_wanted = plurals.expression(given), plurals.expression(wanted)
        return n_given == n_wanted and all(pick_given(n) == pick_wanted(n)
                                           for n in (*range(1001), 1_000_000))
    except (KeyError, ValueError, SyntaxError, ZeroDivisionError):
        return False


def import_po(engine: Engine | Connection, path: Path, *, language: str, by: str) -> PoImport:
    """Import ``path``'s translations into ``language`` as accepted, by coordinator ``by``."""
    entries, unknown, skipped = read_po_file(path, language)

    def work(conn: Connection) -> PoImport:
        from sync.server.people.users import get_user

        coordinator = get_user(conn, by)
        if coordinator.role != "coordinator":
            raise PoRefused(f"{coordinator.name} is not a coordinator; only a coordinator's "
                            "import counts as accepted.")
        seqs = Sequence(conn)
        now = clock.utc_now()
        have = catalogs.accepted(conn, language)
        imported = unchanged = 0
        for entry in entries:
            current = have.get((entry.context, entry.msgid))
            if current is not None and tuple(current[0].get("msgstr") or ()) == entry.strings:
                unchanged += 1
                continue
            _accepted_suggestion(conn, seqs, coordinator.id, language, entry, now)
            imported += 1
        if imported:
            catalogs.compile_language(conn, seqs, language, now)
        from sync.server.people import auditlog

        auditlog.record(conn, "import", auditlog.Actor.command_line(user_id=coordinator.id),
                        subject=path.name, detail={"ui_translations": imported,
                                                   "language": language,
                                                   "by": coordinator.name})
        seqs.save()
        return PoImport(language, imported, unchanged, unknown, skipped)

    return run_write(engine, work)


def _accepted_suggestion(conn: Connection, seqs: Sequence, user_id: str, language: str,
                         entry: PoEntry, now: str) -> None:
    record = {"id": new_id(), "language": language, "context": entry.context,
              "msgid": entry.msgid, "msgid_plural": entry.msgid_plural,
              "msgstr": list(entry.strings), "comment": "imported from a .po file"}
    vote = {"id": new_id(), "translation_id": record["id"], "verdict": "accept",
            "reason": None, "revision": 1}
    conn.execute(SUGGESTIONS.insert().values(
        id=record["id"], author_id=user_id, device_id="server", language=language,
        context=entry.context, msgid=entry.msgid, status="pending", text_revision=1,
        payload=suggestions.compose(conn, record, user_id, "pending", [], 1), revision=1,
        server_seq=seqs.next(), deleted=False, created_at=now, updated_at=now))
    conn.execute(VOTES.insert().values(
        id=vote["id"], translation_id=record["id"], author_id=user_id, device_id="server",
        revision=1, verdict="accept", reason="", payload=freeze({**vote, "user_id": user_id}),
        created_at=now, updated_at=now))
    suggestions.settle(conn, seqs, record["id"], now)


def export_po(engine: Engine | Connection, language: str, out: Path) -> int:
    """Write ``language``'s accepted translations as a gettext catalog; returns how many
    messages are translated in it."""
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import write_po

    from i18n import languages

    tag = community.ui_tag(language)
    now = clock.utc_now()

    def work(conn: Connection):
        return catalogs.build(conn, language, now)

    built = read(engine, work)
    translated = {(m["context"], m["msgid"]): m["msgstr"] for m in built["messages"]}
    name = languages.get(language).english_name
    credits = built["translators"]
    catalog = Catalog(
        locale=tag.replace("-", "_"), domain="qalam", project="Qalam", version="1",
        copyright_holder="Qalam contributors",
        msgid_bugs_address="https://github.com/qalam/qalam/issues",
        last_translator=f"{credits[0]} (Qalam community)" if credits else "Qalam community",
        language_team=f"{name} (Qalam community)",
        header_comment=_header_comment(name, credits, now),
        fuzzy=False)
    catalog.mime_headers = [("Plural-Forms", built["plural_forms"])]
    nforms = len(plurals.example_counts(tag))
    for source in shipped_catalogs.read_pot():
        if not source.id:
            continue
        plural = isinstance(source.id, tuple)
        strings = translated.get((source.context, source.id[0] if plural else source.id))
        if plural:
            string = tuple(strings) if strings else ("",) * nforms
        else:
            string = strings[0] if strings else ""
        catalog.add(source.id, string, context=source.context,
                    auto_comments=source.auto_comments, locations=source.locations,
                    flags=source.flags - {"fuzzy"})
    buffer = io.BytesIO()
    write_po(buffer, catalog, include_lineno=False)
    out.write_bytes(buffer.getvalue())
    from sync.server.people import auditlog

    auditlog.record_alone(engine, "export", auditlog.Actor.command_line(), subject=out.name,
                          detail={"ui_translations": len(translated), "language": language})
    return len(translated)


def _header_comment(name: str, credits: list[str], now: str) -> str:
    year = now[:4]
    lines = [f"# {name} translation of Qalam's interface.",
             f"# Copyright (C) {year} Qalam contributors",
             "# This file is distributed under the same license as the Qalam project.",
             "# Translated and reviewed by Qalam's users (accepted translations, most first):"]
    lines += [f"# {person}, {year}." for person in credits] or ["# (none yet)"]
    return "\n".join(lines)


def translator_lines(path: Path) -> list[str]:
    """The credit lines of an exported file's header comment (for tests and the CLI)."""
    text = path.read_text(encoding="utf-8")
    head = text.split('msgid ""', 1)[0]
    return [line[2:] for line in head.splitlines() if line.startswith("# ")]


