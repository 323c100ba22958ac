"""The content-language picker: native names, languages with work first, type to filter."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QCompleter

from i18n import languages
from i18n.translation import _


class LanguagePicker(QComboBox):
    language_chosen = Signal(str)  # registry code, e.g. "urd_Arab"

    def __init__(self, featured: list[str], parent=None):
        super().__init__(parent)
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.NoInsert)
        self.setAccessibleName(_("Content language"))
        self.setToolTip(_("The language you write in"))
        self.setMinimumContentsLength(24)
        self.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        featured_set = set(featured)
        ordered = [languages.get(code) for code in featured] + sorted(
            (lang for lang in languages.all_languages() if lang.code not in featured_set),
            key=lambda lang: lang.english_name,
        )
        for index, language in enumerate(ordered):
            self.addItem(_label(language), language.code)
            if index == len(featured) - 1 and len(ordered) > len(featured):
                self.insertSeparator(self.count())
        completer = QCompleter(self.model(), self)
        completer.setFilterMode(Qt.MatchContains)
        completer.setCaseSensitivity(Qt.CaseInsensitive)
        self.setCompleter(completer)
        self.activated.connect(self._on_activated)

    def _on_activated(self, index: int) -> None:
        code = self.itemData(index)
        if code:
            self.language_chosen.emit(code)

    def current_code(self) -> str | None:
        return self.currentData()

    def set_code(self, code: str) -> None:
        index = self.findData(code)
        if index >= 0:
            self.setCurrentIndex(index)


def _label(language: languages.Language) -> str:
    if language.native_name == language.english_name:
        return language.native_name
    # No isolation marks here: the combo's paragraph is left-to-right either way, and some
    # fallback fonts draw U+2068/U+2069 as boxes.
    return f"{language.native_name} — {language.english_name}"
