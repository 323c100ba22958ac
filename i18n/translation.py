"""gettext for Qalam's own strings.

    from i18n.translation import N_, _, ngettext

``_`` translates now; ``N_`` only marks a module-level constant for extraction, to be passed
through ``_`` when shown (Picard's convention); ``NP_`` does the same for a string with a
context (``pgettext`` when shown). Until :func:`install` is called every function returns the
English source text.

    >>> install("fr")                       # compiled catalog from i18n/locales (see catalogs)
    >>> current_locale()
    'fr'
    >>> lookup("QPlatformTheme", "Cancel")  # None when the catalog has no translation
    'Annuler'
"""

from __future__ import annotations

import gettext as _gettext
from pathlib import Path

__all__ = [
    "NP_",
    "N_",
    "_",
    "current_locale",
    "install",
    "lookup",
    "ngettext",
    "npgettext",
    "pgettext",
]

_catalog: _gettext.NullTranslations = _gettext.NullTranslations()
_locale = "en"


def install(locale: str, localedir: Path | None = None, domain: str = "qalam") -> None:
    """Use the compiled catalog for ``locale`` ("ur", "en-XA"); English when there is none.

    Without ``localedir`` the catalog comes from :func:`i18n.catalogs.mo_path`, which also
    rebuilds a stale ``.mo`` in a source checkout. A catalog Qalam's users translated
    (:mod:`i18n.community`) comes first; each string it lacks comes from the shipped catalog,
    then stays English.
    """
    global _catalog, _locale
    if localedir is None:
        from i18n import catalogs, community

        path = catalogs.mo_path(locale)
        _catalog = _gettext.NullTranslations()
        if path is not None:
            with open(path, "rb") as f:
                _catalog = _gettext.GNUTranslations(f)
        made = community.get(locale)
        if made is not None:
            try:
                ours = community.translations(made)
            except community.InvalidCatalog as error:  # from outside: never trusted blindly
                import logging

                logging.getLogger(__name__).warning("%s's catalog not used: %s", locale, error)
            else:
                ours.add_fallback(_catalog)
                _catalog = ours
    else:
        _catalog = _gettext.translation(
            domain, localedir, languages=[locale.replace("-", "_")], fallback=True
        )
    _locale = locale


def current_locale() -> str:
    """The UI locale installed last ("en" before any)."""
    return _locale


def _(message: str) -> str:
    return _catalog.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _catalog.ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    return _catalog.pgettext(context, message)


def npgettext(context: str, singular: str, plural: str, n: int) -> str:
    return _catalog.npgettext(context, singular, plural, n)


def lookup(context: str | None, message: str, n: int | None = None) -> str | None:
    """The translation of ``message`` (in ``context``), or None when the catalog has none.

    Unlike :func:`pgettext` this tells "not translated" apart from "translated to the same
    text"; the Qt translator (ui/qt_translation.py) needs that to let Qt's own ``.qm`` answer.
    """
    catalog = _catalog
    while catalog is not None:  # a users' catalog, then the shipped one it falls back to
        found = _lookup_in(catalog, context, message, n)
        if found is not None:
            return found
        catalog = getattr(catalog, "_fallback", None)
    return None


def _lookup_in(catalog, context: str | None, message: str, n: int | None) -> str | None:
    table = getattr(catalog, "_catalog", None)
    if not table:
        return None
    key = message if not context else f"{context}\x04{message}"
    if n is None:
        found = table.get(key)
        if found is None:  # a plural entry asked for without a count
            found = table.get((key, 0))
        return found
    plural = getattr(catalog, "plural", None)
    index = plural(n) if plural is not None else int(n != 1)
    return table.get((key, index))


def N_(message: str) -> str:
    return message


def NP_(context: str, message: str) -> str:
    """Mark ``message`` (with a ``pgettext`` context) for extraction without translating it."""
    return message
