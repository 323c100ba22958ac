"""The dashboard's forms for people, devices, codes and projects: a mistake comes back with
what was typed and the problem beside its field, and nothing is changed; project settings and
guidelines are saved by the project's coordinators only, through the same functions as the
command line, and logged."""

from __future__ import annotations

import html
import re

import pytest
import sqlalchemy as sa

from sync.server import tables
from sync.server.errors import ServerError
from sync.server.people import auditlog, users
from sync.server.quality import moderation
from sync.server.work import projects
from tests.server.helpers import Server


def _error(page: str, field: str) -> str:
    found = re.search(rf'<p class="error" id="{re.escape(field)}-error">([^<]*)</p>', page)
    return html.unescape(found.group(1)) if found else ""


def _value(page: str, field_id: str) -> str:
    found = re.search(rf'id="{re.escape(field_id)}"[^>]*value="([^"]*)"', page)
    return html.unescape(found.group(1)) if found else ""


def test_an_unknown_language_code_keeps_the_invitation_as_typed(dashboard):
    farida = dashboard.coordinator()
    farida.get("/dashboard/enrollment")
    sent = farida.post("/dashboard/enrollment", {
        "name": "Amina Yusuf", "role": "reviewer", "languages": "urd_Arab, urd_Arabic",
        "days": "7", "server": "https://192.168.1.20:8443"})
    assert sent.status_code == 400
    page = sent.text
    assert "urd_Arabic" in _error(page, "languages") and 'aria-invalid="true"' in page
    assert _value(page, "inv-name") == "Amina Yusuf"
    assert _value(page, "inv-languages") == "urd_Arab, urd_Arabic"
    assert _value(page, "inv-days") == "7"
    assert _value(page, "inv-server") == "https://192.168.1.20:8443"
    assert re.search(r'<option value="reviewer" selected>', page)
    assert 'id="card"' not in page
    with pytest.raises(ServerError):
        users.get_user(dashboard.engine, "Amina Yusuf")  # nobody was made


@pytest.mark.parametrize(("form", "field"), [
    ({"name": "  ", "role": "annotator", "languages": "urd_Arab"}, "name"),
    ({"name": "Bilal", "role": "boss", "languages": "urd_Arab"}, "role"),
    ({"name": "Bilal", "role": "annotator", "languages": ""}, "languages"),
    ({"name": "Bilal", "role": "annotator", "languages": "urd_Arab", "days": "a week"},
     "days"),
    ({"name": "Bilal", "role": "annotator", "languages": "urd_Arab", "days": "400"}, "days"),
    ({"name": "Bilal", "role": "annotator", "languages": "urd_Arab", "server": "qalam.local"},
     "server"),
])
def test_each_mistake_in_an_invitation_is_named_beside_its_field(dashboard, form, field):
    farida = dashboard.coordinator()
    sent = farida.post("/dashboard/enrollment", form)
    assert sent.status_code == 400 and _error(sent.text, field), sent.text[-3000:]
    assert 'id="card"' not in sent.text


def test_an_urdu_coordinator_reads_the_mistake_in_urdu(dashboard):
    farida = dashboard.coordinator()
    farida.get("/dashboard/health")
    farida.post("/dashboard/language", {"lang": "ur"})
    sent = farida.post("/dashboard/enrollment", {"name": "Bilal", "role": "annotator",
                                                 "languages": "xx_Fake"})
    message = _error(sent.text, "languages")
    assert "xx_Fake" in message and re.search(r"[\u0600-\u06FF]", message), message


def test_a_block_without_a_reason_is_refused_beside_the_field(dashboard):
    with Server(dashboard.engine) as harness:
        bilal = harness.member("annotator")
    farida = dashboard.coordinator()
    farida.get("/dashboard/people")
    sent = farida.post("/dashboard/people/block", {"user": bilal.user_id, "reason": "   "})
    assert sent.status_code == 400 and _error(sent.text, f"reason-{bilal.user_id}")
    assert moderation.blocked_users(dashboard.engine) == []


def test_a_block_of_someone_gone_keeps_the_reason_typed(dashboard):
    farida = dashboard.coordinator()
    farida.get("/dashboard/people")
    sent = farida.post("/dashboard/people/block", {"user": "nobody", "reason": "copied text"})
    assert sent.status_code == 400
    assert _error(sent.text, "people")


def test_a_coordinator_revokes_a_device_from_the_people_page(dashboard):
    with Server(dashboard.engine) as harness:
        amina = harness.member("annotator")
    farida = dashboard.coordinator()
    page = farida.get("/dashboard/people").text
    assert f'name="device" value="{amina.device_id}"' in page
    done = farida.post("/dashboard/people/revoke", {"device": amina.device_id})
    assert done.status_code == 303 and done.headers["location"].endswith("done=revoked")
    assert _revoked(dashboard, amina.device_id)
    gone = farida.post("/dashboard/people/revoke", {"device": "no-such-device"})
    assert gone.status_code == 400 and _error(gone.text, "devices")


def _revoked(dashboard, device_id: str) -> bool:
    with dashboard.engine.connect() as conn:
        return conn.execute(sa.select(tables.devices.c.revoked_at)
                            .where(tables.devices.c.id == device_id)).scalar() is not None


def test_revoking_needs_a_coordinator_and_the_forms_token(dashboard):
    with Server(dashboard.engine) as harness:
        amina = harness.member("annotator")
    farida = dashboard.coordinator()
    farida.get("/dashboard/people")
    assert farida.post("/dashboard/people/revoke", {"device": amina.device_id},
                       csrf=False).status_code == 403
    auditor = dashboard.auditor()
    assert auditor.post("/dashboard/people/revoke",
                        {"device": amina.device_id}).status_code == 403
    assert not _revoked(dashboard, amina.device_id)


# --- projects --------------------------------------------------------------------------------


@pytest.fixture
def project(dashboard):
    projects.create_project(dashboard.engine, "aya-tha", name="ชุดข้อมูลภาษาไทย")
    return "aya-tha"


def _settings(dashboard, project_id: str) -> dict:
    return next(p for p in projects.list_projects(dashboard.engine)
                if p["id"] == project_id)["settings"]


def _settings_form(**changes) -> dict:
    form = {"distribution.page_size": "20", "distribution.audits_per_item": "3",
            "distribution.lease_hours": "168", "acceptance.min_edit_distance": "5",
            "acceptance.min_accepted_per_language": "50", "acceptance.min_mean_rating": "3.0",
            "acceptance.min_ratings": "0", "acceptance.exclude_flagged": "on", "dialects": ""}
    form.update(changes)
    return form


def test_a_coordinator_changes_a_projects_settings_on_its_page(dashboard, project):
    farida = dashboard.coordinator()
    page = farida.get(f"/dashboard/projects/{project}")
    assert page.status_code == 200 and "ชุดข้อมูลภาษาไทย" in page.text
    assert "/dashboard/projects/aya-tha" in farida.get("/dashboard/projects").text
    saved = farida.post(f"/dashboard/projects/{project}/settings", _settings_form(**{
        "acceptance.min_accepted_per_language": "3", "acceptance.min_mean_rating": "3.5",
        "dialects": "ภาษาอีสาน\nภาษาเหนือ\n", "acceptance.exclude_flagged": ""}))
    assert saved.status_code == 303, saved.text[-2000:]
    settings = _settings(dashboard, project)
    assert settings["acceptance"]["min_accepted_per_language"] == 3
    assert settings["acceptance"]["min_mean_rating"] == 3.5
    assert settings["acceptance"]["exclude_flagged"] is False
    assert settings["dialects"] == ["ภาษาอีสาน", "ภาษาเหนือ"]
    logged = auditlog.entries(dashboard.engine, action="settings")
    assert logged and logged[0].subject == project and logged[0].actor == farida.user.name


def test_a_bad_setting_keeps_the_form_and_changes_nothing(dashboard, project):
    farida = dashboard.coordinator()
    farida.get(f"/dashboard/projects/{project}")
    sent = farida.post(f"/dashboard/projects/{project}/settings", _settings_form(**{
        "distribution.page_size": "twenty", "acceptance.min_accepted_per_language": "7",
        "acceptance.min_mean_rating": "-1"}))
    assert sent.status_code == 400
    assert _error(sent.text, "distribution.page_size")
    assert _error(sent.text, "acceptance.min_mean_rating")
    assert _value(sent.text, "distribution.page_size") == "twenty"
    assert _value(sent.text, "acceptance.min_accepted_per_language") == "7"
    assert _settings(dashboard, project)["acceptance"]["min_accepted_per_language"] == 50


def test_only_the_projects_coordinators_may_change_it(dashboard, project):
    farida = dashboard.coordinator()
    noor = dashboard.coordinator()
    projects.set_coordinators(dashboard.engine, project, add=[noor.user.name])
    page = farida.get(f"/dashboard/projects/{project}").text
    assert 'id="save-settings"' not in page and 'id="guide"' not in page
    refused = farida.post(f"/dashboard/projects/{project}/settings",
                          _settings_form(**{"distribution.page_size": "5"}))
    assert refused.status_code == 403
    refused = farida.post(f"/dashboard/projects/{project}/guidelines", {
        "kind": "original", "language": "tha_Thai", "text": "เขียน"})
    assert refused.status_code == 403
    assert _settings(dashboard, project)["distribution"]["page_size"] == 20
    noor.get(f"/dashboard/projects/{project}")
    assert noor.post(f"/dashboard/projects/{project}/settings",
                     _settings_form(**{"distribution.page_size": "5"})).status_code == 303
    assert _settings(dashboard, project)["distribution"]["page_size"] == 5
    assert dashboard.auditor().get(f"/dashboard/projects/{project}").status_code == 403
    assert noor.post(f"/dashboard/projects/{project}/settings", _settings_form(),
                     csrf=False).status_code == 403


def test_guidelines_are_written_edited_and_removed_per_language(dashboard, project):
    farida = dashboard.coordinator()
    farida.get(f"/dashboard/projects/{project}")
    text = "# การเขียน\nเขียนคำถามและคำตอบเป็นภาษาไทยที่เป็นธรรมชาติ"
    saved = farida.post(f"/dashboard/projects/{project}/guidelines", {
        "kind": "original", "language": "th", "text": text, "draft": "on"})
    assert saved.status_code == 303
    assert projects.list_guidelines(dashboard.engine, project) == [
        {"kind": "original", "language": "tha_Thai", "characters": len(text), "draft": True}]
    editing = farida.get(f"/dashboard/projects/{project}?kind=original&language=tha_Thai").text
    assert "เขียนคำถาม" in editing and 'lang="th' in editing
    assert auditlog.entries(dashboard.engine, action="guidelines")
    removed = farida.post(f"/dashboard/projects/{project}/guidelines", {
        "kind": "original", "language": "tha_Thai", "remove": "yes"})
    assert removed.status_code == 303
    assert projects.list_guidelines(dashboard.engine, project) == []


def test_guidelines_in_an_unknown_language_keep_their_text(dashboard, project):
    farida = dashboard.coordinator()
    farida.get(f"/dashboard/projects/{project}")
    text = "เขียนให้ชัดเจน " * 20
    sent = farida.post(f"/dashboard/projects/{project}/guidelines", {
        "kind": "original", "language": "thai", "text": text})
    assert sent.status_code == 400 and "thai" in _error(sent.text, "language")
    assert html.escape(text.strip()) in sent.text
    empty = farida.post(f"/dashboard/projects/{project}/guidelines", {
        "kind": "original", "language": "tha_Thai", "text": "  "})
    assert empty.status_code == 400 and _error(empty.text, "text")
    assert projects.list_guidelines(dashboard.engine, project) == []
