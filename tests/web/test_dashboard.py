"""The dashboard in process (Starlette's TestClient): signing in, CSRF, sessions, roles, every
page's size and direction, and the coordinator's actions. Each test runs on SQLite and
PostgreSQL."""

from __future__ import annotations

import gzip
import io
import re
import subprocess
import sys
import time
import zipfile

import pytest
import sqlalchemy as sa

from app.ids import new_id
from sync.server import tables
from sync.server.errors import ServerError
from sync.server.people import authentication
from sync.server.quality import audits, moderation
from sync.server.web import jobs, sessions
from sync.server.web.locale import UiLanguage
from sync.server.work import imports, projects
from tests.server.helpers import Server
from tests.web.helpers import PASSWORD

MAX_PAGE = 200 * 1024
PAGES = ["/dashboard/overview", "/dashboard/backlog", "/dashboard/flagged",
         "/dashboard/people", "/dashboard/import", "/dashboard/export",
         "/dashboard/enrollment", "/dashboard/audits", "/dashboard/health",
         "/dashboard/sign-in"]


def seed(engine) -> dict:
    """Two annotators' work in Urdu, one review with a flag, an audit sample for an auditor."""
    with Server(engine) as harness:
        amina = harness.member("annotator", languages=["urd_Arab"])
        bilal = harness.member("annotator", languages=["urd_Arab"])
        reviewer = harness.member("reviewer", languages=["urd_Arab"])
        items = [amina.submission(inputs=f"سوال {n}", targets="جواب " * 40) for n in range(6)]
        amina.push(items)
        bilal.push([bilal.submission(inputs="ایک اور سوال", targets="ایک اور جواب")])
        flag = reviewer.item("review", {"id": new_id(), "submission_id": items[0]["id"],
                                        "flag": "harmful", "reason": "insults a group"})
        reviewer.push([flag, reviewer.review(items[1]["id"], rating=5)])
    return {"amina": amina, "bilal": bilal, "items": items}


def wait_for_job(browser, path: str, timeout: float = 60) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        page = browser.get(path)
        assert page.status_code == 200, page.text
        state = re.search(r'data-state="(\w+)"', page.text).group(1)
        if state not in ("queued", "running"):
            return page.text
        time.sleep(0.1)
    raise AssertionError(f"{path} still running after {timeout} s")


# --- signing in ------------------------------------------------------------------------------


def test_a_coordinator_signs_in_with_a_password_and_lands_on_the_overview(dashboard):
    farida = dashboard.coordinator()
    home = farida.client.get("/dashboard/")
    assert home.status_code == 303 and home.headers["location"] == "/dashboard/overview"
    page = farida.get("/dashboard/overview")
    assert page.status_code == 200 and "Overview" in page.text
    assert farida.user.name in page.text


def test_a_wrong_password_is_refused_and_sets_no_session(dashboard):
    user = dashboard.person("coordinator")
    browser = dashboard.browser()
    response = browser.sign_in(user.name, "not the password at all")
    assert response.status_code == 403
    assert 'id="sign-in-problem"' in response.text
    assert "qalam_session" not in response.headers.get("set-cookie", "")
    unknown = browser.sign_in("nobody-by-this-name", PASSWORD)
    assert unknown.status_code == 403
    assert browser.client.get("/dashboard/overview").status_code == 303


def test_pages_need_a_session_and_come_back_after_sign_in(dashboard):
    user = dashboard.person("coordinator")
    browser = dashboard.browser()
    response = browser.client.get("/dashboard/people")
    assert response.status_code == 303
    assert response.headers["location"] == "/dashboard/sign-in?next=/dashboard/people"
    signed = browser.sign_in(user.name, PASSWORD, next="/dashboard/people")
    assert signed.status_code == 303 and signed.headers["location"] == "/dashboard/people"


def test_next_never_leads_off_the_dashboard(dashboard):
    user = dashboard.person("coordinator")
    for target in ("https://evil.example/", "//evil.example/dashboard/", "/v1/pull"):
        browser = dashboard.browser()
        signed = browser.sign_in(user.name, PASSWORD, next=target)
        assert signed.headers["location"] == "/dashboard/", target


def test_the_session_cookie_is_httponly_strict_and_secure_under_https(dashboard):
    user = dashboard.person("coordinator")
    browser = dashboard.browser()
    cookie = browser.sign_in(user.name, PASSWORD).headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie.replace("Strict", "strict")
    assert "Secure" not in cookie and "Path=/dashboard" in cookie
    client = dashboard.client()
    client.base_url = "https://testserver"
    form = client.get("/dashboard/sign-in")
    csrf = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)
    secure = client.post("/dashboard/sign-in", data={"csrf": csrf, "name": user.name,
                                                     "password": PASSWORD})
    assert secure.status_code == 303 and "Secure" in secure.headers["set-cookie"]


def test_only_a_hash_of_the_session_token_is_stored(dashboard):
    farida = dashboard.coordinator()
    cookie = farida.client.cookies["qalam_session"]
    with dashboard.engine.connect() as conn:
        stored = conn.execute(sa.select(tables.web_sessions.c.token_hash)).scalars().all()
    assert cookie not in stored and authentication.token_hash(cookie) in stored


def test_the_sign_in_form_needs_its_csrf_token(dashboard):
    user = dashboard.person("coordinator")
    client = dashboard.client()
    client.get("/dashboard/sign-in")
    response = client.post("/dashboard/sign-in", data={"name": user.name,
                                                       "password": PASSWORD})
    assert response.status_code == 403
    assert "qalam_session" not in response.headers.get("set-cookie", "")


def test_a_post_without_the_csrf_token_is_refused(dashboard):
    farida = dashboard.coordinator()
    victim = dashboard.person("annotator")
    for data in ({}, {"csrf": "forged"}):
        response = farida.post("/dashboard/people/block",
                               {"user": victim.id, "reason": "spam", **data}, csrf=False)
        assert response.status_code == 403
        assert "security token" in response.text
    assert not moderation.is_blocked(dashboard.engine, victim.id)
    signed_out = farida.post("/dashboard/sign-out", {}, csrf=False)
    assert signed_out.status_code == 403
    assert farida.get("/dashboard/overview").status_code == 200


def test_an_expired_session_sends_the_browser_to_sign_in(dashboard):
    farida = dashboard.coordinator()
    assert farida.get("/dashboard/health").status_code == 200
    with dashboard.engine.begin() as conn:
        conn.execute(tables.web_sessions.update().values(expires_at="2000-01-01T00:00:00.000Z"))
    response = farida.client.get("/dashboard/health")
    assert response.status_code == 303 and "/dashboard/sign-in" in response.headers["location"]


def test_signing_out_ends_the_session_everywhere(dashboard):
    farida = dashboard.coordinator()
    cookie = farida.client.cookies["qalam_session"]
    assert farida.post("/dashboard/sign-out").status_code == 303
    other = dashboard.client()
    other.cookies.set("qalam_session", cookie, path="/dashboard")
    assert other.get("/dashboard/overview").status_code == 303
    with dashboard.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count())
                            .select_from(tables.web_sessions)).scalar() == 0


def test_a_new_password_signs_the_person_out(dashboard):
    farida = dashboard.coordinator()
    sessions.set_password(dashboard.engine, farida.user.name, "another long password")
    assert farida.client.get("/dashboard/overview").status_code == 303
    assert dashboard.browser().sign_in(farida.user.name, PASSWORD).status_code == 403
    assert dashboard.browser().sign_in(farida.user.name,
                                       "another long password").status_code == 303


def test_an_annotators_token_cannot_sign_in_but_a_coordinators_can(dashboard):
    with Server(dashboard.engine) as harness:
        amina = harness.member("annotator")
        coordinator = harness.member("coordinator", languages=[])
    refused = dashboard.browser().sign_in(token=amina.token)
    assert refused.status_code == 403 and "Annotators use the Qalam app" in refused.text
    browser = dashboard.browser()
    assert browser.sign_in(token=coordinator.token).status_code == 303
    assert browser.get("/dashboard/overview").status_code == 200
    assert dashboard.browser().sign_in(token="not-a-token").status_code == 403


def test_only_coordinators_and_auditors_get_a_password(dashboard):
    amina = dashboard.person("annotator", password=None)
    with pytest.raises(ServerError, match="only coordinators and auditors"):
        sessions.set_password(dashboard.engine, amina.name, PASSWORD)
    with pytest.raises(ServerError, match="at least"):
        sessions.set_password(dashboard.engine, dashboard.person("auditor").name, "short")


def test_a_blocked_coordinator_cannot_sign_in(dashboard):
    user = dashboard.person("coordinator")
    moderation.block(dashboard.engine, user.name, reason="left the project")
    refused = dashboard.browser().sign_in(user.name, PASSWORD)
    assert refused.status_code == 403 and "blocked" in refused.text


def test_a_block_ends_open_sessions_and_device_token_sign_in(dashboard):
    # DESIGN.md invariant 6: a block takes the dashboard too, however the session began.
    farida = dashboard.coordinator()
    with Server(dashboard.engine) as harness:
        laptop = harness.member("coordinator", languages=[], name=farida.user.name)
    by_token = dashboard.browser()
    assert by_token.sign_in(token=laptop.token).status_code == 303
    for browser in (farida, by_token):
        assert browser.get("/dashboard/overview").status_code == 200
    moderation.block(dashboard.engine, farida.user.name, reason="left the project")
    for browser in (farida, by_token):
        ended = browser.client.get("/dashboard/overview")
        assert ended.status_code == 303 and "/dashboard/sign-in" in ended.headers["location"]
    refused = dashboard.browser().sign_in(token=laptop.token)
    assert refused.status_code == 403 and "blocked" in refused.text


def test_a_blocked_auditor_loses_the_audit_pages(dashboard):
    seed(dashboard.engine)
    auditor = dashboard.auditor()
    sample_id = audits.draw_sample(dashboard.engine, per_language=1,
                                   auditors=[auditor.user.name], seed=1, created_by="test")
    item = audits.auditor_items(dashboard.engine, auditor.user.name)[0]
    assert 'id="audit-item"' in auditor.get("/dashboard/audits").text
    moderation.block(dashboard.engine, auditor.user.name, reason="rated without reading")
    assert auditor.client.get("/dashboard/audits").status_code == 303
    rated = auditor.post("/dashboard/audits/rate", {
        "sample": sample_id, "submission": item.submission_id, "rating": "5",
        "acceptable": "yes"})
    assert rated.status_code == 303 and rated.headers["location"] == "/dashboard/sign-in"
    assert audits.estimates(dashboard.engine, sample_id)["urd_Arab"].audited == 0


def test_failed_sign_ins_are_rate_limited_per_address(dashboard):
    user = dashboard.person("coordinator")
    browser = dashboard.browser()
    for _ in range(sessions.FAILURES_ALLOWED):
        assert browser.sign_in(user.name, "wrong password!").status_code == 403
    limited = browser.sign_in(user.name, PASSWORD)  # even the right password now waits
    assert limited.status_code == 429
    assert int(limited.headers["retry-after"]) > 0
    assert "Too many failed sign-ins" in limited.text


# --- roles -----------------------------------------------------------------------------------


def test_an_auditor_sees_only_the_audit_page_and_rates_blind(dashboard):
    data = seed(dashboard.engine)
    auditor = dashboard.auditor()
    sample_id = audits.draw_sample(dashboard.engine, per_language=3,
                                   auditors=[auditor.user.name], seed=1, created_by="test")
    home = auditor.client.get("/dashboard/")
    assert home.headers["location"] == "/dashboard/audits"
    for path in [*PAGES[:-3], "/dashboard/health", f"/dashboard/audits/sample/{sample_id}"]:
        response = auditor.get(path)
        assert response.status_code == 403, path
        assert "for coordinators" in response.text
    page = auditor.get("/dashboard/audits")
    assert page.status_code == 200 and 'id="audit-item"' in page.text
    assert "Draw a sample" not in page.text
    for secret in (data["amina"].user.name, data["bilal"].user.name, data["amina"].device_id):
        assert secret not in page.text  # blind: no author, no device
    nav = re.search(r"<nav.*?</nav>", page.text, re.S).group(0)
    assert "/dashboard/overview" not in nav and "/dashboard/audits" in nav
    for _ in range(3):
        page = auditor.get("/dashboard/audits")
        sample = re.search(r'name="sample" value="([^"]+)"', page.text).group(1)
        submission = re.search(r'name="submission" value="([^"]+)"', page.text).group(1)
        rated = auditor.post("/dashboard/audits/rate", {
            "sample": sample, "submission": submission, "rating": "4", "acceptable": "yes",
            "comment": "fine"})
        assert rated.status_code == 303
    assert "No audit items are waiting for you" in auditor.get("/dashboard/audits").text
    estimates = audits.estimates(dashboard.engine, sample_id)["urd_Arab"]
    assert estimates.audited == 3 and estimates.acceptable == 3


def test_an_auditor_cannot_rate_another_auditors_item(dashboard):
    seed(dashboard.engine)
    first, second = dashboard.auditor(), dashboard.auditor()
    audits.draw_sample(dashboard.engine, per_language=1, auditors=[first.user.name], seed=1,
                       created_by="test")
    item = audits.auditor_items(dashboard.engine, first.user.name)[0]
    second.get("/dashboard/audits")
    refused = second.post("/dashboard/audits/rate", {
        "sample": item.sample_id, "submission": item.submission_id, "rating": "1",
        "acceptable": "no"})
    assert refused.status_code == 403 and "not assigned" in refused.text


# --- pages -----------------------------------------------------------------------------------


def test_every_page_answers_and_stays_under_200_kb(dashboard):
    seed(dashboard.engine)
    farida = dashboard.coordinator()
    auditor = dashboard.person("auditor")
    sample_id = audits.draw_sample(dashboard.engine, per_language=5, auditors=[auditor.name],
                                   seed=3, created_by=farida.user.name)
    for path in [*PAGES, f"/dashboard/audits/sample/{sample_id}",
                 "/dashboard/overview?project=nope", "/dashboard/flagged?language=urd_Arab"]:
        response = farida.get(path, follow_redirects=True)
        assert response.status_code == 200, (path, response.text[:2000])
        assert len(response.content) < MAX_PAGE, (path, len(response.content))
        assert response.headers["content-type"].startswith("text/html")
        assert "script" not in response.headers["content-security-policy"]
        assert "<script" not in response.text
    css = farida.client.get("/dashboard/static/dashboard.css")
    # As sent (gzip): the @font-face rules of 24 fonts with their ranges are most of it.
    assert css.status_code == 200 and css.headers["content-encoding"] == "gzip"
    assert len(gzip.compress(css.content)) < 10_000
    assert "margin-left" not in css.text and "padding-right" not in css.text  # logical only


def test_the_overview_counts_and_charts_the_work(dashboard):
    seed(dashboard.engine)
    page = dashboard.coordinator().get("/dashboard/overview").text
    assert '<svg class="chart"' in page and 'class="s-accepted"' in page
    assert "اردو" in page  # the language by its own name
    table = re.search(r"<h2>By language and kind</h2>.*?</table>", page, re.S).group(0)
    cells = re.findall(r'<td class="num">([^<]*)</td>', table)
    assert cells[:4] == ["0", "0", "7", "2"]  # tasks, drafts, handed in, reviewed


def test_big_pages_are_cut_to_stay_small(dashboard):
    huge = "ب" * 200_000
    with Server(dashboard.engine) as harness:
        amina = harness.member("annotator")
        reviewer = harness.member("reviewer")
        items = [amina.submission(inputs=huge, targets=huge) for _ in range(3)]
        amina.push(items)
        reviewer.push([reviewer.item("review", {
            "id": new_id(), "submission_id": item["id"], "flag": "nonsense",
            "reason": "x"}) for item in items])
    farida = dashboard.coordinator()
    auditor = dashboard.auditor()
    audits.draw_sample(dashboard.engine, per_language=3, auditors=[auditor.user.name],
                       created_by="t")
    for browser, path in ((farida, "/dashboard/flagged"), (auditor, "/dashboard/audits")):
        response = browser.get(path)
        assert response.status_code == 200 and len(response.content) < MAX_PAGE, path


@pytest.mark.parametrize("tag", ["ur", "ar"])
def test_urdu_and_arabic_pages_are_right_to_left(dashboard, tag):
    farida = dashboard.coordinator()
    farida.get("/dashboard/overview")
    switched = farida.post("/dashboard/language", {"lang": tag, "back": "/dashboard/people"})
    assert switched.status_code == 303 and switched.headers["location"] == "/dashboard/people"
    for path in PAGES[:-1]:
        page = farida.get(path).text
        assert f'<html lang="{tag}" dir="rtl">' in page, path
    english = farida.post("/dashboard/language", {"lang": "en"})
    assert english.status_code == 303
    assert '<html lang="en" dir="ltr">' in farida.get("/dashboard/overview").text


def test_the_sign_in_page_follows_the_browser_and_the_switch(dashboard):
    client = dashboard.client()
    page = client.get("/dashboard/sign-in", headers={"accept-language": "ur-PK,en;q=0.5"})
    assert '<html lang="ur" dir="rtl">' in page.text
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    switched = client.post("/dashboard/language", data={"csrf": csrf, "lang": "fr",
                                                        "back": "/dashboard/sign-in"})
    assert switched.status_code == 303
    assert '<html lang="fr" dir="ltr">' in client.get("/dashboard/sign-in").text


def test_numbers_follow_the_ui_locale(dashboard):
    seed(dashboard.engine)
    farida = dashboard.coordinator()
    farida.get("/dashboard/health")
    farida.post("/dashboard/language", {"lang": "fa"})
    page = farida.get("/dashboard/overview").text
    assert "۷" in page  # seven handed-in items, in Persian digits


def test_urdu_pages_say_the_time_of_day_in_urdu_and_keep_the_minus_in_front(dashboard):
    seed(dashboard.engine)
    farida = dashboard.coordinator()
    farida.get("/dashboard/health")
    farida.post("/dashboard/language", {"lang": "ur"})
    for path in ("/dashboard/overview", "/dashboard/people", "/dashboard/enrollment"):
        text = re.sub(r"<[^>]+>", " ", farida.get(path).text)
        assert not re.search(r"\b[AP]M\b", text), path
    assert re.search(r"(صبح|دوپہر|سہ پہر|شام|رات)", farida.get("/dashboard/people").text)
    ui = UiLanguage.get("ur")
    assert ui.number(-0.42) == "\u200e-0.42"  # CLDR's minus: LRM first, never "0.42-"
    assert ui.percent(-0.05).startswith("\u200e-")
    assert UiLanguage.get("en").number(-0.42) == "-0.42"


def test_dates_in_tables_name_their_month():
    """"12/6/26" is 6 December to some coordinators and 12 June to most: a short date in a
    dashboard table names its month."""
    english = UiLanguage.get("en").when("2026-12-06T22:05:00.000Z", format="short")
    assert "Dec 6, 2026" in english and "10:05" in english and ":00" not in english
    assert "دسمبر" in UiLanguage.get("ur").when("2026-12-06T22:05:00.000Z", format="short")


def test_a_language_with_tasks_and_no_work_needs_its_projects_threshold(dashboard):
    projects.create_project(dashboard.engine, "aya-hin",
                            settings={"acceptance": {"min_accepted_per_language": 3}})
    imports.import_records(dashboard.engine, "aya-hin", [
        {"inputs": "भारत की राजधानी क्या है?", "targets": "नई दिल्ली", "language_code": "hin",
         "script": "Deva"}], kind="original")
    farida = dashboard.coordinator()
    for path in ("/dashboard/overview", "/dashboard/overview?project=aya-hin"):
        table = re.search(r"<h2>By language and kind</h2>.*?</table>",
                          farida.get(path).text, re.S).group(0)
        assert "needs \u20683\u2069 accepted" in table and "needs \u20680" not in table, path


def test_a_coordinator_blocks_and_unblocks_from_the_people_page(dashboard):
    data = seed(dashboard.engine)
    farida = dashboard.coordinator()
    page = farida.get("/dashboard/people").text
    assert data["amina"].user.name in page and "laptop" in page
    blocked = farida.post("/dashboard/people/block", {"user": data["bilal"].user_id,
                                                      "reason": "copied text"})
    assert blocked.status_code == 303
    assert moderation.is_blocked(dashboard.engine, data["bilal"].user_id)
    assert "copied text" in farida.get("/dashboard/people").text
    farida.post("/dashboard/people/unblock", {"user": data["bilal"].user_id})
    assert not moderation.is_blocked(dashboard.engine, data["bilal"].user_id)
    myself = farida.post("/dashboard/people/block", {"user": farida.user.id, "reason": "x"})
    assert myself.status_code == 400 and "cannot block yourself" in myself.text


def test_flagged_items_are_listed_and_answered(dashboard):
    data = seed(dashboard.engine)
    farida = dashboard.coordinator()
    page = farida.get("/dashboard/flagged").text
    assert "insults a group" in page and "سوال 0" in page
    flagged_id = data["items"][0]["id"]
    relabeled = farida.post("/dashboard/flagged/relabel", {"submission": flagged_id,
                                                           "new_language": "pnb_Arab"})
    assert relabeled.status_code == 303
    accepted = farida.post("/dashboard/flagged/decide", {"submission": flagged_id,
                                                         "state": "accepted"})
    assert accepted.status_code == 303
    with dashboard.engine.connect() as conn:
        row = conn.execute(sa.select(tables.submissions.c.language, tables.submissions.c.state)
                           .where(tables.submissions.c.id == flagged_id)).one()
    assert (row.language, row.state) == ("pnb_Arab", "accepted")
    bad = farida.post("/dashboard/flagged/relabel", {"submission": flagged_id,
                                                     "new_language": "klingon"})
    assert bad.status_code == 400 and "klingon" in bad.text


def test_an_enrollment_code_is_shown_with_a_qr_card_and_enrolls_a_device(dashboard):
    farida = dashboard.coordinator()
    farida.get("/dashboard/enrollment")
    page = farida.post("/dashboard/enrollment", {
        "name": "Zainab", "role": "annotator", "languages": "urd_Arab, hin_Deva", "days": "7",
        "server": "https://192.168.1.20:8443"})
    assert page.status_code == 200, page.text
    code = re.search(r'<p class="code" id="code">([^<]+)</p>', page.text).group(1)
    assert re.fullmatch(r"[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]", code)
    card = re.search(r'<div class="print-card".*?</div>\s*</div>', page.text, re.S).group(0)
    assert "<svg" in card and code in card and "192.168.1.20" in card
    assert len(page.content) < MAX_PAGE
    with Server(dashboard.engine) as harness:
        enrolled = harness.client.post("/v1/enroll", json={
            "code": code, "device_id": new_id(), "device_name": "x", "app_version": "1"})
    assert enrolled.status_code == 200 and enrolled.json()["user_name"] == "Zainab"
    wrong = farida.post("/dashboard/enrollment", {"name": "Yusuf", "role": "annotator",
                                                  "languages": "xx_Nope"})
    assert wrong.status_code == 400 and "xx_Nope" in wrong.text


def test_a_coordinator_draws_a_sample_and_reads_the_estimates(dashboard):
    seed(dashboard.engine)
    farida = dashboard.coordinator()
    auditor = dashboard.person("auditor")
    page = farida.get("/dashboard/audits").text
    assert auditor.name in page
    drawn = farida.post("/dashboard/audits/draw", {"per_language": "4", "auditor": auditor.id,
                                                   "seed": "42", "note": "first round"})
    assert drawn.status_code == 303
    estimates = farida.get(drawn.headers["location"])
    assert estimates.status_code == 200 and "first round" in estimates.text
    assert 'id="estimates"' in estimates.text
    none = farida.post("/dashboard/audits/draw", {"per_language": "4"})
    assert none.status_code == 400 and "auditor" in none.text


def test_health_reports_the_database(dashboard):
    page = dashboard.coordinator().get("/dashboard/health").text
    assert 'id="health-ok"' in page
    assert dashboard.engine.dialect.name in page


def test_an_export_runs_as_a_job_and_downloads_as_a_zip(dashboard):
    farida = dashboard.coordinator()
    farida.get("/dashboard/export")
    started = farida.post("/dashboard/export", {"fmt": "jsonl", "test_fraction": "0"})
    assert started.status_code == 303
    done = wait_for_job(farida, started.headers["location"])
    assert 'data-state="done"' in done, done
    link = re.search(r'id="download" href="([^"]+)"', done).group(1)
    download = farida.client.get(link)
    assert download.status_code == 200
    assert download.headers["content-type"] == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(download.content)).namelist()
    assert any(name.endswith("README.md") for name in names)
    assert any(name.endswith("data/train.jsonl") for name in names)
    with dashboard.engine.connect() as conn:
        job = conn.execute(sa.select(tables.jobs)).one()
    assert (job.kind, job.state) == ("export", "done")
    assert "qalam-all-jsonl" in farida.get("/dashboard/export").text  # listed as recent


def test_an_export_archive_downloads_for_coordinators_only(dashboard):
    """The archive holds demographics: an auditor, a signed-out browser, an import's job id
    or an unfinished export get no bytes of it."""
    farida = dashboard.coordinator()
    farida.get("/dashboard/export")
    started = farida.post("/dashboard/export", {"fmt": "jsonl", "test_fraction": "0"})
    link = re.search(r'id="download" href="([^"]+)"',
                     wait_for_job(farida, started.headers["location"])).group(1)
    assert farida.client.get(link).status_code == 200
    auditor = dashboard.auditor()
    refused = auditor.client.get(link)
    assert refused.status_code == 403 and "PK" not in refused.text
    assert dashboard.browser().client.get(link).status_code == 303  # to sign in
    upload(farida, "urd.jsonl", GOOD, new_project="aya-urd")
    with dashboard.engine.connect() as conn:
        import_id = conn.execute(sa.select(tables.jobs.c.id)
                                 .where(tables.jobs.c.kind == "import")).scalar_one()
    for job_id in (import_id, "..", "x" * 300):
        assert farida.client.get(f"/dashboard/export/{job_id}/download").status_code == 404
    queued = jobs.start(dashboard.engine, kind="export", created_by="x")
    assert farida.client.get(f"/dashboard/export/{queued}/download").status_code == 404


def test_an_unknown_export_format_is_refused(dashboard):
    farida = dashboard.coordinator()
    refused = farida.post("/dashboard/export", {"fmt": "xlsx"})
    assert refused.status_code == 400 and "xlsx" in refused.text


def test_set_password_command(tmp_path):
    db = tmp_path / "s.db"
    run = [sys.executable, "-m", "sync.server.cli", "--db", str(db)]
    subprocess.run([*run, "init"], check=True, capture_output=True)
    subprocess.run([*run, "invite", "--name", "Farida", "--role", "coordinator"], check=True,
                   capture_output=True)
    done = subprocess.run([*run, "set-password", "Farida", "--password-stdin"],
                          input=PASSWORD + "\n", capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "Dashboard password set for Farida" in done.stdout
    short = subprocess.run([*run, "set-password", "Farida", "--password-stdin"],
                           input="short\n", capture_output=True, text=True)
    assert short.returncode == 1 and "at least" in short.stderr
    no_tty = subprocess.run([*run, "set-password", "Farida"], input="",
                            capture_output=True, text=True)
    assert no_tty.returncode == 2 and "--password-stdin" in no_tty.stderr


# --- import ----------------------------------------------------------------------------------

GOOD = "\n".join([
    '{"inputs": "پاکستان کا دارالحکومت کیا ہے؟", "targets": "اسلام آباد", '
    '"language_code": "urd", "script": "Arab", "annotation_type": "original-annotations"}',
    '{"inputs": "ایک نظم لکھیں", "targets": "چاند کی روشنی", "language_code": "urd", '
    '"script": "Arab"}',
]) + "\n"


def upload(browser, name: str, content: str, **form) -> str:
    browser.get("/dashboard/import")
    started = browser.post("/dashboard/import", {"kind": "reannotation", **form},
                           files={"file": (name, content.encode(), "application/json")})
    assert started.status_code == 303, started.text
    return wait_for_job(browser, started.headers["location"])


def test_an_uploaded_task_file_is_imported_once(dashboard):
    farida = dashboard.coordinator()
    first = upload(farida, "urd.jsonl", GOOD, new_project="aya-urd")
    assert 'data-state="done"' in first, first
    counts = re.findall(r'<td class="num">([^<]+)</td>', first)
    assert counts == ["2", "0", "0"] and "The project is new" in first
    again = upload(farida, "urd.jsonl", GOOD, project="aya-urd")
    assert re.findall(r'<td class="num">([^<]+)</td>', again) == ["0", "0", "2"]
    with dashboard.engine.connect() as conn:
        kinds = conn.execute(sa.select(tables.tasks.c.kind)
                             .where(tables.tasks.c.project_id == "aya-urd")).scalars().all()
    assert kinds == ["reannotation", "reannotation"]
    with dashboard.engine.connect() as conn:  # the uploads, removed when their job ended
        assert conn.execute(sa.select(sa.func.count())
                            .select_from(tables.stored_files)).scalar() == 0


def test_a_task_file_larger_than_a_sync_body_uploads(dashboard):
    """Uploads stream to disk with their own limit, not the 4 MiB of a sync request."""
    from sync.protocol import MAX_BODY_BYTES

    line = ('{"inputs": "%s", "targets": "%s", "language_code": "urd", "script": "Arab"}\n')
    rows = [line % (f"سوال نمبر {n} " + "ی" * 400, "جواب " + "و" * 400) for n in range(3000)]
    content = "".join(rows)
    assert len(content.encode()) > MAX_BODY_BYTES + 100_000
    page = upload(dashboard.coordinator(), "big.jsonl", content, new_project="aya-big")
    assert 'data-state="done"' in page, page
    with dashboard.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(tables.tasks)).scalar() \
            == 3000


def test_an_upload_over_its_limit_is_refused_before_it_is_read(dashboard, monkeypatch):
    from sync.server.api import body

    monkeypatch.setitem(body.STREAMED_UPLOADS, "/dashboard/import", 1000)
    farida = dashboard.coordinator()
    farida.get("/dashboard/import")
    refused = farida.post("/dashboard/import", {"new_project": "aya-x"},
                          files={"file": ("a.jsonl", GOOD.encode() * 20, "application/json")})
    assert refused.status_code == 413


def test_a_bad_task_file_imports_nothing_and_names_line_and_field(dashboard):
    farida = dashboard.coordinator()
    bad = GOOD + '{"inputs": "سوال", "targets": "جواب", "language_code": "zzz"}\n'
    page = upload(farida, "bad.jsonl", bad, new_project="aya-bad")
    assert 'data-state="failed"' in page
    where = re.search(r'<table id="where">.*?</table>', page, re.S).group(0)
    assert "bad.jsonl" in where and "<td>3</td>" in where and "language" in where
    with dashboard.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(tables.tasks)).scalar() == 0


def test_an_import_needs_a_project(dashboard):
    farida = dashboard.coordinator()
    farida.get("/dashboard/import")
    refused = farida.post("/dashboard/import", {},
                          files={"file": ("a.jsonl", GOOD.encode(), "application/json")})
    assert refused.status_code == 400 and "project" in refused.text


def test_failures_on_dashboard_pages_are_pages_not_json(dashboard, monkeypatch):
    from sqlalchemy.exc import OperationalError

    from sync.server.web import overview

    farida = dashboard.coordinator()
    missing = farida.get("/dashboard/no-such-page")
    assert missing.status_code == 404 and "text/html" in missing.headers["content-type"]
    assert "no such page" in missing.text

    def down(*_args, **_kwargs):
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr(overview, "counted_acceptance", down)
    busy = farida.get("/dashboard/overview")
    assert busy.status_code == 503 and "text/html" in busy.headers["content-type"]
    assert "database is busy" in busy.text


def test_a_form_sent_after_the_session_ended_goes_to_sign_in_without_a_dead_next(dashboard):
    farida = dashboard.coordinator()
    farida.client.cookies.clear()
    sent = farida.client.post("/dashboard/sign-out", data={"csrf": "x"},
                              follow_redirects=False)
    assert sent.status_code == 303 and sent.headers["location"] == "/dashboard/sign-in"


def test_the_overview_shows_how_far_the_interface_is_translated(dashboard, tmp_path):
    from sync.server.translation import po
    from tests.server.test_ui_translation_po import _entries, write_po

    dashboard.coordinator()  # a coordinator to sign in, and to attribute the import to
    with dashboard.engine.connect() as conn:
        name = conn.execute(sa.select(tables.users.c.name).where(
            tables.users.c.role == "coordinator")).scalars().first()
    entries = _entries(4)
    po.import_po(dashboard.engine, write_po(tmp_path / "ha.po", entries), language="hau_Latn",
                 by=name)
    page = dashboard.coordinator().get("/dashboard/overview").text
    table = re.search(r'id="interfaceTranslations">.*?</table>', page, re.S).group(0)
    assert "Hausa" in table
    assert f'<td class="num">{len(entries)} / ' in table


def test_the_import_form_refuses_a_mismatch_unless_told_it_is_right(dashboard):
    farida = dashboard.coordinator()
    mismatched = GOOD + ('{"inputs": "भारत की राजधानी क्या है और वह कहाँ है?", "targets": '
                         '"नई दिल्ली भारत की राजधानी है", "language_code": "urd"}\n')
    page = upload(farida, "mixed.jsonl", mismatched, new_project="aya-mixed")
    assert 'data-state="failed"' in page and "--allow-mismatch" in page
    where = re.search(r'<table id="where">.*?</table>', page, re.S).group(0)
    assert "<td>3</td>" in where and "inputs" in where
    assert 'id="allow_mismatch"' in farida.get("/dashboard/import").text
    page = upload(farida, "mixed.jsonl", mismatched, new_project="aya-mixed",
                  allow_mismatch="on")
    assert 'data-state="done"' in page, page[-2000:]
    with dashboard.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(tables.tasks)).scalar() == 3
