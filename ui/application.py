"""Starting the desktop app: data dir, store, then the main window."""

from __future__ import annotations

import sys
from pathlib import Path

from app import paths
from app.demo import seed_demo
from app.errors import StoreError
from app.store import Store


def open_window(data_dir: Path, *, demo: bool = False):
    """Open the store (migrating, seeding the demo if asked) and build the main window.

    Raises StoreError with a message for the user when the database cannot be used.
    Call ``window.shutdown()`` after the window is closed.
    """
    from PySide6.QtCore import QSettings

    from ui.fonts import register_bundled_fonts
    from ui.main_window import MainWindow
    from ui.writer import StoreWriter

    # All bundled fonts (~2 ms): Qt's fallback then finds them for text in widgets that are
    # not script-aware (combo boxes, labels, dialogs), not only where a family is chosen.
    register_bundled_fonts()
    db_path = paths.database_path(data_dir)
    # Migrate (and seed the demo) before any window exists, so both stores below open a
    # database of the current schema.
    with Store.open(db_path) as store:
        if demo:
            seed_demo(store)
    reader = Store.open(db_path, readonly=True)
    writer = StoreWriter(db_path)
    settings = QSettings(str(paths.settings_path(data_dir)), QSettings.IniFormat)
    return MainWindow(reader=reader, writer=writer, settings=settings)


def run(data_dir: Path, *, demo: bool = False, argv: list[str] | None = None) -> int:
    from PySide6.QtWidgets import QApplication, QMessageBox

    qt_app = QApplication.instance() or QApplication(argv or sys.argv[:1])
    qt_app.setApplicationName("Qalam")
    qt_app.setOrganizationName("Qalam")
    try:
        window = open_window(data_dir, demo=demo)
    except StoreError as error:
        QMessageBox.critical(None, "Qalam", str(error))
        return 2
    window.show()
    code = qt_app.exec()
    window.shutdown()
    return code
