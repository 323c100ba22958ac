"""The real main window in each UI language: direction, translated text, no clipping.

:func:`screens` walks every page of every QStackedWidget/QTabWidget the window has (so new
screens are covered as they are added) and :func:`visible_texts` collects what a person
can read there: labels, buttons, check boxes, tab titles, list items, placeholders, menu
and tool bar actions, window titles.
"""

from __future__ import annotations

import re

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QCheckBox,
    QDockWidget,
    QGroupBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QMenu,
    QRadioButton,
    QSplitter,
    QStackedWidget,
    QTabBar,
    QTabWidget,
    QToolBar,
    QWidget,
)

from app import paths
from app.store import Store
from i18n import catalogs
from tests.keys import type_text
from ui.application import WindowHost, apply_ui_language
from ui.dialogs.first_run import FirstRunDialog
from ui.dialogs.settings import SettingsDialog

TASKS = [
    {"id": "t-urd", "project_id": None, "kind": "original", "language": "urd_Arab",
     "instructions": "کھانا پکانے کے بارے میں ایک سوال لکھیں۔"},
    {"id": "t-fra", "project_id": None, "kind": "original", "language": "fra_Latn",
     "instructions": "Écrivez une question sur la cuisine."},
]
SHIPPED = [loc.tag for loc in catalogs.SHIPPED]
#: Texts that may legitimately read the same in every language.
SAME_EVERYWHERE = {"Qalam", "HTER", "OK", "KB", "URL"}


@pytest.fixture
def data_dir(tmp_path):
    with Store.open(paths.database_path(tmp_path)) as store:
        store.add_tasks(TASKS)
    return tmp_path


@pytest.fixture
def open_in(open_app, data_dir):
    return lambda tag: open_app(data_dir, ui_language=tag)


# --------------------------------------------------------------------------- walking


def screens(window: QWidget):
    """Yield a label for each page of each stacked/tabbed container, showing it first."""
    if hasattr(window, "build_all_screens"):  # screens are built on first show
        window.build_all_screens()
    yield "initial"
    for container in window.findChildren(QStackedWidget) + window.findChildren(QTabWidget):
        if isinstance(container.parent(), QTabWidget):  # a QTabWidget's own stack
            continue
        original = container.currentIndex()
        for index in range(container.count()):
            container.setCurrentIndex(index)
            QApplication.processEvents()
            if container.isVisibleTo(window):
                yield f"{container.objectName() or type(container).__name__}[{index}]"
        container.setCurrentIndex(original)
        QApplication.processEvents()


def _plain(text: str) -> str:
    text = re.sub(r"<[^>]+>", "", text) if "<" in text else text
    return text.split("\t")[0].replace("&&", "\0").replace("&", "").replace("\0", "&").strip()


def _actions(window):
    bar = window.menuBar() if hasattr(window, "menuBar") else None
    menus = [bar] if bar is not None else []
    while menus:
        menu = menus.pop()
        for action in menu.actions():
            if action.menu() is not None:
                menus.append(action.menu())
            if not action.isSeparator() and action.isVisible():
                yield action
    for toolbar in window.findChildren(QToolBar):
        for action in toolbar.actions():
            if not action.isSeparator() and action.isVisible():
                yield action


def visible_texts(window: QWidget):
    """(widget or action, text) for every piece of UI text visible now."""
    yield window, window.windowTitle()
    for widget in window.findChildren(QWidget):
        if not widget.isVisibleTo(window) or isinstance(widget, QMenu):
            continue
        if isinstance(widget, QLabel | QAbstractButton):
            yield widget, widget.text()
        elif isinstance(widget, QGroupBox):
            yield widget, widget.title()
        elif isinstance(widget, QTabBar):
            for index in range(widget.count()):
                yield widget, widget.tabText(index)
        elif isinstance(widget, QListWidget):
            for row in range(widget.count()):
                yield widget, widget.item(row).text()
        elif isinstance(widget, QLineEdit):
            yield widget, widget.placeholderText()
        elif isinstance(widget, QDockWidget):
            yield widget, widget.windowTitle()
    for action in _actions(window):
        yield action, action.text()


def _content_label(widget) -> bool:
    """Labels showing the annotator's data (task instructions, text in the content language),
    not UI strings."""
    name = widget.objectName() if isinstance(widget, QWidget) else ""
    return name in {"instructions", "contentLanguage"} or (
        isinstance(widget, QLabel) and widget.layoutDirection() != QApplication.layoutDirection()
    )


# --------------------------------------------------------------------------- direction


def _first_two_panes(window):
    """The first two widgets laid out side by side in the central widget (navigation, then
    the screens), whether a splitter or a box layout holds them."""
    central = window.centralWidget()
    if isinstance(central, QSplitter):
        return central.widget(0), central.widget(1)
    splitter = central.findChild(QSplitter)
    if splitter is not None and central.layout() is None:
        return splitter.widget(0), splitter.widget(1)
    layout = central.layout()
    widgets = [layout.itemAt(i).widget() for i in range(layout.count())]
    widgets = [w for w in widgets if w is not None and w.isVisibleTo(window)]
    return widgets[0], widgets[1]


@pytest.mark.parametrize(
    ("tag", "rtl"),
    [("ar", True), ("ur", True), ("fa", True), ("he", True), ("ps", True), ("ar-XB", True),
     ("sd", True), ("ckb", True), ("dv", True),
     ("en", False), ("fr", False), ("hi", False), ("en-XA", False)],
)
def test_main_window_direction_follows_the_ui_language(open_in, tag, rtl):
    window = open_in(tag)
    assert window.layoutDirection() == (Qt.RightToLeft if rtl else Qt.LeftToRight)
    first, second = _first_two_panes(window)
    x_first = first.mapTo(window, QPoint(0, 0)).x()
    x_second = second.mapTo(window, QPoint(0, 0)).x()
    assert (x_first > x_second) == rtl  # the navigation side is mirrored
    toolbar = window.findChild(QToolBar, "mainToolbar")
    buttons = [w for w in toolbar.findChildren(QWidget) if w.isVisibleTo(toolbar)
               and w.parent() is toolbar and not isinstance(w, QToolBar)]
    xs = [w.x() for w in sorted(buttons, key=lambda w: toolbar.layout().indexOf(w))]
    xs = [x for x in xs if x >= 0]
    assert (xs == sorted(xs, reverse=True)) == rtl or len(xs) < 2


# --------------------------------------------------------------------------- content direction


def _new_item(qtbot, window, language):
    window.set_language(language)
    window.new_submission()
    editor = window.editor
    qtbot.waitUntil(lambda: editor.submission is not None)
    editor.prompt.setFocus()
    return editor


def _cursor_x(edit, position):
    cursor = edit.textCursor()
    cursor.setPosition(position)
    edit.setTextCursor(cursor)
    return edit.cursorRect().center().x()


@pytest.mark.parametrize(
    ("ui", "content", "text", "rtl"),
    [
        ("en", "urd_Arab", "Python میں فہرست کیسے بنائیں", True),
        ("ar", "urd_Arab", "یہ ایک اردو جملہ ہے", True),
        ("ar", "fra_Latn", "Le mil pousse bien ici", False),
        ("ur", "fra_Latn", "Le mil pousse bien ici", False),
    ],
)
def test_content_direction_follows_the_content_language_not_the_ui(
    qtbot, open_in, ui, content, text, rtl
):
    window = open_in(ui)
    editor = _new_item(qtbot, window, content)
    type_text(editor.completion, text)
    edit = editor.completion
    first = _cursor_x(edit, 0)
    last = _cursor_x(edit, len(edit.document().firstBlock().text()))
    width = edit.viewport().width()
    if rtl:
        assert last < first - 50 and first > width / 2
    else:
        assert first < 20 and last > first + 50


# --------------------------------------------------------------------------- translation


def _english_sources():
    template = catalogs.read_pot()
    return {_plain(m.id if isinstance(m.id, str) else m.id[0]) for m in template if m.id}


def _same_in(tag):
    """Sources this catalog translates to the same text (legitimately: "Type" in French)."""
    from babel.messages.pofile import read_po

    with open(catalogs.po_path(tag), "rb") as f:
        catalog = read_po(f)
    return {
        _plain(m.id) for m in catalog
        if m.id and isinstance(m.id, str) and m.string and _plain(m.string) == _plain(m.id)
    }


def _dialogs(qtbot, tag):
    """Our own dialogs, built in the current UI language."""
    built = [SettingsDialog(tag, True), FirstRunDialog(tag)]
    for dialog in built:
        qtbot.addWidget(dialog)
        dialog.show()
    return built


@pytest.mark.parametrize("tag", SHIPPED)
def test_no_untranslated_text_on_any_screen(qtbot, open_in, tag):
    window = open_in(tag)
    english = _english_sources() - _same_in(tag) - SAME_EVERYWHERE
    found = set()
    for screen in screens(window):
        for widget, text in visible_texts(window):
            plain = _plain(text)
            if plain in english and not _content_label(widget):
                found.add((screen, type(widget).__name__, plain))
    for dialog in _dialogs(qtbot, tag):
        for widget, text in visible_texts(dialog):
            if _plain(text) in english:
                found.add((dialog.objectName(), type(widget).__name__, _plain(text)))
    assert sorted(found) == [], f"{tag}: English text on screen; {sorted(found)[:20]}"


def test_every_text_in_en_xa_went_through_gettext(open_in):
    """In en-XA every translatable text is bracketed; plain ASCII words mean a string was
    never marked with _()."""
    window = open_in("en-XA")
    found = set()
    for screen in screens(window):
        for widget, text in visible_texts(window):
            plain = _plain(text)
            if (re.search(r"[A-Za-z]{3,}", plain) and "[" not in plain
                    and not _content_label(widget) and plain not in SAME_EVERYWHERE):
                found.add((screen, type(widget).__name__, plain))
    assert not found, "\n".join(map(str, sorted(found)))


def _clipped(widget, text):
    metrics = widget.fontMetrics()
    if isinstance(widget, QLabel):
        if widget.wordWrap():
            return widget.heightForWidth(widget.width()) > widget.height() + 1
        if widget.textFormat() == Qt.RichText or "<" in text:
            return widget.sizeHint().width() > widget.width() + 1
        rect = widget.contentsRect()
        return metrics.horizontalAdvance(_plain(text)) > rect.width() - 2 * widget.margin() + 1
    if isinstance(widget, QCheckBox | QRadioButton):
        return widget.sizeHint().width() > widget.width() + 1
    if isinstance(widget, QAbstractButton):
        # Not sizeHint: a push button's hint has a style minimum width, and small fixed
        # buttons ("1" ... "5") are fine. The text (and icon) must fit inside the frame.
        icon = widget.iconSize().width() + 4 if not widget.icon().isNull() else 0
        return metrics.horizontalAdvance(_plain(text)) + icon > widget.width() - 4
    return False


def test_nothing_clips_in_en_xa(qtbot, open_in):
    window = open_in("en-XA")
    clipped = set()
    for dialog in _dialogs(qtbot, "en-XA"):
        for widget, text in visible_texts(dialog):
            if isinstance(widget, QWidget) and text and widget is not dialog and _clipped(
                widget, text
            ):
                clipped.add((dialog.objectName(), type(widget).__name__, _plain(text)))
    for screen in screens(window):
        for widget, text in visible_texts(window):
            if not isinstance(widget, QWidget) or not text or widget is window:
                continue
            if _clipped(widget, text):
                clipped.add((screen, type(widget).__name__, widget.objectName(), _plain(text)))
        for tabs in window.findChildren(QTabBar):
            if tabs.isVisibleTo(window):
                for index in range(tabs.count()):
                    if tabs.tabRect(index).width() < tabs.tabSizeHint(index).width():
                        clipped.add((screen, "QTabBar", tabs.objectName(), tabs.tabText(index)))
        for toolbar in window.findChildren(QToolBar):
            for action in toolbar.actions():
                button = toolbar.widgetForAction(action)
                if button is not None and action.isVisible() and not button.isVisibleTo(window):
                    clipped.add((screen, "QToolBar overflow", toolbar.objectName(), action.text()))
    assert not clipped, "\n".join(map(str, sorted(clipped)))


# --------------------------------------------------------------------------- switching


def test_changing_the_ui_language_keeps_unsaved_text(qtbot, data_dir):
    host = WindowHost(data_dir)
    try:
        window = host.window
        qtbot.addWidget(window)
        window.show()
        editor = _new_item(qtbot, window, "urd_Arab")
        type_text(editor.prompt, "چاول کیسے پکائیں؟")  # no wait for the autosave
        new = host.reopen("ar")
        qtbot.addWidget(new)
        assert new is not window and new.isVisible() and not window.isVisible()
        assert new.layoutDirection() == Qt.RightToLeft
        assert new.editor.prompt.text() == "چاول کیسے پکائیں؟"
        with Store.open(paths.database_path(data_dir), readonly=True) as store:
            assert [s.inputs for s in store.submissions()] == ["چاول کیسے پکائیں؟"]
        # The content language did not follow the UI language.
        assert new.current_language() == "urd_Arab"
    finally:
        host.window.close()
        host.shutdown()
        apply_ui_language(data_dir, "en")
