"""The message catalogs: current .pot, complete and well-formed translations, pseudo-locales.

When one of these fails after someone added strings to the UI, the fix is the translation
pass of docs/translating.md: ``make i18n-extract i18n-update``, then translate what
``make i18n-todo`` lists and ``make i18n-merge FILE=...``.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections import defaultdict
from pathlib import Path

import pytest
from babel.messages import checkers
from babel.messages.pofile import read_po

from i18n import catalogs, checks, pseudo, tools

REQUIRED = ("ar", "ur", "fa", "he", "hi", "bn", "ta", "am", "sw", "yo", "fr", "es", "id", "my")
SHIPPED = [loc.tag for loc in catalogs.SHIPPED]
FIX = "run the translation pass in docs/translating.md (make i18n-update, i18n-todo, i18n-merge)"


def _catalog(tag):
    with open(catalogs.po_path(tag), "rb") as f:
        return read_po(f, locale=tag, domain="qalam")


def _entries(catalog):
    for message in catalog:
        if not message.id:
            continue
        if isinstance(message.id, tuple):
            yield message, list(message.id), list(message.string)
        else:
            yield message, [message.id], [message.string]


def test_every_required_language_ships_a_catalog():
    assert set(REQUIRED) <= set(SHIPPED)
    for tag in REQUIRED:
        assert catalogs.po_path(tag).exists(), tag


def test_committed_pot_is_current(tmp_path):
    fresh = tmp_path / "qalam.pot"
    tools.extract_to(fresh)
    committed = catalogs.POT_PATH.read_text(encoding="utf-8")
    assert tools.without_date(fresh.read_text(encoding="utf-8")) == tools.without_date(
        committed
    ), "i18n/qalam.pot is stale: run make i18n-extract (then the translation pass)"


def test_extraction_is_stable(tmp_path):
    first, second = tmp_path / "a.pot", tmp_path / "b.pot"
    tools.extract_to(first)
    tools.extract_to(second)
    assert tools.without_date(first.read_text()) == tools.without_date(second.read_text())
    assert "#: " in first.read_text() and ".py:" not in first.read_text()  # no line numbers


@pytest.mark.parametrize("tag", SHIPPED)
def test_catalog_compiles_with_format_checks(tag, tmp_path):
    path = catalogs.po_path(tag)
    msgfmt = shutil.which("msgfmt")
    if msgfmt:  # GNU gettext: also checks python-brace-format and plural counts
        result = subprocess.run(
            [msgfmt, "--check", "--check-format", "-o", str(tmp_path / "x.mo"), str(path)],
            capture_output=True, text=True,
        )
        assert result.returncode == 0, result.stderr
    catalog = _catalog(tag)
    # Babel's checkers (plural counts, printf-style formats), minus printf checks on our
    # str.format templates that merely contain "% " (flagged no-python-format).
    errors = [
        (message.id, str(error))
        for message, error_list in catalog.check()
        for error in error_list
        if "no-python-format" not in message.flags
    ]
    assert errors == []
    assert checkers.num_plurals in checkers.checkers
    assert catalogs.compile_locale(tag).stat().st_size > 0


@pytest.mark.parametrize("tag", SHIPPED)
def test_catalog_is_complete(tag):
    template = catalogs.read_pot()
    catalog = _catalog(tag)
    have = {(m.context, m.id if isinstance(m.id, str) else m.id[0]) for m in catalog if m.id}
    missing = [
        msg.id for msg in template
        if msg.id and (msg.context, msg.id if isinstance(msg.id, str) else msg.id[0]) not in have
    ]
    untranslated = [
        message.id for message, _ids, strings in _entries(catalog)
        if message.fuzzy or not all(strings)
    ]
    assert missing == [], f"{tag}: not in the catalog yet; {FIX}"
    assert untranslated == [], f"{tag}: untranslated or fuzzy; {FIX}"


@pytest.mark.parametrize("tag", SHIPPED)
def test_placeholders_match(tag):
    from i18n import plurals

    counts = plurals.example_counts(tag)
    wrong = []
    for message, ids, strings in _entries(_catalog(tag)):
        if message.fuzzy:  # an old translation offered as a hint; completeness catches it
            continue
        sources = [ids[0] if n == 1 else ids[1] for n in counts] if len(ids) == 2 else ids
        for source, text in zip(sources, strings, strict=False):
            if text and checks.placeholders(source) != checks.placeholders(text):
                wrong.append((message.context, source, text))
    assert wrong == []


@pytest.mark.parametrize("tag", SHIPPED)
def test_accelerators_are_kept_and_unique_per_screen(tag):
    """Within one Qt context, or one source file for our strings (one screen or dialog), the
    &-letters of the translations differ wherever the English ones do."""
    groups = defaultdict(list)
    for message, ids, strings in _entries(_catalog(tag)):
        if message.fuzzy or not strings[0]:
            continue
        places = [message.context] if message.context else sorted(
            {path for path, _line in message.locations}
        )
        for place in places:
            groups[place].append((ids[0], strings[0]))
    problems = []
    for place, pairs in groups.items():
        marked = [(src, dst) for src, dst in pairs if checks.accelerator(src)]
        for src, dst in marked:
            if not checks.accelerator(dst):
                problems.append(f"{place}: {dst!r} ({src!r}) has no accelerator")
        english = [checks.accelerator(src) for src, _dst in marked]
        if len(set(english)) != len(english):
            continue  # already shared in English: nothing we can tell
        seen = {}
        for _src, dst in marked:
            key = checks.accelerator(dst)
            if key in seen:
                problems.append(f"{place}: {dst!r} and {seen[key]!r} share &{key}")
            seen[key] = dst
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("tag", SHIPPED)
def test_header_says_review_status_and_cldr_plural_rule(tag):
    from i18n import plurals

    headers = tools.raw_headers(catalogs.po_path(tag))
    assert headers.get("X-Review-Status"), f"{tag}: no X-Review-Status header"
    assert headers["Plural-Forms"] == plurals.PLURAL_FORMS[tag]
    assert headers["Language"] == tag


def test_pseudo_locales_come_from_the_pot():
    template = catalogs.read_pot()
    accented = pseudo.catalog("en-XA", template)
    mirrored = pseudo.catalog("ar-XB", template)
    ids = [m.id for m in template if m.id]
    assert len([m for m in accented if m.id]) == len(ids)
    for message in accented:
        if not message.id:
            continue
        text = message.string if isinstance(message.string, str) else message.string[0]
        source = message.id if isinstance(message.id, str) else message.id[0]
        assert text.startswith("[") and "~" in text.split("\t")[0], text
        assert checks.placeholders(text) == checks.placeholders(source)
        assert bool(checks.accelerator(text)) == bool(checks.accelerator(source))
        assert len(text.split("\t")[0]) >= len(source.split("\t")[0]) * 1.3
    for message in mirrored:
        if message.id:
            text = message.string if isinstance(message.string, str) else message.string[-1]
            assert pseudo.RLO in text or not any(c.isalpha() for c in text), text
    assert catalogs.mo_path("en-XA") is not None and catalogs.mo_path("ar-XB") is not None


def test_todo_and_merge_round_trip(tmp_path, monkeypatch):
    """The translation pass: todo lists only what is missing; merge takes it back, checked."""
    locales = tmp_path / "locales"
    shutil.copytree(catalogs.LOCALE_DIR / "fr", locales / "fr")
    monkeypatch.setattr(catalogs, "LOCALE_DIR", locales)
    po = catalogs.po_path("fr")
    text = po.read_text(encoding="utf-8")
    # Forget one translation, as if the string were new.
    catalog = _catalog("fr")
    victim = next(m for m in catalog if m.id == "Saved")
    saved_as = victim.string
    po.write_text(text.replace(f'msgid "Saved"\nmsgstr "{saved_as}"',
                               'msgid "Saved"\nmsgstr ""'), encoding="utf-8")
    todo = [e for e in tools.todo(["fr"]) if e["msgid"] == "Saved"]
    assert len(todo) == 1 and todo[0]["msgstr"] == "" and todo[0]["categories"]
    line = json.loads(json.dumps(todo[0]))
    line["msgstr"] = "Enregistré {oops}"
    with pytest.raises(ValueError, match="placeholders"):
        tools.merge([line])
    line["msgstr"] = saved_as
    assert tools.merge([line]) == {"fr": 1}
    assert _catalog("fr").get("Saved").string == saved_as
    assert tools.raw_headers(po).get("X-Review-Status")  # our header survives a rewrite


def test_offered_locales_are_complete_enough():
    offered = catalogs.offered()
    assert offered[0].tag == "en"
    for loc in offered[1:]:
        assert catalogs.compiled_completeness(loc.tag) >= catalogs.COMPLETENESS_THRESHOLD
    assert not any(loc.pseudo for loc in offered)


def test_mo_files_are_not_committed():
    root = Path(catalogs.I18N_DIR).parent
    ignored = (root / ".gitignore").read_text()
    assert "*.mo" in ignored.split()
