"""A project's glossary: terms per language pair, imported from TBX or CSV, pulled by the
devices of those languages.

    result = import_glossary(engine, Path("health.tbx"), project_id="pe-urd")
    result.added                                   # terms stored; the same file again adds 0

Formats (by extension, or ``file_format``):

* TBX 2008 (``<martif>``, TBX-Basic and the like) and TBX v3 (``<tbx>``, namespace
  ``urn:iso:std:iso:30042:ed-2``, any dialect): the root's ``xml:lang`` is the source
  language; each ``termEntry``/``conceptEntry`` pairs its source-language terms with the
  terms of every other ``langSet``/``langSec`` (entries without both are skipped: a
  termbase may hold concepts in other languages only). A ``definition`` or ``note`` of the
  entry travels with its terms.
* CSV with a header row: the first column's header is the source language, every other
  header a language code or ``note`` (``definition``, ``comment``). An empty target cell is
  a term not translated yet, skipped; an empty source cell is an error.

A term's id is a hash of its project, languages and both terms: the same file twice adds
nothing. Bad files are refused whole, naming the line and the field
(:class:`~app.taskfile.TaskFileError`); reading is bounded (:mod:`.xmlread`,
:func:`app.taskfile.csv_rows`).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from sqlalchemy.engine import Connection, Engine

from app.taskfile import TaskFileError, csv_rows
from sync.server import tables
from sync.server.work.memory import (
    MemoryResult,
    checked_text,
    language_code,
    record_id,
    store_file,
)
from sync.server.work.xmlread import local, records, xml_lang

Target = Engine | Connection
TERMS = tables.glossary_terms
FORMATS = {"tbx": (".tbx", ".xml"), "csv": (".csv",)}
NOTE_COLUMNS = ("note", "definition", "comment")
MAX_TERM_CHARS = 1000


def import_glossary(target: Target, path: Path | str, *, project_id: str,
                    file_format: str | None = None, by=None) -> MemoryResult:
    """Read a glossary file whole (bounded), then store its terms in one transaction
    (logged in the audit log as ``by``'s import, when given)."""
    path = Path(path)
    fmt = file_format or next((name for name, suffixes in FORMATS.items()
                               if path.suffix.lower() in suffixes), None)
    if fmt not in FORMATS:
        raise TaskFileError(path, None, None, "has an unknown format; use .tbx or .csv.")
    terms = tbx_terms(path, project_id) if fmt == "tbx" else csv_terms(path, project_id)
    return store_file(target, TERMS, project_id, terms, ("source_language", "target_language"),
                      audit=(by, path.name, "glossary") if by else None)


def term_payload(project_id: str, source_language: str, target_language: str, source: str,
                 target: str, note: str = "") -> dict:
    return {"id": record_id("term", project_id, source_language, target_language, source,
                            target),
            "project_id": project_id, "source_language": source_language,
            "target_language": target_language, "source_term": source, "target_term": target,
            "note": note}


def _term(path: Path, line: int | None, field: str, text: str | None) -> str:
    term = checked_text(path, line, field, (text or "").strip())
    if len(term) > MAX_TERM_CHARS:
        raise TaskFileError(path, line, field, f"is {len(term):,} characters long; a term "
                                               f"holds at most {MAX_TERM_CHARS:,}.")
    return term


# --- CSV -------------------------------------------------------------------------------------


def csv_terms(path: Path, project_id: str) -> Iterator[dict]:
    columns: dict[str, str] | None = None  # header -> language code, or "note"
    found = 0
    for line, row in csv_rows(path):
        if columns is None:
            columns = _csv_columns(path, list(row))
        headers = list(columns)
        source_header = headers[0]
        source = _term(path, line, source_header, row.get(source_header))
        note = " ".join((row.get(h) or "").strip() for h in headers
                        if columns[h] == "note" and row.get(h)).strip()
        for header in headers[1:]:
            if columns[header] == "note" or not (row.get(header) or "").strip():
                continue
            target = _term(path, line, header, row.get(header))
            yield term_payload(project_id, columns[source_header], columns[header], source,
                               target, note)
            found += 1
    if columns is None:
        raise TaskFileError(path, 1, None, "has no rows; a glossary CSV has a header row "
                                           "(source language, target languages) and terms.")
    if not found:
        raise TaskFileError(path, None, None, "contains no translated terms.")


def _csv_columns(path: Path, headers: list[str]) -> dict[str, str]:
    columns: dict[str, str] = {}
    for header in headers:
        name = (header or "").strip()
        if name.lower() in NOTE_COLUMNS:
            columns[header] = "note"
            continue
        try:
            columns[header] = language_code(path, 1, header, name)
        except TaskFileError:
            raise TaskFileError(path, 1, header, f"{name!r} is neither a language code nor "
                                                 f"one of {', '.join(NOTE_COLUMNS)}.") from None
    languages = [h for h in headers if columns[h] != "note"]
    if len(languages) < 2 or columns[headers[0]] == "note":
        raise TaskFileError(path, 1, None, "needs a source language first, then at least one "
                                           "target language, as column headers (e.g. en,ur).")
    return columns


# --- TBX -------------------------------------------------------------------------------------


def tbx_terms(path: Path, project_id: str) -> Iterator[dict]:
    """Terms of a TBX 2008 (``martif``) or TBX v3 (``tbx``) file."""
    state: dict = {}

    def on_start(element, name: str) -> None:
        if "root" in state:
            return
        state["root"] = name
        if name not in ("martif", "tbx"):
            raise TaskFileError(path, element.sourceline, None,
                                f"is not a TBX file (its root element is <{name}>; TBX 2008 "
                                "has <martif>, TBX v3 <tbx>).")
        state["source"] = language_code(path, element.sourceline, "xml:lang",
                                        xml_lang(element))

    found = 0
    for entry in records(path, {"termEntry", "conceptEntry"}, on_start=on_start):
        for payload in _entry_terms(path, project_id, entry, state["source"]):
            found += 1
            yield payload
    if not found:
        raise TaskFileError(path, None, None, "contains no term entries with a source and "
                                              "a target term.")


def _entry_terms(path: Path, project_id: str, entry, source_language: str) -> Iterator[dict]:
    by_language: dict[str, list[str]] = {}
    notes = []
    for child in entry.iter():
        name = local(child)
        if name in ("langSet", "langSec"):
            language = language_code(path, child.sourceline, "xml:lang", xml_lang(child))
            terms = by_language.setdefault(language, [])
            for term in child.iter():
                if local(term) == "term":
                    terms.append(_term(path, term.sourceline, "term", "".join(term.itertext())))
        elif name in ("descrip", "note") and child.get("type", "definition") in (
                "definition", "context") and child.getparent() is entry:
            notes.append(" ".join("".join(child.itertext()).split()))
    sources = by_language.pop(source_language, [])
    note = " ".join(notes)[:MAX_TERM_CHARS]
    for source in sources:
        for language, targets in by_language.items():
            for target in targets:
                yield term_payload(project_id, source_language, language, source, target, note)
