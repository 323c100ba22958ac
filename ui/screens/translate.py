"""Translate Qalam: the interface's messages and the projects' guidelines, translated by the
people who use them, and reviewed by the other speakers of their language (issue 16).

    ┌ Translate into [Hausa ▾]  Show [Untranslated ▾]  [Search…]   12 of 906 translated ┐
    │ messages          │ Source, its context, the translator's note, where it is shown    │
    │  &File            │ Form for 1 (one):  [&Fayil          ]   preview: [ Fayil ]       │
    │  {n} tasks        │ checks as you type                [Save translation Ctrl+Enter]  │
    │  …                │ Suggestions: theirs with Accept / Reject (reason) / Suggest another│
    └───────────────────┴──────────────────────────────────────────────────────────────────┘

Keys: Ctrl+Enter saves (a translation the checks refuse is never saved), Alt+Down / Alt+Up
the next / previous message, F8 the next untranslated one, Ctrl+F the search. Everything is
saved on this computer at once and sent at the next sync (app/ui_translations.py).
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from PySide6.QtCore import QAbstractListModel, QModelIndex, Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app import ui_translations
from app.guidelines import DEFAULT_LANGUAGE, parse
from i18n import checks, community, languages, messages
from i18n.bidi import format_message
from i18n.formatting import format_number
from i18n.translation import N_, _, current_locale
from ui import operations
from ui.models import DISPLAY_ROLE, FONT_ROLE, TOOLTIP_ROLE
from ui.operations import Changes
from ui.screens.screen import Screen, tab_order

FILTERS = (
    ("all", N_("All messages")),
    ("untranslated", N_("Untranslated")),
    ("mine", N_("Mine")),
    ("review", N_("To review")),
    ("disputed", N_("Disputed")),
)
LONG_SOURCE = 200  # characters: a paragraph (a guideline) gets a text box, not a line


@dataclass
class Row:
    entry: messages.Entry
    accepted: tuple[str, ...] | None = None   # the translation in use
    mine: ui_translations.Suggestion | None = None
    others: tuple[ui_translations.Suggestion, ...] = ()
    disputed: bool = False
    to_review: bool = False


class EntryModel(QAbstractListModel):
    """The messages of the template and the guidelines, filtered; the source text shown."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.rows: list[Row] = []

    def rowCount(self, parent=QModelIndex()):  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self.rows)

    def data(self, index, role=DISPLAY_ROLE):
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        if role == DISPLAY_ROLE:
            text = " ".join(row.entry.msgid.split())
            return text if len(text) <= 80 else text[:79] + "…"
        if role == TOOLTIP_ROLE:
            return row.entry.msgid
        if role == FONT_ROLE and row.accepted is None and row.mine is None:
            font = self.parent().font() if self.parent() is not None else None
            if font is not None:
                font.setBold(True)  # untranslated: bold
                return font
        return None

    def set_rows(self, rows: list[Row]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()


class TranslateScreen(Screen):
    kind = None

    def __init__(self, context, parent=None):
        super().__init__(context, parent)
        self.target: str | None = None
        self.rows: list[Row] = []
        self.current: Row | None = None
        self._peer: ui_translations.Suggestion | None = None

        self.target_picker = QComboBox(objectName="translationLanguage")
        self.target_picker.setAccessibleName(_("Translate into"))
        self.target_picker.currentIndexChanged.connect(self._target_chosen)
        target_label = QLabel(_("Translate &into:"))
        target_label.setBuddy(self.target_picker)
        self.filter = QComboBox(objectName="translationFilter")
        for key, title in FILTERS:
            self.filter.addItem(_(title), key)
        self.filter.currentIndexChanged.connect(self._refilter)
        filter_label = QLabel(_("Sho&w:"))
        filter_label.setBuddy(self.filter)
        self.search = QLineEdit(objectName="translationSearch", clearButtonEnabled=True)
        self.search.setPlaceholderText(_("Search messages and translations"))
        self.search.setAccessibleName(_("Search"))
        self.search.textChanged.connect(self._refilter)
        self.counts = QLabel(objectName="translationCounts")
        top = QHBoxLayout()
        for widget in (target_label, self.target_picker, filter_label, self.filter):
            top.addWidget(widget)
        top.addWidget(self.search, 1)
        top.addWidget(self.counts)

        self.model = EntryModel(self)
        self.list = QListView(objectName="translationEntries")
        self.list.setModel(self.model)
        self.list.setAccessibleName(_("Messages"))
        self.list.setUniformItemSizes(True)
        self.list.setLayoutDirection(Qt.LeftToRight)  # English sources, in any interface
        self.list.selectionModel().currentChanged.connect(
            lambda current, _previous: self._open(current.row()))
        list_label = QLabel(_("&Messages"))
        list_label.setBuddy(self.list)
        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        side_layout.addWidget(list_label)
        side_layout.addWidget(self.list, 1)

        self.source = QLabel(objectName="translationSource", wordWrap=True,
                             textInteractionFlags=Qt.TextSelectableByMouse)
        self.source.setLayoutDirection(Qt.LeftToRight)  # the English source
        self.details = QLabel(objectName="translationDetails", wordWrap=True)
        self.current_text = QLabel(objectName="translationCurrent", wordWrap=True)
        self.forms = QFormLayout()
        self.editors: list = []  # ui.content_edit.ContentEdit, one per plural form
        self.check = QLabel(objectName="translationCheck", wordWrap=True)
        self.preview_source = QPushButton(objectName="previewSource")
        self.preview_source.setFocusPolicy(Qt.NoFocus)
        self.preview_source.setLayoutDirection(Qt.LeftToRight)
        self.preview = QPushButton(objectName="previewTranslation")
        self.preview.setFocusPolicy(Qt.NoFocus)
        preview_row = QHBoxLayout()
        preview_row.addWidget(QLabel(_("Preview:")))
        preview_row.addWidget(self.preview_source)
        preview_row.addWidget(self.preview)
        preview_row.addStretch(1)
        self.save_button = QPushButton(_("&Save translation (Ctrl+Enter)"),
                                       objectName="saveTranslation")
        self.save_button.clicked.connect(self.submit)
        self.next_button = QPushButton(_("Next &untranslated (F8)"),
                                       objectName="nextUntranslated")
        self.next_button.clicked.connect(self.next_untranslated)
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.next_button)
        buttons.addStretch(1)

        self.suggestions = QListWidget(objectName="peerSuggestions")
        self.suggestions.setAccessibleName(_("Suggestions of others"))
        self.suggestions.currentRowChanged.connect(self._peer_chosen)
        suggestions_label = QLabel(_("Suggestions of &others:"))
        suggestions_label.setBuddy(self.suggestions)
        self.reason = QLineEdit(objectName="rejectReason")
        self.reason.setPlaceholderText(_("Why you reject it (needed to reject)"))
        self.reason.setAccessibleName(_("Reason"))
        self.accept_button = QPushButton(_("&Accept"), objectName="acceptSuggestion")
        self.accept_button.clicked.connect(lambda: self._vote("accept"))
        self.reject_button = QPushButton(_("&Reject"), objectName="rejectSuggestion")
        self.reject_button.clicked.connect(lambda: self._vote("reject"))
        self.another_button = QPushButton(_("Suggest a&nother"), objectName="suggestAnother")
        self.another_button.clicked.connect(self._suggest_another)
        review_row = QHBoxLayout()
        for widget in (self.accept_button, self.reason, self.reject_button,
                       self.another_button):
            review_row.addWidget(widget)
        self.status = QLabel(objectName="translationStatus", wordWrap=True)

        work = QWidget()
        work_layout = QVBoxLayout(work)
        work_layout.setContentsMargins(0, 0, 0, 0)
        work_layout.addWidget(self.source)
        work_layout.addWidget(self.details)
        work_layout.addWidget(self.current_text)
        work_layout.addLayout(self.forms)
        work_layout.addWidget(self.check)
        work_layout.addLayout(preview_row)
        work_layout.addLayout(buttons)
        work_layout.addWidget(suggestions_label)
        work_layout.addWidget(self.suggestions, 1)
        work_layout.addLayout(review_row)
        work_layout.addWidget(self.status)

        splitter = QSplitter(Qt.Horizontal)
        splitter.addWidget(side)
        splitter.addWidget(work)
        splitter.setStretchFactor(1, 3)
        splitter.setSizes([320, 720])
        splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)
        QShortcut(QKeySequence("F8"), self, self.next_untranslated,
                  context=Qt.WidgetWithChildrenShortcut)
        self._checking = QTimer(self, singleShot=True, interval=150)
        self._checking.timeout.connect(self._live_check)
        tab_order(self.target_picker, self.filter, self.search, self.list)
        self._fill_targets()
        self._show_row(None)

    # --- the language translated into ------------------------------------------------------

    def _fill_targets(self) -> None:
        """Languages I may translate into: those I am enrolled for (the server takes no
        others), else my profile's, the interface's, and any this device has work in."""
        from app import profile as profiles
        from sync import credentials

        codes: list[str] = []
        enrollment = credentials.load_enrollment(self.context.data_dir)
        if enrollment is not None:
            codes += list(enrollment.languages)
        with contextlib.suppress(ValueError, OSError):
            codes += list(profiles.load(self.reader).languages)
        codes += ui_translations.translation_languages(self.reader)
        with contextlib.suppress(ValueError):
            codes.append(community.language_of(current_locale()))
        usable = []
        for code in dict.fromkeys(codes):
            try:
                community.ui_tag(code)
            except (ValueError, languages.UnknownLanguage):
                continue
            if code != "eng_Latn":
                usable.append(code)
        self.target_picker.blockSignals(True)
        self.target_picker.clear()
        for code in usable:
            self.target_picker.addItem(languages.language_name(code), code)
        self.target_picker.blockSignals(False)
        if usable:
            self.target_picker.setCurrentIndex(0)
            self.set_target(usable[0])

    def set_target(self, code: str) -> None:
        """Translate into ``code`` (a registry code)."""
        index = self.target_picker.findData(code)
        if index < 0:
            self.target_picker.addItem(languages.language_name(code), code)
            index = self.target_picker.count() - 1
        self.target_picker.blockSignals(True)
        self.target_picker.setCurrentIndex(index)
        self.target_picker.blockSignals(False)
        self.target = code
        self.forms_of = ui_translations.forms(code)
        self.reload()

    def _target_chosen(self, index: int) -> None:
        code = self.target_picker.itemData(index)
        if code and code != self.target:
            self.set_target(code)

    # --- the list ------------------------------------------------------------------------

    def entries(self) -> list[messages.Entry]:
        """Every message of the template, then every project's English guideline texts."""
        found = list(messages.template_entries())
        for project in self.reader.projects():
            for kind, texts in sorted(parse(project.guidelines).items()):
                english = texts.get(DEFAULT_LANGUAGE)
                if english is not None:
                    found.append(messages.Entry(
                        messages.guideline_context(project.id, kind), english.text,
                        comments=(format_message(_("Guidelines of {project}: {kind}"),
                                                 project=project.name, kind=kind),),
                        places=(messages.GUIDELINE_PREFIX,)))
        return found

    def reload(self) -> None:
        """Read the suggestions and the catalog again; keep the message on screen."""
        if self.target is None:
            return
        keep = self.current.entry.key if self.current is not None else None
        accepted = self._accepted()
        mine, others = {}, {}
        voted = ui_translations.my_votes(self.reader)
        for suggestion in ui_translations.suggestions(self.reader, self.target):
            if suggestion.mine:
                mine.setdefault(suggestion.key, suggestion)
            else:
                others.setdefault(suggestion.key, []).append(suggestion)
            if suggestion.status == "accepted":
                accepted.setdefault(suggestion.key, suggestion.strings)
        self.rows = []
        for entry in self.entries():
            theirs = tuple(others.get(entry.key, ()))
            row = Row(entry, accepted.get(entry.key), mine.get(entry.key), theirs)
            row.disputed = any(s.disputed for s in (*theirs, *filter(None, [row.mine])))
            row.to_review = any(s.status in ui_translations.OPEN and s.id not in voted
                                for s in theirs)
            self.rows.append(row)
        self._refilter()
        if keep is not None:
            self.open_key(keep)

    def _accepted(self) -> dict[tuple, tuple[str, ...]]:
        found = {}
        for payload in ui_translations.catalog_payloads(self.reader):
            if payload.get("language") != self.target:
                continue
            for message in payload.get("messages") or []:
                if isinstance(message, dict) and isinstance(message.get("msgstr"), list):
                    found[(message.get("context"), message.get("msgid"))] = tuple(
                        message["msgstr"])
        return found

    def _visible_rows(self) -> list[Row]:
        kind = self.filter.currentData()
        words = self.search.text().casefold().split()
        shown = []
        for row in self.rows:
            if kind == "untranslated" and (row.accepted is not None or row.mine is not None):
                continue
            if kind == "mine" and row.mine is None:
                continue
            if kind == "review" and not row.to_review:
                continue
            if kind == "disputed" and not row.disputed:
                continue
            if words:
                haystack = " ".join([row.entry.msgid, row.entry.msgid_plural or "",
                                     *(row.accepted or ()),
                                     *(row.mine.strings if row.mine else ())]).casefold()
                if not all(word in haystack for word in words):
                    continue
            shown.append(row)
        return shown

    def _refilter(self) -> None:
        keep = self.current.entry.key if self.current is not None else None
        shown = self._visible_rows()
        self.model.set_rows(shown)
        done = sum(1 for row in self.rows if row.accepted is not None)
        self.counts.setText(format_message(
            _("{done} of {total} translated; {shown} shown"), done=format_number(done),
            total=format_number(len(self.rows)), shown=format_number(len(shown))))
        if keep is not None and not self.open_key(keep):
            self._show_row(None)

    def open_key(self, key) -> bool:
        for index, row in enumerate(self.model.rows):
            if row.entry.key == key:
                self.list.setCurrentIndex(self.model.index(index))
                self._open(index)
                return True
        return False

    def _open(self, index: int) -> None:
        if 0 <= index < len(self.model.rows):
            self._show_row(self.model.rows[index])

    # --- one message -----------------------------------------------------------------------

    def _show_row(self, row: Row | None) -> None:
        same = (row is not None and self.current is not None and bool(self.editors)
                and row.entry.key == self.current.entry.key)
        self.current = row
        self._peer = None
        if same:  # the same message again (a reload, a sync): keep what is being typed
            self._describe(row)
            self._fill_suggestions(row)
            return
        for editor in self.editors:
            editor.deleteLater()
        while self.forms.rowCount():
            self.forms.removeRow(0)
        self.editors = []
        enabled = row is not None
        for widget in (self.save_button, self.preview, self.preview_source):
            widget.setVisible(enabled)
        if row is None:
            self.source.setText(_("Choose a message to translate.") if self.rows else
                                _("Choose the language to translate into."))
            for label in (self.details, self.current_text, self.check):
                label.clear()
            self.suggestions.clear()
            self._update_review_buttons()
            return
        self._describe(row)
        start = row.mine.strings if row.mine else (row.accepted or ())
        self._make_editors(row.entry, start)
        self._fill_suggestions(row)
        self._live_check()

    def _describe(self, row: Row) -> None:
        entry = row.entry
        self.source.setText(entry.msgid if not entry.msgid_plural
                            else f"{entry.msgid}\n{entry.msgid_plural}")
        where = dict.fromkeys(_(messages.screen_title(place)) for place in entry.places
                              or [""])
        details = [format_message(_("Shown on: {screen}"), screen=", ".join(where))]
        if entry.context and not entry.is_guideline:
            details.append(format_message(_("Context: {context}"), context=entry.context))
        details += [format_message(_("Note for translators: {note}"), note=note)
                    for note in entry.comments]
        self.details.setText("\n".join(details))
        if row.accepted:
            self.current_text.setText(format_message(_("In use: {text}"),
                                                      text=" | ".join(row.accepted)))
        else:
            self.current_text.setText(_("Not translated yet."))

    def _make_editors(self, entry: messages.Entry, start) -> None:
        """One field per plural form, laid out in the target language's direction (from its
        script, even when the text starts with a Latin placeholder)."""
        from ui.content_edit import ContentEdit

        lang = languages.get(self.target)
        shape = self.forms_of
        count = shape.n if entry.msgid_plural else 1
        long = len(entry.msgid) > LONG_SOURCE or "\n" in entry.msgid
        for index in range(count):
            if entry.msgid_plural:
                label = format_message(_("Form for {n} ({category}):"),
                                       n=format_number(shape.counts[index]),
                                       category=shape.categories[index])
            else:
                label = _("&Translation:")
            title = QLabel(label)
            editor = ContentEdit(accessible_name=title.text().replace("&", ""))
            editor.setObjectName(f"translationForm{index}")
            editor.set_language(lang)
            editor.set_text(start[index] if index < len(start) else "")
            lines = 8 if long else 2
            editor.setFixedHeight(editor.fontMetrics().lineSpacing() * lines + 12)
            editor.textChanged.connect(self._checking.start)
            title.setBuddy(editor)
            self.forms.addRow(title, editor)
            self.editors.append(editor)
        if self.editors:
            tab_order(self.list, *self.editors, self.save_button, self.next_button,
                      self.suggestions, self.accept_button, self.reason, self.reject_button,
                      self.another_button)

    def strings(self) -> list[str]:
        return [editor.text() for editor in self.editors]

    def problems(self) -> list[checks.Found]:
        if self.current is None or self.target is None:
            return []
        entry = self.current.entry
        near = [(m, " ".join(r.mine.strings[:1]) if r.mine else (r.accepted or ("",))[0])
                for r in self.rows if r.entry.key != entry.key
                and set(r.entry.places) & set(entry.places)
                for m in [r.entry.msgid]]
        return ui_translations.problems(self.target, entry.context, entry.msgid,
                                        entry.msgid_plural, self.strings(), neighbours=near)

    def _live_check(self) -> None:
        """Placeholders, accelerators, plural forms and length, as the translator types."""
        if self.current is None:
            return
        found = self.problems()
        strings = self.strings()
        typed = any(s.strip() for s in strings)
        self.save_button.setEnabled(typed and not found)
        if found and typed:
            self.check.setText("\n".join(p.localized() for p in found))
            self.check.setStyleSheet("color: #b00020;")
        elif typed and checks.long_warning(self.current.entry.msgid, strings[0]):
            self.check.setText(_("Much longer than the English: check the preview."))
            self.check.setStyleSheet("color: #8a5a00;")
        else:
            self.check.setText(_("Checks pass.") if typed else "")
            self.check.setStyleSheet("")
        self._preview(strings[0] if strings else "")

    def _preview(self, text: str) -> None:
        """The English button beside the translated one, at their natural sizes: a
        translation much wider than its source will not fit where it goes."""
        from ui.fonts import font_for_script

        source = self.current.entry.msgid if self.current else ""
        self.preview_source.setText("\u200e" + source.split("\n")[0][:120])  # English: LTR
        self.preview.setFont(font_for_script(languages.get(self.target).script))
        self.preview.setLayoutDirection(
            Qt.RightToLeft if languages.get(self.target).is_rtl else Qt.LeftToRight)
        shown = text.split("\n")[0][:120]
        # A button takes its direction from its first letter: a right-to-left translation
        # that starts with a placeholder still reads right to left (display only).
        self.preview.setText(("\u200f" if languages.get(self.target).is_rtl else "") + shown)

    # --- saving ----------------------------------------------------------------------------

    def submit(self) -> None:
        """Save my translation (Ctrl+Enter); never saved when the checks refuse it."""
        if self.current is None:
            self.tell(_("Choose a message to translate first."))
            return
        self._checking.stop()
        self._live_check()  # what was typed in the last instant is checked too
        found = self.problems()
        if found:
            self.tell(format_message(_("Not saved: {reason}"),
                                     reason="; ".join(p.localized() for p in found)))
            return
        entry = self.current.entry
        fields = {"language": self.target, "context": entry.context, "msgid": entry.msgid,
                  "msgid_plural": entry.msgid_plural, "strings": self.strings()}
        if self._peer is not None and self._replacing:
            reason = self.reason.text().strip() or _("I suggest another translation.")
            operations.vote_translation(parent=self, translation_id=self._peer.id,
                                        verdict="reject", reason=reason)
            self._replacing = False
        operations.suggest_translation(parent=self, fields=fields, on_done=self._saved)

    _replacing = False

    def _saved(self, suggestion) -> None:
        self._set_status(_("Saved; it is sent for review at the next sync."))
        self.reload()

    # --- others' suggestions -----------------------------------------------------------------

    def _fill_suggestions(self, row: Row) -> None:
        self.suggestions.clear()
        for suggestion in row.others:
            votes = ", ".join(format_message(_("{who}: {verdict}"), who=v.get("by", ""),
                                             verdict=_named(_VERDICTS, v.get("verdict")))
                              for v in suggestion.votes)
            text = format_message(_("{text} — by {author}, {status}"),
                                  text=" | ".join(suggestion.strings),
                                  author=suggestion.author_name or "?",
                                  status=_named(_STATUSES, suggestion.status))
            item = QListWidgetItem(text + (f" ({votes})" if votes else ""))
            item.setData(Qt.UserRole, suggestion.id)
            self.suggestions.addItem(item)
        if row.mine is not None:
            votes = "; ".join(format_message(_("{who}: {verdict}"), who=v.get("by", ""),
                                             verdict=v.get("reason")
                                             or _named(_VERDICTS, v.get("verdict")))
                              for v in row.mine.votes)
            self._set_status(format_message(_("Your suggestion: {status}"),
                                            status=_named(_STATUSES, row.mine.status))
                             + (f" — {votes}" if votes else ""))
        else:
            self._set_status("")
        self._update_review_buttons()

    def _peer_chosen(self, index: int) -> None:
        row = self.current
        self._peer = row.others[index] if row is not None and 0 <= index < len(row.others) \
            else None
        self._update_review_buttons()

    def _update_review_buttons(self) -> None:
        open_ = self._peer is not None and self._peer.status in ui_translations.OPEN
        for button in (self.accept_button, self.reject_button, self.another_button):
            button.setEnabled(open_)
        self.reason.setEnabled(open_)

    def _vote(self, verdict: str) -> None:
        if self._peer is None:
            self.tell(_("Choose a suggestion of someone else first."))
            return
        reason = self.reason.text().strip()
        if verdict == "reject" and not reason:
            self.tell(_("Say why you reject this translation."))
            self.reason.setFocus()
            return
        operations.vote_translation(parent=self, translation_id=self._peer.id,
                                    verdict=verdict, reason=reason,
                                    on_done=lambda _id: self._voted(verdict))

    def _voted(self, verdict: str) -> None:
        self.reason.clear()
        self._set_status(_("Accepted; sent at the next sync.") if verdict == "accept"
                         else _("Rejected; sent at the next sync."))
        self.reload()

    def _suggest_another(self) -> None:
        """Start my own translation from theirs; saving it also rejects theirs."""
        if self._peer is None:
            return
        for editor, text in zip(self.editors, self._peer.strings, strict=False):
            editor.set_text(text)
        self._live_check()
        self._replacing = True
        if self.editors:
            self.editors[0].setFocus()

    # --- what every screen does ------------------------------------------------------------

    def step_task(self, step: int) -> None:
        row = self.list.currentIndex().row()
        target = row + step if row >= 0 else 0
        if not 0 <= target < self.model.rowCount():
            self.tell(_("That was the last message in the list.") if step > 0
                      else _("That was the first message in the list."))
            return
        self.list.setCurrentIndex(self.model.index(target))

    def next_untranslated(self) -> None:
        """The next message (after the one shown) with neither a translation nor mine (F8)."""
        start = self.list.currentIndex().row()
        rows = self.model.rows
        for offset in range(1, len(rows) + 1):
            index = (start + offset) % len(rows)
            if rows[index].accepted is None and rows[index].mine is None:
                self.list.setCurrentIndex(self.model.index(index))
                if self.editors:
                    self.editors[0].setFocus()
                return
        self.tell(_("Every message shown is translated."))

    def activate(self) -> None:
        if self.target is None:
            self._fill_targets()
        else:
            self.reload()

    def on_changes(self, changes: Changes, initiator: object) -> None:
        if changes.translations and initiator is not self and self.isVisible():
            self.reload()

    def focus_first(self) -> None:
        (self.editors[0] if self.editors else self.list).setFocus()

    def focus_search(self) -> None:
        """Ctrl+F (the window's Search action) here searches the messages."""
        self.search.setFocus()
        self.search.selectAll()


_VERDICTS = {"accept": N_("accepted"), "reject": N_("rejected")}
_STATUSES = {"pending": N_("waiting for review"), "accepted": N_("accepted"),
             "rejected": N_("rejected"), "disputed": N_("disputed"),
             "superseded": N_("replaced by a newer one")}


def _named(names: dict[str, str], key) -> str:
    """The translated name of a status or verdict (the key itself when unknown)."""
    return _(names[key]) if key in names else str(key or "")
