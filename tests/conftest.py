import os
from pathlib import Path

import pytest

# Headless Qt for every test, before anything imports PySide6, on a 1920×1080 desktop: the
# offscreen platform's own 800×800 screen is smaller than any laptop, and windows fit the
# screen they open on (tests/test_fit.py measures the small screens).
if os.environ.setdefault("QT_QPA_PLATFORM", "offscreen") == "offscreen":
    desktop = Path(__file__).with_name("desktop_screen.json")
    os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={desktop}"

from app.store import Store
from tests.sync.conftest import (  # noqa: F401  (the servers of tests/sync, for any test that syncs)
    live_server,
    server_db,
    server_process,
    server_template,
)


@pytest.fixture
def store(tmp_path: Path):
    with Store.open(tmp_path / "qalam.db") as opened:
        yield opened


@pytest.fixture
def open_app(qtbot):
    """Open the whole window on a data dir, as ``make run`` would: ``open_app(data_dir,
    ui_language="ur", active=True)``; other keywords go to ``open_window`` (``on_settings``).
    Every window opened is closed and shut down after the test (shutting down twice is
    harmless), and the data dirs' interface language is set back to English."""
    from ui.application import apply_ui_language, open_window

    opened = []

    def open_(data_dir: Path, *, ui_language: str | None = None, active: bool = False,
              **options):
        window = open_window(data_dir, ui_language=ui_language, **options)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        # Start-up's last step, after the first paint: the "running" mark on the writer. A
        # test writing to the store itself starts once it has landed.
        qtbot.waitUntil(lambda: window.session.begun)
        window.writer.flush()
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
