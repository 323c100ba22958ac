"""The tallies kept as the data arrives equal the figures counted from scratch, whatever
happens: random pushes, revisions, deletions, reviews (with further improvements), decisions,
flags, blocks and unblocks, relabels and settings changes, on both backends."""

import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import ClassVar

import pytest

from app.ids import new_id
from sync.server.cli import main
from sync.server.db import read_transaction, run_write, write_transaction
from sync.server.errors import ServerError
from sync.server.people.auditlog import Actor
from sync.server.quality import leaderboards, moderation, tallies
from sync.server.quality.measures import agreement, concentration, language_progress
from sync.server.work import decisions, projects
from sync.server.work.acceptance import acceptance_counts, counted_acceptance

LANGUAGES = ["urd_Arab", "hin_Deva"]
PROJECTS = [None, "p1", "p2"]
_now = datetime.now(UTC).replace(microsecond=0)
DAYS = [(_now - timedelta(days=d, hours=1)).isoformat(timespec="milliseconds")
        .replace("+00:00", "Z") for d in (0, 1, 3, 9)]


class World:
    """People, what they pushed (with revisions), and random things happening to it."""

    def __init__(self, harness, rng: random.Random):
        self.harness, self.rng = harness, rng
        self.points = random.Random(7)  # apart, so the seeds' worlds stay as they were
        projects.create_project(harness.engine, "p1", settings={
            "rules": {"min_edit_distance": 3}, "acceptance": {"min_ratings": 1}})
        projects.create_project(harness.engine, "p2")
        self.annotators = [harness.member("annotator", LANGUAGES) for _ in range(3)]
        self.reviewers = [harness.member("reviewer", LANGUAGES) for _ in range(3)]
        self.records: dict[str, dict] = {}   # id -> {"entity", "member", "record", "revision"}

    def pick(self, entity: str, **where):
        found = [r for r in self.records.values() if r["entity"] == entity
                 and all(r[k] == v for k, v in where.items())]
        return self.rng.choice(found) if found else None

    def _push(self, member, entity: str, record: dict, *, op="upsert", base=None) -> None:
        result = member.push([member.item(entity, record, op=op, base_revision=base)])
        answer = result["results"][0]
        if answer["status"] == "created":
            self.records[record["id"]] = {"entity": entity, "member": member,
                                          "record": record, "revision": answer["revision"],
                                          "deleted": op == "delete"}

    def submission(self, member=None, **extra) -> dict:
        rng = self.rng
        kind = rng.choice(["original", "reannotation", "postedit"])
        text = {"inputs": "سوال" + "ی" * rng.randint(0, 9),
                "targets": "جواب" + "ی" * rng.randint(0, 9)}
        if kind != "original":
            text.update(original_inputs="سوال", original_targets="جواب")
        if rng.random() < 0.5:
            text.update(rating_inputs=1, rating_targets=rng.choice([1, -1]))
        return {"id": new_id(), "kind": kind, "language": rng.choice(LANGUAGES), **text,
                "state": rng.choice(["submitted", "submitted", "draft"]), "task_id": None,
                "project_id": rng.choice(PROJECTS), "dialect": None,
                "submitted_at": rng.choice(DAYS), **extra}

    # --- what happens --------------------------------------------------------------------

    def push_new(self):
        member = self.rng.choice(self.annotators + self.reviewers)
        self._push(member, "submission", self.submission())

    def revise(self):
        found = self.pick("submission", deleted=False)
        if found is None:
            return
        record = {**found["record"], "state": self.rng.choice(["submitted", "draft"]),
                  "submitted_at": self.rng.choice(DAYS),
                  "targets": found["record"]["targets"] + "ے" * self.rng.randint(0, 6)}
        op = "delete" if self.rng.random() < 0.15 else "upsert"
        self._push(found["member"], "submission", record if op == "upsert" else
                   {"id": record["id"]}, op=op, base=found["revision"])

    def review(self):
        target = self.pick("submission", deleted=False)
        reviewer = self.rng.choice(self.reviewers)
        reviewed = self.pick("review", deleted=False)
        if reviewed is not None and self.rng.random() < 0.6:  # a second opinion on it
            target = self.records.get(reviewed["record"]["submission_id"], target)
            reviewer = self.rng.choice([r for r in self.reviewers
                                        if r is not reviewed["member"]])
        if target is None or target["record"].get("state") != "submitted":
            return
        record = {"id": new_id(), "submission_id": target["record"]["id"], "reason": "",
                  "rating_inputs": self.rng.randint(1, 5), "rating_targets":
                  self.rng.randint(1, 5), "updated_at": self.rng.choice(DAYS),
                  "state": "submitted"}
        if self.rng.random() < 0.2:
            record["flag"] = "wrong_language"
        if self.rng.random() < 0.3:  # a further improvement, with the review that made it
            better = self.submission(kind="reannotation", review_id=record["id"],
                                     state="submitted", parent_id=record["submission_id"],
                                     original_inputs="سوال", original_targets="جواب")
            self._push(reviewer, "submission", better)
            record["improvement_id"] = better["id"]
        self._push(reviewer, "review", record)

    def revise_review(self):
        found = self.pick("review", deleted=False)
        if found is None:
            return
        if self.rng.random() < 0.3:
            self._push(found["member"], "review", {"id": found["record"]["id"]}, op="delete",
                       base=found["revision"])
        else:
            record = {**found["record"], "rating_inputs": self.rng.randint(1, 5),
                      "updated_at": self.rng.choice(DAYS)}
            self._push(found["member"], "review", record, base=found["revision"])

    def decide(self):
        found = self.pick("submission", deleted=False)
        if found is not None and found["record"].get("state") == "submitted":
            try:
                decisions.decide(self.harness.engine, found["record"]["id"],
                                 self.rng.choice(["accepted", "rejected"]))
            except ServerError as exc:  # a draft or a tombstone now: refused
                assert "draft" in str(exc) or "No submission" in str(exc)

    def flag(self):
        found = self.pick("submission", deleted=False)
        if found is None or found["record"].get("state") != "submitted":
            return
        try:
            if self.rng.random() < 0.6:
                moderation.flag_item(self.harness.engine, found["record"]["id"], "harmful",
                                     by=Actor.command_line())
            else:
                moderation.unflag_item(self.harness.engine, found["record"]["id"],
                                       by=Actor.command_line())
        except ServerError as exc:
            assert "No submission" in str(exc)

    def block(self):
        engine = self.harness.engine
        blocked = [m for m in self.annotators + self.reviewers
                   if moderation.is_blocked(engine, m.user_id)]
        if blocked and self.rng.random() < 0.7:
            moderation.unblock(engine, self.rng.choice(blocked).user_id)
        else:
            member = self.rng.choice(self.annotators + self.reviewers)
            moderation.block(engine, member.user_id, reason="checking")

    def relabel(self):
        found = self.pick("submission", deleted=False)
        if found is not None:
            try:
                moderation.relabel(self.harness.engine, found["record"]["id"],
                                   language=self.rng.choice(LANGUAGES), by="coordinator")
            except ServerError as exc:
                assert "No submission" in str(exc)

    def settings(self):
        projects.update_settings(self.harness.engine, "p1", {
            "rules": {"min_edit_distance": self.rng.choice([3, 5, 8]),
                      "points_original": self.points.choice([1, 2, 4])},
            "acceptance": {"min_ratings": self.rng.choice([0, 1, 2]),
                           "min_accepted_per_language": self.rng.choice([1, 2])}})

    STEPS: ClassVar = {push_new: 8, revise: 4, review: 6, revise_review: 2, decide: 2, flag: 2,
             block: 1, relabel: 1, settings: 1}

    def step(self):
        steps, weights = zip(*self.STEPS.items(), strict=True)
        self.rng.choices(steps, weights)[0](self)


def assert_tallies_are_counted_afresh(engine):
    with read_transaction(engine) as conn:
        current = tallies.current_state(conn)  # settings changes were followed
        assert (tallies.stored_state(conn) or current) == current
        stored = tallies.stored_everything(conn)
        afresh = tallies.facts(conn)
        assert stored == +afresh
        for project_id in (None, *PROJECTS[1:]):
            kept = counted_acceptance(conn, project_id=project_id)
            assert kept.as_dict() == acceptance_counts(conn, project_id=project_id).as_dict()


@pytest.mark.parametrize("seed", [1, 2])
def test_tallies_equal_a_count_from_scratch(harness, seed):
    world = World(harness, random.Random(seed))
    for number in range(70):
        world.step()
        if number % 7 == 6:
            assert_tallies_are_counted_afresh(harness.engine)
    assert_tallies_are_counted_afresh(harness.engine)
    # And a rebuild from scratch leaves the boards and the overview's counts as they were.
    engine = harness.engine
    before = (*boards(engine), language_progress(engine), concentration(engine),
              agreement(engine))
    assert before[2].rows, "the random world left nobody on the board"
    assert any(a.items for a in before[-1].values()), "nothing was rated twice"
    run_write(engine, tallies.rebuild)
    after = (*boards(engine), language_progress(engine), concentration(engine),
             agreement(engine))
    assert after == before
    # The rows kept per week, stated again in SQL from the stored day rows, are those the
    # pushes kept (the world's days cross a week's start).
    run_write(engine, lambda conn: conn.execute(tallies.TALLIES.delete().where(
        tallies.TALLIES.c.figure.in_((tallies.SCORED_WEEK, tallies.RATED_WEEK)))))
    run_write(engine, tallies.restate_scored)
    assert_tallies_are_counted_afresh(engine)
    with read_transaction(engine) as conn:
        weeks = {row.figure for row in conn.execute(tallies.TALLIES.select().where(
            tallies.TALLIES.c.figure.in_((tallies.SCORED_WEEK, tallies.RATED_WEEK))))}
    assert weeks == {tallies.SCORED_WEEK, tallies.RATED_WEEK}
    # Without the scored rows (a database before migration 0018) the boards across projects
    # sum every kind of work of every day instead: the same boards, at every moment.
    run_write(engine, lambda conn: tallies._save_state(
        conn, replace(tallies.stored_state(conn), points=None)))
    assert boards(engine) == before[:len(MOMENTS) * 3]


# Boards are read now, at the end of this week (every day of it before the end counted, some
# not yet pushed), and at the end of the last (later weeks' work in its "today").
_monday = (_now - timedelta(days=_now.weekday())).replace(hour=0, minute=0, second=0)
MOMENTS = [None, _monday + timedelta(days=7, seconds=-1), _monday - timedelta(seconds=1)]


def boards(engine) -> tuple:
    """The day, week and all-time boards across projects at each of :data:`MOMENTS`."""
    return tuple(leaderboards.board(engine, period=period, now=moment)
                 for moment in MOMENTS for period in ("day", "week", "all"))


def test_rebuild_command(harness, db_url, capsys):
    member = harness.member("annotator", LANGUAGES)
    member.push([member.submission()])
    with read_transaction(harness.engine) as conn:
        kept = tallies.stored_everything(conn)
    run_write(harness.engine, lambda conn: conn.execute(tallies.TALLIES.delete()))
    assert main(["tallies", "--db", db_url]) == 0
    assert "tally rows" in capsys.readouterr().out
    with read_transaction(harness.engine) as conn:
        assert tallies.stored_everything(conn) == kept and kept
    projects.create_project(harness.engine, "p1")
    member.push([member.submission(project_id="p1")])
    assert main(["tallies", "--db", db_url, "--project", "p1"]) == 0
    assert "in project p1" in capsys.readouterr().out
    assert_tallies_are_counted_afresh(harness.engine)


def test_only_recorded_units_are_stated_before_a_write(harness, monkeypatch):
    """A write states the 'before' facts of the units the database holds a submission or a
    review of; the new items a push is about to write have none, so nothing is asked."""
    author, reviewer = harness.member("annotator"), harness.member("reviewer")
    kept, reviewed = author.submission(), author.submission()
    author.push([kept, reviewed])
    reviewer.push([reviewer.review(reviewed["id"])])
    asked = []
    real = tallies.facts
    monkeypatch.setattr(tallies, "facts", lambda conn, scope, *a, **k: asked.append(
        scope.units) or real(conn, scope, *a, **k))
    fresh = [new_id() for _ in range(3)]
    with write_transaction(harness.engine) as conn:
        change = tallies.Change(conn, [*fresh, kept["id"], None])
        assert asked == [(kept["id"],)] and change.before
        change.add([reviewed["id"], *fresh])
        assert asked[1:] == [(reviewed["id"],)]
        asked.clear()
        tallies.Change(conn, fresh)
        assert asked == []


def test_a_push_states_its_new_items_from_what_it_wrote(harness, monkeypatch):
    """New items nobody reviewed are stated from the rows the push wrote, not read back; the
    ones only the database can judge (a device stamp that is not a plain one, an edit with
    nothing to measure it against) are read back. Either way the tallies equal a recount."""
    engine = harness.engine
    projects.create_project(engine, "p1", settings={
        "rules": {"min_edit_distance": 3}, "acceptance": {"min_ratings": 0}})
    author, held = harness.member("annotator", LANGUAGES), harness.member("annotator")
    moderation.block(engine, held.user_id, reason="checking")
    world = World.__new__(World)
    world.rng = random.Random(3)
    plain = [world.submission(state=state, project_id=project, submitted_at=when)
             for state in ("submitted", "draft") for project in (None, "p1")
             for when in (DAYS[0], DAYS[2], None)]
    plain += [world.submission(kind="reannotation", original_inputs="سو", original_targets="ج",
                               rating_inputs=1, rating_targets=1, review_id="r-1"),
              world.submission(kind="postedit", original_targets="جواب", submitted_at="2999-"
                               "01-01T00:00:00.000Z")]  # later than the server: its time
    odd = [world.submission(submitted_at="2026-01-01 10:00", state="submitted"),
           world.submission(kind="reannotation", original_inputs=None, original_targets=None,
                            state="submitted")]
    asked: list = []
    real = tallies.facts
    monkeypatch.setattr(tallies, "facts", lambda conn, scope, *a, **k: (
        asked.append(scope.units), real(conn, scope, *a, **k))[1])
    result = author.push([author.item("submission", record) for record in [*plain, *odd]])
    assert {r["status"] for r in result["results"]} == {"created"}
    assert asked == [tuple(sorted(record["id"] for record in odd))]
    asked.clear()
    held.push([held.item("submission", world.submission())])
    assert asked == []
    monkeypatch.setattr(tallies, "facts", real)
    assert_tallies_are_counted_afresh(engine)


def test_concurrent_writers_keep_the_tallies_exact(harness):
    """Pushes from several devices at once, while a coordinator decides, flags and blocks:
    each writer states its units under the write lock, so none counts from a stale 'before'."""
    from concurrent.futures import ThreadPoolExecutor

    from sync.protocol import PushBatch
    from sync.server.exchange.push import apply_push
    from sync.server.people.users import load_device

    engine = harness.engine
    authors = [harness.member("annotator", LANGUAGES) for _ in range(3)]
    reviewer = harness.member("reviewer", LANGUAGES)
    first = [authors[0].submission(id=new_id()) for _ in range(5)]
    authors[0].push(first)

    def push(member, rounds: int) -> None:
        device = load_device(engine, member.device_id)
        for _ in range(rounds):
            if member is reviewer:
                items = [member.review(item["id"], rating=random.randint(1, 5)) for item in first]
            else:
                items = [member.submission() for _ in range(4)]
            apply_push(engine, device, PushBatch.model_validate(member.batch(items)))

    def coordinate() -> None:
        for number in range(6):
            target = first[number % len(first)]["id"]
            moderation.flag_item(engine, target, "harmful", by=Actor.command_line())
            decisions.decide(engine, target, "accepted" if number % 2 else "rejected")
            moderation.block(engine, reviewer.user_id, reason="checking")
            moderation.unblock(engine, reviewer.user_id)

    with ThreadPoolExecutor(5) as pool:
        done = [pool.submit(push, member, 6) for member in [*authors, reviewer]]
        done.append(pool.submit(coordinate))
        for future in done:
            future.result()
    assert_tallies_are_counted_afresh(engine)


def test_boards_across_projects_read_work_scored_by_their_rules(harness):
    """The boards across projects sum the scored rows (two per user and day) while they
    were scored by those boards' rules; new points restate them (and only them), and a
    database that kept none gets them from its stored work rows (migration 0018)."""
    from sqlalchemy import event

    engine = harness.engine
    projects.create_project(engine, "p1", settings={"rules": {"points_original": 2}})
    author = harness.member("annotator", LANGUAGES)
    author.push([author.submission(project_id="p1", kind="original") for _ in range(3)])
    asked: list = []
    event.listen(engine, "before_cursor_execute",
                 lambda conn, cursor, statement, parameters, *_: asked.append(parameters))
    assert leaderboards.board(engine).rows[0].points == 6
    assert any(tallies.SCORED in (p.values() if isinstance(p, dict) else p) for p in asked)
    projects.update_settings(engine, "p1", {"rules": {"points_original": 5}})
    assert leaderboards.board(engine).rows[0].points == 15
    assert_tallies_are_counted_afresh(engine)
    with read_transaction(engine) as conn:
        kept = tallies.stored_everything(conn)
    run_write(engine, lambda conn: (
        conn.execute(tallies.TALLIES.delete().where(tallies.TALLIES.c.figure == tallies.SCORED)),
        tallies._save_state(conn, replace(tallies.stored_state(conn), points=None))))
    assert leaderboards.board(engine).rows[0].points == 15  # every kind of work summed
    run_write(engine, tallies.restate_scored)
    with read_transaction(engine) as conn:
        assert tallies.stored_everything(conn) == kept
    assert_tallies_are_counted_afresh(engine)


def test_among_selects_exactly_the_values_given(engine):
    """db.among (a JSON array parameter, one statement for any number of ids) selects what
    ``IN (...)`` would, on both backends: none, one, quotes and other scripts, thousands."""
    import sqlalchemy as sa

    from sync.server import tables
    from sync.server.db import among

    keys = [f"k{n}" for n in range(1200)] + ["it's", 'a "quoted" key', "اردو", "null", ""]
    run_write(engine, lambda conn: conn.execute(tables.figures.insert(), [
        {"key": key, "value": "1", "computed_at": "2026-01-01T00:00:00.000Z"} for key in keys]))
    wanted_sets = [[], ["it's"], ['a "quoted" key', "اردو", "", "missing"], keys[::2], keys]
    with read_transaction(engine) as conn:
        for wanted in wanted_sets:
            found = conn.execute(sa.select(tables.figures.c.key).where(
                among(tables.figures.c.key, wanted))).scalars().all()
            assert sorted(found) == sorted(set(wanted) & set(keys))
