import unicodedata

import pytest

from app.diffs import char_diff, edit_distance, hter, tokens, word_diff


def _sides(diff):
    """What a diff says the two texts were."""
    old = "".join(text for tag, text in diff if tag != "insert")
    new = "".join(text for tag, text in diff if tag != "delete")
    return old, new


@pytest.mark.parametrize(
    ("a", "b", "distance"),
    [
        ("kitten", "sitting", 3),  # k->s, e->i, +g
        ("flaw", "lawn", 2),  # -f, +n
        ("", "abc", 3),
        ("same", "same", 0),
        ("कमल", "कमला", 1),  # one code point: the vowel sign ा
        ("ọmọ", "ọmọdé", 2),  # +d, +é (NFC: é is one code point)
        ("ذهب الطفل", "ذهب الولد", 3),  # ط->و, ف->ل, ل->د
    ],
)
def test_edit_distance_by_hand(a, b, distance):
    assert edit_distance(a, b) == distance


def test_hter_is_zero_when_untouched():
    for text in ["The cat sat.", "ذهب الطفل إلى السوق", "เด็กไปตลาด", ""]:
        assert hter(text, text) == 0.0


def test_hter_small_edit_by_hand():
    # MT "the cat sat on mat", post-edit "the cat sat on the mat": one insertion; the
    # post-edit has 6 words -> 1/6.
    assert hter("the cat sat on mat", "the cat sat on the mat") == pytest.approx(1 / 6)
    # One substituted word of four (Arabic, right to left makes no difference).
    assert hter("ذهب الطفل إلى السوق", "ذهب الولد إلى السوق") == pytest.approx(1 / 4)


def test_hter_counts_a_moved_phrase_as_one_shift():
    # Levenshtein over words would need 6 edits; TER moves the block "a b c" once.
    assert hter("a b c d e f", "d e f a b c") == pytest.approx(1 / 6)


def test_hter_is_case_sensitive_and_splits_punctuation():
    assert hter("hello world", "Hello world") == pytest.approx(1 / 2)
    assert hter("Hello world", "Hello, world") == pytest.approx(1 / 3)  # ',' inserted


def test_hter_of_empty_post_edit():
    assert hter("something", "") == 1.0


def test_hter_on_thai_counts_grapheme_clusters():
    # Thai has no spaces; by words the whole sentence would be one token and any edit 100 %.
    # Post-edit clusters: เ ด็ ก ไ ป ต ล า ด เ พื่ อ ซื้ อ ผั ก (16). The MT ends in ป ล า
    # instead of ผั ก: 2 substitutions + 1 deletion = 3 edits -> 3/16.
    mt, post = "เด็กไปตลาดเพื่อซื้อปลา", "เด็กไปตลาดเพื่อซื้อผัก"
    assert len(tokens(post)) == 16
    assert hter(mt, post) == pytest.approx(3 / 16)


def test_hter_on_khmer_is_sensible():
    value = hter("ក្មេងបានទៅផ្សារ", "ក្មេងបានទៅសាលា")  # "went to the market" -> "to school"
    assert 0.0 < value < 0.5


def test_tokens_keep_numbers_hyphens_and_apostrophes():
    assert tokens("Pay 1,000.50 now, well-known n'ụtụtụ!") == [
        "Pay", "1,000.50", "now", ",", "well-known", "n'ụtụtụ", "!"
    ]
    assert tokens("کیا حال ہے؟") == ["کیا", "حال", "ہے", "؟"]


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("किताब पढ़ो", "किताबें पढ़िए"),  # Devanagari: matras and nukta
        ("কিতাব", "কেতাব"),  # Bengali: ি -> ে
        ("क्षमा", "क्षमता"),  # a conjunct with virama
        ("ọ̀rọ̀", "ọ̀rọ́"),  # Yoruba: underdot + tone mark
        ("سلام", "سلامت"),
    ],
)
def test_char_diff_never_splits_a_grapheme_cluster(a, b):
    diff = char_diff(a, b)
    assert _sides(diff) == (a, b)
    for _tag, text in diff:
        assert not unicodedata.category(text[0]).startswith("M"), diff  # no orphaned mark
        assert not text.endswith("\u094d"), diff  # no dangling virama


def test_char_diff_replaces_the_whole_cluster():
    assert char_diff("কিতাব", "কেতাব") == [("delete", "কি"), ("insert", "কে"), ("equal", "তাব")]
    # Hindi: ल -> ला is a change of the whole syllable, never a bare "ा" inserted.
    assert char_diff("कमल", "कमला") == [("equal", "कम"), ("delete", "ल"), ("insert", "ला")]
    assert char_diff("same", "same") == [("equal", "same")]
    assert char_diff("", "new") == [("insert", "new")]


def test_word_diff():
    assert word_diff("a red car", "a blue car") == [
        ("equal", "a "), ("delete", "red"), ("insert", "blue"), ("equal", " car")
    ]
    a, b = "Mtoto alienda sokoni.", "Mtoto alikwenda sokoni jana."
    diff = word_diff(a, b)
    assert _sides(diff) == (a, b)
    assert ("delete", "alienda") in diff and ("insert", "alikwenda") in diff
    assert ("insert", " jana") in diff


def test_word_diff_falls_back_to_clusters_without_spaces():
    a, b = "เด็กไปตลาด", "เด็กไปโรงเรียน"
    diff = word_diff(a, b)
    assert _sides(diff) == (a, b)
    assert diff[0] == ("equal", "เด็กไป")
