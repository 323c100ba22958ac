"""Fixtures for the dashboard's tests: the server suite's databases (SQLite and PostgreSQL),
an app with a test client, and people who sign in.

    def test_x(dashboard):
        farida = dashboard.coordinator()          # a coordinator with a password, signed in
        page = farida.get("/dashboard/overview")
"""

from __future__ import annotations

import warnings

import pytest

from tests.server.conftest import (  # noqa: F401  (fixtures re-used by name)
    backend,
    db_url,
    engine,
    postgres,
    sqlite_template,
)
from tests.web.helpers import Dashboard


@pytest.fixture
def dashboard(engine):  # noqa: F811 (the imported fixture, by name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with Dashboard(engine) as harness:
            yield harness
