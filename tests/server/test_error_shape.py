"""Every error is an ErrorBody {code, message, detail} with a stable code (like datasette's
tests/test_error_shape.py): wrong methods, unknown paths, bad bodies, no token, crashes."""

import pytest
from fastapi.routing import APIRoute
from sqlalchemy.exc import OperationalError

from sync.protocol import PROTOCOL_VERSION, ErrorBody, ErrorCode
from sync.server.api import exchange as exchange_api
from sync.server.exchange import repair
from sync.server.people import enrollment

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def assert_error_shape(response, status=None, code=None):
    assert response.headers["content-type"].startswith("application/json"), response.text
    body = response.json()
    assert set(body) == {"code", "message", "detail"}, body
    ErrorBody.model_validate(body)
    assert body["code"] in {c.value for c in ErrorCode}
    assert body["message"].strip()
    if status is not None:
        assert response.status_code == status, response.text
    if code is not None:
        assert body["code"] == code
    return body


def _routes(app):
    return [r for r in app.routes if isinstance(r, APIRoute)]


def test_wrong_method_on_every_endpoint(harness):
    for route in _routes(harness.app):
        for method in METHODS:
            if method in route.methods:
                continue
            response = harness.client.request(method, route.path)
            assert_error_shape(response, 405, "invalid_request")


def test_unknown_paths(harness):
    for path in ("/", "/v1", "/v1/nothing", "/v2/push", "/v1/push/extra"):
        assert_error_shape(harness.client.get(path), 404, "not_found")


def test_bad_bodies_on_every_post_endpoint(harness):
    amina = harness.member()
    for route in _routes(harness.app):
        if "POST" not in route.methods:
            continue
        for body in (b"{", b"[]", b'{"unexpected": 1}', b""):
            response = harness.client.post(route.path, content=body, headers={
                **amina.headers, "Content-Type": "application/json"})
            error = assert_error_shape(response, 422, "invalid_request")
            assert error["detail"]["errors"]


def test_bad_query_parameters(harness):
    amina = harness.member()
    for params in ({"cursor": "x"}, {"limit": 0}, {"cursor": 2**70}):
        response = harness.client.get("/v1/pull", params=params, headers=amina.headers)
        assert_error_shape(response, 422, "invalid_request")


def test_missing_and_bad_tokens_on_every_endpoint(harness):
    open_paths = {"/v1/info", "/v1/enroll", "/healthz"}
    for route in _routes(harness.app):
        if route.path in open_paths:
            continue
        method = sorted(route.methods)[0]
        for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic x"}):
            response = harness.client.request(method, route.path, headers=headers, json={})
            assert_error_shape(response, 401, "unauthorized")


def test_limits_encodings_and_versions(harness):
    amina = harness.member()
    headers = {**amina.headers, "Content-Type": "application/json"}
    for route in _routes(harness.app):
        if "POST" not in route.methods:
            continue
        assert_error_shape(harness.client.post(route.path, content=b"{}", headers={
            **headers, "Content-Encoding": "br"}), 415, "unsupported_encoding")
        assert_error_shape(harness.client.post(route.path, content=b" " * (5 << 20),
                                               headers=headers), 413, "payload_too_large")
        if route.path != "/v1/info":
            assert_error_shape(harness.client.post(route.path, content=b"{}", headers={
                **headers, "Qalam-Protocol": str(PROTOCOL_VERSION + 1)}), 426,
                "upgrade_required")


@pytest.mark.parametrize(("failure", "status", "code"), [
    (RuntimeError("boom"), 500, "internal"),
    (OperationalError("SELECT 1", {}, Exception("connection refused")), 503, "unavailable"),
])
def test_crashes_are_error_bodies_too(harness, monkeypatch, failure, status, code):
    amina = harness.member()

    def broken(*args, **kwargs):
        raise failure

    for module, name in ((exchange_api, "pull_page"), (exchange_api, "apply_push"),
                         (repair, "digest"), (repair, "ids")):
        monkeypatch.setattr(module, name, broken)
    monkeypatch.setattr(enrollment, "enroll", broken)
    requests = [
        ("GET", "/v1/pull", None),
        ("POST", "/v1/push", amina.batch([])),
        ("POST", "/v1/digest", {"count": 0, "digest": "", "cursor": 0}),
        ("POST", "/v1/ids", {"ids": {}}),
        ("POST", "/v1/enroll", {"code": "K7PD-3QXM-9", "device_id": "d"}),
    ]
    for method, path, body in requests:
        response = harness.client.request(method, path, json=body, headers=amina.headers)
        body = assert_error_shape(response, status, code)
        assert "boom" not in body["message"]  # internals stay in the log
