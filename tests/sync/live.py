"""A real server on loopback, and devices that sync with it, for e2e tests.

    with ServerThread(tmp_path / "server.db") as live_server:
        device = Device.enrolled(tmp_path / "amina", live_server, url=proxy.url)
        device.write(20)
        device.sync()
        assert_converged(live_server, device)

Two real servers over a file database, each a real HTTP server on a free loopback port:

- :class:`ServerThread`: the server's app on uvicorn in a thread of the test process (started
  in milliseconds); what a test uses unless it must kill the server or run ``serve`` itself.
- :class:`ServerProcess`: ``python -m sync.server.cli serve`` in a process of its own (seconds
  to start); killable and restartable on the same port.

tests/sync/conftest.py gives them as the fixtures ``live_server`` and ``server_process``. (The
third thing once called a server, :class:`tests.server.helpers.Server`, is no server on the
network: the app driven in-process through Starlette's TestClient, the fixture ``harness``.)
"""

from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import sqlalchemy as sa

from app import paths
from app.store import Store
from sync import credentials, device
from sync.client import SyncClient
from sync.server import db, tables
from sync.server.people import server_identity, users

if TYPE_CHECKING:  # the app and uvicorn load only where a thread serves them
    from tests.server.helpers import LiveServer

ROOT = Path(__file__).resolve().parents[2]

TEXTS = [
    ("بارش کے موسم میں چاول کی فصل کو کتنا پانی دینا چاہیے؟", "شروع میں کھیت میں دو انچ پانی "
     "کھڑا رکھیں اور پھول آنے کے بعد آہستہ آہستہ کم کریں۔", "urd_Arab"),
    ("धान की रोपाई के बाद खरपतवार कैसे रोकें?", "रोपाई के बीस दिन बाद पहली निराई करें और "
     "खेत में पानी भरा रखें ताकि खरपतवार न उगें।", "hin_Deva"),
    ("Ninawezaje kuhifadhi mahindi baada ya mavuno?", "Kausha mahindi vizuri juani, kisha "
     "yahifadhi kwenye magunia safi juu ya chaga ili kuzuia unyevu na sumukuvu.", "swh_Latn"),
    ("Báwo ni mo ṣe lè dènà àrùn ibà?", "Sùn sábẹ́ àwọ̀n ẹ̀fọn tí a ti fi oògùn sí, kí o sì "
     "da omi tí ó dúró jẹ́ kúrò ní àyíká ilé rẹ.", "yor_Latn"),
    ("ንጹህ የመጠጥ ውሃ በቤት ውስጥ እንዴት ማዘጋጀት ይቻላል?", "ውሃውን ለአንድ ደቂቃ አፍልተው በንጹህ "
     "በተከደነ እቃ ውስጥ ያስቀምጡት።", "amh_Ethi"),
]
LANGUAGES = sorted({language for _, _, language in TEXTS})


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class ServerDatabase:
    """A migrated server database (a SQLite file, or a database URL) and what a test does to
    it directly: invite people, read what arrived."""

    def __init__(self, db_path: Path | str):
        self.db_path = db_path
        self.engine = db.create_engine(db.database_url(str(db_path)))
        db.migrate(self.engine)
        server_identity.ensure_server_identity(self.engine)

    def invite(self, name: str, languages=LANGUAGES) -> str:
        _user, code, _ = users.invite(self.engine, name=name, role="annotator",
                                      languages=list(languages))
        return code

    def submissions(self) -> list:
        with self.engine.connect() as conn:
            return conn.execute(sa.select(tables.submissions)).all()


class ServerThread(ServerDatabase):
    """The server's app on real uvicorn, in a thread, on a free loopback port: what ``serve``
    runs, with connections of its own to the same database (HTTPS with ``serve --tls``'s
    self-signed certificate when ``tls``)."""

    def __init__(self, db_path: Path | str, *, tls: bool = False):
        super().__init__(db_path)
        self.tls = tls
        self.app_engine = None
        self.live: LiveServer | None = None

    @property
    def url(self) -> str:
        return self.live.url

    @property
    def port(self) -> int:
        return int(self.url.rsplit(":", 1)[1])

    def start(self) -> ServerThread:
        from sync.server.api.factory import create_app
        from sync.server.people.tls import ensure_certificate
        from tests.server.helpers import LiveServer

        ssl, fingerprint = {}, ""
        if self.tls:  # as `serve --tls` makes it: beside the database, for 127.0.0.1
            cert = ensure_certificate(Path(self.db_path).parent, hosts=["127.0.0.1"])
            ssl = {"ssl_certfile": str(cert.cert_path), "ssl_keyfile": str(cert.key_path)}
            fingerprint = cert.fingerprint
        self.app_engine = db.create_engine(db.database_url(str(self.db_path)))
        self.live = LiveServer(create_app(self.app_engine, tls_fingerprint=fingerprint), **ssl)
        return self

    def stop(self) -> None:
        if self.live is not None:
            self.live.__exit__(None, None, None)
            self.live = None
            self.app_engine.dispose()
        self.engine.dispose()

    def __enter__(self) -> ServerThread:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


class ServerProcess(ServerDatabase):
    """``python -m sync.server.cli serve`` on a fixed loopback port; killable, restartable."""

    def __init__(self, db_path: Path | str, port: int | None = None, *, tls: bool = False,
                 options: tuple[str, ...] = (), cwd: Path = ROOT, log: Path | None = None):
        super().__init__(db_path)
        self.port = port or free_port()
        self.tls = tls
        self.options = options  # more of serve's options, e.g. ("--workers", "2")
        self.cwd = cwd
        self.log = log          # serve's output goes here (else nowhere)
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}"

    def start(self) -> ServerProcess:
        output = self._output = self.log.open("ab") if self.log else subprocess.DEVNULL
        self.process = subprocess.Popen(
            [sys.executable, "-m", "sync.server.cli", "serve", "--db", str(self.db_path),
             "--host", "127.0.0.1", "--port", str(self.port), *(["--tls"] if self.tls else []),
             *self.options],
            cwd=self.cwd, stdout=output, stderr=output,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                if httpx.get(self.url + "/healthz", timeout=1, verify=False).status_code == 200:
                    return self
            except httpx.TransportError:
                time.sleep(0.05)
        raise RuntimeError("the server did not start")

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()
        if self.log:
            self._output.close()
        self.engine.dispose()

    def __enter__(self) -> ServerProcess:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def fast_sleep(seconds: float) -> None:
    """Backoff in tests: the same decisions, a hundredth of the wait."""
    time.sleep(min(seconds, 5.0) / 100)


class Device:
    def __init__(self, data_dir: Path):
        self.data_dir = data_dir
        data_dir.mkdir(parents=True, exist_ok=True)
        Store.open(self.db_path).close()

    @property
    def db_path(self) -> Path:
        return paths.database_path(self.data_dir)

    @classmethod
    def enrolled(cls, data_dir: Path, server: ServerThread | ServerProcess, *,
                 url: str | None = None, name: str = "amina") -> Device:
        os.environ["QALAM_NO_KEYRING"] = "1"
        made = cls(data_dir)
        device.enroll(data_dir, url or server.url, server.invite(name))
        return made

    def write(self, count: int, *, seed: int = 0, submit_every: int = 3) -> list[str]:
        rng = random.Random(seed)
        ids = []
        with Store.open(self.db_path) as store:
            for n in range(count):
                inputs, targets, language = rng.choice(TEXTS)
                draft = store.new_submission(language=language)
                store.save_draft(draft.id, inputs=f"{inputs} ({n})", targets=targets)
                if n % submit_every == 0:
                    store.submit(draft.id)
                ids.append(draft.id)
        return ids

    def client(self, url: str | None = None, **options) -> SyncClient:
        enrollment, token = credentials.load(self.data_dir)
        options.setdefault("sleep", fast_sleep)
        options.setdefault("stall_timeout", 5.0)
        return SyncClient(url or enrollment.server_url, token=token, **options)

    def sync(self, url: str | None = None, **options):
        return device.sync_now(self.data_dir, client=self.client(url, **options))

    def store(self) -> Store:
        return Store.open(self.db_path, readonly=True)


def assert_converged(server: ServerDatabase, *devices: Device) -> None:
    """Every record once on the server, each device's copy acknowledged at the server's
    revision, nothing pending, both databases intact."""
    rows = server.submissions()
    ids = [row.id for row in rows]
    assert len(ids) == len(set(ids)), "a record is on the server twice"
    on_server = {row.id: row.revision for row in rows if not row.deleted}
    held = {}
    for each in devices:
        with each.store() as store:
            assert store.integrity_check() == "ok"
            assert store.outbox() == [], "work left unsent"
            for submission in store.submissions(limit=1_000_000):
                held[submission.id] = submission.base_revision
    assert held == on_server
    with server.engine.connect() as conn:
        if server.engine.dialect.name == "sqlite":
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
