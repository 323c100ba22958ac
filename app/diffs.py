"""Edit measures and diffs between two versions of a text.

    >>> edit_distance("kitten", "sitting")
    3
    >>> round(hter("the cat sat on mat", "the cat sat on the mat"), 4)   # 1 insertion / 6 words
    0.1667
    >>> char_diff("कमल", "कमला")              # the vowel sign ा is never split from ल
    [('equal', 'कम'), ('delete', 'ल'), ('insert', 'ला')]
    >>> word_diff("a red car", "a blue car")
    [('equal', 'a '), ('delete', 'red'), ('insert', 'blue'), ('equal', ' car')]

* :func:`edit_distance` is the Aya paper's measure for re-annotations: Levenshtein distance
  over Unicode code points (texts are NFC when stored, see :mod:`app.text`).
* :func:`hter` is TER with shifts (sacrebleu's Tercom reimplementation) of the machine
  translation against the annotator's post-edit, as a fraction.
* The diffs never cut inside a grapheme cluster (``regex``'s ``\\X``): a Devanagari or
  Bengali vowel sign, a virama or a Yoruba tone mark always stays with its base letter.
  Joining the ``equal`` and ``delete`` pieces gives back ``a``; ``equal`` and ``insert``
  give back ``b``. A replacement is a ``delete`` followed by an ``insert``.
"""

from __future__ import annotations

from functools import lru_cache

import regex
from rapidfuzz.distance import Indel, Levenshtein

__all__ = ["char_diff", "edit_distance", "hter", "tokens", "word_diff"]

# Scripts written without spaces between words: each grapheme cluster is a token of its own,
# the character-level treatment that sacrebleu's ``asian_support`` gives CJK, extended to
# Thai, Lao, Khmer, Myanmar and Tibetan (where a whitespace split would make a whole
# sentence one "word", so any edit would cost 100 %).
_NO_SPACE = (
    r"\p{sc=Thai}\p{sc=Laoo}\p{sc=Khmr}\p{sc=Mymr}\p{sc=Tibt}"
    r"\p{sc=Hani}\p{sc=Hira}\p{sc=Kana}"
)
# Punctuation is its own token, as in Tercom's normalization, except hyphens and apostrophes
# inside words ("well-known", "n'ụtụtụ"). A cluster is classed by its first code point.
_PUNCT = r"[\p{P}\p{S}--[\p{Pd}'’ʼ]]"
_TOKEN = regex.compile(
    rf"\d+(?:[.,]\d+)*"                                  # 3.14, 1,000 stay whole
    rf"|(?:(?![\s{_NO_SPACE}]|{_PUNCT})\X)+"              # a word: clusters up to a boundary
    rf"|(?!\s)\X",                                       # punctuation, or a no-space cluster
    regex.V1,
)
_TOKEN_OR_SPACE = regex.compile(rf"\s+|{_TOKEN.pattern}", regex.V1)
_GRAPHEME = regex.compile(r"\X")


def edit_distance(a: str, b: str) -> int:
    """Character Levenshtein distance: insertions, deletions and substitutions of code points.

    ``edit_distance("", "abc") == 3``; ``edit_distance("abc", "abc") == 0``.
    """
    return Levenshtein.distance(a, b)


def tokens(text: str) -> list[str]:
    """The words of ``text`` as :func:`hter` and :func:`word_diff` see them.

        >>> tokens("Hello, world!")
        ['Hello', ',', 'world', '!']
        >>> tokens("ไปตลาด")            # Thai has no spaces: one token per grapheme cluster
        ['ไ', 'ป', 'ต', 'ล', 'า', 'ด']
    """
    return _TOKEN.findall(text)


@lru_cache(maxsize=1)
def _ter():
    # Imported on first use: sacrebleu's import is ~80 ms and only post-edits need it.
    from sacrebleu.metrics import TER

    # Tokens are already separated by :func:`tokens`; with normalized=False sacrebleu only
    # splits on whitespace. Case matters: fixing a capital letter is an edit.
    return TER(normalized=False, no_punct=False, asian_support=False, case_sensitive=True)


def hter(mt: str, post_edited: str) -> float:
    """Human-targeted TER: edits (insertions, deletions, substitutions, shifts of word runs)
    that turn the MT into the post-edit, divided by the post-edit's number of tokens.

    0.0 means the MT was accepted untouched; values can exceed 1.0 when the post-edit is
    much shorter than the MT. Tokenization (see :func:`tokens`): words separated by
    whitespace, punctuation split off, and for scripts written without spaces (Thai, Lao,
    Khmer, Myanmar, Tibetan, Chinese, Japanese kana) one token per grapheme cluster, so an
    edited Thai sentence scores by the share of characters changed, not 100 %.

        >>> hter("same text", "same text")
        0.0
    """
    hyp, ref = tokens(mt), tokens(post_edited)
    if not ref:
        return 1.0 if hyp else 0.0
    if hyp == ref:
        return 0.0
    score = _ter().sentence_score(" ".join(hyp), [" ".join(ref)])
    return score.num_edits / len(ref)


def _diff(a: list[str], b: list[str]) -> list[tuple[str, str]]:
    """Shortest insert/delete script between two token lists, as merged text pieces."""
    pieces: list[tuple[str, str]] = []
    deleted: list[str] = []
    inserted: list[str] = []

    def flush() -> None:
        if deleted:
            pieces.append(("delete", "".join(deleted)))
            deleted.clear()
        if inserted:
            pieces.append(("insert", "".join(inserted)))
            inserted.clear()

    for op in Indel.opcodes(a, b):
        if op.tag == "equal":
            flush()
            text = "".join(a[op.src_start:op.src_end])
            if pieces and pieces[-1][0] == "equal":
                pieces[-1] = ("equal", pieces[-1][1] + text)
            else:
                pieces.append(("equal", text))
        else:  # Indel has only "delete" and "insert": group each run as delete, then insert
            deleted.extend(a[op.src_start:op.src_end])
            inserted.extend(b[op.dest_start:op.dest_end])
    flush()
    return pieces


def char_diff(a: str, b: str) -> list[tuple[str, str]]:
    """Diff at grapheme-cluster granularity: ``[("equal"|"insert"|"delete", text), ...]``.

        >>> char_diff("কিতাব", "কেতাব")      # the vowel sign goes with its consonant
        [('delete', 'কি'), ('insert', 'কে'), ('equal', 'তাব')]
    """
    return _diff(_GRAPHEME.findall(a), _GRAPHEME.findall(b))


def word_diff(a: str, b: str) -> list[tuple[str, str]]:
    """Diff at word granularity (whitespace-separated words, punctuation apart; grapheme
    clusters for scripts written without spaces), in the same shape as :func:`char_diff`.
    """
    return _diff(_TOKEN_OR_SPACE.findall(a), _TOKEN_OR_SPACE.findall(b))
