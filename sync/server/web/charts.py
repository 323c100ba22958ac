"""Server-rendered SVG bar charts: no script, a few hundred bytes a row, mirrored for RTL.

    chart = bar_chart([Bar("urd_Arab", "اردو", [("accepted", 61), ("submitted", 19)],
                           marker=50)], direction="rtl")
    page.render("overview.html", chart=chart)      # templates/chart.svg draws it

Each bar is a stack of segments (a CSS class per series, so the legend and the bars share
colours); an optional marker draws a tick, e.g. the per-language export gate. Under
``direction="rtl"`` the labels sit on the right and bars grow leftwards, as a reader of
Arabic or Urdu expects.
"""

from __future__ import annotations

from dataclasses import dataclass, field

WIDTH = 720
LABEL = 170       # the label column
ROW = 24
BAR = 16
VALUE = 70        # room for the total after the bar


@dataclass(frozen=True)
class Bar:
    key: str
    label: str
    segments: list[tuple[str, int]]      # (series, value), drawn in this order
    marker: int | None = None
    label_lang: str = ""


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    width: float
    series: str
    value: int


@dataclass
class Row:
    bar: Bar
    y: float
    label_x: float
    value_x: float
    total: int
    rects: list[Rect] = field(default_factory=list)
    marker_x: float | None = None


@dataclass
class Chart:
    width: int
    height: int
    rows: list[Row]
    label_anchor: str
    value_anchor: str
    bar_height: int = BAR


def bar_chart(bars: list[Bar], *, direction: str = "ltr") -> Chart:
    """Lay out ``bars`` (one row each) for templates/chart.svg."""
    rtl = direction == "rtl"
    top = max([sum(v for _, v in b.segments) for b in bars]
              + [b.marker or 0 for b in bars] + [1])
    span = WIDTH - LABEL - VALUE - 16
    rows = []
    for index, bar in enumerate(bars):
        y = 4 + index * ROW
        start = LABEL + 8
        total = sum(value for _, value in bar.segments)
        row = Row(bar, y, label_x=0, value_x=0, total=total)
        offset = 0.0
        for series, value in bar.segments:
            width = span * value / top
            x = start + offset
            row.rects.append(Rect(_mirror(x, width, rtl), y, width, series, value))
            offset += width
        row.label_x = WIDTH - LABEL if rtl else LABEL
        end = start + offset + 6
        row.value_x = WIDTH - end if rtl else end
        if bar.marker:
            mark = start + span * bar.marker / top
            row.marker_x = WIDTH - mark if rtl else mark
        rows.append(row)
    # The SVG takes the page's direction, and SVG anchors are relative to it ("end" is the
    # left edge in right-to-left text): the same anchors serve both directions.
    return Chart(WIDTH, 8 + ROW * len(bars), rows, label_anchor="end", value_anchor="start")


def _mirror(x: float, width: float, rtl: bool) -> float:
    return WIDTH - x - width if rtl else x
