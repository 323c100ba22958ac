"""The dashboard's web fonts: an ``@font-face`` for every bundled Noto font, with the
``unicode-range`` read from the font file itself, so a page fetches only the fonts its text
needs (an English page none, a Thai project's page the 37 KB Thai font and nothing else).

    css = font_css()                 # @font-face rules, the font stack, per-language stacks
    face = face_for_file("NotoSansThai-Regular.ttf")
    face.family, face.scripts        # ('Qalam Thai', ('Thai',))

Ranges are computed once per process (about a tenth of a second, with fontTools) from each
file's character map: the characters whose script is the font's own (Unicode's Script property)
plus the shared punctuation whose Script_Extensions name it (the danda of the Indic scripts,
the Arabic comma), never Latin, Greek or Cyrillic letters or combining marks shared with them,
which the computer's own font draws. A script font comes before the computer's font in the
stack (DejaVu Sans has Arabic, but not Urdu's ہ: a word must not be drawn half in each); Noto
Sans (Latin, Greek, Cyrillic) comes after it, for the letters the computer lacks. Where scripts
share characters (the danda), an element in a language of that script puts its own font first
(``:lang(bn)``), so a Bengali page never fetches the Devanagari font for its full stops. Urdu
and Punjabi *content* (``.text`` with ``lang``) is set in Nastaliq, as in the app; the
interface around it stays in Naskh, as the app's does.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from fontTools import unicodedata
from fontTools.ttLib import TTFont

import resources
from i18n import languages

FONT_DIR = resources.path("fonts")
LATIN = frozenset({"Latn", "Grek", "Cyrl"})  # what the computer's own font is trusted with
_NOT_A_SCRIPT = frozenset({"Zyyy", "Zinh", "Zzzz"})
_MIN_LETTERS = 10  # a script with fewer characters in a font is borrowed, not the font's own
# Arabic-script languages whose written style is Nastaliq (ui/fonts.py says the same for Qt).
NASTALIQ_LANGUAGES = ("ur", "pnb", "pa-Arab")
STACK = "--qalam-fonts"


@dataclass(frozen=True)
class Face:
    file: str                    # "NotoSansThai-Regular.ttf"
    local_name: str              # "Noto Sans Thai": the computer's own copy, when it has one
    family: str                  # "Qalam Thai": what the stylesheet calls it
    scripts: tuple[str, ...]     # ISO 15924 codes of its own letters
    codepoints: frozenset[int]   # what its unicode-range covers

    @property
    def nastaliq(self) -> bool:
        return "Nastaliq" in self.local_name

    @property
    def latin(self) -> bool:
        return bool(LATIN & set(self.scripts))

    @property
    def unicode_range(self) -> str:
        return ", ".join(f"U+{a:04X}" if a == b else f"U+{a:04X}-{b:04X}"
                         for a, b in _runs(sorted(self.codepoints)))


def _runs(points: list[int]) -> Iterable[tuple[int, int]]:
    start = previous = points[0]
    for point in points[1:]:
        if point != previous + 1:
            yield start, previous
            start = point
        previous = point
    yield start, previous


def _face(file: str) -> Face:
    font = TTFont(FONT_DIR / file, lazy=True)
    cmap = font.getBestCmap()
    name = font["name"].getDebugName(1)
    font.close()
    counts = Counter(unicodedata.script(chr(point)) for point in cmap)
    scripts = {s for s, n in counts.items() if s not in _NOT_A_SCRIPT and n >= _MIN_LETTERS}
    covered = set()
    for point in cmap:
        extensions = set(unicodedata.script_extension(chr(point)))
        if not extensions & scripts:
            continue
        if not scripts <= LATIN and extensions & LATIN:
            continue  # a combining mark or apostrophe Latin shares: the computer's font has it
        if point < 0x80:
            continue
        covered.add(point)
    short = name.removeprefix("Noto ").removeprefix("Sans ").removeprefix("Serif ")
    family = "Qalam Latin" if scripts & LATIN else f"Qalam {short}"
    return Face(file, name, family, tuple(sorted(scripts)), frozenset(covered))


@functools.cache
def faces() -> tuple[Face, ...]:
    """Every bundled font, in file-name order."""
    return tuple(_face(path.name) for path in sorted(FONT_DIR.glob("*.ttf")))


def face_for_file(file: str) -> Face | None:
    return next((face for face in faces() if face.file == file), None)


def _stack() -> str:
    """Script fonts before the computer's font; Noto Sans after it; Nastaliq only by language."""
    scripts = [f'"{f.family}"' for f in faces() if not f.latin and not f.nastaliq]
    latin = [f'"{f.family}"' for f in faces() if f.latin]
    return ", ".join([*scripts, "system-ui", "sans-serif", *latin])


def _language_tags(scripts: tuple[str, ...]) -> list[str]:
    """The tags ``:lang()`` should match for text in ``scripts``: each language's BCP 47 tag,
    and its bare language subtag where that is the language's usual script ("bn", "ur")."""
    tags = set()
    for language in languages.all_languages():
        if language.script not in scripts:
            continue
        tag = language.bcp47
        tags.add(tag)
        bare = tag.split("-")[0]
        try:
            if languages.resolve(bare).code == language.code:
                tags.add(bare)
        except languages.UnknownLanguage:
            pass
    return sorted(tags)


def _rule(selectors: Iterable[str], declarations: str) -> str:
    return f"{', '.join(selectors)} {{ {declarations} }}"


@functools.cache
def font_css() -> str:
    """The stylesheet's font part: faces, the stack, per-language and Nastaliq stacks."""
    lines = ["/* Generated from resources/fonts/ by sync/server/web/fonts.py. */"]
    for face in faces():
        lines.append(
            f'@font-face {{ font-family: "{face.family}"; font-display: swap; '
            f'src: local("{face.local_name}"), url(../fonts/{face.file}) format("truetype"); '
            f"unicode-range: {face.unicode_range}; }}")
    lines.append(f":root {{ {STACK}: {_stack()}; }}")
    # Bare tags first ("pa": Gurmukhi), then tags with a script ("pa-Arab"), which win.
    scripted = [face for face in faces() if not face.latin and not face.nastaliq]
    tags = {face: _language_tags(face.scripts) for face in scripted}
    for with_script in (False, True):
        for face in scripted:
            bare = {tag for tag in tags[face] if "-" not in tag}
            chosen = [tag for tag in tags[face] if ("-" in tag) == with_script
                      and (not with_script or tag.split("-")[0] not in bare)]
            if chosen:
                lines.append(_rule((f":lang({tag})" for tag in chosen),
                                   f'font-family: "{face.family}", var({STACK});'))
    nastaliq = next((face for face in faces() if face.nastaliq), None)
    if nastaliq is not None:
        lines.append(_rule((f".text:lang({tag})" for tag in NASTALIQ_LANGUAGES),
                           f'font-family: "{nastaliq.family}", var({STACK}); '
                           "line-height: 2.3;"))
    return "\n".join(lines) + "\n"
