"""Independent quality audits: a stratified random sample, rated blind by designated auditors.

    sample = draw_sample(engine, per_language=50, auditors=["Rahel", "Tomas"], seed=7,
                         created_by="Fatima")
    for item in auditor_items(engine, "Rahel"):          # prompt, completion, language, kind
        record_audit(engine, sample_id=item.sample_id, submission_id=item.submission_id,
                     auditor="Rahel", rating=4, acceptable=True)
    estimates(engine, sample)["urd_Arab"].acceptable_ci  # (low, high), 95 % Wilson

The check the Aya paper calls for: per language, a simple random sample of handed-in work by
contributors who are not blocked, drawn in one streaming pass (a reservoir per language fed by
``random.Random(seed)`` over the candidates in id order, so the same seed over the same data
draws the same sample, and memory holds the sample, not the dataset). Each item goes to the
auditor with the fewest items so far, never to its own author; auditors may be people outside
the contributor pool (role ``auditor``). An auditor sees the text only: no author, device or
reviews. Work of a contributor blocked after the draw drops out of the auditor's list and of
the estimates (and comes back when unblocked). A blocked auditor reads and rates nothing
(DESIGN.md invariant 6), and their past judgements count as not audited until unblocked.
"""

from __future__ import annotations

import json
import math
import random
import statistics
from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from app import clock
from app.ids import new_id
from sync.protocol import ErrorCode
from sync.server import tables
from sync.server.db import read, run_write
from sync.server.errors import ServerError
from sync.server.people.users import User, check_languages, get_user
from sync.server.quality.fields import unblocked

Target = Engine | Connection
SUBMISSIONS = tables.submissions
USERS = tables.users
SAMPLES, ITEMS = tables.audit_samples, tables.audit_items
DEFAULT_STATES = ("submitted", "accepted")  # what may reach the dataset (rejected work won't)
CONFIDENCE = 0.95
RATING_SCALE = (1, 5)  # what record_audit accepts
MAX_COMMENT = 2000
MAX_PER_LANGUAGE = 100_000
CHUNK = 500


@dataclass(frozen=True)
class AuditItem:
    """What an auditor sees of one item: the text, never who wrote it."""

    sample_id: str
    submission_id: str
    language: str
    kind: str
    dialect: str | None
    prompt: str
    completion: str
    rating: int | None         # the auditor's, once audited
    acceptable: bool | None
    comment: str
    done_at: str | None


@dataclass(frozen=True)
class Sample:
    id: str
    project_id: str | None
    per_language: int
    seed: int
    created_by: str
    created_at: str
    note: str
    items: int
    done: int
    languages: tuple[str, ...]
    auditors: tuple[str, ...]  # names


@dataclass(frozen=True)
class Estimate:
    language: str
    sampled: int                                  # items drawn (of unblocked contributors)
    audited: int                                  # items an auditor rated
    acceptable: int                               # ...and judged acceptable
    acceptable_share: float | None
    acceptable_ci: tuple[float, float] | None     # 95 % Wilson score interval
    mean_rating: float | None
    rating_ci: tuple[float, float] | None         # 95 %, on the scale: mean_interval


def _auditors(conn: Connection, auditors: Iterable[str]) -> list[User]:
    found: dict[str, User] = {}
    for name in auditors:
        user = get_user(conn, name)  # not_found names the unknown auditor
        blocked = conn.execute(sa.select(USERS.c.blocked_at).where(USERS.c.id == user.id)).scalar()
        if blocked is not None:
            raise ServerError(ErrorCode.invalid_request,
                              f"{user.name} is blocked and cannot audit; unblock them first.")
        found.setdefault(user.id, user)
    if not found:
        raise ServerError(ErrorCode.invalid_request,
                          "Name at least one auditor (--auditor NAME).")
    return list(found.values())


def draw_sample(target: Target, *, per_language: int, auditors: list[str],
                languages: list[str] | None = None, project_id: str | None = None,
                seed: int | None = None, created_by: str, note: str = "",
                states: tuple[str, ...] = DEFAULT_STATES) -> str:
    """Draw a stratified random sample and hand it to ``auditors`` (names or ids); returns the
    sample's id. Each language gets ``per_language`` items, or all it has when fewer."""
    if isinstance(per_language, bool) or not isinstance(per_language, int) \
            or not 1 <= per_language <= MAX_PER_LANGUAGE:
        raise ServerError(ErrorCode.invalid_request,
                          f"per_language: a whole number from 1 to {MAX_PER_LANGUAGE:,}.")
    if not (created_by or "").strip():
        raise ServerError(ErrorCode.invalid_request, "Say who draws the sample (created_by).")
    wanted = check_languages(languages) if languages else None
    if seed is None:
        seed = random.SystemRandom().randrange(2**62)  # stored, so the draw can be repeated
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**63:
        raise ServerError(ErrorCode.invalid_request, "seed: a whole number from 0 to 2^63-1.")

    def work(conn: Connection) -> str:
        people = _auditors(conn, auditors)
        query = (sa.select(SUBMISSIONS.c.id, SUBMISSIONS.c.language, SUBMISSIONS.c.author_id)
                 .where(SUBMISSIONS.c.deleted == sa.false(), SUBMISSIONS.c.state.in_(states),
                        SUBMISSIONS.c.language.isnot(None), unblocked(SUBMISSIONS.c.author_id))
                 .order_by(SUBMISSIONS.c.language, SUBMISSIONS.c.id))
        if wanted is not None:
            query = query.where(SUBMISSIONS.c.language.in_(wanted))
        if project_id is not None:
            query = query.where(SUBMISSIONS.c.project_id == project_id)
        if len(people) == 1:  # a lone auditor cannot take their own work
            query = query.where(SUBMISSIONS.c.author_id != people[0].id)
        # One pass over the candidates in a fixed order, keeping a seeded reservoir per
        # language (Algorithm R): memory holds the sample, not the dataset, and the same seed
        # over the same data draws the same items.
        rng = random.Random(seed)
        candidates: dict[str, list[tuple[str, str]]] = {}
        seen: dict[str, int] = {}
        for row in conn.execute(query.execution_options(yield_per=CHUNK)):
            seen[row.language] = count = seen.get(row.language, 0) + 1
            pool = candidates.setdefault(row.language, [])
            if len(pool) < per_language:
                pool.append((row.id, row.author_id))
            elif (slot := rng.randrange(count)) < per_language:
                pool[slot] = (row.id, row.author_id)
        if not candidates:
            raise ServerError(ErrorCode.invalid_request,
                              "There is no handed-in work to sample"
                              f"{' in ' + ', '.join(wanted) if wanted else ''}"
                              f"{' in project ' + project_id if project_id else ''}.")
        sample_id = new_id()
        now = clock.utc_now()
        conn.execute(SAMPLES.insert().values(
            id=sample_id, project_id=project_id, per_language=per_language, seed=seed,
            created_by=created_by.strip(), created_at=now, note=note))
        rows = []
        load = dict.fromkeys((person.id for person in people), 0)
        for language in sorted(candidates):
            pool = candidates[language]
            rng.shuffle(pool)  # auditors get a language's items in random order
            for submission_id, author_id in pool:
                # The auditor with the fewest items so far, never the item's author (the
                # query left out a lone auditor's own work).
                auditor = min((p for p in people if p.id != author_id),
                              key=lambda p: load[p.id])
                load[auditor.id] += 1
                rows.append({"sample_id": sample_id, "submission_id": submission_id,
                             "auditor_id": auditor.id, "language": language})
        for start in range(0, len(rows), CHUNK):
            conn.execute(ITEMS.insert(), rows[start:start + CHUNK])
        return sample_id

    return run_write(target, work)


def _sample_row(conn: Connection, sample_id: str):
    row = conn.execute(sa.select(SAMPLES).where(SAMPLES.c.id == sample_id)).first()
    if row is None:
        raise ServerError(ErrorCode.not_found, f"No audit sample {sample_id!r}.")
    return row


def list_samples(target: Target) -> list[Sample]:
    """Every sample, newest first, with its progress."""

    def work(conn: Connection) -> list[Sample]:
        found = []
        for s in conn.execute(sa.select(SAMPLES).order_by(SAMPLES.c.created_at.desc(),
                                                          SAMPLES.c.id)):
            rows = conn.execute(
                sa.select(ITEMS.c.language, USERS.c.name, ITEMS.c.done_at, USERS.c.blocked_at)
                .join(USERS, USERS.c.id == ITEMS.c.auditor_id)
                .join(SUBMISSIONS, SUBMISSIONS.c.id == ITEMS.c.submission_id)
                .where(ITEMS.c.sample_id == s.id, unblocked(SUBMISSIONS.c.author_id))).all()
            found.append(Sample(
                id=s.id, project_id=s.project_id, per_language=s.per_language, seed=s.seed,
                created_by=s.created_by, created_at=s.created_at, note=s.note,
                items=len(rows), done=sum(_counted(r) for r in rows),
                languages=tuple(sorted({r.language for r in rows})),
                auditors=tuple(sorted({r.name for r in rows}))))
        return found

    return read(target, work)


def get_sample(target: Target, sample_id: str) -> Sample:
    """One sample with its progress (not_found when there is none)."""

    def work(conn: Connection) -> Sample:
        _sample_row(conn, sample_id)
        return next(s for s in list_samples(conn) if s.id == sample_id)

    return read(target, work)


def _counted(row) -> bool:
    """Whether an audit item's judgement counts: given, by an auditor who is not blocked."""
    return row.done_at is not None and row.blocked_at is None


def _unblocked_auditor(conn: Connection, auditor: str) -> User:
    """The auditor by name or id; forbidden while they are blocked (they read no one's work)."""
    user = get_user(conn, auditor)
    if conn.execute(sa.select(USERS.c.blocked_at)
                    .where(USERS.c.id == user.id)).scalar() is not None:
        raise ServerError(ErrorCode.forbidden,
                          f"{user.name} is blocked: a blocked auditor reads and rates nothing "
                          "until a coordinator lifts the block.")
    return user


def auditor_items(target: Target, auditor: str, *, pending_only: bool = True,
                  sample_id: str | None = None) -> list[AuditItem]:
    """An auditor's items, blind: the text, its language and kind, and nothing of who wrote
    or reviewed it. Oldest sample first; within a sample, by language. Forbidden to a blocked
    auditor."""

    def work(conn: Connection) -> list[AuditItem]:
        user = _unblocked_auditor(conn, auditor)
        query = (sa.select(ITEMS, SUBMISSIONS.c.kind, SUBMISSIONS.c.payload,
                           SUBMISSIONS.c.language.label("current_language"))
                 .join(SUBMISSIONS, SUBMISSIONS.c.id == ITEMS.c.submission_id)
                 .join(SAMPLES, SAMPLES.c.id == ITEMS.c.sample_id)
                 .where(ITEMS.c.auditor_id == user.id, SUBMISSIONS.c.deleted == sa.false(),
                        unblocked(SUBMISSIONS.c.author_id))
                 .order_by(SAMPLES.c.created_at, ITEMS.c.sample_id, ITEMS.c.language,
                           ITEMS.c.submission_id))
        if pending_only:
            query = query.where(ITEMS.c.done_at.is_(None))
        if sample_id is not None:
            query = query.where(ITEMS.c.sample_id == sample_id)
        found = []
        for r in conn.execute(query):
            payload = json.loads(r.payload)
            found.append(AuditItem(
                sample_id=r.sample_id, submission_id=r.submission_id,
                language=r.current_language or r.language, kind=r.kind or "original",
                dialect=payload.get("dialect"), prompt=str(payload.get("inputs", "")),
                completion=str(payload.get("targets", "")), rating=r.rating,
                acceptable=r.acceptable, comment=r.comment, done_at=r.done_at))
        return found

    return read(target, work)


def record_audit(target: Target, *, sample_id: str, submission_id: str, auditor: str,
                 rating: int, acceptable: bool, comment: str = "") -> None:
    """Record (or correct) an auditor's judgement of an item assigned to them (forbidden
    while they are blocked)."""
    if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
        raise ServerError(ErrorCode.invalid_request,
                          f"rating: a whole number from 1 to 5 (got {rating!r}).")
    if not isinstance(acceptable, bool):
        raise ServerError(ErrorCode.invalid_request,
                          f"acceptable: yes or no (got {acceptable!r}).")
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT or "\x00" in comment:
        raise ServerError(ErrorCode.invalid_request,
                          f"comment: at most {MAX_COMMENT:,} characters of text.")

    def work(conn: Connection) -> None:
        _sample_row(conn, sample_id)
        user = _unblocked_auditor(conn, auditor)
        mine = (ITEMS.c.sample_id == sample_id, ITEMS.c.submission_id == submission_id,
                ITEMS.c.auditor_id == user.id)
        if conn.execute(sa.select(ITEMS.c.sample_id).where(*mine)).first() is None:
            raise ServerError(ErrorCode.forbidden,
                              f"Item {submission_id} of sample {sample_id} is not assigned to "
                              f"{user.name}; only its assigned auditor can rate it.")
        conn.execute(ITEMS.update().where(*mine).values(
            rating=rating, acceptable=acceptable, comment=comment, done_at=clock.utc_now()))

    run_write(target, work)


def wilson_interval(successes: int, trials: int) -> tuple[float, float]:
    """The 95 % Wilson score interval of a proportion (scipy)."""
    from scipy import stats

    ci = stats.binomtest(successes, trials).proportion_ci(confidence_level=CONFIDENCE,
                                                          method="wilson")
    return float(ci.low), float(ci.high)


def mean_interval(values: list[int]) -> tuple[float, float] | None:
    """The 95 % interval of a mean rating, inside the 1–5 scale; None for fewer than two.

    Student's t on the logit of the mean's place on the scale, p = (mean - 1) / 4, with the
    delta method's standard error sd / (4 √n) / (p (1 - p)), mapped back: it keeps the t
    interval's width in the middle of the scale and can never pass 1 or 5 (a plain t interval
    put five 5s and a 1 at [2.58, 5.82]), growing longer on the side away from the bound where
    ratings pile up, as their true spread does. Chosen over a bootstrap: the same ratings
    always give the same report, and it costs nothing. With no spread to estimate (every
    rating the same) it is the Wilson score interval of p, which assumes the largest spread a
    rating on the scale with that mean can have (scipy for t and the logit).
    """
    from scipy import special, stats

    n = len(values)
    if n < 2:
        return None
    low, high = RATING_SCALE
    width = high - low
    mean = sum(values) / n
    p = (mean - low) / width
    sd = statistics.stdev(values)
    if 0 < p < 1 and sd > 0:
        t = float(stats.t.ppf((1 + CONFIDENCE) / 2, n - 1))
        half = t * sd / width / math.sqrt(n) / (p * (1 - p))
        centre = float(special.logit(p))
        ends = special.expit([centre - half, centre + half])
    else:
        z = float(stats.norm.ppf((1 + CONFIDENCE) / 2))
        centre = (p + z * z / (2 * n)) / (1 + z * z / n)
        half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
        ends = (max(0.0, centre - half), min(1.0, centre + half))
    return low + width * float(ends[0]), low + width * float(ends[1])


def estimates(target: Target, sample_id: str) -> dict[str, Estimate]:
    """Per language of a sample: how much was audited, the acceptable share with its Wilson
    interval, and the mean rating with its interval on the 1–5 scale (None where nothing is
    audited yet).
    Judgements of an auditor who is now blocked count as not audited."""

    def work(conn: Connection):
        _sample_row(conn, sample_id)
        return conn.execute(
            sa.select(ITEMS.c.language, ITEMS.c.rating, ITEMS.c.acceptable, ITEMS.c.done_at,
                      USERS.c.blocked_at)
            .join(SUBMISSIONS, SUBMISSIONS.c.id == ITEMS.c.submission_id)
            .join(USERS, USERS.c.id == ITEMS.c.auditor_id)
            .where(ITEMS.c.sample_id == sample_id, SUBMISSIONS.c.deleted == sa.false(),
                   unblocked(SUBMISSIONS.c.author_id))).all()

    by_language: dict[str, list] = {}
    for row in read(target, work):
        by_language.setdefault(row.language, []).append(row)
    result = {}
    for language in sorted(by_language):
        rows = by_language[language]
        done = [r for r in rows if _counted(r)]
        ratings = [r.rating for r in done]
        good = sum(bool(r.acceptable) for r in done)
        share = good / len(done) if done else None
        mean = sum(ratings) / len(ratings) if ratings else None
        result[language] = Estimate(
            language=language, sampled=len(rows), audited=len(done), acceptable=good,
            acceptable_share=share,
            acceptable_ci=wilson_interval(good, len(done)) if done else None,
            mean_rating=mean, rating_ci=mean_interval(ratings))
    return result
