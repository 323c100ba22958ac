"""Mixed-direction labels read right: measured on Qt's layout and on drawn pixels, not by eye.

Right-to-left interfaces met four reorderings: the "…" of an elided Amharic task drawn at its
start in an Urdu list, the colon of "Aya score (…):" in the middle of the label, a file filter
reading "(jsonl *.csv.*)", and "-0.42" reading "0.42-". And the Improve screen's instructions
named a side ("on the right") that the mirrored layout puts on the left.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QColor, QImage, QTextLayout, QTextOption
from PySide6.QtWidgets import QComboBox, QFileDialog, QLabel

from app import paths
from app.store import Store
from i18n import formatting
from i18n.bidi import strip_isolates
from ui import ui_locale
from ui.fonts import font_for_script, register_bundled_fonts


@pytest.fixture
def urdu(qapp):
    register_bundled_fonts()
    ui_locale.apply("ur")
    yield
    ui_locale.apply("en")


def leading_x(text: str, font, *, rtl: bool) -> list[float]:
    """Where Qt's text layout puts the leading edge of each character of ``text`` (the left
    edge of a left-to-right character, the right edge of a right-to-left one), in a paragraph
    of the given direction."""
    layout = QTextLayout(text, font)
    option = QTextOption()
    option.setTextDirection(Qt.RightToLeft if rtl else Qt.LeftToRight)
    layout.setTextOption(option)
    layout.beginLayout()
    line = layout.createLine()
    line.setLineWidth(10_000)
    layout.endLayout()
    return [line.cursorToX(index)[0] for index in range(len(text))]


def ink(image: QImage, rect=None) -> list[tuple[int, int]]:
    """(x, y) of every dark pixel (text) in ``image``, inside ``rect`` when given."""
    left, top, right, bottom = ((rect.left(), rect.top(), rect.right(), rect.bottom())
                                if rect is not None else
                                (0, 0, image.width() - 1, image.height() - 1))
    return [(x, y) for y in range(top, bottom + 1) for x in range(left, right + 1)
            if QColor(image.pixel(x, y)).lightness() < 128]


def grab(widget) -> QImage:
    return widget.grab().toImage()


# --- signed numbers ---------------------------------------------------------------------------


def test_a_negative_number_reads_with_its_minus_sign_first_in_a_right_to_left_line(urdu):
    shown = formatting.format_number(-0.42)
    assert strip_isolates(shown).replace("\u200e", "") == "-0.42"
    x = leading_x(shown, font_for_script("Arab"), rtl=True)
    minus, zero, four = shown.index("-"), shown.index("0"), shown.index("4")
    assert x[minus] < x[zero] < x[four]  # "-0.42", not "0.42-"


def test_negative_percentages_and_persian_digits_keep_the_sign_first(qapp):
    register_bundled_fonts()
    for tag, font in (("fa", font_for_script("Arab")), ("he", font_for_script("Hebr"))):
        formatting.configure(tag)
        for shown in (formatting.format_number(-12.5), formatting.format_percent(-0.42)):
            x = leading_x(shown, font, rtl=True)
            sign = next(i for i, c in enumerate(shown) if c in "-−")
            first_digit = next(i for i, c in enumerate(shown) if c.isdigit())
            assert x[sign] < x[first_digit], (tag, shown)
    formatting.configure("en")


# --- file filters -----------------------------------------------------------------------------


def test_the_task_file_filter_reads_left_to_right_inside_an_urdu_name(urdu, qtbot):
    from ui.importer import task_file_filter

    dialog = QFileDialog(None, "", "", task_file_filter())
    dialog.setOption(QFileDialog.DontUseNativeDialog)
    dialog.setOption(QFileDialog.HideNameFilterDetails)  # as the window opens it
    qtbot.addWidget(dialog)
    combo = dialog.findChild(QComboBox, "fileTypeCombo")
    shown = combo.itemText(0)
    assert shown.count("*.jsonl") == 1  # the pattern Qt parses is out of sight
    assert combo.layoutDirection() == Qt.RightToLeft
    x = leading_x(shown, combo.font(), rtl=True)
    patterns = "*.jsonl *.csv"
    start = shown.index(patterns)
    # From the second character: the cursor before a run's first one stands on the boundary
    # of two runs, where Qt gives the edge of the run before.
    pattern_x = [x[start + i] for i, char in enumerate(patterns) if char != " " and i]
    assert pattern_x == sorted(pattern_x), "the patterns do not read left to right"
    assert all(x[start + len(patterns) - 1] < x[i] for i in range(start - 1)), \
        "the patterns are not after (left of) the name"
    assert dialog.nameFilters()[0].endswith("(*.jsonl *.csv)")  # what Qt filters by


# --- colons after the label -------------------------------------------------------------------


def _render_label(text: str, width: int, font, *, wrap: bool) -> QImage:
    """A QLabel as a form puts it in a right-to-left window: right-aligned (visually)."""
    label = QLabel(text, wordWrap=wrap)
    label.setFont(font)
    label.setAlignment(Qt.AlignLeft | Qt.AlignVCenter)  # the form's alignment, mirrored
    label.resize(QSize(width, label.sizeHint().height()))
    return grab(label)


def test_the_aya_score_label_ends_with_its_colon_in_an_urdu_interface(urdu, qtbot, tmp_path):
    from ui.operations import Context
    from ui.screens.progress import ProgressScreen

    with Store.open(paths.database_path(tmp_path)):
        pass
    reader = Store.open(paths.database_path(tmp_path), readonly=True)
    screen = ProgressScreen(Context(reader, None, None, None))
    qtbot.addWidget(screen)
    label = next(label for label in screen.findChildren(QLabel) if label.buddy() is screen.aya)
    text = label.text()
    assert text.rstrip().endswith(":") and "Aya" in text
    width = label.fontMetrics().horizontalAdvance(text) + 40  # on one line
    full = _render_label(text, width, label.font(), wrap=label.wordWrap())
    without_colon = _render_label(text.rstrip()[:-1], width, label.font(),
                                  wrap=label.wordWrap())
    assert full.size() == without_colon.size()
    changed = [x for y in range(full.height()) for x in range(full.width())
               if full.pixel(x, y) != without_colon.pixel(x, y)]
    left = min(x for x, _y in ink(full))
    # Only the colon differs, and it is at the label's visual end: its left edge in a
    # right-to-left line. Laid out left to right, the whole label moved instead.
    assert changed and max(changed) - left < 12, (min(changed), max(changed), left)
    reader.close()


# --- the ellipsis of an elided item -----------------------------------------------------------


def test_an_elided_amharic_task_ends_in_its_ellipsis_in_an_urdu_interface(urdu, qtbot, store):
    from ui.models import TaskListModel
    from ui.screens.screen import TaskListView

    store.add_tasks([{"id": "t-amh", "project_id": None, "kind": "reannotation",
                      "language": "amh_Ethi", "origin": "templated",
                      "inputs": "ኢትዮጵያ በአፍሪካ ቀንድ የምትገኝ ሀገር ናት። ዋና ከተማዋ አዲስ አበባ ናት። " * 3,
                      "targets": "አዎ"}])
    model = TaskListModel(store, "reannotation")
    model.set_language("amh_Ethi")
    view = TaskListView(model, "tasks")
    qtbot.addWidget(view)
    view.resize(260, 200)
    view.show()
    qtbot.waitExposed(view)
    assert view.layoutDirection() == Qt.RightToLeft
    view.clearSelection()
    row = view.visualRect(model.index(0, 0))
    image = view.viewport().grab().toImage()
    dot = 24  # the status dot and its margin, at the row's start (left, for Amharic)
    text_rect = row.adjusted(dot, 2, -2, -2)
    pixels = ink(image, text_rect)
    assert pixels, "nothing drawn"
    left, right = min(x for x, _ in pixels), max(x for x, _ in pixels)

    def height(x0: int, x1: int) -> int:
        ys = [y for x, y in pixels if x0 <= x <= x1]
        return max(ys) - min(ys) + 1 if ys else 0

    # "…" is three dots on the baseline: short ink. Ethiopic letters are tall.
    assert height(right - 6, right) <= 4, "no ellipsis at the right end"
    assert height(left, left + 6) > 6, "the text does not start at the left"


# --- a path in the About box ------------------------------------------------------------------


def test_the_about_box_shows_the_data_folder_left_to_right_in_an_urdu_interface(urdu, qtbot,
                                                                               tmp_path):
    from PySide6.QtWidgets import QTextBrowser

    from ui.dialogs.about import about_dialog

    folder = tmp_path / "qalam-data"
    dialog = about_dialog(folder, None)
    qtbot.addWidget(dialog)
    document = dialog.findChild(QTextBrowser, "aboutText").document()
    path = str(folder)
    block = document.begin()
    while block.isValid() and path not in block.text():
        block = block.next()
    assert block.isValid()
    assert block.layout().textOption().textDirection() == Qt.RightToLeft  # an Urdu paragraph
    start = block.text().index(path)
    glyphs = []  # (line, x, is a slash) of every glyph drawn for the path
    for run in block.layout().glyphRuns(start, len(path)):
        slash = run.rawFont().glyphIndexesForString("/")[0]
        glyphs += [(position.y(), position.x(), glyph == slash)
                   for glyph, position in zip(run.glyphIndexes(), run.positions(), strict=True)]
    glyphs.sort()  # a long path wraps (a longer temporary folder did): line by line, then x
    first_line = [glyph for glyph in glyphs if glyph[0] == glyphs[0][0]]
    last_line = [glyph for glyph in glyphs if glyph[0] == glyphs[-1][0]]
    assert first_line[0][2] and not last_line[-1][2], "the path's leading / is not at its left"


def test_progress_figures_start_where_an_urdu_line_starts(urdu, qtbot, tmp_path):
    from ui.operations import Context
    from ui.screens.progress import ProgressScreen

    with Store.open(paths.database_path(tmp_path)):
        pass
    reader = Store.open(paths.database_path(tmp_path), readonly=True)
    screen = ProgressScreen(Context(reader, None, None, None))
    qtbot.addWidget(screen)
    for value in (screen.points, screen.rated):
        value.setText(formatting.format_integer(7))
        value.resize(200, value.sizeHint().height())
        xs = [x for x, _y in ink(grab(value))]
        assert xs and min(xs) > 100, "a figure sits at the left of an Urdu line"
    reader.close()
