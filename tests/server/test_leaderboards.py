"""Leaderboards: points by app.rules, per period and language, the caller's row, blocks."""

import json
from datetime import UTC, datetime, timedelta

import pytest

from app import rules
from sync.protocol import Leaderboards
from sync.server.cli import main
from sync.server.quality import leaderboards, moderation
from tests.server.helpers import statuses

# A Wednesday noon two weeks back: device stamps must not be later than the server's clock.
_back = datetime.now(UTC) - timedelta(days=14)
WEDNESDAY = (_back - timedelta(days=_back.weekday() - 2)).replace(hour=12, minute=0, second=0,
                                                                  microsecond=0)


def _at(when: datetime) -> str:
    return when.isoformat(timespec="milliseconds").replace("+00:00", "Z")


TODAY = _at(WEDNESDAY - timedelta(hours=4))
MONDAY = _at(WEDNESDAY - timedelta(days=2, hours=2))
LONG_AGO = _at(WEDNESDAY - timedelta(days=20))


def _push(member, entity: str, record: dict) -> str:
    result = member.push([member.item(entity, record)])
    assert statuses(result) == ["created"], result
    return record["id"]


def _submission(member, id: str, kind: str, language: str, when: str, **extra) -> str:
    """An item; an edit's text really is ``prompt_distance``/``completion_distance``
    characters from what it started from (the server measures it; the record's own
    numbers are not trusted)."""
    text = {"inputs": "سوال", "targets": "جواب"}
    if kind in ("reannotation", "postedit"):
        text.update(original_inputs="سوال", original_targets="جواب",
                    inputs="سوال" + "ی" * extra.get("prompt_distance", 0),
                    targets="جواب" + "ی" * extra.get("completion_distance", 0))
    return _push(member, "submission", {
        "id": id, "kind": kind, "language": language, **text,
        "state": "submitted", "task_id": None, "project_id": None, "dialect": None,
        "submitted_at": when, **extra})


def _review(member, id: str, submission_id: str, when: str, **extra) -> str:
    return _push(member, "review", {"id": id, "submission_id": submission_id, "reason": "",
                                    "state": "submitted", "updated_at": when, **extra})


@pytest.fixture
def people(harness):
    """Amina writes in Urdu and Hindi; Bilal reviews her re-annotation and improves it
    further; Chandra rates Bilal's improvement."""
    amina = harness.member("annotator", ["urd_Arab", "hin_Deva"], name="Amina")
    bilal = harness.member("reviewer", ["urd_Arab"], name="Bilal")
    chandra = harness.member("reviewer", ["urd_Arab"], name="Chandra")
    _submission(amina, "a-orig", "original", "urd_Arab", TODAY)
    _submission(amina, "a-reann", "reannotation", "urd_Arab", TODAY, rating_inputs=1,
                rating_targets=-1, prompt_distance=12, completion_distance=3)
    _submission(amina, "a-post", "postedit", "hin_Deva", MONDAY, completion_distance=6,
                hter=0.2)
    _submission(amina, "a-old", "original", "hin_Deva", LONG_AGO)
    _submission(amina, "a-draft", "original", "urd_Arab", TODAY, state="draft")
    _review(bilal, "b-rv1", "a-reann", TODAY, rating_inputs=4, rating_targets=5)
    _submission(bilal, "b-better", "reannotation", "urd_Arab", TODAY, review_id="b-rv2",
                parent_id="a-reann", prompt_distance=10)
    _review(bilal, "b-rv2", "a-orig", TODAY, rating_inputs=3, improvement_id="b-better")
    _review(chandra, "c-rv", "b-better", TODAY, rating_inputs=2, rating_targets=3)
    return amina, bilal, chandra


def _boards(engine, who, **options) -> dict:
    result = leaderboards.leaderboards(engine, who, now=WEDNESDAY, **options)
    return {(b.period, b.language): b for b in result.boards}


def _row(board, name):
    return next((r for r in board.rows if r.name == name), None)


def test_points_and_scores_are_app_rules(harness, people):
    amina_did = [
        rules.Activity("original", "urd_Arab"),
        rules.Activity("reannotation", "urd_Arab", rated=True, prompt_distance=12,
                       completion_distance=3, ratings_received=(4, 5)),
        rules.Activity("postedit", "hin_Deva", completion_distance=6, hter=0.2),
        rules.Activity("original", "hin_Deva"),
    ]
    bilal_did = [
        rules.Activity("review", "urd_Arab"),
        rules.Activity("review", "urd_Arab", further_improvement=True,
                       ratings_received=(2, 3)),
    ]
    boards = _boards(harness.engine, "Amina")
    amina = _row(boards["all", None], "Amina")
    expected = rules.progress(amina_did)
    assert (amina.points, amina.contributions) == (expected.points, 4) == (7, 4)
    assert (amina.quality_score, amina.aya_score) == (expected.quality_score,
                                                      expected.aya_score) == (4.5, 1.0)
    bilal = _row(boards["all", None], "Bilal")
    expected = rules.progress(bilal_did)
    assert (bilal.points, bilal.contributions) == (expected.points, 2) == (3, 2)
    assert (bilal.quality_score, bilal.aya_score) == (2.5, 0.0)
    assert _row(boards["all", None], "Chandra").points == 1
    assert [r.rank for r in boards["all", None].rows] == [1, 2, 3]


def test_project_rules_change_the_points(harness, people):
    from sync.server.work import projects

    projects.create_project(harness.engine, "aya", settings={"rules": {"points_original": 5}})
    boards = _boards(harness.engine, "Amina")
    assert _row(boards["all", None], "Amina").points == 7 + 2 * 3


def test_periods_and_languages(harness, people):
    boards = _boards(harness.engine, "Amina")
    assert set(boards) == {(p, lang) for p in ("day", "week", "all")
                           for lang in (None, "urd_Arab", "hin_Deva")}
    day = boards["day", None]
    assert day.since == _at(WEDNESDAY.replace(hour=0))
    assert boards["week", None].since == _at(WEDNESDAY.replace(hour=0) - timedelta(days=2))
    assert boards["all", None].since is None
    points = {(p, lang): (_row(b, "Amina").points if _row(b, "Amina") else 0)
              for (p, lang), b in boards.items()}
    assert points == {("day", None): 4, ("week", None): 5, ("all", None): 7,
                      ("day", "urd_Arab"): 4, ("week", "urd_Arab"): 4, ("all", "urd_Arab"): 4,
                      ("day", "hin_Deva"): 0, ("week", "hin_Deva"): 1, ("all", "hin_Deva"): 3}
    # No work in Hindi today: no rows, but Amina still sees where she stands.
    quiet = boards["day", "hin_Deva"]
    assert quiet.rows == [] and (quiet.me.rank, quiet.me.points) == (1, 0)
    # A week later, "day" and "week" are empty again; "all" keeps everyone.
    later = {(b.period, b.language): b for b in leaderboards.leaderboards(
        harness.engine, "Amina", now=WEDNESDAY + timedelta(days=7)).boards}
    assert later["week", None].rows == [] and len(later["all", None].rows) == 3


def test_the_callers_row_is_there_even_outside_the_top(harness, people):
    boards = _boards(harness.engine, "Chandra", limit=1)
    board = boards["all", None]
    assert [r.name for r in board.rows] == ["Amina"]
    assert (board.me.name, board.me.rank, board.me.points) == ("Chandra", 3, 1)
    assert set(boards) == {(p, lang) for p in ("day", "week", "all")
                           for lang in (None, "urd_Arab")}
    newcomer = harness.member("annotator", ["urd_Arab"], name="Dina")
    board = _boards(harness.engine, newcomer.device)["all", None]
    assert (board.me.name, board.me.rank, board.me.contributions) == ("Dina", 4, 0)


def test_blocked_users_leave_the_boards_until_unblocked(harness, people):
    moderation.block(harness.engine, "Amina", reason="copied text")
    moderation.block(harness.engine, "Chandra", reason="random ratings")
    boards = _boards(harness.engine, "Amina")
    assert [r.name for r in boards["all", None].rows] == ["Bilal"]
    assert boards["all", None].me is None  # a blocked user has no row
    bilal = _row(boards["all", None], "Bilal")
    assert bilal.quality_score is None  # Chandra's rating no longer counts
    moderation.unblock(harness.engine, "Amina")
    moderation.unblock(harness.engine, "Chandra")
    boards = _boards(harness.engine, "Amina")
    assert [r.name for r in boards["all", None].rows] == ["Amina", "Bilal", "Chandra"]
    assert _row(boards["all", None], "Bilal").quality_score == 2.5


def test_leaderboard_over_http(harness, people):
    amina, _, _ = people
    leaderboards.leaderboards(harness.engine, "Amina")  # fresh, whatever ran before
    response = harness.client.get("/v1/leaderboard", headers=amina.headers)
    assert response.status_code == 200, response.text
    result = Leaderboards.model_validate(response.json())
    assert len(result.boards) == 9
    overall = next(b for b in result.boards if b.period == "all" and b.language is None)
    assert overall.me.name == "Amina" and overall.me.points == 7
    response = harness.client.get("/v1/leaderboard")
    assert response.status_code == 401 and response.json()["code"] == "unauthorized"


def test_leaderboard_cli(capsys, harness, people, db_url):
    status = main(["leaderboard", "--db", db_url, "--language", "urd_Arab"])
    out = capsys.readouterr().out
    assert status == 0 and "Amina" in out and "4.50" in out
    status = main(["leaderboard", "--db", db_url, "--json", "--top", "1"])
    board = json.loads(capsys.readouterr().out)
    assert status == 0 and [r["name"] for r in board["rows"]] == ["Amina"]


def test_claimed_edits_earn_no_points(harness):
    """Points for an edit come from the distance the server measured, not the record's."""
    dana = harness.member("annotator", ["urd_Arab"], name="Dana")
    _push(dana, "submission", {
        "id": "d-claim", "kind": "reannotation", "language": "urd_Arab", "inputs": "سوال",
        "targets": "جواب", "original_inputs": "سوال", "original_targets": "جواب",
        "prompt_distance": 50, "completion_distance": 50, "state": "submitted",
        "task_id": None, "project_id": None, "dialect": None, "submitted_at": TODAY})
    row = _row(_boards(harness.engine, "Dana")["all", None], "Dana")
    assert (row.points, row.contributions) == (0, 1)


def test_ranks_of_the_top_and_the_caller_follow_a_full_sort(engine):
    """Only each board's top leaves the database, ranked and sorted there: its rows, ranks
    (equal points share one), the caller's row below it, and their place when they have no
    work are those of sorting everyone in Python, whatever the ties and names (code point
    order; a user with no users row sorts as an empty name)."""
    import random

    from sync.server import tables
    from sync.server.db import run_write
    from sync.server.quality import tallies

    rng = random.Random(15)
    names = ["Amina", "amina", "Ämina", "Bilal", "bilal", "Zoë", "Chandra", "چاند", "Dina"]
    people = {f"u{n:02}": name for n, name in enumerate(names)}
    stamp = "2026-01-05T00:00:00.000Z"
    run_write(engine, lambda conn: conn.execute(tables.users.insert(), [
        {"id": user, "name": name, "role": "annotator", "languages": '["urd_Arab"]',
         "created_at": stamp, "updated_at": stamp} for user, name in people.items()]))
    strangers = ["u90", "u91"]  # work tallied, no users row
    shown = 0
    for _ in range(30):
        rows = {}
        for user in rng.sample([*people, *strangers], rng.randint(0, 11)):
            for language in rng.sample(["urd_Arab", "hin_Deva"], rng.randint(1, 2)):
                for detail, n in (("points", rng.randint(0, 6)), ("n", rng.randint(0, 2))):
                    rows[user, language, detail] = n

        def fill(conn, rows=rows):
            conn.execute(tallies.TALLIES.delete())
            kept = [{"figure": tallies.SCORED, "day": tallies.ALL_TIME, "project_id": "",
                     "user_id": user, "language": language, "detail": detail, "n": n}
                    for (user, language, detail), n in rows.items() if n]
            if kept:
                conn.execute(tallies.TALLIES.insert(), kept)

        run_write(engine, fill)
        language = rng.choice([None, "urd_Arab"])
        limit, caller = rng.randint(1, 8), rng.choice([*people, None])
        board = leaderboards.board(engine, language=language, limit=limit, user=caller)
        totals: dict[str, list[int]] = {}
        for (user, spoken, detail), n in rows.items():
            if language in (None, spoken):
                totals.setdefault(user, [0, 0])[detail == "n"] += n
        everyone = sorted((u for u, (_, n) in totals.items() if n),
                          key=lambda u: (-totals[u][0], -totals[u][1], people.get(u, ""), u))
        assert [r.user_id for r in board.rows] == everyone[:limit]
        shown += len(board.rows)
        for row in [*board.rows, *([board.me] if caller in everyone else [])]:
            assert row.rank == 1 + sum(totals[u][0] > row.points for u in everyone)
            assert (row.points, row.contributions) == tuple(totals[row.user_id])
            assert row.name == people.get(row.user_id, row.user_id)
        if caller is not None and caller not in everyone:
            assert (board.me.rank, board.me.points) == (len(everyone) + 1, 0)
    assert shown > 60, "too few rows on the boards to say anything"
