"""The server's identity, the unique key behind idempotency, last_seen and app_version."""

import base64

import pytest
import sqlalchemy as sa
from cryptography.hazmat.primitives import serialization
from sqlalchemy.exc import IntegrityError

from sync.server import tables
from sync.server.people import server_identity


def test_server_key_pair_is_kept_in_the_database(harness):
    first = server_identity.ensure_server_identity(harness.engine)
    again = server_identity.ensure_server_identity(harness.engine)
    assert first == again
    public = first.private_key(harness.engine).public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    assert base64.b64encode(public).decode() == first.public_key
    assert harness.client.get("/v1/info").json()["server_id"] == first.server_id


def test_applied_items_cannot_hold_the_same_device_and_seq_twice(harness):
    row = {"device_id": "d", "seq": 1, "hash": "0" * 64, "entity": "submission",
           "record_id": "r", "status": "created", "batch_id": "b", "applied_at": "now"}
    with harness.engine.begin() as conn:
        conn.execute(tables.applied_items.insert().values(**row))
    with pytest.raises(IntegrityError), harness.engine.begin() as conn:
        conn.execute(tables.applied_items.insert().values(**{**row, "hash": "1" * 64}))


def test_requests_record_last_seen_and_app_version(harness):
    amina = harness.member()
    with harness.engine.begin() as conn:
        conn.execute(tables.devices.update().values(last_seen="2020-01-01T00:00:00.000Z"))
    harness.client.get("/v1/pull", headers={**amina.headers, "User-Agent": "Qalam/0.2.0"})
    with harness.engine.connect() as conn:
        device = conn.execute(sa.select(tables.devices)).one()
    assert device.app_version == "0.2.0" and device.last_seen > "2020-01-01T00:00:00.000Z"
