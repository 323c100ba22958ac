"""gettext ``Plural-Forms`` for the UI locales, written from the CLDR rules.

    >>> nplurals("ar"), example_counts("ar")
    (6, [0, 1, 2, 3, 11, 100])
    >>> [category("ar", n) for n in (0, 1, 2, 3, 11, 100, 102)]
    ['zero', 'one', 'two', 'few', 'many', 'other', 'other']

Source: the CLDR plural rules (unicode.org/cldr/charts/latest/supplemental/
language_plural_rules.html) as shipped in Babel's data (``Locale.plural_form``), for integer
counts. Form *i* of a catalog entry is the *i*-th of the language's CLDR categories in CLDR's
order (zero, one, two, few, many, other). We do not use Babel's own gettext conversion
(``babel.plural.to_gettext``): it orders categories differently from this convention and has
swapped Arabic's "many"/"other" (python-babel/babel#816). tests/test_i18n_plurals.py checks
every expression here against ``Locale.plural_form`` for n = 0..1000 (and a million).

Notes: Persian, Hindi, Bengali and Amharic count 0 as "one" (CLDR: ``i = 0 or n = 1``), so
``n > 1``, not ``n != 1``. Hebrew has one/two/other since CLDR 42 ("many" was dropped).
French and Spanish have "many" for exact millions ("un million de fichiers"). Yoruba,
Indonesian and Burmese have a single form.
"""

from __future__ import annotations

import functools
import gettext

CATEGORY_ORDER = ("zero", "one", "two", "few", "many", "other")

_ONE_IS_1 = "nplurals=2; plural=(n != 1);"
_ONE_IS_0_1 = "nplurals=2; plural=(n > 1);"
_ONE_OTHER_MILLIONS = "nplurals=3; plural=(n == 1 ? 0 : n != 0 && n % 1000000 == 0 ? 1 : 2);"
_SINGLE = "nplurals=1; plural=0;"

PLURAL_FORMS: dict[str, str] = {
    "en": _ONE_IS_1,
    "ar": "nplurals=6; plural=(n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : "
          "n%100>=3 && n%100<=10 ? 3 : n%100>=11 ? 4 : 5);",
    "ur": _ONE_IS_1,
    "fa": _ONE_IS_0_1,
    "he": "nplurals=3; plural=(n == 1 ? 0 : n == 2 ? 1 : 2);",
    "hi": _ONE_IS_0_1,
    "bn": _ONE_IS_0_1,
    "ta": _ONE_IS_1,
    "am": _ONE_IS_0_1,
    "sw": _ONE_IS_1,
    "yo": _SINGLE,
    "fr": "nplurals=3; plural=(n == 0 || n == 1 ? 0 : n != 0 && n % 1000000 == 0 ? 1 : 2);",
    "es": _ONE_OTHER_MILLIONS,
    "id": _SINGLE,
    "my": _SINGLE,
}


def _parse(header: str) -> tuple[int, str]:
    fields = dict(
        part.strip().split("=", 1) for part in header.strip().rstrip(";").split(";") if part
    )
    return int(fields["nplurals"]), fields["plural"].strip()


def header(locale: str) -> str:
    """The ``Plural-Forms`` header of any CLDR locale ("ha", "ps", "pa_Arab"): ours where
    :data:`PLURAL_FORMS` has it, else built from Babel's CLDR rule and checked against it for
    n = 0..1000 before it is trusted (a language translated by its users, issue 16).
    ValueError when CLDR has no such locale, or its rule cannot be written for gettext."""
    base = locale.replace("-", "_")
    if base in PLURAL_FORMS:
        return PLURAL_FORMS[base]
    language = base.split("_")[0]
    if language in PLURAL_FORMS and _same_rule(base, language):
        return PLURAL_FORMS[language]
    return _derived(base)


@functools.cache
def _derived(locale: str) -> str:
    from babel.plural import to_gettext

    rule = cldr_rule(locale)
    text = to_gettext(rule)
    order = [c for c in CATEGORY_ORDER if c in (rule.tags | {"other"})]
    pick = expression(text)
    # Two whole cycles of n % 100 (and so of n % 10), and the large numbers CLDR names:
    # what any integer rule distinguishes (tests/test_i18n_plurals.py checks 0..1000).
    for n in (*range(200), 1000, 10_000, 100_000, 1_000_000, 2_000_000):
        if order[pick(n)] != rule(n):
            raise ValueError(f"{locale}: the gettext form of CLDR's plural rule disagrees at "
                             f"n = {n}")
    return text


def cldr_rule(locale: str):
    """CLDR's plural rule (a Babel ``PluralRule``) of a locale: from the language registry's
    stored rule text where it has the locale (no CLDR locale data needed: the installed app
    ships it for the shipped languages only), else from Babel's locale data. ValueError when
    neither knows it."""
    from babel import Locale, UnknownLocaleError

    from i18n import languages

    tag = locale.replace("_", "-")
    try:
        lang = languages.resolve(tag)
        if lang.cldr_locale and lang.cldr_locale.replace("_", "-").lower() in (
                tag.lower(), tag.split("-")[0].lower()):
            rule = languages.plural_rule(lang.code)
            if rule is not None:
                return rule
    except languages.UnknownLanguage:
        pass
    try:
        return Locale.parse(locale.replace("-", "_")).plural_form
    except (UnknownLocaleError, ValueError) as error:
        raise ValueError(f"no CLDR plural rule for {locale!r}: {error}") from None


def _same_rule(locale: str, language: str) -> bool:
    try:
        return cldr_rule(locale).rules == cldr_rule(language).rules
    except ValueError:
        return False


def nplurals(locale: str) -> int:
    return _parse(header(locale))[0]


def expression(header: str):
    """The callable n -> form index of a ``Plural-Forms`` header (gettext's own parser)."""
    return gettext.c2py(_parse(header)[1])


def categories(locale: str) -> list[str]:
    """The CLDR categories of ``locale`` in form order, e.g. ['one', 'two', 'other']."""
    tags = cldr_rule(locale).tags | {"other"}
    return [c for c in CATEGORY_ORDER if c in tags]


def category(locale: str, n: int) -> str:
    """The CLDR category our header gives count ``n`` in ``locale``."""
    return categories(locale)[expression(header(locale))(n)]


def example_counts(locale: str) -> list[int]:
    """The smallest count that selects each form, in form order ([0, 1, 2, 3, 11, 100])."""
    pick = expression(header(locale))
    found: dict[int, int] = {}
    for n in (1, *range(1001), 1_000_000):  # 1 first: the singular where it has a form
        found.setdefault(pick(n), n)
    return [found[i] for i in range(nplurals(locale))]
