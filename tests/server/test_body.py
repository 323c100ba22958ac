"""Request bodies (limits, gzip, zstd, zip bombs), protocol versions, response compression."""

import gzip
import json

import zstandard

from sync.protocol import MAX_BODY_BYTES, PROTOCOL_VERSION
from tests.server.helpers import statuses


def _post(member, body: bytes, encoding: str | None = None, **headers):
    headers = {**member.headers, "Content-Type": "application/json", **headers}
    if encoding:
        headers["Content-Encoding"] = encoding
    return member.harness.client.post("/v1/push", content=body, headers=headers)


def _batch_bytes(member, n=3) -> bytes:
    return json.dumps(member.batch([member.submission() for _ in range(n)])).encode()


def test_gzip_body_is_accepted(harness):
    amina = harness.member()
    response = _post(amina, gzip.compress(_batch_bytes(amina)), "gzip")
    assert response.status_code == 200 and statuses(response.json()) == ["created"] * 3


def test_zstd_body_is_accepted(harness):
    amina = harness.member()
    body = zstandard.ZstdCompressor(level=10).compress(_batch_bytes(amina))
    response = _post(amina, body, "zstd")
    assert response.status_code == 200 and statuses(response.json()) == ["created"] * 3


def test_unknown_encoding_is_415(harness):
    amina = harness.member()
    response = _post(amina, _batch_bytes(amina), "br")
    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_encoding"
    assert "gzip" in response.json()["message"]


def test_damaged_gzip_is_a_clear_400(harness):
    amina = harness.member()
    response = _post(amina, gzip.compress(_batch_bytes(amina))[:-20], "gzip")
    assert response.status_code == 400 and "decompressed" in response.json()["message"]


def test_body_over_the_limit_is_413(harness):
    amina = harness.member()
    response = _post(amina, b" " * (MAX_BODY_BYTES + 100_000))
    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"
    assert f"{MAX_BODY_BYTES:,}" in response.json()["message"]


def test_gzip_bomb_is_stopped_at_the_limit(harness):
    amina = harness.member()
    bomb = gzip.compress(b"\0" * (64 * MAX_BODY_BYTES), compresslevel=9)  # 256 MiB inflated
    assert len(bomb) < 300_000
    response = _post(amina, bomb, "gzip")
    assert response.status_code == 413 and response.json()["code"] == "payload_too_large"


def test_zstd_bomb_is_stopped_at_the_limit(harness):
    amina = harness.member()
    compressor = zstandard.ZstdCompressor(level=19)
    chunk = compressor.compress(b"\0" * (8 * 1024 * 1024))
    bomb = chunk * 128  # 1 GiB inflated, a few kilobytes on the wire
    assert len(bomb) < 200_000
    response = _post(amina, bomb, "zstd")
    assert response.status_code == 413 and response.json()["code"] == "payload_too_large"


def test_body_just_under_the_limit_is_read(harness):
    amina = harness.member()
    body = _batch_bytes(amina, 1)
    padded = body[:-1] + b" " * (MAX_BODY_BYTES - len(body)) + b"}"
    assert len(padded) == MAX_BODY_BYTES
    response = _post(amina, gzip.compress(padded), "gzip")
    assert response.status_code == 200


def test_too_new_and_too_old_protocols_get_426(harness):
    amina = harness.member()
    for version in (str(PROTOCOL_VERSION + 1), "0"):
        response = harness.client.get("/v1/pull", headers={**amina.headers,
                                                           "Qalam-Protocol": version})
        assert response.status_code == 426
        assert response.json()["code"] == "upgrade_required"
        assert response.json()["detail"]["protocol_version"] == PROTOCOL_VERSION


def test_426_comes_before_the_body_is_read(harness):
    amina = harness.member()
    response = _post(amina, b"x" * (MAX_BODY_BYTES + 100_000), **{"Qalam-Protocol": "9"})
    assert response.status_code == 426


def test_missing_protocol_header_means_version_1(harness):
    amina = harness.member()
    headers = {"Authorization": amina.headers["Authorization"]}
    assert harness.client.get("/v1/pull", headers=headers).status_code == 200


def test_garbage_protocol_header_is_400(harness):
    response = harness.client.get("/v1/pull", headers={"Qalam-Protocol": "one"})
    assert response.status_code == 400 and response.json()["code"] == "invalid_request"


def test_info_answers_any_protocol_version(harness):
    response = harness.client.get("/v1/info", headers={"Qalam-Protocol": "99"})
    assert response.status_code == 200
    assert response.json()["protocol_version"] == PROTOCOL_VERSION
    assert response.json()["max_body_bytes"] == MAX_BODY_BYTES


def test_responses_are_gzipped_when_the_client_accepts_it(harness):
    amina = harness.member()
    amina.push([amina.submission(targets="جواب " * 200) for _ in range(5)])
    phone = harness.member(name=amina.user.name)  # pull is not an echo of one's own push
    response = harness.client.get("/v1/pull", headers={**phone.headers,
                                                       "Accept-Encoding": "gzip"})
    assert response.headers["content-encoding"] == "gzip"
    assert len(response.json()["items"]) == 5
