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

The server reads more formats (Parquet, XLIFF: :mod:`sync.server.imports`) through the same
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
import uuid
from collections.abc import Callable, Iterator, Mapping
from functools import lru_cache
from json.decoder import scanstring
from pathlib import Path

from app.errors import QalamError, TextRejected
from app.kinds import TASK_KINDS
from app.text import clean_field, require_visible
from i18n.bidi import isolate
from i18n.translation import N_, pgettext

ORIGINS = ("human", "templated", "translated")
TEXT_FIELDS = ("instructions", "inputs", "targets", "source_text", "mt_text")
# Columns that mark a row of the Aya dataset or the Aya collection.
AYA_FIELDS = ("annotation_type", "dataset_name", "template_id", "task_type")
_ID_NAMESPACE = uuid.UUID("5b0e3c9e-4a53-4c1e-9d1e-6a8f2f0c7a11")
_SCRIPT = re.compile(r"[A-Za-z]{4}")
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
                path, number, None, N_("is not a complete JSON object ({reason})."),
                values={"reason": exc.msg}) from exc
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


def is_aya_row(row: Mapping) -> bool:
    """A row in the Aya dataset's (or collection's) schema rather than Qalam's own."""
    return _aya_marked(row) or ("kind" not in row and "targets" in row)


def _aya_marked(row: Mapping) -> bool:
    return any(name in row for name in AYA_FIELDS)


def aya_origin(row: Mapping) -> str:
    """Where an Aya row's text came from: the Aya dataset is written by people; the
    collection's rows are templated, or machine-translated (``translated-…`` datasets)."""
    if row.get("annotation_type"):
        return "human"
    if "translat" in str(row.get("dataset_name") or "").lower():
        return "translated"
    return "templated"


def task_from_row(
    row: Mapping, path: Path, *, line: int | None = None, row_number: int | None = None,
    unit: str | None = None, project: str | None = None, kind: str | None = None,
    origin: str | None = None,
) -> dict:
    """Validate one record (Qalam's schema or Aya's) and return it as a task dict.

    ``kind`` and ``origin`` apply when the row does not say its own; ``line``,
    ``row_number`` and ``unit`` say where the record is, for errors.
    """

    def fail(field: str, problem: str, **values):
        raise TaskFileError(path, line, field, problem, row=row_number, unit=unit,
                            values=values)

    try:
        language = resolve_row_language(row)
    except _BadLanguage as exc:
        fail(exc.field, exc.problem, **exc.values)
    aya = is_aya_row(row)
    task_kind = row.get("kind") or kind or ("reannotation" if aya else None)
    if task_kind is None:
        fail("kind", N_("is missing; it must be one of {kinds} (or choose the kind of the "
                        "whole file when importing it)."), kinds=", ".join(TASK_KINDS))
    if task_kind not in TASK_KINDS:
        fail("kind", N_("must be one of {choices} (got {value})."),
             choices=", ".join(TASK_KINDS), value=repr(task_kind))
    task_origin = row.get("origin") or origin or (aya_origin(row) if aya else "human")
    if task_origin not in ORIGINS:
        fail("origin", N_("must be one of {choices} (got {value})."),
             choices=", ".join(ORIGINS), value=repr(task_origin))
    dialect = row.get("dialect") or None
    if dialect is not None and not isinstance(dialect, str):
        fail("dialect", _NOT_TEXT, type=type(dialect).__name__)
    task = {
        "project_id": project or row.get("project"),
        "kind": task_kind,
        "language": language,
        "dialect": dialect,
        "origin": task_origin,
    }
    for field in TEXT_FIELDS:
        value = row.get(field)
        if value is None:
            value = None if field in ("source_text", "mt_text") else ""
        elif not isinstance(value, str):
            fail(field, _NOT_TEXT, type=type(value).__name__)
        else:
            try:
                value = clean_field(field, value).text
                if value:  # empty is allowed where the kind allows it; invisible is not
                    require_visible(field, value)
            except TextRejected as exc:
                fail(field, str(exc))
        task[field] = value
    if task_kind == "reannotation" and not (task["inputs"] and task["targets"]):
        field = "inputs" if not task["inputs"] else "targets"
        fail(field, N_("is empty; a re-annotation task needs an existing prompt and "
                       "completion."))
    if task_kind == "review":
        for field in ("inputs", "targets", "original_inputs", "original_targets"):
            value = row.get(field)
            if not isinstance(value, str) or not value.strip():
                fail(field, N_("is missing; a review item needs the peer's original and "
                               "their edit (original_inputs, original_targets, inputs, "
                               "targets)."))
            try:
                task[field] = clean_field(field, value).text
                require_visible(field, task[field])
            except TextRejected as exc:
                fail(field, str(exc))
    if task_kind == "review" or row.get("author") is not None or row.get("review_of"):
        for field in ("author", "review_of"):
            value = row.get(field)
            if value is not None and not isinstance(value, str):
                fail(field, _NOT_TEXT, type=type(value).__name__)
            task[field] = value or None
    if task_kind == "postedit" and not (task["source_text"] and task["mt_text"]):
        field = "source_text" if not task["source_text"] else "mt_text"
        fail(field, N_("is empty; a post-editing task needs the source and the machine "
                       "translation."))
    task_id = None if _aya_marked(row) else row.get("id")
    if task_id is not None and not isinstance(task_id, str):
        if isinstance(task_id, bool) or not isinstance(task_id, int | float):
            fail("id", N_("must be text or a number (got {type})."),
                 type=type(task_id).__name__)
        task_id = str(task_id)
    # Only the fields above, in this order, make the derived id: it must stay the same across
    # versions, or importing a file again would duplicate its tasks.
    identity = {k: task[k] for k in ("project_id", "kind", "language", "dialect", "origin",
                                     *TEXT_FIELDS)}
    identity.update((k, task[k]) for k in ("original_inputs", "original_targets", "author",
                                           "review_of") if k in task and task_kind == "review")
    task["id"] = task_id or str(
        uuid.uuid5(_ID_NAMESPACE, json.dumps(identity, sort_keys=True, ensure_ascii=False))
    )
    return task


# --- languages -------------------------------------------------------------------------------


_NOT_TEXT = N_("must be text (got {type}).")


class _BadLanguage(Exception):
    def __init__(self, field: str, problem: str, **values):
        self.field, self.problem, self.values = field, problem, values


def resolve_row_language(row: Mapping) -> str:
    """The registry code (``urd_Arab``) a row's ``language_code``, ``language`` and
    ``script`` name. Raises an error naming the field when they name none, or more than one.
    """
    values = {}
    for field in ("language_code", "language", "script"):
        value = row.get(field)
        if value is not None and not isinstance(value, str):
            raise _BadLanguage(field, _NOT_TEXT, type=type(value).__name__)
        values[field] = (value or "").strip()
    code, name, script = values["language_code"], values["language"], values["script"]
    if not code and not name:
        raise _BadLanguage("language_code", N_("is missing; give a language code such as "
                                               "'urd_Arab' or 'urd'."))
    if script and not _SCRIPT.fullmatch(script):
        raise _BadLanguage("script", N_("{script} is not an ISO 15924 script code such as "
                                        "'Arab' or 'Latn'."), script=repr(script))
    return _language(code, name, script.title())


@lru_cache(maxsize=4096)
def _language(code: str, name: str, script: str) -> str:
    from i18n.languages import UnknownLanguage, all_languages, resolve

    field = "language_code" if code else "language"
    tag = code or name
    sharing = [lang for lang in all_languages() if lang.aya_code == tag.casefold()]
    if len(sharing) > 1:
        # One Aya code for several languages ('kur': Central Kurdish and Kurmanji; 'zho'):
        # the script or the language's name must say which.
        chosen = [lang for lang in sharing if script and lang.script == script] or \
            [lang for lang in sharing if code and name and _same_name(name, lang.english_name)]
        if len(chosen) != 1:
            raise _BadLanguage(field, N_("{tag} is ambiguous: it may be {options}; use one "
                                         "of those codes or add a script column."),
                               tag=repr(tag), options=_named(sharing))
        return chosen[0].code
    try:
        found = resolve(tag)
    except UnknownLanguage:
        found = None if code else _by_name(name)
        if found is None and code:
            raise _BadLanguage(field, N_("{tag} is not a language code Qalam knows."),
                               tag=repr(tag)) from None
        if found is None:
            raise _BadLanguage(field, N_("{tag} is not a language Qalam knows by that name; "
                                         "add a language_code ('urd' or 'urd_Arab')."),
                               tag=repr(tag)) from None
    if script and found.script != script:
        base = found.bcp47.split("-")[0]
        try:
            found = resolve(f"{base}-{script}")
        except UnknownLanguage:
            raise _BadLanguage("script", N_("Qalam knows no {language} written in {script} "
                                            "({tag})."), language=_named([found]),
                               script=script, tag=repr(tag)) from None
    return found.code


def _named(entries) -> Callable[[str], str]:
    """Registry entries as "Urdu (urd_Arab), …", named in the UI locale it is given (CLDR)."""
    from i18n.languages import language_name

    codes = [lang.code for lang in entries]
    if len(codes) == 1:
        return lambda locale: language_name(codes[0], locale)
    return lambda locale: ", ".join(f"{language_name(code, locale)} ({code})" for code in codes)


def _words(text: str) -> frozenset[str]:
    return frozenset(re.findall(r"\w+", text.casefold()))


def _same_name(a: str, b: str) -> bool:
    return _words(a) == _words(b)


def _by_name(name: str):
    from i18n.languages import all_languages

    matches = [lang for lang in all_languages() if _same_name(name, lang.english_name)
               or name == lang.native_name]
    return matches[0] if len(matches) == 1 else None
