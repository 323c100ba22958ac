"""A throwaway PostgreSQL cluster for the server tests (initdb + pg_ctl, loopback only).

PostgreSQL refuses to run as root, so as root the cluster belongs to the ``postgres`` user
(``runuser -u postgres --``) and lives in a temporary directory owned by it. The binaries come
from Debian's ``postgresql`` package; ``build_scripts/postgres.sh`` installs it when missing.
"""

from __future__ import annotations

import atexit
import glob
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[2]
INSTALLER = ROOT / "build_scripts" / "postgres.sh"


class PostgresUnavailable(RuntimeError):
    pass


def _bindir() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return Path(found[-1]).parent
    result = subprocess.run(["bash", str(INSTALLER)], capture_output=True, text=True,
                            timeout=900)
    if result.returncode != 0 or not result.stdout.strip():
        raise PostgresUnavailable(
            f"PostgreSQL is not installed and {INSTALLER.relative_to(ROOT)} could not install "
            f"it:\n{result.stderr.strip()[-2000:]}\nInstall Debian's 'postgresql' package, or "
            "set QALAM_SKIP_POSTGRES=1 to run the SQLite half only."
        )
    return Path(result.stdout.strip().splitlines()[-1])


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    def __init__(self) -> None:
        self.bindir = _bindir()
        self.as_root = os.geteuid() == 0
        self.dir = Path(tempfile.mkdtemp(prefix="qalam-pg-"))
        self.data = self.dir / "data"
        self.port = _free_port()
        self.started = False
        if self.as_root:
            shutil.chown(self.dir, "postgres", "postgres")
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8",
                  "--locale=C", "--no-sync")
        options = (f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 "
                   "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
                   "-c max_connections=400 -c shared_buffers=64MB")
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.dir / "log"), "-o", options,
                  "-w", "-t", "60", "start")
        self.started = True
        self.counter = 0
        atexit.register(self.stop)  # also when the session dies before its finalizer

    def _run(self, program: str, *args: str) -> None:
        command = [str(self.bindir / program), *args]
        if self.as_root:
            command = ["runuser", "-u", "postgres", "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, timeout=120)
        if result.returncode != 0:
            log = self.dir / "log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise PostgresUnavailable(
                f"{program} failed ({result.returncode}): {result.stderr.strip()}\n{tail}")

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def execute(self, sql: str) -> None:
        with psycopg.connect(host="127.0.0.1", port=self.port, user="postgres",
                             dbname="postgres", autocommit=True) as conn:
            conn.execute(sql)

    def new_database(self, template: str | None = None) -> str:
        self.counter += 1
        name = f"qalam_test_{self.counter}"
        suffix = f" TEMPLATE {template} STRATEGY FILE_COPY" if template else ""
        if template:
            # PostgreSQL copies no database that has sessions, and the template is also the
            # database tests run on (db_url): a previous test's pool or thread may still
            # hold a connection to it for a moment after its teardown.
            self.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                         f"WHERE datname = '{template}' AND pid <> pg_backend_pid()")
        self.execute(f"CREATE DATABASE {name}{suffix}")
        return name

    def reset(self, name: str, tables: list[str]) -> None:
        """Empty ``tables`` (children first) and restart the change counter: a fresh server
        in milliseconds, where a new database copied from a template takes ~0.2 s."""
        with psycopg.connect(host="127.0.0.1", port=self.port, user="postgres", dbname=name,
                             autocommit=True) as conn, conn.transaction():
            for table in tables:
                conn.execute(f"DELETE FROM {table}")
            conn.execute("INSERT INTO counters (name, value) VALUES ('server_seq', 0)")

    def drop_database(self, name: str) -> None:
        self.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    def stop(self) -> None:
        try:
            if self.started:
                self.started = False
                self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)
