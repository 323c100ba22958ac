"""Reading task files: what a coordinator hands an annotator, and the demo workspace.

    tasks = read_task_file(Path("urd.jsonl"), project="demo")   # validates everything first
    store.add_tasks(tasks)                                      # then one transaction

Formats, chosen by extension:

* ``.jsonl`` — one JSON object per line, either Qalam's task format (``id``, ``kind``,
  ``language_code`` as a registry code such as ``urd_Arab``, ``inputs``, ``targets``,
  ``instructions``, ``source_text``, ``mt_text``, ``origin``, ``dialect``; review items also
  ``original_inputs``, ``original_targets`` — the peer's original, with their edit in
  ``inputs``/``targets`` — ``author``, the peer's user id, and ``review_of``, the id of the
  peer's submission) or the Aya dataset
  schema (``inputs``, ``targets``, ``language``, ``language_code`` as ISO 639-3, …), whose rows
  become re-annotation tasks;
* ``.csv`` — a header row with the same column names.

Every record is validated before anything is stored, so a file is imported whole or not at
all. A bad record raises :class:`TaskFileError` naming the file, line and field. Records
without an ``id`` get one derived from their content, so importing a file twice adds nothing.
"""

from __future__ import annotations

import csv
import json
import uuid
from collections.abc import Callable
from pathlib import Path

from app.errors import QalamError, TextRejected
from app.schema import TASK_KINDS
from app.text import clean_field

ORIGINS = ("human", "templated", "translated")
TEXT_FIELDS = ("instructions", "inputs", "targets", "source_text", "mt_text")
_ID_NAMESPACE = uuid.UUID("5b0e3c9e-4a53-4c1e-9d1e-6a8f2f0c7a11")


class TaskFileError(QalamError):
    """A task file that cannot be imported. Names the file, line and field."""

    def __init__(self, path: Path, line: int | None, field: str | None, problem: str):
        self.path, self.line, self.field, self.problem = path, line, field, problem
        where = path.name
        if line is not None:
            where += f", line {line}"
        if field is not None:
            where += f", field {field!r}"
        super().__init__(f"{where}: {problem}")


def read_task_file(
    path: Path, *, project: str | None = None, kind: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[dict]:
    """Parse and validate a whole task file; return task dicts ready for ``Store.add_tasks``.

    ``progress(lines_done, total_lines)`` is called now and then for large files.
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise TaskFileError(path, None, None, f"cannot be read ({exc.strerror}).") from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise TaskFileError(
            path, line, None, "is not valid UTF-8 text; save it as UTF-8 and try again."
        ) from exc
    suffix = path.suffix.lower()
    if suffix == ".jsonl":
        rows = _jsonl_rows(path, text)
    elif suffix == ".csv":
        rows = _csv_rows(path, text)
    else:
        raise TaskFileError(path, None, None, "has an unknown format; use .jsonl or .csv.")
    total_lines = text.count("\n") + 1
    tasks = []
    for line, row in rows:
        tasks.append(_task(path, line, row, project=project, kind=kind))
        if progress is not None and len(tasks) % 1000 == 0:
            progress(min(line, total_lines), total_lines)
    if progress is not None:
        progress(total_lines, total_lines)
    if not tasks:
        raise TaskFileError(path, None, None, "contains no tasks.")
    return tasks


def _jsonl_rows(path: Path, text: str):
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise TaskFileError(
                path, number, None, f"is not a complete JSON object ({exc.msg})."
            ) from exc
        if not isinstance(row, dict):
            raise TaskFileError(path, number, None, "must be a JSON object ({…}).")
        yield number, row


def _csv_rows(path: Path, text: str):
    reader = csv.DictReader(text.splitlines(keepends=True))
    try:
        for row in reader:
            if None in row:
                raise TaskFileError(
                    path, reader.line_num, None, "has more values than the header has columns."
                )
            yield reader.line_num, {k: (v if v != "" else None) for k, v in row.items()}
    except csv.Error as exc:
        raise TaskFileError(path, reader.line_num, None, f"is not valid CSV ({exc}).") from exc


def _task(path: Path, line: int, row: dict, *, project: str | None, kind: str | None) -> dict:
    from i18n.languages import UnknownLanguage, resolve

    def fail(field: str, problem: str):
        raise TaskFileError(path, line, field, problem)

    code = row.get("language_code") or row.get("language")
    if not code or not isinstance(code, str):
        fail("language_code", "is missing; give a language code such as 'urd_Arab' or 'urd'.")
    try:
        language = resolve(code).code
    except UnknownLanguage:
        fail("language_code", f"{code!r} is not a language code Qalam knows.")
    is_aya_row = "annotation_type" in row or ("kind" not in row and "targets" in row)
    task_kind = kind or row.get("kind") or ("reannotation" if is_aya_row else None)
    if task_kind not in TASK_KINDS:
        fail("kind", f"must be one of {', '.join(TASK_KINDS)} (got {task_kind!r}).")
    origin = row.get("origin") or ("templated" if is_aya_row else "human")
    if origin not in ORIGINS:
        fail("origin", f"must be one of {', '.join(ORIGINS)} (got {origin!r}).")
    task = {
        "project_id": project or row.get("project"),
        "kind": task_kind,
        "language": language,
        "dialect": row.get("dialect") or None,
        "origin": origin,
    }
    for field in TEXT_FIELDS:
        value = row.get(field)
        if value is None:
            value = None if field in ("source_text", "mt_text") else ""
        elif not isinstance(value, str):
            fail(field, f"must be text (got {type(value).__name__}).")
        else:
            try:
                value = clean_field(field, value).text
            except TextRejected as exc:
                fail(field, str(exc))
        task[field] = value
    if task_kind == "reannotation" and not (task["inputs"] and task["targets"]):
        field = "inputs" if not task["inputs"] else "targets"
        fail(field, "is empty; a re-annotation task needs an existing prompt and completion.")
    if task_kind == "review":
        for field in ("inputs", "targets", "original_inputs", "original_targets"):
            value = row.get(field)
            if not isinstance(value, str) or not value.strip():
                fail(field, "is missing; a review item needs the peer's original and their "
                     "edit (original_inputs, original_targets, inputs, targets).")
            try:
                task[field] = clean_field(field, value).text
            except TextRejected as exc:
                fail(field, str(exc))
        for field in ("author", "review_of"):
            value = row.get(field)
            if value is not None and not isinstance(value, str):
                fail(field, f"must be text (got {type(value).__name__}).")
            task[field] = value or None
    if task_kind == "postedit" and not (task["source_text"] and task["mt_text"]):
        field = "source_text" if not task["source_text"] else "mt_text"
        fail(field, "is empty; a post-editing task needs the source and the machine translation.")
    task_id = row.get("id")
    if task_id is not None and not isinstance(task_id, str):
        task_id = str(task_id)
    task["id"] = task_id or str(
        uuid.uuid5(_ID_NAMESPACE, json.dumps(task, sort_keys=True, ensure_ascii=False))
    )
    return task
