"""Load bench: a crowd of devices syncing with one real server, then every record checked.

    .venv/bin/python bench/load.py --devices 3000 --records 100 [--db URL] [--workers N]
                                   [--concurrency 100] [--seed 1]

With no ``--db`` it starts its own server on a fresh SQLite database in a temporary folder;
with one (``postgresql+psycopg://user@host:port/db``, or a SQLite path) it serves that database,
creating the schema in a fresh one (``qalam-server init``). The server is ``qalam-server serve
--workers N`` in a process of its own, on a free loopback port.

The devices are an independent simulator: httpx and asyncio speaking the wire protocol as
``sync/protocol.py``'s docstring documents it. It imports neither ``sync.client`` nor
``sync.protocol``: the protocol version and body limit come from the server's ``GET /v1/info``,
and every body is built here (canonical JSON payloads, their SHA-256, gzip-compressed requests).
Codes are minted through the server's own API (``users.invite``, what ``qalam-server invite``
runs), one person per device, as a coordinator does before a training day.

Each device, at most ``--concurrency`` at once: ``GET /v1/info``, ``POST /v1/enroll``, its
``--records`` submissions pushed in batches of 10-50 (what an annotator's outbox holds after a
session), then ``GET /v1/pull`` from cursor 0 until ``more`` is false. A failed request (a
transport error, 429 or 5xx) is retried as a device would, the same batch again (honouring
``Retry-After``), which is what makes lost replies harmless.

Prints records/s, p50/p95/p99 latency per endpoint, 4xx/5xx counts, the machine's load, and
the CPU time the server's processes, a local PostgreSQL's and the simulator spent per 1,000
records (Linux, from /proc): on a shared machine the rate says how busy the machine was, the
CPU per record what a machine of the deployment's own would carry. Then it reads every record
back from the database and ends with one line, ``lost 0, duplicated 0`` (or the real counts):
lost = sent but missing or different on the server (or never acknowledged); duplicated =
stored twice (a second row, or a revision past 1).
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import hashlib
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.serverdb import database_url  # noqa: E402  (--db: a URL or a SQLite file's path)

TEXTS = {
    "urd_Arab": ("بارش کے موسم میں چاول کی فصل کو کتنا پانی دینا چاہیے؟",
                 "شروع میں کھیت میں دو انچ پانی کھڑا رکھیں اور پھول آنے کے بعد آہستہ آہستہ کم "
                 "کریں۔"),
    "hin_Deva": ("धान की रोपाई के बाद खरपतवार कैसे रोकें?",
                 "रोपाई के बीस दिन बाद पहली निराई करें और खेत में पानी भरा रखें ताकि खरपतवार न "
                 "उगें।"),
    "swh_Latn": ("Ninawezaje kuhifadhi mahindi baada ya mavuno?",
                 "Kausha mahindi vizuri juani, kisha yahifadhi kwenye magunia safi juu ya chaga "
                 "ili kuzuia unyevu na sumukuvu."),
    "yor_Latn": ("Báwo ni mo ṣe lè dènà àrùn ibà?",
                 "Sùn sábẹ́ àwọ̀n ẹ̀fọn tí a ti fi oògùn sí, kí o sì da omi tí ó dúró jẹ́ kúrò "
                 "ní àyíká ilé rẹ."),
    "amh_Ethi": ("ንጹህ የመጠጥ ውሃ በቤት ውስጥ እንዴት ማዘጋጀት ይቻላል?",
                 "ውሃውን ለአንድ ደቂቃ አፍልተው በንጹህ በተከደነ እቃ ውስጥ ያስቀምጡት።"),
}
LANGUAGES = sorted(TEXTS)
BATCH_SIZES = (10, 50)       # items per push: an outbox after a session
PULL_LIMIT = 200             # the protocol's default page
ATTEMPTS = 8                 # tries per request before the device gives up
ENDPOINTS = ("info", "enroll", "push", "pull")


@dataclass
class Stats:
    latency: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    status: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    transport_errors: Counter = field(default_factory=Counter)
    refused_items: Counter = field(default_factory=Counter)   # rejected/conflict answers
    failed_devices: list[str] = field(default_factory=list)
    first_push: float | None = None
    last_push: float = 0.0


class DeviceFailed(Exception):
    pass


def freeze(record: dict) -> str:
    """The canonical JSON text of a record (sync/protocol.py: what is hashed and sent)."""
    return json.dumps(record, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


class Device:
    """One laptop: its id, its person's code and language, its records, its token."""

    def __init__(self, n: int, run: str, code: str, language: str, records: int,
                 rng: random.Random):
        self.id = f"load-{run}-{n:05d}"
        self.code = code
        self.language = language
        self.token = ""
        inputs, targets = TEXTS[language]
        self.sent: dict[str, dict] = {}   # record id -> record, once the server acknowledged it
        self.records = []
        for seq in range(1, records + 1):
            record = {"id": str(uuid.uuid4()), "kind": "original", "language": language,
                      "inputs": f"{inputs} ({self.id} #{seq})", "targets": targets,
                      "state": "submitted", "task_id": None, "project_id": None,
                      "dialect": None, "created_at": "2026-12-06T10:00:00.000Z"}
            self.records.append((seq, record))
        self.batches = []
        left = list(self.records)
        while left:
            size = rng.randint(*BATCH_SIZES)
            self.batches.append(left[:size])
            left = left[size:]


class Simulator:
    def __init__(self, url: str, stats: Stats, concurrency: int):
        self.url = url
        self.stats = stats
        self.gate = asyncio.Semaphore(concurrency)
        self.version = 1
        self.max_body = 4 * 1024 * 1024

    async def call(self, client: httpx.AsyncClient, endpoint: str, method: str, path: str, *,
                   token: str = "", body: dict | None = None, params: dict | None = None
                   ) -> dict:
        headers = {"Qalam-Protocol": str(self.version)}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        content = None
        if body is not None:
            raw = json.dumps(body, ensure_ascii=False).encode()
            content = gzip.compress(raw, compresslevel=6)
            headers |= {"Content-Type": "application/json", "Content-Encoding": "gzip"}
            if len(raw) > self.max_body:
                raise DeviceFailed(f"{path}: a {len(raw):,}-byte body is over the limit")
        for attempt in range(1, ATTEMPTS + 1):
            started = time.perf_counter()
            try:
                response = await client.request(method, path, content=content, params=params,
                                                headers=headers)
            except httpx.TransportError as exc:
                self.stats.transport_errors[f"{endpoint}: {type(exc).__name__}"] += 1
                await asyncio.sleep(min(8.0, 0.2 * 2 ** attempt) * random.random())
                continue
            self.stats.latency[endpoint].append(time.perf_counter() - started)
            self.stats.status[endpoint][response.status_code] += 1
            if response.status_code == 200:
                return response.json()
            if response.status_code == 429 or response.status_code >= 500:
                wait = response.headers.get("Retry-After")
                delay = float(wait) if wait and wait.isdigit() else 0.2 * 2 ** attempt
                await asyncio.sleep(min(delay, 30.0) * (0.5 + random.random() / 2))
                continue
            raise DeviceFailed(f"{path}: {response.status_code} {response.text[:300]}")
        raise DeviceFailed(f"{path}: no answer after {ATTEMPTS} attempts")

    async def run_device(self, client: httpx.AsyncClient, device: Device) -> None:
        async with self.gate:
            try:
                await self.sync(client, device)
            except DeviceFailed as exc:
                self.stats.failed_devices.append(f"{device.id}: {exc}")

    async def sync(self, client: httpx.AsyncClient, device: Device) -> None:
        await self.call(client, "info", "GET", "/v1/info")
        enrolled = await self.call(client, "enroll", "POST", "/v1/enroll", body={
            "code": device.code, "device_id": device.id, "device_name": "load bench",
            "app_version": "bench"})
        device.token = enrolled["token"]
        for batch in device.batches:
            await self.push(client, device, batch)
        cursor, more = 0, True
        while more:
            page = await self.call(client, "pull", "GET", "/v1/pull", token=device.token,
                                   params={"cursor": cursor, "limit": PULL_LIMIT})
            if page["next_cursor"] < cursor:
                raise DeviceFailed("pull: the cursor went back")
            cursor, more = page["next_cursor"], page["more"]

    async def push(self, client: httpx.AsyncClient, device: Device, batch) -> None:
        items = []
        for seq, record in batch:
            payload = freeze(record)
            items.append({"seq": seq, "entity": "submission", "id": record["id"],
                          "op": "upsert", "base_revision": None,
                          "hash": hashlib.sha256(payload.encode()).hexdigest(),
                          "payload": payload})
        if self.stats.first_push is None:
            self.stats.first_push = time.perf_counter()
        answer = await self.call(client, "push", "POST", "/v1/push", token=device.token,
                                 body={"device_id": device.id, "batch_id": str(uuid.uuid4()),
                                       "items": items})
        self.stats.last_push = time.perf_counter()
        by_seq = {result["seq"]: result for result in answer["results"]}
        for seq, record in batch:
            result = by_seq.get(seq)
            status = result["status"] if result else "missing"
            if status in ("created", "duplicate"):
                device.sent[record["id"]] = record
            else:
                self.stats.refused_items[status] += 1


# --- the server --------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "sync.server.cli", *args]


def start_server(url: str, workers: int, folder: Path) -> tuple[subprocess.Popen, str, Path]:
    init = subprocess.run(server_command("init", "--db", url), capture_output=True, text=True,
                          cwd=folder, env={**os.environ, "PYTHONPATH": str(ROOT)})
    if init.returncode != 0:
        raise SystemExit(f"load: qalam-server init failed: {init.stderr.strip()}")
    port = free_port()
    log = folder / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            server_command("serve", "--db", url, "--port", str(port), "--workers",
                           str(workers)),
            cwd=folder, stdout=out, stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONPATH": str(ROOT)})
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"load: the server stopped:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(base + "/healthz", timeout=2).status_code == 200:
                return process, base, log
        except httpx.TransportError:
            time.sleep(0.1)
    process.terminate()
    raise SystemExit("load: the server did not start in 120 s")


def mint_codes(url: str, run: str, count: int) -> list[tuple[str, str]]:
    """One person and one code per device, through the server's API (what `qalam-server
    invite` does), each person in one language."""
    from sync.server import db
    from sync.server.people import users

    engine = db.create_engine(url)
    try:
        codes = []
        for n in range(count):
            language = LANGUAGES[n % len(LANGUAGES)]
            _user, code, _ = users.invite(engine, name=f"load {run} {n:05d}", role="annotator",
                                          languages=[language])
            codes.append((code, language))
        return codes
    finally:
        engine.dispose()


def check_server(url: str, devices: list[Device]) -> tuple[int, int, int]:
    """(lost, duplicated, acknowledged): every acknowledged record read back from the
    database by its device, compared field by field with what was sent."""
    import sqlalchemy as sa

    from sync.server import db, tables

    subs = tables.submissions
    engine = db.create_engine(url)
    lost = duplicated = acknowledged = 0
    try:
        with engine.connect() as conn:
            for start in range(0, len(devices), 200):
                chunk = devices[start:start + 200]
                rows = conn.execute(sa.select(subs.c.id, subs.c.device_id, subs.c.revision,
                                              subs.c.payload)
                                    .where(subs.c.device_id.in_([d.id for d in chunk]))).all()
                found = defaultdict(list)
                for row in rows:
                    found[row.id].append(row)
                for device in chunk:
                    acknowledged += len(device.sent)
                    for record_id, record in device.sent.items():
                        copies = found.pop(record_id, [])
                        if not copies or not _same(json.loads(copies[0].payload), record):
                            lost += 1
                        duplicated += max(0, len(copies) - 1) + sum(
                            1 for c in copies if c.revision != 1)
                duplicated += sum(len(rest) for rest in found.values())  # rows never sent
    finally:
        engine.dispose()
    return lost, duplicated, acknowledged


def _same(stored: dict, sent: dict) -> bool:
    return all(stored.get(key) == sent[key]
               for key in ("id", "kind", "language", "inputs", "targets", "state"))


# --- where the CPU went (Linux) -----------------------------------------------------------------


def tree_cpu(root: int | None) -> float | None:
    """CPU seconds a process and its descendants used so far, living or reaped (/proc)."""
    if root is None or not os.path.isdir("/proc"):
        return None
    table = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # after the name: state, ppid, ... utime stime cutime cstime (fields 14-17)
        table[int(entry)] = (int(fields[1]), sum(int(x) for x in fields[11:15]))
    if root not in table:
        return None
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += table[pid][1]
        todo.extend(child for child, (parent, _) in table.items() if parent == pid)
    return total / os.sysconf("SC_CLK_TCK")


def postmaster_pid(url: str) -> int | None:
    """The local PostgreSQL server's main process (the parent of our backend), if local."""
    import sqlalchemy as sa

    from sync.server import db

    if not url.startswith("postgresql") or not os.path.isdir("/proc"):
        return None
    engine = db.create_engine(url)
    try:
        if engine.url.host not in ("127.0.0.1", "localhost", "::1", None):
            return None
        with engine.connect() as conn:
            backend = conn.execute(sa.text("SELECT pg_backend_pid()")).scalar()
            status = Path(f"/proc/{backend}/status").read_text()
        return int(next(line.split()[1] for line in status.splitlines()
                        if line.startswith("PPid:")))
    except (OSError, StopIteration):
        return None
    finally:
        engine.dispose()


def cpu_line(spent: dict[str, float | None], records: int) -> str:
    parts = [f"{name} {seconds * 1000 / records:.2f} s" if seconds is not None
             else f"{name} n/a" for name, seconds in spent.items()]
    return "CPU per 1,000 records: " + ", ".join(parts)


# --- the run -----------------------------------------------------------------------------------


def percentile(values: list[float], q: int) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


async def simulate(url: str, devices: list[Device], concurrency: int) -> Stats:
    stats = Stats()
    simulator = Simulator(url, stats, concurrency)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=120) as client:
        info = await simulator.call(client, "info", "GET", "/v1/info")
        simulator.version = info["protocol_version"]
        simulator.max_body = info["max_body_bytes"]
        ticker = asyncio.create_task(progress(devices))
        try:
            await asyncio.gather(*(simulator.run_device(client, d) for d in devices))
        finally:
            ticker.cancel()
    return stats


async def progress(devices: list[Device], every: float = 30.0) -> None:
    """A line on stderr every ``every`` seconds, so a long run shows it is moving."""
    started = time.perf_counter()
    total = sum(len(d.records) for d in devices)
    while True:
        await asyncio.sleep(every)
        done = sum(len(d.sent) for d in devices)
        elapsed = time.perf_counter() - started
        print(f"  {elapsed:6.0f} s: {done:,} of {total:,} records acknowledged "
              f"({done / elapsed:,.0f}/s), load average {os.getloadavg()[0]:.1f}",
              file=sys.stderr, flush=True)


def report(stats: Stats, records: int, elapsed: float) -> None:
    push_time = (stats.last_push - stats.first_push) if stats.first_push else float("nan")
    print(f"records/s {records / push_time:,.0f} while pushing ({records:,} records in "
          f"{push_time:.1f} s); {records / elapsed:,.0f} over the whole run "
          f"({elapsed:.1f} s with enrolling and pulling)")
    print(f"{'endpoint':<8} {'calls':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
          f"{'4xx':>5} {'5xx':>5}")
    for endpoint in ENDPOINTS:
        values = stats.latency.get(endpoint, [])
        codes = stats.status.get(endpoint, Counter())
        client_errors = sum(n for code, n in codes.items() if 400 <= code < 500)
        server_errors = sum(n for code, n in codes.items() if code >= 500)
        print(f"{endpoint:<8} {len(values):>7} {percentile(values, 50) * 1000:>8.1f} "
              f"{percentile(values, 95) * 1000:>8.1f} {percentile(values, 99) * 1000:>8.1f} "
              f"{client_errors:>5} {server_errors:>5}")
    for what, n in sorted(stats.transport_errors.items()):
        print(f"transport errors, retried: {what} ×{n}")
    for what, n in sorted(stats.refused_items.items()):
        print(f"items answered {what}: {n}")
    for failure in stats.failed_devices[:10]:
        print(f"device failed: {failure}")
    if len(stats.failed_devices) > 10:
        print(f"... {len(stats.failed_devices) - 10} more devices failed")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--devices", type=int, default=3000)
    parser.add_argument("--records", type=int, default=100, help="records per device")
    parser.add_argument("--db", help="database URL or SQLite path (default: a fresh SQLite)")
    parser.add_argument("--workers", type=int, default=1, help="server worker processes")
    parser.add_argument("--concurrency", type=int, default=100,
                        help="devices syncing at once (default 100)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    run = uuid.uuid4().hex[:8]
    with tempfile.TemporaryDirectory(prefix="qalam-load-") as tmp:
        folder = Path(tmp)
        url = database_url(args.db, folder)
        backend = url.split(":", 1)[0].split("+")[0]
        process, base, _log = start_server(url, args.workers, folder)
        try:
            started = time.perf_counter()
            codes = mint_codes(url, run, args.devices)
            minted = time.perf_counter() - started
            devices = [Device(n, run, code, language, args.records, rng)
                       for n, (code, language) in enumerate(codes)]
            postmaster = postmaster_pid(url)
            cpu_before = (tree_cpu(process.pid), tree_cpu(postmaster), time.process_time())
            load_before = os.getloadavg()[0]
            started = time.perf_counter()
            stats = asyncio.run(simulate(base, devices, args.concurrency))
            elapsed = time.perf_counter() - started
            load_after = os.getloadavg()[0]
            cpu_after = (tree_cpu(process.pid), tree_cpu(postmaster), time.process_time())
        finally:
            process.terminate()
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
        records = sum(len(d.records) for d in devices)
        print(f"load: {args.devices:,} devices × {args.records} records on {backend}, "
              f"{args.workers} worker(s), {args.concurrency} devices at once; {os.cpu_count()} "
              f"cores, load average {load_before:.1f} before, {load_after:.1f} after "
              f"({minted:.1f} s to mint the codes)")
        report(stats, records, elapsed)
        spent = {name: (after - before if None not in (before, after) else None)
                 for name, before, after in zip(("server", "PostgreSQL", "simulator"),
                                                cpu_before, cpu_after, strict=True)}
        if backend != "postgresql":
            spent.pop("PostgreSQL")
        print(cpu_line(spent, records))
        lost, duplicated, acknowledged = check_server(url, devices)
        unacknowledged = records - acknowledged
        if unacknowledged:
            print(f"{unacknowledged:,} records were never acknowledged (see failures above)")
        print(f"lost {lost + unacknowledged}, duplicated {duplicated}")
    return 0 if lost + unacknowledged + duplicated == 0 and not stats.failed_devices else 1


if __name__ == "__main__":
    sys.exit(main())
