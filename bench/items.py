"""The dashboard's item search at scale: time per page of ``/dashboard/items`` searches and
filters, beside a plain indexed SELECT of one page measured in the same run.

    .venv/bin/python bench/items.py                          # 1,000,000 submissions, both
    .venv/bin/python bench/items.py --rows 100000 --backend sqlite
    .venv/bin/python bench/items.py --backend postgresql --db postgresql+psycopg://…/qalam
    .venv/bin/python bench/items.py --backend sqlite --db sqlite:///…/server.db --filled
                                                    # measure again, without filling

Fills a fresh server database (SQLite in a temporary folder; PostgreSQL in a throwaway
cluster of ``tests/server/postgres.py`` unless ``--db`` names one) with submissions in ten
languages and scripts by 3,000 annotators over a year, 2 % reviewed (a tenth of those
flagged), some accepted or rejected, and ``RARE`` items carrying a word found nowhere else.
SQLite's full-text table is filled by the triggers as rows arrive, as in production; on
PostgreSQL the trigram index is dropped for the load and built again as migration 0011 builds
it (one index build instead of a million inserts into it), then the tables are vacuumed and
analysed (as autovacuum does after inserts: index-only scans need its visibility map). Then
each case runs ``--runs`` times through :func:`sync.server.quality.search.find_items` (what
the page calls: the query, the names, review counts and flags of the page's 50 rows); the
median is printed with its ratio to the baseline,
``SELECT id, payload FROM submissions ORDER BY server_seq DESC LIMIT 50``.

Target (issue 14): every page ≤ 300 ms at 1,000,000 submissions. The machine is shared:
compare the ratios, and the load printed with them.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.export import SENTENCES  # noqa: E402  (the same multilingual text)

USERS = 3000
DEVICES_PER_USER = 2
BATCH = 10_000
RARE = 12
RARE_WORD = "زعفرانیہ"          # in RARE Urdu items only
PAGE = 50


def fill(url: str, rows: int, *, seed: int = 14) -> dict:
    """``rows`` submissions; returns what the cases ask for (an author, a device, ...)."""
    import sqlalchemy as sa

    from app.ids import new_id
    from bench.serverdb import finish, fresh
    from sync.protocol import freeze
    from sync.server import db, tables

    engine = fresh(url, ["bench-a", "bench-b"], defer_search_index=True)
    sqlite = db.is_sqlite(engine)
    rng = random.Random(seed)
    languages = list(SENTENCES)
    S, R, U, D = tables.submissions, tables.reviews, tables.users, tables.devices
    start = 1_767_225_600  # 2026-01-01
    rare_at = set(rng.sample(range(rows), min(RARE, rows)))
    with db.write_transaction(engine) as conn:
        seq = db.current_seq(conn)
        stamp = "2026-01-01T00:00:00.000Z"
        users = [{"id": new_id(), "name": f"bench-{i}", "role": "annotator",
                  "languages": json.dumps([languages[i % len(languages)]]),
                  "created_at": stamp, "updated_at": stamp} for i in range(USERS)]
        conn.execute(U.insert(), users)
        devices = {u["id"]: [new_id() for _ in range(DEVICES_PER_USER)] for u in users}
        conn.execute(D.insert(), [{"id": d, "user_id": u, "enrolled_at": stamp}
                                  for u, ds in devices.items() for d in ds])
        reviewer = users[0]["id"]
        for done in range(0, rows, BATCH):
            subs, reviews = [], []
            for n in range(done, min(done + BATCH, rows)):
                user = users[rng.randrange(USERS)]["id"]
                language = "urd_Arab" if n in rare_at else languages[rng.randrange(len(languages))]
                pool = SENTENCES[language]
                inputs = " ".join(rng.choices(pool, k=rng.randint(1, 2)))
                if n in rare_at:
                    inputs += f" {RARE_WORD}"
                targets = " ".join(rng.choices(pool, k=rng.randint(3, 8)))
                kind = rng.choices(("original", "reannotation", "postedit"), (6, 3, 1))[0]
                state = rng.choices(("submitted", "accepted", "rejected"), (90, 8, 2))[0]
                at = time.strftime("%Y-%m-%dT%H:%M:%S.000Z",
                                   time.gmtime(start + n * 31_536_000 // rows))
                record = {"id": new_id(), "language": language, "inputs": inputs,
                          "targets": targets, "state": state, "kind": kind, "dialect": None,
                          "task_id": None, "project_id": "bench-a" if n % 3 else "bench-b",
                          "user_id": user}
                seq += 1
                subs.append({"id": record["id"], "author_id": user,
                             "device_id": devices[user][n % DEVICES_PER_USER],
                             "language": language, "kind": kind, "state": state,
                             "task_id": None, "project_id": record["project_id"],
                             "changed_by": None, "payload": freeze(record), "revision": 1,
                             "server_seq": seq, "deleted": False, "created_at": at,
                             "updated_at": at})
                if rng.random() < 0.02 and user != reviewer:
                    seq += 1
                    review = {"id": new_id(), "submission_id": record["id"],
                              "rating_inputs": rng.randint(2, 5),
                              "rating_targets": rng.randint(2, 5), "reason": "",
                              "user_id": reviewer}
                    if rng.random() < 0.1:
                        review["flag"] = "wrong_language"
                    reviews.append({"id": review["id"], "author_id": reviewer,
                                    "device_id": "bench", "submission_id": record["id"],
                                    "changed_by": None, "payload": freeze(review),
                                    "revision": 1, "server_seq": seq, "deleted": False,
                                    "created_at": at, "updated_at": at})
            conn.execute(S.insert(), subs)
            if reviews:
                conn.execute(R.insert(), reviews)
        conn.execute(tables.counters.update().where(tables.counters.c.name == "server_seq")
                     .values(value=seq))
        author = users[1]["id"]
        middle = conn.execute(sa.select(S.c.arrival).order_by(S.c.arrival)
                              .offset(rows // 2).limit(1)).scalar()
    built = finish(engine, vacuum=True)
    if not sqlite:
        print(f"  trigram index built in {built:.0f} s")
    return {"author": author, "device": devices[author][0], "middle": middle}


def filled(url: str) -> dict:
    """What :func:`fill` returned, read back from a database it filled (``--filled``)."""
    import sqlalchemy as sa

    from sync.server import db, tables

    engine = db.create_engine(url)
    db.migrate(engine)  # a database filled before a newer migration gets it
    S = tables.submissions
    with engine.connect() as conn:
        author = conn.execute(sa.select(tables.users.c.id)
                              .where(tables.users.c.name == "bench-1")).scalar_one()
        device = conn.execute(sa.select(sa.func.min(tables.devices.c.id))
                              .where(tables.devices.c.user_id == author)).scalar_one()
        rows = conn.execute(sa.select(sa.func.count()).select_from(S)).scalar_one()
        middle = conn.execute(sa.select(S.c.arrival).order_by(S.c.arrival)
                              .offset(rows // 2).limit(1)).scalar()
    engine.dispose()
    return {"author": author, "device": device, "middle": middle, "rows": rows}


def cases(found: dict) -> list[tuple[str, dict, dict]]:
    """(name, query fields, paging) for each case."""
    return [
        ("newest page", {}, {}),
        ("page from the middle", {}, {"after": found["middle"]}),
        ("oldest first", {"sort": "oldest"}, {}),
        ("rare word (12 items)", {"q": RARE_WORD}, {}),
        ("common word", {"q": "دارالحکومت"}, {}),
        ("two words, Hindi", {"q": "राजधानी दिल्ली"}, {}),
        ("Chinese, no spaces", {"q": "首都"}, {}),
        ("Myanmar, no spaces", {"q": "မြို့တော်"}, {}),
        ("short word (2 chars)", {"q": "ہے"}, {}),
        ("word + language", {"q": "capitale", "language": "fra_Latn"}, {}),
        ("word + author", {"q": "بارش", "author": found["author"]}, {}),
        ("word nowhere", {"q": "xylophone"}, {}),
        ("word, page from the middle", {"q": "دارالحکومت"}, {"after": found["middle"]}),
        ("word + a week", {"q": "دارالحکومت", "since": "2026-06-01", "until": "2026-06-07"},
         {}),
        ("rare word + the whole year", {"q": RARE_WORD, "since": "2026-01-01",
                                        "until": "2026-12-31"}, {}),
        ("word + kind", {"q": "دارالحکومت", "kind": "postedit"}, {}),
        ("word + unreviewed, unflagged", {"q": "दिल्ली", "reviewed": "no", "flagged": "no"},
         {}),
        ("word + flagged", {"q": "دارالحکومت", "flagged": "yes"}, {}),
        ("word + reviewed", {"q": "दिल्ली", "reviewed": "yes"}, {}),
        ("language", {"language": "amh_Ethi"}, {}),
        ("project", {"project": "bench-b"}, {}),
        ("kind", {"kind": "postedit"}, {}),
        ("state rejected", {"state": "rejected"}, {}),
        ("author", {"author": found["author"]}, {}),
        ("device", {"device": found["device"]}, {}),
        ("flagged", {"flagged": "yes"}, {}),
        ("reviewed", {"reviewed": "yes"}, {}),
        ("unreviewed", {"reviewed": "no"}, {}),
        ("date range (a week)", {"since": "2026-06-01", "until": "2026-06-07"}, {}),
        ("date range (the whole year)", {"since": "2026-01-01", "until": "2026-12-31"}, {}),
        ("date range (Jan-Feb)", {"since": "2026-01-01", "until": "2026-02-28"}, {}),
        ("date range (Jan-Jun)", {"since": "2026-01-01", "until": "2026-06-30"}, {}),
        ("until a date (Feb)", {"until": "2026-02-01"}, {}),
        ("since a date, oldest first", {"since": "2026-03-01", "sort": "oldest"}, {}),
        ("date range, page from the middle", {"since": "2026-01-01", "until": "2026-12-31"},
         {"after": found["middle"]}),
        ("everything at once", {"language": "urd_Arab", "kind": "original",
                                "state": "submitted", "reviewed": "no", "flagged": "no",
                                "since": "2026-03-01", "until": "2026-09-30"}, {}),
    ]


def measure(url: str, found: dict, runs: int) -> list[tuple[str, float, int]]:
    import sqlalchemy as sa

    from sync.server import db, tables
    from sync.server.people.users import invite
    from sync.server.quality.search import ItemQuery, find_items

    engine = db.create_engine(url)
    coordinator = invite(engine, name="bench-coordinator", role="coordinator",
                         languages=["urd_Arab"])[0]
    S = tables.submissions

    def baseline() -> int:
        with db.read_transaction(engine) as conn:
            return len(conn.execute(sa.select(S.c.id, S.c.payload)
                                    .order_by(S.c.server_seq.desc()).limit(PAGE)).all())

    def timed(work) -> tuple[float, int]:
        work()  # warm: the first run reads pages from disk
        times, count = [], 0
        for _ in range(runs):
            started = time.perf_counter()
            count = work()
            times.append(time.perf_counter() - started)
        return statistics.median(times), count

    results = [("baseline: plain SELECT of a page", *timed(baseline))]
    for name, fields, paging in cases(found):
        query = ItemQuery.parse(**fields)
        results.append((name, *timed(lambda q=query, p=paging: len(
            find_items(engine, coordinator.id, q, limit=PAGE, **p).rows))))
    engine.dispose()
    return results


def report(backend: str, rows: int, results) -> None:
    base = results[0][1]
    print(f"\n{backend}, {rows:,} submissions, median of the runs, load {_load()}")
    print(f"{'case':<36}{'ms':>9}{'× base':>9}{'rows':>6}  ≤300 ms")
    for name, seconds, count in results:
        print(f"{name:<36}{seconds * 1000:>9.1f}{seconds / base:>9.1f}{count:>6}  "
              f"{'yes' if seconds <= 0.3 else 'NO'}")


def _load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def run(backend: str, rows: int, runs: int, url: str | None, *, refill: bool = True) -> None:
    with tempfile.TemporaryDirectory(prefix="qalam-bench-items-") as temp:
        cluster = None
        if url is None and backend == "postgresql":
            from tests.server.postgres import Cluster

            cluster = Cluster()
            url = cluster.url(cluster.new_database())
        url = url or f"sqlite:///{Path(temp) / 'server.db'}"
        try:
            if refill:
                started = time.perf_counter()
                found = fill(url, rows)
                print(f"{backend}: filled {rows:,} submissions in "
                      f"{time.perf_counter() - started:.0f} s", flush=True)
            else:
                found = filled(url)
                rows = found["rows"]
            report(backend, rows, measure(url, found, runs))
        finally:
            if cluster is not None:
                cluster.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--db", help="a database URL to fill (default: a new one)")
    parser.add_argument("--filled", action="store_true",
                        help="measure again the database --db names, filled by an earlier run")
    args = parser.parse_args(argv)
    if args.filled and not args.db:
        parser.error("--filled measures the database --db names")
    backends = ("sqlite", "postgresql") if args.backend == "both" else (args.backend,)
    for backend in backends:
        run(backend, args.rows, args.runs, args.db, refill=not args.filled)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
