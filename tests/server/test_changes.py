"""A change the server makes to a record (sync.server.exchange.changes) reaches devices: the
device that pushed the record, whose cursor is already past it, pulls the new version, and an
edit based on the revision before it conflicts."""

import json

import pytest
import sqlalchemy as sa

from sync.protocol import freeze
from sync.server import tables
from sync.server.db import Sequence, write_transaction
from sync.server.exchange.changes import change_record, change_records, resequence


def test_the_pushing_device_pulls_a_change_made_through_change_record(harness):
    amina = harness.member()
    item = amina.submission()
    assert amina.push([item])["results"][0]["revision"] == 1
    cursor = amina.pull()["next_cursor"]  # its own push is left out: nothing new to pull
    record = {**json.loads(item["payload"]), "dialect": "Dakhini"}
    with write_transaction(harness.engine) as conn:
        seqs = Sequence(conn)
        revision = change_record(conn, seqs, tables.submissions, record["id"],
                                 now="2030-01-01T00:00:00Z", payload=freeze(record))
        seqs.save()
    assert revision == 2
    (pulled,) = amina.pull(cursor)["items"]
    assert (pulled["id"], pulled["revision"]) == (record["id"], 2)
    assert json.loads(pulled["payload"])["dialect"] == "Dakhini"
    stale = amina.item("submission", {**json.loads(item["payload"]), "targets": "بدلا"},
                       base_revision=1)
    assert amina.push([stale])["results"][0]["status"] == "conflict"


def test_change_records_writes_every_change_and_refuses_its_own_columns(harness):
    amina = harness.member()
    items = [amina.submission(state="draft") for _ in range(3)]
    amina.push(items)
    cursor = amina.pull()["next_cursor"]
    ids = [json.loads(item["payload"])["id"] for item in items]
    with write_transaction(harness.engine) as conn:
        seqs = Sequence(conn)
        change_records(conn, seqs, tables.submissions, [(i, {"language": "hin_Deva"})
                                                         for i in ids[:2]], now="2030-01-01")
        with pytest.raises(ValueError, match="revision"):
            change_record(conn, seqs, tables.submissions, ids[2], now="2030-01-01", revision=9)
        seqs.save()
    assert [(p["id"], p["revision"]) for p in amina.pull(cursor)["items"]] == \
        [(ids[0], 2), (ids[1], 2)]


def test_resequence_keeps_the_revision_and_who_changed_it(harness):
    amina = harness.member()
    item = amina.submission()
    amina.push([item])
    record_id = json.loads(item["payload"])["id"]
    with write_transaction(harness.engine) as conn:
        seqs = Sequence(conn)
        resequence(conn, seqs, tables.submissions, [record_id])
        seqs.save()
        row = conn.execute(sa.select(tables.submissions)).one()
    assert (row.revision, row.changed_by, row.server_seq) == (1, amina.device_id, seqs.value)
    assert amina.pull()["items"] == []  # its own text is not sent back to it
