import os
from pathlib import Path

import pytest

# Headless Qt for every test, before anything imports PySide6.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from app.store import Store


@pytest.fixture
def store(tmp_path: Path):
    with Store.open(tmp_path / "qalam.db") as opened:
        yield opened
