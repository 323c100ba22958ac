"""Typing scripts the laptop's keyboard lacks: transliteration as you type, an on-screen
keyboard and a cheat sheet, for the content languages that have a scheme in
:mod:`app.transliteration` (Amharic, Tigrinya, Yoruba, the Indic scripts, Urdu). The OS input
method keeps working in every field; this is the fallback an annotator toggles::

    controller = KeyboardController(window, settings=settings)
    controller.attach(window)            # actions on the window, the panel as a bottom dock
    view_menu.addAction(controller.transliteration_action)   # Ctrl+Shift+T
    view_menu.addAction(controller.keyboard_action)          # Ctrl+Shift+K
    view_menu.addAction(controller.cheat_sheet_action)       # Ctrl+Shift+H
    toolbar.addWidget(controller.toolbar_indicator())        # "ITRANS: on", a toggle
    toolbar.addWidget(controller.keyboard_button())          # the on-screen keyboard
    status_bar.addPermanentWidget(controller.status_indicator())  # one click: the cheat sheet
    controller.set_language("hin_Deva")  # the window's content language

Each content language remembers whether its input method is on (:class:`InputMethods`, in
the settings), on by default where one exists. The actions follow the focused
:class:`~ui.content_edit.ContentEdit`'s language, else the window's content language, so
they work before any field has the focus.
"""

from __future__ import annotations

import threading
import unicodedata

from PySide6.QtCore import QEvent, QObject, QRectF, QSettings, Qt, Signal
from PySide6.QtGui import (
    QAction,
    QColor,
    QFont,
    QIcon,
    QKeySequence,
    QPainter,
    QPalette,
    QPen,
    QPixmap,
    QTextCursor,
)
from PySide6.QtWidgets import (
    QApplication,
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QDockWidget,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMainWindow,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from app import transliteration as tr
from i18n import languages
from i18n.bidi import format_message
from i18n.translation import N_, _
from ui.content_edit import ContentEdit
from ui.fonts import font_for_script
from ui.widgets import ContentView

__all__ = ["CheatSheet", "InputMethods", "KeyboardController", "OnScreenKeyboard",
           "TransliterationFilter"]

TRANSLITERATION_KEYS = "Ctrl+Shift+T"
KEYBOARD_KEYS = "Ctrl+Shift+K"
CHEAT_SHEET_KEYS = "Ctrl+Shift+H"
SETTINGS_GROUP = "input_method"  # input_method/<code> = true|false

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
# Urdu letters the ITRANS scheme has no keys for (no Devanagari counterpart): on the
# on-screen keyboard at least.
EXTRA_LETTERS = {"urd_Arab": ("ع", "ح", "ص", "ض", "ط", "ظ", "ث", "ذ", "ژ", "ئ", "ء", "ۓ")}


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


class InputMethods(QObject):
    """Whether each content language's input method is on: on by default where the language
    has a scheme, remembered per language in ``settings`` (in memory without them)."""

    changed = Signal(str, bool)  # code, on

    def __init__(self, settings: QSettings | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self._settings = settings
        self._states: dict[str, bool] = {}

    def is_on(self, code: str | None) -> bool:
        if code not in tr.SCHEME_CODES:
            return False
        if code not in self._states and self._settings is not None:
            stored = self._settings.value(f"{SETTINGS_GROUP}/{code}")
            if stored is not None:
                self._states[code] = str(stored).lower() in ("true", "1")
        return self._states.get(code, True)

    def set_on(self, code: str | None, on: bool) -> None:
        if code not in tr.SCHEME_CODES or self.is_on(code) == on:
            return
        self._states[code] = on
        if self._settings is not None:
            self._settings.setValue(f"{SETTINGS_GROUP}/{code}", on)
        self.changed.emit(code, on)


class TransliterationFilter(QObject):
    """An event filter on ContentEdits: printable keys typed into a field whose language has
    a scheme that is on (:class:`InputMethods`) go through the scheme's ``feed()`` and are
    applied with the field's QTextCursor, one undo step per key (textChanged fires as for any
    typing). Backspace right after such a key goes to the scheme first: in a word the
    library composes (ITRANS) it takes back the last key, not the last letter.

    Keys with Ctrl, Alt or Meta, and keys the scheme leaves alone, reach the field untouched.
    A single Latin letter: ``\\`` then the letter; a Latin word: switch off (Ctrl+Shift+T).
    """

    def __init__(self, parent: QObject | None = None, *, methods: InputMethods | None = None):
        super().__init__(parent)
        self.methods = methods if methods is not None else InputMethods(parent=self)
        self._schemes: dict[str, tr.Transliterator] = tr.schemes()
        self.methods.changed.connect(lambda _code, _on: self.reset())

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
        if kind == QEvent.KeyPress and isinstance(watched, ContentEdit) and \
                watched.language is not None and self.methods.is_on(watched.language.code):
            return self._key(watched, event)
        if kind in (QEvent.FocusIn, QEvent.FocusOut):
            self.reset()
        return False

    def _key(self, edit: ContentEdit, event) -> bool:
        if event.modifiers() & (Qt.ControlModifier | Qt.AltModifier | Qt.MetaModifier):
            return False
        scheme = self.scheme(edit)
        if scheme is None:
            return False
        cursor = edit.textCursor()
        if event.key() == Qt.Key_Backspace:
            if cursor.hasSelection():
                return False
            buffer = _text_before(cursor)
            step = scheme.backspace(buffer)
            if step is None:
                return False
            _replace_before(edit, cursor, step[0], buffer, step[1])
            return True
        typed = event.text()
        if not typed or not typed.isprintable():
            return False
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
    toned vowels and tone marks applied to the letter before the cursor. The Indic scripts
    and Urdu: the script's vowels and consonants, as the transliteration library lists them,
    each with its ITRANS keys in the tooltip."""

    typed = Signal(str)  # the text a key put in the field
    needs_field = Signal()  # a key was pressed with no field to type into

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
        elif isinstance(self._scheme, tr.Composing):
            self._build_letters(self._scheme, code)
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

    def _text_key(self, text: str, keys: str | None = None) -> QToolButton:
        if keys is None and self._scheme is not None:
            keys = self._scheme.keys_for(text)
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

    def _build_letters(self, scheme: tr.Composing, code: str) -> None:
        layout = QVBoxLayout(self._body)
        layout.setContentsMargins(0, 0, 0, 0)
        grid = QGridLayout()
        grid.setSpacing(2)
        columns = 16
        letters = scheme.letters() + [(letter, None) for letter in EXTRA_LETTERS.get(code, ())]
        for index, (letter, keys) in enumerate(letters):
            grid.addWidget(self._text_key(letter, keys), index // columns, index % columns)
        grid.setColumnStretch(columns, 1)
        layout.addLayout(grid)

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
            self.needs_field.emit()
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
            self.needs_field.emit()
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


# --------------------------------------------------------------------------- cheat sheet

#: Examples shown in the cheat sheet, per scheme: keys (typed into an empty field; what they
#: give is computed, so the sheet cannot lie) and what they show. A note that names letters of
#: the language takes them as a third item, its {letters}: translators need not copy them, and
#: they are drawn with the script's font (an English interface's font has no Ethiopic).
EXAMPLES = {
    "SERA": (
        ("selam", N_("hello")),
        ("bet", N_("a consonant on its own is its 6th form: {letters}"), "በት"),
        ("bEt", N_("“house”: E gives the 5th form")),
        ("be bu bi ba bE b bo", N_("the vowel after a consonant picks its form")),
        ("a u i A E I o", N_("a vowel on its own")),
        ("sIhtet", N_("I or ' ends a syllable: s, then h")),
        ("sh ch ny zh", N_("two keys for one letter")),
        ("q T C P S", N_("ejectives: q and capitals")),
        ("qWanqWa", N_("W after a consonant: the labialised form")),
        ("s`", N_("a backtick: the historical twin of {letters}"), "ሀ ሰ ጸ አ"),
        ("selam, selam::", N_(", comma, : word space, :: full stop")),
        ("\\k", N_("a backslash types the next key as it is")),
    ),
    "Yoruba": (
        ("e. o. s.", N_("a full stop after e, o or s puts a dot under it")),
        ("a' a` a_", N_("' high tone, ` low tone, _ mid tone")),
        ("e.'", N_("a dot and a tone on one letter")),
        ("n' m'", N_("tones on syllabic n and m")),
        ("Yoru`ba'", N_("tones as you type")),
        ("n''", N_("the same tone key again types the key itself")),
        ("lo\\.", N_("a backslash types the next key as it is")),
    ),
    "ITRANS": (
        ("namaste", N_("hello")),
        ("kamala", N_("end a word in a: no virama at the end")),
        ("kamal", N_("without the a: a virama")),
        ("a A i I u U", N_("capitals are long vowels")),
        ("e ai o au", N_("e, ai, o, au")),
        ("k kh g gh", N_("h after a consonant: aspirated")),
        ("T Th D Dh N", N_("capitals: retroflex consonants")),
        ("sh Sh kSh", N_("sh, Sh and kSh")),
        ("haM ha.n", N_("M: anusvara, .n: chandrabindu")),
        ("q K G z f", N_("letters with a nukta")),
        ("hai.", N_(". ends a sentence")),
        ("\\a", N_("a backslash types the next key as it is")),
    ),
}
#: One line about a scheme's conventions, said first.
SUMMARIES = {
    "SERA": N_("SERA: a consonant key, then a vowel key that picks the form. Backspace "
               "deletes a letter."),
    "Yoruba": N_("Type the letter, then its marks: a full stop for the dot under it, "
                 "' ` _ for the tones."),
    "ITRANS": N_("ITRANS: type a word as it sounds; the letters change as you type and "
                 "Backspace takes back the last key. A space ends the word."),
}
#: The scheme's name as the indicator shows it.
SCHEME_NAMES = {"SERA": N_("SERA"), "Yoruba": N_("Yoruba tones"), "ITRANS": N_("ITRANS")}
URDU_NOTE = N_("Short vowels are not written. {letters} have no keys here: use the "
               "on-screen keyboard (Ctrl+Shift+K) or your system keyboard.")
URDU_UNKEYED = "ع ح ص ض ط ظ ث ذ ژ"


def scheme_label(scheme: tr.Transliterator) -> str:
    """The scheme's name for the indicator ("ITRANS", "SERA")."""
    return _(SCHEME_NAMES.get(scheme.scheme_name, scheme.scheme_name))


class CheatSheet(QDialog):
    """The conventions of one language's scheme: a summary, examples with what they give
    (computed), and for the library's schemes every letter with its keys. Non-modal: it can
    stay open beside the field while typing."""

    def __init__(self, code: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("cheatSheet")
        scheme = tr.scheme_for(code)
        language = languages.get(code)
        self.setWindowTitle(_("Keys for {language}").format(language=language.native_name))
        font = font_for_script(language.script, language=code)
        notes_font = _interface_font_then(font_for_script(language.script))
        layout = QVBoxLayout(self)
        summary = QLabel(_(SUMMARIES[scheme.scheme_name]), wordWrap=True)
        summary.setObjectName("cheatSheetSummary")
        layout.addWidget(summary)
        if code == "urd_Arab":
            note = QLabel(format_message(_(URDU_NOTE), letters=URDU_UNKEYED), wordWrap=True)
            note.setFont(notes_font)
            layout.addWidget(note)
        self.examples = self._table(
            [(keys, tr.transliterate(tr.scheme_for(code), keys), _note(*note))
             for keys, *note in EXAMPLES[scheme.scheme_name]],
            (_("Keys"), _("Gives"), _("Note")), font, name=_("Examples"), notes_font=notes_font)
        layout.addWidget(self.examples, 1)
        if isinstance(scheme, tr.Composing):
            self.letters = self._table([(keys, letter, "") for letter, keys in scheme.letters()],
                                       (_("Keys"), _("Gives")), font, name=_("Letters"))
            layout.addWidget(self.letters, 1)
        toggle = QKeySequence(TRANSLITERATION_KEYS).toString(QKeySequence.NativeText)
        layout.addWidget(QLabel(_("Turn it on or off for this language: {keys}").format(
            keys=toggle), wordWrap=True))
        buttons = QDialogButtonBox(QDialogButtonBox.Close)
        buttons.rejected.connect(self.close)
        buttons.button(QDialogButtonBox.Close).setText(_("Close"))
        layout.addWidget(buttons)
        self.resize(520, 520)

    def rows(self) -> list[tuple[str, str]]:
        """(keys, gives) of every example, for tests."""
        return [(self.examples.item(row, 0).text(), self.examples.item(row, 1).text())
                for row in range(self.examples.rowCount())]

    @staticmethod
    def _table(rows, headers, font, *, name: str, notes_font: QFont | None = None
               ) -> QTableWidget:
        table = QTableWidget(len(rows), len(headers))
        table.setAccessibleName(name)
        table.setHorizontalHeaderLabels(list(headers))
        table.verticalHeader().hide()
        table.setEditTriggers(QTableWidget.NoEditTriggers)
        for row, values in enumerate(rows):
            for column, value in enumerate(values[: len(headers)]):
                item = QTableWidgetItem(value)
                if column == 0:  # keys are Latin, left to right whatever the UI
                    item.setTextAlignment(Qt.AlignAbsolute | Qt.AlignLeft | Qt.AlignVCenter)
                if column == 1:
                    item.setFont(font)
                if column == 2 and notes_font is not None:
                    item.setFont(notes_font)
                table.setItem(row, column, item)
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeToContents)
        header.setStretchLastSection(True)
        return table


def _note(text: str, letters: str = "") -> str:
    """An example's note in the interface language, the letters it names put in."""
    return format_message(_(text), letters=letters) if letters else _(text)


def _interface_font_then(script_font: QFont) -> QFont:
    """The interface's font, falling back to ``script_font``'s families: for an interface
    sentence that names letters of the content language."""
    font = QFont(QApplication.font())
    families = font.families() or [font.family()]
    font.setFamilies(families + [f for f in script_font.families() if f not in families])
    return font


# --------------------------------------------------------------------------- controller

_warming: threading.Thread | None = None


def warm_up_library() -> None:
    """Load the transliteration library on a thread of its own, once per process, so the
    first key typed in Hindi or Urdu does not stall the window for ~0.1 s."""
    global _warming
    if _warming is None:
        _warming = threading.Thread(target=tr.warm_up, name="qalam-transliteration",
                                    daemon=True)
        _warming.start()



def keyboard_icon() -> QIcon:
    """A small keyboard, drawn (the app ships no icon set): keys in three rows."""
    pixmap = QPixmap(24, 24)
    pixmap.fill(Qt.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.Antialiasing)
    colour = QApplication.palette().color(QPalette.WindowText) if QApplication.instance() \
        else QColor("#333333")
    painter.setPen(QPen(colour, 1.5))
    painter.drawRoundedRect(QRectF(1.5, 5.5, 21, 13), 2, 2)
    painter.setPen(Qt.NoPen)
    painter.setBrush(colour)
    for row, (y, count) in enumerate(((8, 6), (11.5, 5))):
        for column in range(count):
            painter.drawRect(QRectF(4 + column * 3 + row * 1.5, y, 2, 2))
    painter.drawRect(QRectF(7, 15, 10, 1.8))  # the space bar
    painter.end()
    return QIcon(pixmap)



class KeyboardController(QObject):
    """The actions, the indicators and the panel, following the focused ContentEdit's
    language, else the window's content language. See the module docstring for wiring it
    into a window."""

    message = Signal(str)  # something to tell the person (the status bar shows it)

    def __init__(self, parent: QObject | None = None, *, settings: QSettings | None = None):
        super().__init__(parent)
        self.methods = InputMethods(settings, self)
        self.filter = TransliterationFilter(self, methods=self.methods)
        self.keyboard = OnScreenKeyboard()
        self.keyboard.needs_field.connect(lambda: self.message.emit(_(
            "Put the cursor in a text field first (Tab to it), then press the key again.")))
        self.panel: QWidget | None = None
        self._edit: ContentEdit | None = None
        self._content_language: str | None = None
        self._showing = False  # the panel is being shown/hidden by us, not closed by the user
        self._refreshing = False
        self._indicators: list[QToolButton] = []
        self._cheat_sheet: CheatSheet | None = None
        self._host: QWidget | None = None  # the window it was attached to

        self.transliteration_action = QAction(_("Transliteration"), self)
        self.transliteration_action.setObjectName("transliterationAction")
        self.transliteration_action.setCheckable(True)
        self.transliteration_action.setShortcut(QKeySequence(TRANSLITERATION_KEYS))
        self.transliteration_action.setShortcutContext(Qt.WindowShortcut)
        self.transliteration_action.toggled.connect(self._on_toggled)

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
        self.keyboard_action.setIcon(keyboard_icon())  # the toolbar shows the icon alone

        self.cheat_sheet_action = QAction(_("Keys for this language…"), self)
        self.cheat_sheet_action.setObjectName("cheatSheetAction")
        self.cheat_sheet_action.setShortcut(QKeySequence(CHEAT_SHEET_KEYS))
        self.cheat_sheet_action.setShortcutContext(Qt.WindowShortcut)
        tip = _("How to type this language with Latin keys ({keys})").format(
            keys=QKeySequence(CHEAT_SHEET_KEYS).toString(QKeySequence.NativeText))
        self.cheat_sheet_action.setToolTip(tip)
        self.cheat_sheet_action.setStatusTip(tip)
        self.cheat_sheet_action.triggered.connect(self.show_cheat_sheet)

        app = QApplication.instance()
        if app is not None:
            app.focusChanged.connect(self._focus_changed)
        self.refresh()

    def attach(self, widget: QWidget) -> None:
        """Add the actions to ``widget`` (their shortcuts work anywhere in its window) and
        put the panel in it: a bottom dock in a QMainWindow, else a tool window."""
        self._host = widget
        widget.addAction(self.transliteration_action)
        widget.addAction(self.keyboard_action)
        widget.addAction(self.cheat_sheet_action)
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

    # --- indicators

    def toolbar_indicator(self, parent: QWidget | None = None) -> QToolButton:
        """A toggle for a toolbar showing the scheme and its state ("ITRANS: on")."""
        button = self._indicator(parent, "transliterationIndicator")
        button.setCheckable(True)
        button.clicked.connect(self.transliteration_action.trigger)
        return button

    def keyboard_button(self, parent: QWidget | None = None) -> QToolButton:
        """The on-screen keyboard's toggle for a toolbar: its icon alone (the name is in
        the tooltip and for screen readers), checked while the panel shows."""
        button = QToolButton(parent)
        button.setObjectName("keyboardButton")
        button.setIcon(self.keyboard_action.icon())
        button.setCheckable(True)
        button.setAutoRaise(True)
        button.setAccessibleName(self.keyboard_action.text())
        button.setToolTip(self.keyboard_action.toolTip())
        button.clicked.connect(self.keyboard_action.trigger)
        self.keyboard_action.toggled.connect(button.setChecked)
        self.keyboard_action.enabledChanged.connect(button.setEnabled)
        button.setEnabled(self.keyboard_action.isEnabled())
        return button

    def status_indicator(self, parent: QWidget | None = None) -> QToolButton:
        """The same state for the status bar; a click opens the cheat sheet."""
        button = self._indicator(parent, "inputMethodStatus")
        button.clicked.connect(self.show_cheat_sheet)
        return button

    def indicator(self, parent: QWidget | None = None) -> QToolButton:
        return self.toolbar_indicator(parent)

    def _indicator(self, parent: QWidget | None, name: str) -> QToolButton:
        button = QToolButton(parent)
        button.setObjectName(name)
        button.setAutoRaise(True)
        button.setToolButtonStyle(Qt.ToolButtonTextOnly)
        self._indicators.append(button)
        button.destroyed.connect(lambda *_args, b=button: self._forget(b))
        self._update_indicators()
        return button

    def _forget(self, button) -> None:
        self._indicators = [b for b in self._indicators if b is not button]

    def _update_indicators(self) -> None:
        code = self.language()
        scheme = tr.scheme_for(code)
        on = self.methods.is_on(code)
        if scheme is None:
            state = tip = ""
        else:
            name = scheme_label(scheme)
            state = (_("{scheme}: on") if on else _("{scheme}: off")).format(scheme=name)
            keys = QKeySequence(TRANSLITERATION_KEYS).toString(QKeySequence.NativeText)
            tip = (_("Typing {language} with Latin keys ({scheme}) is on. {keys} turns it "
                     "off for this language.") if on else
                   _("Typing {language} with Latin keys ({scheme}) is off. {keys} turns it "
                     "on for this language.")).format(
                language=languages.get(code).native_name, scheme=name, keys=keys)
        self.transliteration_action.setToolTip(tip or _("Transliteration ({keys})").format(
            keys=QKeySequence(TRANSLITERATION_KEYS).toString(QKeySequence.NativeText)))
        self.transliteration_action.setStatusTip(tip)
        for button in list(self._indicators):
            if not isValid(button):
                continue
            button.setText(state)
            button.setVisible(scheme is not None)
            if button.isCheckable():
                button.setChecked(on)
                button.setToolTip(tip)
                button.setAccessibleName(_("Transliteration"))
            else:
                button.setToolTip(tip + "\n" + _("Click for the keys of this language."))
                button.setAccessibleName(_("Input method"))
            button.setAccessibleDescription(state)

    # --- the language followed

    def set_language(self, code: str | None) -> None:
        """The window's content language: what the actions follow while no field of
        another language has the focus."""
        self._content_language = code
        self.refresh()

    def language(self) -> str | None:
        """The focused field's language, else the window's content language."""
        focused = QApplication.focusWidget()
        if isinstance(focused, ContentEdit) and not isinstance(focused, ContentView) and \
                focused.language is not None:
            return focused.language.code
        return self._content_language or (
            self.current_edit().language.code
            if self.current_edit() is not None and self.current_edit().language is not None
            else None)

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
        """Re-read the language followed (call after ``set_language`` on a field)."""
        code = self.language()
        usable = code in tr.SCHEME_CODES
        self._refreshing = True
        try:
            for action in (self.transliteration_action, self.keyboard_action,
                           self.cheat_sheet_action):
                action.setEnabled(usable)
            self.transliteration_action.setChecked(self.methods.is_on(code))
        finally:
            self._refreshing = False
        if usable:
            self.keyboard.set_language(code)
            if isinstance(tr.scheme_for(code), tr.Composing):
                warm_up_library()
        self._update_indicators()
        self._update_panel()

    def _on_toggled(self, on: bool) -> None:
        if not self._refreshing:
            self.methods.set_on(self.language(), on)
            self._update_indicators()

    def show_cheat_sheet(self) -> None:
        code = self.language()
        if code not in tr.SCHEME_CODES:
            return
        if self._cheat_sheet is not None and isValid(self._cheat_sheet):
            self._cheat_sheet.close()
        parent = self.parent() if isinstance(self.parent(), QWidget) else None
        self._cheat_sheet = CheatSheet(code, parent)
        self._cheat_sheet.setAttribute(Qt.WA_DeleteOnClose)
        self._cheat_sheet.show()

    def cheat_sheet(self) -> CheatSheet | None:
        """The cheat sheet shown last, while it is open."""
        sheet = self._cheat_sheet
        return sheet if sheet is not None and isValid(sheet) and sheet.isVisible() else None

    def _mine(self, widget: QWidget) -> bool:
        """Whether ``widget`` is in the window this controller serves (another window has
        its own controller, with its own languages' states)."""
        host = self._host
        if host is None:
            return True
        return isValid(host) and (widget.window() is host.window() or host.isAncestorOf(widget))

    def _focus_changed(self, _old, new) -> None:
        if new is not None and not self._mine(new):
            return
        if isinstance(new, ContentEdit):
            self.track(new)
        elif new is not None and not (self.panel is not None and isValid(self.panel)
                                      and self.panel.isAncestorOf(new)):
            self.refresh()

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
