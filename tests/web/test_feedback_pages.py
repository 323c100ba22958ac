"""The dashboard's side of feedback: an item's thread and comment form, its decision history,
and the audit log page — and what hostile callers get (an annotator's or auditor's session,
another project's coordinator, no CSRF token, oversize and invisible comments).
"""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from app.ids import new_id
from app.records import MAX_COMMENT_CHARS
from sync.protocol import freeze
from sync.server import tables
from sync.server.people import auditlog
from sync.server.work import decisions, feedback, projects

URDU_PROMPT = "چائے کیسے بنائیں؟"


def _item(dashboard, *, project: str | None = None) -> tuple[str, str]:
    """A submitted Urdu item by a new annotator; (item id, author id)."""
    author = dashboard.person("annotator", name=f"amina-{new_id()[-6:]}")
    item_id = new_id()
    now = "2026-12-06T10:00:00.000Z"
    record = {"id": item_id, "kind": "original", "language": "urd_Arab",
              "inputs": URDU_PROMPT, "targets": "پانی ابالیں۔", "state": "submitted",
              "project_id": project, "user_id": author.id}
    with dashboard.engine.begin() as conn:
        seq = conn.execute(sa.select(sa.func.coalesce(sa.func.max(
            tables.submissions.c.server_seq), 0))).scalar() + 1000
        conn.execute(tables.submissions.insert().values(
            id=item_id, author_id=author.id, device_id="d", language="urd_Arab",
            kind="original", state="submitted", project_id=project, payload=freeze(record),
            revision=1, server_seq=seq, created_at=now, updated_at=now))
    return item_id, author.id


def test_a_coordinator_comments_rejects_and_sees_the_thread(dashboard):
    farida = dashboard.coordinator(name="Farida")
    item_id, _ = _item(dashboard)
    page = farida.get(f"/dashboard/items/{item_id}/feedback")
    assert page.status_code == 200 and URDU_PROMPT in page.text
    assert 'id="no-feedback"' in page.text
    sent = farida.post(f"/dashboard/items/{item_id}/comment",
                       {"body": "دودھ اور پتی بھی لکھیں۔",
                        "back": f"/dashboard/items/{item_id}/feedback"})
    assert sent.status_code == 303
    assert sent.headers["location"] == f"/dashboard/items/{item_id}/feedback?done=commented"
    decided = farida.post(f"/dashboard/items/{item_id}/feedback/decide",
                          {"state": "rejected", "reason": "incomplete"})
    assert decided.status_code == 303
    page = farida.get(f"/dashboard/items/{item_id}/feedback")
    assert "دودھ اور پتی بھی لکھیں۔" in page.text and 'data-state="rejected"' in page.text
    [decision] = decisions.history(dashboard.engine, item_id)
    assert (decision.state, decision.reason, decision.decided_by) == ("rejected",
                                                                      "incomplete", "Farida")
    logged = [(e.action, e.actor) for e in auditlog.entries(dashboard.engine)]
    assert logged[:2] == [("decide", "Farida"), ("comment", "Farida")]
    assert auditlog.entries(dashboard.engine)[0].address == "testclient"


def test_a_refused_comment_keeps_what_was_typed(dashboard):
    farida = dashboard.coordinator()
    item_id, _ = _item(dashboard)
    for body, problem in (("\u200b\u200c \u2067", "no visible character"),
                          ("ب" * (MAX_COMMENT_CHARS + 1), "too long")):
        refused = farida.post(f"/dashboard/items/{item_id}/comment", {"body": body})
        assert refused.status_code == 400 and problem in refused.text
        assert body in refused.text  # in the textarea, to correct
    assert feedback.thread(dashboard.engine, item_id) == []


def test_hostile_callers_are_refused(dashboard):
    item_id, _ = _item(dashboard, project="aya-urd")
    projects.create_project(dashboard.engine, "aya-urd")
    farida = dashboard.coordinator(name="Farida")
    omar = dashboard.coordinator(name="Omar")
    auditor = dashboard.auditor()
    projects.set_coordinators(dashboard.engine, "aya-urd", add=["Farida"])
    path = f"/dashboard/items/{item_id}"
    # Another project's coordinator neither reads nor writes the thread, nor decides.
    assert omar.get(f"{path}/feedback").status_code == 403
    assert omar.post(f"{path}/comment", {"body": "x"}).status_code == 403
    assert omar.post(f"{path}/feedback/decide", {"state": "rejected"}).status_code == 403
    # An auditor is no coordinator; a form without its token is refused before anything.
    assert auditor.post(f"{path}/comment", {"body": "x"}).status_code == 403
    assert farida.post(f"{path}/comment", {"body": "x"}, csrf=False).status_code == 403
    assert farida.post(f"{path}/comment", {"body": "x", "csrf": "forged"}).status_code == 403
    # A stranger is sent to sign in; a bad id is a 400 page, an unknown one 404.
    stranger = dashboard.browser()
    assert stranger.post(f"{path}/comment", {"body": "x"}, csrf=False).status_code == 303
    assert farida.get("/dashboard/items/bad%20id/feedback").status_code == 400
    assert farida.get(f"/dashboard/items/{new_id()}/feedback").status_code == 404
    # Only the redirect target of the item's own pages is followed.
    sent = farida.post(f"{path}/comment", {"body": "ok", "back": "https://evil.example/"})
    assert sent.headers["location"] == f"{path}/feedback?done=commented"
    assert [c.body for c in feedback.thread(dashboard.engine, item_id)] == ["ok"]


def test_an_annotator_cannot_sign_in_to_comment(dashboard):
    user = dashboard.person("annotator", password=None)
    browser = dashboard.browser()
    refused = browser.sign_in(user.name, "a long enough password")
    assert refused.status_code != 303


def test_the_audit_log_page_filters_and_pages(dashboard):
    farida = dashboard.coordinator(name="Farida")   # a code minted (the command line)
    item_id, _ = _item(dashboard)                   # another
    dashboard.person("annotator", name="Bilal")     # and a third
    by = auditlog.Actor("Farida", address="10.0.0.7", user_id=farida.user.id)
    for n in range(55):
        feedback.comment(dashboard.engine, item_id, f"note {n}", by=by)
    page = farida.get("/dashboard/log")
    assert page.status_code == 200
    assert page.text.count('data-action="comment"') == 50 and 'id="older"' in page.text
    link = page.text.split('id="older" href="')[1].split('"')[0].replace("&amp;", "&")
    older = farida.get(link)
    assert older.text.count('data-action="comment"') == 5
    assert older.text.count('data-action="mint_code"') == 3 and 'id="older"' not in older.text
    minted = farida.get("/dashboard/log?action=mint_code")
    assert 'data-action="comment"' not in minted.text and "Bilal" in minted.text
    mine = farida.get("/dashboard/log?who=Farida&action=comment")
    assert "10.0.0.7" in mine.text
    assert farida.get("/dashboard/log?action=nonsense").status_code == 400
    assert dashboard.auditor().get("/dashboard/log").status_code == 403


def test_the_audit_log_reads_in_the_coordinators_language(dashboard):
    """Details are stored under English keys; the page names them in the reader's language."""
    from sync.server.quality import moderation

    farida = dashboard.coordinator(name="Farida")
    bilal = dashboard.person("annotator", name="Bilal")
    moderation.block(dashboard.engine, bilal.id, reason="copied text")
    farida.post("/dashboard/language", {"lang": "ur"})
    text = farida.get("/dashboard/log?action=block").text
    assert "وجہ: <bdi>copied text</bdi>" in text and "reason:" not in text
    assert "کردار: <bdi>" in farida.get("/dashboard/log?action=mint_code").text


def test_the_log_command_prints_and_emits_json(dashboard, db_url, capsys):
    from sync.server.cli import main

    dashboard.person("annotator", name="Bilal")
    assert main(["--db", db_url, "log"]) == 0
    text = capsys.readouterr().out
    assert "mint_code" in text and "Bilal" in text
    assert main(["log", "--db", db_url, "--json", "--action", "mint_code"]) == 0
    entry = json.loads(capsys.readouterr().out.splitlines()[0])
    assert entry["action"] == "mint_code" and entry["subject"] == "Bilal"
    assert entry["address"].startswith("local:") and entry["detail"]["role"] == "annotator"


@pytest.mark.parametrize("language", ["en", "ur"])
def test_the_pages_draw_in_english_and_urdu(dashboard, language):
    farida = dashboard.coordinator()
    item_id, _ = _item(dashboard)
    farida.post("/dashboard/language", {"lang": language, "back": "/dashboard/log"})
    for path in (f"/dashboard/items/{item_id}/feedback", "/dashboard/log"):
        page = farida.get(path)
        assert page.status_code == 200
        direction = "rtl" if language == "ur" else "ltr"
        assert f'<html lang="{language}" dir="{direction}">' in page.text


def test_comments_and_coordinators_from_the_command_line(dashboard, db_url, capsys):
    from sync.server.cli import main

    farida = dashboard.person("coordinator", name="Farida")
    dashboard.person("coordinator", name="Omar")
    item_id, _ = _item(dashboard, project="aya-urd")
    projects.create_project(dashboard.engine, "aya-urd")
    assert main(["project", "coordinators", "aya-urd", "--add", "Farida", "--db", db_url]) == 0
    assert "aya-urd: Farida" in capsys.readouterr().out
    assert main(["comment", item_id, "دودھ بھی لکھیں۔", "--as", "Omar", "--db", db_url]) == 1
    assert "do not coordinate" in capsys.readouterr().err
    assert main(["comment", item_id, "دودھ بھی لکھیں۔", "--as", "Farida", "--db", db_url]) == 0
    [comment] = feedback.thread(dashboard.engine, item_id)
    assert (comment.body, comment.author_id) == ("دودھ بھی لکھیں۔", farida.id)
    logged = auditlog.entries(dashboard.engine, action="comment")[0]
    assert logged.actor == "Farida" and logged.address.startswith("local:")
