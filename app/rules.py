"""Points and quality scores: the one place the rules of the game are written down.

    settings = RuleSettings.from_dict(project_settings.get("rules", {}))
    points(Activity(kind="original", language="yor_Latn"), settings)        # -> 2
    points(submission_activity("reannotation", "urd_Arab", rated=True), settings)  # -> 1
    progress(my_activities, settings).quality_score                         # -> 4.25

Everything here works on plain values and imports nothing else of Qalam's: the app computes a
user's progress offline from its own store (:mod:`app.activity`); the server runs the same
functions over everything it has (:mod:`sync.server.quality.leaderboards`), with
:func:`submission_activity` turning a submission's columns into an :class:`Activity` the same
way on both. Defaults follow the Aya annotation platform (Aya Dataset
paper, arXiv 2402.06619):

=================================  =======  =================================================
activity                           points   condition
=================================  =======  =================================================
original prompt + completion       2        always
re-annotation: rating              1        the annotator gave both thumbs (``rated``)
re-annotation: prompt edit         1        ``prompt_distance >= min_edit_distance``
re-annotation: completion edit     1        ``completion_distance >= min_edit_distance``
review (annotation feedback)       1        always
review: further improvement        1        ``further_improvement``
post-edit of a machine translation 1        ``completion_distance >= min_edit_distance``
interface translation              1        the suggestion was accepted (issue 16)
interface translation: a verdict   1        accepting or rejecting a peer's suggestion
=================================  =======  =================================================

An unchanged "edit" is no edit, and neither is one under ``min_edit_distance`` (5) characters
of Levenshtein distance: it earns no edit points (the rating point still counts). Post-edits
are not an Aya activity; they are scored like a completion edit.

Scores, over the 1–5 ratings that peers gave a user's *edits* (re-annotations, post-edits,
and reviews with a further improvement) on the scale "is the edit an improvement?", where
``no_change_rating`` (3) means "no change", higher is better and lower is worse:

* ``quality_score``: the mean of all those ratings, each rating weighing the same
  (so an edit rated by four peers weighs four times one rated once).
* ``aya_score``: the share of those ratings above ``no_change_rating``, in 0.0–1.0: only
  ratings that call the edit an improvement count; "no change" and "worse" count against.
  ``[4, 5, 3, 2]`` gives 0.5.

Both are ``None`` while no edit of the user has a rating.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from typing import NamedTuple

from app.kinds import EDIT_KINDS, TASK_KINDS

__all__ = ["DEFAULT_RULES", "KINDS", "Activity", "Progress", "RuleSettings", "Scores", "points",
           "progress", "scores", "submission_activity", "translation_points"]

KINDS = TASK_KINDS
RATING_SCALE = range(1, 6)


@dataclass(frozen=True)
class RuleSettings:
    """A project's rules; every number can be changed per project.

        >>> RuleSettings.from_dict({"points_original": 3, "unknown": 1}).points_original
        3
    """

    points_rating: int = 1
    points_prompt_edit: int = 1
    points_completion_edit: int = 1
    points_original: int = 2
    points_review: int = 1
    points_further_improvement: int = 1
    points_postedit: int = 1
    points_translation: int = 1
    points_translation_review: int = 1
    min_edit_distance: int = 5
    no_change_rating: int = 3

    @classmethod
    def from_dict(cls, data: Mapping | None) -> RuleSettings:
        """Read a project's settings; unknown keys are ignored, missing ones take defaults.
        Raises ValueError for a value that is not a whole number."""
        known = {f.name for f in fields(cls)}
        values = {}
        for name, value in (data or {}).items():
            if name not in known:
                continue
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValueError(f"rule setting {name!r}: expected a whole number, got {value!r}")
            values[name] = value
        settings = cls(**values)
        if settings.no_change_rating not in RATING_SCALE:
            raise ValueError(f"rule setting 'no_change_rating' must be 1–5, "
                             f"got {settings.no_change_rating}")
        return settings


DEFAULT_RULES = RuleSettings()


@dataclass(frozen=True)
class Activity:
    """One thing a user did, as the store describes it."""

    kind: str  # "original" | "reannotation" | "review" | "postedit"
    language: str
    rated: bool = False  # re-annotation: gave both thumbs
    prompt_distance: int = 0  # re-annotation: edit distance of prompt vs original
    completion_distance: int = 0  # re-annotation, post-edit: of completion vs original/MT
    further_improvement: bool = False  # review that produced a further edit
    hter: float | None = None  # post-edit: HTER against the MT (app.diffs.hter)
    ratings_received: tuple[int, ...] = ()  # 1–5 ratings that peers gave this edit

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown activity kind {self.kind!r}; expected one of "
                             f"{', '.join(KINDS)}")
        bad = [r for r in self.ratings_received if r not in RATING_SCALE]
        if bad:
            raise ValueError(f"ratings must be whole numbers 1–5, got {bad!r}")
        if self.prompt_distance < 0 or self.completion_distance < 0:
            raise ValueError("edit distances cannot be negative")

    @property
    def is_edit(self) -> bool:
        """Whether peers rate this activity as an edit (see the module's scores)."""
        return self.kind in EDIT_KINDS or (
            self.kind == "review" and self.further_improvement
        )


def translation_points(*, accepted: int = 0, verdicts: int = 0,
                       settings: RuleSettings | None = None) -> int:
    """Points for translating the interface: accepted suggestions and verdicts given.

        >>> translation_points(accepted=3, verdicts=2)
        5
    """
    settings = settings or DEFAULT_RULES
    return accepted * settings.points_translation + verdicts * settings.points_translation_review


def submission_activity(kind: str | None, language: str, *, rated: bool = False,
                        prompt_distance: int | None = None,
                        completion_distance: int | None = None, hter: float | None = None,
                        ratings_received: tuple[int, ...] = ()) -> Activity:
    """What a handed-in submission counts as, from its plain values (a store row's, or the
    server's columns): a re-annotation is scored by its thumbs and edit distances, a post-edit
    by its completion distance, anything else as an original. A distance not known (None)
    counts as no edit.

        >>> submission_activity("postedit", "swh_Latn", completion_distance=7).completion_distance
        7
    """
    if kind == "reannotation":
        return Activity("reannotation", language, rated=rated,
                        prompt_distance=prompt_distance or 0,
                        completion_distance=completion_distance or 0,
                        ratings_received=ratings_received)
    if kind == "postedit":
        return Activity("postedit", language, completion_distance=completion_distance or 0,
                        hter=hter, ratings_received=ratings_received)
    return Activity("original", language)


def points(activity: Activity, settings: RuleSettings | None = None) -> int:
    """The points one activity earns.

        >>> points(Activity("reannotation", "hin_Deva", rated=True, prompt_distance=12,
        ...                 completion_distance=3))       # rating + prompt edit; 3 < 5
        2
    """
    settings = settings or DEFAULT_RULES
    counts = settings.min_edit_distance
    if activity.kind == "original":
        return settings.points_original
    if activity.kind == "reannotation":
        return (
            (settings.points_rating if activity.rated else 0)
            + (settings.points_prompt_edit if activity.prompt_distance >= counts else 0)
            + (settings.points_completion_edit if activity.completion_distance >= counts else 0)
        )
    if activity.kind == "review":
        further = settings.points_further_improvement if activity.further_improvement else 0
        return settings.points_review + further
    # post-edit
    return settings.points_postedit if activity.completion_distance >= counts else 0


@dataclass(frozen=True)
class Progress:
    """A user's totals. ``counts`` is keyed by ``(kind, language)``."""

    counts: dict[tuple[str, str], int]
    points: int
    quality_score: float | None  # mean rating of the user's edits, 1.0–5.0
    aya_score: float | None  # share of those ratings above "no change", 0.0–1.0
    rated_edits: int  # edits with at least one rating


class Scores(NamedTuple):
    quality_score: float | None  # mean rating, 1.0–5.0
    aya_score: float | None      # share of ratings above "no change", 0.0–1.0


def scores(ratings: Iterable[int], settings: RuleSettings | None = None) -> Scores:
    """The scores of the 1–5 ratings a user's edits received, pooled (each rating weighs the
    same); both None without ratings.

        >>> scores([4, 5, 3, 2])
        Scores(quality_score=3.5, aya_score=0.5)
    """
    settings = settings or DEFAULT_RULES
    ratings = list(ratings)
    if not ratings:
        return Scores(None, None)
    return Scores(sum(ratings) / len(ratings),
                  sum(r > settings.no_change_rating for r in ratings) / len(ratings))


def progress(activities: Iterable[Activity],
             settings: RuleSettings | None = None) -> Progress:
    """Totals over a user's activities (see the module docstring for the scores).

        >>> p = progress([Activity("original", "swh_Latn"),
        ...               Activity("reannotation", "swh_Latn", prompt_distance=9,
        ...                        ratings_received=(4, 3))])
        >>> p.points, p.quality_score, p.aya_score, p.rated_edits
        (3, 3.5, 0.5, 1)
    """
    settings = settings or DEFAULT_RULES
    counts: dict[tuple[str, str], int] = {}
    total = 0
    ratings: list[int] = []
    rated_edits = 0
    for activity in activities:
        key = (activity.kind, activity.language)
        counts[key] = counts.get(key, 0) + 1
        total += points(activity, settings)
        if activity.is_edit and activity.ratings_received:
            rated_edits += 1
            ratings.extend(activity.ratings_received)
    quality, aya = scores(ratings, settings)
    return Progress(counts=counts, points=total, quality_score=quality, aya_score=aya,
                    rated_edits=rated_edits)
