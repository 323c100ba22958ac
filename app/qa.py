"""Mechanical checks of a translation against its source, as CAT tools run them: pure
functions, no store, no Qt (the server can run the same ones).

    issues = check_segment("Boil water for 5 minutes.", "Chemsha maji kwa dakika 15",
                           terms=hits)
    [issue.key for issue in issues]         # ['numbers', 'end_punctuation']
    visible(issues, dismissed=["numbers"])  # what is still shown for this segment

Each :class:`Issue` has a ``key`` that a person can dismiss for one segment (the dismissals
are stored with the segment: ``Submission.qa_dismissed``); none ever blocks confirming.

Script-aware: digits of any script count as their value (Arabic-Indic ٣, Extended ۳,
Devanagari ३ are 3), Arabic and Persian decimal and thousands separators too; end
punctuation compares by kind (a full stop is ``.``, Urdu ``۔``, Devanagari ``।``, CJK ``。``;
a question mark is ``?``, Arabic ``؟``, full-width ``？``).
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

import regex

from app.glossary import TermHit, missing_terms
from i18n.translation import _

# Check keys, in the order they are shown.
CHECKS = ("numbers", "end_punctuation", "identical", "doubled_word", "doubled_space",
          "brackets", "placeholders", "glossary")

_SEPARATOR = "[.,'’\u00a0\u202f]"
_NUMBER = regex.compile(r"\p{Nd}+(?:[.,٫٬'’\u00a0\u202f]\p{Nd}+)*")
_DOUBLED = regex.compile(r"(?<![\w])(\w+)(\s+)\1(?![\w])", regex.IGNORECASE)
_SPACES = regex.compile(r"(?<=\S)[ \u00a0]{2,}(?=\S)")
# printf (%s, %1$d, %(name)s), braces ({0}, {name}, {{x}}), ${x}, and markup tags.
_PLACEHOLDER = regex.compile(
    r"%(?:\(\w+\))?\d*\$?[-+ 0#]*\d*(?:\.\d+)?[sdifuxXeEgGc%]|\$\{[^{}]*\}|\{\{[^{}]*\}\}"
    r"|\{[^{}\s]*\}|</?[A-Za-z][\w:-]*(?:\s[^<>]*)?/?>")
_END_KINDS = {
    "stop": ".。۔।॥｡።",
    "question": "?؟？;",   # ; is the Greek question mark
    "exclamation": "!！",
    "colon": ":：",
    "ellipsis": "…",
}
_END_OF = {mark: kind for kind, marks in _END_KINDS.items() for mark in marks}
_PAIRS = {"(": ")", "[": "]", "{": "}", "«": "»", "“": "”", "‘": "’", "‹": "›", "「": "」",
          "『": "』", "（": "）", "【": "】"}
_CLOSERS = {close: open_ for open_, close in _PAIRS.items()}


@dataclass(frozen=True, slots=True)
class Issue:
    key: str        # what dismissing remembers: a check, or "glossary:<term id>"
    check: str      # one of CHECKS
    message: str    # translated, values filled in


def check_segment(source: str, target: str, *, terms: Iterable[TermHit] = ()) -> list[Issue]:
    """Every mechanical issue of ``target`` as a translation of ``source``."""
    if not target.strip():
        return []
    issues = (_numbers(source, target) + _end_punctuation(source, target)
              + _identical(source, target) + _doubled(target) + _brackets(target)
              + _placeholders(source, target) + _glossary(terms, target))
    return issues


def visible(issues: Iterable[Issue], dismissed: Iterable[str]) -> list[Issue]:
    gone = set(dismissed)
    return [issue for issue in issues if issue.key not in gone]


# --- numbers ---------------------------------------------------------------------------------


def numbers(text: str) -> Counter:
    """The numbers of ``text`` by value: digits of any script as ASCII, a decimal comma or
    Arabic decimal separator as a point, thousands separators dropped."""
    found = Counter()
    for match in _NUMBER.finditer(text):
        found[_canonical(match.group())] += 1
    return found


def _canonical(number: str) -> str:
    digits = "".join(str(unicodedata.decimal(ch)) if ch.isdigit() else ch for ch in number)
    digits = digits.replace("٫", ".").replace("٬", ",")
    groups = regex.split(_SEPARATOR, digits)
    separators = regex.findall(_SEPARATOR, digits)
    out = groups[0]
    for separator, group in zip(separators, groups[1:], strict=True):
        # A separator before exactly three digits groups thousands, unless it is the only
        # point (3.141 is a decimal); any other is the decimal point.
        thousands = len(group) == 3 and (separator != "." or separators.count(".") > 1)
        out += group if thousands else "." + group
    return out


def _numbers(source: str, target: str) -> list[Issue]:
    wanted, found = numbers(source), numbers(target)
    if wanted == found:
        return []
    missing = ", ".join(sorted((wanted - found).elements()))
    extra = ", ".join(sorted((found - wanted).elements()))
    if missing and extra:
        text = _("Numbers differ: {missing} in the source, {extra} in the translation.")
    elif missing:
        text = _("A number of the source is missing: {missing}.")
    else:
        text = _("A number is not in the source: {extra}.")
    return [Issue("numbers", "numbers", text.format(missing=missing, extra=extra))]


# --- punctuation, sameness, doubles ----------------------------------------------------------


def end_kind(text: str) -> str | None:
    stripped = text.rstrip().rstrip("\"'”’»)]」』）")
    if stripped.endswith("...") or stripped.endswith("…"):
        return "ellipsis"
    return _END_OF.get(stripped[-1:]) if stripped else None


def _end_punctuation(source: str, target: str) -> list[Issue]:
    want, have = end_kind(source), end_kind(target)
    if want == have:
        return []
    mark = source.rstrip()[-1:] if want else ""
    text = (_("The source ends with “{mark}”; the translation does not end the same way.")
            if want else _("The translation ends with punctuation the source does not have."))
    return [Issue("end_punctuation", "end_punctuation", text.format(mark=mark))]


def _identical(source: str, target: str) -> list[Issue]:
    if source.strip() != target.strip() or not any(ch.isalpha() for ch in source):
        return []
    return [Issue("identical", "identical", _("The translation is the same as the source."))]


def _doubled(target: str) -> list[Issue]:
    issues = []
    doubled = _DOUBLED.search(target)
    if doubled and not doubled.group(1).isdigit():
        issues.append(Issue("doubled_word", "doubled_word",
                            _("“{word}” is written twice in a row.").format(
                                word=doubled.group(1))))
    if _SPACES.search(target):
        issues.append(Issue("doubled_space", "doubled_space",
                            _("The translation has two spaces in a row.")))
    return issues


def _brackets(target: str) -> list[Issue]:
    stack: list[str] = []
    for ch in target:
        if ch in _PAIRS:
            stack.append(ch)
        elif ch in _CLOSERS:
            if not stack or stack[-1] != _CLOSERS[ch]:
                return [_unbalanced(ch)]
            stack.pop()
    if stack:
        return [_unbalanced(stack[-1])]
    if target.count('"') % 2:
        return [_unbalanced('"')]
    return []


def _unbalanced(mark: str) -> Issue:
    return Issue("brackets", "brackets",
                 _("“{mark}” has no partner: brackets and quotes come in pairs.").format(
                     mark=mark))


def _placeholders(source: str, target: str) -> list[Issue]:
    wanted = Counter(m.group() for m in _PLACEHOLDER.finditer(source))
    found = Counter(m.group() for m in _PLACEHOLDER.finditer(target))
    if wanted == found:
        return []
    missing = " ".join(sorted((wanted - found).elements()))
    extra = " ".join(sorted((found - wanted).elements()))
    if missing:
        text = _("Placeholders or tags of the source are missing: {missing}").format(
            missing=missing)
    else:
        text = _("Placeholders or tags not in the source: {extra}").format(extra=extra)
    return [Issue("placeholders", "placeholders", text)]


def _glossary(terms: Iterable[TermHit], target: str) -> list[Issue]:
    return [Issue(f"glossary:{term.id}", "glossary",
                  _("The glossary translates “{source}” as “{target}”; the translation does "
                    "not use it.").format(source=term.source, target=term.target))
            for term in missing_terms(terms, target)]
