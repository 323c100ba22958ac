"""One server test suite, every backend (like Kinto's storage tests).

Every test that uses ``engine``/``harness`` runs twice: on SQLite and on a real PostgreSQL
started for the session (tests/server/postgres.py). Each test gets a fresh server: on SQLite a
copy of a migrated template file, on PostgreSQL the session's migrated database emptied (all
rows but the server's identity deleted, the change counter back to 0).

``QALAM_SKIP_POSTGRES=1`` skips the PostgreSQL half explicitly; otherwise a PostgreSQL that
cannot be installed or started fails those tests with the reason.
"""

from __future__ import annotations

import os
import shutil
import tempfile

import pytest
from hypothesis.configuration import set_hypothesis_home_dir

from sync.server import db, tables
from sync.server.people import server_identity
from tests.server.helpers import Server
from tests.server.postgres import Cluster, PostgresUnavailable

BACKENDS = ("sqlite", "postgresql")
# Everything but the server's identity, children before parents.
RESET_TABLES = [t.name for t in reversed(tables.metadata.sorted_tables)
                if t.name != "server_meta"]



def pytest_configure(config):
    # Hypothesis (under schemathesis) keeps caches in ./.hypothesis unless told otherwise.
    set_hypothesis_home_dir(os.path.join(tempfile.gettempdir(), "qalam-hypothesis"))
    # Starlette suggests httpx2 for its TestClient; httpx is what the project uses.
    config.addinivalue_line("filterwarnings", "ignore:.*httpx2")


@pytest.fixture(scope="session")
def postgres():
    if os.environ.get("QALAM_SKIP_POSTGRES") == "1":
        pytest.skip("QALAM_SKIP_POSTGRES=1: PostgreSQL half skipped on purpose")
    try:
        cluster = Cluster()
    except PostgresUnavailable as exc:
        pytest.fail(f"PostgreSQL backend unavailable: {exc}", pytrace=False)
    try:
        template = cluster.new_database()  # migrated once, emptied before each test
        engine = db.create_engine(cluster.url(template))
        db.migrate(engine)
        server_identity.ensure_server_identity(engine)
        engine.dispose()
        cluster.template = template
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory):
    path = tmp_path_factory.mktemp("template") / "server.db"
    engine = db.create_engine(f"sqlite:///{path}")
    db.migrate(engine)
    server_identity.ensure_server_identity(engine)
    engine.dispose()
    return path


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    return request.param


@pytest.fixture
def db_url(backend, request, tmp_path) -> str:
    """A fresh, migrated database on this backend."""
    if backend == "sqlite":
        path = tmp_path / "server.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    cluster = request.getfixturevalue("postgres")
    cluster.reset(cluster.template, RESET_TABLES)
    yield cluster.url(cluster.template)


@pytest.fixture
def empty_db_url(backend, request, tmp_path) -> str:
    """A database with nothing in it (for `init`)."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    yield from _postgres_database(request, template=False)


def _postgres_database(request, *, template: bool):
    cluster = request.getfixturevalue("postgres")
    name = cluster.new_database(cluster.template if template else None)
    yield cluster.url(name)
    cluster.drop_database(name)


@pytest.fixture
def engine(db_url):
    engine = db.create_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def harness(engine):
    """The app driven in-process through Starlette's TestClient (no socket): people enroll,
    push and pull through it (tests/server/helpers.py)."""
    with Server(engine) as driven:
        yield driven
