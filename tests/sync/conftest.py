"""The servers the sync tests run against, each a real HTTP server on loopback over a real
SQLite file database (tests/sync/live.py):

- ``live_server``: the server in a thread of the test process, started in milliseconds. Every
  test uses it unless it must kill or restart the server, or run ``serve`` itself.
- ``server_process``: ``qalam-server serve`` in a process of its own (seconds to start), for
  the tests that kill it, restart it on its port, or test ``serve`` (test_kills.py,
  test_sync_e2e.py's restore from a backup).

Both start on a copy of one database migrated for the session (migrating a new file takes
about half a second; a copy, milliseconds). A test that needs faults between device and server
puts a :class:`tests.sync.proxy.FaultProxy` in front of either
(``FaultProxy(live_server.port, plan)``). tests/conftest.py gives these fixtures to every test
that syncs, outside tests/sync too.
"""

from __future__ import annotations

import shutil

import pytest

from tests.sync.live import ServerDatabase, ServerProcess, ServerThread


@pytest.fixture(scope="session")
def server_template(tmp_path_factory):
    """A migrated server database with its identity, copied for each test's server."""
    path = tmp_path_factory.mktemp("sync-template") / "server.db"
    ServerDatabase(path).engine.dispose()
    return path


@pytest.fixture
def server_db(tmp_path, server_template):
    """A fresh server database file: the session's template, copied."""
    path = tmp_path / "server.db"
    shutil.copyfile(server_template, path)
    return path


@pytest.fixture
def live_server(server_db):
    with ServerThread(server_db) as running:
        yield running


@pytest.fixture
def server_process(server_db):
    with ServerProcess(server_db) as running:
        yield running
