"""Importing task files into a project: whole files or nothing, idempotent, streamed.

    result = import_file(engine, Path("urd.jsonl"), project_id="aya-urd")
    result.added, result.updated, result.unchanged            # 1200, 0, 0
    import_file(engine, Path("doc.xlf"), project_id="pe-swh",  # XLIFF: post-editing tasks
                progress=lambda done, total, stage: ...)
    import_records(engine, "hall", [{"id": "hall-1", "kind": "original",
                                     "language": "swh_Latn", "instructions": "Andika…"}])

Formats (by extension, or ``file_format``):

* ``jsonl`` (``.jsonl``, ``.ndjson``) and ``csv``: Qalam's task schema or the Aya dataset's
  (``inputs``, ``targets``, ``language``, ``language_code``, ``annotation_type``,
  ``user_id``; the Aya collection's ``script``, ``dataset_name``, ``template_id``), read
  and validated by :func:`app.taskfile.task_from_row` exactly as the app's own import does;
* ``parquet`` (``.parquet``, ``.pq``): the same columns, read a row group batch at a time;
* ``xliff`` (``.xlf``, ``.xliff``; XLIFF 2.x or 1.2): each segment with a source and a
  machine-translated target becomes a post-editing task in the file's target language
  (``source_text``, ``mt_text``, ``source_language``), origin ``translated``. Units marked
  ``translate="no"`` and segments without source text are skipped.

Memory stays bounded whatever the file's shape: a JSONL line or CSV record is bounded in
bytes and values before it is parsed (:data:`app.taskfile.MAX_RECORD_BYTES`,
:data:`~app.taskfile.MAX_RECORD_VALUES`); Parquet is read only in the columns a task is
made of, each row group's declared size checked first (:data:`PARQUET_GROUP_BYTES`), in
batches turned into Python a slice at a time; XLIFF elements outside units are dropped as
they end, and a unit is bounded (:data:`MAX_UNIT_ELEMENTS`, :data:`MAX_UNIT_BYTES`), as is
what the parser may read without completing an element. Past a bound, the file is refused
with an error naming the file and the line, row, unit or field.

How an import runs:

1. **Reading** (no database lock): every record is parsed and validated as it streams past,
   and the checked tasks are written to a temporary spool file. A bad record raises
   :class:`~app.taskfile.TaskFileError` naming the file, the line (Parquet: row; XLIFF: unit
   id and line), the field and the problem, before anything is stored.
2. **Storing** (one write transaction): the spool is read back in batches of
   :data:`BATCH`; new tasks are inserted and changed ones updated with one ``executemany``
   per batch. A task whose content changed gets a new revision and change number, so devices
   pull it again; an unchanged one is left alone, so the same file twice adds nothing. A task
   id that belongs to another project, or that the file gives to two different tasks, is an
   error too, and nothing of the file is kept.

Records without an ``id`` get one derived from their content (XLIFF: from the document,
unit, segment and source text, so a new machine translation of the same segment updates its
task). ``kind`` and ``origin`` fill in what rows do not say. ``progress(done, total, stage)``
is called a few times a second: ``stage`` is ``"reading"`` (``done``/``total`` in bytes of
the file; rows for Parquet and records) then ``"storing"`` (rows). While storing, the import
holds the database's write lock: on SQLite a callback must not write to the same database.
"""

from __future__ import annotations

import json
import re
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from app import clock
from app.kinds import ORIGINS, TASK_KINDS
from app.taskfile import (
    AYA_FIELDS,
    MAX_RECORD_BYTES,
    TEXT_FIELDS,
    TaskFileError,
    csv_rows,
    jsonl_rows,
    task_from_row,
)
from app.text import MAX_FIELD_CHARS
from sync.protocol import ID_PATTERN, ErrorCode, freeze
from sync.server import tables
from sync.server.db import Sequence, run_write
from sync.server.errors import ServerError
from sync.server.exchange.changes import change_records
from sync.server.exchange.payloads import content
from sync.server.people import auditlog
from sync.server.people.auditlog import Actor
from sync.server.work.projects import check_project_id, create_project
from sync.server.work.xmlread import Counting, forget, local, parser, refusals

Target = Engine | Connection
Progress = Callable[[int, int, str], None]
TASKS = tables.tasks

BATCH = 1000          # records stored per executemany
CHUNK = 500           # ids per IN (...) list
PROGRESS_EVERY = 0.2  # seconds between progress calls
FORMATS = {
    "jsonl": (".jsonl", ".ndjson"),
    "csv": (".csv",),
    "parquet": (".parquet", ".pq"),
    "xliff": (".xlf", ".xliff"),
}
# Provenance kept with tasks from Aya rows (the task id never comes from these).
AYA_PROVENANCE = ("id", "user_id", "annotation_type", "language", *AYA_FIELDS,
                  "sub_dataset_name", "split")
MAX_PROVENANCE_CHARS = 1000  # a dataset's name, a template's or a user's id
# Every column a task is made of (app.taskfile.task_from_row, provenance): a Parquet file's
# other columns are never read.
ROW_COLUMNS = frozenset({"id", "kind", "origin", "dialect", "project", "language_code",
                         "language", "script", *TEXT_FIELDS, "original_inputs",
                         "original_targets", "author", "author_id", "review_of",
                         *AYA_PROVENANCE})
# Parquet: a row group's columns above are checked against this before any is read (their
# declared size once unpacked: one value may take a whole row group), and read in batches
# of about PARQUET_BATCH_BYTES.
PARQUET_GROUP_BYTES = 256 * 1024 * 1024
PARQUET_BATCH_BYTES = 16 * 1024 * 1024
MAX_FIELD_BYTES = MAX_FIELD_CHARS * 4  # UTF-8
# XLIFF: a unit is kept in memory until it ends, so its size is bounded; elements outside
# units are dropped as soon as they end. (Depth: libxml2's own limit of 256 levels, which
# huge_tree=False keeps, as it keeps text nodes under 10 MB.)
MAX_UNIT_ELEMENTS = 10_000
MAX_UNIT_BYTES = MAX_RECORD_BYTES


@dataclass(frozen=True)
class ImportResult:
    project_created: bool
    added: int
    updated: int
    unchanged: int

    @property
    def total(self) -> int:
        return self.added + self.updated + self.unchanged


def import_file(target: Target, path: Path | str, *, project_id: str, kind: str | None = None,
                origin: str | None = None, file_format: str | None = None,
                project_name: str | None = None, progress: Progress | None = None,
                by: Actor | None = None, allow_mismatch: bool = False) -> ImportResult:
    """Import a task file into ``project_id`` (created if new): all of it, or nothing; the
    audit log names ``by`` (the command line when not given), in the same transaction.
    ``allow_mismatch`` takes rows whose language name or script disagrees with their
    language code (:func:`app.records.check_row_language`) as they say."""
    path = Path(path)
    check_options(project_id, kind, origin)
    file_format = detect_format(path, file_format)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise TaskFileError(path, None, None, f"cannot be read ({exc.strerror}).") from exc
    if size == 0:
        raise TaskFileError(path, None, None, "is empty; it contains no tasks.")
    meter = _Meter(progress, "reading", size)
    if file_format == "parquet":
        records = _parquet_tasks(path, meter, project=project_id, kind=kind, origin=origin,
                                 allow_mismatch=allow_mismatch)
    elif file_format == "xliff":
        records = _xliff_tasks(path, meter, project=project_id, kind=kind, origin=origin,
                               allow_mismatch=allow_mismatch)
    else:
        rows = (jsonl_rows if file_format == "jsonl" else csv_rows)(path, read=meter.add)
        if file_format == "csv":
            rows = _known_columns(path, rows)
        located = (({"line": line}, row) for line, row in rows)
        records = _row_tasks(path, located, project=project_id, kind=kind, origin=origin,
                             allow_mismatch=allow_mismatch)
    return _import(target, path, project_id, records, meter, project_name=project_name, by=by)


def import_records(target: Target, project_id: str, records: Iterable[Mapping], *,
                   kind: str | None = None, origin: str | None = None,
                   project_name: str | None = None, progress: Progress | None = None,
                   name: str = "records", allow_mismatch: bool = False) -> ImportResult:
    """Import already-read rows (Qalam's or Aya's schema), validated and stored like a file's;
    errors name ``name`` and the row number (from 1)."""
    check_options(project_id, kind, origin)
    path = Path(name)
    total = len(records) if hasattr(records, "__len__") else 0
    meter = _Meter(progress, "reading", total)

    def rows():
        for number, row in enumerate(records, start=1):
            meter.add(1)
            if not isinstance(row, Mapping):
                raise TaskFileError(path, None, None, "must be an object (a dict).", row=number)
            yield {"row": number}, row

    tasks = _row_tasks(path, rows(), project=project_id, kind=kind, origin=origin,
                       allow_mismatch=allow_mismatch)
    return _import(target, path, project_id, tasks, meter, project_name=project_name)


def detect_format(path: Path, file_format: str | None = None) -> str:
    """``jsonl``, ``csv``, ``parquet`` or ``xliff``: as given, else from the extension."""
    if file_format is not None:
        if file_format not in FORMATS:
            raise TaskFileError(path, None, None, f"format {file_format!r} is not one Qalam "
                                                  f"reads; use {', '.join(FORMATS)}.")
        return file_format
    suffix = Path(path).suffix.lower()
    for name, suffixes in FORMATS.items():
        if suffix in suffixes:
            return name
    known = ", ".join(s for suffixes in FORMATS.values() for s in suffixes)
    raise TaskFileError(path, None, None, f"has an unknown format; use {known} "
                                          "(or say which with --format).")


def check_options(project_id: str, kind: str | None, origin: str | None) -> None:
    """The import's options, checked before a byte is read (ServerError naming the option)."""
    check_project_id(project_id)
    if kind is not None and kind not in TASK_KINDS:
        raise ServerError(ErrorCode.invalid_request,
                          f"kind must be one of {', '.join(TASK_KINDS)} (got {kind!r}).")
    if origin is not None and origin not in ORIGINS:
        raise ServerError(ErrorCode.invalid_request,
                          f"origin must be one of {', '.join(ORIGINS)} (got {origin!r}).")


class _Meter:
    """Calls ``progress(done, total, stage)`` at most every PROGRESS_EVERY seconds."""

    def __init__(self, progress: Progress | None, stage: str, total: int):
        self.progress, self.stage, self.total = progress, stage, total
        self.done, self.last = 0, 0.0

    def add(self, amount: int) -> None:
        self.done += amount
        if self.progress is not None:
            now = time.monotonic()
            if now - self.last >= PROGRESS_EVERY:
                self.last = now
                self.progress(self.done, max(self.total, self.done), self.stage)

    def restart(self, stage: str, total: int) -> None:
        self.stage, self.total, self.done, self.last = stage, total, 0, 0.0

    def finish(self) -> None:
        if self.progress is not None:
            self.progress(self.done, max(self.total, self.done), self.stage)


# --- reading ---------------------------------------------------------------------------------


def _error(path: Path, where: Mapping, field: str | None, problem: str) -> TaskFileError:
    return TaskFileError(path, where.get("line"), field, problem, row=where.get("row"),
                         unit=where.get("unit"))


def _checked(path: Path, where: Mapping, task: dict) -> dict:
    """Server-side limits on top of app.taskfile's: ids fit the id columns."""
    if not ID_PATTERN.fullmatch(task["id"]):
        raise _error(path, where, "id", f"{task['id']!r} cannot be a task id: use 1 to 64 "
                                        "letters, digits and . _ : -")
    for field in ("author", "review_of"):
        value = task.get(field)
        if value is not None and len(value) > 64:
            raise _error(path, where, field, "is longer than 64 characters; it must be an id.")
    return task


def _known_columns(path: Path, rows: Iterable[tuple[int, dict]]
                   ) -> Iterator[tuple[int, dict]]:
    """A CSV file's rows, once its header is known to name only columns a task is made of: a
    misspelt column ("input", "langauge_code") would otherwise be left out without a word."""
    for number, (line, row) in enumerate(rows):
        if number == 0:
            unknown = [name for name in row if name not in ROW_COLUMNS]
            if unknown:
                raise TaskFileError(path, 1, None, (
                    f"has columns Qalam does not read: {', '.join(map(repr, unknown))}; "
                    "rename or remove them (it reads inputs, targets, language_code, "
                    "language, script, kind, origin, dialect, id and the Aya dataset's "
                    "columns)."))
        yield line, row


def _row_tasks(path: Path, rows: Iterable[tuple[dict, Mapping]], *, project: str,
               kind: str | None, origin: str | None,
               allow_mismatch: bool = False) -> Iterator[tuple[dict, dict]]:
    for where, row in rows:
        if "author_id" in row and "author" not in row:
            row = {**row, "author": row["author_id"]}  # the server's column name
        task = task_from_row(row, path, line=where.get("line"), row_number=where.get("row"),
                             project=project, kind=kind, origin=origin,
                             allow_mismatch=allow_mismatch)
        provenance = {name: _plain(row[name]) for name in AYA_PROVENANCE
                      if row.get(name) is not None} if _is_aya(row) else {}
        for name, value in provenance.items():
            if isinstance(value, str) and len(value) > MAX_PROVENANCE_CHARS:
                raise _error(path, where, name, f"is longer than {MAX_PROVENANCE_CHARS:,} "
                                                "characters; it should name a dataset, a "
                                                "template or a person, and is kept with "
                                                "every task.")
        if provenance:
            task["provenance"] = {"format": "aya", **provenance}
        yield where, _checked(path, where, task)


def _is_aya(row: Mapping) -> bool:
    return any(name in row for name in AYA_FIELDS)


def _plain(value):
    return value if isinstance(value, str | int | float | bool) else str(value)


def _parquet_tasks(path: Path, meter: _Meter, *, project: str, kind: str | None,
                   origin: str | None, allow_mismatch: bool = False
                   ) -> Iterator[tuple[dict, dict]]:
    """Rows of a Parquet file: only the columns a task is made of, each row group checked
    against :data:`PARQUET_GROUP_BYTES` from the file's metadata before it is read, then
    read in batches of about :data:`PARQUET_BATCH_BYTES`."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        # Streamed reads (buffer_size, no pre-buffering): a column chunk is not read whole.
        parquet = pq.ParquetFile(path, buffer_size=1 << 20, pre_buffer=False,
                                 thrift_string_size_limit=16 << 20,
                                 thrift_container_size_limit=1 << 20)
    except (pa.ArrowException, OSError) as exc:
        raise TaskFileError(path, None, None, f"is not a Parquet file ({exc}).") from exc
    meter.total = parquet.metadata.num_rows
    columns = _parquet_columns(path, parquet)

    def rows():
        number = 0
        for group in range(parquet.metadata.num_row_groups):
            batch_rows = _parquet_batch_rows(path, parquet, group, columns, first_row=number + 1)
            batches = parquet.iter_batches(batch_size=batch_rows, row_groups=[group],
                                           columns=columns, use_threads=False)
            while True:
                try:
                    batch = next(batches)
                except StopIteration:
                    break
                except (pa.ArrowException, OSError) as exc:
                    raise TaskFileError(path, None, None, f"cannot be read past row {number} "
                                                          f"({exc}).", row=number + 1) from exc
                sizes = _parquet_row_sizes(path, batch, first_row=number + 1)
                for part in _parquet_slices(batch, sizes):  # Python objects: a slice at a time
                    for row in part.to_pylist():
                        number += 1
                        meter.add(1)
                        yield {"row": number}, row

    with parquet:
        yield from _row_tasks(path, rows(), project=project, kind=kind, origin=origin,
                              allow_mismatch=allow_mismatch)


def _parquet_columns(path: Path, parquet) -> list[str]:
    """The file's columns a task is made of; each must hold text or numbers."""
    import pyarrow as pa

    schema = parquet.schema_arrow
    columns = [name for name in schema.names if name in ROW_COLUMNS]
    if not columns:
        raise TaskFileError(path, None, None, "has none of the columns a task is made of "
                                              "(inputs, targets, language_code, …).")
    for name in columns:
        if pa.types.is_nested(schema.field(name).type):
            raise TaskFileError(path, None, name, f"holds {schema.field(name).type}; a "
                                                  "task's fields are text or numbers.")
    return columns


def _parquet_batch_rows(path: Path, parquet, group: int, columns: list[str], *,
                        first_row: int) -> int:
    """Rows per batch for row group ``group``, from its declared size; a group larger than
    PARQUET_GROUP_BYTES is refused before it is read."""
    meta = parquet.metadata.row_group(group)
    wanted = set(columns)
    size = sum(meta.column(i).total_uncompressed_size for i in range(meta.num_columns)
               if meta.column(i).path_in_schema in wanted)
    if size > PARQUET_GROUP_BYTES:
        mb = 1024 * 1024
        raise TaskFileError(path, None, None, f"row group {group + 1} holds {-(-size // mb):,} MB "
                                              f"of tasks once unpacked; Qalam reads row "
                                              f"groups of up to {PARQUET_GROUP_BYTES // mb} "
                                              "MB: write the file with smaller row groups "
                                              "(pyarrow: row_group_size=10000).",
                            row=first_row)
    per_row = max(1, size // max(1, meta.num_rows))
    return max(1, min(2048, PARQUET_BATCH_BYTES // per_row))


def _parquet_row_sizes(path: Path, batch, *, first_row: int) -> list[int]:
    """Each row's bytes of text, measured in Arrow before Python strings are made of it; a
    value longer than a field may be is refused here. (A dictionary-encoded column may
    repeat one long value in every row while its pages stay small.)"""
    import pyarrow.compute as pc

    sizes = None
    for name, column in zip(batch.schema.names, batch.columns, strict=True):
        lengths = _text_lengths(column)
        if lengths is None:
            continue
        lengths = pc.fill_null(lengths, 0)
        longest = pc.max(lengths).as_py()
        if longest is not None and longest > MAX_FIELD_BYTES:
            index = pc.index(pc.greater(lengths, MAX_FIELD_BYTES), True).as_py()
            raise TaskFileError(path, None, name, f"is longer than {MAX_FIELD_CHARS:,} "
                                                  "characters, the most a field may hold.",
                                row=first_row + index)
        sizes = lengths if sizes is None else pc.add(sizes, lengths)
    return [0] * batch.num_rows if sizes is None else sizes.to_pylist()


def _text_lengths(column):
    import pyarrow as pa
    import pyarrow.compute as pc

    def is_text(kind) -> bool:
        return (pa.types.is_string(kind) or pa.types.is_large_string(kind)
                or pa.types.is_binary(kind) or pa.types.is_large_binary(kind))

    if pa.types.is_dictionary(column.type):
        if not is_text(column.type.value_type):
            return None
        return pc.take(pc.binary_length(column.dictionary), column.indices)
    return pc.binary_length(column) if is_text(column.type) else None


def _parquet_slices(batch, sizes: list[int]):
    """The batch in consecutive slices of about PARQUET_BATCH_BYTES of text each."""
    start = total = 0
    for index, size in enumerate(sizes):
        if total and total + size > PARQUET_BATCH_BYTES:
            yield batch.slice(start, index - start)
            start, total = index, 0
        total += size
    if start < len(sizes):
        yield batch.slice(start)


# XLIFF inline codes whose content is the document's own markup, not text to translate
# (1.2: x bx ex ph bpt ept it; 2.x: ph sc ec sm em cp). Others (g, mrk, pc) wrap text.
_CODES = frozenset({"x", "bx", "ex", "ph", "bpt", "ept", "it", "sc", "ec", "sm", "em", "cp"})
_XLIFF_FIELDS = {"source_text": "source", "mt_text": "target"}


def _text(element) -> str:
    parts = [element.text or ""]
    for child in element:
        if isinstance(child.tag, str) and local(child) not in _CODES:
            parts.append(_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


class _Xliff:
    """What reading an XLIFF file has learned so far, and the tasks its segments make."""

    def __init__(self, path: Path, project: str, origin: str | None,
                 allow_mismatch: bool = False):
        self.path, self.project, self.origin = path, project, origin
        self.allow_mismatch = allow_mismatch
        self.version = self.source = self.target = None
        self.document, self.segment = "", 0
        self.skip: list[bool] = []  # translate="no" on a file, group or unit, innermost last

    def language(self, element, attribute: str) -> str:
        from i18n.languages import UnknownLanguage, resolve

        value = element.get(attribute)
        where = {"line": element.sourceline}
        if not value:
            raise _error(self.path, where, attribute, "is missing; the file must say its "
                                                      "source and target languages.")
        try:
            return resolve(value).code
        except UnknownLanguage:
            raise _error(self.path, where, attribute,
                         f"{value!r} is not a language code Qalam knows.") from None

    def root(self, element) -> None:
        if local(element) != "xliff":
            raise _error(self.path, {"line": element.sourceline}, None,
                         f"is not an XLIFF file (its root element is <{local(element)}>).")
        if element.getroottree().docinfo.doctype:
            raise _error(self.path, {"line": _doctype_line(self.path, element.sourceline)},
                         None, "has a DOCTYPE; XLIFF needs none, and Qalam refuses them "
                               "(entity expansion).")
        version = element.get("version") or ""
        if version.startswith("2."):
            self.source = self.language(element, "srcLang")
            self.target = self.language(element, "trgLang")
        elif version != "1.2":
            raise _error(self.path, {"line": element.sourceline}, "version",
                         f"XLIFF {version or '(no version)'} is not supported; use 2.x or 1.2.")
        self.version = version

    def start(self, element, name: str) -> None:
        if name in ("file", "group", "unit", "trans-unit"):
            no = element.get("translate") == "no"
            self.skip.append(no or (self.skip[-1] if self.skip else False))
        if name == "file":
            self.document = element.get("original") or element.get("id") or ""
            if self.version == "1.2":
                self.source = self.language(element, "source-language")
                self.target = self.language(element, "target-language")
        elif name == "unit":
            self.segment = 0

    def end(self, element, name: str) -> tuple[dict, dict] | None:
        """The task an element that just ended makes, if any."""
        found = None
        if name == "segment" and self.version != "1.2":
            self.segment += 1
            if not self.skip[-1]:
                children = {local(child): child for child in element
                            if local(child) in ("source", "target")}
                found = self.task(element.getparent().get("id"), element.sourceline,
                                  children.get("source"), children.get("target"),
                                  element.get("id") or str(self.segment))
        elif name == "trans-unit" and self.version == "1.2" and not self.skip[-1]:
            found = self.task(element.get("id"), element.sourceline,
                              *_trans_unit_texts(element), "1")
        if name in ("file", "group", "unit", "trans-unit"):
            self.skip.pop()
        return found

    def task(self, unit_id: str | None, line: int, source_el, target_el, segment: str):
        path, where = self.path, {"line": line, "unit": unit_id or "?"}
        if not unit_id:
            raise _error(path, where, "id", "the unit has no id; XLIFF requires one.")
        source = _text(source_el) if source_el is not None else ""
        if not source.strip():
            return None  # nothing to translate (formatting only)
        target = _text(target_el) if target_el is not None else ""
        if not target.strip():
            raise _error(path, where, "target", "is missing or empty; post-editing needs a "
                                                "machine translation of every segment.")
        row = {"kind": "postedit", "language_code": self.target, "source_text": source,
               "mt_text": target}
        try:
            found = task_from_row(row, path, line=line, unit=unit_id, project=self.project,
                                  origin=self.origin or "translated",
                                  allow_mismatch=self.allow_mismatch)
        except TaskFileError as exc:
            raise _error(path, where, _XLIFF_FIELDS.get(exc.field, exc.field),
                         exc.problem) from None
        found["source_language"] = self.source
        found["provenance"] = {"format": "xliff", "version": self.version,
                               "document": self.document, "unit": unit_id, "segment": segment}
        # The segment's place and source identify the task: a new MT of it updates the task.
        found["id"] = "xlf-" + _short_hash([self.project, found["language"], self.source,
                                            self.document, unit_id, segment, source])
        return where, _checked(path, where, found)


def _doctype_line(path: Path, root_line: int | None, *, limit: int = 1 << 20) -> int:
    """The line of the DOCTYPE before the root element (lxml says only that there is one),
    read from the start of the file: at most ``limit`` bytes, and no further than the root."""
    with path.open("rb") as raw:
        read = 0
        for number, line in enumerate(raw, start=1):
            read += len(line)
            if b"<!DOCTYPE" in line:
                return number
            if read > limit or (root_line is not None and number >= root_line):
                break
    return 1


def _xliff_tasks(path: Path, meter: _Meter, *, project: str, kind: str | None,
                 origin: str | None, allow_mismatch: bool = False
                 ) -> Iterator[tuple[dict, dict]]:

    if kind not in (None, "postedit"):
        raise TaskFileError(path, None, None, f"is XLIFF, which holds post-editing work; "
                                              f"--kind {kind} does not apply to it.")
    xliff = _Xliff(path, project, origin, allow_mismatch)
    with path.open("rb") as raw:
        counting = Counting(raw, meter.add)
        root = unit = last = None  # unit: the unit being read, kept until it ends
        unit_elements = unit_start = 0
        with refusals(path, lambda: last):
            for event, element in parser(counting):
                counting.quiet = counting.equals = 0
                last = element
                name = element.tag.rpartition("}")[2]  # elements only: no comments, no PIs
                if unit is not None and element is not unit:
                    # Inside a unit, kept until it ends: bounded in elements and bytes.
                    unit_elements += event == "start"
                    if unit_elements > MAX_UNIT_ELEMENTS \
                            or meter.done - unit_start > MAX_UNIT_BYTES:
                        raise _unit_too_big(path, unit)
                if event == "start":
                    if root is None:
                        root = element
                        xliff.root(element)
                    if name in ("unit", "trans-unit") and unit is None:
                        unit, unit_elements, unit_start = element, 0, meter.done
                    xliff.start(element, name)
                    continue
                found = xliff.end(element, name)
                if element is unit:
                    unit = None
                if unit is None and element is not root:
                    forget(element)  # a unit, or anything outside one (notes, skeletons)
                if found is not None:
                    yield found


def _unit_too_big(path: Path, unit) -> TaskFileError:
    return _error(path, {"line": unit.sourceline, "unit": unit.get("id") or "?"}, None,
                  f"holds more than {MAX_UNIT_ELEMENTS:,} elements or "
                  f"{MAX_UNIT_BYTES // (1024 * 1024)} MB; a unit is one segment or a few.")


def _trans_unit_texts(element):
    """XLIFF 1.2: the source and the target, or the first alternative translation."""
    source = target = None
    alternatives = []
    for child in element:
        name = local(child)
        if name == "source":
            source = child
        elif name == "target":
            target = child
        elif name == "alt-trans":
            alternatives += [c for c in child if local(c) == "target"]
    if (target is None or not _text(target).strip()) and alternatives:
        target = alternatives[0]
    return source, target


def _short_hash(parts: list) -> str:
    import hashlib

    text = json.dumps(parts, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


# --- storing ---------------------------------------------------------------------------------


def _import(target: Target, path: Path, project_id: str, records: Iterable[tuple[dict, dict]],
            meter: _Meter, *, project_name: str | None,
            by: Actor | None = None) -> ImportResult:
    now = clock.utc_now()  # every task of the file is created (or changed) at this time
    with tempfile.TemporaryFile("w+b", prefix="qalam-import-") as spool:
        count = 0
        for where, task in records:
            spool.write(_spool_line(where, {**task, "project_id": project_id}, now))
            count += 1
        meter.finish()
        if count == 0:
            raise TaskFileError(path, None, None, "contains no tasks.")
        return run_write(target, lambda conn: _store(conn, path, project_id, spool, count,
                                                     meter, project_name, now, by))


def _spool_line(where: dict, record: dict, now: str) -> bytes:
    """One checked task, its columns and its payload frozen while no lock is held.

    A payload is canonical JSON, whose strings escape every control character, so a tab
    separates it from the columns and a newline ends the line.
    """
    head = {"where": where, **_columns(record)}
    payload = freeze({**record, "created_at": now, "updated_at": now})
    return f"{json.dumps(head, ensure_ascii=False)}\t{payload}\n".encode()


def _spooled(spool) -> Iterator[list[tuple[dict, str]]]:
    spool.seek(0)
    batch = []
    for line in spool:
        head, payload = line.decode("utf-8").rstrip("\n").split("\t", 1)
        batch.append((json.loads(head), payload))
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _store(conn: Connection, path: Path, project_id: str, spool, count: int, meter: _Meter,
           project_name: str | None, now: str, by: Actor | None = None) -> ImportResult:
    created = create_project(conn, project_id, name=project_name)
    if not created:
        deleted = conn.execute(sa.select(tables.projects.c.deleted)
                               .where(tables.projects.c.id == project_id)).scalar()
        if deleted:
            raise ServerError(ErrorCode.invalid_request,
                              f"Project {project_id} was deleted; import into another one.")
    seqs = Sequence(conn)  # after create_project, which takes and saves its own number
    totals = [0, 0, 0]  # added, updated, unchanged
    meter.restart("storing", count)
    for batch in _spooled(spool):
        for index, n in enumerate(_store_batch(conn, seqs, path, project_id, batch, now)):
            totals[index] += n
        meter.add(len(batch))
    auditlog.record(conn, "import", by or Actor.command_line(), subject=path.name,
                    project_id=project_id,
                    detail={"added": totals[0], "updated": totals[1], "unchanged": totals[2],
                            "project_created": created})
    seqs.save()
    meter.finish()
    return ImportResult(created, *totals)


def _store_batch(conn: Connection, seqs: Sequence, path: Path, project_id: str,
                 batch: list[tuple[dict, str]], now: str) -> tuple[int, int, int]:
    """One batch of spooled tasks: new ones inserted, changed ones changed (devices pull
    them again), the rest left alone. Returns how many were added, updated and unchanged."""
    existing = _existing(conn, {head["id"] for head, _ in batch})
    inserts: dict[str, dict] = {}
    updates: dict[str, dict] = {}
    unchanged = 0
    for head, payload in batch:
        where = head.pop("where")
        task_id = head.pop("id")
        row = existing.get(task_id)
        earlier = inserts.get(task_id) or updates.get(task_id)
        if earlier is None and row is not None and row.server_seq > seqs.start:
            earlier = {"payload": row.payload}  # written by an earlier batch of this file
        if earlier is not None:
            # The file names this task twice: fine if it is the same task.
            if not _same(earlier["payload"], payload):
                raise _error(path, where, "id", f"{task_id!r} names an earlier, different "
                                                "task in this file; ids must be unique.")
            unchanged += 1
        elif row is None:
            inserts[task_id] = {"id": task_id, **head, "payload": payload, "revision": 1,
                                "server_seq": seqs.next(), "deleted": False,
                                "created_at": now, "updated_at": now}
        elif row.project_id not in (None, project_id):
            raise _error(path, where, "id", f"task {task_id!r} belongs to project "
                                            f"{row.project_id}; task ids are unique across "
                                            "projects.")
        elif not row.deleted and _same(row.payload, payload):
            unchanged += 1
        else:
            record = json.loads(payload)
            record["created_at"] = json.loads(row.payload).get("created_at") or row.created_at
            updates[task_id] = {**head, "payload": freeze(record), "deleted": False}
    if inserts:
        conn.execute(TASKS.insert(), list(inserts.values()))
    change_records(conn, seqs, TASKS, updates.items(), now=now)
    return len(inserts), len(updates), unchanged


# The times in a canonical payload (quotes inside JSON strings are escaped, so this matches
# only the record's own members).
_STAMPS = re.compile(r'"(?:created_at|updated_at)":"[^"\\]*"')


def _same(stored: str, payload: str) -> bool:
    """Whether two task payloads have the same content (sync.server.exchange.payloads.content)."""
    if _STAMPS.sub("", stored) == _STAMPS.sub("", payload):
        return True  # the common case, without parsing either
    return content(json.loads(stored)) == content(json.loads(payload))


def _columns(record: dict) -> dict:
    return {"id": record["id"], "project_id": record["project_id"],
            "language": record["language"], "kind": record["kind"],
            "origin": record["origin"], "author_id": record.get("author"),
            "review_of": record.get("review_of")}


def _existing(conn: Connection, ids: set[str]) -> dict:
    found = {}
    wanted = sorted(ids)
    for start in range(0, len(wanted), CHUNK):
        for row in conn.execute(
                sa.select(TASKS.c.id, TASKS.c.project_id, TASKS.c.payload, TASKS.c.revision,
                          TASKS.c.deleted, TASKS.c.server_seq, TASKS.c.created_at)
                .where(TASKS.c.id.in_(wanted[start:start + CHUNK]))):
            found[row.id] = row
    return found


__all__ = ["FORMATS", "ImportResult", "Progress", "detect_format", "import_file",
           "import_records"]
