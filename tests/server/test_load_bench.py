"""bench/load.py, small, on both backends, so the device simulator cannot rot: every record
it pushes is found once on the server, and it stays independent of the sync client."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT / "bench" / "load.py"


def _run(*args: str) -> str:
    done = subprocess.run([sys.executable, str(BENCH), "--devices", "20", "--records", "5",
                           *args], capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def _check(out: str, workers: int) -> None:
    assert out.strip().splitlines()[-1] == "lost 0, duplicated 0", out
    assert "20 devices × 5 records" in out and f"{workers} worker(s)" in out
    rows = {m.group(1): m.groups()[1:] for m in re.finditer(
        r"^(info|enroll|push|pull)\s+(\d+)\s+\S+\s+\S+\s+\S+\s+(\d+)\s+(\d+)$", out, re.M)}
    assert set(rows) == {"info", "enroll", "push", "pull"}, out
    assert int(rows["enroll"][0]) == 20 and int(rows["push"][0]) >= 20
    assert all(row[1:] == ("0", "0") for row in rows.values()), out  # no 4xx, no 5xx
    assert re.search(r"^records/s [\d,]+ while pushing \(100 records", out, re.M), out
    cpu = re.search(r"^CPU per 1,000 records: server ([\d.]+) s", out, re.M)
    assert cpu and float(cpu.group(1)) > 0, out


def test_the_load_bench_on_its_own_sqlite_server():
    _check(_run(), 1)


def test_the_load_bench_on_a_fresh_postgresql_database_with_two_workers(postgres):
    name = postgres.new_database()  # empty: the bench creates the schema
    try:
        out = _run("--db", postgres.url(name), "--workers", "2")
        _check(out, 2)
        assert re.search(r", PostgreSQL [\d.]+ s,", out), out  # a local cluster: measured
    finally:
        postgres.drop_database(name)


@pytest.mark.parametrize("forbidden", ["sync.client", "sync.protocol", "sync.device"])
def test_the_simulator_speaks_the_protocol_on_its_own(forbidden):
    tree = ast.parse(BENCH.read_text(encoding="utf-8"))
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import)
                for alias in node.names}
    imported |= {node.module for node in ast.walk(tree)
                 if isinstance(node, ast.ImportFrom) and node.module}
    imported |= {f"{node.module}.{alias.name}" for node in ast.walk(tree)
                 if isinstance(node, ast.ImportFrom) and node.module for alias in node.names}
    assert not {name for name in imported
                if name == forbidden or name.startswith(forbidden + ".")}
