"""My work: everything the annotator wrote, edited or reviewed, with its history.

Filter by kind, language and state; search the text (Ctrl+F, ``Store.search``). Choose an
item to see its revisions; select two to compare them (word-level diff); restore one (it
becomes the newest revision — history is never rewritten). Enter opens the item in its
screen to go on working.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.kinds import SUBMISSION_STATES, TASK_KINDS
from app.store import Review, Revision, Submission
from i18n import languages
from i18n.translation import N_, _
from ui import operations
from ui.feedback import FeedbackPanel
from ui.listview import ItemList
from ui.models import KIND_NAMES, STATE_NAMES, ItemRole, SubmissionListModel
from ui.operations import Changes, Context
from ui.screens.screen import Screen
from ui.widgets import DiffView

REASON_NAMES = {"edit": N_("edited"), "submit": N_("submitted"), "restore": N_("restored")}
SEARCH_DELAY_MS = 250


class WorkScreen(Screen):
    open_requested = Signal(object)  # Submission

    def __init__(self, context: Context, parent=None):
        super().__init__(context, parent)
        self.current: Submission | None = None
        self._auto_selecting = False
        self.model = SubmissionListModel(self.reader, self)
        self.search = QLineEdit(objectName="workSearch", clearButtonEnabled=True)
        self.search.setPlaceholderText(_("Search your work (Ctrl+F)"))
        self.search.setAccessibleName(_("Search"))
        self._search_timer = QTimer(self, singleShot=True, interval=SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.apply_filters)
        self.search.textChanged.connect(lambda _text: self._search_timer.start())
        self.kind_filter = QComboBox(objectName="workKind")
        self.kind_filter.setAccessibleName(_("Kind"))
        self.kind_filter.addItem(_("All kinds"), None)
        for kind in TASK_KINDS:
            self.kind_filter.addItem(_(KIND_NAMES[kind]), kind)
        self.language_filter = QComboBox(objectName="workLanguage")
        self.language_filter.setAccessibleName(_("Language"))
        self.state_filter = QComboBox(objectName="workState")
        self.state_filter.setAccessibleName(_("State"))
        self.state_filter.addItem(_("Any state"), None)
        for state in SUBMISSION_STATES:
            self.state_filter.addItem(_(STATE_NAMES[state]), state)
        for combo in (self.kind_filter, self.language_filter, self.state_filter):
            combo.activated.connect(lambda _index: self.apply_filters())

        self.list = ItemList(objectName="workList")
        self.list.setAccessibleName(_("My work"))
        self.list.setModel(self.model)
        self.list.selectionModel().currentChanged.connect(self._on_current)
        self.list.activated.connect(self._open)
        self.list.clicked.connect(lambda _index: self.feedback.mark_seen())

        self.revisions = QListWidget(objectName="revisions")
        self.revisions.setAccessibleName(_("Revisions"))
        self.revisions.setSelectionMode(QAbstractItemView.ExtendedSelection)
        self.revisions.setWordWrap(True)
        self.revisions.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.revisions.itemSelectionChanged.connect(self._compare)
        self.compare_prompt = DiffView(accessible_name=_("Prompt: differences"))
        self.compare_completion = DiffView(accessible_name=_("Completion: differences"))
        self.compare_note = QLabel(wordWrap=True)
        self.restore_button = QPushButton(_("&Restore this revision"))
        self.restore_button.setAccessibleName(_("Restore this revision"))
        self.restore_button.clicked.connect(self.restore_selected)
        self.open_button = QPushButton(_("&Open (Enter)"))
        self.open_button.setAccessibleName(_("Open in its screen"))
        self.open_button.clicked.connect(lambda: self._open(self.list.currentIndex()))
        self.status = QLabel(wordWrap=True)  # a long message wraps
        self.status.setAccessibleName(_("Status"))
        self.feedback = FeedbackPanel(context)
        self.feedback.revise_requested.connect(self._revised)
        self.feedback.changed.connect(lambda _item: self.model.refresh_feedback())

        filters = QHBoxLayout()
        search_label = QLabel(_("&Search:"))
        search_label.setBuddy(self.search)
        filters.addWidget(search_label)
        filters.addWidget(self.search, 2)
        for label_text, combo in ((_("&Kind:"), self.kind_filter),
                                  (_("Lang&uage:"), self.language_filter),
                                  (_("S&tate:"), self.state_filter)):
            label = QLabel(label_text)
            label.setBuddy(combo)
            filters.addWidget(label)
            filters.addWidget(combo)

        detail = QWidget()
        grid = QGridLayout(detail)
        grid.setContentsMargins(0, 0, 0, 0)
        revisions_label = QLabel(_("Histor&y: revisions (select two to compare)"))
        revisions_label.setBuddy(self.revisions)
        grid.addWidget(revisions_label, 0, 0)
        grid.addWidget(self.revisions, 1, 0, 3, 1)
        grid.addWidget(QLabel(_("Prompt")), 0, 1)
        grid.addWidget(self.compare_prompt, 1, 1)
        grid.addWidget(QLabel(_("Completion")), 2, 1)
        grid.addWidget(self.compare_completion, 3, 1)
        grid.addWidget(self.compare_note, 4, 0, 1, 2)
        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.restore_button)
        grid.addLayout(buttons, 5, 0, 1, 2)
        # The thread goes with the text, under it (hidden for an item without feedback).
        grid.addWidget(self.feedback, 6, 0, 1, 2)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 2)
        grid.setRowStretch(6, 2)
        grid.setRowStretch(1, 1)
        grid.setRowStretch(3, 1)

        splitter = QSplitter(Qt.Horizontal)
        splitter.addWidget(self.list)
        splitter.addWidget(detail)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([320, 720])
        splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(splitter, 1)
        self._fill_languages()
        self._show_revisions(None)

    def _fill_languages(self) -> None:
        self.language_filter.clear()
        self.language_filter.addItem(_("All languages"), None)
        for code in self.reader.languages_with_tasks():
            self.language_filter.addItem(languages.get(code).native_name, code)

    def load_language(self, code: str) -> None:
        index = self.language_filter.findData(code)
        if index < 0:
            self.language_filter.addItem(languages.get(code).native_name, code)
            index = self.language_filter.count() - 1
        self.language_filter.setCurrentIndex(index)
        self.apply_filters()

    def activate(self) -> None:
        self.apply_filters()

    def focus_first(self) -> None:
        self.list.setFocus()

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def apply_filters(self) -> None:
        self._search_timer.stop()
        self.model.set_filters(
            language=self.language_filter.currentData(), kind=self.kind_filter.currentData(),
            state=self.state_filter.currentData(), query=self.search.text(),
        )
        if self.model.rowCount():
            self._auto_selecting = True  # shown, but not chosen: its feedback stays new
            try:
                self.list.setCurrentIndex(self.model.index(0))
            finally:
                self._auto_selecting = False
        else:
            self._show_revisions(None)

    def on_changes(self, changes: Changes, initiator: object) -> None:
        if changes.item is not None:  # shown at once, without reloading the list
            self.update_item(changes.item)
        elif changes.submissions:  # a sync: new feedback may have come down
            self.model.refresh_feedback()

    def update_item(self, submission: Submission) -> None:
        self.model.update_item(submission)
        if self.current is not None and self.current.id == submission.id:
            self._show_revisions(submission)

    # --- history -------------------------------------------------------------------------

    def _on_current(self, index, _previous=None) -> None:
        item = index.data(ItemRole) if index.isValid() else None
        self._show_revisions(item if isinstance(item, Submission) else None)

    def _show_revisions(self, submission: Submission | None) -> None:
        self.current = submission
        self.feedback.show_item(submission, seen=not self._auto_selecting)
        self.revisions.clear()
        for view in (self.compare_prompt, self.compare_completion):
            view.set_text("")
        self.restore_button.setEnabled(False)
        self.open_button.setEnabled(submission is not None)
        if submission is None:
            self.compare_note.setText(_("Choose an item to see its history."))
            return
        language = languages.get(submission.language)
        for view in (self.compare_prompt, self.compare_completion):
            view.set_language(language)
        for revision in reversed(self.reader.revisions(submission.id)):
            item = QListWidgetItem(_("Revision {n} — {reason}, {when}").format(
                n=revision.number, reason=_(REASON_NAMES[revision.reason]),
                when=revision.updated_at[:16].replace("T", " ")))
            item.setData(ItemRole, revision)
            self.revisions.addItem(item)
        if self.revisions.count():
            self.revisions.setCurrentRow(0)
        else:
            self.compare_note.setText(_("No revisions yet."))

    def selected_revisions(self) -> list[Revision]:
        return sorted((item.data(ItemRole) for item in self.revisions.selectedItems()),
                      key=lambda r: r.number)

    def _compare(self) -> None:
        chosen = self.selected_revisions()
        self.restore_button.setEnabled(len(chosen) == 1 and self.current is not None
                                       and self.current.state in ("draft", "submitted"))
        if len(chosen) == 2:
            from app.diffs import word_diff

            old, new = chosen
            self.compare_prompt.show_diff(word_diff(old.inputs, new.inputs))
            self.compare_completion.show_diff(word_diff(old.targets, new.targets))
            self.compare_note.setText(_("Changes from revision {a} to revision {b}.").format(
                a=old.number, b=new.number))
        elif len(chosen) == 1:
            (revision,) = chosen
            self.compare_prompt.set_text(revision.inputs)
            self.compare_completion.set_text(revision.targets)
            self.compare_note.setText(_(
                "Revision {n}. Select a second revision (Ctrl+click, Shift+arrows) to compare."
            ).format(n=revision.number))

    def restore_selected(self) -> None:
        chosen = self.selected_revisions()
        if len(chosen) != 1 or self.current is None:
            return
        submission_id, number = self.current.id, chosen[0].number

        def restored(_submission: Submission) -> None:  # the list follows (on_changes)
            self._set_status(_("Revision {n} restored as the newest revision.").format(
                n=number))

        operations.restore_revision(parent=self, submission_id=submission_id, number=number,
                                    on_done=restored)

    def _revised(self, draft: Submission) -> None:
        """A rejected item reopened to be revised: shown here as a draft, then opened in its
        screen to be edited and submitted again."""
        self.update_item(draft)
        self.open_requested.emit(draft)

    def _open(self, index) -> None:
        if not index.isValid():
            return
        item = index.data(ItemRole)
        if isinstance(item, Review):
            return
        self.open_requested.emit(self.reader.submission(item.id))
