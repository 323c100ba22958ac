"""Starting the desktop app: fonts, data dir, UI language, store, then the main window.

The bundled fonts are registered first, before the first-start dialog or any window, so no
text is ever drawn while the annotator's script has no font. The UI language is applied
(catalog, Qt's strings, layout direction) before any widget of the window exists; changing
it reopens the window (:meth:`WindowHost.reopen`): the old window's ``closeEvent`` saves the
editor's text durably and remembers the open item, which the new window restores, so nothing
typed is lost.

The first paint waits only for what the first screen shows. Start-up runs with Python's
cyclic garbage collector paused (``app.collector``), from the first import of the store and
the window to the window's first paint: nearly all it makes lives as long as the window,
and the collections it set off walked the growing heap again and again (about 10 ms). A
store this version made opens without sqlite-utils (``app.store``), and nothing is written
before that paint. After it, what exists is moved out of the collector's sight
(``gc.freeze``), the collector is given back, sqlite-utils is loaded (40 ms of imports) and
the "running" mark is written: the writer's first transaction.

Each start marks the store "running" and a clean exit clears the mark (``app.session``);
a start that finds the mark still set follows a crash, and the window, reopened where the
annotator was, says so once (``ui.session``).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from pathlib import Path

from app import collector, paths
from app.errors import QalamError, StoreError

log = logging.getLogger(__name__)


def _settings(data_dir: Path):
    from PySide6.QtCore import QSettings

    return QSettings(str(paths.settings_path(data_dir)), QSettings.IniFormat)


def apply_ui_language(data_dir: Path, ui_language: str | None = None) -> str:
    """Apply the UI language for ``data_dir`` (``ui_language`` > ``QALAM_UI_LANGUAGE`` > the
    saved setting > English); returns its tag. Needs the QApplication, and no window yet."""
    from ui import ui_locale

    settings = _settings(data_dir)
    tag = ui_locale.chosen(settings, ui_language) or "en"
    ui_locale.apply(tag, native_digits=ui_locale.native_digits_setting(settings))
    return tag


def open_window(
    data_dir: Path,
    *,
    demo: bool = False,
    ui_language: str | None = None,
    on_settings: Callable[[], None] | None = None,
):
    """Apply the UI language, open the store (migrating, seeding the demo if asked) and build
    the main window. ``on_settings`` adds a "Settings…" action that calls it.

    Raises StoreError with a message for the user when the database cannot be used.
    Call ``window.shutdown()`` after the window is closed.
    """
    resume_collector = collector.pause()  # given back after the first paint (see above)
    try:
        window = _build_window(data_dir, demo=demo, ui_language=ui_language,
                               on_settings=on_settings)
    except BaseException:
        resume_collector()
        raise

    def started() -> None:
        # What transactions need (sqlite-utils, 40 ms of imports), here on this thread,
        # before the writer's first transaction and before anything imports numpy (the
        # language model, 1.5 s after start); then the "running" mark.
        from app.store import load_sqlite_utils

        load_sqlite_utils()
        window.session.begin()

    _after_first_paint(window, collector_given_back=resume_collector, then=started)
    return window


def _build_window(data_dir: Path, *, demo: bool, ui_language: str | None,
                  on_settings: Callable[[], None] | None):
    # The store and the window are imported here, with the collector paused, not when this
    # module is.
    from PySide6.QtGui import QAction
    from PySide6.QtWidgets import QToolBar

    from app import provisioning, ui_translations
    from app.store import Store
    from i18n.translation import _
    from ui.fonts import register_bundled_fonts
    from ui.main_window import MainWindow
    from ui.tasks import TaskRunner

    register_bundled_fonts()  # done by run() already; here for callers that skip it (tests)
    db_path = paths.database_path(data_dir)
    # Migrate (and seed the demo) before any window exists, so both stores below open a
    # database of the current schema.
    with Store.open(db_path) as store:
        if demo:
            # Imported here: the demo reads task files, whose record contract (pydantic)
            # costs a fifth of a second that a normal start does not need.
            from app.demo import seed_demo

            seed_demo(store)
        # A coordinator's provisioning file beside the app: the server to offer at
        # enrollment, and tasks to start on before any connection.
        provisioning_problem = None
        try:
            found = provisioning.find(data_dir=data_dir)
            if found is not None:
                provisioning.apply(store, found)
        except QalamError as error:  # a broken file must not keep anyone from working
            log.warning("provisioning file not used: %s", error)
            provisioning_problem = error
        # The interface catalogs its users translated (pulled by sync): UI languages too.
        ui_translations.register_catalogs(store)
    apply_ui_language(data_dir, ui_language)  # before any widget: direction, strings
    reader = Store.open(db_path, readonly=True)
    tasks = TaskRunner(db_path)
    window = MainWindow(reader=reader, tasks=tasks, settings=_settings(data_dir))
    if provisioning_problem is not None:
        show_provisioning_problem(window, provisioning_problem)
    if on_settings is not None:
        action = QAction(_("Se&ttings…"), window, objectName="settingsAction")
        action.setShortcuts(settings_shortcuts())
        action.triggered.connect(on_settings)
        window.addAction(action)  # the keys work anywhere in the window; listed in the sheet
        toolbar = window.findChild(QToolBar, "mainToolbar")
        if toolbar is not None:
            toolbar.addAction(action)
    return window


def _after_first_paint(window, *, collector_given_back: Callable[[], None],
                       then: Callable[[], None]) -> None:
    """Once the window has painted (or has not a second after it was built: started
    minimized, or never shown): freeze what start-up made, so the collector's full passes no
    longer walk it, give the collector back, and call ``then``. A window closed or deleted
    before that gives the collector back only."""
    import gc

    from PySide6.QtCore import QEvent, QObject, QTimer

    def settle(*, opened: bool = True, window_alive: bool = True) -> None:
        if watcher.settled:
            return
        watcher.settled = True
        if window_alive:
            window.removeEventFilter(watcher)
        gc.freeze()
        collector_given_back()
        if opened:
            then()

    class FirstPaint(QObject):
        settled = False

        def eventFilter(self, watched, event):
            if event.type() == QEvent.Paint:
                QTimer.singleShot(0, self, settle)  # after the rest of this paint
            elif event.type() == QEvent.Close:
                settle(opened=False)
            return False

    watcher = FirstPaint(window)
    window.installEventFilter(watcher)
    window.destroyed.connect(lambda: settle(opened=False, window_alive=False))
    QTimer.singleShot(1000, watcher, settle)


def settings_shortcuts() -> list:
    """Ctrl+, everywhere, and the platform's own Preferences key where it has one (macOS's
    Cmd+,): ``QKeySequence.Preferences`` is empty on Linux and Windows."""
    from PySide6.QtGui import QKeySequence

    keys = [QKeySequence("Ctrl+,")]
    for platform in QKeySequence.keyBindings(QKeySequence.Preferences):
        if not platform.isEmpty() and platform not in keys:
            keys.append(platform)
    return keys


def show_provisioning_problem(window, error: QalamError):
    """Say at start, in the UI language, that the coordinator's provisioning file is there but
    cannot be used (the details, with the file's path, are for the coordinator)."""
    from i18n.translation import _
    from ui.errors import error_text
    from ui.notice import Notice

    text = _("Qalam found a provisioning file from your coordinator but cannot use it, so it "
             "starts without the server and the tasks that file would give. Show this message "
             "to your coordinator:") + "\n" + error_text(error)
    return Notice(window, text, name="provisioningNotice",
                  accessible_name=_("Provisioning file not used"))


class WindowHost:
    """Owns the main window across UI-language changes."""

    def __init__(self, data_dir: Path, *, demo: bool = False, ui_language: str | None = None):
        self.data_dir = data_dir
        self.ui_language = ui_language  # an override (option/environment) for this run
        self.window = open_window(data_dir, demo=demo, ui_language=ui_language,
                                  on_settings=self.show_settings)
        self._watch(self.window)

    def _watch(self, window) -> None:
        window.interface_translation_changed.connect(self.offer_new_translation)

    def offer_new_translation(self, tag: str) -> None:
        """A sync brought a newer catalog of the interface's language: say so, and reopen the
        window in it when the person says (reopening saves everything first)."""
        from i18n.translation import _
        from ui.notice import Notice

        notice = Notice(self.window, _("A newer translation of the interface arrived with "
                                       "the sync."), name="catalogNotice",
                        accessible_name=_("New translation of the interface"))
        notice.add_action(_("&Use it now"), lambda: self.reopen(self.ui_language or tag))

    def show_settings(self) -> None:
        from PySide6.QtCore import QTimer

        from i18n.translation import current_locale
        from ui import ui_locale
        from ui.dialogs.settings import SettingsDialog

        settings = _settings(self.data_dir)
        dialog = SettingsDialog(current_locale(), ui_locale.native_digits_setting(settings),
                                self.window)
        if not dialog.exec():
            return
        tag, native_digits = dialog.values()
        changed = (tag, native_digits) != (
            current_locale(), ui_locale.native_digits_setting(settings)
        )
        settings.setValue(ui_locale.LANGUAGE_KEY, tag)
        ui_locale.save_native_digits(settings, native_digits)
        settings.sync()
        if changed:
            # After the dialog (a child of the window) has returned.
            QTimer.singleShot(0, lambda: self.reopen(tag))

    def reopen(self, ui_language: str):
        """Close the window (its closeEvent saves the text), switch the UI language and open
        a new window on the same data, which restores the item that was open."""
        from PySide6.QtWidgets import QApplication

        app = QApplication.instance()
        old = self.window
        was_visible = old.isVisible()
        quit_on_close = app.quitOnLastWindowClosed()
        app.setQuitOnLastWindowClosed(False)  # the old window is the last one for a moment
        try:
            old.close()
            old.shutdown()
            old.deleteLater()
            self.ui_language = ui_language
            self.window = open_window(self.data_dir, ui_language=ui_language,
                                      on_settings=self.show_settings)
            self._watch(self.window)
            if was_visible:
                self.window.show()
        finally:
            app.setQuitOnLastWindowClosed(quit_on_close)
        return self.window

    def shutdown(self) -> None:
        self.window.shutdown()


def register_catalogs(data_dir: Path) -> list[str]:
    """Offer the interface catalogs this data dir pulled (see open_window); [] when there is
    no usable database yet."""
    from app import ui_translations
    from app.store import Store

    try:
        with Store.open(paths.database_path(data_dir)) as store:
            return ui_translations.register_catalogs(store)
    except StoreError as error:
        log.warning("interface catalogs not read: %s", error)
        return []


def choose_first_ui_language(data_dir: Path) -> None:
    """On first start (no language saved, none forced), ask for the UI language and save it."""
    from ui import ui_locale
    from ui.dialogs.first_run import FirstRunDialog

    settings = _settings(data_dir)
    if ui_locale.chosen(settings) is not None:
        return
    register_catalogs(data_dir)  # languages its users translated, pulled by a sync already
    guess = ui_locale.system_default()
    ui_locale.apply(guess)  # the dialog speaks the system's language where we can
    dialog = FirstRunDialog(guess)
    tag = dialog.chosen() if dialog.exec() else guess
    settings.setValue(ui_locale.LANGUAGE_KEY, tag)
    settings.sync()


def run(
    data_dir: Path,
    *,
    demo: bool = False,
    argv: list[str] | None = None,
    ui_language: str | None = None,
) -> int:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    qt_app = QApplication.instance() or QApplication(argv or sys.argv[:1])
    qt_app.setApplicationName("Qalam")
    qt_app.setOrganizationName("Qalam")
    # Every bundled font (~2 ms) before the first window or dialog, the first-start dialog
    # included: a laptop without fonts for the annotator's script still shows every name.
    # Qt's fallback then finds them in widgets that are not script-aware, too.
    from ui.fonts import register_bundled_fonts

    register_bundled_fonts()
    if ui_language is None:
        choose_first_ui_language(data_dir)
    try:
        host = WindowHost(data_dir, demo=demo, ui_language=ui_language)
    except StoreError as error:
        from ui.errors import error_text

        QMessageBox.critical(None, "Qalam", error_text(error))
        return 2
    host.window.show()
    # A provisioned first start: the server is known, ask only for the enrollment code.
    QTimer.singleShot(0, host.window.offer_enrollment)
    code = qt_app.exec()
    host.shutdown()
    return code
