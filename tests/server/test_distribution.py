"""Handing out work (issue 6): the audit cap, nobody served their own work, human-written
first, leases that lapse and late results that still count, peer-review tasks, and the
client asking for work once per sync. Time is passed in (``now``), never slept through."""

import json
import threading
from datetime import UTC, datetime, timedelta

import httpx
import sqlalchemy as sa

from app.ids import new_id
from app.taskfile import ORIGINS
from sync.protocol import freeze
from sync.server import tables
from sync.server.cli import main
from sync.server.db import Sequence, run_write
from sync.server.work import distribution
from sync.server.work.distribution import list_leases, queue_status, review_task_id, serve_work
from sync.server.work.projects import create_project, update_settings

T, L = tables.tasks, tables.task_leases
START = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
WEEK_AND_A_DAY = timedelta(hours=7 * 24 + 24)  # past the default lease of 7 days


def add_tasks(engine, *tasks: dict) -> list[str]:
    """Tasks as an import leaves them (origin, author), oldest first in the order given."""

    def work(conn):
        seqs = Sequence(conn)
        for n, task in enumerate(tasks):
            stamp = (START + timedelta(minutes=n)).isoformat(timespec="milliseconds") \
                .replace("+00:00", "Z")
            record = {"id": task.get("id") or new_id(), "kind": "original",
                      "language": "urd_Arab", "origin": "human", "project_id": None,
                      "instructions": "لکھیے", "inputs": "", "targets": "", "source_text": None,
                      "mt_text": None, "dialect": None, **task}
            conn.execute(T.insert().values(
                id=record["id"], project_id=record["project_id"], language=record["language"],
                kind=record["kind"], origin=record["origin"],
                author_id=record.get("author_id"), review_of=record.get("review_of"),
                payload=freeze({**record, "created_at": stamp, "updated_at": stamp}),
                revision=1, server_seq=seqs.next(), created_at=stamp, updated_at=stamp))
            task["id"] = record["id"]
        seqs.save()

    run_write(engine, work)
    return [task["id"] for task in tasks]


def leased(member) -> list[str]:
    return [lease.task_id for lease in list_leases(member.harness.engine, user=member.user_id)]


def pulled_tasks(member) -> list[str]:
    return [i["id"] for i in member.pull_all() if i["entity"] == "task"]


def work(member, **options):
    return serve_work(member.harness.engine, member.device, **options)


def test_serving_order_is_the_order_origins_sort_in():
    # The tasks_for_work index (language, origin, created_at) walks in serving order.
    assert ORIGINS == ("human", "templated", "translated") == tuple(sorted(ORIGINS))


# --- the audit cap and lapsed leases ---------------------------------------------------------


def test_an_item_goes_to_at_most_three_people_until_a_lease_lapses(harness):
    (task,) = add_tasks(harness.engine, {})
    people = [harness.member() for _ in range(4)]
    for person in people[:3]:
        assert work(person, now=START).leased == 1
    fourth = people[3]
    result = work(fourth, now=START + timedelta(hours=1))
    assert (result.leased, result.open, result.queued) == (0, 0, 0)
    assert pulled_tasks(fourth) == []
    # One finishes (a done lease keeps its place); the other two never come back.
    done = people[0].submission(task_id=task, targets="ایک جواب")
    people[0].push([done])
    result = work(fourth, now=START + WEEK_AND_A_DAY)
    assert (result.leased, result.open) == (2, 2)  # the task, and the review of what was done
    assert sorted(pulled_tasks(fourth)) == sorted([task, review_task_id(done["id"])])
    [status, _review] = queue_status(harness.engine, now=START + WEEK_AND_A_DAY)
    assert status.kind == "original"
    assert (status.tasks, status.leased, status.done, status.expired) == (1, 1, 1, 2)
    assert (status.waiting, status.capped) == (1, 0)  # one place left: done 1 + live 1 < 3


def test_a_lapsed_lease_is_offered_to_someone_else_and_its_holder_keeps_the_task(harness):
    create_project(harness.engine, "p", settings={"distribution": {"audits_per_item": 1,
                                                                 "lease_hours": 48}})
    (task,) = add_tasks(harness.engine, {"project_id": "p"})
    amina, bilal = harness.member(), harness.member()
    assert work(amina, now=START).leased == 1
    assert work(bilal, now=START + timedelta(hours=47)).leased == 0
    assert work(bilal, now=START + timedelta(hours=49)).leased == 1
    assert pulled_tasks(amina) == [task] and pulled_tasks(bilal) == [task]
    assert work(amina, now=START + timedelta(hours=50)).leased == 0  # never the same one twice
    [status] = queue_status(harness.engine, now=START + timedelta(hours=50))
    assert (status.leased, status.expired, status.capped) == (1, 1, 1)


def test_a_late_result_still_counts_and_completes_the_lease(harness):
    create_project(harness.engine, "p", settings={"distribution": {"audits_per_item": 1}})
    (task,) = add_tasks(harness.engine, {"project_id": "p"})
    amina, bilal = harness.member(), harness.member()
    work(amina, now=datetime.now(UTC) - WEEK_AND_A_DAY)  # long ago: lapsed by now
    assert work(bilal).leased == 1                # so it went to Bilal
    late = amina.submission(task_id=task, project_id="p")
    assert amina.push([late])["results"][0]["status"] == "created"
    states = {lease.user: lease.state for lease in list_leases(harness.engine)}
    assert states == {amina.user.name: "done", bilal.user.name: "live"}
    [status] = [row for row in queue_status(harness.engine) if row.kind == "original"]
    assert (status.done, status.leased, status.expired) == (1, 1, 0)


def test_a_draft_does_not_complete_a_lease(harness):
    (task,) = add_tasks(harness.engine, {})
    amina = harness.member()
    work(amina)
    amina.push([amina.submission(task_id=task, state="draft")])
    assert [lease.state for lease in list_leases(harness.engine)] == ["live"]


# --- who gets what ---------------------------------------------------------------------------


def test_nobody_is_served_their_own_work(harness):
    amina, bilal = harness.member(), harness.member()
    item = bilal.submission(inputs="بارش کب ہوگی؟", targets="کل")
    bilal.push([item])
    add_tasks(harness.engine, {"kind": "reannotation", "author_id": bilal.user_id,
                               "inputs": "بارش کب ہوگی؟", "targets": "کل"})
    assert work(bilal).leased == 0  # neither the review of it nor a re-annotation of it
    assert pulled_tasks(bilal) == []
    assert work(amina).leased == 2
    review = [i for i in amina.pull_all() if i["id"] == review_task_id(item["id"])]
    payload = json.loads(review[0]["payload"])
    assert payload["kind"] == "review" and payload["author"] == bilal.user_id
    assert (payload["review_of"], payload["inputs"], payload["targets"]) == (
        item["id"], "بارش کب ہوگی؟", "کل")


def test_human_written_items_come_before_templated_then_translated_ones(harness):
    create_project(harness.engine, "p", settings={"distribution": {"page_size": 4}})
    oldest_first = add_tasks(
        harness.engine,
        {"id": "mt-1", "origin": "translated", "project_id": "p"},
        {"id": "tpl-1", "origin": "templated", "project_id": "p", "language": "hin_Deva"},
        {"id": "mt-2", "origin": "translated", "project_id": "p"},
        {"id": "human-1", "origin": "human", "project_id": "p"},
        {"id": "tpl-2", "origin": "templated", "project_id": "p"},
        {"id": "human-2", "origin": "human", "project_id": "p", "language": "hin_Deva"},
    )
    assert len(oldest_first) == 6
    amina = harness.member(languages=["urd_Arab", "hin_Deva"])
    for n in range(1, 5):  # one more each time, so the lease times show the order
        assert work(amina, limit=n, now=START + timedelta(seconds=n)).leased == 1
    assert work(amina, now=START + timedelta(seconds=5)).leased == 0  # a page of 4
    served = sorted(list_leases(harness.engine), key=lambda lease: lease.leased_at)
    assert [lease.task_id for lease in served] == ["human-1", "human-2", "tpl-1", "tpl-2"]


def test_page_size_is_respected_and_topped_up_after_work_is_done(harness):
    create_project(harness.engine, "p", settings={"distribution": {"page_size": 3}})
    tasks = add_tasks(harness.engine, *({"project_id": "p"} for _ in range(8)))
    amina = harness.member()
    result = work(amina)
    assert (result.leased, result.open, result.queued) == (3, 3, 5)
    assert work(amina).leased == 0                 # a full page: nothing more
    assert work(amina, limit=2).leased == 0        # a limit only lowers the page
    amina.push([amina.submission(task_id=task, project_id="p") for task in tasks[:2]])
    result = work(amina)
    assert (result.leased, result.open, result.queued) == (2, 3, 3)
    assert sorted(pulled_tasks(amina)) == sorted(tasks[:5])
    other = harness.member()
    assert work(other, limit=2).leased == 2        # a device may hold less than a page


def test_blocked_users_and_coordinators_are_served_nothing(harness):
    add_tasks(harness.engine, {}, {})
    amina = harness.member()
    with harness.engine.begin() as conn:
        conn.execute(tables.users.update().where(tables.users.c.id == amina.user_id)
                     .values(blocked_at="2026-03-01T00:00:00.000Z", blocked_reason="spam"))
    assert work(amina).leased == 0 and pulled_tasks(amina) == []
    coordinator = harness.member("coordinator", languages=[])
    assert work(coordinator).leased == 0
    assert len(pulled_tasks(coordinator)) == 2     # coordinators see every task anyway
    assert queue_status(harness.engine)[0].leased == 0


def test_tasks_only_in_the_users_languages(harness):
    add_tasks(harness.engine, {"id": "t-urd"}, {"id": "t-hin", "language": "hin_Deva"})
    amina = harness.member(languages=["urd_Arab"])
    work(amina)
    assert pulled_tasks(amina) == ["t-urd"]


def test_concurrent_requests_never_exceed_the_cap(harness):
    tasks = add_tasks(harness.engine, {}, {})
    people = [harness.member() for _ in range(8)]
    devices = [person.device for person in people]
    barrier = threading.Barrier(len(devices))
    errors = []

    def ask(device):
        try:
            barrier.wait()
            serve_work(harness.engine, device)
        except Exception as exc:  # surfaced below, with the thread's failure
            errors.append(exc)

    threads = [threading.Thread(target=ask, args=(device,)) for device in devices]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    with harness.engine.connect() as conn:
        per_task = dict(conn.execute(sa.select(L.c.task_id, sa.func.count())
                                     .group_by(L.c.task_id)).all())
    assert per_task == {tasks[0]: 3, tasks[1]: 3}


# --- peer review -----------------------------------------------------------------------------


def test_only_edits_that_changed_something_go_to_peer_review(harness):
    bilal = harness.member()
    same = bilal.submission(kind="reannotation", inputs="سوال", targets="جواب",
                            original_inputs="سوال", original_targets="جواب")
    edited = bilal.submission(kind="reannotation", inputs="سوال", targets="بہتر جواب",
                              original_inputs="سوال", original_targets="جواب")
    postedit = bilal.submission(kind="postedit", inputs="Rain", targets="بارش",
                                original_inputs="Rain", original_targets="بارش")
    original = bilal.submission()
    draft = bilal.submission(state="draft")
    bilal.push([same, edited, postedit, original, draft])
    with harness.engine.connect() as conn:
        reviews = {r.review_of: r for r in conn.execute(
            sa.select(T).where(T.c.kind == "review"))}
    assert set(reviews) == {edited["id"], original["id"]}
    task = json.loads(reviews[edited["id"]].payload)
    assert (task["original_targets"], task["targets"]) == ("جواب", "بہتر جواب")
    assert reviews[edited["id"]].author_id == bilal.user_id
    assert reviews[edited["id"]].origin == "human"


def test_a_review_task_is_withdrawn_when_its_item_goes_back_to_draft(harness):
    amina, bilal = harness.member(), harness.member()
    item = bilal.submission()
    bilal.push([item])
    work(amina)
    assert pulled_tasks(amina) == [review_task_id(item["id"])]
    record = json.loads(item["payload"]) | {"state": "draft"}
    bilal.push([bilal.item("submission", record, base_revision=1)])
    pulled = [i for i in amina.pull_all() if i["entity"] == "task"]
    assert [i["deleted"] for i in pulled] == [True]
    again = bilal.item("submission", record | {"state": "submitted"}, base_revision=2)
    bilal.push([again])
    assert [i["deleted"] for i in amina.pull_all() if i["entity"] == "task"] == [False]


def test_a_review_lease_lets_the_reviewer_review_and_nobody_else(harness):
    amina, bilal, carl = harness.member(), harness.member(), harness.member()
    item = bilal.submission()
    bilal.push([item])
    refused = carl.push([carl.review(item["id"])])["results"][0]
    assert refused["status"] == "rejected" and "not asked" in refused["reason"]
    assert work(amina).leased == 1
    assert item["id"] in [i["id"] for i in amina.pull_all() if i["entity"] == "submission"]
    review = amina.review(item["id"])
    assert amina.push([review])["results"][0]["status"] == "created"
    assert [(lease.user, lease.state) for lease in list_leases(harness.engine)] == [
        (amina.user.name, "done")]
    assert work(amina).leased == 0  # reviewed: never offered again


def test_a_review_through_its_task_id_completes_the_lease(harness):
    amina, bilal = harness.member(), harness.member()
    item = bilal.submission()
    bilal.push([item])
    work(amina)
    record = {"id": new_id(), "submission_id": item["id"], "rating_inputs": 4,
              "rating_targets": 5, "reason": "", "task_id": review_task_id(item["id"])}
    amina.push([amina.item("review", record)])
    assert [lease.state for lease in list_leases(harness.engine, user=amina.user.name)] == [
        "done"]


def test_review_task_ids_fit_the_id_column():
    assert review_task_id("0195-abc") == "review:0195-abc"
    long = review_task_id("x" * 64)
    assert len(long) <= 64 and long == review_task_id("x" * 64) != review_task_id("y" * 64)


# --- HTTP, CLI and a real device -------------------------------------------------------------


def test_work_over_http_then_pull(harness):
    create_project(harness.engine, "p")
    update_settings(harness.engine, "p", {"distribution": {"page_size": 2}})
    tasks = add_tasks(harness.engine, *({"project_id": "p"} for _ in range(3)))
    amina = harness.member()
    response = harness.client.post("/v1/work", json={}, headers=amina.headers)
    assert response.status_code == 200, response.text
    assert response.json() == {"leased": 2, "open": 2, "queued": 1}
    assert sorted(pulled_tasks(amina)) == sorted(tasks[:2])
    response = harness.client.post("/v1/work", json={"limit": 0}, headers=amina.headers)
    assert response.status_code == 422 and response.json()["code"] == "invalid_request"
    response = harness.client.post("/v1/work", json={})
    assert response.status_code == 401 and response.json()["code"] == "unauthorized"


def test_queue_and_leases_commands(capsys, harness, db_url):
    add_tasks(harness.engine, {"id": "t1"}, {"id": "t2", "kind": "reannotation",
                                           "inputs": "سوال", "targets": "جواب"},
              {"id": "t3", "language": "hin_Deva"})
    amina = harness.member(name="Amina")
    work(amina)
    assert main(["queue", "--db", db_url]) == 0
    out = capsys.readouterr().out
    assert "urd_Arab" in out and "reannotation" in out and "hin_Deva" in out
    assert main(["queue", "--db", db_url, "--language", "urd_Arab", "--json"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert {(r["kind"], r["tasks"], r["leased"]) for r in rows} == {
        ("original", 1, 1), ("reannotation", 1, 1)}
    assert main(["leases", "--db", db_url, "--user", "Amina"]) == 0
    out = capsys.readouterr().out
    assert "t1" in out and "t2" in out and "live" in out
    assert main(["leases", "--db", db_url, "--user", "Nobody"]) == 1
    assert "No user" in capsys.readouterr().err
    assert main(["queue", "--db", db_url, "--language", "xx_Nope"]) == 1


def test_after_push_needs_no_leases_or_tasks(harness):
    # Pushing plain work (no task, no lease) is unchanged by distribution.
    amina = harness.member()
    result = amina.push([amina.submission(state="draft")])
    assert result["results"][0]["status"] == "created"
    assert distribution.changed_something({"inputs": "a", "targets": "b"}, "review") is False


def test_a_sync_delivers_leased_tasks_to_the_device(tmp_path, live_server):
    from tests.sync.live import Device

    add_tasks(live_server.engine, *({"language": "swh_Latn"} for _ in range(25)))
    amina = Device.enrolled(tmp_path / "amina", live_server)
    assert amina.sync().complete
    with amina.store() as store:
        assert len(store.tasks()) == 20            # one page
    assert amina.sync().complete                   # nothing done: nothing more
    with amina.store() as store:
        assert len(store.tasks()) == 20


def test_a_server_without_work_leasing_does_not_fail_a_sync(tmp_path, monkeypatch):
    """An older server answers 404 to /v1/work; the device syncs the rest as before."""
    from sync import device
    from sync.server import db
    from sync.server.api import factory, work
    from sync.server.people import server_identity, users
    from tests.server.helpers import LiveServer
    from tests.sync.live import LANGUAGES, Device

    engine = db.create_engine(f"sqlite:///{tmp_path / 'old.db'}")
    db.migrate(engine)
    server_identity.ensure_server_identity(engine)
    monkeypatch.setattr(factory, "ROUTERS", tuple(
        router for router in factory.ROUTERS if router is not work.router))
    app = factory.create_app(engine)
    monkeypatch.setenv("QALAM_NO_KEYRING", "1")
    with LiveServer(app) as running:
        assert httpx.post(running.url + "/v1/work", json={}).status_code == 404
        _user, code, _ = users.invite(engine, name="Amina", role="annotator",
                                      languages=LANGUAGES)
        amina = Device(tmp_path / "amina")
        device.enroll(amina.data_dir, running.url, code, allow_http=True)
        amina.write(3)
        report = amina.sync()
        assert report.complete and report.acknowledged == 3
    engine.dispose()
