"""Files shipped with Qalam: fonts, icons, the demo workspace. ``resources.path("demo")``."""

from __future__ import annotations

import sys
from pathlib import Path

# In a PyInstaller bundle the data files sit under sys._MEIPASS/resources.
_ROOT = Path(getattr(sys, "_MEIPASS", Path(__file__).resolve().parent.parent)) / "resources"


def path(*parts: str) -> Path:
    return _ROOT.joinpath(*parts)
