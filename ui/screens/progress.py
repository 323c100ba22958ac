"""Progress: counts per kind and language, points and quality scores, from the local store;
the annotator's contributions over time, drawn; and the project's leaderboards as the server
last sent them, with the annotator's place drawn beside the table.

Everything is computed by ``app.rules`` (through ``app.activity``) and
``app.contributions`` on the background reader, so a store of 50,000 items never stalls the
window. The leaderboards come from the copy kept by the last sync (``app.leaderboards``), so
they show offline too. The charts (``ui.charts``) are drawn with QPainter, mirrored in
right-to-left interfaces, and each says what it shows in a sentence beside it.
"""

from __future__ import annotations

from PySide6.QtCore import QLocale, Qt
from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QComboBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app import clock
from i18n import formatting, languages
from i18n.bidi import format_message
from i18n.translation import N_, _
from ui.charts import ContributionChart, PlaceChart, legend
from ui.errors import error_text
from ui.models import KIND_NAMES
from ui.operations import Changes, Context
from ui.screens.screen import Screen
from ui.ui_locale import in_ui_direction

KIND_ORDER = ("original", "reannotation", "review", "postedit")
PERIODS = (("day", N_("&Today")), ("week", N_("This &week")), ("all", N_("All ti&me")))
ALL_LANGUAGES = ""  # the language selector's value for the board across languages
DAYS_SHOWN, WEEKS_SHOWN = 14, 12  # the contributions chart: two weeks of days, a quarter
UNITS = (("day", N_("&Days")), ("week", N_("Wee&ks")))


def _progress_report(store):
    from app.activity import progress_report  # on the background reader

    return progress_report(store)


def _timelines(store, first_weekday: int):
    """(days, weeks) of contributions, on the background reader (app.contributions)."""
    from app.contributions import timeline

    return (timeline(store, unit="day", periods=DAYS_SHOWN),
            timeline(store, unit="week", periods=WEEKS_SHOWN, first_weekday=first_weekday))


def first_weekday() -> int:
    """The UI locale's first day of the week, as :meth:`datetime.date.weekday` counts
    (Monday 0 … Sunday 6): Qt's CLDR data for the locale the interface uses."""
    return QLocale().firstDayOfWeek().value - 1


def _stored_leaderboards(store):
    """(sync.protocol.Leaderboards or None, fetched_at or None, my user id), on the reader."""
    from app import leaderboards
    from sync.protocol import Leaderboards

    stored = leaderboards.last(store)
    if stored is None:
        return None, None, store.user_id
    try:
        boards = Leaderboards.model_validate_json(stored.payload)
    except ValueError:  # kept by an older Qalam in another shape: wait for the next sync
        return None, stored.fetched_at, store.user_id
    return boards, stored.fetched_at, store.user_id


def _language_name(code: str) -> str:
    try:
        return languages.get(code).native_name
    except languages.UnknownLanguage:
        return code


class LeaderboardPanel(QGroupBox):
    """Rank, name, points and quality score for one period and language, the user's own row
    highlighted; the period and language are chosen by clicking (or Alt+key, arrows)."""

    COLUMNS = (N_("Rank"), N_("Name"), N_("Points"), N_("Quality score"))

    def __init__(self, parent=None):
        super().__init__(_("Leaderboard"), parent)
        self.setObjectName("leaderboard")
        self.boards = None          # sync.protocol.Leaderboards
        self.user_id = ""
        self.periods = QButtonGroup(self)
        period_row = QHBoxLayout()
        for period, title in PERIODS:
            button = QRadioButton(_(title), objectName=f"period_{period}")
            button.setProperty("period", period)
            self.periods.addButton(button)
            period_row.addWidget(button)
            if period == "week":
                button.setChecked(True)
        self.periods.buttonToggled.connect(lambda _button, on: on and self.show_board())
        self.language = QComboBox(objectName="leaderboardLanguage")
        self.language.setAccessibleName(_("Leaderboard language"))
        self.language.currentIndexChanged.connect(lambda _index: self.show_board())
        language_label = QLabel(_("Languag&e:"))
        language_label.setBuddy(self.language)
        period_row.addStretch(1)
        period_row.addWidget(language_label)
        period_row.addWidget(self.language)

        self.table = QTableWidget(objectName="leaderboardTable")
        self.table.setAccessibleName(_("Leaderboard"))
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setColumnCount(len(self.COLUMNS))
        self.table.setHorizontalHeaderLabels([_(title) for title in self.COLUMNS])
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.Stretch)
        self.table.verticalHeader().hide()
        self.empty = QLabel(wordWrap=True, objectName="leaderboardEmpty")
        self.empty.setAlignment(Qt.AlignCenter)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty)
        self.stack.addWidget(self.table)
        # The same board drawn: where the annotator stands, at a glance, and in a sentence.
        self.place = PlaceChart()
        self.place_summary = QLabel(wordWrap=True, objectName="placeSummary")
        self.place_summary.setTextInteractionFlags(Qt.TextSelectableByMouse)
        place_column = QVBoxLayout()
        place_column.addWidget(self.place, 1)
        place_column.addWidget(self.place_summary)
        board_row = QHBoxLayout()
        board_row.addWidget(self.stack, 3)
        board_row.addLayout(place_column, 2)
        self.as_of = QLabel(objectName="leaderboardAsOf")
        layout = QVBoxLayout(self)
        layout.addLayout(period_row)
        layout.addLayout(board_row, 1)
        layout.addWidget(self.as_of)
        self.show_stored(None, None, "")

    def period(self) -> str:
        checked = self.periods.checkedButton()
        return checked.property("period") if checked is not None else "week"

    def show_stored(self, boards, fetched_at: str | None, user_id: str) -> None:
        """Show what the last sync kept (``boards`` None: nothing yet)."""
        self.boards, self.user_id = boards, user_id
        wanted = self.language.currentData()
        codes = sorted({b.language for b in boards.boards if b.language} if boards else (),
                       key=_language_name)
        self.language.blockSignals(True)
        self.language.clear()
        self.language.addItem(_("All languages"), ALL_LANGUAGES)
        for code in codes:
            self.language.addItem(_language_name(code), code)
        index = self.language.findData(wanted) if wanted is not None else -1
        self.language.setCurrentIndex(max(index, 0))
        self.language.blockSignals(False)
        stamp = (boards.generated_at if boards is not None else None) or fetched_at
        if stamp:
            try:
                when = formatting.format_datetime(clock.parse(stamp))
            except ValueError:
                when = stamp
            self.as_of.setText(format_message(_("As of {time}"), time=when))
        else:
            self.as_of.setText("")
        self.show_board()

    def _board(self):
        if self.boards is None:
            return None
        language = self.language.currentData() or None
        for board in self.boards.boards:
            if board.period == self.period() and board.language == language:
                return board
        return None

    def show_board(self) -> None:
        board = self._board()
        if self.boards is None:
            self._empty(_("No leaderboard yet. It arrives with your first sync with your "
                          "project's server, and stays here for when you are offline."))
            return
        if board is None or (not board.rows and board.me is None):
            self._empty(_("Nobody has points here yet for this period."))
            return
        rows = list(board.rows)
        if board.me is not None and all(r.user_id != board.me.user_id for r in rows):
            rows.append(board.me)  # the user's own place, even outside the top
        self.table.setRowCount(len(rows))
        for index, row in enumerate(rows):
            mine = row.user_id == self.user_id or (
                board.me is not None and row.user_id == board.me.user_id)
            name = format_message(_("{name} (you)"), name=row.name) if mine else row.name
            quality = (formatting.format_number(round(row.quality_score, 2))
                       if row.quality_score is not None else "–")
            cells = (formatting.format_integer(row.rank), name,
                     formatting.format_integer(row.points), quality)
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.UserRole, row.user_id)
                if column != 1:
                    item.setTextAlignment(Qt.AlignCenter)
                if mine:
                    font = QFont(item.font())
                    font.setBold(True)
                    item.setFont(font)
                    tint = QColor(self.palette().color(QPalette.Highlight))
                    tint.setAlpha(60)
                    item.setBackground(tint)
                self.table.setItem(index, column, item)
        self.stack.setCurrentWidget(self.table)
        self._show_place(board)

    def _show_place(self, board) -> None:
        self.place.set_board(board, self.user_id)
        shown = board is not None and bool(self.place.rows)
        self.place.setVisible(shown)
        self.place_summary.setVisible(shown)
        self.place_summary.setText(self.place.summary() if shown else "")

    def _empty(self, text: str) -> None:
        self.table.setRowCount(0)
        self.empty.setText(text)
        self.stack.setCurrentWidget(self.empty)
        self._show_place(None)


class ProgressScreen(Screen):
    def __init__(self, context: Context, parent=None):
        super().__init__(context, parent)
        self.report = None  # app.rules.Progress
        self.points = QLabel(objectName="points")
        self.quality = QLabel(objectName="qualityScore")
        self.aya = QLabel(objectName="ayaScore")
        self.rated = QLabel(objectName="ratedEdits")
        for label, name in ((self.points, _("Points")), (self.quality, _("Quality score")),
                            (self.aya, _("Aya score")), (self.rated, _("Rated edits"))):
            label.setAccessibleName(name)
            label.setTextInteractionFlags(Qt.TextSelectableByKeyboard | Qt.TextSelectableByMouse)
            # At the start of the line in the interface's direction, whatever the value's own:
            # a plain label aligns "0" by the digit's direction, to the left in Urdu.
            start = Qt.AlignRight if self.layoutDirection() == Qt.RightToLeft else Qt.AlignLeft
            label.setAlignment(start | Qt.AlignAbsolute | Qt.AlignVCenter)
        totals = QGroupBox(_("Totals"))
        form = QFormLayout(totals)
        # In the interface's direction, whatever the translation starts with ("Aya …"): the
        # colon stays at the label's end. Each value under its label, the label wrapped: a
        # netbook's screen needs no sideways scrolling for these long labels (and a form
        # that wraps labels beside their values draws the two over each other). Each on a
        # row of its own: a form's label column keeps a wrapped label's preferred width
        # even when the box is narrower (Burmese labels were cut at the box's edge), a
        # spanning row wraps the label to the box.
        for text, value in (
            (_("Points:"), self.points),
            (_("Quality score (mean rating your edits received, 1–5):"), self.quality),
            (_("Aya score (share of ratings better than “no change”):"), self.aya),
            (_("Edits rated by reviewers:"), self.rated),
        ):
            label = QLabel(in_ui_direction(text), wordWrap=True)
            label.setBuddy(value)
            form.addRow(label)
            form.addRow(value)
        self.table = QTableWidget(objectName="progressTable")
        self.table.setAccessibleName(_("Work done per language and kind"))
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.setColumnCount(len(KIND_ORDER) + 1)
        self.table.setHorizontalHeaderLabels(
            [_("Language")] + [_(KIND_NAMES[k]) for k in KIND_ORDER])
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.Stretch)
        self.table.verticalHeader().hide()
        self.table.setMinimumHeight(self.table.horizontalHeader().sizeHint().height() * 3)
        self.refresh_button = QPushButton(_("&Refresh"))
        self.refresh_button.setAccessibleName(_("Refresh progress"))
        self.refresh_button.clicked.connect(self.activate)
        self.leaderboard = LeaderboardPanel()
        self.note = QLabel(wordWrap=True)
        self.note.setText(_(
            "Points: original pair 2 · rating 1 · prompt edit 1 · completion edit 1 · review 1, "
            "+1 with a further improvement · post-edit 1. An edit counts from 5 changed "
            "characters. Computed offline from this computer's work."))
        self.timelines = None  # (days, weeks): lists of app.contributions.Period
        contributions = self._contributions_box()
        header = QHBoxLayout()
        header.addWidget(totals, 1)
        header.addWidget(contributions, 2)
        header.addWidget(self.refresh_button, 0, Qt.AlignTop)
        # Scrolls rather than squeezes on a small screen (a netbook's 1024×600).
        content = QWidget(objectName="progressContent")
        layout = QVBoxLayout(content)
        layout.addLayout(header)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.note)
        layout.addWidget(self.leaderboard, 2)
        scroll = QScrollArea(widgetResizable=True, frameShape=QFrame.NoFrame)
        scroll.setWidget(content)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)

    def _contributions_box(self) -> QGroupBox:
        """The annotator's own work over time: bars per day or week, per kind, and the same
        in a sentence under them."""
        box = QGroupBox(_("Your contributions"), objectName="contributions")
        self.units = QButtonGroup(box)
        unit_row = QHBoxLayout()
        for unit, title in UNITS:
            button = QRadioButton(_(title), objectName=f"unit_{unit}")
            button.setProperty("unit", unit)
            button.setChecked(unit == "day")
            self.units.addButton(button)
            unit_row.addWidget(button)
        unit_row.addStretch(1)
        self.units.buttonToggled.connect(lambda _button, on: on and self.show_timeline())
        self.chart = ContributionChart()
        self.chart_summary = QLabel(wordWrap=True, objectName="contributionSummary")
        self.chart_summary.setTextInteractionFlags(Qt.TextSelectableByMouse)
        column = QVBoxLayout(box)
        column.addLayout(unit_row)
        column.addWidget(self.chart, 1)
        column.addWidget(legend())
        column.addWidget(self.chart_summary)
        return box

    def unit(self) -> str:
        checked = self.units.checkedButton()
        return checked.property("unit") if checked is not None else "day"

    def show_timelines(self, timelines) -> None:
        self.timelines = timelines
        self.show_timeline()

    def show_timeline(self) -> None:
        if self.timelines is None:
            return
        days, weeks = self.timelines
        unit = self.unit()
        self.chart.set_periods(days if unit == "day" else weeks, unit)
        self.chart_summary.setText(self.chart.summary())

    def focus_first(self) -> None:
        self.table.setFocus()

    def activate(self) -> None:
        self.points.setText(_("Counting…"))

        def count(_written=None) -> None:
            self.context.background.run(_progress_report, on_done=self.show_report,
                                        on_error=self._failed)
            weekday = first_weekday()
            self.context.background.run(lambda store: _timelines(store, weekday),
                                        on_done=self.show_timelines, on_error=self._failed)
            self.context.background.run(
                _stored_leaderboards, on_error=self._failed,
                on_done=lambda loaded: self.leaderboard.show_stored(*loaded))

        # Count once what is typed is on disk, without the window waiting for the writer.
        self.context.writer.then(count)

    def on_changes(self, changes: Changes, initiator: object) -> None:
        if changes.leaderboards and self.isVisible():  # a sync brought new boards, ratings
            self.activate()

    def _failed(self, error: BaseException) -> None:
        self.points.setText(format_message(_("Could not count: {reason}"),
                                           reason=error_text(error)))

    def show_report(self, report) -> None:
        if report is None:
            return
        self.report = report
        self.points.setText(formatting.format_integer(report.points))
        self.quality.setText(formatting.format_number(report.quality_score, decimals=2)
                             if report.quality_score is not None else _("no ratings yet"))
        self.aya.setText(formatting.format_percent(report.aya_score)
                         if report.aya_score is not None else _("no ratings yet"))
        self.rated.setText(formatting.format_integer(report.rated_edits))
        codes = sorted({language for _kind, language in report.counts})
        self.table.setRowCount(len(codes))
        for row, code in enumerate(codes):
            try:
                name = languages.get(code).native_name
            except Exception:
                name = code
            self.table.setItem(row, 0, QTableWidgetItem(name))
            for column, kind in enumerate(KIND_ORDER, start=1):
                item = QTableWidgetItem(str(report.counts.get((kind, code), 0)))
                item.setTextAlignment(Qt.AlignCenter)
                self.table.setItem(row, column, item)
