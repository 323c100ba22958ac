"""The glossary export: a project's terms as TBX, one file per language pair.

    result = export_glossary(engine, Path("terms"), project_id="pe-urd")
    # terms/glossary.en-ur.tbx: TBX-Basic (TBX 2008, <martif>), one termEntry per term

TBX 2008's ``martif`` form is the one CAT tools read most widely (OmegaT, MateCat,
translate-toolkit); ``qalam-server glossary import`` reads it back unchanged
(:mod:`sync.server.work.glossary`). Written element by element with the standard library's
streaming XML writer, into a staging folder renamed into place (:mod:`.output`).
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from xml.sax.saxutils import XMLGenerator

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from sync.server import tables
from sync.server.export.output import ExportError, ExportResult, moved, snapshot, staging
from sync.server.export.postedit import _bcp47

TERMS = tables.glossary_terms


def export_glossary(target: Engine | Connection, out_dir: Path, *,
                    project_id: str) -> ExportResult:
    started = time.monotonic()
    out_dir = Path(out_dir)
    result = ExportResult(out_dir=out_dir, format="tbx", rows=0)
    with staging(out_dir) as temp, snapshot(target) as conn:
        writers: dict[tuple[str, str], _TbxWriter] = {}
        try:
            rows = conn.execute(
                sa.select(TERMS.c.payload).where(TERMS.c.project_id == project_id,
                                                 TERMS.c.deleted == sa.false())
                .order_by(TERMS.c.source_language, TERMS.c.target_language, TERMS.c.id))
            for row in rows:
                term = json.loads(row.payload)
                pair = (_bcp47(term["source_language"]), _bcp47(term["target_language"]))
                if pair not in writers:
                    writers[pair] = _TbxWriter(temp / f"glossary.{pair[0]}-{pair[1]}.tbx",
                                               *pair)
                writers[pair].write(term)
                result.rows += 1
                counts = result.counts.setdefault(term["target_language"], {})
                counts["terms"] = counts.get("terms", 0) + 1
        finally:
            for writer in writers.values():
                writer.close()
        if not result.rows:
            raise ExportError(f"Project {project_id} has no glossary terms; import some first "
                              "(qalam-server glossary import).")
        result.files = moved([w.path for w in writers.values()], temp, out_dir)
    result.seconds = time.monotonic() - started
    return result


class _TbxWriter:
    def __init__(self, path: Path, source: str, target: str):
        self.path, self.source, self.target = path, source, target
        self._file = open(path, "w", encoding="utf-8", newline="\n")  # noqa: SIM115
        self.xml = XMLGenerator(self._file, encoding="utf-8", short_empty_elements=True)
        self.xml.startDocument()
        self.xml.startElement("martif", {"type": "TBX-Basic", "xml:lang": source})
        self.xml.startElement("martifHeader", {})
        self.xml.startElement("fileDesc", {})
        self.xml.startElement("sourceDesc", {})
        self._element("p", "Qalam glossary")
        self.xml.endElement("sourceDesc")
        self.xml.endElement("fileDesc")
        self.xml.endElement("martifHeader")
        self.xml.startElement("text", {})
        self.xml.startElement("body", {})
        self.xml.ignorableWhitespace("\n")

    def _element(self, name: str, text: str, attrs: dict | None = None) -> None:
        self.xml.startElement(name, attrs or {})
        self.xml.characters(text)
        self.xml.endElement(name)

    def write(self, term: dict) -> None:
        x = self.xml
        x.startElement("termEntry", {"id": term["id"]})
        if term.get("note"):
            self._element("descrip", term["note"], {"type": "definition"})
        for lang, text in ((self.source, term["source_term"]), (self.target, term["target_term"])):
            x.startElement("langSet", {"xml:lang": lang})
            x.startElement("tig", {})
            self._element("term", text)
            x.endElement("tig")
            x.endElement("langSet")
        x.endElement("termEntry")
        x.ignorableWhitespace("\n")

    def close(self) -> None:
        self.xml.endElement("body")
        self.xml.endElement("text")
        self.xml.endElement("martif")
        self.xml.ignorableWhitespace("\n")
        self.xml.endDocument()
        self._file.close()
