"""Translation-memory lookup on the device: the best earlier translations of a source segment.

    memory = MemoryIndex([("u1", "Wash your hands.", "Osha mikono yako."), ...])
    for match in memory.lookup("Wash your hands with soap."):
        match.score, match.exact, match.source, match.target      # 82, False, ...
    memory.concordance("hands")                                    # units holding the words

A match's score is the percentage CAT tools show: 100 for the same source, 99 when only case
or spacing differ, else rapidfuzz's ``fuzz.ratio`` (normalized Indel similarity) of the two
normalized sources, capped at 99. Only matches of at least ``threshold`` (70) are offered.

Speed: scoring every unit of a 100,000-segment memory with rapidfuzz takes tens of
milliseconds per segment; the index keeps, per character trigram of the normalized sources,
the units that contain it (numpy arrays), counts the trigrams each unit shares with the
query in one ``bincount``, and scores only the :data:`CANDIDATES` units that share the most
(Dice coefficient). Trigrams work in every script, spaced or not. ``bench/postedit.py``
measures it against a plain ``process.extract`` scan.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz

CANDIDATES = 400        # units scored exactly per lookup, those sharing the most trigrams
DEFAULT_THRESHOLD = 70  # the usual lowest fuzzy match a CAT tool offers
ROW_BITS = 23           # units per memory: at most 8 million
KEY_BITS = 40           # trigram hash; ROW_BITS + KEY_BITS fit a signed int64
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class Match:
    id: str
    source: str
    target: str
    score: int           # 0-100
    exact: bool          # the same source, character for character (after NFC)
    origin: str = ""     # "tmx", "postedit": where the unit came from


def normalize(text: str) -> str:
    """What matching compares: NFC, case folded, runs of spaces as one, trimmed."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text).casefold()).strip()


def _gram_keys(texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Every character trigram of every text (padded with a space each side) as a 40-bit
    hash (three 21-bit code points, mixed), with the index of the text it comes from. Two
    trigrams sharing a hash only add a candidate: candidates are scored exactly."""
    padded = [f" {text} " for text in texts]
    if not padded:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    if len(padded) >= 1 << ROW_BITS:
        raise ValueError(f"a memory holds at most {(1 << ROW_BITS) - 1:,} units")
    codes = np.frombuffer("".join(padded).encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    lengths = np.fromiter((len(p) for p in padded), dtype=np.int64, count=len(padded))
    rows = np.repeat(np.arange(len(padded), dtype=np.int64), lengths)
    keys = (codes[:-2] << np.uint64(42)) | (codes[1:-1] << np.uint64(21)) | codes[2:]
    keys = ((keys * np.uint64(0x9E3779B97F4A7C15)) >> np.uint64(64 - KEY_BITS)).astype(np.int64)
    inside = rows[:-2] == rows[2:]  # the three characters belong to one text
    return keys[inside], rows[:-2][inside]


class MemoryIndex:
    """The units of one language pair, indexed for fuzzy lookup and concordance.

    ``units`` are ``(id, source, target)`` or ``(id, source, target, origin)`` tuples.
    Building is vectorized (numpy): about a second per 100,000 units; build it off the UI
    thread once and keep it until the memory changes (the Post-edit screen does)."""

    def __init__(self, units: Iterable[tuple]):
        self.ids: list[str] = []
        self.sources: list[str] = []
        self.targets: list[str] = []
        self.origins: list[str] = []
        self.normalized: list[str] = []
        self._exact: dict[str, list[int]] = {}
        for row, unit in enumerate(units):
            self.ids.append(unit[0])
            self.sources.append(unit[1])
            self.targets.append(unit[2])
            self.origins.append(unit[3] if len(unit) > 3 else "")
            norm = normalize(unit[1])
            self.normalized.append(norm)
            self._exact.setdefault(norm, []).append(row)
        keys, rows = _gram_keys(self.normalized)
        # One sort of (trigram hash, unit) packed in an int64 (a sort of values is several
        # times faster than an argsort): a posting list per trigram, units in order within.
        packed = np.sort((keys << ROW_BITS) | rows)
        keys, rows = packed >> ROW_BITS, packed & ((1 << ROW_BITS) - 1)
        starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]]) if len(keys) \
            else np.zeros(0, dtype=np.int64)
        self._keys = keys[starts]
        self._offsets = np.append(starts, len(keys)).astype(np.int64)
        self._postings = rows.astype(np.int32)
        self._sizes = np.bincount(self._postings, minlength=len(self.ids)).astype(np.float32)
        self._lengths = np.fromiter((len(n) for n in self.normalized), dtype=np.int32,
                                    count=len(self.normalized))

    def __len__(self) -> int:
        return len(self.ids)

    def lookup(self, source: str, *, limit: int = 5,
               threshold: int = DEFAULT_THRESHOLD) -> list[Match]:
        """The best ``limit`` matches for ``source``, best first (exact ones first)."""
        query = normalize(source)
        if not query or not self.ids:
            return []
        scores: dict[int, int] = {}
        for row in self._exact.get(query, ()):
            scores[row] = 100 if unicodedata.normalize("NFC", source) == self.sources[row] \
                else 99
        for row in self._candidates(query, threshold).tolist():
            if row not in scores:
                score = fuzz.ratio(query, self.normalized[row], score_cutoff=threshold)
                if score:
                    scores[row] = min(99, int(score))
        best = sorted(scores.items(), key=lambda item: (-item[1], self.sources[item[0]]))
        return [Match(self.ids[row], self.sources[row], self.targets[row], score,
                      score == 100, self.origins[row]) for row, score in best[:limit]]

    def _candidates(self, query: str, threshold: int = DEFAULT_THRESHOLD) -> np.ndarray:
        keys = np.unique(_gram_keys([query])[0])
        size = len(keys)
        places = np.searchsorted(self._keys, keys)
        known = places < len(self._keys)
        places, keys = places[known], keys[known]
        grams = places[self._keys[places] == keys]
        if not len(grams):
            return np.zeros(0, dtype=np.int32)
        # A trigram in more than a tenth of the memory (" th" in English) says little about
        # which unit is closest and costs the most to count: left out while enough others
        # remain.
        lengths = self._offsets[grams + 1] - self._offsets[grams]
        rare = grams[lengths <= max(len(self.ids) // 10, 1000)]
        if len(rare) * 3 >= len(grams):
            grams = rare
        hits = np.concatenate([self._postings[self._offsets[g]:self._offsets[g + 1]]
                               for g in grams.tolist()])
        shared = np.bincount(hits, minlength=len(self.ids))
        rows = np.flatnonzero(shared)
        # fuzz.ratio reaches the threshold only between these lengths (2M / (a + b) with
        # M <= the shorter): the others need no scoring.
        length = len(query)
        low, high = length * threshold / (200 - threshold), length * (200 - threshold) / threshold
        rows = rows[(self._lengths[rows] >= low) & (self._lengths[rows] <= high)]
        if len(rows) <= CANDIDATES:
            return rows
        dice = 2 * shared[rows] / (self._sizes[rows] + size)
        # Ties are many (whole ranges of equal counts), and argpartition degrades on them:
        # break them by row, which keeps the choice deterministic.
        dice = dice - rows * (1e-12)
        return rows[np.argpartition(-dice, CANDIDATES)[:CANDIDATES]]

    def concordance(self, text: str, *, limit: int = 50) -> list[Match]:
        """Units whose source or target contains every word of ``text`` (case-insensitive),
        in memory order; score is 0 (not a similarity)."""
        words = [normalize(w) for w in text.split() if w.strip()]
        if not words:
            return []
        found = []
        for row, norm in enumerate(self.normalized):
            target = None
            for word in words:
                if word in norm:
                    continue
                if target is None:
                    target = normalize(self.targets[row])
                if word not in target:
                    break
            else:
                found.append(Match(self.ids[row], self.sources[row], self.targets[row], 0,
                                   False, self.origins[row]))
                if len(found) >= limit:
                    break
        return found
