"""Plural-Forms headers agree with CLDR for every count from 0 to 1000 (and a million).

The oracle is CLDR's plural rules as shipped in Babel's locale data (``Locale.plural_form``,
evaluated rule by rule), plus a few counts checked by hand against the CLDR charts. We do
not trust Babel's gettext conversion (``babel.plural.to_gettext``), which orders Arabic's
forms differently (python-babel/babel#816).
"""

from __future__ import annotations

import gettext

import pytest
from babel import Locale

from i18n import catalogs, plurals, tools

COUNTS = (*range(1001), 1_000_000, 2_000_000)
HEADERS = {loc.tag: tools.raw_headers(catalogs.po_path(loc.tag))["Plural-Forms"]
           for loc in catalogs.SHIPPED}


def _check(locale: str, header: str) -> None:
    nplurals, expression = plurals._parse(header)
    pick = gettext.c2py(expression)
    rule = Locale.parse(locale).plural_form
    order = plurals.categories(locale)
    assert nplurals == len(order), f"{locale}: {nplurals} forms, CLDR has {order}"
    wrong = [(n, order[pick(n)], rule(n)) for n in COUNTS if order[pick(n)] != rule(n)]
    assert wrong == [], f"{locale}: (n, header, CLDR) {wrong[:10]}"
    assert {pick(n) for n in COUNTS} == set(range(nplurals))  # every form reachable


@pytest.mark.parametrize("tag", sorted(HEADERS))
def test_catalog_header_matches_cldr(tag):
    _check(tag, HEADERS[tag])


@pytest.mark.parametrize("locale", sorted(plurals.PLURAL_FORMS))
def test_rule_table_matches_cldr(locale):
    _check(locale, plurals.PLURAL_FORMS[locale])


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        # From the CLDR plural rules chart, by hand.
        ("ar", {0: "zero", 1: "one", 2: "two", 3: "few", 10: "few", 11: "many", 99: "many",
                100: "other", 102: "other", 103: "few", 111: "many", 1000: "other"}),
        ("he", {1: "one", 2: "two", 3: "other", 10: "other", 20: "other", 100: "other"}),
        ("fa", {0: "one", 1: "one", 2: "other"}),
        ("hi", {0: "one", 1: "one", 2: "other"}),
        ("fr", {0: "one", 1: "one", 2: "other", 1_000_000: "many"}),
        ("es", {0: "other", 1: "one", 2: "other", 1_000_000: "many"}),
        ("ur", {0: "other", 1: "one", 2: "other"}),
        ("my", {0: "other", 1: "other"}),
        ("yo", {1: "other"}),
    ],
)
def test_known_counts(locale, expected):
    assert {n: plurals.category(locale, n) for n in expected} == expected


def test_pseudo_locales_use_their_base_rules():
    template = catalogs.read_pot()
    from i18n import pseudo

    assert pseudo.catalog("ar-XB", template).num_plurals == 6
    assert pseudo.catalog("en-XA", template).num_plurals == 2
