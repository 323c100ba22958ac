"""What this annotator did, read from the local store as :class:`app.rules.Activity` values.

    report = progress_report(store)      # app.rules.progress over everything done here
    report.points, report.quality_score

Counted: submitted (or reviewed) items, never drafts. A further improvement made while
reviewing counts with its review (``further_improvement``), not again as an edit of its own;
the ratings peers gave it are that review's ``ratings_received``. Both scores of a received
review (prompt and completion) are ratings of the edit.
"""

from __future__ import annotations

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


def _activity(submission: Submission, received: tuple[int, ...]) -> rules.Activity:
    if submission.kind == "reannotation":
        return rules.Activity(
            "reannotation", submission.language, rated=submission.is_rated,
            prompt_distance=submission.prompt_distance or 0,
            completion_distance=submission.completion_distance or 0,
            ratings_received=received,
        )
    if submission.kind == "postedit":
        return rules.Activity(
            "postedit", submission.language,
            completion_distance=submission.completion_distance or 0, hter=submission.hter,
            ratings_received=received,
        )
    return rules.Activity("original", submission.language)


def activities(store: Store) -> list[rules.Activity]:
    received = _ratings(store)
    found: list[rules.Activity] = []
    offset = 0
    while True:
        page = store.submissions(limit=_BATCH, offset=offset)
        if not page:
            break
        offset += len(page)
        for submission in page:
            if submission.state == "draft" or submission.review_id is not None:
                continue
            found.append(_activity(submission, received.get(submission.id, ())))
    offset = 0
    while True:
        page = store.reviews(state="submitted", limit=_BATCH, offset=offset)
        if not page:
            break
        offset += len(page)
        for review in page:
            found.append(rules.Activity(
                "review", review.language or "und",
                further_improvement=review.improvement_id is not None,
                ratings_received=received.get(review.improvement_id or "", ()),
            ))
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
    return rules.progress(activities(store), rule_settings(store))
