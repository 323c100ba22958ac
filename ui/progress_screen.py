"""Progress: counts per kind and language, points and quality scores, from the local store.

Everything is computed by ``app.rules`` (through ``app.activity``) on the background reader,
so a store of 50,000 items never stalls the window.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from i18n import languages
from i18n.translation import _
from ui.models import KIND_NAMES
from ui.screen import Context, Screen

KIND_ORDER = ("original", "reannotation", "review", "postedit")


def _progress_report(store):
    from app.activity import progress_report  # on the background reader

    return progress_report(store)


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
        totals = QGroupBox(_("Totals"))
        form = QFormLayout(totals)
        form.addRow(_("Points:"), self.points)
        form.addRow(_("Quality score (mean rating your edits received, 1–5):"), self.quality)
        form.addRow(_("Aya score (share of ratings better than “no change”):"), self.aya)
        form.addRow(_("Edits rated by reviewers:"), self.rated)
        self.table = QTableWidget(objectName="progressTable")
        self.table.setAccessibleName(_("Work done per language and kind"))
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.setColumnCount(len(KIND_ORDER) + 1)
        self.table.setHorizontalHeaderLabels(
            [_("Language")] + [_(KIND_NAMES[k]) for k in KIND_ORDER])
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.Stretch)
        self.table.verticalHeader().hide()
        self.refresh_button = QPushButton(_("&Refresh"))
        self.refresh_button.setAccessibleName(_("Refresh progress"))
        self.refresh_button.clicked.connect(self.activate)
        self.note = QLabel(wordWrap=True)
        self.note.setText(_(
            "Points: original pair 2 · rating 1 · prompt edit 1 · completion edit 1 · review 1, "
            "+1 with a further improvement · post-edit 1. An edit counts from 5 changed "
            "characters. Computed offline from this computer's work."))
        header = QHBoxLayout()
        header.addWidget(totals, 1)
        header.addWidget(self.refresh_button, 0, Qt.AlignTop)
        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.note)

    def focus_first(self) -> None:
        self.table.setFocus()

    def activate(self) -> None:
        self.context.writer.flush()
        self.points.setText(_("Counting…"))
        self.context.background.run(_progress_report, on_done=self.show_report)

    def show_report(self, report) -> None:
        if report is None:
            return
        self.report = report
        self.points.setText(str(report.points))
        self.quality.setText(f"{report.quality_score:.2f}" if report.quality_score is not None
                             else _("no ratings yet"))
        self.aya.setText(f"{report.aya_score:.0%}" if report.aya_score is not None
                         else _("no ratings yet"))
        self.rated.setText(str(report.rated_edits))
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
