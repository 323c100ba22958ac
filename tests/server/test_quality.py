"""The coordinator's quality tools: relabel, block, flagged items, agreement, concentration."""

import json

import krippendorff
import pytest

from app import syncstate
from app.store import Store
from sync.client import SyncClient
from sync.server import tables
from sync.server.cli import main
from sync.server.errors import ServerError
from sync.server.quality import measures, moderation
from tests.server.helpers import statuses


def _push(member, **fields) -> str:
    item = member.submission(**fields)
    assert statuses(member.push([item])) == ["created"]
    return json.loads(item["payload"])["id"]


def _review(member, submission_id: str, **fields) -> dict:
    record = {"id": f"rv-{member.seq + 1}-{member.user.name}", "submission_id": submission_id,
              "reason": "", **fields}
    result = member.push([member.item("review", record)])
    assert statuses(result) == ["created"], result
    return record


# --- relabel ---------------------------------------------------------------------------------


def test_relabel_reaches_every_device_of_the_author_on_pull(harness, tmp_path):
    _, code, _ = harness.invite("annotator", ["urd_Arab", "hin_Deva"], name="Amina")
    store = Store.open(tmp_path / "amina.db")
    client = SyncClient("http://testserver", http=harness.client, sleep=lambda _: None)
    enrolled = client.enroll(code=code, device_id=store.device_id)
    syncstate.set_meta(store, "user_id", enrolled.user_id)
    client.token = enrolled.token
    draft = store.new_submission(language="urd_Arab", inputs="यह क्या है?", targets="एक कलम")
    store.submit(draft.id)
    assert client.sync(lambda job: job(store)).complete

    revision = moderation.relabel(harness.engine, draft.id, language="hin_Deva", dialect="Awadhi",
                                  by="Fatima")
    assert revision == 2
    assert client.sync(lambda job: job(store)).complete
    pulled = store.submission(draft.id)
    assert (pulled.language, pulled.dialect, pulled.base_revision) == ("hin_Deva", "Awadhi", 2)
    with harness.engine.connect() as conn:
        submissions = tables.submissions
        row = conn.execute(submissions.select().where(submissions.c.id == draft.id)).one()
    assert row.language == "hin_Deva" and row.changed_by is None
    [earlier] = json.loads(row.payload)["relabeled_from"]
    assert earlier["language"] == "urd_Arab" and earlier["dialect"] is None
    assert earlier["by"] == "Fatima"
    store.close()


def test_relabel_keeps_history_and_an_old_edit_conflicts(harness):
    amina = harness.member("annotator", ["urd_Arab", "hin_Deva"])
    submission_id = _push(amina)
    assert moderation.relabel(harness.engine, submission_id, language="hin_Deva", by="x") == 2
    assert moderation.relabel(harness.engine, submission_id, language="hin_Deva", by="x") == 2
    assert moderation.relabel(harness.engine, submission_id, dialect="Dakhini", by="y") == 3
    [item] = [i for i in amina.pull_all() if i["id"] == submission_id]
    payload = json.loads(item["payload"])
    assert payload["dialect"] == "Dakhini" and payload["language"] == "hin_Deva"
    assert [h["by"] for h in payload["relabeled_from"]] == ["x", "y"]
    stale = amina.submission(id=submission_id, targets="نیا", base_revision=1)
    assert statuses(amina.push([stale])) == ["conflict"]


def test_relabel_errors_are_clear(harness):
    amina = harness.member()
    submission_id = _push(amina)
    with pytest.raises(ServerError, match="'urdu' is not a registry code"):
        moderation.relabel(harness.engine, submission_id, language="urdu", by="x")
    with pytest.raises(ServerError, match="No submission 'nope'"):
        moderation.relabel(harness.engine, "nope", language="hin_Deva", by="x")
    with pytest.raises(ServerError, match="needs a new language"):
        moderation.relabel(harness.engine, submission_id, by="x")


# --- block -----------------------------------------------------------------------------------


def test_block_and_unblock_keep_everything(harness):
    bilal = harness.member(name="Bilal")
    _push(bilal)
    assert moderation.block(harness.engine, "Bilal", reason="copied text") is True
    assert moderation.block(harness.engine, "Bilal", reason="copied, twice") is False
    [blocked] = moderation.blocked_users(harness.engine)
    assert (blocked.name, blocked.reason) == ("Bilal", "copied, twice")
    assert moderation.is_blocked(harness.engine, bilal.user_id)
    assert measures.concentration(harness.engine) == {}
    [progress] = measures.language_progress(harness.engine)
    assert (progress.submitted, progress.held) == (0, 1)
    assert moderation.unblock(harness.engine, "Bilal") is True
    assert moderation.unblock(harness.engine, "Bilal") is False
    assert moderation.blocked_users(harness.engine) == []
    assert measures.concentration(harness.engine)["urd_Arab"].items == 1
    with pytest.raises(ServerError, match="No user named 'Nobody'"):
        moderation.block(harness.engine, "Nobody", reason="x")
    with pytest.raises(ServerError, match="reason"):
        moderation.block(harness.engine, "Bilal", reason=" ")


# --- flagged ---------------------------------------------------------------------------------


def test_flagged_items_list_who_flagged_what_newest_first(harness):
    amina = harness.member(name="Amina-F", languages=["urd_Arab", "hin_Deva"])
    reviewer = harness.member("reviewer", ["urd_Arab", "hin_Deva"], name="Rashid")
    first, second, fine = _push(amina), _push(amina, language="hin_Deva"), _push(amina)
    _review(reviewer, first, flag="harmful", reason="insults")
    _review(reviewer, second, flag="wrong_language", rating_inputs=2)
    _review(reviewer, fine, rating_inputs=5, rating_targets=5)
    found = moderation.flagged_items(harness.engine)
    assert [(f.submission_id, f.flag) for f in found] == [(second, "wrong_language"),
                                                          (first, "harmful")]
    newest = found[0]
    assert (newest.flagged_by, newest.author, newest.state) == ("Rashid", "Amina-F", "submitted")
    assert found[1].reason == "insults" and found[1].inputs == "سوال"
    [urdu] = moderation.flagged_items(harness.engine, language="urd_Arab")
    assert urdu.submission_id == first


# --- agreement -------------------------------------------------------------------------------


def _ordinal_alpha(units: list[list[int]]) -> float:
    """Krippendorff's ordinal alpha by the textbook formulas (coincidences, rank metric)."""
    values = sorted({v for unit in units for v in unit})
    o = {(c, k): 0.0 for c in values for k in values}
    for unit in units:
        for i, c in enumerate(unit):
            for j, k in enumerate(unit):
                if i != j:
                    o[c, k] += 1 / (len(unit) - 1)
    n_c = {c: sum(o[c, k] for k in values) for c in values}
    n = sum(n_c.values())

    def delta(c, k):
        low, high = min(c, k), max(c, k)
        return (sum(n_c[g] for g in values if low <= g <= high) - (n_c[c] + n_c[k]) / 2) ** 2

    observed = sum(o[c, k] * delta(c, k) for c in values for k in values)
    expected = sum(n_c[c] * n_c[k] * delta(c, k) for c in values for k in values) / (n - 1)
    return 1 - observed / expected


def test_agreement_is_krippendorffs_ordinal_alpha(harness):
    amina = harness.member(name="Amina-A")
    one, two = (harness.member("reviewer", name=f"Reviewer-{i}") for i in (1, 2))
    items = [_push(amina) for _ in range(3)]
    lone = _push(amina)
    # (prompt, completion) ratings of reviewers one and two for each item
    pairs = [((4, 5), (4, 4)), ((2, 3), (3, 3)), ((5, 1), (4, 2))]
    for item, (mine, theirs) in zip(items, pairs, strict=True):
        _review(one, item, rating_inputs=mine[0], rating_targets=mine[1])
        _review(two, item, rating_inputs=theirs[0], rating_targets=theirs[1])
    _review(one, lone, rating_inputs=1, rating_targets=1)  # one rating: no agreement to see
    units = [[a[f], b[f]] for a, b in pairs for f in (0, 1)]
    expected = krippendorff.alpha(reliability_data=list(zip(*units, strict=True)),
                                  level_of_measurement="ordinal", value_domain=[1, 2, 3, 4, 5])
    result = measures.agreement(harness.engine)["urd_Arab"]
    assert result.items == 3 and result.ratings == 12
    assert result.alpha == pytest.approx(expected)
    assert result.alpha == pytest.approx(_ordinal_alpha(units))
    assert result.alpha == pytest.approx(0.8201, abs=1e-4)  # worked out by hand, too


def test_agreement_is_none_without_overlap_and_one_when_all_agree(harness):
    amina = harness.member(name="Amina-B")
    one, two = (harness.member("reviewer", name=f"Rater-{i}") for i in (1, 2))
    first, second = _push(amina), _push(amina)
    _review(one, first, rating_inputs=4, rating_targets=2)
    _review(two, second, rating_inputs=3, rating_targets=3)
    alone = measures.agreement(harness.engine)["urd_Arab"]
    assert (alone.alpha, alone.items, alone.ratings) == (None, 0, 0)
    _review(two, first, rating_inputs=4, rating_targets=2)
    together = measures.agreement(harness.engine)["urd_Arab"]
    assert (together.alpha, together.items, together.ratings) == (1.0, 1, 4)


# --- concentration and progress --------------------------------------------------------------


def test_concentration_is_the_top_five_share(harness):
    people = [harness.member(name=f"Writer-{i}") for i in range(6)]
    for person, count in zip(people, (5, 4, 3, 2, 1, 1), strict=True):
        person.push([person.submission() for _ in range(count)])
    people[0].push([people[0].submission(state="draft")])  # drafts do not count
    result = measures.concentration(harness.engine)["urd_Arab"]
    assert (result.contributors, result.items) == (6, 16)
    assert result.top_share == pytest.approx(15 / 16)
    assert measures.concentration(harness.engine, top=1)["urd_Arab"].top_share == 5 / 16


def test_language_progress_counts_per_language_and_kind(harness):
    amina = harness.member(name="Amina-P", languages=["urd_Arab", "hin_Deva"])
    reviewer = harness.member("reviewer", ["urd_Arab"], name="Rev-P")
    done = _push(amina)
    _push(amina, state="draft")
    _push(amina, language="hin_Deva")
    _review(reviewer, done, rating_inputs=4)
    from sync.server.work import decisions

    decisions.decide(harness.engine, done, "accepted")
    rows = {(r.language, r.kind): r for r in measures.language_progress(harness.engine)}
    urdu = rows["urd_Arab", "original"]
    assert (urdu.drafts, urdu.submitted, urdu.reviewed, urdu.accepted, urdu.rejected,
            urdu.contributors, urdu.held) == (1, 1, 1, 1, 0, 1, 0)
    assert rows["hin_Deva", "original"].submitted == 1


# --- the CLI ---------------------------------------------------------------------------------


def test_cli_commands_and_their_errors(capsys, harness, db_url):
    amina = harness.member(name="Amina-C")
    reviewer = harness.member("reviewer", name="Rev-C")
    submission_id = _push(amina)
    _review(reviewer, submission_id, flag="nonsense")

    def run(*args):
        status = main([*args, "--db", db_url])
        out, err = capsys.readouterr()
        return status, out, err

    status, out, _ = run("relabel", submission_id, "--language", "hin_Deva", "--by", "Fatima")
    assert status == 0 and "revision 2" in out
    status, _, err = run("relabel", "missing", "--language", "hin_Deva")
    assert status == 1 and "No submission 'missing'" in err
    status, out, _ = run("flagged")
    assert status == 0 and "nonsense" in out and "Rev-C" in out
    status, out, _ = run("block", "Amina-C", "--reason", "spam")
    assert status == 0 and "is now blocked" in out
    status, out, _ = run("blocked")
    assert "Amina-C" in out and "spam" in out
    status, _, err = run("block", "Ghost", "--reason", "x")
    assert status == 1 and "No user named 'Ghost'" in err
    status, out, _ = run("unblock", "Amina-C")
    assert status == 0 and "no longer blocked" in out
    status, out, _ = run("agreement")
    assert status == 0
    status, out, _ = run("concentration", "--json")
    assert json.loads(out)["language"] == "hin_Deva"
