"""Figures at a million: the leaderboards and the overview's counts read from the tallies
kept as the data arrives, beside counting them from scratch, and a push at that size beside
the same push on an empty server, all in the same run.

    .venv/bin/python bench/figures.py                          # 1,000,000 submissions, both
    .venv/bin/python bench/figures.py --rows 100000 --backend sqlite
    .venv/bin/python bench/figures.py --backend postgresql --db postgresql+psycopg://…/qalam
    .venv/bin/python bench/figures.py --backend sqlite --db sqlite:///big.db --filled  # again

Fills a fresh server database (SQLite in a temporary folder; PostgreSQL in a throwaway
cluster of ``tests/server/postgres.py`` unless ``--db`` names one) as ``bench/items.py``
does, straight into the tables: submissions by 3,000 annotators in ten languages over the
last 180 days (handed in as devices say, ``submitted_at``), a quarter of them reviewed by
200 reviewers (1–5 ratings, a tenth flagged), some accepted or rejected. Then the tallies are
counted once from scratch (what migration 0012 does to an existing database, timed), and
each case runs ``--runs`` times; medians are printed:

* leaderboards: every board a device is sent (day, week, all × all languages and its own),
  read from the tallies, beside the same groups counted from scratch (the old way: the
  GROUP BY over every submission and review, :func:`board_facts`); and read again as at the
  end of last week (Sunday 23:59:59 UTC), when "this week" holds seven days of tallies, not
  the few hours since Monday that a run early in the week sees;
* overview counts: acceptance per language and kind, progress, concentration and agreement
  (Krippendorff's alpha), from the tallies, beside :func:`acceptance_counts` (every item
  judged) and the progress and agreement facts counted from scratch;
* first pulls: one page (200 items) from cursor 0 by a new device of a reviewer and of an
  annotator, beside a coordinator's, who sees every row: the plain walk in change order;
* push: a batch of 100 new submissions (originals and re-annotations with a task-less
  starting text) at this size, beside the same batch on an empty server; and both again
  without keeping the tallies (what the rest of a push costs at each size).

Target (issue 15): leaderboards and overview counts ≤ 200 ms at 1,000,000 submissions, and
a push no slower than on an empty server. The machine is shared: compare the ratios, and
the load printed with them.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.export import SENTENCES  # noqa: E402  (the same multilingual text)
from bench.serverdb import database_url  # noqa: E402

USERS = 3000
REVIEWERS = 200
BATCH = 10_000
DAYS = 180
PUSH = 100


def _stamp(seconds: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(seconds))


def fill(url: str, rows: int, *, seed: int = 15) -> None:
    """``rows`` submissions and their reviews, straight into the tables."""
    from app.ids import new_id
    from bench.serverdb import finish, fresh
    from sync.protocol import freeze
    from sync.server import db, tables

    engine = fresh(url, ["bench-a", "bench-b"], defer_search_index=True)
    rng = random.Random(seed)
    languages = list(SENTENCES)
    S, R, U, D = tables.submissions, tables.reviews, tables.users, tables.devices
    now = time.time() - 3600
    start = now - DAYS * 86_400
    with db.write_transaction(engine) as conn:
        seq = db.current_seq(conn)
        stamp = _stamp(start)
        users = [{"id": new_id(), "name": f"bench-{i}",
                  "role": "reviewer" if i < REVIEWERS else "annotator",
                  "languages": json.dumps([languages[i % len(languages)]]),
                  "created_at": stamp, "updated_at": stamp} for i in range(USERS)]
        conn.execute(U.insert(), users)
        devices = {u["id"]: new_id() for u in users}
        conn.execute(D.insert(), [{"id": d, "user_id": u, "enrolled_at": stamp}
                                  for u, d in devices.items()])
        for done in range(0, rows, BATCH):
            subs, reviews = [], []
            for n in range(done, min(done + BATCH, rows)):
                author = users[rng.randrange(USERS)]
                language = json.loads(author["languages"])[0]
                pool = SENTENCES[language]
                kind = rng.choices(("original", "reannotation", "postedit"), (6, 3, 1))[0]
                state = rng.choices(("submitted", "accepted", "rejected", "draft"),
                                    (85, 8, 2, 5))[0]
                at = _stamp(start + n * (now - start) / rows)
                record = {"id": new_id(), "language": language, "kind": kind, "state": state,
                          "inputs": " ".join(rng.choices(pool, k=rng.randint(1, 2))),
                          "targets": " ".join(rng.choices(pool, k=rng.randint(3, 8))),
                          "dialect": None, "task_id": None, "submitted_at": at,
                          "project_id": "bench-a" if n % 3 else "bench-b"}
                distances = (None, None)
                if kind != "original":
                    distances = (rng.choice((0, 2, 7, 20)), rng.choice((0, 3, 9, 40)))
                    if rng.random() < 0.5:
                        record.update(rating_inputs=1, rating_targets=1)
                seq += 1
                subs.append({"id": record["id"], "author_id": author["id"],
                             "device_id": devices[author["id"]], "language": language,
                             "kind": kind, "state": state, "task_id": None,
                             "project_id": record["project_id"], "changed_by": None,
                             "payload": freeze(record), "revision": 1, "server_seq": seq,
                             "deleted": False, "created_at": at, "updated_at": at,
                             "prompt_distance": distances[0],
                             "completion_distance": distances[1]})
                if state != "draft" and rng.random() < 0.25:
                    reviewer = users[rng.randrange(REVIEWERS)]["id"]
                    if reviewer == author["id"]:
                        continue
                    seq += 1
                    review = {"id": new_id(), "submission_id": record["id"], "reason": "",
                              "rating_inputs": rng.randint(1, 5),
                              "rating_targets": rng.randint(2, 5), "state": "submitted",
                              "updated_at": at}
                    if rng.random() < 0.1:
                        review["flag"] = "wrong_language"
                    reviews.append({"id": review["id"], "author_id": reviewer,
                                    "device_id": devices[reviewer],
                                    "submission_id": record["id"], "changed_by": None,
                                    "payload": freeze(review), "revision": 1,
                                    "server_seq": seq, "deleted": False, "created_at": at,
                                    "updated_at": at})
            conn.execute(S.insert(), subs)
            if reviews:
                conn.execute(R.insert(), reviews)
        conn.execute(tables.counters.update().where(tables.counters.c.name == "server_seq")
                     .values(value=seq))
    finish(engine)


def count_tallies(url: str) -> tuple[float, int]:
    """The backfill: every tally counted from scratch in one transaction."""
    from sync.server import db
    from sync.server.quality import tallies

    engine = db.create_engine(url)
    started = time.perf_counter()
    rows = db.run_write(engine, tallies.rebuild)
    took = time.perf_counter() - started
    if not db.is_sqlite(engine):
        with engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT")
            conn.exec_driver_sql("ANALYZE tallies")
    engine.dispose()
    return took, rows


def _timed(work, runs: int) -> float:
    work()  # warm: the first run reads pages from disk
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def measure_reads(url: str, runs: int) -> list[tuple[str, float, float | None]]:
    """(case, seconds from the tallies, seconds from scratch)."""
    from sync.server import db
    from sync.server.quality import leaderboards, measures, tallies
    from sync.server.work import acceptance

    engine = db.create_engine(url)
    member = leaderboards.get_user(engine, "bench-500")
    # A member of two languages, as the case says: 9 boards (day, week, all × all languages
    # and each of theirs), where the filled members' one language made 6.
    member = dataclasses.replace(member, languages=(
        *member.languages, next(code for code in SENTENCES if code not in member.languages)))

    def scratch(figure):
        def work():
            with db.read_transaction(engine) as conn:
                state = tallies.stored_state(conn)
                return list(figure(conn, tallies.Scope(), state.thresholds))
        return work

    def counts():
        with db.read_transaction(engine) as conn:
            acceptance.counted_acceptance(conn)
            measures.language_progress(conn)
            measures.concentration(conn)
            measures.agreement(conn)

    def counts_afresh():
        with db.read_transaction(engine) as conn:
            acceptance.acceptance_counts(conn)
            list(measures.progress_facts(conn, tallies.Scope()))
            list(measures.agreement_facts(conn, tallies.Scope()))

    week_end = _end_of_last_week()
    results = [
        ("leaderboards (9 boards, a device's)",
         _timed(lambda: leaderboards.leaderboards(engine, member), runs),
         _timed(scratch(leaderboards.board_facts), max(1, runs // 2))),
        ("  the same at a week's end (a whole week's work)",
         _timed(lambda: leaderboards.leaderboards(engine, member, now=week_end), runs), None),
        ("overview counts (acceptance, progress, agreement...)",
         _timed(counts, runs), _timed(counts_afresh, 1)),
    ]
    engine.dispose()
    return results


def _end_of_last_week() -> datetime:
    """Sunday 23:59:59 UTC before this week's Monday: a whole week of the filled data (it
    runs up to an hour ago) lies in that moment's "this week"."""
    midnight = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return midnight - timedelta(days=midnight.weekday(), seconds=1)


def _new_device(engine, name: str, role: str = "annotator"):
    """A new device of the person ``name`` (made with ``role`` in Urdu if new)."""
    from app.ids import new_id
    from sync.protocol import EnrollRequest
    from sync.server.people import enrollment, users

    _, code, _ = users.invite(engine, name=name, role=role, languages=["urd_Arab"])
    device_id = new_id()
    enrollment.enroll(engine, EnrollRequest(code=code, device_id=device_id))
    return users.load_device(engine, device_id)


def measure_pulls(url: str, runs: int) -> list[tuple[str, float]]:
    """Seconds of one page of a first pull (from cursor 0) by a new device of each role: a
    coordinator's is the plain walk in change order (every row is theirs to see), the
    baseline; a reviewer's filters it by language, an annotator's down to their own and
    assigned items (none yet: the walk goes to the end)."""
    from sync.server import db
    from sync.server.exchange.pull import pull_page

    engine = db.create_engine(url)
    found = []
    for role in ("coordinator", "reviewer", "annotator"):
        device = _new_device(engine, f"bench-{role}", role)
        found.append((role, _timed(lambda device=device: pull_page(engine, device), runs)))
    engine.dispose()
    return found


class _Uncounted:
    """Stands in for tallies.Change to time a push without keeping the tallies."""

    def __init__(self, conn, units):
        pass

    def commit(self, written=None) -> None:
        pass


def measure_push(url: str, runs: int, *, seed: int = 3, counted: bool = True) -> float:
    """Median seconds of a push of PUSH new submissions by a newly enrolled device
    (``counted=False``: without keeping the tallies, the rest of the push alone)."""
    from app.ids import new_id
    from sync import protocol
    from sync.server import db
    from sync.server.exchange.push import apply_push
    from sync.server.quality import tallies

    kept = _Uncounted.kept = getattr(_Uncounted, "kept", None) or tallies.Change
    tallies.Change = kept if counted else _Uncounted  # what push.py calls
    engine = db.create_engine(url)
    device = _new_device(engine, "bench-pusher" if counted else "bench-pusher-uncounted")
    rng = random.Random(seed)
    pool = SENTENCES["urd_Arab"]
    seq = 0

    def batch() -> protocol.PushBatch:
        nonlocal seq
        items = []
        for _ in range(PUSH):
            seq += 1
            kind = rng.choice(("original", "reannotation"))
            record = {"id": new_id(), "kind": kind, "language": "urd_Arab",
                      "inputs": " ".join(rng.choices(pool, k=2)),
                      "targets": " ".join(rng.choices(pool, k=5)), "state": "submitted",
                      "task_id": None, "project_id": "bench-a", "dialect": None,
                      "submitted_at": _stamp(time.time() - 60)}
            if kind == "reannotation":
                record.update(original_inputs=pool[0], original_targets=pool[1])
            payload = protocol.freeze(record)
            items.append({"seq": seq, "entity": "submission", "id": record["id"],
                          "op": "upsert", "base_revision": None,
                          "hash": protocol.payload_hash(payload), "payload": payload})
        return protocol.PushBatch.model_validate(
            {"device_id": device.id, "batch_id": new_id(), "items": items})

    times = []
    for _ in range(runs + 1):
        prepared = batch()
        started = time.perf_counter()
        result = apply_push(engine, device, prepared)
        times.append(time.perf_counter() - started)
        assert all(r.status.value == "created" for r in result.results), result.results[:3]
    engine.dispose()
    tallies.Change = kept
    return statistics.median(times[1:])  # the first one warms the caches


def _load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def run(backend: str, rows: int, runs: int, url: str | None, filled: bool) -> None:
    with tempfile.TemporaryDirectory(prefix="qalam-bench-figures-") as temp:
        cluster = None
        empty_url = f"sqlite:///{Path(temp) / 'empty.db'}"
        if backend == "postgresql":
            from tests.server.postgres import Cluster

            cluster = Cluster()
            url = url or cluster.url(cluster.new_database())
            empty_url = cluster.url(cluster.new_database())
        url = database_url(url, Path(temp))
        try:
            if not filled:
                started = time.perf_counter()
                fill(url, rows)
                print(f"{backend}: filled {rows:,} submissions in "
                      f"{time.perf_counter() - started:.0f} s (load {_load()})", flush=True)
                took, count = count_tallies(url)
                print(f"  tallies counted from scratch (the migration's backfill): "
                      f"{count:,} rows in {took:.1f} s", flush=True)
            reads = measure_reads(url, runs)
            pulls = measure_pulls(url, runs)
            fill(empty_url, 0)
            count_tallies(empty_url)
            pushes = {(size, counted): measure_push(where, runs, counted=counted)
                      for size, where in (("empty", empty_url), ("full", url))
                      for counted in (True, False)}
            report(backend, rows, reads, pulls, pushes)
        finally:
            if cluster is not None:
                cluster.stop()


def report(backend: str, rows: int, reads, pulls, pushes: dict) -> None:
    print(f"\n{backend}, {rows:,} submissions, medians, load {_load()}")
    print(f"{'case':<56}{'tallied ms':>11}{'afresh ms':>11}{'×':>8}  ≤200 ms")
    for name, kept, afresh in reads:
        ratio = f"{afresh / kept:.0f}" if afresh else "—"
        afresh_ms = f"{afresh * 1000:.0f}" if afresh else "—"
        print(f"{name:<56}{kept * 1000:>11.1f}{afresh_ms:>11}{ratio:>8}  "
              f"{'yes' if kept <= 0.2 else 'NO'}")
    plain = dict(pulls)["coordinator"]
    print("a first pull's first page (cursor 0): " + ", ".join(
        f"{role} {took * 1000:.1f} ms" + (" (every row: the plain walk)" if role == "coordinator"
                                           else f" (×{took / plain:.1f})")
        for role, took in pulls))
    for counted, what in ((True, "push"), (False, "push without keeping the tallies")):
        full, empty = pushes["full", counted], pushes["empty", counted]
        print(f"{what} ({PUSH} submissions): {full * 1000:.0f} ms at {rows:,}, "
              f"{empty * 1000:.0f} ms on an empty server (×{full / empty:.2f})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--db", help="a database URL or a SQLite file's path to fill "
                        "(default: a new one)")
    parser.add_argument("--filled", action="store_true",
                        help="--db was filled (and counted) by an earlier run: measure only")
    args = parser.parse_args(argv)
    if args.filled and not args.db:
        parser.error("--filled needs --db")
    backends = ("sqlite", "postgresql") if args.backend == "both" else (args.backend,)
    for backend in backends:
        run(backend, args.rows, args.runs, args.db, args.filled)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
