"""Bundled Noto fonts: registration, per-script family lists and ink-based row heights.

Annotators' laptops usually have none of the fonts for the scripts they write, so Qalam ships
regular-weight Noto fonts in ``resources/fonts/`` (see the README there; refreshed by
``build_scripts/fetch_fonts.sh``). Registering a font is not enough to get it used: Qt still
picks a system font unless the family is asked for, so widgets showing text in a given script
should use :func:`font_for_script`, which sets an explicit family list (bundled family first,
then sensible platform fallbacks) with ``QFont.setFamilies``.

Registration is lazy and per script: :func:`font_for_script` registers only the bundled files
its family list names (typically the script's font plus Noto Sans), so start-up pays only for
the scripts actually shown. :func:`register_bundled_fonts` registers everything (or a chosen set
of scripts) up front; both are idempotent. Fonts are registered by *file path*, not from bytes:
on Linux/fontconfig Qt hands the path to FreeType, which memory-maps the file and reads only the
tables it needs, so registering all 24 files takes a few milliseconds and reads almost nothing.

Row heights: the nominal line (ascent + descent) of some fonts is smaller than the ink of real
text — Nastaliq, with its diagonal cascades, draws well above the ascent and below the descent.
:func:`line_height_for` measures the shaped outline of a representative sample
(:data:`SAMPLE_TEXT`) so that rows are tall enough for the ink, and :func:`baseline_offset` says
where in such a row to put the baseline.

Script codes are ISO 15924 (``"Latn"``, ``"Arab"``, ``"Deva"``, ...). ``"Aran"`` is ISO 15924's
code for Arabic in Nastaliq style; ``"Arab"`` together with a FLORES-200 language code such as
``"urd_Arab"`` or ``"pnb_Arab"`` (Urdu, Punjabi Shahmukhi) resolves to it.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable
from dataclasses import dataclass

from PySide6.QtGui import QFont, QFontDatabase, QFontMetricsF, QGuiApplication, QPainterPath

import resources

__all__ = [
    "BUNDLED_FONTS",
    "BUNDLED_SCRIPTS",
    "FONT_DIR",
    "ROW_PADDING",
    "SAMPLE_TEXT",
    "BundledFont",
    "baseline_offset",
    "bundled_family",
    "families_for_script",
    "font_for_script",
    "ink_extents",
    "line_height_for",
    "register_bundled_fonts",
    "registered_fonts",
    "resolve_script",
    "uses_nastaliq",
]

log = logging.getLogger(__name__)

FONT_DIR = resources.path("fonts")


@dataclass(frozen=True)
class BundledFont:
    file: str  # file name inside FONT_DIR
    family: str  # family name as Qt reports it
    scripts: tuple[str, ...]  # ISO 15924 codes this file is the primary font for


NOTO_SANS = "Noto Sans"

# Keep in step with FONTS in build_scripts/fetch_fonts.sh (the README is generated from it).
BUNDLED_FONTS: tuple[BundledFont, ...] = (
    BundledFont("NotoSans-Regular.ttf", NOTO_SANS, ("Latn", "Grek", "Cyrl")),
    BundledFont("NotoNaskhArabic-Regular.ttf", "Noto Naskh Arabic", ("Arab",)),
    BundledFont("NotoNastaliqUrdu-Regular.ttf", "Noto Nastaliq Urdu", ("Aran",)),
    BundledFont("NotoSansHebrew-Regular.ttf", "Noto Sans Hebrew", ("Hebr",)),
    BundledFont("NotoSansDevanagari-Regular.ttf", "Noto Sans Devanagari", ("Deva",)),
    BundledFont("NotoSansBengali-Regular.ttf", "Noto Sans Bengali", ("Beng",)),
    BundledFont("NotoSansGurmukhi-Regular.ttf", "Noto Sans Gurmukhi", ("Guru",)),
    BundledFont("NotoSansGujarati-Regular.ttf", "Noto Sans Gujarati", ("Gujr",)),
    BundledFont("NotoSansOriya-Regular.ttf", "Noto Sans Oriya", ("Orya",)),
    BundledFont("NotoSansTamil-Regular.ttf", "Noto Sans Tamil", ("Taml",)),
    BundledFont("NotoSansTelugu-Regular.ttf", "Noto Sans Telugu", ("Telu",)),
    BundledFont("NotoSansKannada-Regular.ttf", "Noto Sans Kannada", ("Knda",)),
    BundledFont("NotoSansMalayalam-Regular.ttf", "Noto Sans Malayalam", ("Mlym",)),
    BundledFont("NotoSansSinhala-Regular.ttf", "Noto Sans Sinhala", ("Sinh",)),
    BundledFont("NotoSansEthiopic-Regular.ttf", "Noto Sans Ethiopic", ("Ethi",)),
    BundledFont("NotoSansMyanmar-Regular.ttf", "Noto Sans Myanmar", ("Mymr",)),
    BundledFont("NotoSansKhmer-Regular.ttf", "Noto Sans Khmer", ("Khmr",)),
    BundledFont("NotoSansLao-Regular.ttf", "Noto Sans Lao", ("Laoo",)),
    BundledFont("NotoSansThai-Regular.ttf", "Noto Sans Thai", ("Thai",)),
    BundledFont("NotoSansGeorgian-Regular.ttf", "Noto Sans Georgian", ("Geor",)),
    BundledFont("NotoSansArmenian-Regular.ttf", "Noto Sans Armenian", ("Armn",)),
    BundledFont("NotoSerifTibetan-Regular.ttf", "Noto Serif Tibetan", ("Tibt",)),
    BundledFont("NotoSansOlChiki-Regular.ttf", "Noto Sans Ol Chiki", ("Olck",)),
    BundledFont("NotoSansTifinagh-Regular.ttf", "Noto Sans Tifinagh", ("Tfng",)),
)

# Families whose shaping costs several times any other's (Nastaliq's cascading positioning
# rules): a Noto Nastaliq Urdu line takes ~0.1 ms to shape, Naskh ~0.03, Latin ~0.01. They
# are set unhinted, and lists draw rows in them with fewer shapings (ui/listview.py).
COSTLY_TO_SHAPE: frozenset[str] = frozenset({"Noto Nastaliq Urdu"})

_BY_SCRIPT: dict[str, BundledFont] = {s: bf for bf in BUNDLED_FONTS for s in bf.scripts}
_BY_FAMILY: dict[str, BundledFont] = {bf.family: bf for bf in BUNDLED_FONTS}

BUNDLED_SCRIPTS: tuple[str, ...] = tuple(_BY_SCRIPT)

# Fallbacks after the bundled family and Noto Sans (which takes Latin digits and punctuation
# that some script fonts lack): other Noto styles a Linux system may have, then the fonts that
# ship with Windows (Nirmala UI, Leelawadee UI, Ebrima, ...) and macOS (... Sangam MN, Kohinoor,
# Kefa, ...), then common Linux packages (Lohit, Padauk, ...). Families that are not installed
# are skipped by Qt.
_FALLBACKS: dict[str, tuple[str, ...]] = {
    "Latn": ("Segoe UI", "Helvetica Neue", "Arial", "DejaVu Sans"),
    "Grek": ("Segoe UI", "Helvetica Neue", "Arial", "DejaVu Sans"),
    "Cyrl": ("Segoe UI", "Helvetica Neue", "Arial", "DejaVu Sans"),
    "Arab": ("Noto Sans Arabic", "Segoe UI", "Geeza Pro", "Arial", "Tahoma", "DejaVu Sans"),
    "Aran": (
        "Urdu Typesetting",
        "Jameel Noori Nastaleeq",
        "Noto Naskh Arabic",
        "Segoe UI",
        "Geeza Pro",
        "Arial",
    ),
    "Hebr": ("Noto Serif Hebrew", "Segoe UI", "Arial Hebrew", "Arial", "DejaVu Sans"),
    "Deva": ("Noto Serif Devanagari", "Nirmala UI", "Mangal", "Kohinoor Devanagari",
             "Devanagari Sangam MN", "Lohit Devanagari"),
    "Beng": ("Noto Serif Bengali", "Nirmala UI", "Vrinda", "Kohinoor Bangla",
             "Bangla Sangam MN", "Lohit Bengali"),
    "Guru": ("Noto Serif Gurmukhi", "Nirmala UI", "Raavi", "Gurmukhi Sangam MN",
             "Gurmukhi MN", "Lohit Gurmukhi"),
    "Gujr": ("Noto Serif Gujarati", "Nirmala UI", "Shruti", "Kohinoor Gujarati",
             "Gujarati Sangam MN", "Lohit Gujarati"),
    "Orya": ("Noto Serif Oriya", "Nirmala UI", "Kalinga", "Oriya Sangam MN", "Lohit Odia"),
    "Taml": ("Noto Serif Tamil", "Nirmala UI", "Latha", "Tamil Sangam MN", "Lohit Tamil"),
    "Telu": ("Noto Serif Telugu", "Nirmala UI", "Gautami", "Kohinoor Telugu",
             "Telugu Sangam MN", "Lohit Telugu"),
    "Knda": ("Noto Serif Kannada", "Nirmala UI", "Tunga", "Kannada Sangam MN", "Lohit Kannada"),
    "Mlym": ("Noto Serif Malayalam", "Nirmala UI", "Kartika", "Malayalam Sangam MN",
             "Lohit Malayalam"),
    "Sinh": ("Noto Serif Sinhala", "Nirmala UI", "Iskoola Pota", "Sinhala Sangam MN", "LKLUG"),
    "Ethi": ("Noto Serif Ethiopic", "Ebrima", "Nyala", "Kefa", "Abyssinica SIL"),
    "Mymr": ("Noto Serif Myanmar", "Myanmar Text", "Myanmar Sangam MN", "Padauk"),
    "Khmr": ("Noto Serif Khmer", "Leelawadee UI", "Khmer UI", "Khmer Sangam MN", "Khmer OS"),
    "Laoo": ("Noto Serif Lao", "Leelawadee UI", "Lao UI", "Lao Sangam MN", "Phetsarath OT"),
    "Thai": ("Noto Serif Thai", "Leelawadee UI", "Tahoma", "Thonburi", "Garuda"),
    "Geor": ("Noto Serif Georgian", "Sylfaen", "Segoe UI", "Helvetica Neue", "DejaVu Sans"),
    "Armn": ("Noto Serif Armenian", "Sylfaen", "Segoe UI", "Mshtakan", "DejaVu Sans"),
    "Tibt": ("Noto Sans Tibetan", "Microsoft Himalaya", "Kailasa", "Jomolhari",
             "Tibetan Machine Uni"),
    "Olck": ("Nirmala UI",),
    "Tfng": ("Ebrima",),
}

# One representative line per bundled script: real words, chosen for tall stacks and deep
# descenders so that the measured ink is near the worst case for the script.
SAMPLE_TEXT: dict[str, str] = {
    "Latn": "Ọ̀rẹ́ mi ń ṣiṣẹ́ ní Èkó; Tiếng Việt, Ångström, façade — jumpy Qualität",
    "Grek": "Καλημέρα κόσμε· ψυχή, φως και Ἀθῆναι",
    "Cyrl": "Съешь же ещё этих мягких французских булок, да выпей чаю",
    "Arab": "كَتَبَ الطُّلَّابُ فِي الْمَدْرَسَةِ كِتَابًا جَمِيلًا، وَقَرَأَهُ الْمُعَلِّمُ.",
    "Aran": "نبیل نے مستحکم معیشت کے لیے پیشکش کی، ہم سمجھتے ہیں۔",
    "Hebr": "שָׁלוֹם עֲלֵיכֶם, הַסֵּפֶר הַקָּטָן",
    "Deva": "हिन्दी में क्षत्रिय, श्रृंगार, कृष्ण और द्वारा शब्द हैं।",
    "Beng": "আমার সোনার বাংলা, আমি তোমায় ভালোবাসি। রূপকথা",
    "Guru": "ਪੰਜਾਬੀ ਭਾਸ਼ਾ ਗੁਰਮੁਖੀ ਲਿਪੀ ਵਿੱਚ ਲਿਖੀ ਜਾਂਦੀ ਹੈ।",
    "Gujr": "ગુજરાતી ભાષા સુંદર અને સમૃદ્ધ છે, કૃષ્ણ",
    "Orya": "ଓଡ଼ିଆ ଭାଷା ବହୁତ ସୁନ୍ଦର, କୃଷ୍ଣ ସ୍ତ୍ରୀ",
    "Taml": "தமிழ் மொழி மிகவும் பழமையான மொழிகளில் ஒன்று",
    "Telu": "తెలుగు భాషలో స్త్రీలు కృష్ణుడి పాటలు పాడతారు",
    "Knda": "ಕನ್ನಡ ಭಾಷೆ ಬಹಳ ಸುಂದರ, ಸ್ತ್ರೀ ಕೃಷ್ಣ",
    "Mlym": "മലയാളം ഒരു സുന്ദരമായ ഭാഷയാണ്, സ്ത്രീ",
    "Sinh": "සිංහල භාෂාව ඉතා ලස්සන භාෂාවකි, ස්ත්‍රී",
    "Ethi": "አማርኛ በኢትዮጵያ የሚነገር ቋንቋ ነው። ሰላም ለዓለም",
    "Mymr": "ကျွန်ုပ်တို့သည် မြန်မာစာကို ကြိုက်နှစ်သက်ပါသည်။",
    "Khmr": "ភាសាខ្មែរគឺជាភាសាដ៏ស្រស់ស្អាត ស្ត្រី",
    "Laoo": "ພາສາລາວເປັນພາສາທີ່ງາມ ຜູ້ຍິງ",
    "Thai": "ภาษาไทยเป็นภาษาที่สวยงาม ปู่ย่าตายายรู้เรื่องฎีกา",
    "Geor": "ქართული ენა ძალიან ლამაზია",
    "Armn": "Բարեւ ձեզ, հայերենը գեղեցիկ լեզու է։",
    "Tibt": "བོད་ཀྱི་སྐད་ཡིག་ནི་ཧ་ཅང་མཛེས་པོ་རེད། བསྒྲུབས་",
    "Olck": "ᱥᱟᱱᱛᱟᱲᱤ ᱯᱟᱹᱨᱥᱤ ᱫᱚ ᱱᱟᱯᱟᱭ ᱠᱟᱱᱟ",
    "Tfng": "ⴰⵣⵓⵍ ⴼⵍⵍⴰⵡⵏ, ⵜⴰⵎⴰⵣⵉⵖⵜ ⵜⴰⵏⴰⵡⴰⵢⵜ",
}

# Languages written in Arabic script whose usual style is Nastaliq (ISO 639-1/-3 codes as used
# in FLORES-200 and BCP 47 tags).
_NASTALIQ_LANGUAGES = frozenset({"urd", "ur", "pnb"})
# ...and those that are Nastaliq only when the tag says Arabic script (Punjabi "pa"/"pan" is
# Gurmukhi by default).
_NASTALIQ_IF_ARABIC = frozenset({"pa", "pan"})

# file name -> families Qt registered from it ([] if registration failed)
_registered: dict[str, list[str]] = {}
_ink_cache: dict[tuple[str, str], tuple[float, float]] = {}


def _normalise_script(script: str) -> str:
    script = script.strip()
    return script[:1].upper() + script[1:].lower()


def _split_language(language: str) -> tuple[str, str | None]:
    """``"urd_Arab"`` / ``"pa-Arab-PK"`` -> (``"urd"``/``"pa"``, ``"Arab"``)."""
    parts = language.replace("-", "_").split("_")
    base = parts[0].lower()
    script = next((p for p in parts[1:] if len(p) == 4 and p.isalpha()), None)
    return base, _normalise_script(script) if script else None


def uses_nastaliq(language: str | None) -> bool:
    """Whether text in ``language`` (FLORES-200 or BCP 47 code) is set in Nastaliq."""
    if not language:
        return False
    base, script = _split_language(language)
    if script not in (None, "Arab", "Aran"):
        return False
    return base in _NASTALIQ_LANGUAGES or (base in _NASTALIQ_IF_ARABIC and script is not None)


def resolve_script(script: str, language: str | None = None, *, urdu: bool = False) -> str:
    """The ISO 15924 code whose fonts to use: ``"Arab"`` becomes ``"Aran"`` (Nastaliq) for
    Urdu / Punjabi Shahmukhi (``urdu=True`` or ``language="urd_Arab"``, ``"pnb_Arab"``, ...)."""
    script = _normalise_script(script)
    if script == "Arab" and (urdu or uses_nastaliq(language)):
        return "Aran"
    return script


def bundled_family(script: str) -> str | None:
    """The bundled family for an ISO 15924 script code, or None if none is bundled."""
    bf = _BY_SCRIPT.get(_normalise_script(script))
    return bf.family if bf else None


def families_for_script(script: str) -> list[str]:
    """Explicit family list for ``script`` (ISO 15924): the bundled family first, then Noto
    Sans (Latin digits and punctuation), then platform fallbacks. For a script with no
    bundled font the list starts with Noto Sans and Qt's own fallback finds the rest."""
    script = _normalise_script(script)
    families: list[str] = []
    primary = bundled_family(script)
    if primary:
        families.append(primary)
    if NOTO_SANS not in families:
        families.append(NOTO_SANS)
    for family in _FALLBACKS.get(script, ()):
        if family not in families:
            families.append(family)
    return families


def _require_gui_app() -> None:
    if QGuiApplication.instance() is None:
        raise RuntimeError("create the QApplication before registering or using bundled fonts")


def _register(bf: BundledFont) -> list[str]:
    if bf.file in _registered:
        return _registered[bf.file]
    path = FONT_DIR / bf.file
    font_id = QFontDatabase.addApplicationFont(str(path))
    families = list(QFontDatabase.applicationFontFamilies(font_id)) if font_id != -1 else []
    if not families:
        log.warning("could not register bundled font %s", path)
    elif bf.family not in families:
        log.warning("%s registered as %s, expected %r", path, families, bf.family)
    _registered[bf.file] = families
    return families


def register_bundled_fonts(scripts: Iterable[str] | None = None) -> dict[str, list[str]]:
    """Register bundled fonts with ``QFontDatabase.addApplicationFont`` — all of them, or only
    those that :func:`families_for_script` names for ``scripts``. Idempotent: a file is
    registered once per process. Returns ``{file name: [families]}`` for every file registered
    so far (an empty list marks a file that failed to register). Needs a QGuiApplication."""
    _require_gui_app()
    if scripts is None:
        wanted: Iterable[BundledFont] = BUNDLED_FONTS
    else:
        wanted = [
            _BY_FAMILY[family]
            for script in scripts
            for family in families_for_script(script)
            if family in _BY_FAMILY
        ]
    for bf in wanted:
        _register(bf)
    return registered_fonts()


def registered_fonts() -> dict[str, list[str]]:
    """``{file name: [families]}`` of the bundled files registered so far."""
    return {file: list(families) for file, families in _registered.items()}


def font_for_script(
    script: str,
    point_size: float | None = None,
    *,
    language: str | None = None,
    urdu: bool = False,
) -> QFont:
    """A QFont for text in ``script`` (ISO 15924), using ``QFont.setFamilies`` with
    :func:`families_for_script`, after registering the bundled fonts it names.

    Arabic script is set in Naskh, except for Urdu and Punjabi Shahmukhi (``urdu=True``, or
    ``language`` such as ``"urd_Arab"`` / ``"pnb_Arab"``), which get Nastaliq. ``point_size``
    defaults to the application font's size."""
    _require_gui_app()
    script = resolve_script(script, language, urdu=urdu)
    register_bundled_fonts([script])
    font = QFont()
    font.setFamilies(families_for_script(script))
    if font.family() in COSTLY_TO_SHAPE:
        # Unhinted, a glyph's advance is read from the font's table instead of loading and
        # hinting the glyph: Urdu rows paint ~15% faster. Side by side at list size the two
        # look alike; unhinted is how Qt draws every font on macOS and at high DPI.
        font.setHintingPreference(QFont.PreferNoHinting)
    if point_size is not None:
        font.setPointSizeF(point_size)
    return font


def ink_extents(font: QFont, sample: str) -> tuple[float, float]:
    """(ascent, descent) in pixels needed to show ``sample`` in ``font`` unclipped: the font's
    nominal ascent/descent, grown to the ink of the shaped sample where that goes beyond them.
    Measured on the outlines (unhinted), so allow a pixel or so for hinting."""
    key = (font.toString() + "|" + ",".join(font.families()), sample)
    cached = _ink_cache.get(key)
    if cached is not None:
        return cached
    metrics = QFontMetricsF(font)
    ascent, descent = metrics.ascent(), metrics.descent()
    if sample:
        path = QPainterPath()
        path.addText(0.0, 0.0, font, sample)  # shaped outlines, baseline at y = 0
        ink = path.boundingRect()
        if not ink.isEmpty():
            ascent = max(ascent, -ink.top())
            descent = max(descent, ink.bottom())
    _ink_cache[key] = (ascent, descent)
    return ascent, descent


ROW_PADDING = 4  # px around the ink: 2 above, 2 below (hinting and anti-aliasing need ~1)


def line_height_for(font: QFont, sample: str, *, padding: int = ROW_PADDING) -> int:
    """Row height in pixels for one line of ``sample`` (e.g. ``SAMPLE_TEXT[script]``) in
    ``font``: measured ink or nominal line, whichever is taller, plus ``padding`` pixels
    (half above, half below). Draw the text at :func:`baseline_offset` below the row top."""
    ascent, descent = ink_extents(font, sample)
    return math.ceil(ascent) + math.ceil(descent) + padding


def baseline_offset(font: QFont, sample: str, *, padding: int = ROW_PADDING) -> int:
    """Distance in pixels from the top of a :func:`line_height_for` row to the baseline."""
    ascent, _descent = ink_extents(font, sample)
    return padding // 2 + math.ceil(ascent)
