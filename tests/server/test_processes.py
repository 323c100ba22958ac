"""Several server processes on one PostgreSQL, sharing nothing else: `serve --workers N`,
dashboard jobs any process may run (each exactly once), files kept in the database."""

from __future__ import annotations

import io
import re
import threading
import time
import zipfile
from datetime import UTC, datetime

import httpx
import pytest
import sqlalchemy as sa

from app import clock
from sync.server import db, tables
from sync.server.cli import main
from sync.server.people import tls
from sync.server.web import files, jobs
from tests.sync.live import ServerProcess
from tests.web.helpers import PASSWORD, Browser

TASKS = "\n".join([
    '{"inputs": "پاکستان کا دارالحکومت کیا ہے؟", "targets": "اسلام آباد", '
    '"language_code": "urd", "script": "Arab"}',
    '{"inputs": "ایک نظم لکھیں", "targets": "چاند کی روشنی", "language_code": "urd", '
    '"script": "Arab"}',
]) + "\n"


@pytest.fixture
def pg_url(postgres):
    name = postgres.new_database(postgres.template)
    yield postgres.url(name)
    postgres.drop_database(name)


def _coordinator(url: str, name: str = "Farida") -> None:
    from sync.server.people import users
    from sync.server.web import sessions

    engine = db.create_engine(url)
    try:
        users.invite(engine, name=name, role="coordinator", languages=[])
        sessions.set_password(engine, name, PASSWORD)
    finally:
        engine.dispose()


def _browser(server: ServerProcess) -> Browser:
    browser = Browser(httpx.Client(base_url=server.url, follow_redirects=False, timeout=60,
                                   verify=False))
    assert browser.sign_in("Farida", PASSWORD).status_code == 303
    return browser


def _wait(browser: Browser, path: str, timeout: float = 90) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        page = browser.get(path)
        assert page.status_code == 200, page.text
        if re.search(r'data-state="(done|failed)"', page.text):
            return page.text
        time.sleep(0.2)
    raise AssertionError(f"{path} unfinished after {timeout} s")


def _claimed_by(url: str, path: str) -> str:
    engine = db.create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(sa.select(tables.jobs.c.claimed_by).where(
                tables.jobs.c.id == path.rsplit("/", 1)[1])).scalar()
    finally:
        engine.dispose()


def test_two_servers_in_different_folders_share_imports_and_exports_through_postgres(
        pg_url, tmp_path):
    """A takes the requests but runs no jobs (--job-threads 0); B, in another folder, runs
    them. What was uploaded through A is imported by B and reported by both; an export asked
    of A is made by B and downloads, the same bytes, from either."""
    _coordinator(pg_url)
    folders = {name: tmp_path / name for name in ("a", "b")}
    for folder in folders.values():
        folder.mkdir()
    with ServerProcess(pg_url, cwd=folders["a"], options=("--job-threads", "0"),
                       log=tmp_path / "a.log") as a, \
            ServerProcess(pg_url, cwd=folders["b"], log=tmp_path / "b.log") as b:
        at_a, at_b = _browser(a), _browser(b)
        at_a.get("/dashboard/import")
        started = at_a.post("/dashboard/import", {"new_project": "aya-urd", "kind": "original"},
                            files={"file": ("urd.jsonl", TASKS.encode(), "application/json")})
        assert started.status_code == 303, started.text
        job = started.headers["location"]
        for browser in (at_b, at_a):
            page = _wait(browser, job)
            assert 'data-state="done"' in page, page
            assert re.findall(r'<td class="num">([^<]+)</td>', page) == ["2", "0", "0"]
        assert _claimed_by(pg_url, job).endswith(f":{b.process.pid}")

        at_a.get("/dashboard/export")
        started = at_a.post("/dashboard/export", {"fmt": "jsonl", "test_fraction": "0"})
        job = started.headers["location"]
        page = _wait(at_a, job)
        assert 'data-state="done"' in page, page
        assert _claimed_by(pg_url, job).endswith(f":{b.process.pid}")
        link = re.search(r'id="download" href="([^"]+)"', page).group(1)
        downloads = [browser.client.get(link) for browser in (at_a, at_b)]
        assert [d.status_code for d in downloads] == [200, 200]
        assert downloads[0].content == downloads[1].content
        assert downloads[0].headers["content-length"] == str(len(downloads[0].content))
        names = zipfile.ZipFile(io.BytesIO(downloads[0].content)).namelist()
        assert any(name.endswith("data/train.jsonl") for name in names)
    for folder in folders.values():  # nothing was kept on either machine's disk
        assert list(folder.iterdir()) == []


def test_serve_with_workers_over_tls_serves_from_several_processes(pg_url, tmp_path):
    """`serve --tls --workers 2`: HTTPS from every worker, and the enrollment card carries
    the certificate's fingerprint (the workers get it from the supervisor)."""
    _coordinator(pg_url)
    folder = tmp_path / "run"
    folder.mkdir()
    with ServerProcess(pg_url, tls=True, cwd=folder, options=("--workers", "2"),
                       log=tmp_path / "serve.log") as served:
        cert = tls.ensure_certificate(folder, hosts=["127.0.0.1"])  # the one serve made
        assert not cert.created
        browser = _browser(served)
        browser.get("/dashboard/enrollment")
        card = browser.post("/dashboard/enrollment", {"name": "Amina", "role": "annotator",
                                                       "languages": "urd_Arab"})
        assert card.status_code == 200, card.text
        assert "fp=" + cert.fingerprint.replace(":", "").lower() in card.text
        deadline = time.monotonic() + 60  # healthz answered as soon as one worker was up
        while time.monotonic() < deadline:
            log = (tmp_path / "serve.log").read_text()
            workers = set(re.findall(r"Started server process \[(\d+)\]", log))
            if len(workers) == 2:
                break
            time.sleep(0.2)
        assert len(workers) == 2, log


def test_serve_refuses_several_workers_on_sqlite(tmp_path, capsys):
    status = main(["serve", "--db", str(tmp_path / "server.db"), "--workers", "2"])
    err = capsys.readouterr().err
    assert status == 2
    assert "--workers 2" in err and "PostgreSQL" in err


def test_racing_processes_claim_each_job_exactly_once(db_url):
    """Four "processes" (engines of their own, two threads each) race for 40 queued jobs:
    each is taken once."""
    engines = [db.create_engine(db_url) for _ in range(4)]
    try:
        queued = [jobs.start(engines[0], kind="export", created_by="Farida")
                  for _ in range(40)]
        taken: list[tuple[str, str]] = []
        barrier = threading.Barrier(8)

        def race(engine, name) -> None:
            barrier.wait()
            while (job := jobs.claim(engine, by=name)) is not None:
                taken.append((job.id, name))

        threads = [threading.Thread(target=race, args=(engine, f"p{n}-t{t}"))
                   for n, engine in enumerate(engines) for t in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
        assert sorted(job_id for job_id, _ in taken) == sorted(queued)
        with engines[0].connect() as conn:
            rows = conn.execute(sa.select(tables.jobs.c.id, tables.jobs.c.state,
                                          tables.jobs.c.claimed_by)).all()
        assert {row.id: row.claimed_by for row in rows} == dict(taken)
        assert {row.state for row in rows} == {"running"}
    finally:
        for engine in engines:
            engine.dispose()


def test_a_file_goes_in_and_out_one_chunk_at_a_time(db_url, monkeypatch):
    monkeypatch.setattr(files, "CHUNK", 1000)
    engine = db.create_engine(db_url)
    try:
        data = bytes(range(256)) * 41 + b"end"   # 10,499 bytes: ten full chunks and a bit
        reads = []
        source = io.BytesIO(data)

        def read_some(n: int) -> bytes:
            reads.append(n)
            return source.read(n)

        stored = files.store(engine, read_some, name="big.bin", purpose="upload")
        assert set(reads) == {1000}
        assert (stored.size, stored.complete) == (len(data), True)
        parts = list(files.chunks(engine, stored.id))
        assert [len(p) for p in parts] == [1000] * 10 + [499]
        assert b"".join(parts) == data
        with pytest.raises(files.TooLarge):
            files.store(engine, io.BytesIO(data).read, name="x", purpose="upload", limit=5000)
        with engine.connect() as conn:  # the refused one left nothing behind
            assert conn.execute(sa.select(sa.func.count())
                                .select_from(tables.stored_files)).scalar() == 1
        files.delete(engine, stored.id)
        assert files.info(engine, stored.id) is None and list(files.chunks(engine,
                                                                           stored.id)) == []
    finally:
        engine.dispose()


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_move_files_brings_an_old_servers_export_archives_into_the_database(
        db_url, tmp_path, capsys):
    engine = db.create_engine(db_url)
    try:
        job_id = jobs.start(engine, kind="export", created_by="Farida")
        jobs.update(engine, job_id, state="done", result={"zip": "old.zip", "rows": 1})
        old = tmp_path / "qalam-server-files"
        (old / "exports" / job_id).mkdir(parents=True)
        (old / "exports" / job_id / "old.zip").write_bytes(b"PK old archive")
        (old / "uploads" / "gone").mkdir(parents=True)
        (old / "uploads" / "gone" / "urd.jsonl").write_text("{}")
        for _ in range(2):  # twice: the second finds nothing left to move
            assert main(["move-files", "--db", db_url, str(old)]) == 0
        out = capsys.readouterr().out
        assert "Moved 1 export archive(s)" in out and "Moved 0 export archive(s)" in out
        assert "urd.jsonl" in out
        assert not (old / "exports").exists() and (old / "uploads" / "gone").is_dir()
        job = jobs.load(engine, job_id)
        assert b"".join(files.chunks(engine, job.result["file"])) == b"PK old archive"
    finally:
        engine.dispose()


def test_a_job_queued_where_no_process_runs_jobs_is_shown_waiting(tmp_path):
    """--job-threads 0 and no other server: the job waits, and says so."""
    from tests.web.helpers import Dashboard

    engine = db.create_engine(f"sqlite:///{tmp_path / 'server.db'}")
    try:
        db.migrate(engine)
        dashboard = Dashboard(engine)
        dashboard.app.state.jobs = jobs.Runner(engine, threads=0)
        farida = dashboard.coordinator()
        farida.get("/dashboard/export")
        started = farida.post("/dashboard/export", {"fmt": "jsonl"})
        page = farida.get(started.headers["location"]).text
        assert 'data-state="queued"' in page and 'http-equiv="refresh"' in page
        assert "Waiting for a server process" in page
        assert jobs.load(engine, started.headers["location"].rsplit("/", 1)[1]).state \
            == "queued"
    finally:
        engine.dispose()


# --- a job whose process died -----------------------------------------------------------------


def _lose(engine, job_id: str, *, by: str = "gone-host:4242") -> None:
    """What a process killed while running ``job_id`` leaves: the job taken, its lease
    untouched since."""
    assert jobs.claim(engine, by=by).id == job_id


def test_a_job_whose_process_died_is_run_by_another_server_process(pg_url, tmp_path):
    """An export asked of A (which runs no jobs) was taken by a process that was killed:
    the row it left (running, claimed, untouched for longer than the lease) is taken up by
    B's poller when B starts, and finished there; both pages say it was started again."""
    _coordinator(pg_url)
    engine = db.create_engine(pg_url)
    try:
        with ServerProcess(pg_url, cwd=tmp_path, options=("--job-threads", "0")) as a:
            at_a = _browser(a)
            at_a.get("/dashboard/export")
            started = at_a.post("/dashboard/export", {"fmt": "jsonl", "test_fraction": "0"})
            path = started.headers["location"]
            job_id = path.rsplit("/", 1)[1]
            _lose(engine, job_id)
            stale = clock.stamp(datetime.now(UTC) - 2 * jobs.LEASE)
            with engine.begin() as conn:
                conn.execute(tables.jobs.update().values(updated_at=stale))
            with ServerProcess(pg_url, cwd=tmp_path, log=tmp_path / "b.log") as b:
                for browser in (_browser(b), at_a):
                    page = _wait(browser, path)
                    assert 'data-state="done"' in page, page
                    assert "another one started it again" in page, page
                job = jobs.load(engine, job_id)
                assert job.claimed_by.endswith(f":{b.process.pid}") and job.attempts == 2
        assert f"job {job_id} lost its process gone-host:4242" in (tmp_path / "b.log").read_text()
    finally:
        engine.dispose()


def test_a_running_job_keeps_its_lease_and_no_other_process_takes_it(db_url, monkeypatch):
    release = threading.Event()
    ran: list[str] = []

    def slow_export(engine, job, progress):
        ran.append(job.id)
        release.wait(60)
        return {"rows": 0}

    monkeypatch.setitem(jobs.HANDLERS, "export", slow_export)
    engine, other = db.create_engine(db_url), db.create_engine(db_url)
    runner = jobs.Runner(engine, threads=1)
    try:
        job_id = jobs.start(engine, kind="export", created_by="Farida")
        runner.kick()
        deadline = time.monotonic() + 30
        while not ran and time.monotonic() < deadline:
            time.sleep(0.01)
        assert ran == [job_id]
        before = jobs.load(engine, job_id).updated_at
        time.sleep(0.01)
        runner.keep_leases()  # what its poller does every few seconds
        assert jobs.load(engine, job_id).updated_at > before
        # Another process looking a lease later than now still sees a live job...
        assert jobs.requeue_lost(other) == []
        # ...and one looking after the lease ran out without a touch would take it back,
        # unless it is the process running it (its touch held up by SQLite's write lock).
        later = datetime.now(UTC) + 2 * jobs.LEASE
        assert jobs.requeue_lost(engine, now=later, running_here=frozenset([job_id])) == []
        assert jobs.load(engine, job_id).state == "running"
        release.set()
        deadline = time.monotonic() + 30
        while jobs.load(engine, job_id).state == "running" and time.monotonic() < deadline:
            time.sleep(0.01)
        job = jobs.load(engine, job_id)
        assert (job.state, job.result, job.attempts) == ("done", {"rows": 0}, 1)
    finally:
        release.set()
        runner.stop()
        engine.dispose()
        other.dispose()


def test_a_job_lost_again_and_again_fails_with_a_sentence_and_is_requeued_once_each_time(
        db_url):
    """Two processes notice the same lost job: it is queued again once. After
    MAX_ATTEMPTS lost runs it fails, saying why, instead of going round the servers."""
    engines = [db.create_engine(db_url) for _ in range(2)]
    try:
        job_id = jobs.start(engines[0], kind="import", created_by="Farida")
        later = datetime.now(UTC) + 2 * jobs.LEASE
        for attempt in range(1, jobs.MAX_ATTEMPTS + 1):
            _lose(engines[0], job_id, by=f"host:{attempt}")
            found = [jobs.requeue_lost(engine, now=later) for engine in engines]
            job = jobs.load(engines[0], job_id)
            assert job.attempts == attempt
            if attempt < jobs.MAX_ATTEMPTS:
                assert sorted(found, key=len) == [[], [job_id]]
                assert (job.state, job.claimed_by, job.done) == ("queued", None, 0)
        assert found == [[], []]
        assert job.state == "failed"
        assert f"stopped {jobs.MAX_ATTEMPTS} times" in job.message
    finally:
        for engine in engines:
            engine.dispose()


# --- how many connections a process opens ----------------------------------------------------


def test_db_connections_bound_what_a_serving_process_opens(db_url):
    """--db-connections 6 with 2 job threads: the pool never opens more than 6, and requests
    share the 3 the job threads and the poller leave (more requests wait for a thread, not
    for a connection, so none times out waiting for the pool)."""
    from fastapi.testclient import TestClient

    from sync.server.api import factory

    app = factory.serving_app(db_url, connections=6, job_threads=2)
    engine = app.state.engine
    try:
        assert engine.pool.size() + engine.pool._max_overflow == 6
        with TestClient(app) as client:
            import anyio.to_thread

            limiter = anyio.to_thread.current_default_thread_limiter
            assert client.portal.call(lambda: limiter().total_tokens) == 3
            assert client.get("/healthz").json()["ok"] is True
    finally:
        engine.dispose()
    assert factory.request_threads(40, 0) == 40  # no job threads, no poller
    assert factory.request_threads(3, 2) == 1


def test_serve_refuses_fewer_connections_than_its_job_threads_need(tmp_path, capsys):
    assert main(["serve", "--db", str(tmp_path / "s.db"), "--job-threads", "2",
                 "--db-connections", "3"]) == 2
    assert "--db-connections must be at least 4" in capsys.readouterr().err


def test_serve_warns_when_its_processes_could_open_more_than_postgres_accepts(
        postgres, capsys):
    import argparse

    from sync.server import cli

    engine = db.create_engine(postgres.url(postgres.template))
    try:
        with engine.connect() as conn:
            accepted = int(conn.exec_driver_sql("SHOW max_connections").scalar())
        workers = accepted // 40 + 1
        cli._warn_of_too_many_connections(
            argparse.Namespace(workers=workers, db_connections=40), engine)
        warning = capsys.readouterr().err
        assert (f"{workers} process(es) × 40 connections = {workers * 40}, but PostgreSQL "
                f"accepts {accepted}") in warning
        cli._warn_of_too_many_connections(
            argparse.Namespace(workers=1, db_connections=accepted // 2), engine)
        assert capsys.readouterr().err == ""
    finally:
        engine.dispose()
