"""A guard against a PySide6 6.12.0 reference-count bug that kills the app on Python 3.11.

In shiboken6/PySide6 6.12.0, every call from Python to a Qt method returning ``void``
(``setText``, ``update``, ``QTimer.start``, ``processEvents``…) gives back ``None`` without
a reference, and ``Signal.emit()`` does the same with ``True``. Python then drops a
reference it never had, once per call. From Python 3.12 on, ``None``, ``True`` and
``False`` are immortal (PEP 683) and nothing happens; on 3.11 their reference counts run
down, and after a few thousand calls the process aborts ("Fatal Python error: none_dealloc:
deallocating None") — minutes of typing in the editor.

:func:`pin_singletons` does what 3.12 does: it gives those objects a reference count no
program can run down (2**48: at a million leaked calls per second, nine years), so they are
never deallocated, which they never should be anyway. It changes nothing on 3.12+ or on
other Pythons. Remove it when PySide6 is fixed (check with ``tests/test_refcounts.py``).
"""

from __future__ import annotations

import ctypes
import sys

_PINNED = 1 << 48
_done = False


def pin_singletons() -> None:
    global _done
    if _done or sys.implementation.name != "cpython" or sys.version_info >= (3, 12):
        return
    for singleton in (None, True, False, Ellipsis, NotImplemented):
        # ob_refcnt is the first field of every CPython object.
        ctypes.c_ssize_t.from_address(id(singleton)).value += _PINNED
    _done = True
