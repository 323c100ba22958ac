"""Small charts drawn with Qt itself (QPainter; no chart library): progress to look at.

    chart = ContributionChart()
    chart.set_periods(timeline(store, unit="day", periods=14), "day")   # app.contributions
    chart.summary()        # the same facts as one sentence: the text alternative

    place = PlaceChart()
    place.set_board(board, my_user_id)    # a sync.protocol.Leaderboard: bars of points

    TaskListProgress(task_model)          # "12 of 20 done" and a thin bar, under a task list

Every chart follows the layout direction: in a right-to-left interface time runs from right
to left (the newest bar on the left), the value axis sits on the right and bars of points
grow leftwards. Text is drawn in the widget's font, which is the bundled font for the
interface's script (ui.ui_locale), with numbers and dates in the UI locale
(i18n.formatting). Each chart has an accessible name, and its accessible description (and
the sentence shown under it) says what it draws, for screen readers and for anyone who would
rather read.
"""

from __future__ import annotations

import datetime as _dt
import math

from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPalette, QPen, QPixmap
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QSizePolicy,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from app.contributions import Period
from app.kinds import TASK_KINDS
from i18n import formatting
from i18n.bidi import format_message
from i18n.translation import _, current_locale, ngettext, pgettext
from ui.models import KIND_NAMES

KIND_ORDER = TASK_KINDS  # the legend and the bars follow the kinds' own order
# Okabe–Ito colours: told apart with the common colour-vision deficiencies, and each kind is
# also named in the legend, the tooltips and the text alternative.
KIND_COLOURS = {"original": "#0072B2", "reannotation": "#E69F00", "review": "#009E73",
                "postedit": "#CC79A7"}
GAP = 4  # px between the plot and its labels


def short_date(day: _dt.date) -> str:
    """"3 Mar" / "٣ مارچ" / "3 मार्च": day and month in the UI locale (CLDR's MMMd)."""
    from babel import Locale, UnknownLocaleError
    from babel.dates import format_skeleton

    tag = {"en-XA": "en", "ar-XB": "ar"}.get(current_locale(), current_locale())
    try:
        locale = Locale.parse(tag.replace("-", "_"))
    except (ValueError, UnknownLocaleError):
        locale = Locale("en")
    return formatting.native(format_skeleton("MMMd", day, locale=locale))


def kind_list(counts: dict[str, int]) -> str:
    """"Write: 2, Improve: 5": each kind and its count, in the UI language."""
    # Translators: between the items of a list, as in "Write: 2, Improve: 5".
    separator = pgettext("list separator", ", ")
    return separator.join(
        format_message(_("{kind}: {count}"), kind=_(KIND_NAMES[kind]),
                       count=formatting.format_integer(count))
        for kind, count in counts.items())


def nice_step(maximum: int, ticks: int = 4) -> int:
    """A round step (1, 2, 5 × 10^k) giving at most ``ticks`` gridlines up to ``maximum``."""
    raw = max(1, maximum) / ticks
    power = 10 ** math.floor(math.log10(raw)) if raw >= 1 else 1
    for factor in (1, 2, 5, 10):
        if factor * power >= raw:
            return max(1, int(factor * power))
    return max(1, int(10 * power))


def legend(parent: QWidget | None = None) -> QWidget:
    """The kinds and their colours, as real labels (read by screen readers, mirrored by the
    layout like any other row of widgets)."""
    row = QWidget(parent, objectName="chartLegend")
    layout = QHBoxLayout(row)
    layout.setContentsMargins(0, 0, 0, 0)
    for kind in KIND_ORDER:
        swatch = QPixmap(12, 12)
        swatch.fill(QColor(KIND_COLOURS[kind]))
        icon = QLabel()
        icon.setPixmap(swatch)
        icon.setAccessibleName("")
        layout.addWidget(icon)
        layout.addWidget(QLabel(_(KIND_NAMES[kind]), objectName=f"legend_{kind}"))
        layout.addSpacing(8)
    layout.addStretch(1)
    return row


class _Chart(QWidget):
    """What both charts share: direction, a sentence for those who read, tooltips."""

    def __init__(self, accessible_name: str, parent=None):
        super().__init__(parent)
        self.setAccessibleName(accessible_name)
        self.setFocusPolicy(Qt.TabFocus)  # reachable, so a screen reader reads its sentence
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Expanding)

    def rtl(self) -> bool:
        return self.layoutDirection() == Qt.RightToLeft

    def summary(self) -> str:
        raise NotImplementedError

    def tip_at(self, point: QPointF) -> str | None:
        return None

    def _described(self) -> None:
        self.setAccessibleDescription(self.summary())
        self.update()

    def event(self, event) -> bool:
        if event.type() == QEvent.ToolTip:
            tip = self.tip_at(QPointF(event.pos()))
            if tip:
                QToolTip.showText(event.globalPos(), tip, self)
            else:
                QToolTip.hideText()
                event.ignore()
            return True
        if event.type() == QEvent.LayoutDirectionChange:
            self.update()
        return super().event(event)

    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.Antialiasing)
        painter.setLayoutDirection(self.layoutDirection())
        painter.setFont(self.font())
        try:
            self._paint(painter)
        finally:
            painter.end()

    def _paint(self, painter: QPainter) -> None:
        raise NotImplementedError


class ContributionChart(_Chart):
    """Stacked bars of items done per day or week, one colour per kind, oldest to newest in
    reading order."""

    def __init__(self, parent=None):
        super().__init__(_("Your contributions over time"), parent)
        self.setObjectName("contributionChart")
        self.periods: list[Period] = []
        self.unit = "day"

    def set_periods(self, periods: list[Period], unit: str) -> None:
        self.periods, self.unit = list(periods), unit
        self._described()

    def sizeHint(self) -> QSize:
        return QSize(420, 170)

    def minimumSizeHint(self) -> QSize:
        return QSize(200, 110)

    # --- geometry (tests measure these) ----------------------------------------------------

    def _maximum(self) -> int:
        return max((p.total for p in self.periods), default=0)

    def _step(self) -> int:
        return nice_step(self._maximum())

    def _top(self) -> int:
        step = self._step()
        return max(step, math.ceil(max(1, self._maximum()) / step) * step)

    def _tick_labels(self) -> list[tuple[int, str]]:
        step = self._step()
        return [(value, formatting.format_integer(value))
                for value in range(0, self._top() + 1, step)]

    def axis_rect(self) -> QRectF:
        """Where the value axis's labels are: left of the bars, right of them in RTL."""
        metrics = self.fontMetrics()
        width = max(metrics.horizontalAdvance(text) for _value, text in self._tick_labels()) + GAP
        height = self.height() - metrics.height() - GAP
        x = self.width() - width if self.rtl() else 0
        return QRectF(x, 0, width, height)

    def plot_rect(self) -> QRectF:
        axis = self.axis_rect()
        top = self.fontMetrics().height() / 2  # room for the top tick's label
        if self.rtl():
            return QRectF(GAP, top, axis.left() - GAP, axis.height() - top)
        return QRectF(axis.right(), top, self.width() - axis.right() - GAP,
                      axis.height() - top)

    def bar_rects(self) -> list[QRectF]:
        """Each period's whole bar (all kinds), oldest first, wherever it is drawn."""
        if not self.periods:
            return []
        plot, count = self.plot_rect(), len(self.periods)
        slot = plot.width() / count
        width = max(2.0, slot * 0.7)
        rects = []
        for index, period in enumerate(self.periods):
            place = count - 1 - index if self.rtl() else index
            height = plot.height() * period.total / self._top()
            x = plot.left() + slot * place + (slot - width) / 2
            rects.append(QRectF(x, plot.bottom() - height, width, height))
        return rects

    def _slot(self, index: int) -> QRectF:
        plot, count = self.plot_rect(), len(self.periods)
        slot = plot.width() / count
        place = count - 1 - index if self.rtl() else index
        return QRectF(plot.left() + slot * place, plot.top(), slot, plot.height())

    # --- words ---------------------------------------------------------------------------

    def period_label(self, period: Period) -> str:
        return short_date(period.start)

    def period_text(self, period: Period) -> str:
        """One bar in words: "Week of 3 Mar: 7 — Write: 2, Improve: 5"."""
        if self.unit == "week":
            when = format_message(_("Week of {date}"), date=short_date(period.start))
        else:
            when = formatting.format_date(period.start)
        count = formatting.format_integer(period.total)
        kinds = {k: period.counts.get(k, 0) for k in KIND_ORDER if period.counts.get(k)}
        if not kinds:
            return format_message(_("{period}: {count}"), period=when, count=count)
        return format_message(_("{period}: {count} — {kinds}"), period=when, count=count,
                              kinds=kind_list(kinds))

    def title(self) -> str:
        count = len(self.periods)
        if self.unit == "week":
            template = ngettext("Last {count} week", "Last {count} weeks", count)
        else:
            template = ngettext("Last {count} day", "Last {count} days", count)
        return format_message(template, count=formatting.format_integer(count))

    def summary(self) -> str:
        """The chart as sentences: the span and its total, the total per kind, the busiest
        period."""
        total = sum(p.total for p in self.periods)
        done = format_message(ngettext("{count} item done.", "{count} items done.", total),
                              count=formatting.format_integer(total))
        sentences = [format_message(_("{span}: {done}"), span=self.title(), done=done)]
        if total:
            per_kind = {k: sum(p.counts.get(k, 0) for p in self.periods) for k in KIND_ORDER}
            sentences.append(format_message(_("By kind: {kinds}."), kinds=kind_list(per_kind)))
            busiest = max(reversed(self.periods), key=lambda p: p.total)  # the latest of ties
            sentences.append(format_message(_("Most: {period}."),
                                            period=self.period_text(busiest)))
        return " ".join(sentences)

    def tip_at(self, point: QPointF) -> str | None:
        for index, period in enumerate(self.periods):
            if self._slot(index).contains(point):
                return self.period_text(period)
        return None

    def drawn_texts(self) -> list[str]:
        """Every text the chart draws (tests check the bundled fonts have their glyphs)."""
        return [text for _value, text in self._tick_labels()] + [
            self.period_label(p) for p in self.periods] + [self.empty_text()]

    def empty_text(self) -> str:
        return _("Nothing submitted in this time yet.")

    # --- drawing -------------------------------------------------------------------------

    def _paint(self, painter: QPainter) -> None:
        palette = self.palette()
        plot = self.plot_rect()
        if plot.width() < 4 or plot.height() < 4:
            return
        text_colour = palette.color(QPalette.WindowText)
        grid = QColor(text_colour)
        grid.setAlpha(50)
        axis = self.axis_rect()
        metrics = self.fontMetrics()
        for value, text in self._tick_labels():
            y = plot.bottom() - plot.height() * value / self._top()
            painter.setPen(QPen(grid, 1))
            painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
            painter.setPen(text_colour)
            label = QRectF(axis.left(), y - metrics.height() / 2, axis.width() - GAP,
                           metrics.height())
            if self.rtl():
                label.translate(GAP, 0)
            # Toward the bars: right-aligned in LTR, left-aligned in RTL (AlignLeading/Trailing
            # follow the painter's layout direction).
            painter.drawText(label, int(Qt.AlignTrailing | Qt.AlignVCenter), text)
        for period, rect in zip(self.periods, self.bar_rects(), strict=True):
            self._paint_stack(painter, period, rect)
        self._paint_dates(painter, plot)
        if not any(p.total for p in self.periods):
            painter.setPen(text_colour)
            painter.drawText(plot, int(Qt.AlignCenter | Qt.TextWordWrap), self.empty_text())

    def _paint_stack(self, painter: QPainter, period: Period, rect: QRectF) -> None:
        if not period.total:
            return
        painter.setPen(Qt.NoPen)
        bottom = rect.bottom()
        for kind in KIND_ORDER:
            count = period.counts.get(kind, 0)
            if not count:
                continue
            height = rect.height() * count / period.total
            painter.setBrush(QColor(KIND_COLOURS[kind]))
            painter.drawRect(QRectF(rect.left(), bottom - height, rect.width(), height))
            bottom -= height

    def _paint_dates(self, painter: QPainter, plot: QRectF) -> None:
        """Dates under the bars: the newest always, then every n-th back, as many as fit."""
        if not self.periods:
            return
        metrics = self.fontMetrics()
        labels = [self.period_label(p) for p in self.periods]
        widest = max(metrics.horizontalAdvance(text) for text in labels) + 2 * GAP
        slot = plot.width() / len(self.periods)
        every = max(1, math.ceil(widest / max(slot, 1)))
        painter.setPen(self.palette().color(QPalette.WindowText))
        y = plot.bottom() + GAP
        for index in range(len(self.periods) - 1, -1, -every):
            centre = self._slot(index).center().x()
            left = min(max(0.0, centre - widest / 2), self.width() - widest)  # inside
            box = QRectF(left, y, widest, metrics.height())
            painter.drawText(box, int(Qt.AlignHCenter | Qt.AlignTop), labels[index])


class PlaceChart(_Chart):
    """One leaderboard as bars of points, the annotator's own bar marked and named: where
    they stand, at a glance. Bars start at the reading edge (the right in RTL)."""

    MAX_ROWS = 8

    def __init__(self, parent=None):
        super().__init__(_("Your place on the leaderboard"), parent)
        self.setObjectName("placeChart")
        self.rows = []
        self.me = None

    def set_board(self, board, user_id: str) -> None:
        """``board``: a sync.protocol.Leaderboard, or None (nothing to show)."""
        rows = list(board.rows[:self.MAX_ROWS]) if board is not None else []
        me = board.me if board is not None else None
        mine = [r for r in rows if r.user_id == user_id or (me and r.user_id == me.user_id)]
        if me is not None and not mine:
            rows.append(me)  # the annotator's own place, even outside the top
        self.rows = rows
        self.me = mine[0] if mine else me
        self._described()

    def sizeHint(self) -> QSize:
        return QSize(260, 24 * max(3, len(self.rows)) + 8)

    def minimumSizeHint(self) -> QSize:
        return QSize(160, 80)

    def _is_me(self, row) -> bool:
        return self.me is not None and row.user_id == self.me.user_id

    def row_label(self, row) -> str:
        name = format_message(_("{name} (you)"), name=row.name) if self._is_me(row) else row.name
        return format_message(_("{rank}. {name}"), rank=formatting.format_integer(row.rank),
                              name=name)

    def _label_width(self) -> float:
        metrics = self.fontMetrics()
        widths = [metrics.horizontalAdvance(self.row_label(r)) for r in self.rows]
        return min(max(widths, default=0) + 2 * GAP, self.width() * 0.45)

    def bar_rects(self) -> list[QRectF]:
        """Each row's bar, top to bottom; in RTL they start at the right and grow leftwards."""
        if not self.rows:
            return []
        metrics = self.fontMetrics()
        label_width = self._label_width()
        number_width = max(metrics.horizontalAdvance(formatting.format_integer(r.points))
                           for r in self.rows) + 2 * GAP
        room = max(1.0, self.width() - label_width - number_width - GAP)
        row_height = max(metrics.height() + 6.0, min(28.0, self.height() / len(self.rows)))
        top_points = max(1, max(r.points for r in self.rows))
        rects = []
        for index, row in enumerate(self.rows):
            length = max(2.0, room * row.points / top_points)
            y = index * row_height + 3
            x = self.width() - label_width - length if self.rtl() else label_width
            rects.append(QRectF(x, y, length, row_height - 6))
        return rects

    def summary(self) -> str:
        if not self.rows:
            return _("Nobody has points here yet for this period.")
        leader, me = self.rows[0], self.me
        if me is None:
            return format_message(
                ngettext("{name} leads with {points} point.", "{name} leads with {points} points.",
                         leader.points),
                name=leader.name, points=formatting.format_integer(leader.points))
        if me.rank == 1:
            return format_message(
                ngettext("You lead with {points} point.", "You lead with {points} points.",
                         me.points),
                points=formatting.format_integer(me.points))
        return format_message(
            ngettext("You are at rank {rank} with {points} point; {name} leads with {top}.",
                     "You are at rank {rank} with {points} points; {name} leads with {top}.",
                     me.points),
            rank=formatting.format_integer(me.rank), points=formatting.format_integer(me.points),
            name=leader.name, top=formatting.format_integer(leader.points))

    def tip_at(self, point: QPointF) -> str | None:
        for row, rect in zip(self.rows, self.bar_rects(), strict=True):
            if point.y() >= rect.top() - 3 and point.y() <= rect.bottom() + 3:
                return format_message(
                    ngettext("{name}: {points} point", "{name}: {points} points", row.points),
                    name=row.name, points=formatting.format_integer(row.points))
        return None

    def _paint(self, painter: QPainter) -> None:
        palette = self.palette()
        text = palette.color(QPalette.WindowText)
        highlight = palette.color(QPalette.Highlight)
        other = QColor(text)
        other.setAlpha(90)
        label_width = self._label_width()
        for row, rect in zip(self.rows, self.bar_rects(), strict=True):
            mine = self._is_me(row)
            font = painter.font()
            font.setBold(mine)
            painter.setFont(font)
            painter.setPen(Qt.NoPen)
            painter.setBrush(highlight if mine else other)
            painter.drawRoundedRect(rect, 2, 2)
            painter.setPen(text)
            label_x = self.width() - label_width if self.rtl() else 0
            label = QRectF(label_x, rect.top() - 3, label_width - GAP, rect.height() + 6)
            if self.rtl():
                label.translate(GAP, 0)
            painter.drawText(label, int(Qt.AlignLeading | Qt.AlignVCenter),
                             self.fontMetrics().elidedText(self.row_label(row), Qt.ElideRight,
                                                           int(label.width())))
            number = formatting.format_integer(row.points)
            width = self.fontMetrics().horizontalAdvance(number) + GAP
            x = rect.left() - width if self.rtl() else rect.right() + GAP
            painter.drawText(QRectF(x, rect.top() - 3, width, rect.height() + 6),
                             int(Qt.AlignLeading | Qt.AlignVCenter), number)


class TaskListProgress(QWidget):
    """"12 of 20 done" and a thin bar, under a task list, kept up to date by its model
    (ui.models.TaskListModel's ``progress_changed``)."""

    def __init__(self, model, parent=None):
        super().__init__(parent, objectName="taskListProgress")
        self.model = model
        self.label = QLabel(objectName="taskListProgressText")
        self.bar = QProgressBar(objectName="taskListProgressBar", textVisible=False)
        self.bar.setMaximumHeight(6)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.label)
        layout.addWidget(self.bar)
        model.progress_changed.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        done, total = self.model.progress()
        text = self.model.progress_text()
        self.label.setText(text)
        self.bar.setRange(0, max(total, 1))
        self.bar.setValue(min(done, total))
        self.bar.setAccessibleName(text)
        self.setVisible(total > 0)
