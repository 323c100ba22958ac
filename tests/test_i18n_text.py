"""Display formatting for the UI locale, and bidi isolation of inserted values."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QImage
from PySide6.QtWidgets import QLabel

from i18n import formatting
from i18n.bidi import FSI, PDI, format_message, isolate, strip_isolates
from ui.fonts import families_for_script, register_bundled_fonts


@pytest.fixture(autouse=True)
def english_afterwards():
    yield
    formatting.configure("en")


@pytest.mark.parametrize(
    ("tag", "number", "percent"),
    [
        ("fa", "۱۲٬۳۴۵٫۵", "۴۲"),     # Persian: extended Arabic-Indic digits
        ("bn", "১২,৩৪৫.৫", "৪২"),     # Bengali digits
        ("ar-EG", "١٢٬٣٤٥٫٥", "٤٢"),  # Arabic in Egypt: Arabic-Indic digits
        ("my", "၁၂,၃၄၅.၅", "၄၂"),     # Burmese digits
        ("ar", "12,345.5", "42"),     # Arabic without a region: CLDR says Latin digits
        ("ur", "12,345.5", "42"),
        ("hi", "12,345.5", "42"),
        ("fr", "12\u202f345,5", "42"),
    ],
)
def test_numbers_use_the_locales_own_digits(tag, number, percent):
    formatting.configure(tag)
    assert formatting.format_number(12345.5) == number
    assert formatting.format_percent(0.42).startswith(percent) or percent in (
        formatting.format_percent(0.42)
    )


def test_native_digits_can_be_turned_off():
    formatting.configure("fa", native_digits=False)
    assert formatting.format_number(12345.5) == "12,345.5"
    assert formatting.format_date(dt.date(2026, 3, 4)).isascii() is False  # month name stays
    assert all(not c.isdigit() or c.isascii() for c in formatting.format_date(dt.date(2026, 3, 4)))


@pytest.mark.parametrize("value", [0, 7, -7, 999, 1000, -1234567, 12345678901])
def test_english_integers_read_as_babel_writes_them(value):
    from babel.numbers import format_decimal

    formatting.configure("en")
    assert formatting.format_integer(value) == format_decimal(value, locale="en")


def test_dates_in_the_ui_locale():
    formatting.configure("fr")
    assert formatting.format_date(dt.date(2026, 3, 4)) == "4 mars 2026"
    formatting.configure("bn")
    assert formatting.format_date(dt.date(2026, 3, 4)).startswith("৪")


def test_formatting_is_display_only():
    formatting.configure("fa")
    value = 1234
    shown = formatting.format_integer(value)
    assert shown == "۱٬۲۳۴" and value == 1234 and str(value) == "1234"


def test_every_inserted_value_is_isolated():
    assert isolate(42) == f"{FSI}42{PDI}"
    text = format_message("{name} sent {count} items in {language}", name="علي", count=3,
                          language="اردو")
    assert text == f"{FSI}علي{PDI} sent {FSI}3{PDI} items in {FSI}اردو{PDI}"
    assert strip_isolates(text) == "علي sent 3 items in اردو"


def _render(label: QLabel) -> QImage:
    image = QImage(label.size(), QImage.Format_ARGB32)
    image.fill(Qt.white)
    label.render(image)
    return image


@pytest.mark.parametrize(
    ("template", "value", "script"),
    [
        ("Writing in {language}", "اردو", "Latn"),
        ("Writing in {language}", "हिन्दी", "Latn"),
        ("متصل بـ {server}", "example.org", "Arab"),
        ("{count} waiting to sync", "12", "Latn"),
    ],
)
def test_isolation_marks_are_invisible_with_the_bundled_fonts(qtbot, template, value, script):
    """FSI/PDI are default-ignorable: no font needs a glyph for them and Qt's shaper drops
    them, so no box is drawn, even though the Noto fonts have no cmap entry for them."""
    register_bundled_fonts()
    font = QFont()
    font.setFamilies(families_for_script(script))
    font.setPointSize(14)
    plain = template.format(language=value, server=value, count=value)
    isolated = format_message(template, language=value, server=value, count=value)
    images = []
    for text in (plain, isolated):
        label = QLabel(text)
        label.setFont(font)
        label.setTextFormat(Qt.PlainText)
        label.resize(600, 60)
        qtbot.addWidget(label)
        images.append(_render(label))
    blank = QImage(images[0].size(), QImage.Format_ARGB32)
    blank.fill(Qt.white)
    assert images[0] != blank  # something was drawn...
    assert images[0] == images[1]  # ...and the marks added nothing to it
    assert QLabel(isolated).fontMetrics().horizontalAdvance(isolated) == QLabel(
        plain
    ).fontMetrics().horizontalAdvance(plain)
