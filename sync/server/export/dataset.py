"""The dataset export: accepted contributions in the Aya Dataset's schema, streamed to disk.

    result = export_dataset(engine, Path("aya-urd-v1"), fmt="parquet", project_id="aya-urd",
                            test_fraction=0.1, progress=lambda done, total: ...)
    datasets.load_dataset("aya-urd-v1")          # the card's YAML says where each split is

Rows have exactly the Aya Dataset's six string columns (:data:`COLUMNS`):

* ``inputs``, ``targets`` — the prompt and the completion, as accepted;
* ``language`` — the language's name: as the imported row gave it (an Aya row's "Standard
  Arabic" comes back "Standard Arabic"); for a new row, the name the Aya rows imported in that
  language give most often, else the Aya Dataset's own name (:data:`AYA_NAMES`), else its
  English name (CLDR, from :mod:`i18n.languages`);
* ``language_code`` — the ISO 639-3 code the Aya Dataset uses (its macrolanguage where Aya
  uses one: ``msa`` for Malay, ``zho`` for both Chinese scripts);
* ``annotation_type`` — ``original-annotations``, ``re-annotations`` or ``post-edits``
  (corrected machine translations, which the Aya Dataset does not have);
* ``user_id`` — the author's pseudonym (:mod:`.pseudonyms`), never their id.

Only accepted items (:mod:`sync.server.work.acceptance`) of languages that pass the project's
per-language gate are written. With ``test_fraction`` the rows are split by a hash of each
item's id: the same item lands in the same split in every export, whatever else changed.

Layout (every format; ``datasets.load_dataset(folder)`` reads it through the card's
``configs``)::

    README.md                       the dataset card (counts, rules, licence, how to load)
    data/train.jsonl | data/train.parquet | data/train-00000-of-00001.parquet   ("hf")
    data/test.…                     with test_fraction > 0
    qalam/train.… (and test)        config ``qalam``: the same rows with Qalam's own columns
    demographics/train.…            one row per contributor who told us anything (may be none)

"hf" is Parquet named as on the Hugging Face Hub, with the features and split sizes in the
card (``dataset_info``), ready to upload. Memory stays flat at any size: rows are read
:data:`sync.server.work.acceptance.CHUNK` at a time, JSONL is written :data:`WRITE_ROWS` lines
at a time and Parquet one row group (at most :data:`ROW_GROUP_ROWS` rows or
:data:`ROW_GROUP_BYTES` of text) at a time.

Submissions are read and judged once: the counts, and so the per-language gate, are made as
rows are written (:class:`sync.server.work.acceptance.Counting`). A language's rows wait
until it has enough accepted items to pass (at most :data:`HELD_ROWS` in memory, the rest in
a private spill file inside the export's staging folder); a language that never passes is
never written.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path

from sqlalchemy.engine import Connection, Engine

from sync.server.export import card, demographics
from sync.server.export.output import (
    ExportError,
    ExportResult,
    Progress,
    moved,
    snapshot,
    staging,
    values_size,
)
from sync.server.export.pseudonyms import Pseudonyms
from sync.server.work import acceptance

FORMATS = ("jsonl", "parquet", "hf")
COLUMNS = ("inputs", "targets", "language", "language_code", "annotation_type", "user_id")
# The ``qalam`` config: the same rows, with Qalam's own columns after the Aya ones.
QALAM_FEATURES = {**{name: "string" for name in COLUMNS}, "id": "string",
                  "registry_code": "string", "script": "string", "dialect": "string",
                  "kind": "string", "prompt_distance": "int64",
                  "completion_distance": "int64", "hter": "float64",
                  "seconds_spent": "float64", "review_count": "int64",
                  "review_mean": "float64", "decision": "string"}
# The Aya Dataset's own names where they differ from CLDR's English one (its card and rows).
AYA_NAMES = {"arb_Arab": "Standard Arabic"}
NAME_BATCH = 1000  # accepted items whose imported language names are read in one query
ANNOTATION_TYPES = {"original": "original-annotations", "reannotation": "re-annotations",
                    "postedit": "post-edits"}
ROW_GROUP_ROWS = 10_000
ROW_GROUP_BYTES = 32 * 1024 * 1024
PROGRESS_EVERY = 1000
WRITE_ROWS = 1000  # JSONL lines joined into one write
HELD_ROWS = 1000  # rows of a language below its gate kept in memory (then in a file)
LICENSES = {
    "apache-2.0": ("Apache License 2.0", "https://www.apache.org/licenses/LICENSE-2.0"),
    "cc-by-4.0": ("Creative Commons Attribution 4.0",
                  "https://creativecommons.org/licenses/by/4.0/"),
    "cc-by-sa-4.0": ("Creative Commons Attribution-ShareAlike 4.0",
                     "https://creativecommons.org/licenses/by-sa/4.0/"),
    "cc0-1.0": ("Creative Commons Zero 1.0 (public domain)",
                "https://creativecommons.org/publicdomain/zero/1.0/"),
    "odc-by": ("Open Data Commons Attribution License 1.0",
               "https://opendatacommons.org/licenses/by/1-0/"),
}


def export_dataset(target: Engine | Connection, out_dir: Path, *, fmt: str = "jsonl",
                   project_id: str | None = None, test_fraction: float = 0.0,
                   progress: Progress | None = None,
                   license: str = "apache-2.0") -> ExportResult:
    """Write the accepted contributions (all projects, or one) as a dataset in ``out_dir``
    (absent or empty); returns what was written. Raises ExportError for bad arguments."""
    started = time.monotonic()
    if fmt not in FORMATS:
        raise ExportError(f"Unknown dataset format {fmt!r}; use one of {', '.join(FORMATS)}.")
    if not 0.0 <= test_fraction < 1.0:
        raise ExportError(f"--test-fraction must be at least 0 and below 1 (got {test_fraction}).")
    if license not in LICENSES:
        raise ExportError(f"Unknown licence {license!r}; use one of {', '.join(LICENSES)}.")
    pseudonym = Pseudonyms.load(target)  # a write, the first time: before the read snapshot
    out_dir = Path(out_dir)
    with staging(out_dir) as temp, snapshot(target) as conn:
        total = acceptance.candidates(conn, project_id=project_id)
        result = ExportResult(out_dir=out_dir, format=fmt, rows=0)
        splits = ("train", "test") if test_fraction > 0 else ("train",)
        sinks = {split: _sink(fmt, temp / "data" / _file_name(fmt, split), _row_schema())
                 for split in splits}
        own = {split: _sink(fmt, temp / "qalam" / _file_name(fmt, split), _qalam_schema())
               for split in splits}
        written = _Written(result, sinks, own)
        if progress:
            progress(0, total)
        try:
            counts = _write_accepted(conn, project_id, pseudonym, test_fraction, written,
                                     temp, progress, total)
        finally:
            for sink in [*sinks.values(), *own.values()]:
                sink.close()
        result.below_gate = {language: counts.accepted(language)
                             for language in counts.languages
                             if language not in counts.passing and counts.accepted(language)}
        authors, rules, languages = written.authors, written.rules, written.languages
        files = [sink.path for sink in [*sinks.values(), *own.values()]]
        demo_path = temp / "demographics" / _file_name(fmt, "train")
        demo_sink = _sink(fmt, demo_path, demographics.schema())
        result.demographics = demographics.write(conn, authors, pseudonym, demo_sink)
        files.append(demo_path)
        result.sizes = {split: sink.bytes for split, sink in sinks.items()}
        result.sizes["demographics"] = demo_sink.bytes
        result.contributors = len(authors)
        result.splits = {split: result.splits.get(split, 0) for split in splits}
        result.seconds = time.monotonic() - started
        readme = temp / "README.md"
        readme.write_text(card.render(
            result=result, fmt=fmt,
            data_files={split: sink.path.relative_to(temp).as_posix()
                        for split, sink in sinks.items()},
            qalam_files={split: sink.path.relative_to(temp).as_posix()
                         for split, sink in own.items()},
            qalam_sizes={split: sink.bytes for split, sink in own.items()},
            qalam_features=QALAM_FEATURES,
            demographics_file=demo_path.relative_to(temp).as_posix(),
            languages=languages, rules=rules, project_id=project_id,
            test_fraction=test_fraction, license=(license, *LICENSES[license]),
            row_features=_FEATURES, demographics_features=demographics.FEATURES,
        ), encoding="utf-8")
        result.files = moved([readme, *files], temp, out_dir)
        if progress:
            progress(result.rows, result.rows)
    return result


def _write_accepted(conn: Connection, project_id: str | None, pseudonym, test_fraction: float,
                    written: _Written, temp: Path, progress: Progress | None,
                    total: int) -> acceptance.AcceptanceCounts:
    """One read of every judged submission: the counts (and so the per-language gate) are
    made as the rows are written. A language's rows are held back until it has enough
    accepted items to pass its gate (``_Held``: in memory, spilled to a file past
    ``HELD_ROWS``), then written; a language that never passes is never written."""
    counting = acceptance.Counting(conn, project_id=project_id)
    passing: set[str] = set()
    rules: dict[str | None, acceptance.Acceptance] = {}
    judged = 0

    def accepted():
        nonlocal judged
        for item, verdict in acceptance.judged_submissions(conn, project_id=project_id):
            counting.add(item, verdict)
            judged += 1
            if progress and judged % PROGRESS_EVERY == 0:
                progress(min(judged, total), total)
            if verdict.accepted:
                rules.setdefault(item["project_id"], item["rules"])
                yield item

    in_use = _imported_names_in_use(conn, project_id)
    with tempfile.TemporaryDirectory(prefix=".held-", dir=temp) as folder:
        held = _Held(Path(folder))
        try:
            for item, imported in _with_imported_names(conn, accepted()):
                language = item["language"]
                row = aya_row(item, pseudonym, imported_name=imported or in_use.get(language))
                entry = (split_of(item["id"], test_fraction), language, item["author_id"],
                         item["project_id"], row, qalam_row(item, row))
                if language in passing:
                    written.add(*entry, rules)
                    continue
                held.add(language, entry)
                if counting.passes(language):
                    passing.add(language)
                    for each in held.release(language):
                        written.add(*each, rules)
            counts = counting.counts()
            # A gate can fall with an item that is not accepted (over several projects, the
            # lowest gate among a language's projects): those pass only now.
            for language in sorted(counts.passing - passing):
                for each in held.release(language):
                    written.add(*each, rules)
        finally:
            held.close()
    return counts


class _Written:
    """What the export wrote, kept as rows go to their split's sinks."""

    def __init__(self, result: ExportResult, sinks: dict, own: dict):
        self.result, self.sinks, self.own = result, sinks, own
        self.authors: set[str] = set()
        self.rules: dict[str | None, acceptance.Acceptance] = {}
        self.languages: dict[str, dict[str, str]] = {}

    def add(self, split: str, language: str, author_id: str, project_id: str | None,
            row: dict, own_row: dict, rules: dict) -> None:
        result = self.result
        self.sinks[split].write(row)
        self.own[split].write(own_row)
        result.rows += 1
        result.splits[split] = result.splits.get(split, 0) + 1
        types = result.counts.setdefault(language, {})
        types[row["annotation_type"]] = types.get(row["annotation_type"], 0) + 1
        self.languages.setdefault(language, {"language": row["language"],
                                             "language_code": row["language_code"]})
        self.authors.add(author_id)
        self.rules.setdefault(project_id, rules[project_id])


class _Held:
    """Rows of languages that do not pass their gate yet, per language: in memory up to
    ``HELD_ROWS``, then in a file of their own (memory stays flat whatever the gate)."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.rows: dict[str, list] = {}
        self.files: dict[str, object] = {}

    def add(self, language: str, entry: tuple) -> None:
        rows = self.rows.setdefault(language, [])
        rows.append(entry)
        if len(rows) >= HELD_ROWS:
            spill = self.files.get(language)
            if spill is None:
                spill = self.files[language] = open(  # noqa: SIM115  (closed in close())
                    self.folder / f"{len(self.files)}.jsonl", "w+", encoding="utf-8")
            spill.writelines(json.dumps(each, ensure_ascii=False) + "\n"
                             for each in self.rows.pop(language))

    def release(self, language: str):
        """The language's held entries, in the order they came; none are kept."""
        spill = self.files.pop(language, None)
        if spill is not None:
            spill.seek(0)
            for line in spill:
                yield tuple(json.loads(line))
            spill.close()
        yield from self.rows.pop(language, ())

    def close(self) -> None:
        for spill in self.files.values():
            spill.close()
        self.files.clear()


def aya_row(item: dict, pseudonym, *, imported_name: str | None = None) -> dict:
    """One accepted item (``acceptance.judged_submissions``) as an Aya Dataset row;
    ``imported_name``: the ``language`` its task's imported row gave."""
    name, code = language_names(item["language"])
    return {"inputs": item["inputs"], "targets": item["targets"],
            "language": imported_name or name,
            "language_code": code, "annotation_type": ANNOTATION_TYPES[item["kind"]],
            "user_id": pseudonym(item["author_id"])}


def qalam_row(item: dict, aya: dict) -> dict:
    """The ``qalam`` config's row: the Aya row, then what Qalam knows of the item."""
    ratings = item["ratings"]
    return {**aya, "id": item["id"], "registry_code": item["language"],
            "script": item["language"].partition("_")[2] or None,
            "dialect": item["dialect"], "kind": item["kind"],
            "prompt_distance": item["prompt_distance"],
            "completion_distance": item["completion_distance"],
            "hter": _float(item["hter"]), "seconds_spent": _float(item["seconds_spent"]),
            "review_count": len(ratings),
            "review_mean": sum(ratings) / len(ratings) if ratings else None,
            "decision": item["state"] if item["state"] in ("accepted", "rejected") else None}


def _float(value) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) \
        else None


def _with_imported_names(conn: Connection, items: Iterable[dict]):
    """``(item, name)``: the ``language`` value of the imported row its task came from
    (when the item is still in that task's language), read for a batch of items at once."""
    batch: list[dict] = []
    for item in items:
        batch.append(item)
        if len(batch) >= NAME_BATCH:
            yield from _named_batch(conn, batch)
            batch = []
    if batch:
        yield from _named_batch(conn, batch)


def _named_batch(conn: Connection, batch: list[dict]):
    task_ids = {item["task_id"] for item in batch if item["task_id"]}
    names = _imported_names(conn, task_ids) if task_ids else {}
    for item in batch:
        found = names.get(item["task_id"])
        yield item, (found[1] if found and found[0] == item["language"] else None)


def _provenance_name(conn: Connection):
    """The SQL for an imported task's ``language`` value (its Aya row's), or NULL."""
    import sqlalchemy as sa

    from sync.server import tables

    payload = tables.tasks.c.payload
    if conn.dialect.name == "sqlite":
        return sa.func.json_extract(payload, "$.provenance.language")
    from sqlalchemy.dialects.postgresql import JSONB

    return sa.cast(payload, JSONB)["provenance"]["language"].astext


def _imported_names_in_use(conn: Connection, project_id: str | None) -> dict[str, str]:
    """Per language, the name its imported Aya rows give most often: a new row in a language
    the project imported Aya data for is named as the Aya Dataset names it."""
    import sqlalchemy as sa

    from sync.server import tables

    tasks = tables.tasks
    name = _provenance_name(conn)
    query = (sa.select(tasks.c.language, name.label("name"), sa.func.count().label("n"))
             .where(name.is_not(None), tasks.c.deleted == sa.false())
             .group_by(tasks.c.language, name))
    if project_id is not None:
        query = query.where(tasks.c.project_id == project_id)
    best: dict[str, tuple[int, str]] = {}
    for language, value, n in conn.execute(query):
        if isinstance(value, str) and value.strip() and n > best.get(language, (0, ""))[0]:
            best[language] = (n, value.strip()[:200])
    return {language: value for language, (_n, value) in best.items()}


def _imported_names(conn: Connection, task_ids: set[str]) -> dict[str, tuple[str, str]]:
    """task id -> (its language, the ``language`` its imported Aya row gave)."""
    import sqlalchemy as sa

    from sync.server import tables

    tasks = tables.tasks
    name = _provenance_name(conn)
    found = {}
    for task_id, language, value in conn.execute(
            sa.select(tasks.c.id, tasks.c.language, name).where(tasks.c.id.in_(task_ids))):
        if isinstance(value, str) and value.strip():
            found[task_id] = (language, value.strip()[:200])
    return found


_NAMES: dict[str, tuple[str, str]] = {}


def language_names(registry_code: str) -> tuple[str, str]:
    """(English name, Aya/ISO 639-3 code) of a registry code such as ``urd_Arab``."""
    if registry_code not in _NAMES:
        from i18n.languages import UnknownLanguage, get

        try:
            lang = get(registry_code)
            _NAMES[registry_code] = (AYA_NAMES.get(lang.code, lang.english_name),
                                     lang.aya_code or lang.iso639_3)
        except UnknownLanguage:  # not in this version's registry: keep what we know
            _NAMES[registry_code] = (registry_code, registry_code.split("_")[0])
    return _NAMES[registry_code]


def split_of(submission_id: str, test_fraction: float) -> str:
    """``"test"`` for about ``test_fraction`` of ids, always the same ones; else ``"train"``."""
    if test_fraction <= 0:
        return "train"
    digest = hashlib.sha256(submission_id.encode("utf-8")).digest()
    return "test" if int.from_bytes(digest[:8], "big") < test_fraction * 2**64 else "train"


def _file_name(fmt: str, split: str) -> str:
    if fmt == "jsonl":
        return f"{split}.jsonl"
    if fmt == "parquet":
        return f"{split}.parquet"
    return f"{split}-00000-of-00001.parquet"


_FEATURES = {name: "string" for name in COLUMNS}


def _row_schema():
    import pyarrow as pa

    return pa.schema([(name, pa.string()) for name in COLUMNS])


def _qalam_schema():
    import pyarrow as pa

    kinds = {"string": pa.string(), "int64": pa.int64(), "float64": pa.float64()}
    return pa.schema([(name, kinds[kind]) for name, kind in QALAM_FEATURES.items()])


def _sink(fmt: str, path: Path, schema):
    path.parent.mkdir(parents=True, exist_ok=True)
    return JsonlSink(path) if fmt == "jsonl" else ParquetSink(path, schema)


class JsonlSink:
    """One JSON object per line, UTF-8, written WRITE_ROWS lines at a time."""

    def __init__(self, path: Path):
        self.path = path
        self.rows = self.bytes = 0
        self._file = open(path, "wb")  # noqa: SIM115
        self._lines: list[str] = []
        self._values: list = []  # of the rows in _lines, for their Arrow size
        self._encode = json.JSONEncoder(ensure_ascii=False).encode

    def write(self, row: dict) -> None:
        self._lines.append(self._encode(row))
        self._values.extend(row.values())
        self.rows += 1
        if len(self._lines) >= WRITE_ROWS:
            self._flush()

    def write_many(self, rows: Iterable[dict]) -> None:
        for row in rows:
            self.write(row)

    def _flush(self) -> None:
        if self._lines:
            self._lines.append("")
            self._file.write("\n".join(self._lines).encode("utf-8"))
            self.bytes += values_size(self._values)
            self._lines, self._values = [], []

    def close(self) -> None:
        self._flush()
        self._file.close()


class ParquetSink:
    """Rows buffered column-wise and written one row group at a time (bounded memory)."""

    def __init__(self, path: Path, schema):
        import pyarrow.parquet as pq

        self.path = path
        self.rows = self.bytes = 0
        self._schema = schema
        self._writer = pq.ParquetWriter(path, schema, compression="zstd")
        self._columns: dict[str, list] = {name: [] for name in schema.names}
        self._buffered = 0
        self._bytes = 0

    def write(self, row: dict) -> None:
        for name, values in self._columns.items():
            value = row[name]
            values.append(value)
            if isinstance(value, str):
                self._bytes += len(value)
        self._buffered += 1
        self.rows += 1
        if self._buffered >= ROW_GROUP_ROWS or self._bytes >= ROW_GROUP_BYTES:
            self._flush()

    def write_many(self, rows: Iterable[dict]) -> None:
        for row in rows:
            self.write(row)

    def _flush(self) -> None:
        import pyarrow as pa

        if not self._buffered:
            return
        self._writer.write_table(pa.Table.from_pydict(self._columns, schema=self._schema))
        self.bytes += sum(values_size(values) for values in self._columns.values())
        self._columns = {name: [] for name in self._schema.names}
        self._buffered = self._bytes = 0

    def close(self) -> None:
        self._flush()
        self._writer.close()


__all__ = ["ANNOTATION_TYPES", "AYA_NAMES", "COLUMNS", "FORMATS", "LICENSES", "QALAM_FEATURES",
           "aya_row", "export_dataset", "language_names", "qalam_row", "split_of"]
