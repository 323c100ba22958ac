"""Independent audits: stratified, reproducible, blind samples; who may rate; estimates."""

import math
from collections import Counter
from dataclasses import asdict, fields

import pytest

from sync.server.cli import main
from sync.server.errors import ServerError
from sync.server.quality import audits, moderation


@pytest.fixture
def work(harness):
    """Amina wrote 5 Urdu and 2 Hindi items, Bilal 2 Urdu; Rahel audits from outside."""
    amina = harness.member("annotator", ["urd_Arab", "hin_Deva"], name="Amina")
    bilal = harness.member("annotator", ["urd_Arab"], name="Bilal")
    amina.push([amina.submission(inputs=f"سوال {i}") for i in range(5)]
               + [amina.submission(language="hin_Deva", inputs=f"प्रश्न {i}") for i in range(2)]
               + [amina.submission(state="draft")])
    bilal.push([bilal.submission(inputs=f"بلال {i}") for i in range(2)])
    harness.invite("auditor", ["urd_Arab", "hin_Deva"], name="Rahel")
    return amina, bilal


def _draw(harness, **options):
    options = {"per_language": 3, "auditors": ["Rahel"], "created_by": "Fatima", **options}
    return audits.draw_sample(harness.engine, **options)


def _ids(harness, auditor="Rahel", sample_id=None):
    return sorted(i.submission_id for i in audits.auditor_items(harness.engine, auditor,
                                                               sample_id=sample_id))


def test_each_language_gets_its_share_or_all_it_has(harness, work):
    sample = _draw(harness, seed=7)
    items = audits.auditor_items(harness.engine, "Rahel")
    assert Counter(i.language for i in items) == {"urd_Arab": 3, "hin_Deva": 2}
    [summary] = audits.list_samples(harness.engine)
    assert (summary.id, summary.seed, summary.items, summary.done) == (sample, 7, 5, 0)
    only_hindi = _draw(harness, languages=["hin_Deva"], per_language=1)
    assert len(_ids(harness, sample_id=only_hindi)) == 1


def test_the_same_seed_draws_the_same_sample(harness, work):
    first, second = _draw(harness, seed=11), _draw(harness, seed=11)
    assert _ids(harness, sample_id=first) == _ids(harness, sample_id=second)
    draws = {tuple(_ids(harness, sample_id=_draw(harness, seed=seed))) for seed in range(8)}
    assert len(draws) > 1  # and other seeds draw otherwise


def test_nobody_audits_their_own_work(harness, work):
    amina, bilal = work
    sample = _draw(harness, per_language=10, auditors=["Amina", "Bilal", "Rahel"], seed=3)
    with harness.engine.connect() as conn:
        rows = conn.execute(audits.ITEMS.join(audits.SUBMISSIONS, audits.SUBMISSIONS.c.id ==
                                              audits.ITEMS.c.submission_id).select()
                            .where(audits.ITEMS.c.sample_id == sample)).all()
    assert len(rows) == 9  # every handed-in item, none twice
    assert all(r.auditor_id != r.author_id for r in rows)
    assert {r.auditor_id for r in rows} == {amina.user_id, bilal.user_id,
                                           audits.get_user(harness.engine, "Rahel").id}
    alone = _draw(harness, per_language=10, auditors=["Amina"], seed=3)
    assert len(_ids(harness, "Amina", sample_id=alone)) == 2  # only Bilal's items


def test_auditors_see_the_text_and_nothing_of_its_author(harness, work):
    amina, _ = work
    _draw(harness, seed=1)
    [item, *_] = audits.auditor_items(harness.engine, "Rahel")
    shown = {f.name for f in fields(item)}
    assert shown == {"sample_id", "submission_id", "language", "kind", "dialect", "prompt",
                     "completion", "rating", "acceptable", "comment", "done_at"}
    values = " ".join(str(v) for v in asdict(item).values())
    assert amina.user_id not in values and amina.device_id not in values
    assert "Amina" not in values and item.prompt and item.completion == "جواب"


def test_only_the_assigned_auditor_may_record(harness, work):
    sample = _draw(harness, seed=2)
    harness.invite("auditor", ["urd_Arab"], name="Tomas")
    [first, *_] = audits.auditor_items(harness.engine, "Rahel")
    with pytest.raises(ServerError, match="not assigned to Tomas") as error:
        audits.record_audit(harness.engine, sample_id=sample, submission_id=first.submission_id,
                            auditor="Tomas", rating=4, acceptable=True)
    assert error.value.status == 403
    with pytest.raises(ServerError, match="rating: a whole number from 1 to 5"):
        audits.record_audit(harness.engine, sample_id=sample, submission_id=first.submission_id,
                            auditor="Rahel", rating=6, acceptable=True)
    with pytest.raises(ServerError, match="No audit sample 'nope'"):
        audits.record_audit(harness.engine, sample_id="nope", submission_id=first.submission_id,
                            auditor="Rahel", rating=4, acceptable=True)
    audits.record_audit(harness.engine, sample_id=sample, submission_id=first.submission_id,
                        auditor="Rahel", rating=4, acceptable=True, comment=" fine ")
    assert first.submission_id not in _ids(harness)  # no longer pending
    [done] = [i for i in audits.auditor_items(harness.engine, "Rahel", pending_only=False)
              if i.submission_id == first.submission_id]
    assert (done.rating, done.acceptable, done.comment) == (4, True, "fine")


def _wilson(k: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def test_estimates_with_known_counts(harness, work):
    sample = _draw(harness, per_language=5, seed=5)
    urdu = [i for i in audits.auditor_items(harness.engine, "Rahel") if i.language == "urd_Arab"]
    for item, (rating, ok) in zip(urdu, [(5, True), (4, True), (2, False), (4, True)],
                                  strict=False):
        audits.record_audit(harness.engine, sample_id=sample, submission_id=item.submission_id,
                            auditor="Rahel", rating=rating, acceptable=ok)
    result = audits.estimates(harness.engine, sample)
    estimate = result["urd_Arab"]
    assert (estimate.sampled, estimate.audited, estimate.acceptable) == (5, 4, 3)
    assert estimate.acceptable_share == 0.75
    assert estimate.acceptable_ci == pytest.approx(_wilson(3, 4))
    assert estimate.mean_rating == 3.75
    # On the logit of p = (3.75 - 1) / 4: t(0.975, 3) = 3.182446, sample sd of 5, 4, 2, 4 =
    # 1.258306, standard error of p = 1.258306 / 4 / 2, over p (1 - p).
    p = 2.75 / 4
    half = 3.182446 * 1.258306 / 4 / 2 / (p * (1 - p))
    centre = math.log(p / (1 - p))
    expected = tuple(1 + 4 / (1 + math.exp(-x)) for x in (centre - half, centre + half))
    assert estimate.rating_ci == pytest.approx(expected, abs=1e-5)
    hindi = result["hin_Deva"]
    assert (hindi.sampled, hindi.audited, hindi.acceptable_share, hindi.rating_ci) == (
        2, 0, None, None)


@pytest.mark.parametrize("ratings", [[5, 5, 5, 5, 5, 1], [5, 5, 4, 5], [1, 1, 2, 1, 1],
                                     [5, 5, 5], [1, 1], [3, 3, 3, 3], [2, 4]])
def test_the_interval_of_a_mean_rating_stays_on_the_scale(ratings):
    """A t interval put five 5s and a 1 at [2.58, 5.82]: past the top of the scale."""
    low, high = audits.mean_interval(ratings)
    mean = sum(ratings) / len(ratings)
    assert 1 <= low <= mean <= high <= 5, (low, high)
    assert low < high  # never claims certainty from a handful of ratings
    if mean == 5:
        assert high == 5 and low < 5


def test_blocked_work_is_never_drawn_and_drops_out_until_unblocked(harness, work):
    moderation.block(harness.engine, "Bilal", reason="copied")
    sample = _draw(harness, per_language=10, seed=4)
    assert audits.estimates(harness.engine, sample)["urd_Arab"].sampled == 5  # Amina's only
    moderation.unblock(harness.engine, "Bilal")
    later = _draw(harness, per_language=10, seed=4)
    assert audits.estimates(harness.engine, later)["urd_Arab"].sampled == 7
    moderation.block(harness.engine, "Amina", reason="copied")
    assert set(audits.estimates(harness.engine, later)) == {"urd_Arab"}
    assert audits.estimates(harness.engine, later)["urd_Arab"].sampled == 2
    assert len(_ids(harness, sample_id=later)) == 2
    with pytest.raises(ServerError, match="Amina is blocked and cannot audit"):
        _draw(harness, auditors=["Amina"])
    moderation.unblock(harness.engine, "Amina")
    assert len(_ids(harness, sample_id=later)) == 9


def test_draw_errors_are_clear(harness, work):
    with pytest.raises(ServerError, match="No user named 'Ghost'"):
        _draw(harness, auditors=["Ghost"])
    with pytest.raises(ServerError, match="per_language"):
        _draw(harness, per_language=0)
    with pytest.raises(ServerError, match="no handed-in work to sample in swh_Latn"):
        _draw(harness, languages=["swh_Latn"])


def test_audit_cli(capsys, harness, work, db_url):
    def run(*args):
        status = main(["audit", *args[:1], "--db", db_url, *args[1:]])
        out, err = capsys.readouterr()
        return status, out, err

    status, out, _ = run("draw", "--per-language", "2", "--auditor", "Rahel", "--seed", "9",
                         "--by", "Fatima")
    assert status == 0 and "(seed 9): 4 items in 2 languages for Rahel" in out
    sample = out.split()[1]
    status, out, _ = run("list")
    assert sample in out and "0/4" in out
    status, out, _ = run("items", "--auditor", "Rahel")
    assert status == 0 and "prompt:" in out and "Amina" not in out
    submission = out.split()[1]
    status, out, _ = run("record", sample, submission, "--auditor", "Rahel", "--rating", "4",
                         "--acceptable", "yes")
    assert status == 0 and "Recorded" in out
    status, out, err = run("record", sample, submission, "--auditor", "Amina", "--rating", "4",
                           "--acceptable", "yes")
    assert status == 1 and "only its assigned auditor" in err
    status, out, _ = run("report", sample)
    assert status == 0 and "1/2" in out and "100%" in out
