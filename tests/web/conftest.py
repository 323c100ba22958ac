"""Fixtures for the dashboard's tests: the server suite's databases (SQLite and PostgreSQL),
an app with a test client, and people who sign in.

    def test_x(dashboard):
        farida = dashboard.coordinator()          # a coordinator with a password, signed in
        page = farida.get("/dashboard/overview")
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import pytest

from tests.server.conftest import (  # noqa: F401  (fixtures re-used by name)
    backend,
    db_url,
    engine,
    postgres,
    sqlite_template,
)
from tests.web.helpers import Dashboard


@pytest.fixture(autouse=True)
def cheap_password_hashes(monkeypatch):
    """Argon2id still, at its lowest cost: the server's own settings spend a tenth of a
    second on each hash and each check, on purpose, and the dashboard's tests sign in
    hundreds of times (as Django's tests swap in a fast hasher)."""
    from argon2 import PasswordHasher

    from sync.server.web import sessions

    monkeypatch.setattr(sessions, "_hasher",
                        PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


@pytest.fixture
def dashboard(engine):  # noqa: F811 (the imported fixture, by name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with Dashboard(engine) as harness:
            yield harness


# --- the browser checks (tests/web/test_*_browser.py) -------------------------------------


@pytest.fixture
def shots(tmp_path) -> Path:
    """Where screenshots go: ``$QALAM_SCREENSHOTS`` when set (to look at them), else a
    temporary folder."""
    folder = Path(os.environ.get("QALAM_SCREENSHOTS") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def scene(tmp_path_factory):
    """A dashboard with a project's worth of work on real uvicorn (tests/web/scene.py)."""
    from tests.web.scene import Scene

    with Scene(tmp_path_factory.mktemp("scene")) as made:
        yield made


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    """Debian's Chromium seeing only DejaVu Sans (tests/web/chromium.py)."""
    from tests.web.chromium import chromium

    with chromium(tmp_path_factory.mktemp("chromium")) as launched:
        yield launched
