"""Who may do what: every endpoint × role (annotator, reviewer, coordinator, no token,
revoked) × ownership (the actor's own submission or another user's)."""

import json

import pytest
from fastapi.routing import APIRoute

from sync.server.people import users

ROLES = ("annotator", "reviewer", "coordinator", "anonymous", "revoked")
ACTIONS = ("pull_draft", "pull_submitted", "edit", "delete", "review", "digest", "ids")
EVERYONE = ("annotator", "reviewer", "coordinator")


def _all(value):
    return dict.fromkeys(EVERYONE, value)


EXPECTED = {
    ("pull_draft", "own"): _all("visible"),
    ("pull_draft", "other"): _all("hidden"),           # nobody reads another's drafts
    ("pull_submitted", "own"): _all("visible"),
    ("pull_submitted", "other"): {"annotator": "hidden", "reviewer": "visible",
                                  "coordinator": "visible"},
    ("edit", "own"): _all("created"),
    ("edit", "other"): _all("rejected"),               # not even a coordinator edits others'
    ("delete", "own"): _all("created"),
    ("delete", "other"): _all("rejected"),
    ("review", "own"): _all("rejected"),               # nobody reviews their own work
    ("review", "other"): {"annotator": "rejected", "reviewer": "created",
                          "coordinator": "created"},
    ("digest", "own"): _all("counted"),
    ("digest", "other"): _all("not counted"),
    ("ids", "own"): _all("known"),
    ("ids", "other"): _all("not mine"),
}


def _act(harness, actor_headers, action, owner, draft, submitted):
    client = harness.client
    if action in ("pull_draft", "pull_submitted"):
        response = client.get("/v1/pull", headers=actor_headers)
        if response.status_code != 200:
            return response
        ids = [i["id"] for i in response.json()["items"]]
        target = draft if action == "pull_draft" else submitted
        return "visible" if target["id"] in ids else "hidden"
    if action in ("edit", "delete", "review"):
        actor = harness.actor
        if action == "edit":
            record = {**json.loads(submitted["payload"]), "targets": "changed"}
            item = actor.item("submission", record, base_revision=1)
        elif action == "delete":
            item = actor.delete(draft["id"], base_revision=1)
        else:
            item = actor.review(submitted["id"])
        response = client.post("/v1/push", json=actor.batch([item]), headers=actor_headers)
        if response.status_code != 200:
            return response
        return response.json()["results"][0]["status"]
    if action == "digest":
        body = {"count": 0, "digest": "", "cursor": 0}
        response = client.post("/v1/digest", json=body, headers=actor_headers)
        if response.status_code != 200:
            return response
        return "counted" if response.json()["server_count"] == 2 else "not counted"
    response = client.post("/v1/ids", json={"ids": {submitted["id"]: 1}},
                           headers=actor_headers)
    if response.status_code != 200:
        return response
    body = response.json()
    if body == {"missing_on_server": [], "stale_on_device": []}:
        return "not mine"
    assert body["missing_on_server"] == []
    return "known"


@pytest.mark.parametrize("ownership", ["own", "other"])
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", ACTIONS)
def test_authorization_matrix(harness, action, role, ownership):
    acting_role = role if role in EVERYONE else "annotator"
    actor = harness.member(acting_role, languages=["urd_Arab"])
    harness.actor = actor
    # "own": the actor's user, pushed from another of their devices (a device is not sent
    # back its own writes; test_pull covers that).
    owner = (harness.member(acting_role, languages=["urd_Arab"], name=actor.user.name)
             if ownership == "own" else harness.member("annotator"))
    draft, submitted = owner.submission(state="draft"), owner.submission()
    owner.push([draft, submitted])
    headers = dict(actor.headers)
    if role == "anonymous":
        del headers["Authorization"]
    elif role == "revoked":
        users.revoke(harness.engine, actor.device_id)
    outcome = _act(harness, headers, action, owner, draft, submitted)
    if role in ("anonymous", "revoked"):
        assert outcome.status_code == 401
        assert outcome.json()["code"] == ("unauthorized" if role == "anonymous"
                                          else "token_revoked")
        return
    assert outcome == EXPECTED[(action, ownership)][role]


def test_annotator_may_review_a_peer_submission_once_assigned(harness):
    from sync.server.work import decisions

    amina, bilal = harness.member(), harness.member()
    item = bilal.submission()
    bilal.push([item])
    assert amina.push([amina.review(item["id"])])["results"][0]["status"] == "rejected"
    decisions.assign_review(harness.engine, item["id"], amina.user_id)
    assert amina.push([amina.review(item["id"])])["results"][0]["status"] == "created"


def test_reviewer_cannot_review_outside_their_languages(harness):
    amina = harness.member(languages=["hin_Deva"])
    reviewer = harness.member("reviewer", languages=["urd_Arab"])
    item = amina.submission(language="hin_Deva")
    amina.push([item])
    result = reviewer.push([reviewer.review(item["id"])])["results"][0]
    assert result["status"] == "rejected" and "not asked" in result["reason"]


def test_self_review_reason_is_clear(harness):
    amina = harness.member("reviewer")
    item = amina.submission()
    amina.push([item])
    result = amina.push([amina.review(item["id"])])["results"][0]
    assert result["status"] == "rejected" and "own work" in result["reason"]


def test_open_endpoints_need_no_token(harness):
    for path in ("/v1/info", "/healthz", "/openapi.json"):
        assert harness.client.get(path).status_code == 200


def test_every_sync_endpoint_but_info_and_enroll_needs_a_token(harness):
    open_paths = {"/v1/info", "/v1/enroll", "/healthz"}
    for route in harness.app.routes:
        if not isinstance(route, APIRoute) or route.path in open_paths:
            continue
        for method in route.methods:
            response = harness.client.request(method, route.path, json={})
            assert response.status_code == 401, (method, route.path)
            assert response.json()["code"] == "unauthorized"


def test_a_reviewer_may_flag_without_scoring_but_not_with_an_unknown_flag(harness):
    amina = harness.member()
    reviewer = harness.member("reviewer")
    item = amina.submission()
    amina.push([item])
    flagged = reviewer.review(item["id"])
    record = {"id": flagged["id"], "submission_id": item["id"], "flag": "wrong_language",
              "reason": "this is Punjabi, not Urdu"}
    only_flag = reviewer.item("review", record)
    assert reviewer.push([only_flag])["results"][0]["status"] == "created"
    odd = reviewer.item("review", {**record, "id": "odd-flag", "flag": "boring"})
    result = reviewer.push([odd])["results"][0]
    assert result["status"] == "rejected" and "flag" in result["reason"]
    empty = reviewer.item("review", {"id": "empty", "submission_id": item["id"]})
    result = reviewer.push([empty])["results"][0]
    assert result["status"] == "rejected" and "rating" in result["reason"]
