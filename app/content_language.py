"""Which content language the window opens on: what the app knows of the annotator, in order.

    >>> choose(enrolled=["urd_Arab", "pnb_Arab"], last_used="pnb_Arab", ui_language="en")
    'pnb_Arab'
    >>> choose(ui_language="ur", with_tasks=["amh_Ethi", "urd_Arab"])
    'urd_Arab'
    >>> choose(ui_language="en", with_tasks=["amh_Ethi", "fra_Latn"])  # a language to read
    'fra_Latn'

The order: the languages the annotator is enrolled for (the server's word), then the ones
their profile names, then the one they chose last, then the interface's own language. Within
a list of several, the one chosen last wins, then one that has tasks, then the first. The
interface language is taken when it has tasks or nothing has; otherwise a language with tasks
in the same script, then the same direction, then the first with tasks -- never the
registry's alphabetical first ("Acehnese"), which says nothing about anyone.

:func:`after_import` answers the other question: new tasks arrived, which language shows
them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from i18n import languages

__all__ = ["after_import", "choose", "ui_content_language"]

FALLBACK = "eng_Latn"  # nothing known, no tasks, no usable interface language


def _known(codes: Iterable[str | None]) -> list[str]:
    """``codes`` that name a registry language, in order, without repeats."""
    seen: list[str] = []
    for code in codes:
        if not code or code in seen:
            continue
        try:
            languages.get(code)
        except languages.UnknownLanguage:
            continue
        seen.append(code)
    return seen


def ui_content_language(ui_language: str | None) -> str | None:
    """The registry language of an interface locale ("ur" -> "urd_Arab"), or None."""
    if not ui_language:
        return None
    try:
        return languages.resolve(ui_language.split("-X")[0]).code  # en-XA: English
    except (languages.UnknownLanguage, ValueError):
        return None


def _pick(candidates: list[str], last_used: str | None, with_tasks: Sequence[str]) -> str:
    if last_used in candidates:
        return last_used
    return next((code for code in candidates if code in with_tasks), candidates[0])


def choose(*, enrolled: Iterable[str] = (), profile: Iterable[str] = (),
           last_used: str | None = None, ui_language: str | None = None,
           with_tasks: Sequence[str] = ()) -> str:
    """The content language to open on (a registry code); see the module docstring.

    ``with_tasks`` lists the languages that have tasks, in the order to prefer them.
    """
    with_tasks = _known(with_tasks)
    for group in (_known(enrolled), _known(profile)):
        if group:
            return _pick(group, last_used, with_tasks)
    if _known([last_used]):
        return last_used
    ui = ui_content_language(ui_language)
    if ui is not None and (ui in with_tasks or not with_tasks):
        return ui
    if not with_tasks:
        return FALLBACK
    if ui is not None:
        mine = languages.get(ui)
        for same in (lambda lang: lang.script == mine.script,
                     lambda lang: lang.direction == mine.direction):
            found = next((c for c in with_tasks if same(languages.get(c))), None)
            if found is not None:
                return found
    return with_tasks[0]


def after_import(current: str | None, before: Iterable[str], after: Sequence[str], *,
                 preferred: Iterable[str] = ()) -> str | None:
    """The language to show once an import has added tasks: None to stay on ``current``
    (it has tasks), else a language the import brought (``after`` minus ``before``),
    ``preferred`` first, else any language that has tasks."""
    if current in after or not after:
        return None
    before = set(before)
    new = [code for code in after if code not in before] or list(after)
    return next((code for code in _known(preferred) if code in new), new[0])
