"""Work done without a mouse, in a left-to-right and a right-to-left interface: Write, Improve,
Review and Post-edit start to finish with ``qtbot.keyClick``/``keyClicks`` only; tab orders
that follow the reading order; keys that cannot change anything say what to do first; and
every interactive control of every screen and dialog has a name a screen reader can say."""

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible, QKeySequence
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSlider,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QDialog,
    QHeaderView,
    QLabel,
    QLineEdit,
    QScrollBar,
    QTextEdit,
    QWidget,
)

from app.store import Store
from tests.test_workbench import seed

CTRL_ENTER = (Qt.Key_Return, Qt.ControlModifier)


@pytest.fixture
def data_dir(tmp_path):
    return seed(tmp_path)


@pytest.fixture(params=["en", "ur"], ids=["ltr", "rtl"])
def window(request, open_app, data_dir):
    window = open_app(data_dir, ui_language=request.param, active=True)
    assert window.layoutDirection() == (Qt.RightToLeft if request.param == "ur"
                                        else Qt.LeftToRight)
    return window


def stored(window):
    """A fresh read-only look at the store (closed by the garbage collector)."""
    window.writer.flush()
    return Store.open(window.reader.path, readonly=True)


def focused():
    return QApplication.focusWidget()


def press(qtbot, key, modifier=Qt.NoModifier):
    """A key to whatever has the focus, as a keyboard sends it."""
    qtbot.keyClick(focused(), key, modifier)


def alt_key_of(label: QLabel) -> Qt.Key:
    """The letter a label's mnemonic gives in the UI language (Alt+L, Alt+ز…)."""
    return QKeySequence.mnemonic(label.text())[0].key()


def choose_language_by_keyboard(qtbot, window, name: str) -> None:
    label = next(lbl for lbl in window.findChildren(QLabel)
                 if lbl.buddy() is window.language_picker)
    qtbot.keyClick(window, alt_key_of(label), Qt.AltModifier)
    assert window.language_picker.lineEdit().hasFocus()
    qtbot.keyClicks(focused(), name)
    press(qtbot, Qt.Key_Return)


def open_first_task(qtbot, window, number: int):
    qtbot.keyClick(window, Qt.Key_0 + number, Qt.ControlModifier)
    screen = window.current_screen()
    assert screen.task_view.hasFocus()
    press(qtbot, Qt.Key_Home)                                  # the first task
    press(qtbot, Qt.Key_Return)
    return screen


# --- the four kinds of work, keyboard only -------------------------------------------------


def test_write_keyboard_only(qtbot, window):
    choose_language_by_keyboard(qtbot, window, "Swahili")
    assert window.current_language() == "swh_Latn"
    qtbot.keyClick(window, Qt.Key_1, Qt.ControlModifier)
    qtbot.keyClick(window, Qt.Key_N, Qt.ControlModifier)
    editor = window.screens["write"].editor
    qtbot.waitUntil(lambda: editor.submission is not None and editor.prompt.hasFocus())
    qtbot.keyClicks(editor.prompt, "Jinsi ya kupanda mahindi wakati wa mvua?")
    press(qtbot, Qt.Key_Tab)
    assert editor.completion.hasFocus()
    qtbot.keyClicks(editor.completion, "Panda mbegu baada ya mvua ya kwanza, kwa mistari.")
    press(qtbot, Qt.Key_Backtab)  # back in reading order
    assert editor.prompt.hasFocus()
    press(qtbot, *CTRL_ENTER)
    qtbot.waitUntil(lambda: stored(window).submissions(language="swh_Latn")[0].state
                    == "submitted", timeout=10000)
    (item,) = stored(window).submissions(language="swh_Latn")
    assert item.inputs.startswith("Jinsi") and item.targets.startswith("Panda")


def test_improve_keyboard_only(qtbot, window):
    choose_language_by_keyboard(qtbot, window, "Hindi")
    screen = open_first_task(qtbot, window, 2)
    qtbot.waitUntil(lambda: screen.submission is not None
                    and screen.prompt.rating.up.hasFocus())  # on to rating at once
    press(qtbot, Qt.Key_Space)                                 # prompt: thumbs up
    qtbot.keyClick(window, Qt.Key_4, Qt.AltModifier)          # completion: needs work
    qtbot.waitUntil(lambda: screen.submission.is_rated and screen.prompt.edit.hasFocus())
    for _ in range(2):
        press(qtbot, Qt.Key_Tab)                               # the prompt's diff, then on
    for _ in range(3):
        press(qtbot, Qt.Key_Tab)                               # completion's thumbs, original
    assert screen.completion.edit.hasFocus()
    press(qtbot, Qt.Key_End, Qt.ControlModifier)
    qtbot.keyClicks(focused(), " hai.")                        # ITRANS, on for Hindi
    assert screen.completion.edit.text() == "दिल्ली है।"
    press(qtbot, *CTRL_ENTER)
    qtbot.waitUntil(lambda: stored(window).submission_for_task("r1").state == "submitted",
                    timeout=10000)
    item = stored(window).submission_for_task("r1")
    assert (item.rating_inputs, item.rating_targets, item.targets) == (1, -1, "दिल्ली है।")


def test_review_keyboard_only(qtbot, window):
    from ui.screens.review import score_key

    choose_language_by_keyboard(qtbot, window, "Arabic")
    screen = open_first_task(qtbot, window, 3)
    qtbot.waitUntil(lambda: screen.task is not None and screen.scores["inputs"].hasFocus())
    press(qtbot, Qt.Key_5)
    qtbot.keyClick(window, QKeySequence(score_key("targets"))[0].key(), Qt.AltModifier)
    assert screen.scores["targets"].hasFocus()
    press(qtbot, Qt.Key_3)
    press(qtbot, Qt.Key_Tab)
    assert screen.reason.hasFocus()
    qtbot.keyClicks(screen.reason, "Needs more detail")
    press(qtbot, *CTRL_ENTER)
    qtbot.waitUntil(lambda: (stored(window).review_for_task("v-peer") or
                             screen.review).state == "submitted", timeout=10000)
    review = stored(window).review_for_task("v-peer")
    assert (review.rating_inputs, review.rating_targets, review.reason) == (
        5, 3, "Needs more detail")


def test_postedit_keyboard_only(qtbot, window):
    choose_language_by_keyboard(qtbot, window, "Swahili")
    screen = open_first_task(qtbot, window, 4)
    qtbot.waitUntil(lambda: screen.submission is not None and screen.target.hasFocus())
    press(qtbot, Qt.Key_End, Qt.ControlModifier)
    for _ in range(len("kula.")):
        press(qtbot, Qt.Key_Backspace)
    qtbot.keyClicks(screen.target, "ya kula.")
    press(qtbot, *CTRL_ENTER)                                  # confirm and next
    qtbot.waitUntil(lambda: screen.task is not None and screen.task.id == "p-2"
                    and screen.target.hasFocus(), timeout=10000)
    first = stored(window).submission_for_task("p-1")
    assert first.state == "submitted"
    assert first.targets == "Osha mikono yako na sabuni kabla ya kula."


# --- reading order ---------------------------------------------------------------------------


def tab_chain(screen) -> list[QWidget]:
    """What Tab visits inside ``screen``, in order."""
    seen, widget = [], screen
    for _ in range(500):
        widget = widget.nextInFocusChain()
        if widget is screen:
            break
        if screen.isAncestorOf(widget) and widget.isVisible() and widget.isEnabled() and \
                widget.focusPolicy() & Qt.TabFocus and widget.focusProxy() is None:
            seen.append(widget)
    return seen


def test_tab_order_follows_the_reading_order(qtbot, window):
    rtl = window.layoutDirection() == Qt.RightToLeft
    for language, name in (("urd_Arab", "write"), ("hin_Deva", "improve"),
                           ("arb_Arab", "review"), ("swh_Latn", "postedit")):
        window.set_language(language)
        window.show_screen(name)
        screen = window.screens[name]
        screen.step_task(1)
        opened = {"write": lambda s: s.editor.submission, "review": lambda s: s.task}.get(
            name, lambda s: s.submission)
        qtbot.waitUntil(lambda s=screen, o=opened: o(s) is not None, timeout=5000)
        chain = tab_chain(screen)
        if name == "write":
            editor = screen.editor
            expected = [screen.task_view, screen.new_button, editor.dialect, editor.prompt,
                        editor.completion, editor.submit_button]
        elif name == "improve":
            expected = [screen.task_view, *screen.checks_boxes, *screen.prompt.fields(),
                        *screen.completion.fields(), screen.submit_button]
        elif name == "review":
            expected = [screen.task_view, screen.originals["inputs"], screen.diffs["inputs"],
                        screen.scores["inputs"], screen.originals["targets"],
                        screen.diffs["targets"], screen.scores["targets"], screen.reason,
                        screen.flag, screen.submit_button]
        else:
            expected = [screen.batch_size, screen.session_button, screen.replace_button,
                        screen.task_view, screen.source, screen.mt, screen.target,
                        screen.checks_panel, screen.confirm_button, screen.matches.list,
                        screen.matches.diff,
                        screen.terms, screen.concordance.field, screen.concordance.results]
        assert chain == expected, name
        # What reads first stands first: on the left in LTR, on the right in RTL.
        side = screen.task_view.mapTo(window, screen.task_view.rect().center()).x()
        work = chain[-1].mapTo(window, chain[-1].rect().center()).x()
        assert (side > work) if rtl else (side < work), name
    improve = window.screens["improve"]
    original, copy = improve.prompt.original, improve.prompt.edit
    assert (original.x() > copy.x()) if rtl else (original.x() < copy.x())


# --- keys that cannot change anything --------------------------------------------------------


def test_typing_before_rating_says_rate_first_and_nothing_unchanged_is_submitted_silently(
        qtbot, window):
    # Issue 12, item 6: after Enter on a task, Tab put the caret in the box under the prompt,
    # typing showed nothing, and Ctrl+Enter submitted the item as "unchanged".
    choose_language_by_keyboard(qtbot, window, "Hindi")
    screen = open_first_task(qtbot, window, 2)
    qtbot.waitUntil(lambda: screen.submission is not None
                    and screen.prompt.rating.up.hasFocus())
    press(qtbot, Qt.Key_Tab)
    press(qtbot, Qt.Key_Tab)
    assert focused() is screen.prompt.original                # "the box under the prompt"
    status_before = screen.status.text()
    qtbot.keyClicks(focused(), "x")
    assert screen.prompt.original.text() == "भारत की राजधानी क्या है?"
    assert screen.status.text() not in ("", status_before)     # it says where to type
    press(qtbot, Qt.Key_Tab)
    assert focused() is screen.prompt.edit
    status_before = screen.status.text()
    qtbot.keyClicks(focused(), "x")
    assert screen.prompt.edit.text() == "भारत की राजधानी क्या है?"  # nothing typed...
    assert screen.status.text() and screen.status.text() != status_before  # ...and said why
    press(qtbot, *CTRL_ENTER)
    rate_first = screen.status.text()
    assert "Alt+1" in rate_first
    assert stored(window).submission_for_task("r1").state == "draft"
    qtbot.keyClick(window, Qt.Key_1, Qt.AltModifier)
    qtbot.keyClick(window, Qt.Key_3, Qt.AltModifier)
    qtbot.waitUntil(lambda: screen.submission.is_rated)
    press(qtbot, *CTRL_ENTER)                                  # unchanged: said, not sent
    assert "Ctrl+Enter" in screen.status.text()
    window.writer.flush()
    assert stored(window).submission_for_task("r1").state == "draft"
    press(qtbot, *CTRL_ENTER)                                  # again: the ratings alone
    qtbot.waitUntil(lambda: stored(window).submission_for_task("r1").state == "submitted",
                    timeout=10000)


def test_keys_that_cannot_act_say_what_to_do(qtbot, window):
    messages = []
    window.statusBar().messageChanged.connect(messages.append)
    qtbot.keyClick(window, Qt.Key_1, Qt.ControlModifier)      # Write, nothing open
    press(qtbot, *CTRL_ENTER)
    assert "Ctrl+N" in window.screens["write"].editor.status.text()
    qtbot.keyClick(window, Qt.Key_1, Qt.AltModifier)          # thumbs outside Improve
    assert messages and "Ctrl+2" in messages[-1]
    window.set_language("swh_Latn")
    qtbot.keyClick(window, Qt.Key_4, Qt.ControlModifier)      # Post-edit, nothing open
    press(qtbot, *CTRL_ENTER)
    assert window.screens["postedit"].status.text()
    qtbot.keyClick(window, Qt.Key_Up, Qt.AltModifier)         # before the first task
    qtbot.waitUntil(lambda: window.screens["postedit"].task is not None)
    qtbot.keyClick(window, Qt.Key_Up, Qt.AltModifier)
    assert window.screens["postedit"].status.text() == messages[-1] != ""


# --- accessible names ------------------------------------------------------------------------

INTERACTIVE = (QAbstractButton, QComboBox, QLineEdit, QAbstractSpinBox, QAbstractItemView,
               QTextEdit, QAbstractSlider)


def nameless(root: QWidget) -> list[str]:
    """Interactive widgets under ``root`` that a screen reader would announce without a
    name (their accessible name, their text, or a label buddy: what AT-SPI reads)."""
    missing = []
    for widget in [root, *root.findChildren(QWidget)]:
        interactive = isinstance(widget, INTERACTIVE) or widget.focusPolicy() & Qt.TabFocus
        if not interactive or isinstance(widget, QScrollBar | QHeaderView) or \
                not widget.isVisibleTo(root):
            continue  # scroll bars and a table's header: parts of the control they serve
        if isinstance(widget, QLineEdit) and isinstance(widget.parent(), QComboBox | \
                QAbstractSpinBox):
            continue  # the box's own editor: the box carries the name
        if type(widget).__name__ in ("QWidget", "QSplitterHandle", "QScrollArea",
                                     "QStackedWidget", "QDockWidget", "QMainWindow",
                                     "QDialog", "QToolBar", "QMenuBar", "QStatusBar") or \
                isinstance(widget, QDialog):
            continue  # containers: what they contain is checked
        interface = QAccessible.queryAccessibleInterface(widget)
        name = interface.text(QAccessible.Name) if interface is not None else ""
        if not name.strip():
            missing.append(f"{type(widget).__name__} {widget.objectName()!r} in "
                           f"{type(root).__name__}")
    return missing


def dialogs(window) -> list[QWidget]:
    from app.profile import Profile
    from ui.dialogs.first_run import FirstRunDialog
    from ui.dialogs.profile import ProfileDialog
    from ui.dialogs.settings import SettingsDialog
    from ui.dialogs.shortcuts import ShortcutsDialog
    from ui.keyboard import CheatSheet

    window.show_sync_panel()
    return [ShortcutsDialog(window.actions(), window), SettingsDialog("en", None, window),
            ProfileDialog(Profile(), ["urd_Arab"], window.context, window),
            FirstRunDialog("ur"), CheatSheet("hin_Deva", window), CheatSheet("amh_Ethi", window),
            window._sync_panel]


def test_every_interactive_control_of_every_screen_and_dialog_has_a_name(qtbot, window):
    window.build_all_screens()
    window.set_language("hin_Deva")
    missing = []
    for name in window.screens:
        window.show_screen(name)
        window.keyboard.keyboard_action.setChecked(True)  # the on-screen keyboard too
        missing += nameless(window)
    for dialog in dialogs(window):
        qtbot.addWidget(dialog) if dialog.parent() is None else None
        dialog.show()
        missing += nameless(dialog)
        dialog.close()
    assert sorted(set(missing)) == [], "\n".join(sorted(set(missing)))
