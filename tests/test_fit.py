"""The window and every dialog fit the screens annotators have, status bar included.

Field laptops are 1366×768, netbooks 1024×600, often at 125% scaling; on a 1280×800 screen
the window once came out 1280×803, its status bar (and the sync indicator) below the edge.
Each case runs tests/fit_child.py in a process of its own, on Qt's offscreen platform given
that screen (its ``configfile`` option) and scale factor, and measures what Qt laid out.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QRect
from PySide6.QtWidgets import QWidget

from app import paths
from app.store import Store

ROOT = Path(__file__).resolve().parent.parent
CASES = [  # width, height, scale, interface language
    (1280, 800, "1", "ur"),
    (1366, 768, "1", "ur"),
    (1366, 768, "1.25", "ur"),
    (1366, 768, "1.25", "am"),
    (1024, 600, "1", "ur"),
    (1024, 600, "1", "hi"),
    (1024, 600, "1.25", "ur"),
    (1024, 600, "1", "my"),
    (1024, 600, "1.25", "my"),
    (1366, 768, "1", "my"),
]


def _measure(tmp_path: Path, width: int, height: int, scale: str, ui: str) -> dict:
    config = tmp_path / "screen.json"
    config.write_text(json.dumps({"screens": [{
        "name": "laptop", "x": 0, "y": 0, "width": width, "height": height,
        "logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}]}), encoding="utf-8")
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    env = {**os.environ, "QT_QPA_PLATFORM": f"offscreen:configfile={config}",
           "QT_SCALE_FACTOR": scale, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, str(ROOT / "tests" / "fit_child.py"),
                           str(data_dir), ui], env=env, capture_output=True, text=True,
                          timeout=180, cwd=ROOT)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    assert lines, done.stderr[-3000:]
    return json.loads(lines[-1])


def _inside(outer: list[int], inner: list[int], slack: int) -> bool:
    """``inner`` inside ``outer`` ([x, y, w, h]), give or take ``slack`` pixels (Qt rounds
    a 1366-pixel screen at 125% to 1093 and a window's frame to 1094)."""
    ox, oy, ow, oh = outer
    x, y, w, h = inner
    return (x >= ox - slack and y >= oy - slack and x + w <= ox + ow + slack
            and y + h <= oy + oh + slack)


@pytest.mark.parametrize(("width", "height", "scale", "ui"), CASES,
                         ids=[f"{w}x{h}@{s}-{u}" for w, h, s, u in CASES])
def test_window_and_dialogs_fit_the_screen_with_the_status_bar_on_it(
        tmp_path, width, height, scale, ui):
    found = _measure(tmp_path, width, height, scale, ui)
    available = found["available"]
    slack = 0 if scale == "1" else 1
    for name, screen in found["screens"].items():
        assert _inside(available, screen["frame"], slack), (name, screen, available)
        assert screen["status"], f"{name}: no status bar"
        assert _inside(available, screen["status"], slack), (name, screen, available)
        assert not screen["scrolls_sideways"], name
    for name, dialog in found["dialogs"].items():
        assert _inside(available, dialog["frame"], slack), (name, dialog, available)
        assert dialog["minimum"][0] <= available[2] and dialog["minimum"][1] <= available[3], (
            name, dialog)
    # The guidelines fold away where the work needs the width (F2 unfolds them).
    assert found["guidelines_shown"] == (available[2] >= 1200)
    # The short Improve boxes show two lines of their script without a scroll bar, and
    # nothing in its panels is drawn over anything else.
    assert found["improve_overlaps"] == []
    assert found["progress_overlaps"] == []
    box = found["improve_box"]
    assert box["height"] >= box["min"] >= 2 * box["line"]
    assert not box["scrolls"], box
    if (width, height, scale) == (1366, 768, "1"):  # a field laptop: nothing scrolls
        assert not any(screen["scrolls"] for screen in found["screens"].values()), found


def test_a_geometry_saved_on_a_larger_screen_is_clamped_to_this_one(qtbot, tmp_path,
                                                                     open_app):
    from ui.application import _settings
    from ui.fitting import available_geometry

    with Store.open(paths.database_path(tmp_path)):
        pass
    big = QWidget()
    big.setGeometry(QRect(40, 40, 2600, 1900))  # another, larger monitor
    settings = _settings(tmp_path)
    settings.setValue("geometry", big.saveGeometry())
    settings.sync()
    big.deleteLater()
    window = open_app(tmp_path)
    qtbot.wait(50)
    available = available_geometry(window)
    frame = window.frameGeometry()
    assert available.contains(frame), (frame, available)
    status = window.statusBar()
    top_left = status.mapToGlobal(status.rect().topLeft())
    assert available.contains(QRect(top_left, status.size()))
