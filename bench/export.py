"""Dataset export at scale: rows/s and peak memory, beside a plain ``json.dumps`` loop.

    .venv/bin/python bench/export.py                    # 1,000,000 submissions, SQLite
    .venv/bin/python bench/export.py --rows 50000 --json
    .venv/bin/python bench/export.py --db postgresql+psycopg://…/qalam --rows 200000

Fills a server database with submissions (bulk ``executemany``; multilingual text in ten
languages and scripts, a mix of originals, re-annotations and post-edits, some reviewed),
then runs three children one after the other, each in its own process so each peak RSS is
its own (``os.wait4``): the baseline (stream the same rows, ``json.dumps`` each into a file),
the JSONL export and the Parquet export. Prints rows/s and peak RSS, and each export's ratio
to the baseline measured in the same run. ``growth`` is how far the peak rose during the
export itself, past the child's imports and set-up: it stays flat whatever the row count.
With ``--repeat N`` the three runs take turns N times over the one filled database and each
figure is the median of its N runs (ratios: of the medians).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.serverdb import database_url  # noqa: E402

SENTENCES = {
    "urd_Arab": ["پاکستان کا دارالحکومت اسلام آباد ہے۔", "بارش کے بعد مٹی کی خوشبو آتی ہے۔",
                 "میں ہر صبح چائے پیتا ہوں اور اخبار پڑھتا ہوں۔", "یہ کتاب بہت دلچسپ ہے۔"],
    "hin_Deva": ["भारत की राजधानी नई दिल्ली है।", "किसान सुबह जल्दी खेत में जाते हैं।",
                 "बच्चों को कहानियाँ सुनना पसंद है।", "गंगा नदी बहुत पवित्र मानी जाती है।"],
    "ben_Beng": ["বাংলাদেশের রাজধানী ঢাকা।", "বর্ষাকালে নদীগুলো ভরে যায়।",
                 "আমি প্রতিদিন বিকেলে হাঁটতে যাই।", "রবীন্দ্রনাথ ঠাকুর নোবেল পুরস্কার পেয়েছিলেন।"],
    "swh_Latn": ["Mji mkuu wa Kenya ni Nairobi.", "Watoto wanacheza mpira uwanjani.",
                 "Mvua ilinyesha usiku kucha.", "Chakula cha jioni kiko tayari sasa."],
    "yor_Latn": ["Ìlú Èkó jẹ́ ìlú ńlá ní Nàìjíríà.", "Àwọn ọmọdé ń kọ́ ẹ̀kọ́ ní ilé-ìwé.",
                 "Ojú ọjọ́ dára lónìí.", "Mo fẹ́ràn láti jẹ ẹ̀wà àti dòdò."],
    "amh_Ethi": ["የኢትዮጵያ ዋና ከተማ አዲስ አበባ ነው።", "ቡና በኢትዮጵያ ባህል ውስጥ ትልቅ ቦታ አለው።",
                 "ልጆቹ ትምህርት ቤት ሄዱ።", "ዝናቡ ዛሬ ጠዋት ጀመረ።"],
    "arb_Arab": ["القاهرة هي عاصمة مصر.", "يحب الأطفال اللعب في الحديقة.",
                 "قرأت كتابا ممتعا عن التاريخ.", "الطقس جميل في فصل الربيع."],
    "fra_Latn": ["Paris est la capitale de la France.", "Les enfants jouent dans le parc.",
                 "Il pleut souvent en automne.", "J'aime lire des romans le soir."],
    "zho_Hans": ["北京是中国的首都。", "孩子们在公园里玩耍。", "我每天早上喝一杯茶。",
                 "这本书非常有意思。"],
    "mya_Mymr": ["နေပြည်တော်သည် မြန်မာနိုင်ငံ၏ မြို့တော်ဖြစ်သည်။", "ကလေးများ ပန်းခြံတွင် ကစားကြသည်။",
                 "မိုးရာသီတွင် မိုးအများအပြား ရွာသည်။", "ကျွန်တော် နေ့တိုင်း လက်ဖက်ရည် သောက်သည်။"],
}
USERS = 3000
BATCH = 10_000


def fill(url: str, rows: int, *, seed: int = 7) -> None:
    """``rows`` submissions by ``USERS`` annotators, in one project with the default rules."""

    from app.ids import new_id
    from bench.serverdb import fresh
    from sync.protocol import freeze
    from sync.server import db, tables
    from sync.server.work.acceptance import measured_distances

    engine = fresh(url, ["bench"])
    rng = random.Random(seed)
    now = "2026-01-01T00:00:00.000Z"
    languages = list(SENTENCES)
    S, R, U = tables.submissions, tables.reviews, tables.users
    with db.write_transaction(engine) as conn:
        seq = db.current_seq(conn)
        users = [{"id": new_id(), "name": f"bench-{i}", "role": "annotator",
                  "languages": json.dumps([languages[i % len(languages)]]),
                  "created_at": now, "updated_at": now} for i in range(USERS)]
        conn.execute(U.insert(), users)
        reviewer = users[0]["id"]
        done = 0
        while done < rows:
            subs, reviews = [], []
            for _ in range(min(BATCH, rows - done)):
                user = users[rng.randrange(USERS)]["id"]
                language = languages[rng.randrange(len(languages))]
                pool = SENTENCES[language]
                inputs = " ".join(rng.choices(pool, k=rng.randint(1, 2)))
                targets = " ".join(rng.choices(pool, k=rng.randint(3, 8)))
                roll = rng.random()
                record = {"id": new_id(), "language": language, "inputs": inputs,
                          "targets": targets, "state": "submitted", "dialect": None,
                          "task_id": None, "project_id": "bench", "user_id": user}
                if roll < 0.6:
                    record["kind"] = "original"
                elif roll < 0.9:
                    record.update(kind="reannotation", original_inputs=inputs,
                                  original_targets=targets[: len(targets) // 2],
                                  prompt_distance=0,
                                  completion_distance=rng.choice([2, 9, 30, 120]))
                else:
                    record.update(kind="postedit", original_inputs=inputs,
                                  original_targets=targets[::-1][:80],
                                  prompt_distance=0, completion_distance=rng.randint(0, 90),
                                  hter=round(rng.random(), 4),
                                  seconds_spent=round(rng.uniform(5, 300), 1),
                                  edit_sessions=rng.randint(1, 3))
                seq += 1
                # Measured by the server as a push does (migration 0005), never a claim.
                prompt, completion = measured_distances(record["kind"], record, None)
                subs.append({"id": record["id"], "author_id": user, "device_id": "bench",
                             "language": language, "kind": record["kind"],
                             "state": "submitted", "task_id": None, "project_id": "bench",
                             "changed_by": None, "payload": freeze(record), "revision": 1,
                             "prompt_distance": prompt, "completion_distance": completion,
                             "server_seq": seq, "deleted": False, "created_at": now,
                             "updated_at": now})
                if rng.random() < 0.02 and user != reviewer:
                    seq += 1
                    review = {"id": new_id(), "submission_id": record["id"],
                              "rating_inputs": rng.randint(2, 5),
                              "rating_targets": rng.randint(2, 5), "reason": "",
                              "user_id": reviewer}
                    reviews.append({"id": review["id"], "author_id": reviewer,
                                    "device_id": "bench", "submission_id": record["id"],
                                    "changed_by": None, "payload": freeze(review),
                                    "revision": 1, "server_seq": seq, "deleted": False,
                                    "created_at": now, "updated_at": now})
            conn.execute(S.insert(), subs)
            if reviews:
                conn.execute(R.insert(), reviews)
            done += len(subs)
        conn.execute(tables.counters.update().where(tables.counters.c.name == "server_seq")
                     .values(value=seq))
    engine.dispose()


def _peak_kb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kilobytes on Linux


def child(mode: str, url: str, out: Path) -> None:
    """One measured run; prints a JSON line: rows, seconds, peak before and after."""
    import sqlalchemy as sa

    from sync.server import db, tables

    engine = db.create_engine(url)
    if mode != "baseline":
        import pyarrow.parquet  # noqa: F401  (imports are set-up, not export memory)

        from sync.server.export import export_dataset
    with engine.connect() as conn:  # warm the pool and the dialect
        conn.execute(sa.select(1))
    before = _peak_kb()
    started = time.perf_counter()
    if mode == "baseline":
        S = tables.submissions
        rows = 0
        out.mkdir(parents=True, exist_ok=True)
        with engine.connect() as conn, open(out / "baseline.jsonl", "w", encoding="utf-8") as f:
            result = conn.execution_options(yield_per=5000).execute(
                sa.select(S.c.author_id, S.c.language, S.c.kind, S.c.payload)
                .where(S.c.deleted == sa.false(), S.c.state != "draft").order_by(S.c.id))
            for row in result:
                record = json.loads(row.payload)
                f.write(json.dumps({"inputs": record["inputs"], "targets": record["targets"],
                                    "language": row.language, "language_code": row.language,
                                    "annotation_type": row.kind, "user_id": row.author_id},
                                   ensure_ascii=False) + "\n")
                rows += 1
    else:
        rows = export_dataset(engine, out, fmt=mode).rows
    seconds = time.perf_counter() - started
    engine.dispose()
    print(json.dumps({"mode": mode, "rows": rows, "seconds": seconds, "before_kb": before,
                      "peak_kb": _peak_kb()}))


def measure(mode: str, url: str, out: Path) -> dict:
    process = subprocess.Popen([sys.executable, __file__, "--child", mode, "--db", url,
                                "--out", str(out)], stdout=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(process.pid, 0)
    output = process.stdout.read()
    process.stdout.close()
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise SystemExit(f"the {mode} run failed (exit {process.returncode})")
    report = json.loads(output.strip().splitlines()[-1])
    report["peak_rss_mb"] = usage.ru_maxrss / 1024
    report["growth_mb"] = max(0, report["peak_kb"] - report["before_kb"]) / 1024
    report["rows_per_s"] = report["rows"] / report["seconds"] if report["seconds"] else 0.0
    shutil.rmtree(out, ignore_errors=True)  # a million rows' files: not kept for the next run
    return report


def _median(reports: list[dict]) -> dict:
    """One report of several runs of one mode: the median of each figure."""
    merged = dict(reports[0])
    for key in ("seconds", "peak_rss_mb", "growth_mb", "rows_per_s"):
        merged[key] = statistics.median(report[key] for report in reports)
    merged["runs"] = len(reports)
    merged["each_rows_per_s"] = [round(report["rows_per_s"]) for report in reports]
    return merged


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--db", help="a database URL or a SQLite file's path "
                        "(default: a new SQLite file in a temp dir)")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument("--runs", default="baseline,jsonl,parquet",
                        help="which runs, comma-separated (default: all three)")
    parser.add_argument("--filled", action="store_true",
                        help="the database at --db was filled by an earlier run "
                             "(--rows as then): measure only")
    parser.add_argument("--repeat", type=int, default=1,
                        help="run each N times, taking turns; report medians (default: 1)")
    parser.add_argument("--child", choices=("baseline", "jsonl", "parquet"),
                        help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child, args.db, args.out)
        return 0
    with tempfile.TemporaryDirectory(prefix="qalam-bench-export-") as temp:
        url = database_url(args.db, Path(temp))
        if args.filled and not args.db:
            parser.error("--filled needs --db (the database an earlier run filled)")
        started = time.perf_counter()
        if not args.filled:
            fill(url, args.rows)
        filled = time.perf_counter() - started
        if not args.json and not args.filled:
            print(f"filled {args.rows:,} submissions in {filled:.1f} s "
                  f"({args.rows / filled:,.0f} rows/s)")
        runs = [mode for mode in ("baseline", "jsonl", "parquet")
                if mode in args.runs.split(",")]
        rounds = [[measure(mode, url, Path(temp) / f"{mode}-{n}") for mode in runs]
                  for n in range(max(1, args.repeat))]
    results = [_median([each[i] for each in rounds]) for i in range(len(runs))]
    base = results[0] if runs[0] == "baseline" else None
    for report in results:
        if base:
            report["speed_ratio"] = report["rows_per_s"] / base["rows_per_s"]
            report["rss_ratio"] = report["peak_rss_mb"] / base["peak_rss_mb"]
    if args.json:
        print(json.dumps({"rows": args.rows, "fill_seconds": filled, "runs": results}))
        return 0
    print(f"{'run':<9}{'rows':>11}{'seconds':>9}{'rows/s':>10}{'peak RSS':>11}{'growth':>9}"
          f"{'speed×':>8}{'RSS×':>7}")
    for r in results:
        print(f"{r['mode']:<9}{r['rows']:>11,}{r['seconds']:>9.1f}{r['rows_per_s']:>10,.0f}"
              f"{r['peak_rss_mb']:>8.0f} MB{r['growth_mb']:>6.0f} MB"
              f"{r.get('speed_ratio', 0):>8.2f}{r.get('rss_ratio', 0):>7.2f}")
    if args.repeat > 1:
        print(f"(medians of {args.repeat} runs each, taking turns)")
    print("(exports apply the acceptance rules and the language gate, hash user ids, and "
          "write the demographics and the card; the baseline only dumps rows)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
