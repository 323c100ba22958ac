"""What this annotator did, read from the local store as :class:`app.rules.Activity` values.

    report = progress_report(store)      # app.rules.progress over everything done here
    report.points, report.quality_score

Counted: submitted (or reviewed) items, never drafts, and the interface translations the server
accepted and the verdicts given on peers' ones. A further improvement made while
reviewing counts with its review (``further_improvement``), not again as an edit of its own;
the ratings peers gave it are that review's ``ratings_received``. Both scores of a received
review (prompt and completion) are ratings of the edit. A submission becomes an activity by
:func:`app.rules.submission_activity`, as on the server's leaderboards.
"""

from __future__ import annotations

import dataclasses
import json
from collections import defaultdict

from app import rules
from app.store import Store, Submission

_BATCH = 5000


def _ratings(store: Store) -> dict[str, tuple[int, ...]]:
    received: dict[str, list[int]] = defaultdict(list)
    for rating in store.received_ratings():
        for value in (rating.rating_inputs, rating.rating_targets):
            if value is not None:
                received[rating.submission_id].append(value)
    return {key: tuple(values) for key, values in received.items()}


def _paged(fetch):
    """Every row ``fetch(limit=, offset=)`` returns, read a batch at a time."""
    offset = 0
    while page := fetch(limit=_BATCH, offset=offset):
        offset += len(page)
        yield from page


def _activity(submission: Submission, received: tuple[int, ...]) -> rules.Activity:
    return rules.submission_activity(
        submission.kind, submission.language, rated=submission.is_rated,
        prompt_distance=submission.prompt_distance,
        completion_distance=submission.completion_distance, hter=submission.hter,
        ratings_received=received)


def activities(store: Store) -> list[rules.Activity]:
    received = _ratings(store)
    found = [_activity(submission, received.get(submission.id, ()))
             for submission in _paged(store.submissions)
             if submission.state != "draft" and submission.review_id is None]
    found += [rules.Activity("review", review.language or "und",
                             further_improvement=review.improvement_id is not None,
                             ratings_received=received.get(review.improvement_id or "", ()))
              for review in _paged(lambda **page: store.reviews(state="submitted", **page))]
    return found


def rule_settings(store: Store) -> rules.RuleSettings:
    """The rules of the first project that sets any (projects of one deployment share
    them); the Aya defaults otherwise."""
    for project in store.projects():
        configured = json.loads(project.settings).get("rules")
        if configured:
            return rules.RuleSettings.from_dict(configured)
    return rules.RuleSettings()


def progress_report(store: Store) -> rules.Progress:
    """Points include translating the interface (issue 16), as the server's boards count it."""
    from app.ui_translations import my_translation_work

    settings = rule_settings(store)
    report = rules.progress(activities(store), settings)
    accepted, verdicts = my_translation_work(store)
    translated = rules.translation_points(accepted=accepted, verdicts=verdicts,
                                          settings=settings)
    return dataclasses.replace(report, points=report.points + translated)
