"""What the coordinator measures over the work, per language: reviewers' agreement, how
concentrated the work is, and progress by kind.

    agreement(engine)["urd_Arab"].alpha            # Krippendorff's alpha, ordinal
    concentration(engine)["urd_Arab"].top_share    # the top 5 annotators' share
    language_progress(engine)                      # drafts, submitted, reviewed, ... per kind

Blocked users' work and reviews are left out (:func:`sync.server.quality.fields.unblocked`).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from sync.protocol import ErrorCode
from sync.server import tables
from sync.server.db import read
from sync.server.errors import ServerError
from sync.server.quality import tallies
from sync.server.quality.fields import (
    RATING_FIELDS,
    RATING_VALUES,
    number,
    payload_field,
    unblocked,
)
from sync.server.quality.tallies import Scope

T = tallies.TALLIES

Target = Engine | Connection
REVIEWS = tables.reviews
SUBMISSIONS = tables.submissions


@dataclass(frozen=True)
class Agreement:
    alpha: float | None   # Krippendorff's alpha (ordinal); None when too few overlapping ratings
    items: int            # submissions rated by at least two reviewers
    ratings: int          # the ratings those items received (prompt and completion each)


def agreement(target: Target, *, language: str | None = None,
              project_id: str | None = None) -> dict[str, Agreement]:
    """Inter-annotator agreement per language over reviewers' 1–5 ratings.

    A unit is one field (prompt or completion) of one submission; a reviewer's latest review
    counts once. Only units with two or more ratings can show agreement; alpha is None for a
    language with none, or where every rating is the same value (alpha is then undefined).
    Reviews by blocked users, and reviews of blocked users' work, are left out.
    """
    import krippendorff
    import numpy as np

    def work(conn: Connection):
        query = (sa.select(T.c.language, T.c.detail, sa.func.sum(T.c.n))
                 .where(*_where("agree", project_id)).group_by(T.c.language, T.c.detail))
        if language is not None:
            query = query.where(T.c.language == language)
        return conn.execute(query).all()

    found: dict[str, dict] = {}  # language -> {"items": n, "patterns": [(counts, n)]}
    for lang, detail, total in read(target, work):
        entry = found.setdefault(lang, {"items": 0, "patterns": []})
        if detail == "i":
            entry["items"] += int(total)
        elif detail.startswith("p|"):
            entry["patterns"].append(([int(n) for n in detail[2:].split(".")], int(total)))
    result = {}
    for lang in sorted(found):
        patterns = found[lang]["patterns"]
        ratings = sum(sum(counts) * n for counts, n in patterns)
        alpha = None
        if patterns and len({v for counts, _ in patterns for v, n in enumerate(counts) if n}) > 1:
            units = np.repeat(np.array([counts for counts, _ in patterns]),
                              [n for _, n in patterns], axis=0)
            alpha = float(krippendorff.alpha(value_counts=units,
                                             value_domain=list(RATING_VALUES),
                                             level_of_measurement="ordinal"))
            if not math.isfinite(alpha):
                alpha = None
        result[lang] = Agreement(alpha=alpha, items=found[lang]["items"], ratings=ratings)
    return result


def agreement_facts(conn: Connection, scope: Scope) -> Iterator[tuple[tuple, int]]:
    """The facts (:mod:`.tallies`) behind :func:`agreement` over ``scope``, per project and
    language: ``u`` a unit (a field of a submission) with ratings, ``p|c1.c2.c3.c4.c5`` a unit
    rated two or more times with that many of each value, ``i`` a submission with such a unit.
    """
    fields = [payload_field(conn, REVIEWS.c.payload, name).label(name) for name in RATING_FIELDS]
    query = (sa.select(SUBMISSIONS.c.project_id, SUBMISSIONS.c.language, REVIEWS.c.submission_id,
                       REVIEWS.c.author_id, *fields)
             .join(SUBMISSIONS, SUBMISSIONS.c.id == REVIEWS.c.submission_id)
             .where(REVIEWS.c.deleted == sa.false(), SUBMISSIONS.c.deleted == sa.false(),
                    unblocked(REVIEWS.c.author_id), unblocked(SUBMISSIONS.c.author_id),
                    *scope.where(REVIEWS.c.submission_id, SUBMISSIONS.c.project_id))
             .order_by(REVIEWS.c.server_seq))
    # unit (project, language, submission, field) -> reviewer -> rating (the latest wins)
    units: dict[tuple[str, str, str, str], dict[str, int]] = {}
    for row in conn.execute(query):
        for name in RATING_FIELDS:
            value = number(getattr(row, name))
            if value is not None and int(value) == value and int(value) in RATING_VALUES:
                key = (row.project_id or "", row.language or "", row.submission_id, name)
                units.setdefault(key, {})[row.author_id] = int(value)
    found: dict[tuple, int] = {}
    items: set[tuple[str, str, str]] = set()
    for (project, lang, submission_id, _), by_reviewer in units.items():
        details = ["u"]
        if len(by_reviewer) >= 2:
            counts = [0] * len(RATING_VALUES)
            for value in by_reviewer.values():
                counts[value - 1] += 1
            details.append("p|" + ".".join(map(str, counts)))
            items.add((project, lang, submission_id))
        for detail in details:
            key = ("agree", "", project, "", lang, detail)
            found[key] = found.get(key, 0) + 1
    for project, lang, _ in items:
        key = ("agree", "", project, "", lang, "i")
        found[key] = found.get(key, 0) + 1
    return iter(found.items())


# --- concentration ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Concentration:
    contributors: int     # distinct annotators with submitted work in the language
    items: int            # their submitted items
    top_share: float      # share of the items written by the ``top`` most active annotators


def concentration(target: Target, *, top: int = 5,
                  project_id: str | None = None) -> dict[str, Concentration]:
    """Per language, how much of the submitted work its ``top`` annotators did (the Aya
    paper reports the share of the top 5). Drafts, deleted items and blocked users' work do
    not count."""
    if top < 1:
        raise ServerError(ErrorCode.invalid_request, "top must be at least 1.")
    by_language: dict[str, list[int]] = {}
    for language, _user, n in read(target, lambda conn: _authors(conn, project_id)):
        by_language.setdefault(language, []).append(int(n))
    result = {}
    for lang in sorted(by_language):
        counts = sorted(by_language[lang], reverse=True)
        total = sum(counts)
        result[lang] = Concentration(contributors=len(counts), items=total,
                                     top_share=sum(counts[:top]) / total)
    return result


# --- progress --------------------------------------------------------------------------------


@dataclass(frozen=True)
class LanguageProgress:
    language: str
    kind: str
    drafts: int           # on the server, not yet handed in
    submitted: int        # handed in (including those since accepted or rejected)
    reviewed: int         # handed in and reviewed at least once
    accepted: int
    rejected: int
    contributors: int     # distinct annotators who handed in work
    held: int             # handed in by blocked contributors (in none of the counts above)


def language_progress(target: Target, *,
                      project_id: str | None = None) -> list[LanguageProgress]:
    """Counts per language and kind, for the dashboard's progress page and chart."""

    def work(conn: Connection):
        return _progress(conn, project_id), _contributors(conn, project_id)

    facts, contributors = read(target, work)
    found: dict[tuple[str, str], dict] = {}
    for language, detail, total in facts:
        kind, state, reviewed, ok = detail.split("|")
        n = int(total)  # PostgreSQL sums whole numbers as decimals
        if not kind:
            continue
        entry = found.setdefault((language, kind), dict.fromkeys(
            ("drafts", "submitted", "reviewed", "accepted", "rejected", "held"), 0))
        handed_in = state != "draft"
        if ok != "1":
            entry["held"] += n if handed_in else 0
            continue
        entry["drafts"] += 0 if handed_in else n
        entry["submitted"] += n if handed_in else 0
        entry["reviewed"] += n if handed_in and reviewed == "1" else 0
        entry["accepted"] += n if state == "accepted" else 0
        entry["rejected"] += n if state == "rejected" else 0
    return [LanguageProgress(language, kind, contributors=contributors.get((language, kind), 0),
                             **entry)
            for (language, kind), entry in sorted(found.items())]


def _where(figure: str, project_id: str | None) -> list:
    return [T.c.figure == figure, T.c.day == tallies.ALL_TIME,
            *([T.c.project_id == project_id] if project_id is not None else [])]


def _progress(conn: Connection, project_id: str | None) -> list:
    """``(language, detail, n)`` of the stored progress facts (:func:`progress_facts`)."""
    return conn.execute(sa.select(T.c.language, T.c.detail, sa.func.sum(T.c.n))
                        .where(*_where("progress", project_id))
                        .group_by(T.c.language, T.c.detail)).all()


def _contributors(conn: Connection, project_id: str | None) -> dict[tuple[str, str], int]:
    """How many unblocked authors handed in work, per language and kind."""
    return {(r[0], r[1]): r[2] for r in conn.execute(
        sa.select(T.c.language, T.c.detail, sa.func.count(sa.distinct(T.c.user_id)))
        .where(*_where("authors", project_id), T.c.detail != "")
        .group_by(T.c.language, T.c.detail))}


def _authors(conn: Connection, project_id: str | None) -> list:
    """``(language, author, n)``: what each unblocked author handed in, per language."""
    return conn.execute(sa.select(T.c.language, T.c.user_id, sa.func.sum(T.c.n))
                        .where(*_where("authors", project_id))
                        .group_by(T.c.language, T.c.user_id)).all()


def progress_facts(conn: Connection, scope: Scope) -> Iterator[tuple[tuple, int]]:
    """The facts (:mod:`.tallies`) behind :func:`language_progress` and :func:`concentration`
    over ``scope``, from live submissions with a language: ``progress`` per project, language
    and ``kind|state|reviewed|author unblocked`` (reviewed: by an unblocked reviewer), and
    ``authors``, what each unblocked author handed in per project, language and kind."""
    reviewed = sa.exists().where(REVIEWS.c.submission_id == SUBMISSIONS.c.id,
                                 REVIEWS.c.deleted == sa.false(), unblocked(REVIEWS.c.author_id))
    flags = sa.select(
        SUBMISSIONS.c.project_id, SUBMISSIONS.c.author_id, SUBMISSIONS.c.language,
        SUBMISSIONS.c.kind, SUBMISSIONS.c.state,
        sa.case((reviewed, 1), else_=0).label("reviewed"),
        sa.case((unblocked(SUBMISSIONS.c.author_id), 1), else_=0).label("ok")).where(
        SUBMISSIONS.c.deleted == sa.false(), SUBMISSIONS.c.language.isnot(None),
        *scope.where(SUBMISSIONS.c.id, SUBMISSIONS.c.project_id)).subquery()
    columns = [flags.c[name] for name in ("project_id", "author_id", "language", "kind",
                                          "state", "reviewed", "ok")]
    found: dict[tuple, int] = {}
    for r in conn.execute(sa.select(*columns, sa.func.count().label("n")).group_by(*columns)):
        project, kind = r.project_id or "", r.kind or ""
        key = ("progress", "", project, "", r.language,
               f"{kind}|{r.state}|{int(r.reviewed)}|{int(r.ok)}")
        found[key] = found.get(key, 0) + r.n
        if r.ok and r.state != "draft":
            key = ("authors", "", project, r.author_id, r.language, kind)
            found[key] = found.get(key, 0) + r.n
    return iter(found.items())


def written_progress_facts(row, blocked: frozenset[str]) -> list[tuple[tuple, int]]:
    """:func:`progress_facts` of one submission a push just wrote and nobody reviewed, from
    its row as stored."""
    if row["deleted"] or row["language"] is None:
        return []
    ok = int(row["author_id"] not in blocked)
    project, kind, language = row["project_id"] or "", row["kind"] or "", row["language"]
    found = [(("progress", "", project, "", language, f"{kind}|{row['state']}|0|{ok}"), 1)]
    if ok and row["state"] != "draft":
        found.append((("authors", "", project, row["author_id"], language, kind), 1))
    return found
