import unicodedata

import pytest

from app.errors import TextRejected
from app.text import MAX_FIELD_CHARS, clean_field

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
