"""Progress you would rather look at than read: the annotator's contributions over time and
their place on the leaderboard, drawn with QPainter, mirrored in right-to-left interfaces,
drawn in the bundled fonts, with a sentence saying the same; and task lists that say how much
is left ("12 of 20 done")."""

import datetime as dt
import unicodedata

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QColor, QImage, QRawFont
from PySide6.QtWidgets import QWidget

from app import paths
from app.contributions import Period, period_start, task_list_progress, timeline
from app.store import Store
from i18n import catalogs, languages
from i18n.bidi import strip_isolates
from sync.protocol import Leaderboard, LeaderboardRow
from ui.charts import KIND_COLOURS, ContributionChart, PlaceChart, nice_step

UTC = dt.UTC
PK = dt.timezone(dt.timedelta(hours=5))      # Pakistan: an evening in UTC is the next day
TODAY = dt.date(2026, 3, 12)                 # a Thursday


def submit_at(store: Store, when: str, *, kind="original", language="urd_Arab",
              task_id=None) -> str:
    """Write and submit an item, then date its submission ``when`` (ISO, UTC)."""
    original = "سوال پرانا" if kind in ("reannotation", "postedit") else None
    item = store.new_submission(language=language, kind=kind, task_id=task_id,
                                original_inputs=original, original_targets=original)
    if kind == "reannotation":
        store.rate(item.id, field="inputs", value=1)
        store.rate(item.id, field="targets", value=1)
    store.save_draft(item.id, inputs="سوال نیا", targets="جواب نیا")
    store.submit(item.id)
    store.db.execute("UPDATE submissions SET submitted_at = ? WHERE id = ?", [when, item.id])
    return item.id


# --- counting (app.contributions) ------------------------------------------------------------


def test_contributions_are_counted_per_local_day_and_kind_drafts_never(store: Store):
    submit_at(store, "2026-03-12T08:00:00.000Z")
    submit_at(store, "2026-03-12T09:00:00.000Z", kind="reannotation")
    submit_at(store, "2026-03-11T19:30:00.000Z")            # 00:30 on the 12th in Pakistan
    submit_at(store, "2026-02-01T08:00:00.000Z")            # before the span
    store.new_submission(language="urd_Arab", inputs="مسودہ", targets="مسودہ")  # a draft
    days = timeline(store, unit="day", periods=3, today=TODAY, tz=PK)
    assert [d.start for d in days] == [dt.date(2026, 3, 10), dt.date(2026, 3, 11), TODAY]
    assert days[-1].counts == {"original": 2, "reannotation": 1, "review": 0, "postedit": 0}
    assert days[-1].total == 3 and days[0].total == days[1].total == 0
    in_utc = timeline(store, unit="day", periods=3, today=TODAY, tz=UTC)
    assert [d.total for d in in_utc] == [0, 1, 2]


def test_weeks_start_on_the_locales_first_day(store: Store):
    submit_at(store, "2026-03-08T10:00:00.000Z")  # a Sunday
    monday_weeks = timeline(store, unit="week", periods=2, today=TODAY, tz=UTC)
    assert [w.start for w in monday_weeks] == [dt.date(2026, 3, 2), dt.date(2026, 3, 9)]
    assert [w.total for w in monday_weeks] == [1, 0]
    sunday_weeks = timeline(store, unit="week", periods=2, today=TODAY, tz=UTC,
                            first_weekday=6)
    assert [w.start for w in sunday_weeks] == [dt.date(2026, 3, 1), dt.date(2026, 3, 8)]
    assert [w.total for w in sunday_weeks] == [0, 1]
    assert period_start(TODAY, "week", 5) == dt.date(2026, 3, 7)   # weeks from Saturday


def test_a_review_counts_and_its_further_improvement_counts_with_it(store: Store):
    store.add_tasks([{"id": "v", "kind": "review", "language": "arb_Arab",
                      "original_inputs": "سؤال", "original_targets": "جواب",
                      "inputs": "سؤال أوضح", "targets": "جواب أكمل", "author": "peer",
                      "review_of": "peer-sub"}])
    store.set_user_id("me")
    review = store.save_review("v", rating_inputs=4, rating_targets=5)
    improvement = store.start_improvement(review.id)
    store.save_draft(improvement.id, inputs="سؤال أوضح جدا", targets="جواب أكمل بكثير")
    store.submit_review(review.id)
    (today,) = timeline(store, unit="day", periods=1)
    assert today.counts["review"] == 1 and today.total == 1


def test_task_list_progress_counts_done_tasks_of_the_whole_list(store: Store):
    store.add_tasks([{"id": f"t{i}", "kind": "original", "language": "urd_Arab",
                      "instructions": f"موضوع {i}"} for i in range(5)])
    submit_at(store, "2026-03-12T08:00:00.000Z", task_id="t0")
    submit_at(store, "2026-03-12T08:00:00.000Z", task_id="t1")
    store.new_submission(language="urd_Arab", task_id="t2", inputs="ابھی", targets="")
    reopened = submit_at(store, "2026-03-12T08:00:00.000Z", task_id="t3")
    store.reopen(reopened)
    assert task_list_progress(store, kind="original", language="urd_Arab") == (2, 5)
    assert task_list_progress(store, kind="original", language="hin_Deva") == (0, 0)


def test_review_progress_leaves_out_own_work_as_the_list_does(store: Store):
    store.set_user_id("me")
    review = {"kind": "review", "language": "arb_Arab", "original_inputs": "سؤال",
              "original_targets": "جواب", "inputs": "سؤال أوضح", "targets": "جواب أكمل"}
    store.add_tasks([{**review, "id": "a", "author": "peer"},
                     {**review, "id": "b", "author": "peer"},
                     {**review, "id": "mine", "author": "me"}])
    done = store.save_review("a", rating_inputs=4, rating_targets=4)
    store.submit_review(done.id)
    store.save_review("b", rating_inputs=3)  # a draft review is not done
    progress = task_list_progress(store, kind="review", language="arb_Arab")
    assert progress == (1, len(store.review_tasks(language="arb_Arab"))) == (1, 2)


# --- the charts, drawn ------------------------------------------------------------------------


def periods(totals: list[int]) -> list[Period]:
    start = TODAY - dt.timedelta(days=len(totals) - 1)
    return [Period(start + dt.timedelta(days=i), {"original": n, "reannotation": 0,
                                                   "review": 0, "postedit": 0})
            for i, n in enumerate(totals)]


def chart_in(qtbot, direction, totals) -> ContributionChart:
    chart = ContributionChart()
    qtbot.addWidget(chart)
    chart.setLayoutDirection(direction)
    chart.resize(420, 180)
    chart.set_periods(periods(totals), "day")
    return chart


def test_time_runs_in_reading_order_newest_bar_last(qtbot):
    chart = chart_in(qtbot, Qt.LeftToRight, [1, 0, 3, 5])
    bars = chart.bar_rects()
    assert [b.center().x() for b in bars] == sorted(b.center().x() for b in bars)
    assert chart.axis_rect().right() <= min(b.left() for b in bars)   # axis on the left
    assert bars[-1].height() > bars[0].height() > 0 and bars[1].height() == 0


def test_in_rtl_the_newest_bar_is_on_the_left_and_the_axis_on_the_right(qtbot):
    chart = chart_in(qtbot, Qt.RightToLeft, [1, 0, 3, 5])
    bars = chart.bar_rects()
    assert [b.center().x() for b in bars] == sorted((b.center().x() for b in bars),
                                                    reverse=True)
    assert bars[-1].center().x() < chart.width() / 2 < bars[0].center().x()
    assert chart.axis_rect().left() >= max(b.right() for b in bars)   # axis on the right
    assert chart.axis_rect().right() == pytest.approx(chart.width())


@pytest.mark.parametrize("direction", [Qt.LeftToRight, Qt.RightToLeft])
def test_the_bars_are_painted_where_the_geometry_says(qtbot, direction):
    chart = chart_in(qtbot, direction, [0, 2, 0, 6])
    image = QImage(chart.size(), QImage.Format_ARGB32)
    image.fill(QColor("white"))
    chart.render(image)
    newest = chart.bar_rects()[-1]
    assert image.pixelColor(newest.center().toPoint()) == QColor(KIND_COLOURS["original"])
    empty_slot = chart.bar_rects()[2]
    assert image.pixelColor(QPoint(int(empty_slot.center().x()), int(newest.center().y()))) \
        != QColor(KIND_COLOURS["original"])


def test_the_chart_says_what_it_draws(qtbot):
    chart = chart_in(qtbot, Qt.LeftToRight, [1, 0, 3, 5])
    summary = strip_isolates(chart.summary())
    assert summary.startswith("Last 4 days: 9 items done.")
    assert "Write: 9" in summary and "Most:" in summary
    assert chart.accessibleName() == "Your contributions over time"
    assert chart.accessibleDescription() == chart.summary()
    tip = chart.tip_at(QPointF(chart.bar_rects()[-1].center()))
    assert tip is not None and "5" in strip_isolates(tip)
    empty = chart_in(qtbot, Qt.LeftToRight, [0, 0])
    assert strip_isolates(empty.summary()) == "Last 2 days: 0 items done."


def test_nice_steps_are_round():
    assert [nice_step(n) for n in (0, 3, 4, 9, 40, 75, 1200)] == [1, 1, 1, 5, 10, 20, 500]


def board(me_rank=2) -> Leaderboard:
    rows = [LeaderboardRow(rank=1, user_id="bola", name="Bola", points=40, contributions=9),
            LeaderboardRow(rank=2, user_id="me", name="امینہ", points=10, contributions=3)]
    return Leaderboard(period="week", rows=rows if me_rank == 2 else rows[:1],
                       me=rows[1].model_copy(update={"rank": me_rank}))


@pytest.mark.parametrize("direction", [Qt.LeftToRight, Qt.RightToLeft])
def test_the_place_chart_grows_bars_from_the_reading_edge(qtbot, direction):
    place = PlaceChart()
    qtbot.addWidget(place)
    place.setLayoutDirection(direction)
    place.resize(300, 100)
    place.set_board(board(), "me")
    leader, mine = place.bar_rects()
    assert leader.width() > mine.width() > 0
    if direction == Qt.RightToLeft:
        assert leader.right() == pytest.approx(mine.right()) and mine.right() > 150
    else:
        assert leader.left() == pytest.approx(mine.left()) and mine.left() < 150
    assert strip_isolates(place.summary()) == \
        "You are at rank 2 with 10 points; Bola leads with 40."


def test_my_place_outside_the_top_is_drawn_after_it(qtbot):
    place = PlaceChart()
    qtbot.addWidget(place)
    place.set_board(board(me_rank=41), "me")
    assert [r.rank for r in place.rows] == [1, 41]
    assert "41" in strip_isolates(place.summary())


# --- in the window, right to left, in the bundled fonts ----------------------------------------


@pytest.fixture
def worked(tmp_path):
    with Store.open(paths.database_path(tmp_path)) as store:
        store.set_user_id("me")
        today = dt.datetime.now(UTC)
        for back, count in ((0, 3), (1, 1), (5, 2)):
            for _ in range(count):
                submit_at(store, (today - dt.timedelta(days=back)).isoformat(
                    timespec="milliseconds").replace("+00:00", "Z"))
    return tmp_path


def open_progress(qtbot, open_app, data_dir, ui_language):
    window = open_app(data_dir, ui_language=ui_language, active=True)
    qtbot.keyClick(window, Qt.Key_6, Qt.ControlModifier)
    screen = window.screens["progress"]
    qtbot.waitUntil(lambda: screen.chart.periods != [], timeout=5000)
    return window, screen


def test_the_progress_screen_in_urdu_draws_time_from_right_to_left(qtbot, open_app, worked):
    window, screen = open_progress(qtbot, open_app, worked, "ur")
    chart = screen.chart
    assert window.layoutDirection() == Qt.RightToLeft and chart.rtl()
    assert len(chart.periods) == 14 and chart.periods[-1].total == 3
    bars = chart.bar_rects()
    assert bars[-1].center().x() < bars[0].center().x()            # newest on the left
    assert chart.axis_rect().center().x() > chart.width() / 2       # the axis on the right
    assert chart.accessibleName() and chart.accessibleName() != "Your contributions over time"
    assert screen.chart_summary.text() == chart.summary() != ""
    qtbot.mouseClick(screen.findChild(type(screen.units.buttons()[0]), "unit_week"),
                     Qt.LeftButton)
    assert chart.unit == "week" and len(chart.periods) == 12 and chart.periods[-1].total >= 3


@pytest.mark.parametrize("tag", ["ur", "hi", "am", "my"])
def test_what_the_charts_draw_has_glyphs_in_the_bundled_fonts(qtbot, open_app, worked, tag):
    from ui.fonts import BUNDLED_FONTS, FONT_DIR, NOTO_SANS, families_for_script

    _window, screen = open_progress(qtbot, open_app, worked, tag)
    screen.units.buttons()[1].setChecked(True)  # weeks: "Week of …" dates too
    texts = [*screen.chart.drawn_texts(), screen.chart.summary(), screen.chart.title()]
    script = languages.resolve(catalogs.get(tag).babel).script
    raw = {f.family: QRawFont(str(FONT_DIR / f.file), 12) for f in BUNDLED_FONTS}
    chain = [raw[f] for f in [*families_for_script(script), NOTO_SANS] if f in raw]
    missing = {c for text in texts for c in text
               if not (c.isspace() or unicodedata.category(c) in ("Cc", "Cf", "Mn"))
               and not any(font.supportsCharacter(ord(c)) for font in chain)}
    assert missing == set(), f"{tag}: " + ", ".join(f"U+{ord(c):04X}" for c in missing)


# --- what is left, where a person picks tasks ---------------------------------------------------


def test_the_task_list_says_how_much_is_done_and_follows_a_submit(qtbot, open_app, tmp_path):
    from PySide6.QtWidgets import QLabel

    from tests.keys import type_text

    with Store.open(paths.database_path(tmp_path)) as store:
        store.add_tasks([{"id": f"w{i}", "kind": "original", "language": "swh_Latn",
                          "instructions": f"Andika kuhusu mada {i}"} for i in range(3)])
    window = open_app(tmp_path, active=True)
    window.set_language("swh_Latn")
    qtbot.keyClick(window, Qt.Key_1, Qt.ControlModifier)
    screen = window.screens["write"]
    label = screen.findChild(QLabel, "taskListProgressText")
    qtbot.waitUntil(lambda: strip_isolates(label.text()) == "0 of 3 done")
    assert label.isVisible()
    screen.task_view.step(+1)                                  # opens the first topic
    editor = screen.editor
    qtbot.waitUntil(lambda: editor.submission is not None and editor.prompt.hasFocus())
    type_text(editor.prompt, "Habari gani?")
    editor.completion.setFocus()
    type_text(editor.completion, "Nzuri sana.")
    qtbot.keyClick(editor.completion, Qt.Key_Return, Qt.ControlModifier)
    qtbot.waitUntil(lambda: strip_isolates(label.text()) == "1 of 3 done", timeout=5000)
    bar = screen.findChild(QWidget, "taskListProgressBar")
    assert (bar.value(), bar.maximum()) == (1, 3)
    assert strip_isolates(bar.accessibleName()) == "1 of 3 done"


def test_done_counts_use_the_catalogs_plurals(qtbot):
    from i18n.translation import install
    from ui.models import TaskListModel

    model = TaskListModel.__new__(TaskListModel)  # only its wording, no store
    model._done, model._total = 2, 5
    try:
        install("ur")
        urdu = strip_isolates(model.progress_text())
    finally:
        install("en")
    assert "2" in urdu and "5" in urdu and urdu != "2 of 5 done"
