"""Feedback travels between the dashboard and the author's device over real sync: a
coordinator comments on and rejects an item; the author's device pulls the comment (and no
other annotator's device does), the author replies once and revises the rejected item, and
the server puts it back in review with its decision history kept.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.errors import InvalidState, TextRejected
from app.store import Store
from sync.server import tables
from sync.server.people import users
from sync.server.people.auditlog import Actor
from sync.server.work import decisions, feedback
from tests.sync.live import Device

URDU = "urd_Arab"


def _coordinator(engine) -> Actor:
    user, _code, _ = users.invite(engine, name="Farida", role="coordinator", languages=[])
    return Actor("Farida", address="127.0.0.1", user_id=user.id)


def test_feedback_reaches_the_author_who_replies_and_resubmits(tmp_path, live_server):
    engine = live_server.engine
    amina = Device.enrolled(tmp_path / "amina", live_server, name="amina")
    bilal = Device.enrolled(tmp_path / "bilal", live_server, name="bilal")
    with Store.open(amina.db_path) as store:
        draft = store.new_submission(language=URDU)
        store.save_draft(draft.id, inputs="چائے کیسے بنائیں؟", targets="پانی ابالیں۔")
        store.submit(draft.id)
        item_id = draft.id
    assert amina.sync().complete

    farida = _coordinator(engine)
    comment_id = feedback.comment(engine, item_id, "جواب ادھورا ہے: دودھ اور پتی بھی لکھیں۔",
                                  by=farida)
    decisions.decide(engine, item_id, "rejected", reason="incomplete", by=farida)
    assert amina.sync().complete and bilal.sync().complete

    with bilal.store() as store:
        assert store.db.execute("SELECT count(*) FROM comments").fetchone()[0] == 0
    with Store.open(amina.db_path) as store:
        assert store.submission(item_id).state == "rejected"
        assert store.unread_feedback() == {item_id}
        [thread] = store.feedback(item_id)
        assert (thread.id, thread.author_name, thread.body) == (
            comment_id, "Farida", "جواب ادھورا ہے: دودھ اور پتی بھی لکھیں۔")
        store.mark_feedback_read(item_id)
        assert store.unread_feedback() == set()
        with pytest.raises(TextRejected):
            store.reply(comment_id, "\u200b\u200c ")
        store.reply(comment_id, "شکریہ، پورا جواب لکھ دیا ہے۔")
        with pytest.raises(InvalidState, match="already replied"):
            store.reply(comment_id, "ایک اور")
        store.reopen(item_id)  # rejected, with feedback: revisable
        store.save_draft(item_id, inputs="چائے کیسے بنائیں؟",
                         targets="پانی ابالیں، پتی ڈالیں، دودھ اور چینی ملا کر پکائیں۔")
        store.submit(item_id)
    assert amina.sync().complete
    with amina.store() as store:
        assert store.outbox() == []
        assert store.db.execute("SELECT count(*) FROM quarantine").fetchone()[0] == 0

    with engine.connect() as conn:
        row = conn.execute(sa.select(tables.submissions)
                           .where(tables.submissions.c.id == item_id)).one()
        review_task = conn.execute(sa.select(tables.tasks.c.deleted)
                                   .where(tables.tasks.c.review_of == item_id)).scalar()
    assert row.state == "submitted" and review_task is False  # back in peer review
    kinds = [(c.kind, c.author_name) for c in feedback.thread(engine, item_id)]
    assert kinds == [("comment", "Farida"), ("reply", "amina")]
    [rejection] = decisions.history(engine, item_id)
    assert (rejection.state, rejection.targets) == ("rejected", "پانی ابالیں۔")


def test_an_item_rejected_without_feedback_stays_final_on_the_device(tmp_path, live_server):
    amina = Device.enrolled(tmp_path / "amina", live_server, name="amina")
    with Store.open(amina.db_path) as store:
        draft = store.new_submission(language=URDU)
        store.save_draft(draft.id, inputs="سوال", targets="جواب")
        store.submit(draft.id)
    assert amina.sync().complete
    decisions.decide(live_server.engine, draft.id, "rejected")
    assert amina.sync().complete
    with Store.open(amina.db_path) as store, pytest.raises(InvalidState, match="final"):
        store.reopen(draft.id)


def test_an_edit_made_while_the_item_was_rejected_is_a_conflict_as_before(tmp_path,
                                                                         live_server):
    from app import syncstate

    engine = live_server.engine
    amina = Device.enrolled(tmp_path / "amina", live_server, name="amina")
    with Store.open(amina.db_path) as store:
        draft = store.new_submission(language=URDU)
        store.save_draft(draft.id, inputs="سوال", targets="جواب")
        store.submit(draft.id)
    assert amina.sync().complete
    farida = _coordinator(engine)
    feedback.comment(engine, draft.id, "مزید تفصیل", by=farida)
    decisions.decide(engine, draft.id, "rejected", by=farida)
    with Store.open(amina.db_path) as store:  # offline, she had reopened and edited it
        store.reopen(draft.id)
        store.save_draft(draft.id, inputs="سوال", targets="تفصیلی جواب")
    amina.sync()
    with Store.open(amina.db_path) as store:
        [conflict] = syncstate.open_conflicts(store)
        assert '"rejected"' in conflict.server_payload  # both versions kept; she chooses
        syncstate.resolve_conflict(store, conflict.id, "local")
    assert amina.sync().complete
    with engine.connect() as conn:
        state = conn.execute(sa.select(tables.submissions.c.state)
                             .where(tables.submissions.c.id == draft.id)).scalar()
    assert state == "draft"  # her revision, on its way back to review once submitted
