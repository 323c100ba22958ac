"""The list widget for long, lazily loaded lists (tasks, segments, My work).

A one-column QTableView with fixed row heights and no headers or grid: its layout costs the
rows on screen, not the rows loaded. A QListView lays out every loaded row again after each
page that ``fetchMore`` adds (seconds at 50,000 rows), and a QTreeView asks the Python model
for ``rowCount`` of every row on each relayout (millions of calls): both are the stall one
feels when scrolling far down a long list.

Each row is laid out in its own text's direction (the model's ``DirectionRole``), not the
interface's: an Amharic prompt elided in an Urdu interface ends in "…" on its right, where
it was cut, not on its left.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QStyledItemDelegate, QTableView

from ui.models import DirectionRole


class ContentDelegate(QStyledItemDelegate):
    """Draws a row in the direction its model gives (``DirectionRole``), else the view's."""

    def initStyleOption(self, option, index) -> None:
        super().initStyleOption(option, index)
        direction = index.data(DirectionRole)
        if direction is not None:
            option.direction = Qt.LayoutDirection(direction)


class ItemList(QTableView):
    def __init__(self, parent=None, **properties):
        super().__init__(parent, **properties)
        self.horizontalHeader().hide()
        self.verticalHeader().hide()
        self.horizontalHeader().setStretchLastSection(True)
        self.verticalHeader().setSectionResizeMode(QHeaderView.Fixed)
        self.verticalHeader().setDefaultSectionSize(28)
        self.setShowGrid(False)
        self.setWordWrap(False)
        self.setSelectionMode(QAbstractItemView.SingleSelection)
        self.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.setVerticalScrollMode(QAbstractItemView.ScrollPerPixel)
        self.setTextElideMode(Qt.ElideRight)
        self.setTabKeyNavigation(False)
        self.setItemDelegate(ContentDelegate(self))

    def setModel(self, model) -> None:
        super().setModel(model)
        model.modelReset.connect(self._fit_rows)
        self._fit_rows()

    def _fit_rows(self) -> None:
        # Every row as tall as the model's first size hint (tall enough for its script).
        model = self.model()
        if model is not None and model.rowCount():
            hint = model.index(0, 0).data(Qt.SizeHintRole)
            if hint is not None and hint.height() > 0:
                self.verticalHeader().setDefaultSectionSize(hint.height())
