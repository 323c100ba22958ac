"""gettext for Qalam's own strings.

    from i18n.translation import N_, _, ngettext

``_`` translates now; ``N_`` only marks a module-level constant for extraction, to be passed
through ``_`` when shown (Picard's convention). Until :func:`install` is called every
function returns the English source text.
"""

from __future__ import annotations

import gettext as _gettext
from pathlib import Path

_catalog: _gettext.NullTranslations = _gettext.NullTranslations()


def install(locale: str, localedir: Path, domain: str = "qalam") -> None:
    """Use the compiled catalog for ``locale`` (falls back to English when none exists)."""
    global _catalog
    _catalog = _gettext.translation(domain, localedir, languages=[locale], fallback=True)


def _(message: str) -> str:
    return _catalog.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _catalog.ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    return _catalog.pgettext(context, message)


def N_(message: str) -> str:
    return message
