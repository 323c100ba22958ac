"""Typing Ethiopic, Yoruba tone marks, the Indic scripts and Urdu from a plain Latin keyboard.

A :class:`Transliterator` turns one typed key into an edit of the text before the cursor, so an
editor can apply it as keys arrive::

    >>> amharic = schemes()["amh_Ethi"]
    >>> amharic.feed("", "s"), amharic.feed("ስ", "e")
    ((0, 'ስ'), (1, 'ሰ'))
    >>> transliterate(schemes()["amh_Ethi"], "selam ityoPya")
    'ሰላም ኢትዮጵያ'
    >>> transliterate(schemes()["yor_Latn"], "Yoru`ba' e.`ko.'") == "Yorùbá ẹ̀kọ́"
    True

``feed(buffer_before_cursor, typed)`` returns ``(n, text)``: replace the last ``n`` characters
before the cursor with ``text``. A key a scheme does not handle comes back as ``(0, typed)``.
The decision rests on the text before the cursor, like a Keyman keyboard's context, plus a
little memory of the previous key (a syllable closed with ``'``, a pending ``\\``), which is
forgotten as soon as the text before the cursor is not what the last ``feed`` left there.

Every scheme: ``\\`` then a key types that key literally (the backslash shows until then);
``\\\\`` types a backslash.

**Ethiopic** (``amh_Ethi``, ``tir_Ethi``), SERA-style: a consonant key types the 6th order
(``k`` → ክ) and a following vowel picks the order: ``e`` ከ, ``u`` ኩ, ``i`` ኪ, ``a`` ካ,
``E`` ኬ, ``o`` ኮ; ``I`` (SERA's explicit 6th order) or ``'`` closes the syllable so the next
key starts a new one (``sIh`` ስህ, ``s'a`` ስአ). ``W`` labialises: ``lWa`` ሏ, ``kWa`` ኳ,
``kWe`` ኰ, ``kWi`` ኲ, ``kWE`` ኴ, ``kW`` ኵ. Ejectives: ``q`` ቅ, ``T`` ጥ, ``C`` ጭ, ``P`` ጵ,
``S`` or ``Ts`` ጽ; ``K`` is ኽ. Two keys in a row: ``sh`` ሽ, ``ch`` ች, ``ny`` ኝ, ``zh`` ዥ
(SERA's ``x``, ``c``, ``N``, ``Z`` too). A vowel on its own is the glottal series: ``a``/``e``
አ, ``u`` ኡ, ``i`` ኢ, ``A`` ኣ, ``E`` ኤ, ``I`` እ, ``o`` ኦ, ``ea`` ኧ. A backtick after a letter
switches it to its historical twin, keeping the order: ሀ↔ኀ, ሰ↔ሠ, ጸ↔ፀ, አ↔ዐ (``A`` then a
backtick: ዓ).
Punctuation: ``:`` ፡, ``::`` ።, ``,`` ፣ (also ``:-``), ``;`` ፤, ``<<`` «, ``>>`` »; after a
digit ``:`` ``,`` ``;`` stay ASCII (10:30, 1,000). Digits stay ASCII. The table is computed from
the Ethiopic block's layout: each consonant row is 8 code points, orders 1–7 at offsets 0–6
and the ``-wa`` form at 7; q, qh, x (ኀ), k, kx (ኸ) and g have a separate labialised row.

**Yoruba** (``yor_Latn``), postfix marks on the letter before the cursor: ``.`` under e, o, s
(ẹ ọ ṣ); ``'`` high tone (á), a backtick low tone (à), ``_`` mid tone (ā, rarely written). Tone
keys work on vowels, ẹ ọ, and syllabic n, m (ń ǹ ḿ); a second press of the same tone key
removes the mark and types the key itself (``n''`` → n'). ``.`` after ẹ ọ ṣ is a full stop;
after a plain e, o or s type ``\\.``. Results are NFC: ẹ́ is ẹ + U+0301, there being no
precomposed form.

**Indic scripts and Urdu** (:class:`Composing`), ITRANS as the ``indic-transliteration``
library (sanscript) reads it -- its tables, not ours: Devanagari (Hindi, Marathi, Nepali…),
Bengali, Assamese, Gurmukhi, Gujarati, Oriya, and for Tamil, Telugu, Kannada and Malayalam
ITRANS's Dravidian variant (``e``/``E``, ``o``/``O`` short and long). Latin letters typed in a
row make one word that the library converts whole at every key, so a key may change the last
few letters already shown (``k`` क्, ``ka`` क, ``kSh`` क्ष्): ``feed`` replaces the word's
previous output. Backspace inside the word takes back the last key (:meth:`backspace`); a space,
a digit or punctuation ends the word. A word's last consonant keeps its virama until a vowel
follows (``kamala`` कमल, ``kamal`` कमल्), as in ITRANS; ``.`` is the danda (।) in Indic
scripts. Urdu comes from the library's Urdu table with the short vowels dropped, as Urdu is
written (``pAkistAna`` پاکستان); ``.`` is ۔, ``?`` ؟ and ``,`` ،. Letters with no Devanagari
counterpart (ع ح ص ض ط ظ ث ذ ژ) have no keys in this scheme. Gurmukhi drops the virama
except before ਰ ਹ ਵ, where Punjabi writes a subjoined letter (``namaste`` ਨਮਸਤੇ, ``prema``
ਪ੍ਰੇਮ). The library is imported on first use (about 0.1 s), not at start-up; :func:`warm_up`
does it ahead of the first key.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

__all__ = [
    "Composing",
    "Ethiopic",
    "Transliterator",
    "Yoruba",
    "apply_mark",
    "ethiopic_forms",
    "has_wa",
    "last_cluster",
    "scheme_for",
    "schemes",
    "transliterate",
]

ESCAPE = "\\"
_TAIL = 8  # characters of context remembered to recognise "the text the last key left"


@dataclass(frozen=True)
class _Memory:
    tail: str  # the end of the text before the cursor right after the last feed
    mark: str  # what that key left pending: "escape", "sealed", "wa", "e", ":" or "c:<key>"


class Transliterator:
    """A keyboard scheme: ``feed()`` one key at a time; ``reset()`` when the cursor moves."""

    code = ""  # the registry language code this scheme was made for
    scheme_name = ""  # the convention its keys follow ("SERA", "ITRANS"), for the indicator

    def __init__(self) -> None:
        self._memory: _Memory | None = None

    def reset(self) -> None:
        """Forget the pending state of the previous key (a new field, a click elsewhere)."""
        self._memory = None

    def feed(self, buffer_before_cursor: str, typed: str) -> tuple[int, str]:
        """``(n, text)``: replace the last ``n`` characters before the cursor with ``text``."""
        if len(typed) != 1:  # an input method's commit, a paste: key by key
            buffer, start = buffer_before_cursor, len(buffer_before_cursor)
            for char in typed:
                n, text = self.feed(buffer, char)
                buffer = buffer[: len(buffer) - n] + text
                start = min(start, len(buffer) - len(text))
            return len(buffer_before_cursor) - start, buffer[start:]
        buffer = buffer_before_cursor
        memory, self._memory = self._memory, None
        mark = memory.mark if memory and buffer[-_TAIL:] == memory.tail else ""
        if mark == "escape" and buffer.endswith(ESCAPE):
            return 1, typed
        if typed == ESCAPE:
            return self._keep(buffer, 0, ESCAPE, "escape")
        step = self._convert(buffer, typed, mark)
        if step is None:
            return 0, typed
        n, text, new_mark = step
        return self._keep(buffer, n, text, new_mark)

    def backspace(self, buffer_before_cursor: str) -> tuple[int, str] | None:
        """``(n, text)`` for Backspace right after this scheme's last key, or None to let
        the field delete a character as usual."""
        memory, self._memory = self._memory, None
        if memory is None or buffer_before_cursor[-_TAIL:] != memory.tail:
            return None
        step = self._back(buffer_before_cursor, memory.mark)
        if step is None:
            return None
        n, text, new_mark = step
        return self._keep(buffer_before_cursor, n, text, new_mark)

    def _back(self, buffer: str, mark: str) -> tuple[int, str, str] | None:
        return None

    def _keep(self, buffer: str, n: int, text: str, mark: str) -> tuple[int, str]:
        if mark:
            self._memory = _Memory((buffer[: len(buffer) - n] + text)[-_TAIL:], mark)
        return n, text

    def _convert(self, buffer: str, key: str, mark: str) -> tuple[int, str, str] | None:
        """``(n, text, mark)`` for a key this scheme handles, None to type it as it is."""
        raise NotImplementedError

    def keys_for(self, text: str) -> str | None:
        """The keys that type ``text`` (for tooltips), or None if this scheme cannot."""
        raise NotImplementedError


def transliterate(scheme: Transliterator, keys: str) -> str:
    """What typing ``keys`` one by one into an empty field gives."""
    scheme.reset()
    text = ""
    for key in keys:
        n, out = scheme.feed(text, key)
        text = text[: len(text) - n] + out
    return text


# --------------------------------------------------------------------------- Ethiopic

#: Vowel key -> order offset within a consonant row (0 = 1st order ä ... 6 = 7th order o).
ORDERS = {"e": 0, "u": 1, "U": 1, "i": 2, "a": 3, "A": 3, "E": 4, "I": 5, "o": 6, "O": 6}
#: Vowel key -> offset in a labialised row (qWe ቈ, qWi ቊ, qWa ቋ, qWE ቌ, qW/qWu ቍ).
LABIAL_ORDERS = {"e": 0, "i": 2, "a": 3, "A": 3, "E": 4, "u": 5, "U": 5}
#: A vowel on its own: the glottal (አ) row, SERA's choice of keys.
INDEPENDENT = {"a": 0, "e": 0, "u": 1, "U": 1, "i": 2, "A": 3, "E": 4, "I": 5, "o": 6, "O": 6}
GLOTTAL = 0x12A0  # አ
PHARYNGEAL = 0x12D0  # ዐ
GLOTTAL_WA = "\u12a7"  # ኧ, typed "ea"

#: Consonant key -> first code point of its row (SERA letters, plus case-insensitive extras).
CONSONANTS = {
    "h": 0x1200, "l": 0x1208, "H": 0x1210, "m": 0x1218, "r": 0x1228, "s": 0x1230,
    "x": 0x1238, "q": 0x1240, "Q": 0x1250, "b": 0x1260, "v": 0x1268, "t": 0x1270,
    "c": 0x1278, "n": 0x1290, "N": 0x1298, "k": 0x12A8, "K": 0x12B8, "w": 0x12C8,
    "z": 0x12D8, "Z": 0x12E0, "y": 0x12E8, "d": 0x12F0, "D": 0x12F8, "j": 0x1300,
    "g": 0x1308, "G": 0x1318, "T": 0x1320, "C": 0x1328, "P": 0x1330, "S": 0x1338,
    "f": 0x1348, "p": 0x1350,
}
# Capitals that SERA gives no letter of their own type the lower-case letter.
CONSONANTS.update({k.upper(): CONSONANTS[k] for k in "bfjlmrvwxy"})
#: Two keys for one consonant (typed in a row): sh ሽ, ch ች, Ch ጭ, ny ኝ, zh ዥ, Ts ጽ.
DIGRAPHS = {
    ("s", "h"): 0x1238, ("c", "h"): 0x1278, ("C", "h"): 0x1328, ("n", "y"): 0x1298,
    ("z", "h"): 0x12E0, ("T", "s"): 0x1338,
}
#: Rows with a full labialised row of their own (8 code points further on).
LABIAL_ROWS = {base: base + 8 for base in (0x1240, 0x1250, 0x1280, 0x12A8, 0x12B8, 0x1308)}
#: Historical twins (same sound in Amharic, kept apart in spelling), toggled with a backtick.
TWINS = {0x1200: 0x1280, 0x1230: 0x1220, 0x1338: 0x1340, GLOTTAL: PHARYNGEAL}
TWINS.update({b: a for a, b in TWINS.items()})
PUNCTUATION = {",": "\u1363", ";": "\u1364", ":": "\u1361"}  # ፣ ፤ ፡
FULL_STOP, WORDSPACE, COMMA = "\u1362", "\u1361", "\u1363"  # ። ፡ ፣
QUOTES = {"<": "«", ">": "»"}


def has_wa(base: int) -> bool:
    """Whether the row starting at ``base`` has a -wa form at offset 7 (ሏ, not ሇ)."""
    name = unicodedata.name(chr(base + 7), "")
    return name.endswith("WA") and "GLOTTAL" not in name


#: Every row this scheme types (consonants, twins, vowels) -> its first code point.
ROWS = sorted(set(CONSONANTS.values()) | set(TWINS) | set(DIGRAPHS.values()))
#: Character -> (row, order); order 7 is the -wa form.
_PLAIN: dict[str, tuple[int, int]] = {
    chr(row + order): (row, order)
    for row in ROWS
    for order in range(8 if has_wa(row) else 7)
}
#: Labialised character -> (row of the plain consonant, offset in its labialised row).
_LABIAL = {
    chr(lab + off): (row, off) for row, lab in LABIAL_ROWS.items() for off in (0, 2, 3, 4, 5)
}


def ethiopic_forms(row: int) -> list[str]:
    """The syllables of the row starting at ``row``: orders 1–7, then its -wa or labialised
    forms (ኧ for the glottal row)::

        >>> "".join(ethiopic_forms(0x12A8))
        'ከኩኪካኬክኮኰኲኳኴኵ'
    """
    forms = [chr(row + order) for order in range(7)]
    if row == GLOTTAL:
        forms.append(GLOTTAL_WA)
    elif row in LABIAL_ROWS:
        forms += [chr(LABIAL_ROWS[row] + off) for off in (0, 2, 3, 4, 5)]
    elif has_wa(row):
        forms.append(chr(row + 7))
    return forms


class Ethiopic(Transliterator):
    """Latin keys to Ethiopic syllables (Amharic, Tigrinya); see the module docstring."""

    scheme_name = "SERA"

    def __init__(self, code: str = "amh_Ethi") -> None:
        super().__init__()
        self.code = code

    def _convert(self, buffer: str, key: str, mark: str) -> tuple[int, str, str] | None:
        prev = buffer[-1:]
        plain = _PLAIN.get(prev)
        # A consonant still open to a vowel: 6th order, not closed by I or '.
        open_row = (plain[0] if plain and plain[1] == 5 and plain[0] not in (GLOTTAL, PHARYNGEAL)
                    and mark != "sealed" else None)
        open_labial = _LABIAL.get(prev) if mark != "sealed" else None
        if open_labial and open_labial[1] != 5:
            open_labial = None
        if key in ORDERS:
            if mark == "wa" and key in "aA":
                return 0, "", ""  # lWa: the W already typed ሏ
            if mark == "e" and key == "a":
                return 1, GLOTTAL_WA, ""
            if (open_row is not None or open_labial) and key == "I":
                return 0, "", "sealed"
            if open_row is not None:
                return 1, chr(open_row + ORDERS[key]), ""
            if open_labial and key in LABIAL_ORDERS:
                return 1, chr(LABIAL_ROWS[open_labial[0]] + LABIAL_ORDERS[key]), ""
            return 0, chr(GLOTTAL + INDEPENDENT[key]), "e" if key == "e" else ""
        if key == "W" and open_row is not None:
            if open_row in LABIAL_ROWS:
                return 1, chr(LABIAL_ROWS[open_row] + 5), ""
            if has_wa(open_row):
                return 1, chr(open_row + 7), "wa"
        if mark.startswith("c:") and open_row is not None:
            twin = DIGRAPHS.get((mark[2:], key))
            if twin is not None:
                return 1, chr(twin + 5), ""
        if key in CONSONANTS:
            return 0, chr(CONSONANTS[key] + 5), f"c:{key}"
        if key == "`" and plain and plain[0] in TWINS and plain[1] < 7:
            return 1, chr(TWINS[plain[0]] + plain[1]), ""
        if key == "'":
            return (0, "", "sealed") if open_row is not None or open_labial else None
        if key == ":" and prev == WORDSPACE and mark == ":":
            return 1, FULL_STOP, ""
        if key == "-" and prev == WORDSPACE and mark == ":":
            return 1, COMMA, ""
        if key in PUNCTUATION:
            if prev.isascii() and prev.isdigit():
                return None
            return 0, PUNCTUATION[key], ":" if key == ":" else ""
        if key in QUOTES and prev == key:
            return 1, QUOTES[key], ""
        return None

    def keys_for(self, text: str) -> str | None:
        out = []
        for char in text:
            keys = _ETHIOPIC_KEYS.get(char)
            if keys is None:
                return None
            out.append(keys)
        return "".join(out)


def _ethiopic_keys() -> dict[str, str]:
    """Character -> the shortest keys that type it on its own (for tooltips)."""
    keys: dict[str, str] = {}
    orders = {0: "e", 1: "u", 2: "i", 3: "a", 4: "E", 5: "", 6: "o"}
    spellings = {base: key for key, base in reversed(list(CONSONANTS.items()))}
    for (first, second), base in DIGRAPHS.items():
        spellings.setdefault(base, first + second)
    for base, key in spellings.items():
        for order, vowel in orders.items():
            keys[chr(base + order)] = key + vowel
        if has_wa(base) and base not in LABIAL_ROWS:
            keys[chr(base + 7)] = key + "Wa"
        if base in LABIAL_ROWS:
            for vowel, off in (("e", 0), ("i", 2), ("a", 3), ("E", 4), ("", 5)):
                keys[chr(LABIAL_ROWS[base] + off)] = key + "W" + vowel
    for vowel, order in reversed(list(INDEPENDENT.items())):
        keys[chr(GLOTTAL + order)] = vowel
    keys[GLOTTAL_WA] = "ea"
    for base, twin in TWINS.items():
        for order in range(7):
            if chr(twin + order) not in keys and chr(base + order) in keys:
                keys[chr(twin + order)] = keys[chr(base + order)] + "`"
    keys.update({FULL_STOP: "::", WORDSPACE: ":", COMMA: ",", "\u1364": ";"})
    keys.update({"«": "<<", "»": ">>"})
    return keys


_ETHIOPIC_KEYS = _ethiopic_keys()


# --------------------------------------------------------------------------- Yoruba

DOT_BELOW = "\u0323"
ACUTE, GRAVE, MACRON = "\u0301", "\u0300", "\u0304"
TONE_KEYS = {"'": ACUTE, "`": GRAVE, "_": MACRON}
TONES = frozenset(TONE_KEYS.values())
DOTTABLE = frozenset("eosEOS")
TONE_BEARERS = frozenset("aeiouAEIOUnmNM")


def last_cluster(buffer: str) -> str:
    """The last base character before the cursor with the combining marks after it."""
    start = len(buffer)
    while start > 0 and unicodedata.combining(buffer[start - 1]):
        start -= 1
    return buffer[max(start - 1, 0):]


def apply_mark(cluster: str, mark: str) -> str | None:
    """``cluster`` (one letter and its marks) with ``mark`` added, NFC; a tone mark replaces
    another tone. None if Yoruba puts no such mark on that letter.

        >>> apply_mark("ẹ", ACUTE) == "ẹ\u0301", apply_mark("é", GRAVE), apply_mark("k", ACUTE)
        (True, 'è', None)
    """
    if not cluster:
        return None
    decomposed = unicodedata.normalize("NFD", cluster)
    base, marks = decomposed[0], decomposed[1:]
    if mark == DOT_BELOW:
        if base not in DOTTABLE or DOT_BELOW in marks:
            return None
    elif mark in TONES:
        if base not in TONE_BEARERS:
            return None
        marks = "".join(m for m in marks if m not in TONES)
    return unicodedata.normalize("NFC", base + marks + mark)


class Yoruba(Transliterator):
    """Postfix keys for ẹ ọ ṣ and tone marks; see the module docstring."""

    code = "yor_Latn"
    scheme_name = "Yoruba"

    def _convert(self, buffer: str, key: str, mark: str) -> tuple[int, str, str] | None:
        cluster = last_cluster(buffer)
        if key == ".":
            result = apply_mark(cluster, DOT_BELOW)
            return None if result is None else (len(cluster), result, "")
        tone = TONE_KEYS.get(key)
        if tone is None or not cluster:
            return None
        decomposed = unicodedata.normalize("NFD", cluster)
        if tone in decomposed[1:]:  # the same key again: the mark off, the key itself on
            bare = unicodedata.normalize("NFC", decomposed.replace(tone, ""))
            return len(cluster), bare + key, ""
        result = apply_mark(cluster, tone)
        return None if result is None else (len(cluster), result, "")

    def keys_for(self, text: str) -> str | None:
        keys = []
        for char in unicodedata.normalize("NFD", text):
            if char == DOT_BELOW:
                keys.append(".")
            elif char in TONES:
                keys.append(next(k for k, v in TONE_KEYS.items() if v == char))
            elif char.isascii():
                keys.append(char)
            else:
                return None
        return "".join(keys)


# --------------------------------------------------------------------------- Indic and Urdu

#: Keys that continue (or start) an ITRANS word: letters and ITRANS's own marks.
ITRANS_KEYS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.~^|")
DANDA, DOUBLE_DANDA = "\u0964", "\u0965"
URDU_SHORT_VOWELS = dict.fromkeys(map(ord, "\u064e\u064f\u0650\u0652"))  # zabar zer pesh jazm
GURMUKHI_VIRAMA = "\u0a4d"
GURMUKHI_SUBJOINED = "\u0a30\u0a39\u0a35"  # ਰ ਹ ਵ: written below the consonant before


@dataclass(frozen=True)
class _Target:
    script: str  # the library's scheme name ("devanagari")
    source: str = "itrans"  # "itrans_dravidian" for the Dravidian scripts
    full_stop: str = DANDA
    punctuation: tuple[tuple[str, str], ...] = ()


_DRAVIDIAN = {"source": "itrans_dravidian", "full_stop": "."}
#: ISO 15924 script -> the library's scheme for it (Assamese and Urdu by language, below).
SCRIPT_TARGETS = {
    "Deva": _Target("devanagari"), "Beng": _Target("bengali"), "Guru": _Target("gurmukhi"),
    "Gujr": _Target("gujarati"), "Orya": _Target("oriya"),
    "Taml": _Target("tamil", **_DRAVIDIAN), "Telu": _Target("telugu", **_DRAVIDIAN),
    "Knda": _Target("kannada", **_DRAVIDIAN), "Mlym": _Target("malayalam", **_DRAVIDIAN),
}
LANGUAGE_TARGETS = {
    "asm_Beng": _Target("assamese"),
    "urd_Arab": _Target("urdu", full_stop="\u06d4",
                        punctuation=(("?", "\u061f"), (",", "\u060c"), (";", "\u061b"))),
}


def _sanscript():
    from indic_transliteration import sanscript  # 0.1 s: imported when first needed

    return sanscript


def warm_up() -> None:
    """Load the library and convert a word (~0.1 s), so that the first key typed does not
    wait for it: call it off the UI thread when a language with such a scheme is chosen."""
    _sanscript().transliterate("ka", "itrans", "devanagari")


class Composing(Transliterator):
    """ITRANS words converted whole by the ``indic-transliteration`` library; see the module
    docstring. ``convert("namaste")`` is what typing those keys as one word gives."""

    scheme_name = "ITRANS"

    def __init__(self, code: str, target: _Target) -> None:
        super().__init__()
        self.code = code
        self.target = target

    def convert(self, keys: str) -> str:
        """The library's text for ``keys`` typed as one word."""
        if not keys:
            return ""
        text = _sanscript().transliterate(keys, self.target.source, self.target.script)
        text = text.replace(DOUBLE_DANDA, self.target.full_stop * 2 if self.target.full_stop
                            != DANDA else DOUBLE_DANDA)
        text = text.replace(DANDA, self.target.full_stop)
        if self.target.script == "urdu":
            text = text.translate(URDU_SHORT_VOWELS)
        elif self.target.script == "gurmukhi":
            text = "".join(
                char for at, char in enumerate(text)
                if char != GURMUKHI_VIRAMA or text[at + 1: at + 2] in tuple(GURMUKHI_SUBJOINED))
        return unicodedata.normalize("NFC", text)

    def _word(self, buffer: str, mark: str) -> str:
        """The keys of the word being typed, if the text before the cursor still ends with
        what they gave."""
        keys = mark[2:] if mark.startswith("w:") else ""
        return keys if keys and buffer.endswith(self.convert(keys)) else ""

    def _convert(self, buffer: str, key: str, mark: str) -> tuple[int, str, str] | None:
        keys = self._word(buffer, mark)
        if key not in ITRANS_KEYS:
            punctuation = dict(self.target.punctuation).get(key)
            return None if punctuation is None else (0, punctuation, "")
        prev = buffer[-1:]
        if key == "." and not keys and prev.isascii() and prev.isdigit():
            return None  # 3.5 stays a number
        return len(self.convert(keys)), self.convert(keys + key), "w:" + keys + key

    def _back(self, buffer: str, mark: str) -> tuple[int, str, str] | None:
        keys = self._word(buffer, mark)
        if not keys:
            return None
        return len(self.convert(keys)), self.convert(keys[:-1]), "w:" + keys[:-1]

    def keys_for(self, text: str) -> str | None:
        """ITRANS keys that type ``text`` (the library read backwards), None if that does
        not type ``text`` again."""
        keys = _sanscript().transliterate(text, self.target.script, self.target.source)
        return keys if self.convert(keys) == unicodedata.normalize("NFC", text) else None

    def letters(self) -> list[tuple[str, str]]:
        """``(letter, keys)`` for the script's vowels and consonants, in the library's order
        (the on-screen keyboard and the cheat sheet show them)."""
        table = _sanscript().SCHEMES[self.target.source]
        found: dict[str, str] = {}  # letter -> the shortest keys for it
        for group in ("vowels", "consonants", "extra_consonants"):
            for keys in table.get(group, {}).values():
                keys = keys + ("a" if group != "vowels" else "")
                if not set(keys) <= ITRANS_KEYS:  # è, ò: keys no Latin keyboard has
                    continue
                letter = self.convert(keys)
                if not letter or any(char.isascii() for char in letter):
                    continue
                if letter not in found or _simpler(keys, found[letter]):
                    found[letter] = keys
        out = list(found.items())
        return out


def _simpler(keys: str, than: str) -> bool:
    """Fewer keys, or as many without Shift ("na" rather than "Na" for Urdu's ن)."""
    return (len(keys), keys != keys.lower()) < (len(than), than != than.lower())


def _composing_target(code: str) -> _Target | None:
    if code in LANGUAGE_TARGETS:
        return LANGUAGE_TARGETS[code]
    script = code.rpartition("_")[2]
    return SCRIPT_TARGETS.get(script)


# --------------------------------------------------------------------------- registry

def _composing_codes() -> list[str]:
    from i18n import languages

    return [lang.code for lang in languages.all_languages()
            if _composing_target(lang.code) is not None]


def schemes() -> dict[str, Transliterator]:
    """A fresh scheme for each language code that has one (each keeps its own key state)."""
    found: dict[str, Transliterator] = {
        "amh_Ethi": Ethiopic("amh_Ethi"), "tir_Ethi": Ethiopic("tir_Ethi"), "yor_Latn": Yoruba()}
    for code in _COMPOSING_CODES:
        found[code] = Composing(code, _composing_target(code))
    return found


_COMPOSING_CODES = tuple(_composing_codes())


SCHEME_CODES = frozenset(schemes())


def scheme_for(code: str | None) -> Transliterator | None:
    """A fresh scheme for ``code`` ("amh_Ethi"), or None if it has none."""
    return schemes().get(code) if code in SCHEME_CODES else None
