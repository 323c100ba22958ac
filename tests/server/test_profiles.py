"""GET/PUT /v1/profile over HTTP, on SQLite and PostgreSQL: each device reads and writes only
its own user's profile; bad values are refused with a message naming the field."""

import pytest

from sync.protocol import Profile
from sync.server.people import profiles
from tests.server.test_error_shape import assert_error_shape

FULL = {"age_range": "25-34", "gender": "woman", "country": "PK",
        "languages": ["urd_Arab", "pnb_Arab"], "dialects": ["Lahori"]}


def get(member):
    response = member.harness.client.get("/v1/profile", headers=member.headers)
    assert response.status_code == 200, response.text
    return response.json()


def put(member, body, expect=200):
    response = member.harness.client.put("/v1/profile", json=body, headers=member.headers)
    assert response.status_code == expect, response.text
    return response.json()


def test_a_new_user_has_an_empty_profile(harness):
    amina = harness.member()
    assert get(amina) == Profile().model_dump()
    assert profiles.get_profile(harness.engine, amina.user_id) is None


def test_put_then_get_round_trips_and_normalizes(harness):
    amina = harness.member()
    body = {**FULL, "gender": "  woman ", "dialects": ["Lahori", "Lahori", " "],
            "languages": ["urd_Arab", "urd_Arab", "pnb_Arab"]}
    assert put(amina, body) == FULL
    assert get(amina) == FULL
    stored = profiles.get_profile(harness.engine, amina.user_id)
    assert stored == Profile(**FULL)


def test_put_replaces_the_whole_profile(harness):
    amina = harness.member()
    put(amina, FULL)
    assert put(amina, {"country": "IN"}) == {**Profile().model_dump(), "country": "IN"}
    assert get(amina)["age_range"] is None and get(amina)["languages"] == []


def test_each_user_sees_only_their_own_profile(harness):
    amina, bola = harness.member(), harness.member(languages=["yor_Latn"])
    put(amina, FULL)
    put(bola, {"country": "NG", "languages": ["yor_Latn"]})
    assert get(amina) == FULL
    assert get(bola)["country"] == "NG" and get(bola)["age_range"] is None


def test_two_devices_of_one_user_share_the_profile(harness):
    first = harness.member(name="chidi")
    second = harness.member(name="chidi")          # a second code, a second laptop
    assert first.device_id != second.device_id and first.user_id == second.user_id
    put(first, FULL)
    assert get(second) == FULL


@pytest.mark.parametrize(("body", "status", "field"), [
    ({"languages": ["klingon"]}, 400, "languages"),
    ({"country": "ZZ"}, 400, "country"),            # "Unknown Region" is not a country
    ({"country": "EU"}, 400, "country"),
    ({"country": "pk"}, 422, "country"),            # the wire format wants upper case
    ({"age_range": "30-40"}, 422, "age_range"),
    ({"gender": "x" * 51}, 422, "gender"),
    ({"dialects": ["a\x00b"]}, 400, "dialects"),
    ({"languages": ["urd_Arab"] * 21}, 422, "languages"),
    ({"shoe_size": 42}, 422, "shoe_size"),
])
def test_bad_values_are_refused_naming_the_field(harness, body, status, field):
    amina = harness.member()
    put(amina, FULL)
    error = assert_error_shape(
        amina.harness.client.put("/v1/profile", json=body, headers=amina.headers),
        status, "invalid_request")
    assert field in error["message"]
    if status == 400:
        assert error["detail"] == {"field": field}
    assert get(amina) == FULL  # nothing changed


def test_no_token_no_profile(harness):
    assert_error_shape(harness.client.get("/v1/profile"), 401, "unauthorized")
    assert_error_shape(harness.client.put("/v1/profile", json=FULL), 401, "unauthorized")


def test_set_profile_directly_checks_the_same_way(harness):
    amina = harness.member()
    with pytest.raises(Exception, match="country"):
        profiles.set_profile(harness.engine, amina.user_id, Profile(country="QO"))
    stored = profiles.set_profile(harness.engine, amina.user_id, Profile(country="NG"))
    assert stored.country == "NG"
    assert profiles.get_profile(harness.engine, amina.user_id).country == "NG"


def test_all_profiles_lists_only_those_given(harness):
    amina, bola, _chidi = harness.member(), harness.member(), harness.member()
    put(amina, FULL)
    put(bola, {"country": "NG"})
    with harness.engine.connect() as conn:
        given = dict(profiles.all_profiles(conn))
    assert given == {amina.user_id: Profile(**FULL), bola.user_id: Profile(country="NG")}
