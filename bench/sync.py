"""Benchmark: pushing 10,000 submissions of real multilingual text to a real server.

    .venv/bin/python bench/sync.py [--items 10000] [--runs 3] [--skip-throttled]

Prints, each beside a baseline measured in the same run:
* records/s of a push on loopback, beside a bulk insert of the same rows straight into the
  server database (their ratio per run, and its median: target ≥ ×0.3);
* bytes on the wire (both directions, counted by a pass-through proxy) ÷ the raw JSON of the
  records (target ≤ 0.35);
* the same push through a proxy throttled to 256 kbit/s with 300 ms delay and a cut every
  ~200 KB: its time ÷ (compressed request bytes ÷ link rate) (target ≤ 1.5), with the count of
  lost and duplicated records (target 0 and 0), and where that time went: each request path
  (answered, or failed and why), backoff sleeps, and the device's own work between requests.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("QALAM_NO_KEYRING", "1")

from app.store import Store
from sync import client as sync_client
from sync.server import tables
from tests.sync.live import Device, ServerProcess
from tests.sync.proxy import FaultProxy, Throttle

LINK_BYTES_PER_SECOND = 256_000 / 8


def _device(folder: Path, server: ServerProcess, items: int, name: str) -> tuple[Device, int]:
    device = Device.enrolled(folder / name, server, name=name)
    device.write(items, seed=7)
    with Store.open(device.db_path, readonly=True) as store:
        raw = sum(len(json.dumps(s.as_payload(), ensure_ascii=False).encode())
                  for s in store.submissions(limit=items + 10))
    return device, raw


def _check(server: ServerProcess, device: Device) -> tuple[int, int]:
    with device.store() as store:
        local = {s.id for s in store.submissions(limit=1_000_000)}
    rows = [row.id for row in server.submissions()]
    return len(local - set(rows)), len(rows) - len(set(rows))


def bench_push(folder: Path, items: int) -> dict:
    with ServerProcess(folder / "server.db") as server, \
            FaultProxy(server.port) as proxy:
        device, raw = _device(folder, server, items, "push")
        started = time.perf_counter()
        report = device.sync(proxy.url)
        elapsed = time.perf_counter() - started
        lost, duplicated = _check(server, device)
        wire = proxy.bytes_up + proxy.bytes_down
        rows = [r._asdict() for r in server.submissions()]
        with server.engine.connect() as conn:
            people = {t: [r._asdict() for r in conn.execute(sa.select(t))]
                      for t in (tables.users, tables.devices)}
    # Baseline: the same rows inserted straight into a fresh server database in one go.
    with ServerProcess(folder / "bulk.db") as bulk:
        started = time.perf_counter()
        with bulk.engine.begin() as conn:
            for table, people_rows in people.items():
                conn.execute(sa.insert(table), people_rows)
        started = time.perf_counter()
        with bulk.engine.begin() as conn:
            conn.execute(sa.insert(tables.submissions), rows)
        bulk_elapsed = time.perf_counter() - started
    return {"elapsed": elapsed, "rate": items / elapsed, "bulk_rate": items / bulk_elapsed,
            "wire": wire, "raw": raw, "compressed_up": report.bytes_sent,
            "lost": lost, "duplicated": duplicated, "complete": report.complete}


class Timeline:
    """Where a sync's time goes: each request (by path, answered or failed), backoff sleeps,
    and the rest (the device's own store work between requests)."""

    def __init__(self):
        self.requests: dict[tuple[str, str], list[float]] = {}
        self.sleeping = 0.0
        self.events: list[tuple] = []  # (start, path, outcome, seconds), for --trace
        self.origin = time.perf_counter()

    def sleep(self, seconds: float) -> None:
        seconds = min(seconds, 1.0)  # the bench's cap on backoff, as before
        self.sleeping += seconds
        time.sleep(seconds)

    def watch(self, client) -> None:
        attempt = client._attempt

        def timed(method, path, *args):
            started = time.perf_counter()
            outcome = "answered"
            try:
                return attempt(method, path, *args)
            except Exception as exc:
                cause = exc.__cause__ or exc
                outcome = f"failed ({type(cause).__name__})"
                raise
            finally:
                spent = time.perf_counter() - started
                self.requests.setdefault((path, outcome), []).append(spent)
                self.events.append((round(started - self.origin, 2), path, outcome,
                                    round(spent, 2)))

        client._attempt = timed

    def summary(self, elapsed: float) -> str:
        parts, total = [], 0.0
        for (path, outcome), spent in sorted(self.requests.items()):
            total += sum(spent)
            parts.append(f"{path} {outcome} {len(spent)}× {sum(spent):.1f} s")
        rest = elapsed - total - self.sleeping
        return "; ".join([*parts, f"backoff {self.sleeping:.1f} s", f"local {rest:.1f} s"])


def bench_throttled(folder: Path, items: int) -> dict:
    throttle = Throttle(bytes_per_second=LINK_BYTES_PER_SECOND, delay=0.3, cut_every=200_000)
    timeline = Timeline()
    with ServerProcess(folder / "slow.db") as server, \
            FaultProxy(server.port, throttle=throttle) as proxy:
        device, _raw = _device(folder, server, items, "slow")
        # The app's own stall timeout (the tests use 5 s): a user's sync runs with this one.
        client = device.client(proxy.url, sleep=timeline.sleep,
                               stall_timeout=sync_client.DEFAULT_STALL_TIMEOUT)
        timeline.watch(client)
        started = time.perf_counter()
        report = sync_client_sync(device, client)
        elapsed = time.perf_counter() - started
        lost, duplicated = _check(server, device)
    floor = (proxy.bytes_up + proxy.bytes_down) / LINK_BYTES_PER_SECOND
    useful = report.bytes_sent / LINK_BYTES_PER_SECOND
    return {"elapsed": elapsed, "floor": floor, "useful_floor": useful, "lost": lost,
            "duplicated": duplicated, "retries": report.retries,
            "breakdown": timeline.summary(elapsed), "link_bytes": proxy.bytes_up + proxy.bytes_down,
            "sent": report.bytes_sent, "received": report.bytes_received}


def sync_client_sync(device: Device, client: sync_client.SyncClient):
    from sync import device as sync_device

    return sync_device.sync_now(device.data_dir, client=client)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--skip-throttled", action="store_true")
    args = parser.parse_args()
    pushes, slows = [], []
    print(f"load at start {os.getloadavg()[0]:.2f} ({os.cpu_count()} cores)", flush=True)
    for run in range(args.runs):
        with tempfile.TemporaryDirectory() as tmp:
            push = bench_push(Path(tmp), args.items)
            pushes.append(push)
            print(f"run {run + 1}: push {push['rate']:.0f} records/s vs bulk insert "
                  f"{push['bulk_rate']:.0f} rows/s (×{push['rate'] / push['bulk_rate']:.2f}); wire "
                  f"{push['wire']:,} B / raw JSON {push['raw']:,} B = "
                  f"{push['wire'] / push['raw']:.3f}; lost {push['lost']}, "
                  f"duplicated {push['duplicated']}", flush=True)
            if not args.skip_throttled:
                slow = bench_throttled(Path(tmp), args.items)
                slows.append(slow)
                ratio = slow["elapsed"] / slow["useful_floor"]
                print(f"       throttled: {slow['elapsed']:.1f} s vs link floor "
                      f"{slow['useful_floor']:.1f} s (×{ratio:.2f}); retries "
                      f"{slow['retries']}, lost {slow['lost']}, duplicated "
                      f"{slow['duplicated']}\n       link bytes {slow['link_bytes']:,} "
                      f"(client: sent {slow['sent']:,}, received {slow['received']:,})"
                      f"\n       where the time went: {slow['breakdown']}", flush=True)
    ratio = statistics.median(p["wire"] / p["raw"] for p in pushes)
    speed = statistics.median(p["rate"] / p["bulk_rate"] for p in pushes)
    print(f"\nmedian of {args.runs}: push {statistics.median(p['rate'] for p in pushes):.0f} "
          f"records/s (bulk insert {statistics.median(p['bulk_rate'] for p in pushes):.0f} "
          f"rows/s); push ÷ bulk insert ×{speed:.2f} (target ≥ ×0.3) "
          f"[{'OK' if speed >= 0.3 else 'MISSED'}]; wire/raw {ratio:.3f} (target ≤ 0.35) "
          f"[{'OK' if ratio <= 0.35 else 'MISSED'}]; load {os.getloadavg()[0]:.2f}")
    if slows:
        slow_ratio = statistics.median(s["elapsed"] / s["useful_floor"] for s in slows)
        clean = all(s["lost"] == 0 and s["duplicated"] == 0 for s in slows)
        print(f"throttled ×{slow_ratio:.2f} of the link limit (target ≤ 1.5) "
              f"[{'OK' if slow_ratio <= 1.5 else 'MISSED'}]; zero loss and duplicates: "
              f"{'yes' if clean else 'NO'}")


if __name__ == "__main__":
    main()
