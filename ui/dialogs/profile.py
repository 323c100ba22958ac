"""My profile: what an annotator chooses to tell about themselves — every field optional.

    show_profile(parent=window, context=window.context)   # loads, then opens the dialog

The profile feeds only the dataset's demographics table (listed under a hashed id, never a
name). It is saved through the app's single writer, durable before the dialog closes, and sent
at the next sync (:mod:`app.profile` keeps it pending until the server has it).
"""

from __future__ import annotations

from PySide6.QtCore import QCollator, QEvent, QLocale, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app import profile as profiles
from app.profile import AGE_RANGES, InvalidProfile, Profile
from i18n import formatting, languages
from i18n.bidi import format_message
from i18n.translation import N_, _, current_locale
from ui import fitting, operations
from ui.errors import error_text
from ui.language_picker import LanguagePicker

# Suggestions only: the field takes any text. A suggestion is stored in English so the
# dataset's column reads the same whatever the interface language was.
GENDER_SUGGESTIONS = (N_("Woman"), N_("Man"), N_("Non-binary"))


def show_profile(*, parent: QWidget, context) -> None:
    """Load the stored profile on the background reader, then open the dialog (window-modal,
    without blocking the event loop); ``parent.profile_dialog`` is the newest one."""

    def load(store):
        return profiles.load(store), store.languages_with_tasks()

    def opened(loaded) -> None:
        profile, featured = loaded
        dialog = ProfileDialog(profile, featured, context, parent)
        if hasattr(parent, "statusBar"):
            dialog.saved.connect(lambda _profile: parent.statusBar().showMessage(
                _("Profile saved. It is sent to the server at the next sync.")))
        previous = getattr(parent, "profile_dialog", None)
        if previous is not None:
            previous.deleteLater()  # closed by now: the dialog is window-modal
        parent.profile_dialog = dialog
        dialog.open()

    def failed(error: BaseException) -> None:
        QMessageBox.warning(parent, _("My profile"), format_message(
            _("Your profile could not be opened: {reason}"), reason=error_text(error)))

    context.background.run(load, on_done=opened, on_error=failed)


def _language_label(code: str) -> str:
    try:
        language = languages.get(code)
    except languages.UnknownLanguage:
        return code
    if language.native_name == language.english_name:
        return language.native_name
    return f"{language.native_name} — {language.english_name}"


class ProfileDialog(QDialog):
    """The profile form. ``saved`` follows once the profile is durable in the store."""

    saved = Signal(object)  # app.profile.Profile

    def __init__(self, profile: Profile, featured: list[str], context, parent=None):
        super().__init__(parent)
        self.setObjectName("profileDialog")
        self.setWindowTitle(_("My profile"))
        self.context = context  # for the save (ui/operations.py)

        intro = QLabel(wordWrap=True, objectName="profileIntro")
        intro.setText(_(
            "Every field here is optional. Leave any of them empty, or all of them: that is "
            "fine and changes nothing about your work or your points."))
        use = QLabel(wordWrap=True, objectName="profileUse")
        use.setText(_(
            "What you give is used only for the dataset's demographics table, which describes "
            "who wrote the data. It is listed under a scrambled (hashed) id, never your name, "
            "and is sent to your project's server at the next sync."))

        self.age = QComboBox(objectName="ageRange")
        self.age.setAccessibleName(_("Age range"))
        self.age.addItem(_("Not given"), None)
        for value in AGE_RANGES:
            self.age.addItem(formatting.native(value.replace("-", "–")), value)

        self.gender = QComboBox(objectName="gender", editable=True)
        self.gender.setAccessibleName(_("Gender"))
        self.gender.setInsertPolicy(QComboBox.NoInsert)
        self.gender.addItem("", None)
        for suggestion in GENDER_SUGGESTIONS:
            self.gender.addItem(_(suggestion), suggestion)
        self.gender.lineEdit().setMaxLength(profiles.MAX_GENDER_CHARS)
        self.gender.lineEdit().setPlaceholderText(_("Any words you like, or nothing"))

        self.country = QComboBox(objectName="country", editable=True)
        self.country.setAccessibleName(_("Country"))
        self.country.setInsertPolicy(QComboBox.NoInsert)
        self.country.addItem("", None)
        collator = QCollator(QLocale())
        names = profiles.country_names(current_locale())
        for code, name in sorted(names, key=lambda pair: collator.sortKey(pair[1])):
            self.country.addItem(name, code)
        self.country.lineEdit().setPlaceholderText(_("Type to search, or leave empty"))
        completer = QCompleter(self.country.model(), self.country)
        completer.setFilterMode(Qt.MatchContains)
        completer.setCaseSensitivity(Qt.CaseInsensitive)
        self.country.setCompleter(completer)

        self.language_list = QListWidget(objectName="profileLanguages")
        self.language_list.setAccessibleName(_("Languages you speak"))
        self.language_list.setSelectionMode(QAbstractItemView.SingleSelection)
        self.language_list.setMaximumHeight(110)
        self.language_picker = LanguagePicker(featured)
        self.language_picker.setObjectName("profileLanguagePicker")
        self.language_picker.setAccessibleName(_("Add a language"))
        self.language_picker.setToolTip(_("Type to find a language, then press Enter"))
        self.language_picker.setCurrentIndex(-1)
        self.language_picker.language_chosen.connect(self.add_language)
        self.language_picker.lineEdit().installEventFilter(self)
        self.add_button = QPushButton(_("A&dd"), objectName="addLanguage")
        self.add_button.setAutoDefault(False)
        self.add_button.clicked.connect(self.add_typed_language)
        self.remove_button = QPushButton(_("Re&move"), objectName="removeLanguage")
        self.remove_button.setAutoDefault(False)
        self.remove_button.clicked.connect(self.remove_language)
        languages_box = QGridLayout()
        languages_box.setContentsMargins(0, 0, 0, 0)
        languages_box.addWidget(self.language_picker, 0, 0)
        languages_box.addWidget(self.add_button, 0, 1)
        languages_box.addWidget(self.language_list, 1, 0)
        languages_box.addWidget(self.remove_button, 1, 1, Qt.AlignTop)

        self.dialects = QPlainTextEdit(objectName="dialects")
        self.dialects.setAccessibleName(_("Dialects, one per line"))
        self.dialects.setTabChangesFocus(True)
        self.dialects.setPlaceholderText(_("One per line, for example: Lahori"))
        self.dialects.setMaximumHeight(80)

        form = QFormLayout()
        form.addRow(_("&Age range:"), self.age)
        form.addRow(_("&Gender:"), self.gender)
        form.addRow(_("&Country:"), self.country)
        languages_label = QLabel(_("&Languages you speak:"))
        languages_label.setBuddy(self.language_picker)
        form.addRow(languages_label, languages_box)
        form.addRow(_("Dialec&ts (one per line):"), self.dialects)

        self.error = QLabel(wordWrap=True, objectName="profileError")
        self.error.setStyleSheet("color: palette(bright-text); background: #b00020; "
                                 "padding: 4px;")
        self.error.hide()
        buttons = QDialogButtonBox(QDialogButtonBox.Save | QDialogButtonBox.Cancel)
        self.save_button = buttons.button(QDialogButtonBox.Save)
        self.save_button.setObjectName("saveProfile")
        buttons.button(QDialogButtonBox.Cancel).setAutoDefault(False)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(use)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.setTabOrder(self.dialects, self.save_button)
        self.resize(560, self.sizeHint().height())
        fitting.fit_dialog(self)  # on a netbook the form scrolls; its buttons stay in view
        self.show_profile(profile)
        self.age.setFocus()

    # --- values in and out ---------------------------------------------------------------

    def show_profile(self, profile: Profile) -> None:
        self.age.setCurrentIndex(max(0, self.age.findData(profile.age_range))
                                 if profile.age_range else 0)
        suggestion = self.gender.findData(profile.gender) if profile.gender else -1
        if suggestion > 0:
            self.gender.setCurrentIndex(suggestion)
        else:
            self.gender.setCurrentIndex(0)
            self.gender.setEditText(profile.gender or "")
        index = self.country.findData(profile.country) if profile.country else 0
        self.country.setCurrentIndex(max(index, 0))
        self.language_list.clear()
        for code in profile.languages:
            self.add_language(code)
        self.dialects.setPlainText("\n".join(profile.dialects))

    def _gender(self) -> str | None:
        text = self.gender.currentText().strip()
        for index in range(1, self.gender.count()):
            if text == self.gender.itemText(index):
                return self.gender.itemData(index)  # a suggestion: stored in English
        return text or None

    def _country(self) -> str | None:
        text = self.country.currentText().strip()
        if not text:
            return None
        if text == self.country.itemText(self.country.currentIndex()):
            return self.country.currentData()
        index = self.country.findText(text, Qt.MatchFixedString)  # any case
        if index > 0:
            return self.country.itemData(index)
        raise InvalidProfile("country", _("Choose a country from the list, or leave the "
                                          "field empty."))

    def profile(self) -> Profile:
        """What the form says now (raises InvalidProfile for a country not in the list)."""
        codes = tuple(self.language_list.item(row).data(Qt.UserRole)
                      for row in range(self.language_list.count()))
        return Profile(age_range=self.age.currentData(), gender=self._gender(),
                       country=self._country(), languages=codes,
                       dialects=tuple(self.dialects.toPlainText().splitlines()))

    # --- actions -------------------------------------------------------------------------

    def add_language(self, code: str | None) -> None:
        if not code:
            return
        for row in range(self.language_list.count()):
            if self.language_list.item(row).data(Qt.UserRole) == code:
                self.language_list.setCurrentRow(row)
                return
        item = QListWidgetItem(_language_label(code))
        item.setData(Qt.UserRole, code)
        self.language_list.addItem(item)
        self.language_list.setCurrentItem(item)
        self.language_picker.setCurrentIndex(-1)

    def add_typed_language(self) -> None:
        """Add what the picker shows: an exact name, or the one language the text matches."""
        picker = self.language_picker
        text = picker.currentText().strip()
        if not text:
            return
        index = picker.findText(text, Qt.MatchFixedString)
        if index < 0:
            folded = text.casefold()
            matches = [i for i in range(picker.count())
                       if picker.itemData(i) and folded in picker.itemText(i).casefold()]
            index = matches[0] if len(matches) == 1 else -1
        if index < 0:
            self._show_error(InvalidProfile("languages", format_message(
                _("No single language matches {text}; pick one from the list."), text=text)))
            return
        self.error.hide()
        self.add_language(picker.itemData(index))

    def remove_language(self) -> None:
        row = self.language_list.currentRow()
        if row >= 0:
            self.language_list.takeItem(row)

    def eventFilter(self, watched, event) -> bool:
        # Enter in the language picker adds the language; it must not save the dialog.
        if (watched is self.language_picker.lineEdit() and event.type() == QEvent.KeyPress
                and event.key() in (Qt.Key_Return, Qt.Key_Enter)):
            self.add_typed_language()
            return True
        return super().eventFilter(watched, event)

    def keyPressEvent(self, event) -> None:
        key = event.key()
        if key in (Qt.Key_Delete, Qt.Key_Backspace) and self.language_list.hasFocus():
            self.remove_language()
            return
        super().keyPressEvent(event)

    def save(self) -> None:
        """Check, then store through the writer; the dialog closes once it is durable."""
        try:
            wanted = profiles.check(self.profile())
        except InvalidProfile as error:
            self._show_error(error)
            return
        self.save_button.setEnabled(False)
        operations.save_profile(parent=self, profile=wanted, on_done=self._saved,
                                on_error=self._failed)

    def _saved(self, profile: Profile) -> None:
        self.saved.emit(profile)
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self.save_button.setEnabled(True)
        self._show_error(error)

    def _show_error(self, error: BaseException) -> None:
        self.error.setText(error_text(error))
        self.error.show()
        field = getattr(error, "field", None)
        widget = {"age_range": self.age, "gender": self.gender, "country": self.country,
                  "languages": self.language_picker, "dialects": self.dialects}.get(field)
        if widget is not None:
            widget.setFocus()
