import pytest

from app.rules import Activity, RuleSettings, points, progress

# A week of one annotator, with the points and ratings worked out by hand (default rules):
#
#   #  activity                                                   points           ratings
#   1  original, yor                                              2
#   2  original, yor                                              2
#   3  re-annotation, yor, rated, prompt 12, completion 40        1 + 1 + 1 = 3    4, 5
#   4  re-annotation, yor, rated, unchanged (0, 0)                1 + 0 + 0 = 1    3
#   5  re-annotation, hau, not rated, prompt 4 (< 5), compl. 5    0 + 0 + 1 = 1    2
#   6  review, yor, with a further improvement                    1 + 1 = 2        5
#   7  review, yor, no further edit (its rating is not an edit's) 1                (1: ignored)
#   8  post-edit, yor, completion distance 20                     1                4
#                                                                 --
#                                                                 13
#
#   ratings of edits: 4, 5, 3, 2, 5, 4  -> quality = 23 / 6 = 3.8333...
#   above "no change" (3): 4, 5, 5, 4   -> aya = 4 / 6 = 0.6667
#   rated edits: #3, #4, #5, #6, #8     -> 5
WEEK = [
    Activity("original", "yor_Latn"),
    Activity("original", "yor_Latn"),
    Activity("reannotation", "yor_Latn", rated=True, prompt_distance=12,
             completion_distance=40, ratings_received=(4, 5)),
    Activity("reannotation", "yor_Latn", rated=True, ratings_received=(3,)),
    Activity("reannotation", "hau_Latn", prompt_distance=4, completion_distance=5,
             ratings_received=(2,)),
    Activity("review", "yor_Latn", further_improvement=True, ratings_received=(5,)),
    Activity("review", "yor_Latn", ratings_received=(1,)),
    Activity("postedit", "yor_Latn", completion_distance=20, hter=0.3, ratings_received=(4,)),
]


def test_points_of_each_activity_by_hand():
    assert [points(a) for a in WEEK] == [2, 2, 3, 1, 1, 2, 1, 1]


def test_progress_by_hand():
    result = progress(WEEK)
    assert result.points == 13
    assert result.counts == {
        ("original", "yor_Latn"): 2,
        ("reannotation", "yor_Latn"): 2,
        ("reannotation", "hau_Latn"): 1,
        ("review", "yor_Latn"): 2,
        ("postedit", "yor_Latn"): 1,
    }
    assert result.quality_score == pytest.approx(23 / 6)
    assert result.aya_score == pytest.approx(4 / 6)
    assert result.rated_edits == 5


def test_no_ratings_means_no_scores():
    result = progress([Activity("original", "swh_Latn"), Activity("reannotation", "swh_Latn")])
    assert result.quality_score is None and result.aya_score is None
    assert result.rated_edits == 0
    empty = progress([])
    assert (empty.points, empty.counts, empty.quality_score) == (0, {}, None)


def test_unchanged_edit_earns_no_edit_points():
    assert points(Activity("reannotation", "hin_Deva")) == 0
    assert points(Activity("reannotation", "hin_Deva", rated=True)) == 1  # the rating only
    assert points(Activity("postedit", "hin_Deva", hter=0.0)) == 0


def test_edit_just_under_and_at_the_threshold():
    under = Activity("reannotation", "urd_Arab", prompt_distance=4, completion_distance=4)
    at = Activity("reannotation", "urd_Arab", prompt_distance=5, completion_distance=5)
    assert points(under) == 0
    assert points(at) == 2
    assert points(Activity("postedit", "urd_Arab", completion_distance=4)) == 0
    assert points(Activity("postedit", "urd_Arab", completion_distance=5)) == 1


def test_settings_change_the_rules():
    settings = RuleSettings.from_dict({
        "min_edit_distance": 3, "points_original": 5, "no_change_rating": 2, "colour": "red",
    })
    assert points(Activity("reannotation", "urd_Arab", prompt_distance=3), settings) == 1
    assert points(Activity("original", "urd_Arab"), settings) == 5
    result = progress([Activity("reannotation", "urd_Arab", ratings_received=(3, 2))], settings)
    assert result.aya_score == 0.5  # 3 is now above "no change"


def test_aya_score_counts_only_ratings_above_no_change():
    result = progress([Activity("reannotation", "ben_Beng", ratings_received=(4, 5, 3, 2))])
    assert result.aya_score == 0.5
    assert result.quality_score == 3.5
    all_unchanged = progress([Activity("reannotation", "ben_Beng", ratings_received=(3, 3))])
    assert all_unchanged.aya_score == 0.0


@pytest.mark.parametrize("data", [{"points_rating": "1"}, {"min_edit_distance": 2.5},
                                  {"points_review": True}, {"no_change_rating": 7}])
def test_bad_settings_are_refused(data):
    with pytest.raises(ValueError):
        RuleSettings.from_dict(data)


def test_bad_activities_are_refused():
    with pytest.raises(ValueError, match="unknown activity kind"):
        Activity("translation", "urd_Arab")
    with pytest.raises(ValueError, match="1–5"):
        Activity("reannotation", "urd_Arab", ratings_received=(6,))
    with pytest.raises(ValueError):
        Activity("reannotation", "urd_Arab", prompt_distance=-1)
