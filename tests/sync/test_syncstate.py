"""The device side of sync, store-level: claiming, acknowledging, pulling, conflicts."""

import json
from types import SimpleNamespace as NS

from app import syncstate
from app.store import Store


def _result(seq, status, **extra):
    return NS(seq=seq, status=status, revision=extra.get("revision"),
              reason=extra.get("reason"), server_revision=extra.get("server_revision"),
              server_payload=extra.get("server_payload"))


def _draft(store, text="Habari"):
    draft = store.new_submission(language="swh_Latn")
    store.save_draft(draft.id, inputs=text, targets=text + " yako")
    return draft


def test_claim_is_bounded_by_bytes_and_the_batch_stays_claimed_until_answered(store: Store):
    for n in range(10):
        _draft(store, f"Swali la {n} " + "x" * 500)
    first = syncstate.claim_batch(store, max_bytes=2_000)
    assert 1 <= len(first.items) < 10
    again = syncstate.claim_batch(store, max_bytes=2_000)  # e.g. after a crash: same batch
    assert again == first
    outcome = syncstate.apply_push_results(
        store, first.batch_id, [_result(i.seq, "created", revision=1) for i in first.items]
    )
    assert outcome.acknowledged == len(first.items)
    second = syncstate.claim_batch(store, max_bytes=2_000)
    assert second.batch_id != first.batch_id
    assert {i.seq for i in second.items}.isdisjoint(i.seq for i in first.items)


def test_ack_sets_the_base_revision_and_the_next_edit_carries_it(store: Store):
    draft = _draft(store)
    batch = syncstate.claim_batch(store, max_bytes=100_000)
    store.save_draft(draft.id, inputs="Habari", targets="Nzuri")  # edited while in flight
    syncstate.apply_push_results(store, batch.batch_id, [_result(batch.items[0].seq, "created",
                                                                 revision=4)])
    assert store.submission(draft.id).base_revision == 4
    (pending,) = syncstate.claim_batch(store, max_bytes=100_000).items
    assert pending.base_revision == 4 and json.loads(pending.payload)["targets"] == "Nzuri"


def test_unanswered_items_go_back_to_the_queue(store: Store):
    a, b = _draft(store, "A"), _draft(store, "B")
    batch = syncstate.claim_batch(store, max_bytes=100_000)
    outcome = syncstate.apply_push_results(
        store, batch.batch_id, [_result(batch.items[0].seq, "duplicate", revision=1)]
    )
    assert (outcome.acknowledged, outcome.unanswered) == (1, 1)
    assert [e.batch_id for e in store.outbox()] == [None]
    assert store.outbox()[0].record_id == b.id and a.id != b.id


def test_conflict_keeps_both_versions_until_the_annotator_chooses(store: Store):
    draft = _draft(store)
    batch = syncstate.claim_batch(store, max_bytes=100_000)
    server = {**store.submission(draft.id).as_payload(), "targets": "Toleo la seva"}
    syncstate.apply_push_results(store, batch.batch_id, [
        _result(batch.items[0].seq, "conflict", server_revision=7,
                server_payload=json.dumps(server))
    ])
    (conflict,) = syncstate.open_conflicts(store)
    assert json.loads(conflict.local_payload)["targets"] == "Habari yako"
    assert json.loads(conflict.server_payload)["targets"] == "Toleo la seva"
    assert store.submission(draft.id).targets == "Habari yako"  # nothing overwritten
    syncstate.resolve_conflict(store, conflict.id, "local")
    assert syncstate.open_conflicts(store) == []
    (pending,) = syncstate.claim_batch(store, max_bytes=100_000).items
    assert pending.base_revision == 7  # the local version is sent again, based on the server's


def test_keeping_the_server_version_replaces_the_local_text(store: Store):
    draft = _draft(store)
    batch = syncstate.claim_batch(store, max_bytes=100_000)
    server = {**store.submission(draft.id).as_payload(), "targets": "Toleo la seva"}
    syncstate.apply_push_results(store, batch.batch_id, [
        _result(batch.items[0].seq, "conflict", server_revision=7,
                server_payload=json.dumps(server))
    ])
    syncstate.resolve_conflict(store, syncstate.open_conflicts(store)[0].id, "server")
    kept = store.submission(draft.id)
    assert kept.targets == "Toleo la seva" and kept.base_revision == 7
    assert store.outbox() == []


def test_rejected_items_are_quarantined_and_the_queue_goes_on(store: Store):
    _draft(store, "A")
    _draft(store, "B")
    batch = syncstate.claim_batch(store, max_bytes=100_000)
    first, second = batch.items
    syncstate.apply_push_results(store, batch.batch_id, [
        _result(first.seq, "rejected", reason="field 'language': unknown"),
        _result(second.seq, "created", revision=1),
    ])
    summary = syncstate.summary(store)
    assert (summary.pending, summary.quarantined) == (0, 1)


def test_pull_page_and_cursor_land_together_and_pending_edits_win(store: Store):
    mine = _draft(store)
    page = NS(next_cursor=42, items=[
        NS(entity="task", id="t1", revision=1, deleted=False, payload=json.dumps(
            {"id": "t1", "kind": "original", "language": "swh_Latn", "origin": "human",
             "instructions": "Andika swali", "inputs": "", "targets": ""})),
        NS(entity="submission", id=mine.id, revision=3, deleted=False, payload=json.dumps(
            {**mine.as_payload(), "targets": "from elsewhere"})),
    ])
    outcome = syncstate.apply_pull_page(store, page)
    assert (outcome.applied, outcome.skipped) == (1, 1)
    assert store.task("t1").instructions == "Andika swali"
    assert store.submission(mine.id).targets == "Habari yako"
    assert syncstate.pull_cursor(store) == 42


def test_pulled_decision_updates_my_submission(store: Store):
    mine = _draft(store)
    store.submit(mine.id)
    batch = syncstate.claim_batch(store, max_bytes=100_000)
    syncstate.apply_push_results(store, batch.batch_id,
                                 [_result(batch.items[0].seq, "created", revision=2)])
    decided = {**store.submission(mine.id).as_payload(), "state": "accepted"}
    syncstate.apply_pull_page(store, NS(next_cursor=5, items=[
        NS(entity="submission", id=mine.id, revision=3, deleted=False,
           payload=json.dumps(decided))]))
    current = store.submission(mine.id)
    assert current.state == "accepted" and current.base_revision == 3
    assert store.outbox() == []  # applying what the server sent is not a local change


def test_claim_all_groups_in_flight_and_new_entries(store: Store):
    for n in range(6):
        _draft(store, f"Swali {n} " + "y" * 400)
    in_flight = syncstate.claim_batch(store, max_bytes=1_000)
    batches = syncstate.claim_all(store, max_bytes=1_000)
    assert batches[0] == in_flight
    seqs = [i.seq for b in batches for i in b.items]
    assert sorted(seqs) == sorted(e.seq for e in store.outbox())


def test_claim_is_bounded_by_item_count_too(store: Store):
    for n in range(12):
        _draft(store, f"S{n}")
    batch = syncstate.claim_batch(store, max_bytes=10**9, max_items=5)
    assert len(batch.items) == 5
    assert [len(b.items) for b in syncstate.claim_all(store, max_bytes=10**9, max_items=5)] \
        == [5, 5, 2]


def test_a_pull_during_a_conflict_keeps_the_local_text_and_refreshes_the_server_side(store):
    draft = _draft(store)
    batch = syncstate.claim_batch(store, max_bytes=100_000)
    server = {**store.submission(draft.id).as_payload(), "targets": "Toleo la seva"}
    syncstate.apply_push_results(store, batch.batch_id, [
        _result(batch.items[0].seq, "conflict", server_revision=7,
                server_payload=json.dumps(server))])
    newer = {**server, "targets": "Toleo jipya zaidi"}
    syncstate.apply_pull_page(store, NS(next_cursor=9, items=[
        NS(entity="submission", id=draft.id, revision=8, deleted=False,
           payload=json.dumps(newer))]))
    assert store.submission(draft.id).targets == "Habari yako"
    (conflict,) = syncstate.open_conflicts(store)
    assert conflict.server_revision == 8 and "Toleo jipya zaidi" in conflict.server_payload
    syncstate.resolve_conflict(store, conflict.id, "local")
    (pending,) = syncstate.claim_batch(store, max_bytes=100_000).items
    assert pending.base_revision == 8
    assert json.loads(pending.payload)["targets"] == "Habari yako"


def _conflicted(store, server_revision=7, **server_changes):
    """A draft the server acknowledged at revision 3, edited here and meanwhile elsewhere."""
    draft = _draft(store)
    batch = syncstate.claim_batch(store, max_bytes=100_000)
    syncstate.apply_push_results(store, batch.batch_id,
                                 [_result(batch.items[0].seq, "created", revision=3)])
    store.save_draft(draft.id, inputs="Habari", targets="Habari yangu")
    batch = syncstate.claim_batch(store, max_bytes=100_000)
    server = {**store.submission(draft.id).as_payload(), **server_changes}
    syncstate.apply_push_results(store, batch.batch_id, [
        _result(batch.items[0].seq, "conflict", server_revision=server_revision,
                server_payload=json.dumps(server))])
    return draft


def test_an_open_conflict_counts_the_servers_revision_in_the_digest(store):
    """Issue 11: the digest counted the local base of a conflicted record, never the server's,
    so every sync until the annotator chose repaired by sending every id."""
    acked = _draft(store, "Imethibitishwa")
    batch = syncstate.claim_batch(store, max_bytes=100_000)
    syncstate.apply_push_results(store, batch.batch_id,
                                 [_result(batch.items[0].seq, "created", revision=2)])
    draft = _conflicted(store, targets="Toleo la seva")
    assert syncstate.acknowledged_revisions(store) == {acked.id: 2, draft.id: 7}
    syncstate.apply_pull_page(store, NS(next_cursor=9, items=[  # the server moves on
        NS(entity="submission", id=draft.id, revision=8, deleted=False,
           payload=json.dumps({**store.submission(draft.id).as_payload(), "targets": "Jipya"}))]))
    assert syncstate.acknowledged_revisions(store)[draft.id] == 8
    syncstate.resolve_conflict(store, syncstate.open_conflicts(store)[0].id, "server")
    assert syncstate.acknowledged_revisions(store)[draft.id] == 8


def test_a_conflict_with_a_deletion_on_the_server_is_not_counted_as_held(store):
    draft = _conflicted(store, server_revision=5)
    syncstate.apply_pull_page(store, NS(next_cursor=9, items=[
        NS(entity="submission", id=draft.id, revision=6, deleted=True,
           payload=json.dumps({"id": draft.id, "user_id": "u", "deleted": True}))]))
    assert draft.id not in syncstate.acknowledged_revisions(store)
    assert store.submission(draft.id).targets == "Habari yangu"  # kept until she chooses


def test_claiming_and_answering_a_batch_costs_the_same_statements_for_fifty_as_for_five(
        tmp_path):
    """A batch is claimed with one query (each entry's base revision joined in) and its
    answers applied with one statement per kind, not a query per entry."""

    def statements(n: int) -> tuple[int, int]:
        with Store.open(tmp_path / f"{n}.db") as store:
            for i in range(n):
                _draft(store, f"Swali {i}")
            seen = []
            for name in {"execute", "executemany"} & set(dir(store.db)):  # a call: a statement
                method = getattr(store.db, name)
                setattr(store.db, name, lambda *args, method=method: (seen.append(args[0]),
                                                                      method(*args))[1])
            batch = syncstate.claim_batch(store, max_bytes=10**7)
            claimed = len(seen)
            results = [_result(item.seq, status, revision=1, reason="no")
                       for item, status in zip(batch.items, ["created", "rejected"] * n,
                                               strict=False)]
            syncstate.apply_push_results(store, batch.batch_id, results)
            assert len(batch.items) == n and syncstate.summary(store).pending == 0
            return claimed, len(seen) - claimed

    assert statements(5) == statements(50)
