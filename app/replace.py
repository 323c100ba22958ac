"""Find and replace across segments: what would change, before anything does.

    plan = replacements([("p-1", "Chemsha maji."), ("p-2", "Maji safi.")], "maji", "mai",
                        match_case=False, whole_word=True)
    [(r.key, r.before, r.after, r.count) for r in plan]
    # [('p-1', 'Chemsha maji.', 'Chemsha mai.', 1), ('p-2', 'Maji safi.', 'mai safi.', 1)]

The replacement is literal text (no pattern syntax); matching is case-insensitive unless
``match_case``, and ``whole_word`` keeps a match from starting or ending inside a word (in
any script: letters, digits and combining marks are word characters).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import regex


@dataclass(frozen=True, slots=True)
class Replacement:
    key: str        # the segment (its task id)
    before: str
    after: str
    count: int      # occurrences replaced


def pattern(find: str, *, match_case: bool = False, whole_word: bool = False):
    body = regex.escape(find)
    if whole_word:
        body = rf"(?<![\w\p{{M}}]){body}(?![\w\p{{M}}])"
    return regex.compile(body, 0 if match_case else regex.IGNORECASE)


def replacements(segments: Iterable[tuple[str, str]], find: str, replace: str, *,
                 match_case: bool = False, whole_word: bool = False) -> list[Replacement]:
    """Each segment ``(key, text)`` in which ``find`` occurs, with its text after replacing."""
    if not find:
        return []
    compiled = pattern(find, match_case=match_case, whole_word=whole_word)
    found = []
    for key, text in segments:
        after, count = compiled.subn(lambda _match: replace, text)
        if count:
            found.append(Replacement(key, text, after, count))
    return found
