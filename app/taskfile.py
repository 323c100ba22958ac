"""Reading task files: what a coordinator hands an annotator, and the demo workspace.

    tasks = read_task_file(Path("urd.jsonl"), project="demo")   # validates everything first
    store.add_tasks(tasks)                                      # then one transaction

    for line, row in jsonl_rows(path):                          # streaming, for big files
        task = task_from_row(row, path, line=line, project="aya-urd")

Formats, chosen by extension:

* ``.jsonl`` — one JSON object per line, either Qalam's task format (``id``, ``kind``,
  ``language_code`` as a registry code such as ``urd_Arab``, ``inputs``, ``targets``,
  ``instructions``, ``source_text``, ``mt_text``, ``origin``, ``dialect``; review items also
  ``original_inputs``, ``original_targets`` — the peer's original, with their edit in
  ``inputs``/``targets`` — ``author``, the peer's user id, and ``review_of``, the id of the
  peer's submission) or the Aya dataset schema (``inputs``, ``targets``, ``language`` — a
  name such as "Urdu" —, ``language_code`` as ISO 639-3, ``annotation_type``, ``user_id``;
  the Aya collection's ``script``, ``dataset_name``, ``template_id``), whose rows become
  re-annotation tasks;
* ``.csv`` — a header row with the same column names.

What a record must hold is :class:`app.records.TaskRow`, the record contract; the server reads
more formats (Parquet, XLIFF: :mod:`sync.server.work.imports`) through the same
:func:`task_from_row`, so a record means the same thing wherever it is imported.

Every record is validated before anything is stored, so a file is imported whole or not at
all. A bad record raises :class:`TaskFileError` naming the file, line and field. Records
without an ``id`` get one derived from their content, so importing a file twice adds nothing.
Aya rows never keep their ``id`` as the task's: it numbers rows within one source dataset,
not tasks across projects.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Callable, Iterator, Mapping
from json.decoder import scanstring
from pathlib import Path

from pydantic import ValidationError

from app.errors import QalamError
from app.kinds import ORIGINS  # noqa: F401 (re-exported: older imports read it here)
from app.records import (  # noqa: F401 (re-exported: the importers read them here)
    AYA_FIELDS,
    TEXT_FIELDS,
    TaskRow,
    aya_origin,
    first_problem,
    is_aya_row,
    resolve_row_language,
)
from i18n.bidi import isolate
from i18n.translation import N_, pgettext

# A field may hold 262,144 characters (app.text); the csv module's default limit is half that.
csv.field_size_limit(max(csv.field_size_limit(), 1 << 22))
# One record (a JSONL line, a CSV record) is read whole, so its size is bounded before it is
# parsed: every text field at its longest, even \u-escaped, fits in 16 MB.
MAX_RECORD_BYTES = 16 * 1024 * 1024
# Values in one record: a task is a flat object of a few dozen fields. Bounding the count
# bounds what parsing costs (an empty list is 2 bytes of JSON and 56 of memory).
MAX_RECORD_VALUES = 10_000
_COUNT_VALUES_PAST = 64 * 1024  # records shorter than this cannot hold enough values to matter


class TaskFileError(QalamError):
    """A task file that cannot be imported. Names the file, the place and the field.

    The place is a ``line`` (JSONL, CSV, XML), a ``row`` (Parquet, records) and, in XLIFF,
    the ``unit`` id as well. ``str(error)`` and ``problem`` are English (logs, the server);
    :meth:`localized` is the same message in the interface's language. ``problem`` is a
    sentence marked with ``N_``, with ``{placeholders}`` filled from ``values``; a value may
    be a function of the UI locale (a language's name, from CLDR).
    """

    def __init__(self, path: Path, line: int | None, field: str | None, problem: str, *,
                 row: int | None = None, unit: str | None = None,
                 values: Mapping | None = None):
        self.path, self.line, self.field = Path(path), line, field
        self.row, self.unit = row, unit
        self.template, self.values = problem, dict(values or {})
        self.problem = _fill(problem, self.values, None)
        super().__init__(self._message(None))

    def localized(self) -> str:
        """The message in the installed UI language, its values isolated for bidi (in
        English, the message as it is)."""
        from i18n.translation import current_locale

        locale = current_locale()
        return str(self) if locale == "en" else self._message(locale)

    def _message(self, locale: str | None) -> str:
        """English when ``locale`` is None, else translated."""
        line, unit = self.line, self.unit
        parts = [(N_("line {line}"), {"line": line})] if line is not None and unit is None \
            else []
        if unit is not None:
            parts.append((N_("unit {unit} (line {line})"), {"unit": repr(unit), "line": line})
                         if line is not None else (N_("unit {unit}"), {"unit": repr(unit)}))
        if self.row is not None:
            parts.append((N_("row {row}"), {"row": self.row}))
        if self.field is not None:
            parts.append((N_("field {field}"), {"field": repr(self.field)}))
        places = [_fill(text, values, locale) for text, values in parts]
        if locale is None:
            return f"{', '.join([self.path.name, *places])}: {self.problem}"
        # Translators: between the parts of a place in a task file ("urd.jsonl, line 3, field
        # 'kind'"); Arabic script writes "، ".
        separator = pgettext("place in a file", ", ")
        place = separator.join([isolate(self.path.name), *places])
        return _translate(N_("{place}: {problem}")).format(
            place=place, problem=_fill(self.template, self.values, locale))


def _translate(text: str) -> str:
    from i18n.translation import _

    return _(text)


def _fill(template: str, values: Mapping, locale: str | None) -> str:
    """``template`` with its values: English and plain for ``locale=None``, else translated
    with every value isolated (a Latin file name inside an Urdu sentence keeps its place)."""
    if locale is not None:
        template = _translate(template)
    if not values:
        return template
    filled = {key: value(locale or "en") if callable(value) else value
              for key, value in values.items()}
    if locale is not None:
        filled = {key: isolate(value) for key, value in filled.items()}
    return template.format(**filled)


def read_task_file(
    path: Path, *, project: str | None = None, kind: str | None = None,
    origin: str | None = None, progress: Callable[[int, int], None] | None = None,
) -> list[dict]:
    """Parse and validate a whole task file; return task dicts ready for ``Store.add_tasks``.

    ``kind`` and ``origin`` apply to rows that do not say theirs. ``progress(lines_done,
    total_lines)`` is called now and then for large files.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".jsonl":
        rows = jsonl_rows(path)
    elif suffix == ".csv":
        rows = csv_rows(path)
    else:
        raise TaskFileError(path, None, None, N_("has an unknown format; use .jsonl or .csv."))
    total_lines = count_lines(path) if progress is not None else 0
    tasks = []
    for line, row in rows:
        tasks.append(task_from_row(row, path, line=line, project=project, kind=kind,
                                   origin=origin))
        if progress is not None and len(tasks) % 1000 == 0:
            progress(min(line, total_lines), total_lines)
    if progress is not None:
        progress(total_lines, total_lines)
    if not tasks:
        raise TaskFileError(path, None, None, N_("contains no tasks."))
    return tasks


# --- reading, a line at a time -------------------------------------------------------------


def count_lines(path: Path) -> int:
    """Lines in a text file, counted in 1 MB blocks (for progress bars)."""
    lines, last = 0, b"\n"
    with _open(path) as f:
        while block := f.read(1 << 20):
            lines += block.count(b"\n")
            last = block[-1:]
    return lines + (last != b"\n")


def _open(path: Path):
    try:
        return Path(path).open("rb")
    except OSError as exc:
        raise TaskFileError(path, None, None, N_("cannot be read ({reason})."),
                            values={"reason": exc.strerror}) from exc


def text_lines(path: Path, *, read: Callable[[int], None] | None = None) -> Iterator[str]:
    """The file's lines as text (line endings kept), decoded one at a time as UTF-8.

    ``read(byte_count)`` is told how many bytes each line took (progress by bytes). A
    byte sequence that is not UTF-8, or a line longer than :data:`MAX_RECORD_BYTES` (read
    no further than that), raises :class:`TaskFileError` with its line.
    """
    with _open(path) as f:
        number, readline = 0, f.readline
        while raw := readline(MAX_RECORD_BYTES + 1):
            number += 1
            if len(raw) > MAX_RECORD_BYTES:
                raise _too_long(path, number)
            if read is not None:
                read(len(raw))
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise TaskFileError(
                    path, number, None,
                    N_("is not valid UTF-8 text; save it as UTF-8 and try again.")) from exc
            yield line.removeprefix("\ufeff") if number == 1 else line


def jsonl_rows(path: Path, *, read: Callable[[int], None] | None = None
               ) -> Iterator[tuple[int, dict]]:
    """``(line number, object)`` for each non-blank line of a JSON Lines file."""
    for number, line in enumerate(text_lines(path, read=read), start=1):
        if not line.strip():
            continue
        if len(line) > _COUNT_VALUES_PAST and _json_values(line) > MAX_RECORD_VALUES:
            raise _too_many_values(path, number)
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise TaskFileError(
                path, number, None, N_("is not a complete JSON object (column {column}: "
                                       "{reason})."),
                values={"reason": exc.msg, "column": exc.colno}) from exc
        except RecursionError:
            raise TaskFileError(path, number, None, N_(
                "nests lists or objects too deeply; a task is one flat JSON object.")
            ) from None
        except ValueError:  # a number of thousands of digits
            raise TaskFileError(path, number, None, N_(
                "holds a number too long to read; a task's fields are text.")) from None
        if not isinstance(row, dict):
            raise TaskFileError(path, number, None, N_("must be a JSON object ({…})."))
        yield number, row


def _too_long(path: Path, line: int) -> TaskFileError:
    return TaskFileError(path, line, None, N_(
        "is longer than {size} MB; one task must fit in that (a field holds at most "
        "262,144 characters)."), values={"size": MAX_RECORD_BYTES // (1024 * 1024)})


def _too_many_values(path: Path, line: int) -> TaskFileError:
    return TaskFileError(path, line, None, N_(
        "holds more than {count} values; a task is one record of a few dozen fields."),
        values={"count": f"{MAX_RECORD_VALUES:,}"})


def _json_values(line: str) -> int:
    """How many values a JSON text holds, roughly (separators, openings and strings outside
    strings), counted no further than just past :data:`MAX_RECORD_VALUES`. Strings are
    skipped by the json module's own scanner, so their commas do not count."""
    count, at = 0, 0
    while count <= MAX_RECORD_VALUES:
        quote = line.find('"', at)
        end = len(line) if quote < 0 else quote
        count += sum(line.count(mark, at, end) for mark in ",:[{")
        if quote < 0:
            break
        count += 1
        try:
            at = scanstring(line, quote + 1)[1]
        except ValueError:
            break  # an unterminated string: json.loads says so, with its position
    return count


def _csv_values(line: str, quoted: bool) -> int:
    """Commas outside quotes in one line of CSV (``quoted``: it starts inside a quoted
    field). A quoted field's escaped quotes come in pairs, so removing each "…" span leaves
    what lies outside them."""
    outside = _QUOTED.sub("", '"' + line if quoted else line)
    return outside.split('"', 1)[0].count(",")


_QUOTED = re.compile(r'"[^"]*"')


def csv_rows(path: Path, *, read: Callable[[int], None] | None = None
             ) -> Iterator[tuple[int, dict]]:
    """``(line number, row)`` for each record of a CSV file with a header row; empty cells
    are ``None``. A record may span lines (quoted newlines): its number is its last line.

    Each record is bounded before the csv module parses it: at most
    :data:`MAX_RECORD_BYTES` of text and :data:`MAX_RECORD_VALUES` values, whatever the
    quoting."""
    size = values = 0  # of the record being read
    quoted = False      # whether its last line ended inside a quoted field
    number = 0          # of the line the csv module has

    def lines():
        nonlocal size, values, quoted, number
        for number, line in enumerate(text_lines(path, read=read), start=1):
            size += len(line)
            if size > _COUNT_VALUES_PAST:
                if size > MAX_RECORD_BYTES:
                    raise _too_long(path, number)
                values += _csv_values(line, quoted)
                if values > MAX_RECORD_VALUES:
                    raise _too_many_values(path, number)
            if '"' in line and line.count('"') % 2:
                quoted = not quoted
            yield line

    reader = csv.DictReader(lines())
    try:
        for row in reader:
            size = values = 0
            quoted = False  # a record ends outside quotes
            if None in row:
                raise TaskFileError(
                    path, reader.line_num, None,
                    N_("has more values than the header has columns."))
            yield reader.line_num, {k: (v if v != "" else None) for k, v in row.items()}
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            raise TaskFileError(path, number, None, N_(
                "holds a value longer than {limit} characters; a field holds at most "
                "262,144."), values={"limit": f"{csv.field_size_limit():,}"}) from exc
        raise TaskFileError(path, number, None, N_("is not valid CSV ({reason})."),
                            values={"reason": exc}) from exc


# --- one record ------------------------------------------------------------------------------


def task_from_row(
    row: Mapping, path: Path, *, line: int | None = None, row_number: int | None = None,
    unit: str | None = None, project: str | None = None, kind: str | None = None,
    origin: str | None = None, allow_mismatch: bool = False,
) -> dict:
    """Validate one record (Qalam's schema or Aya's: :class:`app.records.TaskRow`) and return
    it as a task dict.

    ``kind`` and ``origin`` apply when the row does not say its own; ``line``,
    ``row_number`` and ``unit`` say where the record is, for errors; ``allow_mismatch``
    takes a row whose language name or script disagrees with its code as it says.
    """
    try:
        checked = TaskRow.model_validate(row, context={"kind": kind, "origin": origin,
                                                       "allow_mismatch": allow_mismatch})
    except ValidationError as exc:
        problem = first_problem(exc)
        raise TaskFileError(path, line, problem.field, problem.template, row=row_number,
                            unit=unit, values=problem.values) from None
    return checked.task(project)
