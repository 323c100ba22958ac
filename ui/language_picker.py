"""The content-language picker: native names, the annotator's languages first, a search box.

    picker = LanguagePicker(["urd_Arab", "hin_Deva"])   # featured first, then the rest A-Z
    picker.language_chosen.connect(window.set_language)
    picker.set_featured([...])                           # after an import or a sync

It behaves as a search: the keyboard focus selects the whole name, so typing replaces it;
typing filters the list by native or English name ("Urdu", "اردو", "urd"); Enter picks the
first match (the highlighted one, when arrows moved in the list); Escape, or leaving the box,
puts back the language shown.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtWidgets import QApplication, QComboBox, QCompleter

from i18n import languages
from i18n.translation import _

CODE_ROLE = Qt.UserRole
SEARCH_ROLE = Qt.UserRole + 1  # native name, English name and code, case-folded


class LanguagePicker(QComboBox):
    language_chosen = Signal(str)  # registry code, e.g. "urd_Arab"

    def __init__(self, featured: list[str], parent=None):
        super().__init__(parent)
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.NoInsert)
        self.setAccessibleName(_("Content language"))
        self.setToolTip(_("The language you write in: type part of its name, then Enter"))
        self.lineEdit().setPlaceholderText(_("Type a language…"))
        self.setMinimumContentsLength(18)  # long names elide; the toolbar fits 800 px
        self.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        # The popup lists every label containing the text (native and English names).
        completer = QCompleter(self)
        completer.setModel(self.model())
        completer.setFilterMode(Qt.MatchContains)
        completer.setCaseSensitivity(Qt.CaseInsensitive)
        completer.setCompletionRole(Qt.DisplayRole)
        completer.setCompletionMode(QCompleter.PopupCompletion)
        self.setCompleter(completer)
        self.activated.connect(self._on_activated)
        completer.activated[str].connect(self._on_completed)
        self.lineEdit().installEventFilter(self)
        self.set_featured(featured)

    # --- the list ------------------------------------------------------------------------

    def set_featured(self, featured: list[str]) -> None:
        """List ``featured`` first (in that order), then every other language by English
        name; the language shown stays shown."""
        current = self.current_code()
        featured = [code for code in dict.fromkeys(featured) if _known(code)]
        featured_set = set(featured)
        ordered = [languages.get(code) for code in featured] + sorted(
            (lang for lang in languages.all_languages() if lang.code not in featured_set),
            key=lambda lang: lang.english_name,
        )
        self.blockSignals(True)
        self.clear()
        for index, language in enumerate(ordered):
            self.addItem(_label(language), language.code)
            self.setItemData(self.count() - 1, _search_text(language), SEARCH_ROLE)
            if index == len(featured) - 1 and len(ordered) > len(featured):
                self.insertSeparator(self.count())
        if current is not None:
            self.set_code(current)
        self.blockSignals(False)

    def current_code(self) -> str | None:
        return self.currentData()

    def set_code(self, code: str) -> None:
        index = self.findData(code)
        if index >= 0:
            self.setCurrentIndex(index)
            self.lineEdit().setText(self.itemText(index))

    # --- searching -----------------------------------------------------------------------

    def matches(self, text: str) -> list[str]:
        """Codes whose native name, English name or code contains ``text``, in list order."""
        needle = text.strip().casefold()
        if not needle:
            return []
        return [self.itemData(row) for row in range(self.count())
                if self.itemData(row) and needle in (self.itemData(row, SEARCH_ROLE) or "")]

    def choose_typed(self) -> bool:
        """Pick the first language matching what was typed (Enter). False when none does:
        the language shown is put back."""
        typed = self.lineEdit().text()
        index = self.findText(typed, Qt.MatchFixedString)
        code = self.itemData(index) if index >= 0 else next(iter(self.matches(typed)), None)
        if code is None:
            self._restore()
            QApplication.beep()
            return False
        self.set_code(code)
        self.lineEdit().selectAll()
        self.language_chosen.emit(code)
        return True

    def _restore(self) -> None:
        self.lineEdit().setText(self.currentText())
        self.lineEdit().selectAll()

    def _on_activated(self, index: int) -> None:
        code = self.itemData(index)
        if code:
            self.lineEdit().setText(self.itemText(index))
            self.language_chosen.emit(code)

    def _on_completed(self, text: str) -> None:
        # A name picked in the popup (arrows, then Enter, or a click).
        index = self.findText(text, Qt.MatchFixedString)
        if index >= 0 and self.itemData(index):
            self.setCurrentIndex(index)
            self._on_activated(index)

    # The box has the keyboard focus (its line edit's focus proxy) and passes keys on to the
    # line edit itself, so the search keys are handled here, before it does.

    def focusInEvent(self, event) -> None:
        super().focusInEvent(event)
        # The whole name is selected, so typing replaces it (never "AmhariYoruc"); after a
        # click, once the click has placed its caret.
        self.lineEdit().selectAll()
        if event.reason() == Qt.MouseFocusReason:
            QTimer.singleShot(0, self, self.lineEdit().selectAll)

    def focusOutEvent(self, event) -> None:
        super().focusOutEvent(event)
        if not self.completer().popup().isVisible():
            self._restore()

    def keyPressEvent(self, event) -> None:
        key = event.key()
        if key in (Qt.Key_Return, Qt.Key_Enter):
            self.choose_typed()
            return
        if key == Qt.Key_Escape and self.lineEdit().text() != self.currentText():
            self._restore()  # a second Escape reaches the dialog, if any
            return
        super().keyPressEvent(event)

    def eventFilter(self, watched, event) -> bool:
        # Keys sent to the line edit itself (tests, input methods) search the same way.
        if watched is self.lineEdit() and event.type() == QEvent.KeyPress and \
                event.key() in (Qt.Key_Return, Qt.Key_Enter, Qt.Key_Escape):
            self.keyPressEvent(event)
            return True
        return super().eventFilter(watched, event)


def _known(code: str) -> bool:
    try:
        languages.get(code)
    except languages.UnknownLanguage:
        return False
    return True


def _search_text(language: languages.Language) -> str:
    return " ".join((language.native_name, language.english_name, language.code)).casefold()


def _label(language: languages.Language) -> str:
    if language.native_name == language.english_name:
        return language.native_name
    # No isolation marks here: the combo's paragraph is left-to-right either way, and some
    # fallback fonts draw U+2068/U+2069 as boxes.
    return f"{language.native_name} — {language.english_name}"
