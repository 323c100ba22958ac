"""Windows and dialogs that fit the screen they open on, frame and all.

    fit_window(window, QSize(1280, 800))   # the main window: its size, or maximized
    fit_dialog(dialog)                     # any dialog: shrunk to the screen, scrolled if need be
    keep_wrapped_height(label)             # a word-wrapped label counts all its lines

Annotators' laptops have small screens (1366×768, netbooks 1024×600), often at 125% scaling
(a 1024×600 screen is then 819×480 in Qt's pixels). A window is measured by its *frame* (the
title bar and borders the window manager adds), which Qt knows only once the window is
mapped; until then :func:`frame_margins` estimates it from the title bar's height.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QMargins, QObject, QPoint, QRect, QSize, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialogButtonBox,
    QFrame,
    QLabel,
    QScrollArea,
    QStyle,
    QVBoxLayout,
    QWidget,
)

__all__ = [
    "available_geometry",
    "clamp_to_screen",
    "fit_dialog",
    "fit_window",
    "fits",
    "frame_margins",
    "keep_wrapped_height",
    "scroll_contents",
]


def available_geometry(widget: QWidget | None = None) -> QRect:
    """The usable part (no panels, no docks of the desktop) of the screen ``widget`` is on,
    or of its parent's, or of the primary screen."""
    screen = None
    while widget is not None and screen is None:
        screen = widget.screen() if widget.isWindow() or widget.parentWidget() is None \
            else None
        widget = widget.parentWidget()
    screen = screen or QGuiApplication.primaryScreen()
    return screen.availableGeometry()


def frame_margins(window: QWidget) -> QMargins:
    """The window manager's frame around ``window``: measured when the window has one, else
    a title bar's height above and a few pixels on the other sides (an estimate, generous
    rather than short)."""
    frame, inner = window.frameGeometry(), window.geometry()
    if window.isVisible() and frame != inner:
        return QMargins(inner.left() - frame.left(), inner.top() - frame.top(),
                        frame.right() - inner.right(), frame.bottom() - inner.bottom())
    title = window.style().pixelMetric(QStyle.PM_TitleBarHeight, None, window)
    title = max(title, window.fontMetrics().height() + 12)
    return QMargins(4, title + 4, 4, 4)


def _room(window: QWidget, available: QRect) -> QSize:
    """The largest client size whose frame fits ``available``."""
    m = frame_margins(window)
    return QSize(available.width() - m.left() - m.right(),
                 available.height() - m.top() - m.bottom())


def fits(window: QWidget, available: QRect | None = None) -> bool:
    """Whether the window's frame lies inside the available geometry."""
    available = available or available_geometry(window)
    m = frame_margins(window)
    frame = window.geometry().marginsAdded(m)
    return available.contains(frame)


def clamp_to_screen(window: QWidget, available: QRect | None = None) -> None:
    """Shrink ``window`` (never below its minimum size) and move it so that its frame lies
    inside the available geometry: a geometry restored from a larger screen, or a size that
    was right before the frame was known."""
    if window.isMaximized() or window.isFullScreen():
        return
    available = available or available_geometry(window)
    room = _room(window, available)
    size = window.size().boundedTo(room).expandedTo(window.minimumSize())
    if size != window.size():
        window.resize(size)
    m = frame_margins(window)
    frame = QRect(window.pos(), window.size().grownBy(m))  # pos() is the frame's corner
    x = min(max(frame.left(), available.left()), available.right() + 1 - frame.width())
    y = min(max(frame.top(), available.top()), available.bottom() + 1 - frame.height())
    x, y = max(x, available.left()), max(y, available.top())
    if QPoint(x, y) != window.pos():
        window.move(x, y)


def fit_window(window: QWidget, preferred: QSize, available: QRect | None = None) -> bool:
    """Give a top-level window ``preferred`` size when its frame fits the screen, else open
    it maximized (the window manager then fits it exactly, frame and all). Returns True when
    maximized."""
    available = available or available_geometry(window)
    room = _room(window, available)
    if preferred.width() <= room.width() and preferred.height() <= room.height():
        window.resize(preferred)
        frame = QRect(QPoint(0, 0), preferred.grownBy(frame_margins(window)))
        frame.moveCenter(available.center())
        window.move(frame.topLeft())
        return False
    window.resize(preferred.boundedTo(room).expandedTo(window.minimumSizeHint()))
    window.move(available.topLeft())
    window.setWindowState(window.windowState() | Qt.WindowMaximized)
    return True


def scroll_contents(dialog: QWidget) -> QScrollArea:
    """Move ``dialog``'s layout into a frameless scroll area that fills the dialog, so that
    its contents scroll rather than run off a small screen. Its button box (a direct part of
    the layout) stays below the scroll area, always in view."""
    layout = dialog.layout()
    buttons = [layout.itemAt(i).widget() for i in range(layout.count())
               if isinstance(layout.itemAt(i).widget(), QDialogButtonBox)]
    for box in buttons:
        layout.removeWidget(box)
    inner = QWidget(objectName=f"{dialog.objectName() or 'dialog'}Contents")
    inner.setLayout(layout)  # takes the layout (and its widgets) from the dialog
    scroll = QScrollArea(dialog, widgetResizable=True, frameShape=QFrame.NoFrame)
    scroll.setObjectName("fitScroll")
    scroll.setWidget(inner)
    margins = layout.contentsMargins()
    outer = QVBoxLayout(dialog)
    outer.setContentsMargins(0, 0, 0, margins.bottom() if buttons else 0)
    outer.addWidget(scroll, 1)
    for box in buttons:
        box.setContentsMargins(margins.left(), 0, margins.right(), 0)
        outer.addWidget(box)
    return scroll


def fit_dialog(dialog: QWidget, available: QRect | None = None) -> None:
    """Fit a dialog to the screen: contents that cannot fit scroll, the size is capped to
    the room left by the frame, and the dialog is placed inside the available geometry."""
    available = available or available_geometry(dialog)
    room = _room(dialog, available)
    wanted = dialog.size() if dialog.testAttribute(Qt.WA_Resized) else dialog.sizeHint()
    needed = dialog.minimumSizeHint()
    if dialog.layout() is not None and (needed.height() > room.height()
                                        or needed.width() > room.width()):
        scroll_contents(dialog)
        bar = dialog.style().pixelMetric(QStyle.PM_ScrollBarExtent, None, dialog)
        wanted = wanted.grownBy(QMargins(0, 0, bar, 0))
    dialog.resize(wanted.boundedTo(room))
    clamp_to_screen(dialog, available)


class _WrappedHeight(QObject):
    def eventFilter(self, label, event) -> bool:
        if event.type() == QEvent.Resize:
            needed = label.heightForWidth(label.width())
            if needed > 0 and needed != label.minimumHeight():
                label.setMinimumHeight(needed)
        return False


def keep_wrapped_height(label: QLabel) -> None:
    """Keep a word-wrapped label's minimum height at the lines its width wraps it into. Qt's
    layouts count such a label as one line in their minimum size, so a screen at its minimum
    (a small screen: the screen scrolls) squeezed the boxes under a two-line instruction
    into each other."""
    label.installEventFilter(_WrappedHeight(label))
