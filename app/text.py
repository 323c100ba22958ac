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
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from app.errors import TextRejected

MAX_FIELD_CHARS = 262_144

FIELD_NAMES = {"inputs": "prompt", "targets": "completion", "dialect": "dialect"}

_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
_SURROGATE = re.compile("[\ud800-\udfff]")


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
    text = unicodedata.normalize("NFC", text)
    controls = sorted({f"U+{ord(c):04X}" for c in _BIDI_CONTROLS.findall(text)})
    warnings = ()
    if controls:
        warnings = (TextWarning("bidi_control", field, " ".join(controls)),)
    return CleanText(text, warnings)


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
