"""Where Qalam keeps its data.

Order of precedence: ``--data-dir`` on the command line, then ``QALAM_DATA_DIR``, then the
platform's user data directory (platformdirs: ``~/.local/share/Qalam`` on Linux,
``%LOCALAPPDATA%\\Qalam`` on Windows, ``~/Library/Application Support/Qalam`` on macOS).
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "Qalam"
DATABASE_NAME = "qalam.db"


def data_dir(override: str | os.PathLike | None = None) -> Path:
    """The data directory to use, created if missing."""
    if override is not None:
        chosen = Path(override)
    elif os.environ.get("QALAM_DATA_DIR"):
        chosen = Path(os.environ["QALAM_DATA_DIR"])
    else:
        chosen = Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    chosen = chosen.expanduser().resolve()
    chosen.mkdir(parents=True, exist_ok=True)
    return chosen


def database_path(directory: Path) -> Path:
    return directory / DATABASE_NAME


def settings_path(directory: Path) -> Path:
    return directory / "settings.ini"
