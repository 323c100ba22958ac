"""PyInstaller runtime hook: give a windowed build somewhere to print.

A windowed Windows build starts with ``sys.stdout``/``sys.stderr`` set to None, so
``qalam --version`` or ``--self-test`` run from a console would crash on ``print``. Attach to
the console of the parent process when there is one, else write to the null device.
"""

import os
import sys


def _reopen_streams() -> None:
    if sys.stdout is not None and sys.stderr is not None:
        return
    target = os.devnull
    if sys.platform == "win32":
        import ctypes

        attach_parent_process = -1
        if ctypes.windll.kernel32.AttachConsole(attach_parent_process):
            target = "CONOUT$"
    stream = open(target, "w", encoding="utf-8", errors="replace")  # noqa: SIM115
    if sys.stdout is None:
        sys.stdout = stream
    if sys.stderr is None:
        sys.stderr = stream


_reopen_streams()
