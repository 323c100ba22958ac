"""The post-editing export: accepted post-edits as XLIFF 2.0 or TMX 1.4, for CAT tools.

    result = export_postedits(engine, Path("postedits"), fmt="xliff", project_id="mt-urd")
    # postedits/postedits.en-ur.xlf: one <unit> per post-edited segment

One file per language pair (``postedits.<source>-<target>.xlf`` / ``.tmx``; BCP 47 tags;
English when the task did not say its source language, as the Post-edit screen assumes:
:data:`app.kinds.DEFAULT_SOURCE_LANGUAGE`). Each segment carries:

=================  ======================================  ================================
                   XLIFF 2.0                               TMX 1.4
=================  ======================================  ================================
source             ``<segment><source>``                   ``<tuv xml:lang=source><seg>``
post-edit          ``<segment state="final"><target>``     ``<tuv xml:lang=target><seg>``
machine transl.    ``<mtc:match type="mt">`` + note "mt"   ``<prop type="x-mt">``
HTER               ``<mda:meta type="hter">`` + note       ``<prop type="x-hter">``
seconds spent      ``<mda:meta type="seconds_spent">``     ``<prop type="x-seconds-spent">``
=================  ======================================  ================================

plus the editing sessions, the registry language and the author's pseudonym. Notes repeat the
MT, HTER and time for tools that show notes but not the Matches/Metadata modules
(translate-toolkit reads both formats: ``translate.storage.factory.getobject(path)``).

The TMX opens as an OmegaT project memory (``tm/`` of a project with the same languages):
its header has every attribute OmegaT reads (``srclang`` a real language, ``segtype``,
``o-tmf``, ``adminlang``, ``creationtool``, ``datatype``) and each ``<tuv>`` says its
language. ``qalam-server tm import`` reads it back unchanged (:mod:`sync.server.work.memory`).

Only accepted post-edits are written (:mod:`sync.server.work.acceptance`; the per-language gate of
dataset exports does not apply). Files are written element by element with the standard
library's streaming XML writer; a character XML 1.0 cannot hold (a C0 control) is written as
XLIFF's ``<cp hex="…"/>`` or, in TMX, as ``<ph type="x-cp">U+…</ph>``: nothing is dropped.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path
from xml.sax.saxutils import XMLGenerator

from sqlalchemy.engine import Connection, Engine

from app import __version__
from app.kinds import DEFAULT_SOURCE_LANGUAGE
from sync.server import tables
from sync.server.export.output import (
    ExportError,
    ExportResult,
    Progress,
    moved,
    snapshot,
    staging,
)
from sync.server.export.pseudonyms import Pseudonyms
from sync.server.work import acceptance

FORMATS = ("xliff", "tmx")
XLIFF_NS = "urn:oasis:names:tc:xliff:document:2.0"
MTC_NS = "urn:oasis:names:tc:xliff:matches:2.0"
MDA_NS = "urn:oasis:names:tc:xliff:metadata:2.0"
BATCH = 500
PROGRESS_EVERY = 200
# Characters XML 1.0 cannot contain (NUL is refused on save already), and a carriage return,
# which parsers would turn into a line feed unless written as a reference.
_SPECIAL = re.compile("[\x01-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\r]")
TASKS = tables.tasks


def export_postedits(target: Engine | Connection, out_dir: Path, *, fmt: str = "xliff",
                     project_id: str | None = None, languages=None,
                     progress: Progress | None = None) -> ExportResult:
    """Write the accepted post-edits (all projects, or one; all languages, or the registry
    codes in ``languages``) into ``out_dir`` (absent or empty)."""
    started = time.monotonic()
    if fmt not in FORMATS:
        raise ExportError(f"Unknown post-editing format {fmt!r}; use one of "
                          f"{', '.join(FORMATS)}.")
    pseudonym = Pseudonyms.load(target)
    out_dir = Path(out_dir)
    result = ExportResult(out_dir=out_dir, format=fmt, rows=0)
    with staging(out_dir) as temp, snapshot(target) as conn:
        counts = acceptance.acceptance_counts(conn, project_id=project_id)
        wanted = set(languages) if languages is not None else None
        total = sum(kinds.get("postedit", {}).get("accepted", 0)
                    for language, kinds in counts.languages.items()
                    if wanted is None or language in wanted)
        if progress:
            progress(0, total)
        writers: dict[tuple[str, str], _Writer] = {}
        authors: set[str] = set()
        try:
            for item, source_language in _postedits(conn, project_id, wanted):
                pair = (source_language, _bcp47(item["language"]))
                if pair not in writers:
                    suffix = "xlf" if fmt == "xliff" else "tmx"
                    path = temp / f"postedits.{pair[0]}-{pair[1]}.{suffix}"
                    writers[pair] = (XliffWriter if fmt == "xliff" else TmxWriter)(path, *pair)
                writers[pair].write(_segment(item, pseudonym))
                authors.add(item["author_id"])
                result.rows += 1
                types = result.counts.setdefault(item["language"], {})
                types["post-edits"] = types.get("post-edits", 0) + 1
                if progress and result.rows % PROGRESS_EVERY == 0:
                    progress(result.rows, total)
        finally:
            for writer in writers.values():
                writer.close()
        files = [writer.path for writer in writers.values()]
        result.files = moved(files, temp, out_dir)
        result.contributors = len(authors)
        if progress:
            progress(result.rows, total)
    result.seconds = time.monotonic() - started
    return result


def _postedits(conn: Connection, project_id, wanted) -> Iterator[tuple[dict, str]]:
    """Accepted post-edits with their source language (from the task), a batch at a time."""
    batch: list[dict] = []
    items = acceptance.accepted_submissions(conn, project_id=project_id, languages=wanted)
    for item in items:
        if item["kind"] != "postedit":
            continue
        batch.append(item)
        if len(batch) >= BATCH:
            yield from _with_sources(conn, batch)
            batch = []
    yield from _with_sources(conn, batch)


def _with_sources(conn: Connection, batch: list[dict]) -> Iterator[tuple[dict, str]]:
    for item, code in _with_source_codes(conn, batch):
        yield item, _bcp47(code)


def _with_source_codes(conn: Connection, batch: list[dict]) -> Iterator[tuple[dict, str]]:
    """Each item with its task's source language (registry code; the default when the task
    does not say)."""
    import contextlib
    import json

    import sqlalchemy as sa

    from i18n.languages import UnknownLanguage, resolve

    ids = sorted({item["task_id"] for item in batch if item["task_id"]})
    sources = {}
    if ids:
        for row in conn.execute(sa.select(TASKS.c.id, TASKS.c.payload).where(TASKS.c.id.in_(ids))):
            task = json.loads(row.payload)
            tag = task.get("source_language") or task.get("source_lang")
            if isinstance(tag, str) and tag:
                with contextlib.suppress(UnknownLanguage):  # unknown: the default
                    sources[row.id] = resolve(tag).code
    for item in batch:
        yield item, sources.get(item["task_id"], DEFAULT_SOURCE_LANGUAGE)


def accepted_pairs(conn: Connection, project_id: str) -> Iterator[tuple[str, str, str, str]]:
    """``(source language, target language, source, post-edit)`` of each accepted post-edit
    of the project (registry codes): what its translation memory holds."""
    batch: list[dict] = []
    items = acceptance.accepted_submissions(conn, project_id=project_id)
    for item in items:
        if item["kind"] == "postedit" and (item["source_text"] or item["inputs"]):
            batch.append(item)
        if len(batch) >= BATCH:
            yield from _pairs(conn, batch)
            batch = []
    yield from _pairs(conn, batch)


def _pairs(conn: Connection, batch: list[dict]) -> Iterator[tuple[str, str, str, str]]:
    for item, source_language in _with_source_codes(conn, batch):
        yield (source_language, item["language"], item["source_text"] or item["inputs"],
               item["targets"])


_TAGS: dict[str, str] = {}


def _bcp47(code: str) -> str:
    """A short BCP 47 tag for a registry code or tag: "ur" for urd_Arab, "pa-Arab" for
    pnb_Arab (the script only where the language alone would name another entry)."""
    if code not in _TAGS:
        from i18n.languages import UnknownLanguage, resolve

        try:
            lang = resolve(code)
            short = lang.bcp47.split("-")[0]
            try:
                same = resolve(short).code == lang.code
            except UnknownLanguage:
                same = False
            _TAGS[code] = short if same else lang.bcp47
        except UnknownLanguage:
            _TAGS[code] = "und"
    return _TAGS[code]


def _segment(item: dict, pseudonym) -> dict:
    mt = item["mt_text"] or ""
    hter = item["hter"]
    if hter is None:
        from app.diffs import hter as measure  # sacrebleu: imported only when needed

        hter = measure(mt, item["targets"])
    return {"id": item["id"], "source": item["source_text"] or item["inputs"], "mt": mt,
            "target": item["targets"], "hter": float(hter),
            "seconds": float(item["seconds_spent"] or 0.0),
            "sessions": int(item["edit_sessions"] or 0), "language": item["language"],
            "user": pseudonym(item["author_id"]), "updated_at": item["updated_at"]}


class _Writer:
    """A streaming XML file: ``write(segment)`` per segment, ``close()`` once."""

    def __init__(self, path: Path):
        self.path = path
        self._file = open(path, "w", encoding="utf-8", newline="\n")  # noqa: SIM115
        self.xml = XMLGenerator(self._file, encoding="utf-8", short_empty_elements=True)
        self.xml.startDocument()

    def element(self, name: str, attrs: dict | None = None, text: str | None = None,
                cp: str = "xliff") -> None:
        self.xml.startElement(name, attrs or {})
        if text is not None:
            self.text(text, cp)
        self.xml.endElement(name)

    def text(self, text: str, cp: str) -> None:
        start = 0
        for match in _SPECIAL.finditer(text):
            self.xml.characters(text[start:match.start()])
            char = match.group()
            if char == "\r":
                self.xml.ignorableWhitespace("&#13;")  # written as is: a character reference
            elif cp == "xliff":
                self.xml.startElement("cp", {"hex": f"{ord(char):04X}"})
                self.xml.endElement("cp")
            elif cp == "tmx":
                self.element("ph", {"type": "x-cp"}, f"U+{ord(char):04X}")
            else:  # plain text (notes, properties): the code point, spelled out
                self.xml.characters(f"[U+{ord(char):04X}]")
            start = match.end()
        self.xml.characters(text[start:])

    def newline(self) -> None:
        self.xml.ignorableWhitespace("\n")

    def close(self) -> None:
        self._finish()
        self.xml.endDocument()
        self._file.close()

    def _finish(self) -> None:
        raise NotImplementedError


class XliffWriter(_Writer):
    def __init__(self, path: Path, source: str, target: str):
        super().__init__(path)
        self.xml.startElement("xliff", {"xmlns": XLIFF_NS, "xmlns:mtc": MTC_NS,
                                        "xmlns:mda": MDA_NS, "version": "2.0",
                                        "srcLang": source, "trgLang": target})
        self.newline()
        self.xml.startElement("file", {"id": "postedits", "original": "qalam"})
        self.newline()

    def write(self, s: dict) -> None:
        x = self.xml
        x.startElement("unit", {"id": s["id"]})
        x.startElement("mtc:matches", {})
        x.startElement("mtc:match", {"ref": "#s1", "type": "mt", "origin": "machine-translation"})
        self.element("source", {"xml:space": "preserve"}, s["source"])
        self.element("target", {"xml:space": "preserve"}, s["mt"])
        x.endElement("mtc:match")
        x.endElement("mtc:matches")
        x.startElement("mda:metadata", {})
        x.startElement("mda:metaGroup", {"category": "qalam"})
        for kind, value in _metadata(s):
            self.element("mda:meta", {"type": kind}, value)
        x.endElement("mda:metaGroup")
        x.endElement("mda:metadata")
        x.startElement("notes", {})
        self.element("note", {"category": "mt"}, s["mt"], cp="plain")
        self.element("note", {"category": "hter"}, f"{s['hter']:.4f}")
        self.element("note", {"category": "seconds_spent"}, f"{s['seconds']:.1f}")
        x.endElement("notes")
        x.startElement("segment", {"id": "s1", "state": "final"})
        self.element("source", {"xml:space": "preserve"}, s["source"])
        self.element("target", {"xml:space": "preserve"}, s["target"])
        x.endElement("segment")
        x.endElement("unit")
        self.newline()

    def _finish(self) -> None:
        self.xml.endElement("file")
        self.newline()
        self.xml.endElement("xliff")
        self.newline()


class TmxWriter(_Writer):
    def __init__(self, path: Path, source: str, target: str):
        super().__init__(path)
        self.source, self.target = source, target
        self.xml.startElement("tmx", {"version": "1.4"})
        self.newline()
        self.element("header", {"creationtool": "Qalam", "creationtoolversion": __version__,
                                "datatype": "plaintext", "segtype": "paragraph",
                                "adminlang": "en", "srclang": source, "o-tmf": "Qalam"})
        self.newline()
        self.xml.startElement("body", {})
        self.newline()

    def write(self, s: dict) -> None:
        stamp = _tmx_date(s["updated_at"])
        attrs = {"tuid": s["id"], "creationid": s["user"]}
        if stamp:
            attrs["creationdate"] = stamp
        self.xml.startElement("tu", attrs)
        self.element("note", None, f"MT: {s['mt']}", cp="plain")
        self.element("prop", {"type": "x-mt"}, s["mt"], cp="plain")
        for kind, value in _metadata(s):
            self.element("prop", {"type": "x-" + kind.replace("_", "-")}, value, cp="plain")
        for lang, text in ((self.source, s["source"]), (self.target, s["target"])):
            self.xml.startElement("tuv", {"xml:lang": lang})
            self.element("seg", None, text, cp="tmx")
            self.xml.endElement("tuv")
        self.xml.endElement("tu")
        self.newline()

    def _finish(self) -> None:
        self.xml.endElement("body")
        self.newline()
        self.xml.endElement("tmx")
        self.newline()


def _metadata(s: dict) -> list[tuple[str, str]]:
    return [("hter", f"{s['hter']:.4f}"), ("seconds_spent", f"{s['seconds']:.1f}"),
            ("edit_sessions", str(s["sessions"])), ("language", s["language"]),
            ("user_id", s["user"])]


def _tmx_date(stamp: str | None) -> str | None:
    """``2026-01-31T09:30:41.510Z`` -> ``20260131T093041Z`` (TMX's date format)."""
    if not stamp or len(stamp) < 19:
        return None
    return stamp[0:4] + stamp[5:7] + stamp[8:10] + "T" + stamp[11:13] + stamp[14:16] \
        + stamp[17:19] + "Z"
