"""The main window: the screens of the annotator's workbench, and the keys that reach them.

    Write (Ctrl+1)  Improve (Ctrl+2)  Review (Ctrl+3)  Post-edit (Ctrl+4)
    My work (Ctrl+5)  Progress (Ctrl+6)       Guidelines beside them (F2)

Every action lives in the menu bar with its shortcut (and in the sheet, F1 or Ctrl+/); the
window dispatches item actions (submit, next/previous task, thumbs) to the current screen.
The status bar's right-hand side is kept free for the sync status.

The window fits the screen it opens on, status bar included (ui/fitting.py): 1280×800 where
that fits with its frame, else maximized; a geometry saved on a larger screen is clamped; each
screen scrolls when the window is smaller than its least size; on a narrow screen the
guidelines start folded away (F2 unfolds them, and that choice is kept).

What changed the store is said once: every operation (ui/operations.py) and a finished sync
announce a :class:`~ui.operations.Changes` through ``changes_made``, and each screen (and the
window, for new tasks) refreshes what it names. Work off the UI thread runs on one task runner
(ui/tasks.py), closed in :meth:`MainWindow.shutdown`.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from PySide6.QtCore import QSettings, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QProgressDialog,
    QScrollArea,
    QStackedWidget,
    QToolBar,
    QWidget,
)

from app import content_language
from app import profile as profiles
from app.errors import NotFound
from app.store import Store, Submission
from i18n.bidi import format_message
from i18n.translation import N_, _, current_locale, ngettext
from ui import fitting
from ui.checks import warm_up
from ui.dialogs.about import show_about
from ui.dialogs.shortcuts import ShortcutsDialog
from ui.dialogs.sync_panel import SyncPanel, SyncStatusButton
from ui.guidelines import GuidelinesDock
from ui.importer import TaskImporter, task_file_filter
from ui.keyboard import KeyboardController
from ui.language_picker import LanguagePicker
from ui.operations import Changes, Context
from ui.screens.screen import Screen
from ui.session import SessionKeeper
from ui.sync_controller import SyncController
from ui.tasks import TaskRunner

SCREENS = (
    ("write", N_("Write")),
    ("improve", N_("Improve")),
    ("review", N_("Review")),
    ("postedit", N_("Post-edit")),
    ("work", N_("My work")),
    ("progress", N_("Progress")),
    ("translate", N_("Translate Qalam")),
)
# Built the first time they are shown (start-up builds one screen, not six).
SCREEN_CLASSES = {
    "write": ("ui.screens.write", "WriteScreen"),
    "improve": ("ui.screens.improve", "ImproveScreen"),
    "review": ("ui.screens.review", "ReviewScreen"),
    "postedit": ("ui.screens.postedit", "PostEditScreen"),
    "work": ("ui.screens.my_work", "WorkScreen"),
    "progress": ("ui.screens.progress", "ProgressScreen"),
    "translate": ("ui.screens.translate", "TranslateScreen"),
}
SCREEN_FOR_KIND = {"original": "write", "reannotation": "improve", "postedit": "postedit",
                   "review": "review"}
# The first size, where the screen has room for it (frame included); else maximized.
DEFAULT_SIZE = QSize(1280, 800)
# Narrower than this (in Qt's pixels: 1366 at 125% is 1093), the guidelines start folded away
# (F2 or the toolbar button unfolds them) and the work gets the width.
GUIDELINES_MIN_SCREEN_WIDTH = 1200


class MainWindow(QMainWindow):
    # What an operation or a sync changed, and who did it (screens filter: on_changes).
    changes_made = Signal(object, object)  # Changes, the initiator
    # A sync brought a newer catalog of the interface's language (its UI tag).
    interface_translation_changed = Signal(str)

    def __init__(self, *, reader: Store, tasks: TaskRunner, settings: QSettings):
        super().__init__()
        self.reader = reader
        self.tasks = tasks
        self.writer = tasks.writer  # the one writer (flushed on close)
        self.settings = settings
        self.context = Context(reader, tasks, settings, announce=self.changes_made.emit)
        self.changes_made.connect(self._on_changes)
        self.setWindowTitle(_("Qalam"))
        self.setObjectName("mainWindow")

        self.screens = _Screens(self)
        # Each screen's scrolling page, by name, kept here: asking Qt for a screen's parent
        # made PySide6 work out the type of the viewport between them, which loads every
        # class of QtWidgets (~8 ms of the first paint).
        self._pages: dict[str, QScrollArea] = {}
        self.stack = QStackedWidget(objectName="screens")
        self.nav = QListWidget(objectName="navigation")
        self.nav.setAccessibleName(_("Screens"))
        for number, (name, title) in enumerate(SCREENS, start=1):
            item = QListWidgetItem(f"{_(title)}\tCtrl+{number}")
            item.setData(Qt.UserRole, name)
            item.setToolTip(_("{screen} (Ctrl+{n})").format(screen=_(title), n=number))
            self.nav.addItem(item)
        self.nav.setFixedWidth(self.nav.sizeHintForColumn(0) + 28)
        self.nav.currentRowChanged.connect(lambda row: self.show_screen(SCREENS[row][0]))
        self._language: str | None = None

        self.language_picker = LanguagePicker(reader.languages_with_tasks())
        self.language_picker.language_chosen.connect(self.set_language)
        self.guidelines = GuidelinesDock(reader, self)
        # Beside the work, at its end: right in a left-to-right UI, left in a right-to-left one
        # (Qt mirrors layouts but not dock areas).
        rtl = self.layoutDirection() == Qt.RightToLeft
        self.addDockWidget(Qt.LeftDockWidgetArea if rtl else Qt.RightDockWidgetArea,
                           self.guidelines)
        self.importer = TaskImporter(self.context, self)
        self.importer.progressed.connect(self._import_progress)
        self.importer.storing.connect(self._import_storing)
        self.importer.finished.connect(self._import_finished)
        self.importer.failed.connect(self._import_failed)
        self._import_dialog: QProgressDialog | None = None
        self.last_import_message = ""

        self.sync = SyncController(self.context, self)
        self.sync_status = SyncStatusButton(self.sync, self.show_sync_panel)
        self._sync_panel: SyncPanel | None = None
        self._languages_before_import: list[str] = []
        self._refill_picker()  # the annotator's own languages first, now that they are known

        self._build_actions()
        toolbar = QToolBar(_("Main"), objectName="mainToolbar", movable=False)
        language_label = QLabel(_("&Language:"))
        language_label.setBuddy(self.language_picker)
        toolbar.addWidget(language_label)
        toolbar.addWidget(self.language_picker)
        toolbar.addSeparator()
        toolbar.addAction(self.new_action)
        toolbar.addAction(self.import_action)
        toolbar.addAction(self.guidelines.toggleViewAction())
        toolbar.addAction(self.shortcuts_action)
        # The input method: its state and scheme, a toggle, and the on-screen keyboard.
        toolbar.addSeparator()
        toolbar.addWidget(self.keyboard.toolbar_indicator())
        toolbar.addWidget(self.keyboard.keyboard_button())
        self.addToolBar(toolbar)

        central = QWidget(objectName="central")
        central_layout = QHBoxLayout(central)
        central_layout.setContentsMargins(4, 4, 0, 0)
        central_layout.setSpacing(4)
        central_layout.addWidget(self.nav)
        central_layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)
        self.resizeDocks([self.guidelines], [300], Qt.Horizontal)
        # The status bar: messages on the left, the sync indicator on the right.
        self.statusBar().setObjectName("statusBar")
        self.statusBar().addPermanentWidget(self.keyboard.status_indicator())
        self.statusBar().addPermanentWidget(self.sync_status)
        self._restore_state()
        # After the first paint, on the background reader: the language model, so the first
        # check while typing does not wait for it.
        QTimer.singleShot(1500, self, lambda: self.tasks.reader.run(warm_up))

    # --- actions -------------------------------------------------------------------------

    def _action(self, text: str, keys, slot, *, menu=None, name: str = "") -> QAction:
        action = QAction(text, self)
        if isinstance(keys, str | QKeySequence.StandardKey):
            keys = [keys]
        action.setShortcuts([QKeySequence(k) for k in keys])
        if keys:
            action.setToolTip(f"{text.replace('&', '')} ({QKeySequence(keys[0]).toString()})")
        action.setShortcutContext(Qt.WindowShortcut)
        action.triggered.connect(slot)
        action.setObjectName(name)
        self.addAction(action)
        if menu is not None:
            menu.addAction(action)
        return action

    def _build_actions(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu(_("&File"))
        self.import_action = self._action(
            _("&Import tasks…"), "Ctrl+I", lambda: self.import_tasks(), menu=file_menu,
            name="importAction")
        file_menu.addSeparator()
        self._action(_("Sync &now"), "F5", lambda: self.sync.sync_now(), menu=file_menu,
                     name="syncNowAction")
        self._action(_("S&ync and connection…"), "Ctrl+Shift+Y",
                     lambda: self.show_sync_panel(), menu=file_menu, name="syncPanelAction")
        # The dialog's module loads when first opened, not at start-up.
        self._action(_("My &profile…"), [], lambda: __import__(
            "ui.dialogs.profile", fromlist=["show_profile"]).show_profile(
                parent=self, context=self.context), menu=file_menu, name="profileAction")
        file_menu.addSeparator()
        self._action(_("&Quit"), QKeySequence.Quit, self.close, menu=file_menu)

        go_menu = bar.addMenu(_("&Go"))
        for number, (name, title) in enumerate(SCREENS, start=1):
            self._action(_(title), f"Ctrl+{number}",
                         lambda _checked=False, n=name: self.show_screen(n, focus=True),
                         menu=go_menu, name=f"go_{name}")
        go_menu.addSeparator()
        self._action(_("&Search my work"), QKeySequence.Find, self.search, menu=go_menu)

        item_menu = bar.addMenu(_("&Item"))
        self.new_action = self._action(_("&New item"), QKeySequence.New, self.new_submission,
                                       menu=item_menu, name="newAction")
        self._action(_("&Submit"), ["Ctrl+Return", "Ctrl+Enter"],
                     lambda: self.current_screen().submit(), menu=item_menu)
        self._action(_("Ne&xt task"), ["Alt+Down", "Ctrl+Down"],
                     lambda: self.current_screen().step_task(1), menu=item_menu)
        self._action(_("&Previous task"), ["Alt+Up", "Ctrl+Up"],
                     lambda: self.current_screen().step_task(-1), menu=item_menu)
        item_menu.addSeparator()
        for keys, text, field, value in (
            ("Alt+1", _("Prompt: thumbs up"), "inputs", 1),
            ("Alt+2", _("Prompt: thumbs down"), "inputs", -1),
            ("Alt+3", _("Completion: thumbs up"), "targets", 1),
            ("Alt+4", _("Completion: thumbs down"), "targets", -1),
        ):
            self._action(text, keys,
                         lambda _checked=False, f=field, v=value: self.current_screen().rate(
                             f, v), menu=item_menu)

        view_menu = bar.addMenu(_("&View"))
        guidelines = self.guidelines.toggleViewAction()
        guidelines.setShortcut(QKeySequence("F2"))
        guidelines.setText(_("&Guidelines"))
        view_menu.addAction(guidelines)
        self.addAction(guidelines)  # listed in the shortcuts sheet
        # Typing Amharic, Yoruba, Hindi, Urdu… on a laptop without those layouts; each
        # content language remembers whether its input method is on.
        self.keyboard = KeyboardController(self, settings=self.settings)
        self.keyboard.attach(self)
        self.keyboard.message.connect(lambda text: self.statusBar().showMessage(text, 8000))
        view_menu.addAction(self.keyboard.transliteration_action)  # Ctrl+Shift+T
        view_menu.addAction(self.keyboard.keyboard_action)         # Ctrl+Shift+K
        view_menu.addAction(self.keyboard.cheat_sheet_action)      # Ctrl+Shift+H

        help_menu = bar.addMenu(_("&Help"))
        self.shortcuts_action = self._action(
            _("&Keyboard shortcuts"), ["F1", "Ctrl+/"], self.show_shortcuts, menu=help_menu,
            name="shortcutsAction")
        self._action(_("&About Qalam"), [], lambda: show_about(parent=self,
                                                               data_dir=self.data_dir),
                     menu=help_menu, name="aboutAction")

    # --- screens -------------------------------------------------------------------------

    @property
    def editor(self):
        """The Write screen's editor (what most of the day is spent in)."""
        return self.screens["write"].editor

    @property
    def submissions(self):
        """My work's list model."""
        return self.screens["work"].model

    def _build_screen(self, name: str) -> Screen:
        import importlib

        module, class_name = SCREEN_CLASSES[name]
        screen = getattr(importlib.import_module(module), class_name)(self.context)
        title = dict(SCREENS)[name]
        screen.setObjectName(f"{name}Screen")
        screen.setAccessibleName(_(title))
        # Each screen scrolls when the window is smaller than the screen's least size (a
        # netbook at 125%), so the window, its status bar included, always fits the screen.
        page = QScrollArea(widgetResizable=True, frameShape=QFrame.NoFrame,
                           objectName=f"{name}Page")
        page.setFocusPolicy(Qt.NoFocus)  # Tab goes through the screen's fields, not this
        page.setWidget(screen)
        self.stack.addWidget(page)
        self._pages[name] = page
        screen.status_changed.connect(self._show_status)
        self.changes_made.connect(screen.on_changes)
        screen.guideline_changed.connect(self._update_guidelines)
        if name == "work":
            screen.open_requested.connect(self.open_submission)
        if self._language is not None:
            screen.set_language(self._language)
        return screen

    def build_all_screens(self) -> None:
        """Build every screen now (tests and tools that walk all of them; the app builds
        each on first show)."""
        for name in SCREEN_CLASSES:
            self.screens[name]

    def current_screen(self) -> Screen:
        page = self.stack.currentWidget()
        return page.widget() if page is not None else None

    def current_screen_name(self) -> str:
        return self.current_screen().objectName().removesuffix("Screen")

    def show_screen(self, name: str, *, focus: bool = False) -> None:
        previous = self.current_screen()
        if previous is not None and previous.objectName() != f"{name}Screen":
            previous.save_now()
        screen = self.screens[name]
        switched = screen is not previous
        if switched:
            self.statusBar().clearMessage()  # the last screen's message is not this one's
        self.stack.setCurrentWidget(self._pages[name])
        self.nav.blockSignals(True)
        self.nav.setCurrentRow([n for n, _title in SCREENS].index(name))
        self.nav.blockSignals(False)
        screen.ensure_loaded()
        if switched:
            screen.activate()
            self.settings.setValue("screen", name)
        self._update_guidelines()
        if focus:
            screen.focus_first()

    def _update_guidelines(self) -> None:
        screen = self.current_screen()
        if screen is not None:
            self.guidelines.show_for(screen.project_id(), screen.kind, screen.language)

    def set_language(self, code: str, *, remember: bool = True) -> None:
        """Show ``code``'s work. ``remember``: the person chose it (the last one used, for
        the next start); a choice the window made itself is not remembered."""
        for screen in self.screens.values():
            screen.save_now()
        self._language = code
        self.language_picker.set_code(code)
        for screen in self.screens.values():
            screen.set_language(code)
        if remember:
            self.settings.setValue("language", code)
        self.keyboard.set_language(code)
        self._update_guidelines()

    def _enrolled_languages(self) -> list[str]:
        enrollment = self.sync.enrollment
        return list(enrollment.languages) if enrollment is not None else []

    def _profile_languages(self) -> list[str]:
        try:
            return list(profiles.load(self.reader).languages)
        except (sqlite3.Error, ValueError):  # an unreadable profile must not keep it shut
            return []

    def _featured_languages(self) -> list[str]:
        """The picker's first entries: the annotator's languages, then those with tasks."""
        mine = [*self._enrolled_languages(), *self._profile_languages()]
        return list(dict.fromkeys([*mine, *self.reader.languages_with_tasks()]))

    def choose_language(self) -> str:
        """The content language to open on (app/content_language.py: enrolled, profile,
        last used, UI language)."""
        return content_language.choose(
            enrolled=self._enrolled_languages(), profile=self._profile_languages(),
            last_used=self.settings.value("language"), ui_language=current_locale(),
            with_tasks=self.reader.languages_with_tasks())

    def current_language(self) -> str | None:
        return self.language_picker.current_code()

    # --- user actions --------------------------------------------------------------------

    def new_submission(self) -> None:
        self.show_screen("write")
        self.screens["write"].new_submission()

    def search(self) -> None:
        if self.current_screen_name() == "translate":  # it searches its own messages
            self.current_screen().focus_search()
            return
        self.show_screen("work")
        self.screens["work"].focus_search()

    def show_shortcuts(self) -> None:
        dialog = ShortcutsDialog(self.actions(), self)
        dialog.open()
        self._shortcuts_dialog = dialog

    def open_submission(self, submission: Submission) -> None:
        """Open an item in the screen of its kind."""
        task = None
        if submission.task_id:
            try:
                task = self.reader.task(submission.task_id)
            except NotFound:
                task = None
        # A review's further improvement is edited on the Write screen.
        name = "write" if submission.review_id else SCREEN_FOR_KIND[submission.kind]
        self.show_screen(name)
        screen = self.screens[name]
        screen.show_submission(submission, task)
        screen.focus_first()

    def _on_changes(self, changes: Changes, initiator: object) -> None:
        """New tasks (a sync's pull, an answer bundle): offer their languages, reload the
        lists. An import does it itself, as it may show the language it brought."""
        if changes.tasks and initiator is not self.importer:
            self._reload_tasks()
        if changes.translations:
            self._catalogs_pulled()

    def _catalogs_pulled(self) -> None:
        """Offer the catalogs a sync brought; say so when the interface's own changed."""
        from app import ui_translations

        changed = ui_translations.register_catalogs(self.reader)
        if current_locale() in changed:
            self.interface_translation_changed.emit(current_locale())

    def _show_status(self, text: str, error: bool) -> None:
        if self.sender() is not self.current_screen():
            return  # a screen no longer shown (a save finishing after a screen change)
        self.statusBar().showMessage(text)

    # --- importing -----------------------------------------------------------------------

    def import_tasks(self, path: str | Path | None = None) -> None:
        if self.importer.running:
            return
        if path is None:
            from PySide6.QtWidgets import QFileDialog  # its Python type costs a start ~20 ms

            path, _filter = QFileDialog.getOpenFileName(
                self, _("Import tasks"), str(Path.home()),
                task_file_filter(), options=QFileDialog.HideNameFilterDetails)
            if not path:
                return
        self.current_screen().save_now()
        reading = format_message(_("Reading {file}…"), file=Path(path).name)
        dialog = QProgressDialog(reading, None, 0, 100, self)
        dialog.setWindowTitle(_("Import tasks"))
        dialog.setMinimumDuration(300)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        dialog.setValue(0)
        self._import_dialog = dialog
        self._languages_before_import = self.reader.languages_with_tasks()
        self.importer.start(Path(path))

    def _import_progress(self, done: int, total: int) -> None:
        if self._import_dialog is not None:
            self._import_dialog.setMaximum(max(total, 1))
            self._import_dialog.setValue(done)

    def _import_storing(self, count: int) -> None:
        if self._import_dialog is not None:
            self._import_dialog.setLabelText(
                ngettext("Storing {n} task…", "Storing {n} tasks…", count).format(n=count))
            self._import_dialog.setRange(0, 0)

    def _close_import_dialog(self) -> None:
        if self._import_dialog is not None:
            self._import_dialog.close()
            self._import_dialog.deleteLater()
            self._import_dialog = None

    def _import_finished(self, added: int, total: int) -> None:
        self._close_import_dialog()
        self.last_import_message = ngettext(
            "Imported {added} new task ({total} in the file).",
            "Imported {added} new tasks ({total} in the file).", added,
        ).format(added=added, total=total)
        self.statusBar().showMessage(self.last_import_message)
        self._reload_tasks(imported=True)

    def _reload_tasks(self, *, imported: bool = False) -> None:
        """New tasks arrived (an import, a sync): offer their languages, reload the lists.
        When the language shown has no tasks, an import shows the language it brought."""
        current = self.current_language()
        self._refill_picker()
        switch = None
        if imported:
            switch = content_language.after_import(
                current, self._languages_before_import, self.reader.languages_with_tasks(),
                preferred=[*self._enrolled_languages(), *self._profile_languages(),
                           content_language.ui_content_language(current_locale())])
        if switch is not None:
            self.set_language(switch, remember=False)
        else:
            self.set_language(current or self.choose_language(), remember=False)

    def _refill_picker(self) -> None:
        self.language_picker.set_featured(self._featured_languages())
        if self._language is not None:
            self.language_picker.set_code(self._language)

    def _import_failed(self, message: str) -> None:
        self._close_import_dialog()
        self.last_import_message = message
        self.statusBar().showMessage(_("Nothing was imported."))
        box = QMessageBox(QMessageBox.Critical, _("Import tasks"),
                          _("Nothing was imported."), QMessageBox.Ok, self)
        box.setInformativeText(message)
        box.setObjectName("importError")
        box.open()
        self._import_error = box

    # --- state across runs ---------------------------------------------------------------

    def _restore_state(self) -> None:
        geometry = self.settings.value("geometry")
        if geometry is None or not self.restoreGeometry(geometry):
            fitting.fit_window(self, DEFAULT_SIZE)
        # Saved on a larger screen (or before the frame was known): inside this one.
        fitting.clamp_to_screen(self)
        self._fold_guidelines_on_narrow_screens()
        self.set_language(self.choose_language(), remember=False)
        # The screen, item, focused field and caret, remembered as they change (ui/session.py).
        self.session = SessionKeeper(self)
        self.session.restore(default_screen=self.settings.value("screen") or "write")

    def _fold_guidelines_on_narrow_screens(self) -> None:
        """The guidelines start folded away on a narrow screen, unless the annotator unfolded
        them there before (F2 or the toolbar button: that choice is kept)."""
        toggle = self.guidelines.toggleViewAction()
        shown = self.settings.value("guidelines_shown")
        if shown is None:
            narrow = fitting.available_geometry(self).width() < GUIDELINES_MIN_SCREEN_WIDTH
            self.guidelines.setVisible(not narrow)
        else:
            self.guidelines.setVisible(str(shown).lower() in ("true", "1"))
        toggle.triggered.connect(lambda on: self.settings.setValue("guidelines_shown", on))

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not getattr(self, "_framed", False):
            # The window manager's frame is known only once the window is mapped: check the
            # size again then (a frame taller than the estimate would push the status bar
            # below the screen's edge).
            self._framed = True
            QTimer.singleShot(0, self, lambda: fitting.clamp_to_screen(self))
            QTimer.singleShot(500, self, lambda: fitting.clamp_to_screen(self))

    # --- sync ----------------------------------------------------------------------------

    @property
    def data_dir(self) -> Path:
        return self.reader.path.parent

    def show_sync_panel(self) -> None:
        if self._sync_panel is None:
            self._sync_panel = SyncPanel(self.sync, self)
            fitting.fit_dialog(self._sync_panel)
        self._sync_panel.show()
        self._sync_panel.raise_()

    def offer_enrollment(self) -> None:
        """First start of a provisioned install: ask for the code (the address is known)."""
        if self.sync.enrollment is None and self.sync.provisioned()[0]:
            self.show_sync_panel()

    def closeEvent(self, event) -> None:
        for screen in self.screens.values():
            screen.save_now()
        self.session.remember_now()
        self.writer.flush()
        self.settings.setValue("geometry", self.saveGeometry())
        self.settings.setValue("screen", self.current_screen_name())
        self.settings.sync()
        super().closeEvent(event)

    def shutdown(self) -> None:
        """Release the stores (after the window has closed)."""
        self.sync.stop()  # a sync still running must not report to closed stores
        self.session.finish()  # a clean exit (before the writer closes)
        self.tasks.close()  # the one shutdown: queued writes land, then the stores close
        self.reader.close()


class _Screens(dict):
    """name -> Screen, built on first use (``window.screens["review"]`` builds it)."""

    def __init__(self, window: MainWindow):
        super().__init__()
        self._window = window

    def __missing__(self, name: str) -> Screen:
        if name not in SCREEN_CLASSES:
            raise KeyError(name)
        screen = self[name] = self._window._build_screen(name)
        return screen
