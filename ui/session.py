"""Crash recovery: the window remembers where the annotator is, as it changes, and goes back.

    keeper = SessionKeeper(window)    # follows the focus, the caret, the screen and the item
    keeper.restore()                  # at start-up: that screen, item, field and caret
    keeper.begin()                    # after the first paint: "running"; a notice, once,
                                      # when the last run did not end cleanly
    keeper.finish()                   # a clean exit: the last place, then "ended cleanly"

The place (:class:`app.session.Place`) is written through the store writer, like the drafts:
at once when the screen, the item or the focused field changes or the caret jumps (arrows,
a click, Ctrl+End); while typing moves it, within 0.3 s of a pause and at least every second,
the pace of the drafts (a caret at the end of its text stays at the end of whatever text was
saved after it). At most one place write waits in the writer's queue, and it writes the
newest place when it runs, so a burst of moves never delays a draft. Each screen names its
fields (``session_fields``), says which item is open (``session_item``) and reopens one
(``reopen``); this module knows no screen's insides.

The recovery notice sits above the work, never takes the keyboard focus, and is announced to
screen readers; it says when the recovered draft was last saved.
"""

from __future__ import annotations

import contextlib
import logging

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QLineEdit,
    QTextEdit,
    QWidget,
)

from app import clock, session
from app.errors import NotFound
from app.session import Place
from app.store import Store, Submission, Task
from i18n.bidi import format_message
from i18n.formatting import format_datetime
from i18n.translation import _
from ui.autosave import AUTOSAVE_CEILING_MS, PauseOrCeiling
from ui.notice import Notice

log = logging.getLogger(__name__)

CARET_DELAY_MS = 300  # a caret that stopped moving this long is remembered


# --- fields: focus and caret -------------------------------------------------------------------


def caret_of(widget: QWidget) -> tuple[int, bool]:
    """The caret's position in ``widget``, and whether it is at the end of the text."""
    if isinstance(widget, QTextEdit):
        position = widget.textCursor().position()
        return position, position >= widget.document().characterCount() - 1
    if isinstance(widget, QComboBox) and widget.lineEdit() is not None:
        widget = widget.lineEdit()
    if isinstance(widget, QLineEdit):
        return widget.cursorPosition(), widget.cursorPosition() >= len(widget.text())
    return 0, False


def put_caret(widget: QWidget, caret: int, at_end: bool = False) -> None:
    """Focus ``widget`` and put its caret at ``caret`` (clamped to its text), or at the end
    of its text when it was at the end: typing that was saved after the caret was
    remembered must not leave the caret behind it."""
    widget.setFocus(Qt.OtherFocusReason)
    if isinstance(widget, QTextEdit):
        end = widget.document().characterCount() - 1
        cursor = widget.textCursor()
        cursor.setPosition(end if at_end else max(0, min(caret, end)))
        widget.setTextCursor(cursor)
        widget.ensureCursorVisible()
        return
    if isinstance(widget, QComboBox) and widget.lineEdit() is not None:
        widget = widget.lineEdit()
    if isinstance(widget, QLineEdit):
        end = len(widget.text())
        widget.setCursorPosition(end if at_end else max(0, min(caret, end)))


def _caret_signal(widget: QWidget):
    if isinstance(widget, QComboBox) and widget.lineEdit() is not None:
        widget = widget.lineEdit()
    return getattr(widget, "cursorPositionChanged", None)


def _text_length(widget: QWidget | None) -> int:
    if isinstance(widget, QTextEdit):
        return widget.document().characterCount()
    if isinstance(widget, QComboBox) and widget.lineEdit() is not None:
        widget = widget.lineEdit()
    return len(widget.text()) if isinstance(widget, QLineEdit) else 0


def field_holding(fields: dict[str, QWidget], focused: QWidget | None) -> str | None:
    """The name of the field that is, or contains, the focused widget."""
    for name, widget in fields.items():
        if focused is not None and (widget is focused or widget.isAncestorOf(focused)):
            return name
    return None


def load_item(reader: Store, place: Place) -> tuple[Submission, Task | None] | None:
    """The submission ``place`` names and its task (None when the task went away with a
    sync: the item still opens); None when the item itself is gone."""
    if not place.item:
        return None
    try:
        submission = reader.submission(place.item)
    except NotFound:  # discarded since, or another data dir
        return None
    try:
        task = reader.task(submission.task_id) if submission.task_id else None
    except NotFound:
        task = None
    return submission, task


# --- the keeper --------------------------------------------------------------------------------


class SessionKeeper(QObject):
    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.notice: Notice | None = None
        self._last = session.recall(window.reader)
        self._stopped = False
        self.begun = False  # begin() has queued the "running" mark
        self._screens: set[int] = set()
        self._caret_source = None
        self._caret_widget: QWidget | None = None
        self._caret_length = 0
        self._newest: Place | None = None  # the place the queued write will write
        self._queued = False
        self._caret = PauseOrCeiling(CARET_DELAY_MS, AUTOSAVE_CEILING_MS, self.remember_now,
                                     parent=self)
        self._soon = QTimer(self, singleShot=True, interval=0)  # after the focus settles
        self._soon.timeout.connect(self.remember_now)
        QApplication.instance().focusChanged.connect(self._on_focus)
        window.stack.currentChanged.connect(self._on_screen)
        window.changes_made.connect(self._on_changes)  # an item created or saved

    # --- following ----------------------------------------------------------------------

    def _on_screen(self, _index: int = -1) -> None:
        screen = self.window.current_screen()
        if screen is not None and id(screen) not in self._screens:
            self._screens.add(id(screen))
            screen.guideline_changed.connect(self._soon.start)  # another item shown
        self._soon.start()

    def _on_changes(self, _changes, _initiator) -> None:
        self._soon.start()

    def _on_focus(self, _old: QWidget | None, new: QWidget | None) -> None:
        if self._stopped or new is None or new.window() is not self.window:
            return
        self._follow_caret(new)
        self._soon.start()

    def _follow_caret(self, widget: QWidget) -> None:
        if self._caret_source is not None:
            with contextlib.suppress(RuntimeError, TypeError):  # its widget may be gone
                self._caret_source.disconnect(self._on_caret)
            self._caret_source = None
        signal = _caret_signal(widget)
        if signal is not None:
            signal.connect(self._on_caret)
            self._caret_source = signal
            self._caret_widget = widget
            self._caret_length = _text_length(widget)

    def _on_caret(self, *_signal_args) -> None:
        length = _text_length(self._caret_widget)
        if length != self._caret_length:  # typing moved it: at the pace of the drafts
            self._caret_length = length
            self._caret.poke()
        else:                              # a jump: at once
            self._soon.start()

    def capture(self) -> Place | None:
        screen = self.window.current_screen()
        if screen is None:
            return None
        fields = screen.session_fields()
        # The window's focus widget, not the application's: the same while the window is
        # active, and still the field the keyboard returns to while it is not (starting up,
        # another window in front).
        name = field_holding(fields, self.window.focusWidget())
        caret, at_end = caret_of(fields[name]) if name else (0, False)
        return Place(
            screen=self.window.current_screen_name(), language=self.window.current_language(),
            field=name, caret=caret, at_end=at_end, **screen.session_item(),
        )

    def remember_now(self) -> None:
        """Write the current place if it changed (through the writer: the UI never waits)."""
        self._caret.stop()
        self._soon.stop()
        if self._stopped:
            return
        place = self.capture()
        if place is None or place.same_place(self._last):
            return
        self._last = self._newest = place
        if not self._queued and self.begun:  # before begin(), begin() writes it
            self._queue_write()

    def _queue_write(self) -> None:
        self._queued = True

        def write(store) -> Place:  # on the writer's thread: the newest place by then
            newest = self._newest
            session.remember(store, newest)
            return newest

        self.window.writer.run(write, on_done=self._written, on_error=self._not_remembered)

    def _written(self, place: Place) -> None:
        self._queued = False
        if self._newest is not place and not self._stopped:  # moved on meanwhile
            self._queue_write()

    def _not_remembered(self, error: BaseException) -> None:
        # A full disk, most likely (the drafts say so); the next change tries again.
        self._queued = False
        self._last = None
        log.info("place not remembered: %s", error)

    # --- going back ---------------------------------------------------------------------

    def restore(self, default_screen: str = "write") -> None:
        """Open the remembered screen and item, focus the field, put the caret back."""
        from ui.main_window import SCREEN_CLASSES

        place = self._last
        legacy = self.window.settings.value("last_submission")  # kept at close before 12
        if place is None and legacy:
            place = Place(screen="write", item=str(legacy))
        if place is None or place.screen not in SCREEN_CLASSES:
            self.window.show_screen(default_screen if default_screen in SCREEN_CLASSES
                                    else "write")
            self._on_screen()
            return
        if place.language and place.language != self.window.current_language():
            self.window.set_language(place.language)
        self.window.show_screen(place.screen)
        self._on_screen()
        screen = self.window.current_screen()
        reopened = screen.reopen(place)
        widget = screen.session_fields().get(place.field or "")
        if not reopened or widget is None or not widget.isEnabled():
            screen.focus_first()
            return
        put_caret(widget, place.caret, place.at_end)
        self._follow_caret(widget)

    def recovered_since(self, place: Place | None) -> str:
        """When what is on screen was last saved (the item's or the review's time, else the
        place's)."""
        stamp = place.at if place is not None else ""
        if place is not None and place.item:
            with contextlib.suppress(NotFound):
                stamp = self.window.reader.submission(place.item).updated_at
        elif place is not None and place.task:
            review = self.window.reader.review_for_task(place.task)
            stamp = review.updated_at if review is not None else stamp
        return stamp

    def announce_recovery(self) -> Notice:
        """Say, once, that the last run ended uncleanly and what came back."""
        place = self._last
        stamp = self.recovered_since(place)
        when = format_datetime(clock.parse(stamp)) if stamp else ""
        if place is not None and place.item:
            text = format_message(_(
                "Qalam did not close properly last time. Your draft is back as it was last "
                "saved, at {time}; carry on where you left off."), time=when)
        elif place is not None and place.task:
            text = format_message(_(
                "Qalam did not close properly last time. Your review is back as it was last "
                "saved, at {time}."), time=when)
        else:
            text = _("Qalam did not close properly last time. No draft was open, so there "
                     "is nothing to recover.")
        log.warning("recovered after an unclean exit: screen=%s item=%s task=%s field=%s "
                    "caret=%s saved_at=%s", *(
                        (place.screen, place.item, place.task, place.field, place.caret)
                        if place else (None,) * 5), stamp)
        self.notice = Notice(self.window, text, name="recoveryNotice",
                             accessible_name=_("Recovered after an unclean exit"))
        return self.notice

    # --- ending -------------------------------------------------------------------------

    def begin(self) -> None:
        """Mark this run as running, on the writer; a mark still set from the last run means
        it never ended cleanly: say so, once. Then the place is written as it changes; the
        changes before (start-up's focus and screen) wait for this, so the writer's first
        transaction, which loads sqlite-utils, follows the first paint. Nothing once the
        keeper has stopped (the window is closing: its clean exit is marked after this)."""
        if self._stopped or self.begun:
            return
        self.begun = True

        def started(crashed_since: str | None) -> None:
            if crashed_since is not None:
                self.announce_recovery()

        self.window.writer.run(session.start, on_done=started)
        if self._newest is not None and not self._queued:  # where start-up left the annotator
            self._queue_write()

    def stop(self) -> None:
        """Stop following (the window is going away)."""
        if self._stopped:
            return
        self._stopped = True
        self._caret.stop()
        self._soon.stop()
        with contextlib.suppress(RuntimeError, TypeError):
            QApplication.instance().focusChanged.disconnect(self._on_focus)

    def finish(self) -> None:
        """A clean exit: the last place, then the mark that this run ended cleanly."""
        if self._stopped:
            return
        self.remember_now()
        self.stop()
        newest = self._newest  # written last, whatever a write in flight held

        def end(store) -> None:
            if newest is not None:
                session.remember(store, newest)
            session.end(store)

        self.window.writer.run(
            end, on_error=lambda error: log.warning("clean exit not marked: %s", error))
