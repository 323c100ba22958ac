"""Which contributions count: a project's acceptance rules, applied to what the server holds.

    for item in accepted_submissions(conn, project_id="aya-urd"):   # streams, any size
        item["inputs"], item["targets"], item["author_id"], item["kind"]
    counts = acceptance_counts(conn, project_id="aya-urd")
    counts.languages["urd_Arab"]["reannotation"]    # {"submitted": 80, "accepted": 61, "held": 2}
    counts.passing                                  # languages with enough accepted work
    verdict = is_accepted(conn, submission_id)      # Verdict(accepted=False, reason="small_edit")

The rules (:class:`sync.server.work.projects.Acceptance`, per project; the Aya defaults):

1. Drafts and tombstones never count; neither does a ``review`` submission (a further
   improvement is a ``reannotation``), which is not a prompt/completion pair of its own.
2. A blocked contributor's work (``users.blocked_at``) is left out, whatever was decided;
   unblocking brings it back. Their reviews are left out of the ratings and flags too.
3. A coordinator's decision wins: ``accepted`` (:func:`sync.server.work.decisions.decide`) counts
   regardless of the rules below; ``rejected`` never counts.
4. An item a reviewer flagged (wrong language, harmful, nonsense) is *held* until a
   coordinator accepts it (``exclude_flagged``). A coordinator may flag an item too, and
   unflag one: that dismisses every flag on it until then (``tables.item_flags``,
   :func:`coordinator_flags`).
5. A re-annotation or post-edit counts only when its character Levenshtein distance to what
   it started from reaches ``min_edit_distance`` (5) on the prompt or on the completion.
   The server measures it (:func:`app.diffs.edit_distance`, the app's own measure) against
   its own copy of the starting text: the task's prompt and completion, or its machine
   translation; the device's record of its starting text and distances is used only when
   the server holds no task (:func:`starting_text`). A device cannot claim an edit it did
   not make.
6. Peers rate edits 1–5 (3: no change). An edit counts only with at least ``min_ratings``
   ratings (each review's prompt and completion score are two ratings, as in
   :mod:`app.activity`), and, once rated, a mean of at least ``min_mean_rating``.
   Originals are not rated as edits: rule 6 does not apply to them.
7. A language enters a dataset export only with ``min_accepted_per_language`` accepted
   contributions (:attr:`AcceptanceCounts.passing`). Over several projects (``project_id``
   None) a language passes when its accepted total reaches the smallest gate among the
   projects it was collected for.

Everything streams: submissions are read in key order, :data:`CHUNK` at a time, with one
query each for their reviews and (rarely) their tasks, so memory does not grow with the
number of rows. Call inside one read transaction for a consistent snapshot.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from app.kinds import EDIT_KINDS
from sync.server import jsontext, tables
from sync.server.db import among
from sync.server.quality.tallies import Scope
from sync.server.work.projects import Acceptance, load_settings

__all__ = [
    "CHUNK",
    "COUNTED_KINDS",
    "REASONS",
    "RECORD",
    "AcceptanceCounts",
    "Counting",
    "Verdict",
    "acceptance_counts",
    "acceptance_facts",
    "accepted_submissions",
    "candidates",
    "coordinator_flags",
    "counted_acceptance",
    "is_accepted",
    "judged_chunks",
    "judged_item",
    "judged_records",
    "judged_submissions",
    "verdict",
]

DECISIONS = tables.decisions
ITEM_FLAGS = tables.item_flags
REVIEWS = tables.reviews
SUBMISSIONS = tables.submissions
TASKS = tables.tasks
USERS = tables.users
CHUNK = 2000  # submissions per query
COUNTED_KINDS = ("original", *EDIT_KINDS)

# Why an item counts or not (Verdict.reason).
REASONS = {
    "decided": "accepted by a coordinator",
    "rules": "meets the project's rules",
    "rejected": "rejected by a coordinator",
    "blocked": "the contributor is blocked",
    "flagged": "flagged by a reviewer or a coordinator; held until a coordinator accepts "
               "or unflags it",
    "small_edit": "edit distance below the project's minimum",
    "few_ratings": "fewer peer ratings than the project requires",
    "low_rating": "mean peer rating below the project's minimum",
    "not_counted": "a draft, a deleted item or a review: never counted",
    "missing": "no such submission",
}


@dataclass(frozen=True)
class Verdict:
    accepted: bool
    reason: str  # a key of REASONS

    @property
    def held(self) -> bool:
        return self.reason == "flagged"

    @property
    def explanation(self) -> str:
        return REASONS[self.reason]


@dataclass
class AcceptanceCounts:
    """Per language and kind: ``submitted`` (handed in, live, not blocked), ``accepted``,
    ``held`` (flagged, waiting for a coordinator); and the languages that pass the gate."""

    languages: dict[str, dict[str, dict[str, int]]] = field(default_factory=dict)
    passing: frozenset[str] = frozenset()
    gates: dict[str, int] = field(default_factory=dict)  # language -> threshold applied

    def accepted(self, language: str) -> int:
        return sum(k["accepted"] for k in self.languages.get(language, {}).values())

    @property
    def total_accepted(self) -> int:
        return sum(self.accepted(language) for language in self.languages)

    @property
    def total_exported(self) -> int:
        """Accepted items in languages that pass the gate (what a dataset export holds)."""
        return sum(self.accepted(language) for language in self.passing)

    def as_dict(self) -> dict:
        return {"languages": self.languages, "passing": sorted(self.passing),
                "gates": self.gates}

    @classmethod
    def from_dict(cls, data: dict) -> AcceptanceCounts:
        return cls(languages=data["languages"], passing=frozenset(data["passing"]),
                   gates=data["gates"])


def accepted_submissions(conn: Connection, *, project_id: str | None = None,
                         languages: Iterable[str] | None = None) -> Iterator[dict]:
    """Every accepted contribution, streamed in id order (see :func:`judged_submissions`
    for the dict's keys). The language gate is *not* applied: pass
    ``languages=acceptance_counts(...).passing`` for what a dataset export holds."""
    for item, verdict in judged_submissions(conn, project_id=project_id, languages=languages):
        if verdict.accepted:
            yield item


def acceptance_counts(conn: Connection, *, project_id: str | None = None) -> AcceptanceCounts:
    """Counts per language and kind, and which languages pass the per-language gate."""
    counting = Counting(conn, project_id=project_id)
    for item, verdict in judged_submissions(conn, project_id=project_id):
        counting.add(item, verdict)
    return counting.counts()


class Counting:
    """:func:`acceptance_counts` item by item, for a reader of :func:`judged_submissions`
    that needs the items too (the dataset export reads them once, not twice).

    ``passes(language)`` can only turn true as items come (accepted counts grow, a
    language's gate only falls), so a language that passes on the way passes at the end.
    """

    def __init__(self, conn: Connection, *, project_id: str | None = None):
        self.result = AcceptanceCounts()
        self.gates: dict[str, int] = {}
        self.accepted: dict[str, int] = {}
        # One project: its own gate for every language; over all projects, each language's
        # lowest among the projects its items came from.
        self.fixed_gate = (load_settings(conn, project_id).acceptance.min_accepted_per_language
                           if project_id is not None else None)

    def add(self, item: dict, verdict: Verdict) -> None:
        self.count(item["language"], item["kind"], verdict, item["rules"])

    def count(self, language: str, kind: str, verdict: Verdict, rules: Acceptance,
              n: int = 1) -> None:
        """``n`` items of one language and kind, with one verdict, under ``rules``."""
        if verdict.reason == "blocked":
            return
        per_kind = self.result.languages.setdefault(language, {})
        entry = per_kind.setdefault(kind, {"submitted": 0, "accepted": 0, "held": 0})
        entry["submitted"] += n
        entry["accepted"] += n * verdict.accepted
        entry["held"] += n * verdict.held
        self.accepted[language] = self.accepted.get(language, 0) + n * verdict.accepted
        gate = self.fixed_gate
        if gate is None:
            gate = rules.min_accepted_per_language
            gate = min(gate, self.gates.get(language, gate))
        self.gates[language] = gate

    def passes(self, language: str) -> bool:
        return language in self.gates and self.accepted[language] >= self.gates[language]

    def counts(self) -> AcceptanceCounts:
        self.result.gates = dict(self.gates)
        self.result.passing = frozenset(language for language in self.gates
                                        if self.passes(language))
        return self.result


ACCEPTED_REASONS = frozenset({"decided", "rules"})


def acceptance_facts(conn: Connection, scope: Scope) -> Iterator[tuple[tuple, int]]:
    """The acceptance counts' facts (:mod:`sync.server.quality.tallies`) over ``scope``:
    per project, language and ``kind|reason`` (a key of :data:`REASONS`), how many items.
    The same judging as :func:`judged_submissions`."""
    found: dict[tuple, int] = {}
    if scope.units is None:
        judged = judged_submissions(conn, project_id=scope.project_id)
    else:
        rows = conn.execute(_query().where(*scope.where(SUBMISSIONS.c.id,
                                                        SUBMISSIONS.c.project_id))).all()
        items = _Judge(conn).items(rows) if rows else []
        judged = ((item, verdict(item)) for item in items)
    for item, judgement in judged:
        key = ("accept", "", item["project_id"] or "", "", item["language"] or "",
               f"{item['kind']}|{judgement.reason}")
        found[key] = found.get(key, 0) + 1
    return iter(found.items())


def written_item_facts(row, rules: Acceptance,
                       blocked: frozenset[str]) -> list[tuple[tuple, int]] | None:
    """:func:`acceptance_facts` of one submission a push just wrote (nobody reviewed, decided
    or flagged it yet), from its row as stored; None when only the database can say (an edit
    whose distances the push could not measure)."""
    kind = row["kind"]
    if row["deleted"] or row["state"] == "draft" or kind not in COUNTED_KINDS:
        return []
    prompt, completion = row["prompt_distance"], row["completion_distance"]
    if kind in EDIT_KINDS and (prompt is None or completion is None):
        return None
    judged = verdict({"blocked": row["author_id"] in blocked, "state": row["state"],
                      "rules": rules, "flags": (), "kind": kind, "prompt_distance": prompt,
                      "completion_distance": completion, "ratings": ()})
    return [(("accept", "", row["project_id"] or "", "", row["language"] or "",
              f"{kind}|{judged.reason}"), 1)]


def counted_acceptance(conn: Connection, *, project_id: str | None = None) -> AcceptanceCounts:
    """:func:`acceptance_counts` as the tallies keep it: no item is read."""
    from sync.server.quality import tallies

    counting = Counting(conn, project_id=project_id)
    rules: dict[str, Acceptance] = {}
    for row in tallies.stored(conn, "accept", project_id=project_id):
        if row.project_id not in rules:
            rules[row.project_id] = load_settings(conn, row.project_id or None).acceptance
        kind, reason = row.detail.split("|")
        counting.count(row.language, kind, Verdict(reason in ACCEPTED_REASONS, reason),
                       rules[row.project_id], row.n)
    return counting.counts()


def candidates(conn: Connection, *, project_id: str | None = None) -> int:
    """How many submissions :func:`judged_submissions` judges (a count, for progress)."""
    query = sa.select(sa.func.count()).select_from(SUBMISSIONS).where(*_scope())
    if project_id is not None:
        query = query.where(SUBMISSIONS.c.project_id == project_id)
    return conn.execute(query).scalar_one()


def language_gates(conn: Connection, counts: AcceptanceCounts, languages: Iterable[str], *,
                   project_id: str | None = None) -> dict[str, int]:
    """The accepted contributions each of ``languages`` needs to be exported, those with no
    work yet included: the gate ``counts`` applied, else the project's setting (over every
    project, the lowest of the projects that have tasks in that language)."""
    gates = {language: counts.gates[language] for language in languages
             if language in counts.gates}
    missing = [language for language in languages if language not in gates]
    if not missing:
        return gates
    if project_id is not None:
        gate = load_settings(conn, project_id).acceptance.min_accepted_per_language
        return {**gates, **dict.fromkeys(missing, gate)}
    settings: dict[str, int] = {}
    for project, language in conn.execute(
            sa.select(TASKS.c.project_id, TASKS.c.language).distinct()
            .where(TASKS.c.language.in_(missing), TASKS.c.deleted == sa.false())):
        if project not in settings:
            settings[project] = load_settings(conn, project).acceptance \
                .min_accepted_per_language
        gates[language] = min(settings[project], gates.get(language, settings[project]))
    return gates


def is_accepted(conn: Connection, submission_id: str) -> Verdict:
    """The verdict on one submission, with the reason (a key of :data:`REASONS`)."""
    judged = judged_item(conn, submission_id)
    if judged is None:
        exists = conn.execute(sa.select(SUBMISSIONS.c.id)
                              .where(SUBMISSIONS.c.id == submission_id)).first()
        return Verdict(False, "not_counted" if exists else "missing")
    return judged[1]


def judged_item(conn: Connection, submission_id: str) -> tuple[dict, Verdict] | None:
    """One counted-kind, handed-in, live submission as :func:`judged_submissions` yields it
    (the item's dict and its verdict); None for anything else."""
    row = conn.execute(_query().where(SUBMISSIONS.c.id == submission_id)).first()
    if row is None:
        return None
    item = _Judge(conn).items([row])[0]
    return item, verdict(item)


def judged_submissions(conn: Connection, *, project_id: str | None = None,
                       languages: Iterable[str] | None = None
                       ) -> Iterator[tuple[dict, Verdict]]:
    """Every counted-kind, handed-in, live submission with its verdict, in id order.

    Each dict has: ``id``, ``author_id``, ``project_id``, ``task_id``, ``language``
    (registry code), ``kind``, ``state``, ``dialect``, ``inputs``, ``targets``,
    ``source_text`` and ``mt_text`` (post-edits: the source and the machine translation),
    ``prompt_distance``, ``completion_distance``, ``hter``, ``seconds_spent``,
    ``edit_sessions``, ``ratings`` (tuple of 1–5), ``flags`` (tuple), ``created_at``,
    ``updated_at``, ``rules`` (the project's :class:`Acceptance`).
    """
    for chunk in judged_chunks(conn, project_id=project_id, languages=languages):
        yield from chunk


def judged_chunks(conn: Connection, *, project_id: str | None = None,
                  languages: Iterable[str] | None = None
                  ) -> Iterator[list[tuple[dict, Verdict]]]:
    """:func:`judged_submissions` a chunk at a time (a list of ``(item, verdict)``), for a
    reader that works a chunk at a time too."""
    for chunk in judged_records(conn, project_id=project_id, languages=languages):
        yield [(dict(zip(RECORD, record, strict=True)), judgement)
               for record, judgement in chunk]


def judged_records(conn: Connection, *, project_id: str | None = None,
                   languages: Iterable[str] | None = None, stamps: bool = True
                   ) -> Iterator[list[tuple[tuple, Verdict]]]:
    """:func:`judged_chunks` with each item a tuple of :data:`RECORD`'s values, not a dict:
    for a reader of every item (the dataset export) that takes them apart by position.
    ``stamps=False``: ``created_at`` and ``updated_at`` are None, not read."""
    judge = _Judge(conn)
    payload = _payload_bytes(conn)
    wanted = frozenset(languages) if languages is not None else None
    if wanted is not None and not wanted:
        return
    last = None
    while True:
        # Languages are filtered here, not in SQL: a language condition would make the
        # database prefer its language index and sort every matching row for each chunk.
        query = _query(payload, stamps=stamps)
        if project_id is not None:
            query = query.where(SUBMISSIONS.c.project_id == project_id)
        if last is not None:
            query = query.where(SUBMISSIONS.c.id > last)
        rows = conn.execute(query.order_by(SUBMISSIONS.c.id).limit(CHUNK)).all()
        if not rows:
            return
        span = (last, rows[-1].id)
        last, full = rows[-1].id, len(rows) == CHUNK
        if wanted is not None:
            rows = [row for row in rows if row.language in wanted]
        yield [(record, _record_verdict(record))
               for record in judge.records(rows, span=span)]
        if not full:
            return


# What _query reads, in this order: _Judge and _item take a row apart by position (a Row's
# attribute costs as much as a dict lookup in Python; unpacking it, nothing).
_COLUMNS = ("id", "author_id", "project_id", "task_id", "language", "kind", "state",
            "payload", "created_at", "updated_at", "prompt_distance", "completion_distance")
_ID, _AUTHOR, _PROJECT, _TASK, _LANGUAGE, _KIND, _STATE, _PAYLOAD, _CREATED, _UPDATED = range(10)
_PROMPT_DISTANCE, _COMPLETION_DISTANCE = 10, 11


def _query(payload=SUBMISSIONS.c.payload, *, stamps: bool = True) -> sa.Select:
    # No join: with one, SQLite may walk users first and sort every row for each chunk.
    columns = [SUBMISSIONS.c[name] for name in _COLUMNS]
    columns[_PAYLOAD] = payload
    if not stamps:  # a NULL costs the driver nothing; two timestamps a row, something
        columns[_CREATED] = sa.null().label("created_at")
        columns[_UPDATED] = sa.null().label("updated_at")
    return sa.select(*columns).where(*_scope())


def _payload_bytes(conn: Connection):
    """The payload column as the driver hands it over with the least work: SQLite's as its
    UTF-8 bytes (no str made only to be decoded), PostgreSQL's as text (a cast to bytea
    would read backslashes as escapes)."""
    if conn.dialect.name == "sqlite":
        return sa.cast(SUBMISSIONS.c.payload, sa.LargeBinary).label("payload")
    return SUBMISSIONS.c.payload


def _scope() -> list:
    return [SUBMISSIONS.c.deleted == sa.false(), SUBMISSIONS.c.state != "draft",
            SUBMISSIONS.c.kind.in_(COUNTED_KINDS)]


class _Judge:
    """Turns a chunk of rows into items (reviews and tasks fetched per chunk) and judges them."""

    def __init__(self, conn: Connection):
        self.conn = conn
        self.settings: dict[str | None, Acceptance] = {}
        # Blocked people are few (read once); everyone else's work is judged by the rules.
        self.blocked = frozenset(conn.execute(
            sa.select(USERS.c.id).where(USERS.c.blocked_at.is_not(None))).scalars())

    def rules(self, project_id: str | None) -> Acceptance:
        if project_id not in self.settings:
            self.settings[project_id] = load_settings(self.conn, project_id).acceptance
        return self.settings[project_id]

    def items(self, rows, *, span: tuple[str | None, str] | None = None) -> list[dict]:
        """The rows as judged_submissions' dicts (see :meth:`records`)."""
        return [dict(zip(RECORD, record, strict=True))
                for record in self.records(rows, span=span)]

    def records(self, rows, *, span: tuple[str | None, str] | None = None) -> list[tuple]:
        """``span``: ``(after, last)``, ids the rows lie in (ids after ``after``, up to
        ``last``): their reviews, decisions and flags are read by that range of keys, not by
        a list of thousands of ids (which cost more to build into SQL than to run)."""
        reviews = self._reviews([row[_ID] for row in rows], span)
        payloads = [jsontext.loads(row[_PAYLOAD]) for row in rows]
        need_task = {row[_TASK] for row in rows if row[_TASK] and row[_KIND] in EDIT_KINDS
                     and (row[_KIND] == "postedit" or row[_PROMPT_DISTANCE] is None
                          or row[_COMPLETION_DISTANCE] is None)}
        task_payloads = self._tasks(need_task) if need_task else {}
        for project_id in {row[_PROJECT] for row in rows}:
            self.rules(project_id)
        rules, blocked, no_reviews = self.settings, self.blocked, ((), ())
        return [_record(row, payload, task_payloads.get(row[_TASK]) if need_task else None,
                        *reviews.get(row[_ID], no_reviews), rules[row[_PROJECT]],
                        row[_AUTHOR] in blocked)
                for row, payload in zip(rows, payloads, strict=True)]

    def _reviews(self, ids: list[str], span: tuple[str | None, str] | None = None
                 ) -> dict[str, tuple[tuple[int, ...], tuple[str, ...]]]:
        """Ratings and flags per submission, from live reviews by unblocked reviewers; flags a
        coordinator dismissed are left out, and a coordinator's own flag is added."""
        found: dict[str, tuple[list[int], list[str]]] = {}
        wanted = frozenset(ids)
        held = (coordinator_flags(self.conn, ids) if span is None else
                _coordinator_flags(self.conn, _keys(ITEM_FLAGS.c.submission_id, span),
                                   wanted))
        # A rejected item revised and submitted again is judged by the reviews of its new
        # text: reviews from before its latest rejection were of an earlier revision.
        rejected = dict(self.conn.execute(
            sa.select(DECISIONS.c.submission_id, sa.func.max(DECISIONS.c.decided_at))
            .where(_keys(DECISIONS.c.submission_id, span, ids),
                   DECISIONS.c.state == "rejected")
            .group_by(DECISIONS.c.submission_id)).all())
        rows = self.conn.execute(
            sa.select(REVIEWS.c.submission_id, REVIEWS.c.author_id, REVIEWS.c.payload,
                      REVIEWS.c.updated_at)
            .where(_keys(REVIEWS.c.submission_id, span, ids), REVIEWS.c.deleted == sa.false()))
        for row in rows:
            if row.author_id in self.blocked or row.submission_id not in wanted:
                continue
            if row.submission_id in rejected and row.updated_at < rejected[row.submission_id]:
                continue
            review = json.loads(row.payload)
            if review.get("state") == "draft":
                continue
            ratings, flags = found.setdefault(row.submission_id, ([], []))
            for key in ("rating_inputs", "rating_targets"):
                value = review.get(key)
                if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 5:
                    ratings.append(value)
            cleared = held.get(row.submission_id, (None, None))[1]
            if review.get("flag") and (cleared is None or row.updated_at > cleared):
                flags.append(review["flag"])
        for submission_id, (flag, _cleared) in held.items():
            if flag:
                found.setdefault(submission_id, ([], []))[1].append(flag)
        return {key: (tuple(r), tuple(f)) for key, (r, f) in found.items()}

    def _tasks(self, ids: set[str]) -> dict[str, dict]:
        return task_payloads(self.conn, ids)


def coordinator_flags(conn: Connection, ids) -> dict[str, tuple[str | None, str | None]]:
    """Per submission a coordinator acted on: ``(flag, cleared_at)`` — the coordinator's flag
    in force (None once unflagged) and when its flags were last dismissed (reviewers' flags
    given before then no longer hold it). Submissions nobody flagged are left out."""
    ids = sorted(set(ids))
    found: dict[str, tuple[str | None, str | None]] = {}
    for start in range(0, len(ids), CHUNK):
        found.update(_coordinator_flags(
            conn, among(ITEM_FLAGS.c.submission_id, ids[start:start + CHUNK])))
    return found


def _coordinator_flags(conn: Connection, where, wanted: frozenset[str] | None = None
                       ) -> dict[str, tuple[str | None, str | None]]:
    """:func:`coordinator_flags` of the submissions ``where`` selects (and in ``wanted``)."""
    found: dict[str, tuple[str | None, str | None]] = {}
    rows = conn.execute(sa.select(ITEM_FLAGS.c.submission_id, ITEM_FLAGS.c.action,
                                  ITEM_FLAGS.c.flag, ITEM_FLAGS.c.at)
                        .where(where).order_by(ITEM_FLAGS.c.id))
    for row in rows:  # oldest first: the last action decides
        if wanted is not None and row.submission_id not in wanted:
            continue
        cleared = found.get(row.submission_id, (None, None))[1]
        if row.action == "flag":
            found[row.submission_id] = (row.flag, cleared)
        else:
            found[row.submission_id] = (None, row.at)
    return found


def _keys(column, span: tuple[str | None, str] | None, ids=()):
    """``column`` within ``span`` (after its first id, up to its last), else in ``ids``."""
    if span is None:
        return among(column, ids)
    after, last = span
    return column <= last if after is None else sa.and_(column > after, column <= last)


def verdict(item: dict) -> Verdict:
    """The rules, in order, over one item as :func:`judged_submissions` builds it."""
    return _judged(item["rules"], item["blocked"], item["state"], item["flags"], item["kind"],
                   item["prompt_distance"], item["completion_distance"], item["ratings"])


def _record_verdict(record: tuple) -> Verdict:
    """:func:`verdict` of a :data:`RECORD` tuple."""
    (_id, _author, _project, _task, _language, kind, state, _dialect, _inputs, _targets,
     _source, _mt, prompt_distance, completion_distance, _hter, _seconds, _sessions, ratings,
     flags, _created, _updated, blocked, rules) = record
    return _judged(rules, blocked, state, flags, kind, prompt_distance, completion_distance,
                   ratings)


def _judged(rules: Acceptance, blocked: bool, state: str, flags, kind: str,
            prompt_distance, completion_distance, ratings) -> Verdict:
    """The rules, in order (the one place they are written)."""
    if blocked:
        return _VERDICTS["blocked"]
    if state == "rejected":
        return _VERDICTS["rejected"]
    if state == "accepted":
        return _VERDICTS["decided"]
    if flags and rules.exclude_flagged:
        return _VERDICTS["flagged"]
    if kind in EDIT_KINDS:
        distance = max(prompt_distance or 0, completion_distance or 0)
        if distance < rules.min_edit_distance:
            return _VERDICTS["small_edit"]
        if len(ratings) < rules.min_ratings:
            return _VERDICTS["few_ratings"]
        if ratings and sum(ratings) / len(ratings) < rules.min_mean_rating:
            return _VERDICTS["low_rating"]
    return _VERDICTS["rules"]


# One of each (a Verdict is frozen): judging a million items makes no million objects.
_VERDICTS = {reason: Verdict(reason in ("decided", "rules"), reason) for reason in REASONS}


def task_payloads(conn: Connection, ids) -> dict[str, dict]:
    """The server's task records with these ids (unknown ids are left out), by id."""
    ids = sorted({i for i in ids if isinstance(i, str)})
    found = {}
    for start in range(0, len(ids), CHUNK):
        for row in conn.execute(sa.select(TASKS.c.id, TASKS.c.payload)
                                .where(TASKS.c.id.in_(ids[start:start + CHUNK]))):
            found[row.id] = json.loads(row.payload)
    return found


def starting_text(kind: str | None, payload: dict,
                  task: dict | None) -> tuple[str | None, str | None]:
    """What an edit started from, as the server knows it: ``(prompt, completion)``.

    The server's task when it has one (a re-annotation starts from the task's prompt and
    completion, a post-edit from its source and machine translation); otherwise the text the
    device recorded (``original_*``, e.g. a further improvement of a peer's item).
    """
    if task:
        if kind == "postedit":
            return task.get("source_text"), task.get("mt_text")
        if task.get("inputs") is not None or task.get("targets") is not None:
            return task.get("inputs"), task.get("targets")
    return payload.get("original_inputs"), payload.get("original_targets")


def measured_distances(kind: str | None, payload: dict,
                       task: dict | None) -> tuple[int | None, int | None]:
    """``(prompt, completion)`` Levenshtein distances of an edit to what it started from
    (:func:`starting_text`), or ``(None, None)`` for what is not an edit or has nothing to
    compare with. The server stores them when the edit is pushed."""
    if kind not in EDIT_KINDS:
        return None, None
    inputs, targets = payload.get("inputs") or "", payload.get("targets") or ""
    start_inputs, start_targets = starting_text(kind, payload, task)
    if kind == "postedit":
        return 0, _distance(start_targets or "", targets)  # the source is not edited
    if start_inputs is None and start_targets is None:
        return None, None
    return _distance(start_inputs or "", inputs), _distance(start_targets or "", targets)


# A judged item as a tuple (judged_records), in this order; judged_submissions' dict has
# these keys.
RECORD = ("id", "author_id", "project_id", "task_id", "language", "kind", "state", "dialect",
          "inputs", "targets", "source_text", "mt_text", "prompt_distance",
          "completion_distance", "hter", "seconds_spent", "edit_sessions", "ratings",
          "flags", "created_at", "updated_at", "blocked", "rules")


def _record(row, payload: dict, task: dict | None, ratings, flags, rules: Acceptance,
            blocked: bool) -> tuple:
    (submission_id, author_id, project_id, task_id, language, kind, state, _payload,
     created_at, updated_at, prompt_distance, completion_distance) = row  # _COLUMNS
    get = payload.get
    source = mt = None
    if kind not in EDIT_KINDS:
        prompt_distance = completion_distance = None
    else:
        start_inputs, start_targets = starting_text(kind, payload, task)
        if kind == "postedit":
            source = start_inputs or get("inputs") or ""
            mt = start_targets or ""
        if prompt_distance is None or completion_distance is None:
            # pushed before the server measured edits itself
            prompt_distance, completion_distance = measured_distances(kind, payload, task)
    seconds, sessions = get("seconds_spent"), get("edit_sessions")
    return (submission_id, author_id, project_id, task_id, language, kind, state,
            get("dialect"), get("inputs") or "", get("targets") or "", source, mt,
            prompt_distance, completion_distance, get("hter"),
            seconds if type(seconds) in _NUMBERS else _number(seconds),
            sessions if type(sessions) in _NUMBERS else _number(sessions),
            tuple(ratings), tuple(flags), created_at, updated_at, blocked, rules)


_NUMBERS = frozenset({int, float, type(None)})  # what _number gives back as it is (no bool)


def _distance(a: str, b: str) -> int:
    # The app's own measure (rapidfuzz Levenshtein over code points), so both ends agree.
    from app.diffs import edit_distance

    return edit_distance(a, b)


def _number(value) -> float | int | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return value
