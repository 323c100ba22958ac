import unicodedata

import pytest

from app.errors import TextRejected
from app.text import MAX_FIELD_CHARS, clean_field, has_visible_text, require_visible

ZWNJ, ZWJ = "\u200c", "\u200d"


def test_text_is_stored_in_nfc():
    decomposed = "cafe\u0301 " + unicodedata.normalize("NFD", "ọ̀rọ̀")  # Yoruba tone + underdot
    cleaned = clean_field("targets", decomposed)
    assert cleaned.text == unicodedata.normalize("NFC", decomposed)
    assert cleaned.warnings == ()


def test_zero_width_joiners_survive():
    persian = f"می{ZWNJ}خواهم"          # "I want": ZWNJ keeps the prefix unjoined
    devanagari = f"क्{ZWJ}ष"              # ZWJ asks for a half form
    assert clean_field("inputs", persian).text == persian
    assert clean_field("inputs", devanagari).text == devanagari


def test_nul_is_rejected_with_field_and_position():
    with pytest.raises(TextRejected) as caught:
        clean_field("targets", "abc\x00def")
    assert caught.value.field == "targets"
    assert caught.value.position == 3
    assert "completion" in str(caught.value) and "position 4" in str(caught.value)


def test_lone_surrogate_is_rejected():
    with pytest.raises(TextRejected) as caught:
        clean_field("inputs", "ok \ud83d then")
    assert "U+D83D" in str(caught.value) and "prompt" in str(caught.value)


@pytest.mark.parametrize("control", ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e",
                                     "\u2066", "\u2067", "\u2068", "\u2069"])
def test_bidi_controls_are_kept_and_reported(control):
    cleaned = clean_field("targets", f"abc{control}def")
    assert cleaned.text == f"abc{control}def"
    (warning,) = cleaned.warnings
    assert warning.code == "bidi_control" and warning.field == "targets"
    assert f"U+{ord(control):04X}" in warning.detail


def test_field_longer_than_the_limit_is_rejected():
    with pytest.raises(TextRejected, match="too long"):
        clean_field("targets", "a" * (MAX_FIELD_CHARS + 1))
    assert clean_field("targets", "a" * MAX_FIELD_CHARS).text


def test_mixed_direction_text_is_kept_as_typed():
    mixed = "Python میں list comprehension کیا ہے؟ 3 مثالیں دیں۔"
    assert clean_field("inputs", mixed).text == mixed


# --- invisible text is not text ------------------------------------------------------------

INVISIBLE = {
    "spaces and tabs": " \t ",
    "no-break and ideographic spaces": "\u00a0\u3000\u2009",
    "line and paragraph separators": "\u2028\u2029\n",
    "zero-width space": "\u200b",
    "zero-width non-joiner": ZWNJ,
    "zero-width joiner": ZWJ,
    "word joiner": "\u2060",
    "byte order mark": "\ufeff",
    "bidi marks": "\u200e\u200f\u061c",
    "bidi embeddings and overrides": "\u202a\u202b\u202c\u202d\u202e",
    "bidi isolates": "\u2066\u2067\u2068\u2069",
    "soft hyphen": "\u00ad",
    "combining grapheme joiner": "\u034f",
    "variation selectors": "\ufe0f\U000e0100",
    "hangul fillers": "\u3164\u115f\uffa0",
    "mongolian vowel separator": "\u180e",
    "tag characters": "\U000e0067\U000e0062\U000e007f",
    "controls": "\x07\x1b\x85",
    "a mix": " \u200b\u200c \u200d\u2060\ufeff\u2067 ",
}


@pytest.mark.parametrize("text", INVISIBLE.values(), ids=INVISIBLE.keys())
def test_a_field_of_invisible_characters_only_is_refused_naming_the_field(text):
    assert not has_visible_text(text)
    with pytest.raises(TextRejected) as caught:
        require_visible("inputs", text)
    assert caught.value.field == "inputs"
    message = str(caught.value)
    assert "prompt" in message and "no visible character" in message
    assert f"U+{ord(text[0]):04X}" in message  # which characters it found, as code points


@pytest.mark.parametrize("text", [
    f"می{ZWNJ}خواهم",                          # Persian: ZWNJ keeps the prefix unjoined
    f"क्{ZWJ}ष",                                # Devanagari: ZWJ asks for a half form
    f"ক্{ZWJ}য",                                # Bengali ya-phala
    f"ന്{ZWJ}",                                 # Malayalam chillu (ZWJ after a letter)
    f"\u200f{ZWNJ}ب",                           # one Arabic letter among marks
    "👩\u200d💻",                               # an emoji ZWJ sequence
    "\u2068اردو\u2069",                          # an isolated word
    "x",
])
def test_real_text_with_joiners_and_marks_is_visible(text):
    assert has_visible_text(text)
    require_visible("targets", text)  # no error


def test_an_empty_field_is_refused_with_its_own_sentence():
    with pytest.raises(TextRejected, match="completion is empty"):
        require_visible("targets", "")
    with pytest.raises(TextRejected, match="“mt_text”") as caught:
        require_visible("mt_text", "\u200b")
    assert caught.value.field == "mt_text"
