"""Counting this annotator's contributions: over time, and within a task list.

    days = timeline(store, unit="day", periods=14)          # oldest first, today last
    days[-1].start, days[-1].counts["original"], days[-1].total
    weeks = timeline(store, unit="week", periods=12, first_weekday=6)   # weeks from Sunday

    task_list_progress(store, kind="reannotation", language="urd_Arab")
    # ListProgress(done=12, total=20)

Counted as :mod:`app.activity` counts for points: submitted (or reviewed) items, never
drafts; a further improvement made while reviewing counts with its review. An item counts on
the day it was submitted, in this computer's time zone (the annotator's day, not UTC's); a
review on the day it was sent. Periods with nothing are kept (zero), so a chart shows gaps.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from typing import Literal, NamedTuple

from app import clock
from app.kinds import TASK_KINDS

Unit = Literal["day", "week"]

__all__ = ["ListProgress", "Period", "task_list_progress", "timeline"]


@dataclass(frozen=True)
class Period:
    """One day or week: its first day and the items of each kind done in it."""

    start: date
    counts: dict[str, int] = field(default_factory=dict)  # kind -> items (every kind present)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def period_start(day: date, unit: Unit, first_weekday: int = 0) -> date:
    """The first day of the period holding ``day``; weeks start on ``first_weekday``
    (0 Monday … 6 Sunday, as :meth:`date.weekday`)."""
    if unit == "day":
        return day
    return day - timedelta(days=(day.weekday() - first_weekday) % 7)


def timeline(store, *, unit: Unit = "day", periods: int = 14, today: date | None = None,
             first_weekday: int = 0, tz: tzinfo | None = None) -> list[Period]:
    """The last ``periods`` days or weeks up to ``today`` (this computer's date), oldest
    first, each with every kind's count. ``tz`` is the annotator's time zone (this
    computer's when None)."""
    if unit not in ("day", "week"):
        raise ValueError(f"unit must be 'day' or 'week', not {unit!r}")
    if periods < 1:
        raise ValueError("periods must be at least 1")
    today = today or datetime.now(tz).date()
    step = timedelta(days=1 if unit == "day" else 7)
    last = period_start(today, unit, first_weekday)
    starts = [last - step * back for back in range(periods - 1, -1, -1)]
    counts = {start: Counter() for start in starts}
    # A day earlier in UTC than the first local day: no time zone is further off than that.
    since = clock.stamp(datetime.combine(starts[0] - timedelta(days=1), datetime.min.time(),
                                         tzinfo=tz or datetime.now().astimezone().tzinfo))
    for kind, stamp in _done_since(store, since):
        local_day = clock.parse(stamp).astimezone(tz).date()
        start = period_start(local_day, unit, first_weekday)
        if start in counts and kind in TASK_KINDS:
            counts[start][kind] += 1
    return [Period(start, {kind: counts[start][kind] for kind in TASK_KINDS})
            for start in starts]


def _done_since(store, since: str):
    """``(kind, when)`` of every contribution from ``since`` (a stored timestamp) on."""
    # A submission is updated when it is submitted, or later: ``updated_at >= since`` lets
    # the index on updated_at skip old work before the exact test.
    submissions = store.db.execute(
        "SELECT kind, COALESCE(submitted_at, updated_at) AS at FROM submissions "
        "WHERE updated_at >= ? AND state != 'draft' AND review_id IS NULL "
        "AND COALESCE(submitted_at, updated_at) >= ?", [since, since])
    yield from ((row[0], row[1]) for row in submissions)
    reviews = store.db.execute(
        "SELECT updated_at FROM reviews WHERE state = 'submitted' AND reviewer = ? "
        "AND updated_at >= ?", [store.user_id, since])
    yield from (("review", row[0]) for row in reviews)


class ListProgress(NamedTuple):
    """How much of a task list is done: ``done`` of ``total`` tasks."""

    done: int
    total: int


def task_list_progress(store, *, kind: str, language: str) -> ListProgress:
    """Done and total tasks of one kind in one language, as the task lists show them: a task
    is done when its latest submission is no longer a draft (a review task: when this
    annotator sent their review of it). Review tasks exclude the annotator's own work, as
    :meth:`app.store.Store.review_tasks` does."""
    if kind == "review":
        return _review_progress(store, language)
    total = store.count_tasks(language=language, kind=kind)
    done = store.db.execute(
        "SELECT count(*) FROM submissions s JOIN tasks t ON t.id = s.task_id "
        "WHERE t.language = ? AND t.kind = ? AND s.state != 'draft' "
        "AND s.row = (SELECT max(row) FROM submissions WHERE task_id = s.task_id)",
        [language, kind]).fetchone()[0]
    return ListProgress(done, total)


# The review tasks this annotator may review: the same conditions as Store.review_tasks.
_REVIEWABLE = (
    "t.kind = 'review' AND t.language = ? "
    "AND (t.author IS NULL OR t.author = '' OR t.author != ?) "
    "AND (t.review_of IS NULL OR NOT EXISTS (SELECT 1 FROM submissions s "
    "WHERE s.id = t.review_of))"
)


def _review_progress(store, language: str) -> ListProgress:
    me = store.user_id or "\x00no-user"
    total, done = store.db.execute(
        f"SELECT count(*), count(CASE WHEN EXISTS (SELECT 1 FROM reviews r "
        f"WHERE r.task_id = t.id AND r.reviewer = ? AND r.state = 'submitted') THEN 1 END) "
        f"FROM tasks t WHERE {_REVIEWABLE}",
        [store.user_id, language, me]).fetchone()
    return ListProgress(done, total)
