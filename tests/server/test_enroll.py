"""Enrollment codes, tokens and revocation."""

import itertools

import pytest
import sqlalchemy as sa

from app.ids import new_id
from sync.server import codes, identity, tables
from sync.server.errors import ServerError


def _enroll(server, code, device_id=None, **extra):
    return server.client.post("/v1/enroll", json={
        "code": code, "device_id": device_id or new_id(), "app_version": "0.1.0", **extra})


def _typo(code: str) -> str:
    i = 2
    wrong = next(ch for ch in codes.ALPHABET if ch != code[i])
    return code[:i] + wrong + code[i + 1:]


def test_good_code_gives_a_token_and_the_server_identity(server):
    user, code, _ = server.invite("annotator", ["hin_Deva", "urd_Arab"], name="Amina")
    response = _enroll(server, code, device_id="laptop-1", device_name="Amina's laptop",
                       public_key="A" * 43 + "=")
    assert response.status_code == 200
    body = response.json()
    assert body["device_id"] == "laptop-1" and body["user_id"] == user.id
    assert body["user_name"] == "Amina" and body["role"] == "annotator"
    assert body["languages"] == ["hin_Deva", "urd_Arab"]
    assert len(body["token"]) >= 43 and body["server_public_key"]
    with server.engine.connect() as conn:
        stored = conn.execute(sa.select(tables.device_tokens.c.token_hash)).scalars().all()
        device = conn.execute(sa.select(tables.devices)).one()
    assert stored == [identity.token_hash(body["token"])]  # only the hash is kept
    assert body["token"] not in stored
    assert device.public_key == "A" * 43 + "=" and device.app_version == "0.1.0"
    assert device.last_seen is not None


def test_code_can_be_typed_in_lower_case_with_spaces(server):
    _, code, _ = server.invite()
    assert _enroll(server, code.lower().replace("-", " ")).status_code == 200


def test_typo_in_code_is_reported_as_a_typo(server):
    _, code, _ = server.invite()
    response = _enroll(server, _typo(code))
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_code" and body["detail"] == {"reason": "typo"}
    assert "typo" in body["message"]
    assert _enroll(server, code).status_code == 200  # the real code still works


def test_lookalike_character_is_named(server):
    response = _enroll(server, "K7P0-3QXM-9")
    assert response.status_code == 400
    assert "'0'" in response.json()["message"] and "O/0" in response.json()["message"]


def test_code_of_wrong_length_says_how_long_a_code_is(server):
    response = _enroll(server, "K7PD-3QXM")
    assert response.status_code == 400 and "9 characters" in response.json()["message"]


def test_reused_code_is_refused(server):
    _, code, _ = server.invite()
    assert _enroll(server, code).status_code == 200
    response = _enroll(server, code)
    assert response.status_code == 403
    assert response.json()["code"] == "invalid_code"
    assert response.json()["detail"] == {"reason": "used"}


def test_unknown_well_formed_code_is_refused(server):
    data = "23456789"
    response = _enroll(server, data + codes.check_character(data))
    assert response.status_code == 403 and response.json()["detail"] == {"reason": "unknown"}


def test_expired_code_is_refused(server):
    _, code, _ = server.invite()
    with server.engine.begin() as conn:
        conn.execute(tables.enrollment_codes.update().values(expires_at="2020-01-01T00:00:00Z"))
    response = _enroll(server, code)
    assert response.status_code == 403
    assert response.json()["detail"] == {"reason": "expired"} and "expired" in \
        response.json()["message"]


def test_codes_expire_after_14_days_by_default(server):
    _, _, expires = server.invite()
    with server.engine.connect() as conn:
        row = conn.execute(sa.select(tables.enrollment_codes)).one()
    from app import clock

    days = (clock.parse(row.expires_at) - clock.parse(row.created_at)).total_seconds() / 86400
    assert round(days) == identity.DEFAULT_CODE_DAYS and expires == row.expires_at


def test_bad_public_key_is_refused(server):
    _, code, _ = server.invite()
    response = _enroll(server, code, public_key="not base64!")
    assert response.status_code == 400 and response.json()["code"] == "invalid_request"


def test_repeated_wrong_codes_are_rate_limited(server, monkeypatch):
    monkeypatch.setattr(identity, "ENROLL_FAILURES_ALLOWED", 3)
    for _ in range(3):
        assert _enroll(server, _typo("K7PD3QXM" + codes.check_character("K7PD3QXM"))) \
            .status_code == 400
    response = _enroll(server, "K7PD-3QXM-" + codes.check_character("K7PD3QXM"))
    assert response.status_code == 429 and response.json()["code"] == "rate_limited"
    assert int(response.headers["retry-after"]) > 0


def test_wrong_codes_sent_at_once_cannot_slip_past_the_limit(server, monkeypatch):
    """Each attempt is counted before it is checked, so a burst gets no more tries."""
    from concurrent.futures import ThreadPoolExecutor

    from sync.protocol import EnrollRequest
    from sync.server.errors import ServerError

    monkeypatch.setattr(identity, "ENROLL_FAILURES_ALLOWED", 3)
    wrong = "K7PD-3QXM-" + codes.check_character("K7PD3QXM")

    def attempt(n: int) -> str:
        try:
            identity.enroll(server.engine, EnrollRequest(code=wrong, device_id=f"d{n}"),
                            client="203.0.113.9")
        except ServerError as error:
            return str(error.code)
        return "enrolled"

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(attempt, range(16)))
    assert answers.count("invalid_code") == 3, answers
    assert answers.count("rate_limited") == 13


def test_revoked_token_is_told_apart_from_an_unknown_one(server):
    amina = server.member()
    assert amina.pull()["items"] == []
    identity.revoke(server.engine, amina.device_id)
    response = server.client.get("/v1/pull", headers=amina.headers)
    assert response.status_code == 401 and response.json()["code"] == "token_revoked"
    response = server.client.get("/v1/pull", headers={"Authorization": "Bearer nonsense"})
    assert response.status_code == 401 and response.json()["code"] == "unauthorized"


def test_revoked_device_enrolls_again_with_a_new_code(server):
    amina = server.member(name="Amina")
    identity.revoke(server.engine, amina.device_id)
    _, code, _ = server.invite(name="Amina")
    response = _enroll(server, code, device_id=amina.device_id)
    assert response.status_code == 200
    new_headers = {"Authorization": f"Bearer {response.json()['token']}"}
    assert server.client.get("/v1/pull", headers=new_headers).status_code == 200
    old = server.client.get("/v1/pull", headers=amina.headers)
    assert old.json()["code"] == "token_revoked"  # the old token stays dead


def test_invite_refuses_unknown_languages_and_roles(server):
    with pytest.raises(ServerError, match="not a language code"):
        identity.invite(server.engine, name="X", role="annotator", languages=["urd"])
    with pytest.raises(ServerError, match="Unknown role"):
        identity.invite(server.engine, name="X", role="admin", languages=["urd_Arab"])


def test_check_character_catches_every_single_substitution_and_neighbour_swap():
    data = "K7PD3QXM"
    good = data + codes.check_character(data)
    for position, replacement in itertools.product(range(9), codes.ALPHABET):
        typo = good[:position] + replacement + good[position + 1:]
        if typo != good:
            with pytest.raises(ServerError):
                codes.normalize(typo)
    for position in range(8):
        swapped = good[:position] + good[position + 1] + good[position] + good[position + 2:]
        if swapped != good:
            with pytest.raises(ServerError):
                codes.normalize(swapped)


def test_new_codes_look_like_the_example():
    for _ in range(200):
        code = codes.new_code()
        assert len(code) == 11 and code[4] == code[9] == "-"
        assert not set(code.replace("-", "")) & set("01OIL")
        assert codes.normalize(code) == code
