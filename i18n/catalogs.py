"""Which UI locales Qalam ships, where their catalogs are, and building the ``.mo`` files.

    >>> [c.tag for c in SHIPPED][:3]
    ['ar', 'ur', 'fa']
    >>> po_path("en-XA") is None, mo_path("fr").name
    (True, 'qalam.mo')

Catalogs live at ``i18n/locales/<ll_CC>/LC_MESSAGES/qalam.po`` (gettext's layout, so GNU
tools work on them); UI locale tags use BCP 47 spelling ("en-XA") everywhere else. The
``.mo`` files are built by ``make i18n-compile`` (and by :func:`mo_path` in a source checkout
when one is missing or older than its ``.po``); they are never committed. The two
pseudo-locales have no ``.po``: they are generated from ``qalam.pot`` (i18n/pseudo.py).

Each compiled catalog carries ``X-Qalam-Completeness`` (translated share of the ``.pot``'s
messages at compile time) in its header, so the language pickers can list only locales above
:data:`COMPLETENESS_THRESHOLD` without reading any ``.po`` at start-up.
"""

from __future__ import annotations

import contextlib
import functools
import gettext
import io
import os
from dataclasses import dataclass
from pathlib import Path

DOMAIN = "qalam"
I18N_DIR = Path(__file__).resolve().parent
LOCALE_DIR = I18N_DIR / "locales"
POT_PATH = I18N_DIR / f"{DOMAIN}.pot"
#: Locales below this share of translated messages are not offered in the pickers.
COMPLETENESS_THRESHOLD = 0.9
SOURCE_LOCALE = "en"


@dataclass(frozen=True)
class UiLocale:
    tag: str  # BCP 47 ("ur", "en-XA")
    babel: str  # Babel/CLDR locale whose data (direction, numbers, names) applies
    pseudo: bool = False

    @property
    def dirname(self) -> str:
        return self.tag.replace("-", "_")


#: Shipped translations, in the order the issue lists them. English is the source language.
SHIPPED: tuple[UiLocale, ...] = tuple(
    UiLocale(tag, tag)
    for tag in ("ar", "ur", "fa", "he", "hi", "bn", "ta", "am", "sw", "yo", "fr", "es", "id",
                "my")
)
PSEUDO: tuple[UiLocale, ...] = (
    UiLocale("en-XA", "en", pseudo=True),  # accented, ~40% longer, bracketed
    UiLocale("ar-XB", "ar", pseudo=True),  # mirrored right to left
)
ENGLISH = UiLocale(SOURCE_LOCALE, SOURCE_LOCALE)
_BY_TAG = {loc.tag.lower(): loc for loc in (ENGLISH, *SHIPPED, *PSEUDO)}


def get(tag: str) -> UiLocale:
    """The UI locale for a tag ("ur", "ur-PK", "en_XA", "FR").

    A region Qalam has no catalog for falls back to the language ("ur-PK" -> "ur"). A locale
    CLDR knows but Qalam ships no catalog for ("ps") is accepted too: its strings stay English
    (or come from a ``.po`` a translator has started) and its direction and formats apply,
    which is what a translator starting a language wants to see. ValueError otherwise.
    """
    key = tag.strip().replace("_", "-").lower()
    if key in _BY_TAG:
        return _BY_TAG[key]
    from i18n import community

    made = community.get(key)
    if made is not None:  # a catalog translated by Qalam's users (issue 16)
        return UiLocale(made.tag, made.babel)
    base = key.split("-")[0]
    if base in _BY_TAG and not _BY_TAG[base].pseudo:
        return _BY_TAG[base]
    from babel import Locale, UnknownLocaleError

    parts = key.split("-")
    if len(parts) > 1 and len(parts[1]) == 4:  # a script CLDR knows: "pa-Arab" is not "pa"
        try:
            Locale.parse(f"{base}_{parts[1].title()}")
            return UiLocale(f"{base}-{parts[1].title()}", f"{base}_{parts[1].title()}")
        except (UnknownLocaleError, ValueError):
            pass
    try:
        Locale.parse(base)
    except (UnknownLocaleError, ValueError):
        registered = _registry_locale(key)
        if registered is not None:  # the installed app ships CLDR data for SHIPPED only
            return registered
        raise ValueError(
            f"no UI language {tag!r}; shipped: {', '.join(all_tags())}"
        ) from None
    return UiLocale(base, base)


def _registry_locale(key: str) -> UiLocale | None:
    """The UI locale of a language the registry knows with a CLDR locale ("ha", "pa-arab"),
    without Babel's locale data: a language its users translate (i18n.community)."""
    from i18n import languages

    try:
        lang = languages.resolve(key)
    except languages.UnknownLanguage:
        return None
    if not lang.cldr_locale:
        return None
    tag = lang.cldr_locale.replace("_", "-")
    return UiLocale(tag, lang.cldr_locale)


def is_shipped(tag: str) -> bool:
    return get(tag) in (ENGLISH, *SHIPPED)


def all_tags() -> list[str]:
    return [loc.tag for loc in (ENGLISH, *SHIPPED, *PSEUDO)]


def po_path(tag: str) -> Path | None:
    """The ``.po`` of a locale (None for English and the pseudo-locales); it may not exist."""
    loc = get(tag)
    if loc.pseudo or loc.tag == SOURCE_LOCALE:
        return None
    return LOCALE_DIR / loc.dirname / "LC_MESSAGES" / f"{DOMAIN}.po"


def _mo_file(loc: UiLocale) -> Path:
    return LOCALE_DIR / loc.dirname / "LC_MESSAGES" / f"{DOMAIN}.mo"


def _stale(target: Path, *sources: Path) -> bool:
    try:
        built = target.stat().st_mtime_ns
    except FileNotFoundError:
        return True
    return any(s.exists() and s.stat().st_mtime_ns > built for s in sources)


def mo_path(tag: str, *, rebuild: bool = True) -> Path | None:
    """The compiled catalog for ``tag``; None for English (the source needs none).

    In a source checkout (the ``.po``/``.pot`` present) a missing or stale ``.mo`` is rebuilt
    first, unless ``rebuild`` is false; an installed app ships only the ``.mo``.
    """
    loc = get(tag)
    if loc.tag == SOURCE_LOCALE:
        return None
    target = _mo_file(loc)
    if rebuild:
        sources = [POT_PATH] if loc.pseudo else [po_path(loc.tag), POT_PATH]
        if all(s is not None and s.exists() for s in sources) and _stale(target, *sources):
            with contextlib.suppress(OSError):  # read-only install: use the shipped .mo
                compile_locale(loc.tag)
    return target if target.exists() else None


def compile_locale(tag: str) -> Path:
    """Build the ``.mo`` of one locale (Babel), recording its completeness; returns its path."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    loc = get(tag)
    template = read_pot()
    if loc.pseudo:
        from i18n import pseudo

        catalog = pseudo.catalog(loc.tag, template)
    else:
        with open(po_path(loc.tag), "rb") as f:
            catalog = read_po(f, locale=loc.babel, domain=DOMAIN)
    from babel import Locale

    catalog.__class__ = _header_catalog_class()
    catalog.extra_headers = (
        ("X-Qalam-Completeness", f"{completeness(catalog, template):.4f}"),
        ("X-Qalam-Direction", Locale.parse(loc.babel.replace("-", "_")).text_direction),
    )
    target = _mo_file(loc)
    target.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    tmp = target.with_suffix(".mo.tmp")
    tmp.write_bytes(buffer.getvalue())
    os.replace(tmp, target)
    return target


@functools.cache
def _header_catalog_class():  # built on first use: Babel is not imported at start-up
    from babel.messages.catalog import Catalog

    class HeaderCatalog(Catalog):
        """A Babel catalog that writes extra header fields (Babel drops unknown ones)."""

        extra_headers: tuple[tuple[str, str], ...] = ()

        @property
        def mime_headers(self):
            return [*Catalog.mime_headers.fget(self), *self.extra_headers]

        @mime_headers.setter
        def mime_headers(self, headers):
            Catalog.mime_headers.fset(self, headers)

    return HeaderCatalog


def compiled_info(tag: str) -> dict[str, str]:
    """Header fields of the compiled catalog (lower-case keys); {} when there is none."""
    path = mo_path(tag)
    if path is None:
        return {}
    with open(path, "rb") as f:
        return gettext.GNUTranslations(f).info()


def compile_all() -> list[Path]:
    return [compile_locale(loc.tag) for loc in (*SHIPPED, *PSEUDO)]


def read_pot():
    from babel.messages.pofile import read_po

    with open(POT_PATH, "rb") as f:
        return read_po(f, domain=DOMAIN)


def _key(message) -> tuple[str | None, str]:
    msgid = message.id[0] if isinstance(message.id, tuple) else message.id
    return message.context, msgid


def completeness(catalog, template) -> float:
    """Share of the template's messages that ``catalog`` translates (fuzzy counts as not)."""
    wanted = [_key(m) for m in template if m.id]
    if not wanted:
        return 1.0
    done = set()
    for message in catalog:
        if not message.id or message.fuzzy:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if all(strings):
            done.add(_key(message))
    return sum(1 for key in wanted if key in done) / len(wanted)


def compiled_completeness(tag: str) -> float:
    """Completeness recorded in the compiled catalog (1.0 for English, 0.0 when not built)."""
    loc = get(tag)
    if loc.tag == SOURCE_LOCALE:
        return 1.0
    from i18n import community

    shipped = 0.0
    if loc in SHIPPED or loc.pseudo:
        shipped = float(compiled_info(loc.tag).get("x-qalam-completeness", 0.0))
    made = community.get(loc.tag)
    return max(shipped, made.completeness if made is not None else 0.0)


def offered(threshold: float = COMPLETENESS_THRESHOLD) -> list[UiLocale]:
    """UI locales to list in the pickers: English, every shipped catalog at or above
    ``threshold``, and every language its users translated (with how complete it is: see
    :func:`compiled_completeness`); pseudo-locales only through ``--ui-language``."""
    from i18n import community

    shipped = [loc for loc in SHIPPED if compiled_completeness(loc.tag) >= threshold]
    made = [get(c.tag) for c in community.registered()]
    return [ENGLISH, *shipped, *(loc for loc in made if loc not in shipped)]
