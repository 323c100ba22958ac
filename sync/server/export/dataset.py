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
:data:`sync.server.work.acceptance.CHUNK` at a time, and written :data:`WRITE_ROWS` at a time,
column by column (:mod:`.sinks`): JSONL in one write per batch, Parquet one row group (at
most :data:`.sinks.ROW_GROUP_ROWS` rows or :data:`.sinks.ROW_GROUP_BYTES` of text) at a time.

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
from collections import Counter
from operator import itemgetter
from pathlib import Path

from sqlalchemy.engine import Connection, Engine

from app.collector import collector_paused
from sync.server.export import card, demographics
from sync.server.export.output import (
    ExportError,
    ExportResult,
    Progress,
    moved,
    snapshot,
    staging,
)
from sync.server.export.pseudonyms import Pseudonyms
from sync.server.export.sinks import JsonlSink, sink_for
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
PROGRESS_EVERY = 1000
WRITE_ROWS = 1000  # rows handed to the sinks at a time (a JSONL write, part of a row group)
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
    with staging(out_dir) as temp, snapshot(target) as conn, collector_paused():
        total = acceptance.candidates(conn, project_id=project_id)
        result = ExportResult(out_dir=out_dir, format=fmt, rows=0)
        splits = ("train", "test") if test_fraction > 0 else ("train",)
        sinks = {split: sink_for(fmt, temp / "data" / _file_name(fmt, split), _row_schema())
                 for split in splits}
        own = {split: sink_for(fmt, temp / "qalam" / _file_name(fmt, split), _qalam_schema())
               for split in splits}
        written = _Written(result, {split: _Pair(sinks[split], own[split])
                                    for split in splits})
        if progress:
            progress(0, total)
        try:
            counts = _write_accepted(conn, project_id, pseudonym, test_fraction, written,
                                     temp, progress, total)
        finally:
            for pair in written.pairs.values():
                pair.close()
        result.below_gate = {language: counts.accepted(language)
                             for language in counts.languages
                             if language not in counts.passing and counts.accepted(language)}
        authors, rules, languages = written.authors, written.rules, written.languages
        files = [sink.path for sink in [*sinks.values(), *own.values()]]
        demo_path = temp / "demographics" / _file_name(fmt, "train")
        demo_sink = sink_for(fmt, demo_path, demographics.schema())
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
    made as the rows are written. Accepted items are placed :data:`NAME_BATCH` at a time,
    by the counts as they stand after the last of them: a language's rows are held back
    until it has enough accepted items to pass its gate (``_Held``: in memory, spilled to a
    file past ``HELD_ROWS``), then written; a language that never passes is never written."""
    counting = acceptance.Counting(conn, project_id=project_id)
    passing: set[str] = set()
    rules: dict[str | None, acceptance.Acceptance] = {}
    in_use = _imported_names_in_use(conn, project_id)
    with tempfile.TemporaryDirectory(prefix=".held-", dir=temp) as folder:
        held = _Held(Path(folder))

        def place(group: list[dict]) -> None:
            tally.into(counting)
            for item in group:
                if item[_PROJECT] not in rules:
                    rules[item[_PROJECT]] = item[_RULES]
            if test_fraction <= 0 and set(map(itemgetter(_LANGUAGE), group)) <= passing:
                # Every item passes and goes to one split: the rows go as columns.
                written.add_columns(_columns(conn, group, pseudonym, in_use), group, rules)
                return
            entries = _entries(conn, group, pseudonym, test_fraction, in_use)
            if not passing.issuperset(entry[1] for entry in entries):
                entries = list(_gated(entries, passing, held, counting))
            written.add(entries, rules)

        tally = _Tally()
        try:
            group: list[dict] = []
            judged = 0
            counted, first = tally.items, tally.first
            for chunk in acceptance.judged_records(conn, project_id=project_id,
                                                   stamps=False):
                for item, verdict in chunk:  # item: a tuple of acceptance.RECORD's values
                    key = (item[_LANGUAGE], item[_KIND], verdict.reason, item[_PROJECT])
                    if key in counted:  # counted inline: a million calls saved
                        counted[key] += 1
                    else:
                        counted[key] = 1
                        first[key] = (verdict, item[_RULES])
                    if verdict.accepted:
                        group.append(item)
                        if len(group) >= NAME_BATCH:
                            place(group)
                            group = []
                judged = _progressed(progress, judged, len(chunk), total)
            place(group)
            counts = counting.counts()
            # A gate can fall with an item that is not accepted (over several projects, the
            # lowest gate among a language's projects): those pass only now.
            for language in sorted(counts.passing - passing):
                written.add(list(held.release(language)), rules)
        finally:
            held.close()
    return counts


def _progressed(progress: Progress | None, judged: int, more: int, total: int) -> int:
    """Tell ``progress`` at each :data:`PROGRESS_EVERY` items passed; the new count."""
    now = judged + more
    if progress:
        for done in range(judged // PROGRESS_EVERY + 1, now // PROGRESS_EVERY + 1):
            progress(min(done * PROGRESS_EVERY, total), total)
    return now


def _gated(entries: list[tuple], passing: set[str], held: _Held, counting):
    """``entries`` of languages that pass (by ``counting`` as it stands), in order: a
    language that passes now first brings back its held entries; the others are held."""
    for entry in entries:
        language = entry[1]
        if language in passing:
            yield entry
            continue
        held.add(language, entry)
        if counting.passes(language):
            passing.add(language)
            yield from held.release(language)


class _Tally:
    """Items counted as they are judged, per kind of item (language, kind, reason, project:
    ``items``, filled by ``_write_accepted``), handed to ``acceptance.Counting`` in one go
    before the gate is asked: the same counts, in the same order, as adding them one by one,
    with a dict step per item instead of a call."""

    def __init__(self):
        self.items: dict[tuple, int] = {}
        self.first: dict[tuple, tuple] = {}  # key -> (verdict, rules)

    def into(self, counting: acceptance.Counting) -> None:
        for key, n in self.items.items():
            verdict, rules = self.first[key]
            counting.count(key[0], key[1], verdict, rules, n)
        self.items.clear()
        self.first.clear()


def _entries(conn: Connection, group: list[dict], pseudonym, test_fraction: float,
             in_use: dict[str, str]) -> list[tuple]:
    """``(split, language, author id, project id, row)`` per accepted item (a tuple of
    ``acceptance.RECORD``'s values), ``row`` the ``qalam`` config's values (:func:`_values`);
    their imported names read in one query."""
    task_ids = {item[_TASK] for item in group if item[_TASK]}
    names = _imported_names(conn, task_ids) if task_ids else {}
    entries = []
    for item in group:
        language = item[_LANGUAGE]
        found = names.get(item[_TASK]) if names else None
        imported = found[1] if found and found[0] == language else None
        entries.append((split_of(item[_ID], test_fraction) if test_fraction > 0 else "train",
                        language, item[_AUTHOR], item[_PROJECT],
                        _values(item, pseudonym, imported or in_use.get(language))))
    return entries


def _columns(conn: Connection, group: list[tuple], pseudonym,
             in_use: dict[str, str]) -> list[list]:
    """:func:`_values` of every item of ``group``, as columns: each made for the whole
    group at once (a value per distinct language, the pseudonyms mapped), not row by row."""
    if not group:
        return [[] for _ in QALAM_FEATURES]
    (ids, authors, _projects, task_ids, languages, kinds, states, dialects, inputs, targets,
     _source, _mt, prompt_distances, completion_distances, hters, seconds, _sessions, ratings,
     *_rest) = zip(*group, strict=True)
    distinct = set(languages)
    names = {language: _NAMES.get(language) or language_names(language)
             for language in distinct}
    aya_names = list(map({language: in_use.get(language) or names[language][0]
                          for language in distinct}.__getitem__, languages))
    task_set = {task_id for task_id in task_ids if task_id}
    imported = _imported_names(conn, task_set) if task_set else {}
    for i, (task_id, language) in enumerate(zip(task_ids, languages, strict=True)):
        found = imported.get(task_id) if imported else None
        if found and found[0] == language:
            aya_names[i] = found[1]
    return [list(inputs), list(targets), aya_names,
            list(map({language: names[language][1] for language in distinct}.__getitem__,
                     languages)),
            list(map(ANNOTATION_TYPES.__getitem__, kinds)), list(map(pseudonym.of, authors)),
            list(ids), list(languages),
            list(map({language: language.partition("_")[2] or None
                      for language in distinct}.__getitem__, languages)),
            list(dialects), list(kinds), list(prompt_distances), list(completion_distances),
            _floats(hters), _floats(seconds), list(map(len, ratings)),
            [sum(each) / len(each) if each else None for each in ratings],
            list(map(_DECISIONS.get, states))]


_DECISIONS = {"accepted": "accepted", "rejected": "rejected"}  # a row's decision


def _floats(values) -> list:
    """``_float`` of each value (most are floats or None already)."""
    if set(map(type, values)) <= _KEPT:
        return list(values)
    return list(map(_float, values))


class _Written:
    """What the export wrote, kept as rows go to their split's pair of sinks."""

    def __init__(self, result: ExportResult, pairs: dict[str, _Pair]):
        self.result, self.pairs = result, pairs
        self.authors: set[str] = set()
        self.rules: dict[str | None, acceptance.Acceptance] = {}
        self.languages: dict[str, dict[str, str]] = {}

    def add(self, entries: list[tuple], rules: dict) -> None:
        """``entries`` (``_entries``) written in their order; the figures kept in the order
        their keys first came, as adding them one by one would."""
        if not entries:
            return
        result = self.result
        splits, languages, authors, projects, rows = zip(*entries, strict=True)
        if len(self.pairs) == 1:
            next(iter(self.pairs.values())).add(rows)
        else:
            for split, pair in self.pairs.items():
                pair.add([row for name, row in zip(splits, rows, strict=True) if name == split])
        result.rows += len(rows)
        for split, n in Counter(splits).items():
            result.splits[split] = result.splits.get(split, 0) + n
        for (language, kind), n in Counter(zip(languages, map(itemgetter(4), rows),
                                                   strict=True)).items():
            types = result.counts.setdefault(language, {})
            types[kind] = types.get(kind, 0) + n  # annotation_type
        if not self.languages.keys() >= set(languages):  # a language's first rows
            for language, row in zip(languages, rows, strict=True):
                if language not in self.languages:
                    self.languages[language] = {"language": row[2], "language_code": row[3]}
        self.authors.update(authors)
        if not self.rules.keys() >= set(projects):
            for project_id in projects:
                if project_id not in self.rules:
                    self.rules[project_id] = rules[project_id]

    def add_columns(self, columns: list[list], group: list[tuple], rules: dict) -> None:
        """:meth:`add` of ``group``'s rows as :func:`_columns` made them, all to the one
        split."""
        if not group:
            return
        (split, pair), = self.pairs.items()
        result = self.result
        pair.add_columns(columns)
        result.rows += len(group)
        result.splits[split] = result.splits.get(split, 0) + len(group)
        languages = columns[7]  # registry_code
        for (language, kind), n in Counter(zip(languages, columns[4], strict=True)).items():
            types = result.counts.setdefault(language, {})
            types[kind] = types.get(kind, 0) + n  # annotation_type
        if not self.languages.keys() >= set(languages):  # a language's first rows
            for i, language in enumerate(languages):
                if language not in self.languages:
                    self.languages[language] = {"language": columns[2][i],
                                                "language_code": columns[3][i]}
        self.authors.update(map(itemgetter(_AUTHOR), group))
        for project_id in set(map(itemgetter(_PROJECT), group)) - self.rules.keys():
            self.rules[project_id] = rules[project_id]


class _Pair:
    """One split's two files: the Aya columns (``data/``) and all of them (``qalam/``),
    written :data:`WRITE_ROWS` rows at a time; the Aya columns are encoded (JSONL) or made
    Arrow arrays (Parquet) once for both."""

    def __init__(self, aya, own):
        self.aya, self.own = aya, own
        self.rows: list[tuple] = []

    def add(self, rows) -> None:
        self.rows.extend(rows)
        while len(self.rows) >= WRITE_ROWS:
            self.flush(WRITE_ROWS)

    def add_columns(self, columns: list[list]) -> None:
        """Rows given as columns (after any rows given before)."""
        self.flush()
        if columns[0]:
            self._write(columns)

    def flush(self, n: int | None = None) -> None:
        rows = self.rows[:n]
        if not rows:
            return
        self.rows = self.rows[len(rows):]
        self._write([list(column) for column in zip(*rows, strict=True)])

    def _write(self, columns: list[list]) -> None:
        aya = columns[:len(COLUMNS)]
        if isinstance(self.aya, JsonlSink):  # the Aya fields start both files' lines
            heads, size = self.aya.heads(aya)
            self.aya.write_heads(heads, size)
            self.own.write_heads(heads, size, columns[len(COLUMNS):])
        else:  # Parquet: the Aya columns become Arrow arrays once, for both files
            arrays = self.aya.arrays(aya)
            self.aya.write_columns(aya, arrays=arrays)
            self.own.write_columns(columns, arrays=arrays)

    def close(self) -> None:
        try:
            self.flush()
        finally:
            self.aya.close()
            self.own.close()


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
                *entry, row = json.loads(line)
                yield (*entry, tuple(row))
            spill.close()
        yield from self.rows.pop(language, ())

    def close(self) -> None:
        for spill in self.files.values():
            spill.close()
        self.files.clear()


# Positions in a judged item (acceptance.RECORD), as the export reads them.
(_ID, _AUTHOR, _PROJECT, _TASK, _LANGUAGE, _KIND, _STATE, _DIALECT, _INPUTS, _TARGETS,
 _SOURCE, _MT, _PROMPT_DISTANCE, _COMPLETION_DISTANCE, _HTER, _SECONDS, _SESSIONS,
 _RATINGS, _FLAGS, _CREATED, _UPDATED, _BLOCKED, _RULES) = range(23)


def _values(item: tuple, pseudonym, imported_name: str | None) -> tuple:
    """One accepted item (as ``acceptance.judged_records`` gives it) as the ``qalam``
    config's row, its values in :data:`QALAM_FEATURES` order: the Aya Dataset row
    (:data:`COLUMNS`), then what Qalam knows of the item. ``imported_name``: the
    ``language`` its task's imported row gave."""
    (submission_id, author_id, _project, _task, language, kind, state, dialect, inputs,
     targets, _source, _mt, prompt_distance, completion_distance, hter, seconds, _sessions,
     ratings, _flags, _created, _updated, _blocked, _rules) = item
    name, code = _NAMES.get(language) or language_names(language)
    return (inputs, targets, imported_name or name, code, ANNOTATION_TYPES[kind],
            pseudonym.of(author_id), submission_id, language,
            language.partition("_")[2] or None, dialect, kind,
            prompt_distance, completion_distance,
            hter if type(hter) in _KEPT else _float(hter),
            seconds if type(seconds) in _KEPT else _float(seconds), len(ratings),
            sum(ratings) / len(ratings) if ratings else None,
            state if state in ("accepted", "rejected") else None)


_KEPT = frozenset({float, type(None)})  # what _float gives back as it is


def _float(value) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) \
        else None


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


__all__ = ["ANNOTATION_TYPES", "AYA_NAMES", "COLUMNS", "FORMATS", "LICENSES", "QALAM_FEATURES",
           "export_dataset", "language_names", "split_of"]
