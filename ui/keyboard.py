"""Typing scripts the laptop's keyboard lacks: transliteration as you type, and an on-screen
keyboard, for the content languages that have a scheme in :mod:`app.transliteration`
(Amharic, Tigrinya, Yoruba). The OS input method keeps working in every field; this is the
fallback an annotator toggles::

    controller = KeyboardController(window)
    controller.attach(window)            # actions on the window, the panel as a bottom dock
    view_menu.addAction(controller.transliteration_action)   # Ctrl+Shift+T
    view_menu.addAction(controller.keyboard_action)          # Ctrl+Shift+K

The controller follows the focused :class:`~ui.content_edit.ContentEdit` (the last one, while
focus is in the panel) and enables both actions only when that field's language has a scheme.
"""

from __future__ import annotations

import unicodedata

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence, QTextCursor
from PySide6.QtWidgets import (
    QApplication,
    QButtonGroup,
    QDockWidget,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from app import transliteration as tr
from i18n import languages
from i18n.translation import N_, _
from ui.content_edit import ContentEdit
from ui.fonts import font_for_script

__all__ = ["KeyboardController", "OnScreenKeyboard", "TransliterationFilter"]

TRANSLITERATION_KEYS = "Ctrl+Shift+T"
KEYBOARD_KEYS = "Ctrl+Shift+K"

# Ethiopic rows on the keyboard, in Unicode (= traditional ሀ ለ ሐ መ …) order. ቐ is Tigrinya's;
# ዸ and ጘ (Oromo, Bilen) are left out.
ETHIOPIC_ROWS = tuple(row for row in tr.ROWS if row not in (0x12F8, 0x1318, 0x1250))
TIGRINYA_ROWS = tuple(sorted((*ETHIOPIC_ROWS, 0x1250)))
ETHIOPIC_PUNCTUATION = ("\u1361", "\u1362", "\u1363", "\u1364", "\u1365", "\u1366", "«", "»")
YORUBA_LETTERS = ("ẹ", "ọ", "ṣ", "Ẹ", "Ọ", "Ṣ")
YORUBA_TONED = tuple(
    unicodedata.normalize("NFC", base + tone)
    for base in ("a", "e", "ẹ", "i", "o", "ọ", "u", "n", "m")
    for tone in (tr.ACUTE, tr.GRAVE)
)
YORUBA_MARKS = (
    (tr.ACUTE, N_("High tone (acute accent) on the letter before the cursor")),
    (tr.GRAVE, N_("Low tone (grave accent) on the letter before the cursor")),
    (tr.MACRON, N_("Mid tone (macron) on the letter before the cursor")),
    (tr.DOT_BELOW, N_("Dot below the letter before the cursor")),
)
DOTTED_CIRCLE = "\u25cc"  # the base a combining mark is shown on


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _text_before(cursor: QTextCursor) -> str:
    """The text of the cursor's paragraph before the start of its selection."""
    start = cursor.selectionStart()
    block = cursor.document().findBlock(start)
    units = start - block.position()  # Qt counts UTF-16 code units, Python code points
    return block.text().encode("utf-16-le")[: 2 * units].decode("utf-16-le", "replace")


def _replace_before(edit: ContentEdit, cursor: QTextCursor, n: int, buffer: str, text: str):
    """Replace the selection and the ``n`` characters before it with ``text``: one undo step."""
    cursor.beginEditBlock()
    cursor.removeSelectedText()
    if n:
        back = _utf16_len(buffer[len(buffer) - n:])
        cursor.setPosition(cursor.position() - back, QTextCursor.KeepAnchor)
    if text or cursor.hasSelection():
        cursor.insertText(text)
    cursor.endEditBlock()
    edit.setTextCursor(cursor)
    edit.ensureCursorVisible()


def _discard(widget: QWidget) -> None:
    # Out of sight and out of findChildren() now; deleted when the event loop comes round
    # (a widget taken out of its layout would otherwise sit at 0,0 until then).
    widget.hide()
    widget.setParent(None)
    widget.deleteLater()


def _describe(text: str) -> str:
    """A key's accessible name: the Unicode names of its characters ("Ethiopic syllable sa")."""
    names = [unicodedata.name(char, f"U+{ord(char):04X}").lower() for char in text]
    return ", ".join(names).capitalize()


def _has_scheme(edit: ContentEdit | None) -> bool:
    return (edit is not None and not edit.isReadOnly() and edit.language is not None
            and edit.language.code in tr.SCHEME_CODES)


# --------------------------------------------------------------------------- transliteration


class TransliterationFilter(QObject):
    """An event filter on ContentEdits: while enabled, printable keys typed into a field whose
    language has a scheme go through the scheme's ``feed()`` and are applied with the field's
    QTextCursor, one undo step per key (textChanged fires as for any typing).

    Keys with Ctrl, Alt or Meta, and keys the scheme leaves alone, reach the field untouched.
    A single Latin letter: ``\\`` then the letter; a Latin word: switch off (Ctrl+Shift+T).
    """

    def __init__(self, parent: QObject | None = None, *, enabled: bool = False):
        super().__init__(parent)
        self.enabled = enabled
        self._schemes: dict[str, tr.Transliterator] = tr.schemes()

    def set_enabled(self, enabled: bool) -> None:
        self.enabled = enabled
        self.reset()

    def watch(self, edit: ContentEdit) -> None:
        """Filter ``edit``'s keys (idempotent)."""
        if not edit.property("qalamTransliteration"):
            edit.setProperty("qalamTransliteration", True)
            edit.installEventFilter(self)

    def scheme(self, edit: ContentEdit) -> tr.Transliterator | None:
        if not _has_scheme(edit):
            return None
        return self._schemes[edit.language.code]

    def reset(self) -> None:
        for scheme in self._schemes.values():
            scheme.reset()

    def eventFilter(self, watched, event) -> bool:
        kind = event.type()
        if kind == QEvent.KeyPress and self.enabled and isinstance(watched, ContentEdit):
            return self._key(watched, event)
        if kind in (QEvent.FocusIn, QEvent.FocusOut):
            self.reset()
        return False

    def _key(self, edit: ContentEdit, event) -> bool:
        if event.modifiers() & (Qt.ControlModifier | Qt.AltModifier | Qt.MetaModifier):
            return False
        typed = event.text()
        if not typed or not typed.isprintable():
            return False
        scheme = self.scheme(edit)
        if scheme is None:
            return False
        cursor = edit.textCursor()
        buffer = _text_before(cursor)
        n, text = scheme.feed(buffer, typed)
        if (n, text) == (0, typed):
            return False  # Qt types it: selection, overwrite mode and all
        _replace_before(edit, cursor, n, buffer, text)
        return True


# --------------------------------------------------------------------------- on-screen keyboard


class OnScreenKeyboard(QWidget):
    """Keys for the current content language, typing at the cursor of the last focused
    ContentEdit (:meth:`set_target`, or followed from the focus). Amharic/Tigrinya: the base
    consonants; clicking one shows its seven orders and labialised forms. Yoruba: ẹ ọ ṣ,
    toned vowels and tone marks applied to the letter before the cursor."""

    typed = Signal(str)  # the text a key put in the field

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("onScreenKeyboard")
        self.setAccessibleName(_("On-screen keyboard"))
        self._target: ContentEdit | None = None
        self._code: str | None = None
        self._scheme: tr.Transliterator | None = None
        self._font = None
        self._forms: QHBoxLayout | None = None
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(4, 4, 4, 4)
        self._layout.setSpacing(4)
        self._body: QWidget | None = None
        self._empty = QLabel(_("No on-screen keyboard for this language."))
        self._empty.setWordWrap(True)
        self._layout.addWidget(self._empty)
        app = QApplication.instance()
        if app is not None:
            app.focusChanged.connect(self._focus_changed)

    # --- the field it types into

    def target(self) -> ContentEdit | None:
        return self._target if self._target is not None and isValid(self._target) else None

    def set_target(self, edit: ContentEdit | None) -> None:
        self._target = edit

    def _focus_changed(self, _old, new) -> None:
        if isinstance(new, ContentEdit):
            self._target = new

    # --- the keys

    def language(self) -> str | None:
        return self._code

    def set_language(self, code: str | None) -> None:
        """Show the keys for ``code`` ("amh_Ethi"); a language without keys shows a note."""
        if code == self._code:
            return
        self._code = code
        if self._body is not None:
            _discard(self._body)
            self._body = None
        self._forms = None
        self._scheme = tr.scheme_for(code)
        self._empty.setVisible(self._scheme is None)
        if self._scheme is None:
            return
        language = languages.get(code)
        self._font = font_for_script(language.script, self._key_point_size(), language=code)
        self._body = QWidget(self)
        self._body.setObjectName("keys")
        if isinstance(self._scheme, tr.Ethiopic):
            self._build_ethiopic(TIGRINYA_ROWS if code == "tir_Ethi" else ETHIOPIC_ROWS)
        else:
            self._build_yoruba()
        self._layout.addWidget(self._body)

    def buttons(self) -> list[QToolButton]:
        """Every key now shown (for tests and accessibility checks)."""
        return [] if self._body is None else self._body.findChildren(QToolButton)

    def _key_point_size(self) -> float:
        return max(self.font().pointSizeF(), 9.0) * 1.4

    def _key(self, label: str, name: str, tip: str, slot, *, checkable=False) -> QToolButton:
        button = QToolButton(self._body)
        button.setText(label)
        button.setFont(self._font)
        button.setAccessibleName(name)
        button.setToolTip(tip)
        button.setFocusPolicy(Qt.NoFocus)  # focus, and the cursor, stay in the field
        button.setCheckable(checkable)
        button.setSizePolicy(QSizePolicy.Fixed, QSizePolicy.Fixed)
        size = button.fontMetrics().height() + 12
        button.setMinimumSize(size, size)  # square keys of one size, whatever the glyph
        button.clicked.connect(slot)
        return button

    def _text_key(self, text: str) -> QToolButton:
        keys = self._scheme.keys_for(text) if self._scheme is not None else None
        tip = _describe(text)
        if keys:
            tip = _("{character}: {name}\nKeys with transliteration on: {keys}").format(
                character=text, name=tip, keys=keys)
        return self._key(text, _describe(text), tip, lambda: self.insert(text))

    def _build_ethiopic(self, rows: tuple[int, ...]) -> None:
        layout = QVBoxLayout(self._body)
        layout.setContentsMargins(0, 0, 0, 0)
        grid = QGridLayout()
        grid.setSpacing(2)
        group = QButtonGroup(self._body)
        group.setExclusive(True)
        columns = 12
        for index, row in enumerate(rows):
            char = chr(row)
            button = self._key(
                char, _describe(char),
                _("Show the forms of {character}").format(character=char),
                lambda _checked=False, r=row: self._show_forms(r), checkable=True)
            button.setObjectName(f"row_{row:04X}")
            group.addButton(button)
            grid.addWidget(button, index // columns, index % columns)
        grid.setColumnStretch(columns, 1)  # keys keep their size in a wide dock
        layout.addLayout(grid)
        forms = QHBoxLayout()
        forms.setSpacing(2)
        self._forms = forms
        layout.addLayout(forms)
        punctuation = QHBoxLayout()
        punctuation.setSpacing(2)
        for char in ETHIOPIC_PUNCTUATION:
            punctuation.addWidget(self._text_key(char))
        punctuation.addStretch(1)
        layout.addLayout(punctuation)
        group.buttons()[0].setChecked(True)
        self._show_forms(rows[0])

    def forms(self) -> list[str]:
        """The syllables of the consonant chosen last (orders 1–7, then -wa forms)."""
        if self._forms is None:
            return []
        return [self._forms.itemAt(i).widget().text() for i in range(self._forms.count())
                if self._forms.itemAt(i).widget() is not None]

    def _show_forms(self, row: int) -> None:
        forms = self._forms
        while forms.count():
            item = forms.takeAt(0)
            if item.widget() is not None:
                _discard(item.widget())
        for syllable in tr.ethiopic_forms(row):
            forms.addWidget(self._text_key(syllable))
        forms.addStretch(1)

    def _build_yoruba(self) -> None:
        layout = QVBoxLayout(self._body)
        layout.setContentsMargins(0, 0, 0, 0)
        lower = [c for c in YORUBA_TONED if c.islower()]
        for chars in (YORUBA_LETTERS, lower, [c.upper() for c in lower]):
            row = QHBoxLayout()
            row.setSpacing(2)
            for char in chars:
                row.addWidget(self._text_key(char))
            row.addStretch(1)
            layout.addLayout(row)
        marks = QHBoxLayout()
        marks.setSpacing(2)
        for mark, description in YORUBA_MARKS:
            keys = self._scheme.keys_for("e" + mark)[1:] if mark != tr.DOT_BELOW else "."
            button = self._key(
                DOTTED_CIRCLE + mark, _(description),
                _("{description}\nKeys with transliteration on: {keys}").format(
                    description=_(description), keys=keys),
                lambda _checked=False, m=mark: self.apply_mark(m))
            button.setObjectName(f"mark_{ord(mark):04X}")
            marks.addWidget(button)
        marks.addStretch(1)
        layout.addLayout(marks)

    # --- typing

    def insert(self, text: str) -> None:
        """Type ``text`` at the target field's cursor, replacing its selection (one undo step)."""
        edit = self.target()
        if edit is None or edit.isReadOnly():
            return
        cursor = edit.textCursor()
        cursor.insertText(text)
        edit.setTextCursor(cursor)
        edit.ensureCursorVisible()
        self.typed.emit(text)

    def apply_mark(self, mark: str) -> None:
        """Put the combining ``mark`` on the letter before the cursor, NFC (a tone replaces a
        tone: è then the high-tone key gives é)."""
        edit = self.target()
        if edit is None or edit.isReadOnly():
            return
        cursor = edit.textCursor()
        cursor.clearSelection()
        buffer = _text_before(cursor)
        cluster = tr.last_cluster(buffer)
        result = tr.apply_mark(cluster, mark)
        if result is None and cluster and not cluster[0].isspace():
            result = unicodedata.normalize("NFC", cluster + mark)
        if result is None:
            QApplication.beep()
            return
        _replace_before(edit, cursor, len(cluster), buffer, result)
        self.typed.emit(mark)


# --------------------------------------------------------------------------- controller


class KeyboardController(QObject):
    """The two actions and the panel, following the focused ContentEdit. See the module
    docstring for wiring it into a window."""

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.filter = TransliterationFilter(self)
        self.keyboard = OnScreenKeyboard()
        self.panel: QWidget | None = None
        self._edit: ContentEdit | None = None
        self._showing = False  # the panel is being shown/hidden by us, not closed by the user

        self.transliteration_action = QAction(_("Transliteration"), self)
        self.transliteration_action.setObjectName("transliterationAction")
        self.transliteration_action.setCheckable(True)
        self.transliteration_action.setShortcut(QKeySequence(TRANSLITERATION_KEYS))
        self.transliteration_action.setShortcutContext(Qt.WindowShortcut)
        tip = _("Type Amharic, Tigrinya or Yoruba with Latin keys ({keys}); "
                "a backslash types the next key as it is").format(
            keys=QKeySequence(TRANSLITERATION_KEYS).toString(QKeySequence.NativeText))
        self.transliteration_action.setToolTip(tip)
        self.transliteration_action.setStatusTip(tip)
        self.transliteration_action.toggled.connect(self.filter.set_enabled)

        self.keyboard_action = QAction(_("On-screen keyboard"), self)
        self.keyboard_action.setObjectName("keyboardAction")
        self.keyboard_action.setCheckable(True)
        self.keyboard_action.setShortcut(QKeySequence(KEYBOARD_KEYS))
        self.keyboard_action.setShortcutContext(Qt.WindowShortcut)
        tip = _("Show or hide the on-screen keyboard ({keys})").format(
            keys=QKeySequence(KEYBOARD_KEYS).toString(QKeySequence.NativeText))
        self.keyboard_action.setToolTip(tip)
        self.keyboard_action.setStatusTip(tip)
        self.keyboard_action.toggled.connect(self._update_panel)

        app = QApplication.instance()
        if app is not None:
            app.focusChanged.connect(self._focus_changed)
        self.refresh()

    def attach(self, widget: QWidget) -> None:
        """Add the actions to ``widget`` (their shortcuts work anywhere in its window) and
        put the panel in it: a bottom dock in a QMainWindow, else a tool window."""
        widget.addAction(self.transliteration_action)
        widget.addAction(self.keyboard_action)
        if isinstance(widget, QMainWindow):
            dock = QDockWidget(_("On-screen keyboard"), widget)
            dock.setObjectName("keyboardDock")
            dock.setWidget(self.keyboard)
            widget.addDockWidget(Qt.BottomDockWidgetArea, dock)
            self.panel = dock
        else:
            self.keyboard.setParent(widget, Qt.Tool | Qt.WindowDoesNotAcceptFocus)
            self.keyboard.setAttribute(Qt.WA_ShowWithoutActivating)
            self.keyboard.setWindowTitle(_("On-screen keyboard"))
            self.panel = self.keyboard
        self.panel.installEventFilter(self)
        self.panel.hide()
        for edit in widget.findChildren(ContentEdit):
            self.filter.watch(edit)
        focused = QApplication.focusWidget()
        if isinstance(focused, ContentEdit):
            self.track(focused)
        else:
            self.refresh()

    def indicator(self, parent: QWidget | None = None) -> QToolButton:
        """A button for a toolbar or status bar that shows and toggles transliteration."""
        button = QToolButton(parent)
        button.setObjectName("transliterationIndicator")
        button.setDefaultAction(self.transliteration_action)
        button.setAccessibleName(_("Transliteration"))
        return button

    def current_edit(self) -> ContentEdit | None:
        """The focused ContentEdit, or the last one focused."""
        return self._edit if self._edit is not None and isValid(self._edit) else None

    def track(self, edit: ContentEdit) -> None:
        """Follow ``edit`` (focus changes call this; call it after focusing a field by code)."""
        self._edit = edit
        self.filter.watch(edit)
        self.keyboard.set_target(edit)
        self.refresh()

    def refresh(self) -> None:
        """Re-read the current field's language (call after ``set_language`` on it)."""
        edit = self.current_edit()
        usable = _has_scheme(edit)
        self.transliteration_action.setEnabled(usable)
        self.keyboard_action.setEnabled(usable)
        if usable:
            self.keyboard.set_language(edit.language.code)
        self._update_panel()

    def _focus_changed(self, _old, new) -> None:
        if isinstance(new, ContentEdit):
            self.track(new)

    def _update_panel(self, *_args) -> None:
        if self.panel is None or not isValid(self.panel):
            return
        show = self.keyboard_action.isChecked() and self.keyboard_action.isEnabled()
        if show != self.panel.isVisible():
            self._showing = True
            self.panel.setVisible(show)
            self._showing = False

    def eventFilter(self, watched, event) -> bool:
        # The user closed the panel (its title bar's button): the action follows.
        if watched is self.panel and event.type() == QEvent.Close and not self._showing:
            self.keyboard_action.setChecked(False)
        return False
