"""Checks a translation must pass: same placeholders as the source, usable accelerators, every
plural form, a sensible length. The app runs them as a translator types and before it saves a
suggestion; the server runs the same ones on what a device pushes and on imported ``.po``.

    >>> placeholders("Not saved: {reason} (%1) %d %(count)s")
    ['%(count)s', '%1', '%d', '{reason}']
    >>> accelerator("Cu&t"), accelerator("&&Co"), accelerator("حفظ (&S)")
    ('t', None, 's')
    >>> translation_problems("{n} item", "{n} items", ["{n} abu", "{n} abubuwa"], nplurals=2)
    []
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from i18n.translation import N_, _

# str.format fields, Qt's %1/%n, and printf conversions (%d, %s, %(name)s; a space flag is
# left out: "50% de" is French, not a conversion).
_PLACEHOLDER = re.compile(
    r"\{[A-Za-z_][A-Za-z0-9_]*(?:![rsa])?(?::[^{}]*)?\}"
    r"|%\([A-Za-z_][A-Za-z0-9_]*\)[#0+-]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]"
    r"|%(?:L?\d+|n)"
    r"|%[#0+-]*\d*(?:\.\d+)?[diouxXeEfFgGcrs]"
)
_ACCELERATOR = re.compile(r"&(?!&)(\w)")
#: A translation longer than this many times its source (and than LENGTH_SLACK characters
#: more) is refused: it would not fit the widget it goes into.
MAX_LENGTH_RATIO = 3.0
LENGTH_SLACK = 20
#: A translation longer than this share of its source is worth a warning (not refused).
WARN_LENGTH_RATIO = 1.6
#: No interface string needs more (guideline texts have app.guidelines' own limit).
MAX_TRANSLATION_CHARS = 50_000


class Found(str):
    """A problem: English text (what the server answers and logs), and :meth:`localized`
    for the person typing (the template goes through the UI's catalog)."""

    def __new__(cls, template: str, prefix: str = "", **values):
        made = super().__new__(cls, prefix + template.format(**values))
        made.template, made.prefix, made.values = template, prefix, values
        return made

    def localized(self) -> str:
        from i18n.bidi import format_message

        return self.prefix + format_message(_(self.template), **self.values)

    def prefixed(self, where: str) -> Found:
        return Found(self.template, where + self.prefix, **self.values) if where else self


def placeholders(text: str) -> list[str]:
    """Sorted placeholders of a message: ``{name}`` fields, Qt's ``%1``/``%n`` and printf's
    ``%d``/``%(name)s`` (``%%`` is a percent sign, not a placeholder)."""
    text = text.replace("{{", "").replace("}}", "").replace("%%", "")
    return sorted(_PLACEHOLDER.findall(text))


def accelerator(text: str) -> str | None:
    """The accelerator letter (lower case) of ``text``, None when it has none."""
    match = _ACCELERATOR.search(text.replace("&&", ""))
    return match.group(1).lower() if match else None


def problems(msgid: str, msgstr: str) -> list[str]:
    """What is wrong with ``msgstr`` as a translation of ``msgid`` ([] when nothing)."""
    found = []
    if placeholders(msgid) != placeholders(msgstr):
        found.append(Found(
            N_("placeholders differ: {source} in the source, {translation} in the "
               "translation"),
            source=str(placeholders(msgid)), translation=str(placeholders(msgstr))))
    if accelerator(msgid) and not accelerator(msgstr):
        found.append(Found(N_("the source has an accelerator (&) and the translation none")))
    if msgid.endswith("\n") != msgstr.endswith("\n"):
        found.append(Found(N_("one ends with a newline and the other does not")))
    return found


def too_long(msgid: str, msgstr: str) -> bool:
    """Far longer than the source: it cannot fit where the source goes."""
    return len(msgstr) > max(len(msgid) * MAX_LENGTH_RATIO, len(msgid) + LENGTH_SLACK)


def long_warning(msgid: str, msgstr: str) -> bool:
    """Noticeably longer than the source (shown, not refused): check the preview."""
    return len(msgstr) > len(msgid) * WARN_LENGTH_RATIO + 4


def plural_sources(msgid: str, msgid_plural: str, counts: Sequence[int]) -> list[str]:
    """The English text each plural form translates: the singular for the form that count 1
    selects, the plural for the others (``counts``: plurals.example_counts)."""
    return [msgid if n == 1 else msgid_plural for n in counts]


def translation_problems(msgid: str, msgid_plural: str | None, strings: Sequence[str], *,
                         nplurals: int = 1, counts: Sequence[int] | None = None,
                         limit_length: bool = True) -> list[str]:
    """Everything that refuses ``strings`` (one per plural form) as a translation: a wrong
    number of forms, an empty form, placeholders, accelerators, newlines, far too long.
    ``counts`` are the example counts of the forms (needed to pair forms with sources)."""
    wanted = nplurals if msgid_plural else 1
    if len(strings) != wanted:
        return [Found(N_("needs {wanted} plural forms (got {got})"), wanted=wanted,
                      got=len(strings))]
    if msgid_plural:
        sources = plural_sources(msgid, msgid_plural, counts or _default_counts(wanted))
    else:
        sources = [msgid]
    found: list[Found] = []
    for index, (source, text) in enumerate(zip(sources, strings, strict=True)):
        where = f"[{index + 1}] " if msgid_plural else ""
        if not isinstance(text, str) or not text.strip():
            found.append(Found(N_("the translation is empty")).prefixed(where))
            continue
        if len(text) > MAX_TRANSLATION_CHARS:
            found.append(Found(N_("longer than {limit} characters"),
                               limit=MAX_TRANSLATION_CHARS).prefixed(where))
            continue
        found += [problem.prefixed(where) for problem in problems(source, text)]
        if limit_length and too_long(source, text):
            found.append(Found(N_("{length} characters for a source of {source}: too long "
                                  "to fit where it is shown"), length=len(text),
                               source=len(source)).prefixed(where))
    return found


def _default_counts(n: int) -> list[int]:
    return [1, *range(2, n + 1)] if n > 1 else [1]


def accelerator_clash(msgid: str, msgstr: str,
                      neighbours: Iterable[tuple[str, str]]) -> str | None:
    """The translation already using ``msgstr``'s &-letter on the same screen, or None.

    ``neighbours`` are (source, translation) pairs shown together with this one (one source
    file, or one Qt context). As tests/test_i18n_catalogs.py judges catalogs: a clash counts
    only where the English letters of the group all differ.
    """
    key = accelerator(msgstr)
    if not key or not accelerator(msgid):
        return None
    marked = [(src, dst) for src, dst in neighbours if src != msgid and accelerator(src)]
    english = [accelerator(src) for src, _dst in marked] + [accelerator(msgid)]
    if len(set(english)) != len(english):
        return None
    for _src, dst in marked:
        if dst and accelerator(dst) == key:
            return dst
    return None
