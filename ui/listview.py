"""The list widget for long, lazily loaded lists (tasks, segments, My work).

A one-column QTableView with fixed row heights and no headers or grid: its layout costs the
rows on screen, not the rows loaded. A QListView lays out every loaded row again after each
page that ``fetchMore`` adds (seconds at 50,000 rows), and a QTreeView asks the Python model
for ``rowCount`` of every row on each relayout (millions of calls): both are the stall one
feels when scrolling far down a long list.

Each row is laid out in its own text's direction (the model's ``DirectionRole``), not the
interface's: an Amharic prompt elided in an Urdu interface ends in "…" on its right, where
it was cut, not on its left.

Rows set in Nastaliq have their text drawn here, not by the style: Qt's item drawing shapes a
row's text up to four times per paint (to size it, to lay it out, to elide it, to draw the
elided line), and shaping Nastaliq costs several times any other script. Two shapings draw
the same row: a screenful of elided Urdu rows paints in two thirds of the time.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetrics, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHeaderView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
)

from ui.fonts import COSTLY_TO_SHAPE
from ui.models import FONT_ROLE, DirectionRole


class ContentDelegate(QStyledItemDelegate):
    """Draws a row in the direction its model gives (``DirectionRole``), else the view's;
    the text of rows in a font that is costly to shape, with fewer shapings than the style."""

    def initStyleOption(self, option, index) -> None:
        super().initStyleOption(option, index)
        direction = index.data(DirectionRole)
        if direction is not None:
            option.direction = Qt.LayoutDirection(direction)

    def paint(self, painter, option, index) -> None:
        font = index.data(FONT_ROLE)
        if font is None or font.family() not in COSTLY_TO_SHAPE:
            # Other scripts shape cheaply: the style's drawing, in C++, costs less than the
            # Python calls below.
            super().paint(painter, option, index)
            return
        item = QStyleOptionViewItem(option)
        self.initStyleOption(item, index)
        text, item.text = item.text, ""
        widget = item.widget
        style = widget.style() if widget is not None else QApplication.style()
        # Background, selection, hover, the status dot and the focus frame, as the style
        # draws them; without text, the style does not shape it to find its size.
        style.drawControl(QStyle.CE_ItemViewItem, item, painter, widget)
        if text:
            _draw_text(painter, item, text, style)


def _draw_text(painter, item: QStyleOptionViewItem, text: str, style: QStyle) -> None:
    """``text`` where and as the style draws an item's text (QCommonStyle's
    viewItemDrawText): the text rectangle less the focus frame's margin, elided as the view
    says, in the selection's or the text's colour. Two shapings: one to elide, one to draw."""
    margin = style.pixelMetric(QStyle.PM_FocusFrameHMargin, None, item.widget) + 1
    rect = style.subElementRect(QStyle.SE_ItemViewItemText, item, item.widget).adjusted(
        margin, 0, -margin, 0)
    shown = QFontMetrics(item.font).elidedText(text, item.textElideMode, rect.width())
    state = item.state
    group = QPalette.Normal if state & QStyle.State_Enabled else QPalette.Disabled
    if group == QPalette.Normal and not state & QStyle.State_Active:
        group = QPalette.Inactive
    role = QPalette.HighlightedText if state & QStyle.State_Selected else QPalette.Text
    painter.save()
    painter.setPen(item.palette.color(group, role))
    painter.setFont(item.font)
    painter.setLayoutDirection(item.direction)
    painter.drawText(rect, int(item.displayAlignment), shown)
    painter.restore()


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
