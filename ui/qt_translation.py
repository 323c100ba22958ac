"""Qt's own strings (standard buttons, text-field menus, file dialogs) from our catalogs.

PySide6 ships ``qtbase_*.qm`` for a few of our languages only (Arabic, Persian, Hebrew,
French, Spanish among them; no Urdu, Hindi, Bengali, Tamil, Amharic, Swahili, Yoruba or
Indonesian). :class:`GettextTranslator` answers ``QCoreApplication.translate(context, source)``
from the gettext entry with ``msgctxt`` = Qt's context (listed in i18n/qt_strings.py), so every
shipped language gets them. Where PySide6 has a ``qtbase_XX.qm`` it is loaded too and asked
for the strings we do not list; our catalog's wording wins where both have one.

PySide6 6.12 bug worked around here: when Qt calls a Python ``translate`` override with no
disambiguation (a null ``const char *``, i.e. almost always), the binding passes ``None``
without taking a reference and releases one after the call, so every call costs ``None`` a
reference until the interpreter aborts ("none_dealloc: deallocating None") at exit.
:func:`balance_none` gives the reference back (ui/refcounts.py pins ``None`` for the whole
app against the same family of bugs; balancing here keeps Qt's most frequent callback from
leaking at all). Returning ``None`` ("not mine") has the same problem, so
:class:`GettextTranslator` always returns a string: one translator answers for our catalog,
Qt's ``.qm`` and, failing both, the source text.
"""

from __future__ import annotations

import ctypes

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QTranslator

from i18n import translation

__all__ = ["GettextTranslator", "balance_none", "install", "installed"]

_installed: list[QTranslator] = []


def balance_none(argument) -> None:
    """Call first thing in a ``QTranslator.translate`` override with its disambiguation
    argument: returns the reference to ``None`` PySide6 6.12 takes away (see above). An extra
    reference to ``None`` is harmless, should a later PySide6 fix the bug."""
    if argument is None:
        ctypes.pythonapi.Py_IncRef(ctypes.py_object(None))


class GettextTranslator(QTranslator):
    """A QTranslator backed by the installed gettext catalog (i18n.translation), falling
    back to Qt's own ``.qm`` (``qt``, a loaded QTranslator) and then to the source text."""

    def __init__(self, direction: str, qt: QTranslator | None = None, parent=None):
        super().__init__(parent)
        self._direction = "RTL" if direction == "rtl" else "LTR"
        self._qt = qt

    def translate(self, context, source_text, disambiguation=None, n=-1):
        balance_none(disambiguation)
        if context == "QGuiApplication" and source_text == "QT_LAYOUT_DIRECTION":
            # What Qt reads to pick the layout direction when none was set explicitly.
            return self._direction
        found = translation.lookup(context or None, source_text, n if n >= 0 else None)
        if found:
            return found
        if self._qt is not None:
            found = self._qt.translate(context, source_text, disambiguation, n)
            if found:
                return found
        return source_text

    def isEmpty(self) -> bool:
        return False


def install(tag: str, direction: str, *, qt_catalog: bool = True) -> list[QTranslator]:
    """Replace the application's translator with the one for UI locale ``tag``.

    Call after ``i18n.translation.install(tag)``. ``qt_catalog=False`` skips Qt's ``.qm``
    (pseudo-locales). Returns the installed translators, which this module keeps alive.
    """
    app = QCoreApplication.instance()
    for old in _installed:
        app.removeTranslator(old)
        old.deleteLater()
    _installed.clear()
    language = tag.split("-")[0].split("_")[0]
    qt_qm = None
    if qt_catalog and language != "en":
        qt_qm = QTranslator(app)
        folder = QLibraryInfo.path(QLibraryInfo.TranslationsPath)
        if not qt_qm.load(f"qtbase_{language}", folder):
            qt_qm.deleteLater()
            qt_qm = None
    ours = GettextTranslator(direction, qt_qm, app)
    app.installTranslator(ours)
    _installed.append(ours)
    return list(_installed)


def installed() -> list[QTranslator]:
    return list(_installed)
