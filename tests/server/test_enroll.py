"""Enrollment codes, tokens and revocation."""

import itertools

import pytest
import sqlalchemy as sa

from app.ids import new_id
from sync.server import tables
from sync.server.errors import ServerError
from sync.server.people import authentication, codes, enrollment, users


def _enroll(harness, code, device_id=None, **extra):
    return harness.client.post("/v1/enroll", json={
        "code": code, "device_id": device_id or new_id(), "app_version": "0.1.0", **extra})


def _typo(code: str) -> str:
    i = 2
    wrong = next(ch for ch in codes.ALPHABET if ch != code[i])
    return code[:i] + wrong + code[i + 1:]


def test_good_code_gives_a_token_and_the_server_identity(harness):
    user, code, _ = harness.invite("annotator", ["hin_Deva", "urd_Arab"], name="Amina")
    response = _enroll(harness, code, device_id="laptop-1", device_name="Amina's laptop",
                       public_key="A" * 43 + "=")
    assert response.status_code == 200
    body = response.json()
    assert body["device_id"] == "laptop-1" and body["user_id"] == user.id
    assert body["user_name"] == "Amina" and body["role"] == "annotator"
    assert body["languages"] == ["hin_Deva", "urd_Arab"]
    assert len(body["token"]) >= 43 and body["server_public_key"]
    with harness.engine.connect() as conn:
        stored = conn.execute(sa.select(tables.device_tokens.c.token_hash)).scalars().all()
        device = conn.execute(sa.select(tables.devices)).one()
    assert stored == [authentication.token_hash(body["token"])]  # only the hash is kept
    assert body["token"] not in stored
    assert device.public_key == "A" * 43 + "=" and device.app_version == "0.1.0"
    assert device.last_seen is not None


def test_code_can_be_typed_in_lower_case_with_spaces(harness):
    _, code, _ = harness.invite()
    assert _enroll(harness, code.lower().replace("-", " ")).status_code == 200


def test_typo_in_code_is_reported_as_a_typo(harness):
    _, code, _ = harness.invite()
    response = _enroll(harness, _typo(code))
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_code" and body["detail"] == {"reason": "typo"}
    assert "typo" in body["message"]
    assert _enroll(harness, code).status_code == 200  # the real code still works


def test_lookalike_character_is_named(harness):
    response = _enroll(harness, "K7P0-3QXM-9")
    assert response.status_code == 400
    assert "'0'" in response.json()["message"] and "O/0" in response.json()["message"]


def test_code_of_wrong_length_says_how_long_a_code_is(harness):
    response = _enroll(harness, "K7PD-3QXM")
    assert response.status_code == 400 and "9 characters" in response.json()["message"]


def test_reused_code_is_refused(harness):
    _, code, _ = harness.invite()
    assert _enroll(harness, code).status_code == 200
    response = _enroll(harness, code)
    assert response.status_code == 403
    assert response.json()["code"] == "invalid_code"
    assert response.json()["detail"] == {"reason": "used"}


def test_unknown_well_formed_code_is_refused(harness):
    data = "23456789"
    response = _enroll(harness, data + codes.check_character(data))
    assert response.status_code == 403 and response.json()["detail"] == {"reason": "unknown"}


def test_expired_code_is_refused(harness):
    _, code, _ = harness.invite()
    with harness.engine.begin() as conn:
        conn.execute(tables.enrollment_codes.update().values(expires_at="2020-01-01T00:00:00Z"))
    response = _enroll(harness, code)
    assert response.status_code == 403
    assert response.json()["detail"] == {"reason": "expired"} and "expired" in \
        response.json()["message"]


def test_codes_expire_after_14_days_by_default(harness):
    _, _, expires = harness.invite()
    with harness.engine.connect() as conn:
        row = conn.execute(sa.select(tables.enrollment_codes)).one()
    from app import clock

    days = (clock.parse(row.expires_at) - clock.parse(row.created_at)).total_seconds() / 86400
    assert round(days) == users.DEFAULT_CODE_DAYS and expires == row.expires_at


def test_bad_public_key_is_refused(harness):
    _, code, _ = harness.invite()
    response = _enroll(harness, code, public_key="not base64!")
    assert response.status_code == 400 and response.json()["code"] == "invalid_request"


def test_repeated_wrong_codes_are_rate_limited(harness, monkeypatch):
    monkeypatch.setattr(enrollment, "ENROLL_FAILURES_ALLOWED", 3)
    for _ in range(3):
        assert _enroll(harness, _typo("K7PD3QXM" + codes.check_character("K7PD3QXM"))) \
            .status_code == 400
    response = _enroll(harness, "K7PD-3QXM-" + codes.check_character("K7PD3QXM"))
    assert response.status_code == 429 and response.json()["code"] == "rate_limited"
    assert int(response.headers["retry-after"]) > 0


def test_wrong_codes_sent_at_once_cannot_slip_past_the_limit(harness, monkeypatch):
    """Each attempt is counted before it is checked, so a burst gets no more tries."""
    from concurrent.futures import ThreadPoolExecutor

    from sync.protocol import EnrollRequest
    from sync.server.errors import ServerError

    monkeypatch.setattr(enrollment, "ENROLL_FAILURES_ALLOWED", 3)
    wrong = "K7PD-3QXM-" + codes.check_character("K7PD3QXM")

    def attempt(n: int) -> str:
        try:
            enrollment.enroll(harness.engine, EnrollRequest(code=wrong, device_id=f"d{n}"),
                              client="203.0.113.9")
        except ServerError as error:
            return str(error.code)
        return "enrolled"

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(attempt, range(16)))
    assert answers.count("invalid_code") == 3, answers
    assert answers.count("rate_limited") == 13


def test_revoked_token_is_told_apart_from_an_unknown_one(harness):
    amina = harness.member()
    assert amina.pull()["items"] == []
    users.revoke(harness.engine, amina.device_id)
    response = harness.client.get("/v1/pull", headers=amina.headers)
    assert response.status_code == 401 and response.json()["code"] == "token_revoked"
    response = harness.client.get("/v1/pull", headers={"Authorization": "Bearer nonsense"})
    assert response.status_code == 401 and response.json()["code"] == "unauthorized"


def test_revoked_device_enrolls_again_with_a_new_code(harness):
    amina = harness.member(name="Amina")
    users.revoke(harness.engine, amina.device_id)
    _, code, _ = harness.invite(name="Amina")
    response = _enroll(harness, code, device_id=amina.device_id)
    assert response.status_code == 200
    new_headers = {"Authorization": f"Bearer {response.json()['token']}"}
    assert harness.client.get("/v1/pull", headers=new_headers).status_code == 200
    old = harness.client.get("/v1/pull", headers=amina.headers)
    assert old.json()["code"] == "token_revoked"  # the old token stays dead


def test_invite_refuses_unknown_languages_and_roles(harness):
    with pytest.raises(ServerError, match="not a language code"):
        users.invite(harness.engine, name="X", role="annotator", languages=["urd"])
    with pytest.raises(ServerError, match="Unknown role"):
        users.invite(harness.engine, name="X", role="admin", languages=["urd_Arab"])


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


# --- first contact: lost replies, crowds, device ids that belong to one person ----------------


def _keyed(code: str, device_id: str, key=None, **extra) -> dict:
    """An enrollment request signed with a device key, as the app sends it."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from sync import keys
    from sync.protocol import enrollment_proof

    key = key or Ed25519PrivateKey.generate()
    public = keys.public_key_text(key)
    return {"code": code, "device_id": device_id, "app_version": "0.1.0",
            "public_key": public,
            "proof": keys.sign(key, enrollment_proof(code, device_id, public)), **extra}


def _pull_status(harness, token: str) -> int:
    return harness.client.get("/v1/pull", headers={"Authorization": f"Bearer {token}"}) \
        .status_code


def test_lost_reply_same_device_same_code_gets_a_working_token(harness):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    _, code, _ = harness.invite()
    key = Ed25519PrivateKey.generate()
    first = harness.client.post("/v1/enroll", json=_keyed(code, "laptop-1", key))
    assert first.status_code == 200  # ...and the reply never reached the device
    again = harness.client.post("/v1/enroll", json=_keyed(code.lower(), "laptop-1", key))
    assert again.status_code == 200, again.text
    assert _pull_status(harness, again.json()["token"]) == 200
    assert _pull_status(harness, first.json()["token"]) == 401  # the unreceived one is revoked


def test_used_code_with_the_same_device_id_but_another_key_is_refused(harness):
    _, code, _ = harness.invite()
    assert harness.client.post("/v1/enroll", json=_keyed(code, "laptop-1")).status_code == 200
    response = harness.client.post("/v1/enroll", json=_keyed(code, "laptop-1"))
    assert response.status_code == 403 and response.json()["detail"] == {"reason": "used"}


def test_used_code_cannot_revive_a_revoked_device(harness):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    _, code, _ = harness.invite()
    key = Ed25519PrivateKey.generate()
    assert harness.client.post("/v1/enroll", json=_keyed(code, "laptop-1", key)).status_code \
        == 200
    users.revoke(harness.engine, "laptop-1")
    response = harness.client.post("/v1/enroll", json=_keyed(code, "laptop-1", key))
    assert response.status_code == 403 and response.json()["detail"] == {"reason": "used"}


def test_another_users_code_cannot_take_over_a_device_id(harness):
    """The takeover: revoke the victim's tokens, replace its key, push seqs ahead of it."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    _, victim_code, _ = harness.invite(name="Victim")
    victim_key = Ed25519PrivateKey.generate()
    victim = harness.client.post("/v1/enroll", json=_keyed(victim_code, "laptop-v", victim_key))
    assert victim.status_code == 200
    _, attacker_code, _ = harness.invite(name="Attacker")
    for attempt in (_keyed(attacker_code, "laptop-v"),                 # the attacker's key
                    _keyed(attacker_code, "laptop-v", victim_key)):     # even with the key
        response = harness.client.post("/v1/enroll", json=attempt)
        assert response.status_code == 403, response.text
        assert response.json()["detail"] == {"reason": "device_taken"}
    assert _pull_status(harness, victim.json()["token"]) == 200  # nothing of the victim moved
    with harness.engine.connect() as conn:
        device = conn.execute(sa.select(tables.devices)).one()
        code_row = conn.execute(sa.select(tables.enrollment_codes).where(
            tables.enrollment_codes.c.code_hash == codes.code_hash(attacker_code))).one()
    assert device.public_key == _keyed(victim_code, "x", victim_key)["public_key"]
    assert code_row.used_at is None  # the refused code is not spent


def test_reenrolling_a_known_device_needs_proof_of_its_key(harness):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    _, code, _ = harness.invite(name="Amina")
    key = Ed25519PrivateKey.generate()
    assert harness.client.post("/v1/enroll", json=_keyed(code, "laptop-1", key)).status_code \
        == 200
    users.revoke(harness.engine, "laptop-1")
    _, new_code, _ = harness.invite(name="Amina")
    unproved = _keyed(new_code, "laptop-1", key) | {"proof": ""}
    response = harness.client.post("/v1/enroll", json=unproved)
    assert response.status_code == 403 and response.json()["detail"] == {"reason": "device_key"}
    response = harness.client.post("/v1/enroll", json=_keyed(new_code, "laptop-1"))  # other key
    assert response.status_code == 403 and response.json()["detail"] == {"reason": "device_key"}
    response = harness.client.post("/v1/enroll", json=_keyed(new_code, "laptop-1", key))
    assert response.status_code == 200 and _pull_status(harness, response.json()["token"]) == 200


def test_a_proof_that_does_not_verify_is_refused(harness):
    _, code, _ = harness.invite()
    request = _keyed(code, "laptop-1")
    request["proof"] = _keyed(code, "laptop-2")["proof"]
    response = harness.client.post("/v1/enroll", json=request)
    assert response.status_code == 400 and response.json()["detail"] == {"field": "proof"}


def test_a_crowd_enrolling_at_once_from_one_address_is_not_an_attack(harness, monkeypatch):
    """50 devices behind one Wi-Fi: only failures count, so every valid code works."""
    from concurrent.futures import ThreadPoolExecutor

    from sync.protocol import EnrollRequest

    monkeypatch.setattr(enrollment, "ENROLL_FAILURES_ALLOWED", 3)
    invited = [harness.invite()[1] for _ in range(50)]

    def attempt(code: str) -> str:
        try:
            enrollment.enroll(harness.engine, EnrollRequest(code=code, device_id=new_id()),
                              client="203.0.113.9")
        except ServerError as error:
            return str(error.code)
        return "enrolled"

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(attempt, invited))
    assert answers == ["enrolled"] * 50


def test_failures_on_one_code_are_limited_whatever_the_address(harness, monkeypatch):
    monkeypatch.setattr(enrollment, "CODE_FAILURES_ALLOWED", 2)
    _, code, _ = harness.invite()
    assert harness.client.post("/v1/enroll", json=_keyed(code, "laptop-1")).status_code == 200
    from sync.protocol import EnrollRequest

    for n in range(2):  # another device presenting the used code, from two addresses
        with pytest.raises(ServerError, match="already used"):
            enrollment.enroll(harness.engine, EnrollRequest(code=code, device_id=f"other-{n}"),
                              client=f"198.51.100.{n}")
    with pytest.raises(ServerError, match="for this code") as caught:
        enrollment.enroll(harness.engine, EnrollRequest(code=code, device_id="other-9"),
                          client="198.51.100.9")
    assert caught.value.code == "rate_limited"


def test_failures_of_one_account_are_limited_across_its_codes(harness, monkeypatch):
    monkeypatch.setattr(enrollment, "ACCOUNT_FAILURES_ALLOWED", 2)
    taken = harness.member(name="Victim")
    from sync.protocol import EnrollRequest

    for n in range(2):
        _, code, _ = harness.invite(name="Prober")
        with pytest.raises(ServerError, match="another person"):
            enrollment.enroll(harness.engine, EnrollRequest(code=code, device_id=taken.device_id),
                              client=f"198.51.100.{n}")
    _, code, _ = harness.invite(name="Prober")
    with pytest.raises(ServerError, match="for this account"):
        enrollment.enroll(harness.engine, EnrollRequest(code=code, device_id=new_id()),
                          client="198.51.100.7")


def test_rate_limit_rows_of_ended_windows_are_deleted(harness):
    from sync.server.people import ratelimit

    old = int(__import__("time").time()) - ratelimit.LONGEST_WINDOW - 60
    with harness.engine.begin() as conn:
        conn.execute(tables.rate_limits.insert(), [
            {"key": f"enroll-address:10.0.0.{n}", "window_start": old, "count": 3}
            for n in range(100)])
    response = _enroll(harness, "23456789" + codes.check_character("23456789"))
    assert response.status_code == 403  # unknown code: a failure is counted, old rows go
    with harness.engine.connect() as conn:
        keys = conn.execute(sa.select(tables.rate_limits.c.key)).scalars().all()
    assert keys == ["enroll-address:testclient"]
