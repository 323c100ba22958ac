"""The server under test and the people using it, so tests read as usage:

    amina = harness.member("annotator", languages=["urd_Arab"])
    result = amina.push([amina.submission(inputs="سوال", targets="جواب")])
    assert result["results"][0]["status"] == "created"
"""

from __future__ import annotations

import itertools
import threading
import time
import warnings

import uvicorn

with warnings.catch_warnings():  # Starlette suggests httpx2; httpx is what the project uses
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from app.ids import new_id
from sync import protocol
from sync.protocol import EnrollRequest
from sync.server.api.factory import create_app
from sync.server.people import users

_names = itertools.count(1)


class Server:
    """The app driven in-process through Starlette's TestClient: no socket, no thread of its
    own (the fixture ``harness``). For a server on the network see :class:`LiveServer`."""

    def __init__(self, engine):
        self.engine = engine
        self.app = create_app(engine)
        self.client = TestClient(self.app, raise_server_exceptions=False)

    def __enter__(self):
        self.client.__enter__()
        return self

    def __exit__(self, *exc):
        self.client.__exit__(*exc)

    def invite(self, role: str = "annotator", languages=("urd_Arab",), name: str | None = None):
        name = name or f"{role}-{next(_names)}"
        return users.invite(self.engine, name=name, role=role, languages=list(languages))

    def member(self, role: str = "annotator", languages=("urd_Arab",), name: str | None = None):
        user, code, _ = self.invite(role, languages, name)
        device_id = new_id()
        response = self.client.post("/v1/enroll", json=EnrollRequest(
            code=code, device_id=device_id, device_name="laptop", app_version="0.1.0",
        ).model_dump())
        assert response.status_code == 200, response.text
        return Member(self, user, device_id, response.json()["token"])


class Member:
    """One enrolled device of one user."""

    def __init__(self, harness: Server, user, device_id: str, token: str):
        self.harness = harness
        self.user = user
        self.user_id = user.id
        self.device_id = device_id
        self.token = token
        self.seq = 0
        self.protocol = 1  # the oldest client this server serves, unless a test says

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}",
                protocol.PROTOCOL_HEADER: str(self.protocol)}

    @property
    def device(self) -> users.Device:
        return users.load_device(self.harness.engine, self.device_id)

    def item(self, entity: str, record: dict, *, op: str = "upsert", base_revision=None,
             seq: int | None = None) -> dict:
        if seq is None:
            self.seq += 1
            seq = self.seq
        payload = protocol.freeze(record)
        return {"seq": seq, "entity": entity, "id": record["id"], "op": op,
                "base_revision": base_revision, "hash": protocol.payload_hash(payload),
                "payload": payload}

    def submission(self, *, id: str | None = None, language: str = "urd_Arab",
                   inputs: str = "سوال", targets: str = "جواب", state: str = "submitted",
                   base_revision=None, **extra) -> dict:
        record = {"id": id or new_id(), "kind": "original", "language": language,
                  "inputs": inputs, "targets": targets, "state": state, "task_id": None,
                  "project_id": None, "dialect": None, **extra}
        return self.item("submission", record, base_revision=base_revision)

    def review(self, submission_id: str, *, id: str | None = None, rating: int = 4,
               base_revision=None) -> dict:
        record = {"id": id or new_id(), "submission_id": submission_id, "rating_inputs": rating,
                  "rating_targets": rating, "reason": "clear"}
        return self.item("review", record, base_revision=base_revision)

    def delete(self, record_id: str, *, entity: str = "submission", base_revision=None) -> dict:
        return self.item(entity, {"id": record_id}, op="delete", base_revision=base_revision)

    def batch(self, items: list[dict]) -> dict:
        return {"device_id": self.device_id, "batch_id": new_id(), "items": items}

    def push(self, items: list[dict], *, expect: int = 200) -> dict:
        response = self.harness.client.post("/v1/push", json=self.batch(items),
                                            headers=self.headers)
        assert response.status_code == expect, response.text
        return response.json()

    def pull(self, cursor: int = 0, limit: int | None = None) -> dict:
        params = {"cursor": cursor} | ({"limit": limit} if limit else {})
        response = self.harness.client.get("/v1/pull", params=params, headers=self.headers)
        assert response.status_code == 200, response.text
        return response.json()

    def pull_all(self) -> list[dict]:
        items, cursor = [], 0
        while True:
            page = self.pull(cursor)
            items += page["items"]
            cursor = page["next_cursor"]
            if not page["more"]:
                return items


def statuses(result: dict) -> list[str]:
    return [r["status"] for r in result["results"]]


class _StoppingServer(uvicorn.Server):
    """uvicorn that drops its connections when it stops, as a stopped process would: a
    graceful stop waits for each to close, and an idle HTTPS one a client keeps open waits
    for TLS' close_notify (20 s and more)."""

    async def shutdown(self, sockets=None):
        for connection in list(self.server_state.connections):
            if connection.transport is not None:
                connection.transport.abort()
        await super().shutdown(sockets)


class LiveServer:
    """The app on real uvicorn, on a free loopback port, in a thread (HTTP or HTTPS)."""

    def __init__(self, app, **ssl):
        config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning",
                                lifespan="off", **ssl)
        self.uvicorn = _StoppingServer(config)
        self.thread = threading.Thread(target=self.uvicorn.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.uvicorn.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.01)
        port = self.uvicorn.servers[0].sockets[0].getsockname()[1]
        self.url = f"{'https' if ssl else 'http'}://127.0.0.1:{port}"

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.uvicorn.should_exit = True
        self.thread.join(timeout=20)
