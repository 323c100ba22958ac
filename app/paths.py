"""Where Qalam keeps its data.

Order of precedence: ``--data-dir`` on the command line, then ``QALAM_DATA_DIR``, then
portable mode, then the platform's user data directory (platformdirs: ``~/.local/share/Qalam``
on Linux, ``%LOCALAPPDATA%\\Qalam`` on Windows, ``~/Library/Application Support/Qalam`` on
macOS).

Portable mode, for running from a USB stick: a file named ``portable.txt`` beside the
executable (beside ``Qalam.app`` on macOS, beside the ``.AppImage`` file) makes the installed
app keep everything in a ``data`` folder next to it. Only a frozen build looks for it; a
source checkout has no executable of its own (tests pass ``executable_dir``).

    data_dir(executable_dir="E:/Qalam")   # E:/Qalam/data if E:/Qalam/portable.txt exists
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import platformdirs

from app.private import private_dir

APP_NAME = "Qalam"
DATABASE_NAME = "qalam.db"
ENV_VAR = "QALAM_DATA_DIR"
#: The marker file that turns on portable mode; its content does not matter.
PORTABLE_MARKER = "portable.txt"
PORTABLE_DATA = "data"


def frozen_app_dir() -> Path | None:
    """The folder the installed app runs from: the one holding the executable, holding
    ``Qalam.app`` on macOS, or holding the ``.AppImage`` file (whose runtime sets
    ``APPIMAGE``; the executable itself sits in a read-only mount). None in a source
    checkout (not frozen)."""
    if not getattr(sys, "frozen", False):
        return None
    if os.environ.get("APPIMAGE"):
        return Path(os.environ["APPIMAGE"]).resolve().parent
    folder = Path(sys.executable).resolve().parent
    if folder.name == "MacOS" and folder.parent.name == "Contents" \
            and folder.parent.parent.suffix == ".app":
        return folder.parent.parent.parent
    return folder


def portable_data_dir(executable_dir: Path | None) -> Path | None:
    """``executable_dir/data`` when ``executable_dir`` holds the portable marker, else None."""
    if executable_dir is None or not (Path(executable_dir) / PORTABLE_MARKER).is_file():
        return None
    return Path(executable_dir) / PORTABLE_DATA


def data_dir(
    override: str | os.PathLike | None = None,
    *,
    executable_dir: str | os.PathLike | None = None,
) -> Path:
    """The data directory to use, created (readable by its owner only) if missing.

    ``executable_dir`` is where to look for the portable marker; by default the frozen
    app's own folder (:func:`frozen_app_dir`), and nowhere in a source checkout.
    """
    if override is not None:
        chosen = Path(override)
    elif os.environ.get(ENV_VAR):
        chosen = Path(os.environ[ENV_VAR])
    else:
        folder = Path(executable_dir) if executable_dir is not None else frozen_app_dir()
        chosen = portable_data_dir(folder) or Path(
            platformdirs.user_data_dir(APP_NAME, appauthor=False))
    chosen = chosen.expanduser().resolve()
    return private_dir(chosen)  # it holds people's work and the device's keys: 0700 if new


def database_path(directory: Path) -> Path:
    return directory / DATABASE_NAME


def settings_path(directory: Path) -> Path:
    return directory / "settings.ini"
