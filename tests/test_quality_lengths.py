"""Length checks fair to dense scripts: graphemes, with a minimum per script.

An Ethiopic syllable or a Devanagari cluster says what two or three Latin letters say, so the
same sentence is fewer graphemes in those scripts; a "too short" that counted them like Latin
letters told an Amharic writer their full question was too short.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import regex

from app.quality import (
    DEFAULT_SETTINGS,
    QualitySettings,
    check_length,
    check_submission,
    minimum_length,
)
from i18n import languages

ROOT = Path(__file__).resolve().parent.parent


def _length_findings(findings):
    return [f for f in findings if f.check == "length"]


def test_an_amharic_prompt_of_nine_syllables_is_not_too_short_like_the_same_in_latin():
    amharic = "ቡናውን ጠጣህ?"              # "Did you drink the coffee?": 9 graphemes
    latin = "bunawn t'et'ah?"           # the same, in Latin letters: 15
    assert check_length("inputs", amharic, language="amh_Ethi") == []
    assert check_length("inputs", latin, language="eng_Latn") == []
    findings = check_submission(kind="original", language="amh_Ethi", inputs=amharic,
                                targets="አዎ፣ ጠጥቻለሁ። ጣፋጭ ነበር።")
    assert _length_findings(findings) == []


def test_a_really_short_text_is_still_too_short_in_every_script():
    (finding,) = check_length("inputs", "ሰላም", language="amh_Ethi")
    assert finding.severity == "warning" and "6" in finding.message
    (finding,) = check_length("inputs", "नमस्ते", language="hin_Deva")  # 3 graphemes of 5
    assert finding.severity == "warning"
    (finding,) = check_length("inputs", "Habari", language="swh_Latn")
    assert "10" in finding.message


def test_minimums_follow_the_project_setting_and_the_script():
    settings = QualitySettings.from_dict({"min_chars": {"inputs": 40}})
    assert minimum_length("inputs", "eng_Latn", settings) == 40
    assert minimum_length("inputs", "amh_Ethi", settings) == 24
    assert minimum_length("inputs", "hin_Deva", settings) == 20
    assert minimum_length("inputs", "zho_Hans", settings) == 12
    assert minimum_length("inputs", "xyz_Unknown", settings) == 40  # unknown: as Latin
    assert minimum_length("inputs", None, settings) == 40
    # the maximum is not scaled: a bound on effort and storage
    (finding,) = check_length("inputs", "ሀ" * 5001, language="amh_Ethi")
    assert finding.severity == "error"


_LETTER_GRAPHEME = regex.compile(r"\X")


def _letters(text: str) -> int:
    """Graphemes that are not spaces, punctuation, symbols or digits."""
    return sum(1 for g in _LETTER_GRAPHEME.findall(text)
               if not g.isspace() and not regex.match(r"[\p{P}\p{S}\p{N}]", g))


def _text(entry) -> str:
    return entry["text"] if isinstance(entry, dict) else entry  # {"text", "draft"} or text


def test_script_minimums_are_no_stricter_than_parallel_text_measures():
    """The demo project's guidelines say the same in 14 languages: the minimum for each is at
    most the English one scaled by how many letters that language used for the same text."""
    project = json.loads((ROOT / "resources/demo/project.json").read_text(encoding="utf-8"))
    guidelines = project["guidelines"]
    english = sum(_letters(_text(by_language["eng_Latn"]))
                  for by_language in guidelines.values())
    codes = {code for by_language in guidelines.values() for code in by_language}
    assert len(codes) >= 10
    for code in codes:
        letters = sum(_letters(_text(by_language[code]))
                      for by_language in guidelines.values() if code in by_language)
        ratio = letters / english
        fair = math.ceil(DEFAULT_SETTINGS.min_chars["inputs"] * ratio)
        assert minimum_length("inputs", code) <= fair, (
            code, languages.get(code).script, round(ratio, 2))
