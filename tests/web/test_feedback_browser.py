"""Issue 14's "Must show" for feedback, end to end with real parts: a coordinator in Chromium
finds an annotator's Urdu item by a word of it, opens it, comments and rejects it; after a
sync the annotator's app (pytest-qt) marks the item and shows the comment beside the text; the
annotator replies once, revises the item and submits it again, syncs, and the item's page shows
it back in review with both texts (the rejected one under its decision) and the thread with the
reply.

The dashboard is driven in English, then in Urdu; the annotator's app runs in Urdu. The browser
sees only DejaVu Sans, so the Urdu it draws comes from the bundled fonts. Screenshots go to
``$QALAM_SCREENSHOTS`` when set (to look at them), else a temporary folder.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from app import paths
from app.store import Store
from sync import device
from sync.server import db
from sync.server.api.factory import create_app
from sync.server.people import server_identity, users
from sync.server.web import sessions
from sync.server.work import decisions, feedback
from tests.keys import type_text
from tests.server.helpers import LiveServer
from tests.test_workbench import click, click_row, settle
from tests.web.chromium import chromium, needs_chromium, new_page, off_start, undrawn_text
from tests.web.helpers import PASSWORD

pytestmark = needs_chromium

PROMPT = "چائے کیسے بنائیں؟ تفصیل سے بتائیں۔"
FIRST = "پانی ابالیں۔"
SECOND = "پانی ابالیں، پتی ڈالیں، پھر دودھ اور چینی ملا کر دو منٹ پکائیں۔"
COMMENT = "جواب ادھورا ہے: دودھ، پتی اور چینی کا ذکر بھی کریں۔"
REPLY = "شکریہ، مکمل ترکیب لکھ دی ہے۔"


@pytest.fixture
def server(tmp_path):
    engine = db.create_engine(f"sqlite:///{tmp_path / 'server.db'}")
    db.migrate(engine)
    server_identity.ensure_server_identity(engine)
    users.invite(engine, name="Farida", role="coordinator")
    sessions.set_password(engine, "Farida", PASSWORD)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        live = LiveServer(create_app(engine))
    try:
        yield engine, live
    finally:
        live.__exit__(None, None, None)
        engine.dispose()


def _annotator(engine, live, data_dir: Path) -> str:
    """Amina's laptop, enrolled, with one submitted Urdu item pushed; the item's id."""
    os.environ["QALAM_NO_KEYRING"] = "1"
    _user, code, _ = users.invite(engine, name="Amina", role="annotator",
                                  languages=["urd_Arab"])
    Store.open(paths.database_path(data_dir)).close()
    device.enroll(data_dir, live.url, code)
    with Store.open(paths.database_path(data_dir)) as store:
        draft = store.new_submission(language="urd_Arab")
        store.save_draft(draft.id, inputs=PROMPT, targets=FIRST)
        store.submit(draft.id)
    assert device.sync_now(data_dir).complete
    return draft.id


def _sync_in_the_app(qtbot, window) -> None:
    controller = window.sync
    qtbot.keyClick(window, Qt.Key_F5)
    qtbot.waitUntil(lambda: controller.running, timeout=5000)
    qtbot.waitUntil(lambda: not controller.running, timeout=60_000)
    assert controller.last_error is None, controller.last_error
    settle(window)


def test_feedback_goes_from_the_dashboard_to_the_device_and_the_revision_comes_back(
        qtbot, open_app, server, tmp_path, shots):
    engine, live = server
    data_dir = tmp_path / "amina"
    data_dir.mkdir()
    item_id = _annotator(engine, live, data_dir)

    with chromium(tmp_path / "chromium") as browser:
        # The coordinator signs in, finds the item by a word of it and opens it.
        page = new_page(browser, None)
        page.set_default_timeout(30_000)
        page.goto(f"{live.url}/dashboard/items")
        page.fill("#name", "Farida")
        page.fill("#password", PASSWORD)
        page.click("#sign-in")
        page.wait_for_url("**/dashboard/items")
        page.fill("#q", "تفصیل")
        page.press("#q", "Enter")
        page.wait_for_url("**/dashboard/items?*q=*")
        assert page.locator("a.item-link").count() == 1
        page.click("a.item-link")
        page.wait_for_url(f"**/dashboard/items/{item_id}")
        assert PROMPT in page.locator("p.text").first.inner_text()
        assert page.locator("p.text").first.get_attribute("dir") == "rtl"
        # A comment for the author, then the rejection with its reason.
        page.fill("#comment-body", COMMENT)
        page.click("#leave-comment")
        page.wait_for_url(f"**/dashboard/items/{item_id}?done=commented")
        page.fill("#decide-reason", "ادھورا جواب")
        page.click("#reject")
        page.wait_for_url(f"**/dashboard/items/{item_id}?done=rejected*")
        assert page.locator("#decision-1").get_attribute("data-state") == "rejected"
        assert page.locator("#thread .comment .text").first.inner_text() == COMMENT
        assert undrawn_text(page) == []
        page.screenshot(path=shots / "feedback-1-rejected-en.png", full_page=True)

        # The annotator's app, in Urdu, syncs: My work marks the item and shows the comment.
        window = open_app(data_dir, ui_language="ur", active=True)
        _sync_in_the_app(qtbot, window)
        qtbot.keyClick(window, Qt.Key_5, Qt.ControlModifier)
        screen = window.current_screen()
        screen.activate()
        row = next(r for r in range(screen.model.rowCount())
                   if screen.model.index(r).data(Qt.UserRole + 1).id == item_id)
        assert item_id in screen.model.unread
        panel = screen.feedback
        click_row(qtbot, screen.list, row)
        qtbot.waitUntil(panel.isVisible)
        assert COMMENT in panel.view.toPlainText() and "Farida" in panel.view.toPlainText()
        assert panel.revise.isVisible()
        settle(window)  # laid out as a person sees it (a wrapped note gets its lines)
        window.grab().save(str(shots / "feedback-2-device-ur.png"))

        # One reply, then "revise and resubmit": the Write screen, a new completion, submit.
        panel.reply_box.setFocus()
        type_text(panel.reply_box, REPLY)
        click(qtbot, panel.send)
        settle(window)
        qtbot.waitUntil(lambda: REPLY in panel.view.toPlainText())
        assert not panel.send.isVisible()  # once per comment
        click(qtbot, panel.revise)
        settle(window)
        write = window.screens["write"]
        qtbot.waitUntil(lambda: window.current_screen() is write)
        editor = write.editor
        qtbot.waitUntil(lambda: editor.submission is not None
                        and editor.submission.id == item_id)
        editor.completion.setFocus()
        editor.completion.selectAll()
        type_text(editor.completion, SECOND)
        qtbot.keyClick(editor.completion, Qt.Key_Return, Qt.ControlModifier)
        qtbot.waitUntil(lambda: Store.open(paths.database_path(data_dir), readonly=True)
                        .submission(item_id).state == "submitted", timeout=10_000)
        window.grab().save(str(shots / "feedback-3-resubmitted-ur.png"))
        _sync_in_the_app(qtbot, window)
        with Store.open(paths.database_path(data_dir), readonly=True) as store:
            assert store.outbox() == []
            assert store.db.execute("SELECT count(*) FROM quarantine").fetchone()[0] == 0

        # Back on the item's page: in review again, both texts (the rejected one under its
        # decision), the thread with the reply.
        page.goto(f"{live.url}/dashboard/items/{item_id}")
        assert page.locator("#state").inner_text() == "waiting"
        assert SECOND in page.locator("p.text").nth(1).inner_text()
        assert page.locator("#decision-1").get_attribute("data-state") == "rejected"
        assert FIRST in page.locator("#decided-text-1").inner_text()
        assert [c.kind for c in feedback.thread(engine, item_id)] == ["comment", "reply"]
        assert page.locator("#thread .comment.reply .text").inner_text() == REPLY
        assert undrawn_text(page) == []
        page.screenshot(path=shots / "feedback-4-back-in-review-en.png", full_page=True)

        # The same page in Urdu: right to left, and the audit log says who did what.
        page.click("#ui-lang summary")
        page.click("#ui-lang button[lang=ur]")
        page.wait_for_load_state()
        assert page.locator("html").get_attribute("dir") == "rtl"
        assert undrawn_text(page) == []
        assert page.locator("#time-spent").count() == 1
        assert off_start(page, "#facts dd, #history td, #decisions td") == []  # beside labels
        page.screenshot(path=shots / "feedback-5-back-in-review-ur.png", full_page=True)
        page.goto(f"{live.url}/dashboard/log")
        actions = page.locator("#log tbody tr").evaluate_all(
            "rows => rows.map(r => r.dataset.action)")
        assert actions[:2] == ["decide", "comment"]
        assert off_start(page, "#log td:not([dir=auto])") == []  # details: their own way
        page.screenshot(path=shots / "feedback-6-log-ur.png", full_page=True)

    [rejection] = decisions.history(engine, item_id)
    assert (rejection.state, rejection.targets, rejection.decided_by) == (
        "rejected", FIRST, "Farida")
