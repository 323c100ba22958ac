"""Benchmark: durable save_draft and full-text search, beside raw sqlite3 doing the same.

    .venv/bin/python bench/store.py [--rows 100000] [--saves 300]

Targets (issue: offline core): save_draft ≤ 3× a raw durable insert; search ≤ 20 ms over
100k submissions. Prints medians; machines here are noisy, so compare the ratios.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

from app.store import Store

SENTENCES = {
    "arb_Arab": ["كيف أزرع الطماطم في حديقة صغيرة؟", "الماء ضروري للحياة والزراعة",
                 "تعلمت القراءة من جدتي في القرية"],
    "hin_Deva": ["बारिश के मौसम में धान की खेती कैसे करें?", "मेरी दादी कहानियाँ सुनाती थीं",
                 "स्वच्छ पानी से बीमारियाँ कम होती हैं"],
    "tha_Thai": ["วิธีปลูกข้าวในฤดูฝน", "ยายของฉันเล่านิทานทุกคืน", "น้ำสะอาดช่วยลดโรคภัย"],
    "swh_Latn": ["Jinsi ya kupanda mahindi wakati wa mvua", "Bibi yangu alinisimulia hadithi",
                 "Maji safi hupunguza magonjwa"],
    "urd_Arab": ["بارش کے موسم میں چاول کیسے اگائیں؟", "میری دادی کہانیاں سناتی تھیں",
                 "صاف پانی سے بیماریاں کم ہوتی ہیں"],
}
QUERIES = ["الطماطم", "धान की", "ปลูกข้าว", "mahindi", "کہانیاں", "सुनाती", "hadithi", "کی"]


def _rows(count: int, rng: random.Random):
    languages = list(SENTENCES)
    for n in range(count):
        language = languages[n % len(languages)]
        words = SENTENCES[language]
        inputs = f"{rng.choice(words)} {n}"
        targets = " ".join(rng.choice(words) for _ in range(6))
        yield f"bench-{n:07d}", language, inputs, targets


def _raw(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("CREATE TABLE IF NOT EXISTS rows (id TEXT PRIMARY KEY, inputs TEXT, targets TEXT)")
    conn.execute(
        "CREATE VIRTUAL TABLE IF NOT EXISTS rows_fts USING fts5("
        "inputs, targets, content='rows', tokenize='trigram')"
    )
    return conn


def bench_saves(folder: Path, saves: int) -> tuple[float, float]:
    store = Store.open(folder / "saves.db")
    draft = store.new_submission(language="urd_Arab")
    raw = _raw(folder / "raw-saves.db")
    ours, baseline = [], []
    text = "میری دادی کہانیاں سناتی تھیں "
    for n in range(saves):
        started = time.perf_counter()
        store.save_draft(draft.id, inputs=text, targets=text * (1 + n % 7) + str(n))
        ours.append(time.perf_counter() - started)
        started = time.perf_counter()
        raw.execute("BEGIN")
        raw.execute("INSERT INTO rows VALUES (?, ?, ?)", [f"r{n}", text, text * (1 + n % 7)])
        raw.execute("COMMIT")
        baseline.append(time.perf_counter() - started)
    store.close()
    raw.close()
    return statistics.median(ours), statistics.median(baseline)


def bench_search(folder: Path, rows: int) -> tuple[float, float, int]:
    rng = random.Random(7)
    data = list(_rows(rows, rng))
    store = Store.open(folder / "search.db")
    with store.db.atomic():
        store.db.conn.executemany(
            "INSERT INTO submissions (id, kind, language, inputs, targets, created_at, "
            "updated_at) VALUES (?, 'original', ?, ?, ?, '2026-01-01', '2026-01-01')",
            data,
        )
    raw = _raw(folder / "raw-search.db")
    raw.execute("BEGIN")
    raw.executemany("INSERT INTO rows VALUES (?, ?, ?)", [(i, a, b) for i, _, a, b in data])
    raw.execute("INSERT INTO rows_fts (rows_fts) VALUES ('rebuild')")
    raw.execute("COMMIT")
    ours, baseline, hits = [], [], 0
    for _ in range(5):
        for query in QUERIES:
            started = time.perf_counter()
            hits += len(store.search(query, limit=50))
            ours.append(time.perf_counter() - started)
            match = " AND ".join(f'"{w}"' for w in query.split() if len(w) >= 3)
            started = time.perf_counter()
            if match:
                raw.execute(
                    "SELECT r.* FROM rows_fts f JOIN rows r ON r.rowid = f.rowid "
                    "WHERE rows_fts MATCH ? ORDER BY f.rowid DESC LIMIT 50",
                    [match],
                ).fetchall()
            else:  # words shorter than a trigram: a scan, as in the store
                raw.execute(
                    "SELECT * FROM rows WHERE instr(lower(inputs), ?) OR instr(lower(targets), ?)"
                    " ORDER BY rowid DESC LIMIT 50",
                    [query, query],
                ).fetchall()
            baseline.append(time.perf_counter() - started)
    store.close()
    raw.close()
    return statistics.median(ours), statistics.median(baseline), hits


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--saves", type=int, default=300)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    save_ratios, save_ms, search_ms, raw_search_ms = [], [], [], []
    for run in range(args.runs):
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            ours, raw = bench_saves(folder, args.saves)
            save_ratios.append(ours / raw)
            save_ms.append(ours * 1000)
            s_ours, s_raw, hits = bench_search(folder, args.rows)
            search_ms.append(s_ours * 1000)
            raw_search_ms.append(s_raw * 1000)
            print(
                f"run {run + 1}: save_draft {ours * 1000:.3f} ms vs raw durable insert "
                f"{raw * 1000:.3f} ms (×{ours / raw:.2f}); search {s_ours * 1000:.2f} ms vs raw "
                f"FTS {s_raw * 1000:.2f} ms over {args.rows:,} rows ({hits} hits)",
                flush=True,
            )
    ratio = statistics.median(save_ratios)
    search = statistics.median(search_ms)
    print(
        f"\nmedian of {args.runs} runs: save_draft {statistics.median(save_ms):.3f} ms = "
        f"×{ratio:.2f} raw durable insert (target ≤ 3) "
        f"[{'OK' if ratio <= 3 else 'MISSED'}]; search {search:.2f} ms, raw FTS "
        f"{statistics.median(raw_search_ms):.2f} ms (target ≤ 20 ms) "
        f"[{'OK' if search <= 20 else 'MISSED'}]"
    )


if __name__ == "__main__":
    main()
