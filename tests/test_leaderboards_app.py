"""Leaderboards on the annotator's side: kept by each sync, shown offline on the Progress
screen (period and language chosen by clicking, the user's own row highlighted), and a server
without leaderboards never fails a sync."""

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QRadioButton
from starlette.responses import JSONResponse

from app import clock, leaderboards, paths, profile
from app.errors import StoreError
from app.store import Store
from i18n import formatting
from i18n.bidi import strip_isolates
from sync import device as sync_device
from sync import protocol
from sync.protocol import Leaderboard, LeaderboardRow, Leaderboards
from sync.server import db
from sync.server.api.factory import create_app
from sync.server.people import server_identity, users
from tests.server.helpers import LiveServer
from tests.sync.live import LANGUAGES, Device, ServerThread

ME, PEER = "u-amina", "u-bola"
POINTS = {"day": 10, "week": 100, "all": 1000}
OFFSET = {None: 0, "urd_Arab": 1, "hin_Deva": 2}


def sample(generated_at="2026-03-02T09:30:00.000Z") -> Leaderboards:
    """Boards whose numbers say which period and language they are: the peer leads with
    POINTS[period] + OFFSET[language] + 5, the user follows 5 points behind."""
    boards = []
    for period in POINTS:
        for language in OFFSET:
            points = POINTS[period] + OFFSET[language]
            rows = [LeaderboardRow(rank=1, user_id=PEER, name="Bola", points=points + 5,
                                   contributions=3, quality_score=4.5),
                    LeaderboardRow(rank=2, user_id=ME, name="امینہ", points=points,
                                   contributions=2, quality_score=None)]
            boards.append(Leaderboard(period=period, language=language, rows=rows,
                                      me=rows[1]))
    return Leaderboards(generated_at=generated_at, boards=boards)


# --- the stored copy --------------------------------------------------------------------------


def test_nothing_stored_before_the_first_sync(store):
    assert leaderboards.last(store) is None


def test_the_newest_answer_replaces_the_last(store):
    leaderboards.store_answer(store, sample("2026-03-01T00:00:00.000Z").model_dump_json(),
                              fetched_at="2026-03-01T00:00:05.000Z")
    newest = sample().model_dump_json()
    leaderboards.store_answer(store, newest)
    kept = leaderboards.last(store)
    assert kept.payload == newest and kept.generated_at == "2026-03-02T09:30:00.000Z"
    assert Leaderboards.model_validate_json(kept.payload) == sample()
    assert kept.fetched_at > "2026-03-01T00:00:05.000Z"


@pytest.mark.parametrize("payload", ["not json", "[]", '{"generated_at": "x"}'])
def test_a_damaged_answer_is_refused_and_the_last_one_kept(store, payload):
    leaderboards.store_answer(store, sample().model_dump_json())
    with pytest.raises(StoreError):
        leaderboards.store_answer(store, payload)
    assert leaderboards.last(store).data["generated_at"] == "2026-03-02T09:30:00.000Z"


# --- over the network -------------------------------------------------------------------------


def test_a_sync_keeps_the_servers_leaderboards(tmp_path):
    with ServerThread(tmp_path / "server.db") as live_server:
        amina = Device.enrolled(tmp_path / "amina", live_server, name="amina")
        amina.write(6, submit_every=1)
        with Store.open(amina.db_path) as store:
            profile.save(store, profile.Profile(country="PK"))
        report = amina.sync()
        assert report.complete and not report.warnings
        with amina.store() as store:
            kept = leaderboards.last(store)
            user_id = store.user_id
            assert profile.pending(store) is None
    answer = Leaderboards.model_validate_json(kept.payload)
    assert {(b.period, b.language) for b in answer.boards} >= {
        (period, None) for period in ("day", "week", "all")}
    overall = next(b for b in answer.boards if b.period == "all" and b.language is None)
    assert overall.me is not None and overall.me.user_id == user_id
    assert overall.rows[0].user_id == user_id and overall.rows[0].points > 0


def older_server(app, *paths):
    """``app`` answering 404, as for any unknown path, on ``paths``."""

    async def asgi(scope, receive, send):
        if scope["type"] == "http" and scope["path"] in paths:
            body = protocol.ErrorBody(code=protocol.ErrorCode.not_found,
                                      message=f"There is nothing at {scope['path']}.")
            await JSONResponse(body.model_dump(mode="json"), status_code=404)(
                scope, receive, send)
            return
        await app(scope, receive, send)

    return asgi


def test_a_server_without_leaderboards_or_profiles_does_not_fail_the_sync(tmp_path):
    """A server that answers 404 on both (older than them): the work syncs, nothing is
    stored, the profile stays pending for a server that has them, and no warning shows."""
    engine = db.create_engine(f"sqlite:///{tmp_path / 'server.db'}")
    db.migrate(engine)
    server_identity.ensure_server_identity(engine)
    app = older_server(create_app(engine), "/v1/leaderboard", "/v1/profile")
    _user, code, _ = users.invite(engine, name="amina", role="annotator",
                                  languages=LANGUAGES)
    try:
        with LiveServer(app) as live_server:
            amina = Device(tmp_path / "amina")
            sync_device.enroll(amina.data_dir, live_server.url, code)
            amina.write(3)
            with Store.open(amina.db_path) as store:
                profile.save(store, profile.Profile(country="PK"))
            report = amina.sync(live_server.url)
    finally:
        engine.dispose()
    assert report.complete and report.acknowledged == 3 and not report.warnings
    with amina.store() as store:
        assert leaderboards.last(store) is None
        assert profile.pending(store) is not None


# --- the Progress screen ----------------------------------------------------------------------


@pytest.fixture
def open_progress(qtbot, open_app, tmp_path):
    """Open the app on a data dir (optionally with stored leaderboards), on Progress."""

    def open_(stored: Leaderboards | None):
        with Store.open(paths.database_path(tmp_path)) as store:
            store.set_user_id(ME)
            if stored is not None:
                leaderboards.store_answer(store, stored.model_dump_json())
        window = open_app(tmp_path, active=True)
        qtbot.keyClick(window, Qt.Key_6, Qt.ControlModifier)
        assert window.current_screen_name() == "progress"
        return window.screens["progress"].leaderboard

    return open_


def rows(panel) -> list[tuple[str, ...]]:
    table = panel.table
    return [tuple(table.item(r, c).text() for c in range(table.columnCount()))
            for r in range(table.rowCount())]


def test_before_the_first_sync_the_screen_says_what_to_expect(qtbot, open_progress):
    panel = open_progress(None)
    qtbot.waitUntil(lambda: panel.empty.text() != "")
    assert panel.stack.currentWidget() is panel.empty
    assert "first sync" in panel.empty.text() and panel.as_of.text() == ""


def test_stored_rows_show_with_my_row_highlighted_and_switch_by_clicking(qtbot, open_progress):
    panel = open_progress(sample())
    qtbot.waitUntil(lambda: panel.table.rowCount() == 2, timeout=5000)
    assert panel.stack.currentWidget() is panel.table
    # This week, all languages: the default.
    assert rows(panel)[0] == ("1", "Bola", "105", "4.5")
    rank, name, points, quality = rows(panel)[1]
    assert (rank, points, quality) == ("2", "100", "–") and "امینہ" in name and "you" in name
    mine = [panel.table.item(1, c) for c in range(4)]
    assert all(item.font().bold() for item in mine)
    assert not panel.table.item(0, 1).font().bold()
    when = formatting.format_datetime(clock.parse("2026-03-02T09:30:00.000Z"))
    assert strip_isolates(panel.as_of.text()) == f"As of {when}" and "2026" in when

    qtbot.mouseClick(panel.findChild(QRadioButton, "period_day"), Qt.LeftButton)
    assert rows(panel)[1][2] == "10"
    qtbot.mouseClick(panel.findChild(QRadioButton, "period_all"), Qt.LeftButton)
    assert rows(panel)[1][2] == "1,000"

    combo = panel.language
    assert combo.itemText(0) == "All languages"
    qtbot.mouseClick(combo, Qt.LeftButton)                     # opens the list
    view = combo.view()
    qtbot.waitUntil(view.isVisible)
    qtbot.wait(QApplication.doubleClickInterval() + 50)  # the popup ignores an instant click
    index = combo.findData("hin_Deva")
    qtbot.mouseClick(view.viewport(), Qt.LeftButton,
                     pos=view.visualRect(view.model().index(index, 0)).center())
    qtbot.waitUntil(lambda: combo.currentData() == "hin_Deva")
    assert rows(panel)[1][2] == "1,002"
    qtbot.mouseClick(panel.findChild(QRadioButton, "period_week"), Qt.LeftButton)
    assert rows(panel)[1][2] == "102" and combo.currentData() == "hin_Deva"


def test_my_place_outside_the_top_is_shown_after_it(qtbot, open_progress):
    stored = sample()
    me = LeaderboardRow(rank=41, user_id=ME, name="امینہ", points=3, contributions=1)
    boards = [b.model_copy(update={"rows": b.rows[:1], "me": me}) for b in stored.boards]
    panel = open_progress(stored.model_copy(update={"boards": boards}))
    qtbot.waitUntil(lambda: panel.table.rowCount() == 2, timeout=5000)
    assert rows(panel)[1][0] == "41" and panel.table.item(1, 1).font().bold()


def test_the_protocol_models_are_what_the_screen_reads():
    # The screen reads the stored JSON with the same model the client stored it from.
    assert protocol.Leaderboards.model_validate_json(sample().model_dump_json()) == sample()


def test_a_failing_leaderboard_does_not_fail_the_sync(tmp_path):
    """Push and pull done, the leaderboard keeps answering 503: the sync still completes,
    after a few quick tries, and the stored boards stay as they were."""
    from tests.sync.proxy import Fault, FaultProxy

    def plan(_n, _method, path):
        return Fault.answer(503) if path.startswith("/v1/leaderboard") else Fault.PASS

    with ServerThread(tmp_path / "server.db") as live_server, \
            FaultProxy(live_server.port, plan=plan) as proxy:
        amina = Device.enrolled(tmp_path / "amina", live_server, url=proxy.url)
        amina.write(3)
        report = amina.sync()
        assert report.complete and report.acknowledged == 3
        assert sum(1 for _, _, path in proxy.faults_applied
                   if path.startswith("/v1/leaderboard")) == 3
        with amina.store() as store:
            assert leaderboards.last(store) is None


def test_the_open_progress_screen_shows_new_boards_when_a_sync_ends(qtbot, open_progress):
    from sync.client import SyncReport

    panel = open_progress(None)
    qtbot.waitUntil(lambda: panel.empty.text() != "")
    window = panel.window()
    for lane in (window.writer, window.tasks.reader):  # the opening's counts are all shown
        lane.flush()
        QApplication.processEvents()
    # What a sync does at its end: keep the answer (through the writer), then report.
    window.writer.run(lambda store: leaderboards.store_answer(
        store, sample().model_dump_json())).result()
    window.sync._on_finished(SyncReport(complete=True))
    qtbot.waitUntil(lambda: panel.table.rowCount() == 2, timeout=5000)
    assert panel.stack.currentWidget() is not panel.empty


def test_a_leaderboard_asking_to_come_back_much_later_is_left_for_the_next_sync(tmp_path):
    from tests.sync.proxy import Fault, FaultProxy

    def plan(_n, _method, path):
        if path.startswith("/v1/leaderboard"):
            return Fault.answer(503, Retry_After="600")
        return Fault.PASS

    with ServerThread(tmp_path / "server.db") as live_server, \
            FaultProxy(live_server.port, plan=plan) as proxy:
        amina = Device.enrolled(tmp_path / "amina", live_server, url=proxy.url)
        amina.write(2)
        assert amina.sync().complete
        assert [path for _, _, path in proxy.faults_applied] == ["/v1/leaderboard"]
