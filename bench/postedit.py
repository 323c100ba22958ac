"""Benchmark: fuzzy translation-memory lookup per segment, beside a plain rapidfuzz scan.

    .venv/bin/python bench/postedit.py [--units 100000] [--queries 200] [--seed 7]

A memory of ``--units`` synthetic segments (5 to 25 words drawn Zipf-like from a 5,000-word
vocabulary, so common words recur as in real text) is indexed by :class:`app.tm.MemoryIndex`;
then ``--queries`` segments are looked up: half are memory segments with a few words changed
(fuzzy matches exist), a quarter unchanged (exact), a quarter new. Baseline, in the same run
on the same queries: ``rapidfuzz.process.extract(query, sources, scorer=fuzz.ratio,
limit=5, score_cutoff=70)`` over every normalized source. Target: at most 50 ms per segment.
Wall-clock times count whatever else the machine runs meanwhile; the CPU time of the
lookup's own thread is printed beside them.
Also printed: the index's build time (once per memory change, off the UI thread), and how
often the index's best match equals the scan's best score (it scores only candidates).

The last line reads ``median N ms, worst M ms per segment``.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import time

from rapidfuzz import fuzz, process

from app.tm import MemoryIndex, normalize


def _vocabulary(rng: random.Random, size: int = 5_000) -> list[str]:
    letters = "abcdefghijklmnopqrstuvwxyz"
    return ["".join(rng.choice(letters) for _ in range(rng.randint(2, 9))) for _ in range(size)]


def _sentence(rng: random.Random, words: list[str], weights: list[float]) -> list[str]:
    return rng.choices(words, weights=weights, k=rng.randint(5, 25))


def build_memory(units: int, seed: int) -> tuple[list[tuple[str, str, str]], list[str],
                                                 list[float], random.Random]:
    rng = random.Random(seed)
    words = _vocabulary(rng)
    weights = [1 / (rank + 1) for rank in range(len(words))]
    memory = []
    for n in range(units):
        source = " ".join(_sentence(rng, words, weights)).capitalize() + "."
        memory.append((f"u{n}", source, source.upper()))
    return memory, words, weights, rng


def queries_for(memory, words, weights, rng, count: int) -> list[str]:
    found = []
    for n in range(count):
        kind = n % 4
        if kind == 3:
            found.append(" ".join(_sentence(rng, words, weights)).capitalize() + ".")
            continue
        source = rng.choice(memory)[1]
        if kind == 2:
            found.append(source)
            continue
        tokens = source.split()
        for _ in range(max(1, len(tokens) // 6)):
            tokens[rng.randrange(len(tokens))] = rng.choice(words)
        found.append(" ".join(tokens))
    return found


def timed(fn, queries) -> tuple[list[float], list, list[float]]:
    """Wall-clock ms per query, the results, and this thread's CPU ms per query (what the
    lookup costs when the machine is shared: other processes' time is not in it)."""
    times, results, cpu = [], [], []
    for query in queries:
        started, started_cpu = time.perf_counter(), time.thread_time()
        results.append(fn(query))
        cpu.append((time.thread_time() - started_cpu) * 1000)
        times.append((time.perf_counter() - started) * 1000)
    return times, results, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--units", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    memory, words, weights, rng = build_memory(args.units, args.seed)
    queries = queries_for(memory, words, weights, rng, args.queries)
    print(f"machine load (1/5/15 min): {' '.join(f'{x:.2f}' for x in os.getloadavg())}")

    started = time.perf_counter()
    index = MemoryIndex(memory)
    print(f"index of {len(index):,} units built in {time.perf_counter() - started:.2f} s")

    normalized = [normalize(source) for _, source, _ in memory]

    def scan(query: str):
        return process.extract(normalize(query), normalized, scorer=fuzz.ratio, limit=5,
                               score_cutoff=70)

    scan_times, scan_results, scan_cpu = timed(scan, queries)
    index_times, index_results, index_cpu = timed(lambda q: index.lookup(q, limit=5), queries)

    same = sum(
        (round(scan_best[0][1]) if scan_best else 0)
        <= (index_best[0].score if index_best else 0) + 1
        for scan_best, index_best in zip(scan_results, index_results, strict=True))
    scan_median, index_median = statistics.median(scan_times), statistics.median(index_times)
    print(f"baseline process.extract scan: median {scan_median:.1f} ms, "
          f"worst {max(scan_times):.1f} ms per segment")
    print(f"index: median {index_median:.2f} ms, worst {max(index_times):.2f} ms per segment "
          f"({scan_median / index_median:.0f}x faster at the median)")
    print(f"CPU time (this thread): scan median {statistics.median(scan_cpu):.1f} ms, worst "
          f"{max(scan_cpu):.1f} ms; index median {statistics.median(index_cpu):.2f} ms, worst "
          f"{max(index_cpu):.2f} ms per segment")
    print(f"best match as good as the scan's (within 1 point): {same} of {len(queries)}")
    print(f"median {index_median:.1f} ms, worst {max(index_times):.1f} ms per segment")


if __name__ == "__main__":
    main()
