"""Rows whose text the list draws itself (fonts costly to shape: ui/listview.py) look as the
style draws them: compared pixel for pixel with Qt's own item drawing, elided or whole,
selected or not, in a left-to-right and a right-to-left interface."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtGui import QColor, QImage, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QStyledItemDelegate

from ui import ui_locale
from ui.fonts import COSTLY_TO_SHAPE, register_bundled_fonts
from ui.listview import ContentDelegate, ItemList
from ui.models import ALIGNMENT_ROLE, FONT_ROLE, DirectionRole, _content, status_icon

URDU = "بارش کے موسم میں چاول کیسے اگائیں میری دادی کہانیاں سناتی ہیں اور ہم سنتے ہیں"
SHORT = "بارش کا موسم"
DOT = 24  # the status dot and its margins, at the right of a row in a left-to-right view


class StyleDrawn(ContentDelegate):
    """The row as Qt's style draws it (the delegate before rows were drawn here)."""

    def paint(self, painter, option, index) -> None:
        QStyledItemDelegate.paint(self, painter, option, index)


def _rows(language: str, texts: list[str]) -> QStandardItemModel:
    alignment, font, _height, direction = _content(language)
    model = QStandardItemModel()
    for text in texts:
        item = QStandardItem(status_icon("edited"), text)
        item.setData(font, FONT_ROLE)
        item.setData(alignment, ALIGNMENT_ROLE)
        item.setData(direction, DirectionRole)
        item.setEditable(False)
        model.appendRow(item)
    return model


def _list(qtbot, model, *, rtl_interface: bool = False, selected: int | None = None):
    view = ItemList()
    view.setLayoutDirection(Qt.RightToLeft if rtl_interface else Qt.LeftToRight)
    view.setModel(model)
    view.verticalHeader().setDefaultSectionSize(_content("urd_Arab")[2])
    qtbot.addWidget(view)
    view.resize(260, 200)
    view.show()
    qtbot.waitExposed(view)
    view.clearSelection()
    if selected is not None:
        view.selectionModel().select(model.index(selected, 0),
                                     QItemSelectionModel.ClearAndSelect)
    return view


def _drawn(view, delegate_class) -> QImage:
    view.setItemDelegate(delegate_class(view))
    return view.viewport().grab().toImage()


def _row(image: QImage, row: int) -> QImage:
    height = _content("urd_Arab")[2]
    return image.copy(0, row * height, image.width(), height)


def _differing(a: QImage, b: QImage) -> int:
    assert a.size() == b.size()
    return sum(1 for y in range(a.height()) for x in range(a.width())
               if a.pixel(x, y) != b.pixel(x, y))


def _ink(image: QImage) -> tuple[int, int, int, int, int]:
    """(left, right, top, bottom, count) of the dark pixels left of the status dot: the
    text's ink."""
    dark = [(x, y) for y in range(image.height()) for x in range(image.width() - DOT)
            if QColor(image.pixel(x, y)).lightness() < 128]
    assert dark, "no text drawn"
    xs, ys = [x for x, _ in dark], [y for _, y in dark]
    return min(xs), max(xs), min(ys), max(ys), len(dark)


@pytest.fixture
def fonts(qapp):
    register_bundled_fonts()
    yield
    ui_locale.apply("en")


@pytest.mark.parametrize("rtl_interface", [False, True])
@pytest.mark.parametrize("selected", [None, 1])
def test_urdu_rows_drawn_here_look_as_the_style_draws_them(fonts, qtbot, rtl_interface,
                                                           selected):
    assert _content("urd_Arab")[1].family() in COSTLY_TO_SHAPE
    model = _rows("urd_Arab", [URDU, SHORT, URDU + " " + URDU])
    view = _list(qtbot, model, rtl_interface=rtl_interface, selected=selected)
    ours, style = _drawn(view, ContentDelegate), _drawn(view, StyleDrawn)
    # A row that fits: the pixels the style draws (place, colour, selection, dot), but for
    # anti-aliasing where a glyph lands a fraction of a pixel apart.
    assert _differing(_row(ours, 1), _row(style, 1)) < 60
    # Every row: the same words at the same height, starting at the same right edge; Qt
    # draws a shortened line from the left edge, so its end may sit a few pixels off.
    for row in (0, 1, 2):
        left, right, top, bottom, count = _ink(_row(ours, row))
        style_left, style_right, style_top, style_bottom, style_count = _ink(_row(style, row))
        assert abs(right - style_right) <= 1 and abs(left - style_left) <= 6
        assert abs(top - style_top) <= 1 and abs(bottom - style_bottom) <= 1
        assert abs(count - style_count) < style_count * 0.1


def test_a_long_urdu_row_ends_in_an_ellipsis_at_its_left(fonts, qtbot):
    model = _rows("urd_Arab", [URDU, SHORT])
    image = _drawn(_list(qtbot, model), ContentDelegate)
    long_left, long_right, *_ = _ink(_row(image, 0))
    short_left, short_right, *_ = _ink(_row(image, 1))
    # Both start at the right, by the status dot; the long one runs to the left edge, where
    # "…" (dots on the baseline: short ink) ends it; the short one leaves the left empty.
    assert abs(long_right - short_right) <= 2
    assert long_left < 20 < 100 < short_left
    row = _row(image, 0)
    ink_rows = [y for y in range(row.height())
                if any(QColor(row.pixel(x, y)).lightness() < 128
                       for x in range(long_left, long_left + 8))]
    assert max(ink_rows) - min(ink_rows) <= 4, "no ellipsis at the left end"
