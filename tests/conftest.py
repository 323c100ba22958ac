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


@pytest.fixture
def open_app(qtbot):
    """Open the whole window on a data dir, as ``make run`` would: ``open_app(data_dir,
    ui_language="ur", active=True)``. Every window opened is closed and shut down after the
    test, and the data dirs' interface language is set back to English."""
    from ui.application import apply_ui_language, open_window

    opened = []

    def open_(data_dir: Path, *, ui_language: str | None = None, active: bool = False):
        window = open_window(data_dir, ui_language=ui_language)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        opened.append((window, data_dir))
        if active:
            window.activateWindow()
            qtbot.waitUntil(window.isActiveWindow)
        return window

    yield open_
    for window, data_dir in opened:
        if window.isVisible():
            window.close()
        window.shutdown()
        apply_ui_language(data_dir, "en")
