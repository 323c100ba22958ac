"""Real uvicorn on loopback, real TCP: concurrent pushes and gap-free cursors."""

import threading

import httpx
import sqlalchemy as sa

from sync.server import tables
from tests.server.helpers import LiveServer, statuses


def test_same_batch_pushed_five_times_at_once_is_applied_once(harness):
    amina = harness.member()
    batch = amina.batch([amina.submission() for _ in range(60)])
    barrier = threading.Barrier(5)
    answers, errors = [], []

    def push():
        try:
            with httpx.Client(base_url=live.url, timeout=60) as client:
                barrier.wait()
                response = client.post("/v1/push", json=batch, headers=amina.headers)
                response.raise_for_status()
                answers.append(response.json())
        except Exception as exc:  # reported below, with the thread's failure
            errors.append(exc)

    with LiveServer(harness.app) as live:
        threads = [threading.Thread(target=push) for _ in range(5)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert errors == []
    assert len(answers) == 5
    for index in range(60):
        outcome = sorted(answer["results"][index]["status"] for answer in answers)
        assert outcome == ["created"] + ["duplicate"] * 4
    with harness.engine.connect() as conn:
        count = conn.execute(sa.select(sa.func.count()).select_from(tables.submissions)).scalar()
        applied = conn.execute(sa.select(sa.func.count()).select_from(tables.applied_items))
        assert count == 60 and applied.scalar() == 60


def test_a_puller_racing_concurrent_pushers_misses_nothing(harness):
    coordinator = harness.member("coordinator", languages=[])
    writers = [harness.member() for _ in range(3)]
    pushed, seen, errors = set(), [], []
    done = threading.Event()

    def write(member):
        try:
            with httpx.Client(base_url=live.url, timeout=60) as client:
                for _ in range(12):
                    items = [member.submission() for _ in range(4)]
                    response = client.post("/v1/push", json=member.batch(items),
                                           headers=member.headers)
                    assert statuses(response.json()) == ["created"] * 4
                    pushed.update(item["id"] for item in items)
        except Exception as exc:
            errors.append(exc)

    def read():
        cursor = 0
        with httpx.Client(base_url=live.url, timeout=60) as client:
            while True:
                finished = done.is_set()
                page = client.get("/v1/pull", params={"cursor": cursor, "limit": 7},
                                  headers=coordinator.headers).json()
                # (review tasks of the submissions come too: distribution makes them)
                seen.extend(item["id"] for item in page["items"]
                            if item["entity"] == "submission")
                assert page["next_cursor"] >= cursor
                cursor = page["next_cursor"]
                if finished and not page["more"]:
                    return

    with LiveServer(harness.app) as live:
        reader = threading.Thread(target=read)
        reader.start()
        threads = [threading.Thread(target=write, args=(m,)) for m in writers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        done.set()
        reader.join(timeout=60)
    assert errors == []
    assert len(pushed) == 3 * 12 * 4
    assert sorted(seen) == sorted(pushed)  # every change exactly once, none skipped


def test_healthz_over_tcp(harness):
    with LiveServer(harness.app) as live:
        response = httpx.get(f"{live.url}/healthz", timeout=10)
    assert response.status_code == 200 and response.json()["ok"] is True
