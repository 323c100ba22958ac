"""Text hygiene: the one place text is checked and normalized before it is stored.

    >>> clean_field("targets", "cafe\u0301")          # NFC
    CleanText(text='café', warnings=())

Rules (DESIGN.md, invariant 7):

* Unicode NFC on save. ZWJ/ZWNJ (U+200D/U+200C) are kept: they change shaping in Persian
  and Indic scripts, and NFC leaves them alone.
* NUL and lone surrogates are rejected with :class:`~app.errors.TextRejected` naming the
  field and position: SQLite, JSON and most exporters cannot carry them faithfully.
* Bidi override/embedding/isolate controls (U+202A–U+202E, U+2066–U+2069) are kept but
  reported as a warning: they can make text display differently from what it contains.
* A field longer than :data:`MAX_FIELD_CHARS` is rejected: one record must fit in one sync
  batch, and no real prompt or completion comes close.
* Invisible text is not text: :func:`require_visible` refuses a field with no visible
  character (only whitespace, zero-width characters, bidi controls, other default-ignorable
  or format characters). Drafts may hold anything while a person types; the store applies it
  at submit, task files to every non-empty text field, the server to submitted records.

    >>> has_visible_text("\u200b\u200d \u2067"), has_visible_text("می\u200cخواهم")
    (False, True)
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

from app.errors import TextRejected
from i18n.translation import N_, _

MAX_FIELD_CHARS = 262_144

FIELD_NAMES = {"inputs": "prompt", "targets": "completion", "dialect": "dialect"}

_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
_SURROGATE = re.compile("[\ud800-\udfff]")
# Characters that draw nothing by themselves, by Unicode property (the `regex` module carries
# the Unicode database): whitespace; default-ignorable code points (ZWSP, ZWJ/ZWNJ, word
# joiner, BOM, variation selectors, Hangul fillers, tag characters…); format characters
# (bidi controls, soft hyphen, Arabic letter mark…); and C0/C1 controls.
_INVISIBLE_CLASS = r"\p{White_Space}\p{Default_Ignorable_Code_Point}\p{Cf}\p{Cc}"
# How a field with nothing visible is refused: whole sentences, so translators see each one.
_NO_VISIBLE_TEXT = {
    "inputs": N_("The prompt has no visible character, only spaces or invisible characters "
                 "({characters}). Write the prompt in letters you can see."),
    "targets": N_("The completion has no visible character, only spaces or invisible "
                  "characters ({characters}). Write the completion in letters you can see."),
    None: N_("The field “{field}” has no visible character, only spaces or invisible "
             "characters ({characters}). Write it in letters you can see, or leave it empty."),
}
_EMPTY = {
    "inputs": N_("The prompt is empty. Write the prompt in letters you can see."),
    "targets": N_("The completion is empty. Write the completion in letters you can see."),
    None: N_("The field “{field}” is empty."),
}


@dataclass(frozen=True)
class TextWarning:
    """Something worth showing about stored text. ``code`` is stable; the UI words it."""

    code: str
    field: str
    detail: str

    def as_dict(self) -> dict:
        return {"code": self.code, "field": self.field, "detail": self.detail}


@dataclass(frozen=True)
class CleanText:
    text: str
    warnings: tuple[TextWarning, ...] = ()


def field_label(field: str) -> str:
    return FIELD_NAMES.get(field, field)


def clean_field(field: str, text: str) -> CleanText:
    """Check and normalize one field. Raises TextRejected; returns text plus warnings."""
    check_field(field, text)
    text = unicodedata.normalize("NFC", text)
    controls = sorted({f"U+{ord(c):04X}" for c in _BIDI_CONTROLS.findall(text)})
    warnings = ()
    if controls:
        warnings = (TextWarning("bidi_control", field, " ".join(controls)),)
    return CleanText(text, warnings)


def check_field(field: str, text: str) -> None:
    """The checks of :func:`clean_field` that refuse text, without normalizing it: what the
    server needs of a pushed record, whose text it keeps exactly as sent."""
    if not isinstance(text, str):
        raise TextRejected(field, f"The {field_label(field)} must be text.")
    label = field_label(field)
    nul = text.find("\x00")
    if nul >= 0:
        raise TextRejected(
            field,
            f"The {label} contains a NUL character (position {nul + 1}); remove it and try again.",
            nul,
        )
    surrogate = _SURROGATE.search(text)
    if surrogate:
        raise TextRejected(
            field,
            f"The {label} contains a broken character (a lone UTF-16 surrogate, "
            f"U+{ord(surrogate.group()):04X}, at position {surrogate.start() + 1}).",
            surrogate.start(),
        )
    if len(text) > MAX_FIELD_CHARS:
        raise TextRejected(
            field,
            f"The {label} is too long: {len(text):,} characters; the limit is "
            f"{MAX_FIELD_CHARS:,}.",
        )


@functools.cache
def _visible():
    import regex  # ~25 ms to import: paid at the first submit or import, not at start-up

    return regex.compile(f"[^{_INVISIBLE_CLASS}]", regex.V1)


def has_visible_text(text: str) -> bool:
    """True when ``text`` holds at least one character that draws something. ZWJ/ZWNJ inside
    real Persian or Indic text are fine: the letters around them are visible."""
    return _visible().search(text) is not None


def require_visible(field: str, text: str) -> None:
    """Raise :class:`TextRejected` naming ``field`` when ``text`` has no visible character
    (empty text included). The message lists the invisible characters found, as code points,
    so a person can tell a zero-width space from a stray space."""
    if has_visible_text(text):
        return
    found = list(dict.fromkeys(text))
    characters = ", ".join(f"U+{ord(c):04X}" for c in found[:5]) + (", …" if found[5:] else "")
    templates = _EMPTY if not text else _NO_VISIBLE_TEXT
    message = _(templates.get(field, templates[None])).format(field=field, characters=characters)
    raise TextRejected(field, message)


def clean_fields(**fields: str | None) -> tuple[dict[str, str | None], list[TextWarning]]:
    """Clean several fields at once; ``None`` passes through untouched."""
    cleaned: dict[str, str | None] = {}
    warnings: list[TextWarning] = []
    for name, value in fields.items():
        if value is None:
            cleaned[name] = None
            continue
        result = clean_field(name, value)
        cleaned[name] = result.text
        warnings.extend(result.warnings)
    return cleaned, warnings
