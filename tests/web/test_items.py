"""The dashboard's items: finding any item of the coordinator's projects by a word of it (any
script) or by filters, paging through them, reading one whole and acting on it. Each test
runs on SQLite and PostgreSQL."""

from __future__ import annotations

import html
import json
import re

import pytest
import sqlalchemy as sa

from app.ids import new_id
from sync.server import tables
from sync.server.db import read_transaction
from sync.server.people import auditlog
from sync.server.quality import audits
from sync.server.web import items as items_page
from sync.server.work import acceptance, decisions
from sync.server.work.projects import create_project, set_coordinators
from tests.server.helpers import Server

LANGUAGES = ["urd_Arab", "tha_Thai", "hin_Deva", "eng_Latn"]
_LINK = re.compile(r'class="item-link"[^>]*>([^<]*)<')


def found(response) -> list[str]:
    """The prompts listed on an items page, in order."""
    assert response.status_code == 200, response.text[-2000:]
    return [html.unescape(text) for text in _LINK.findall(response.text)]


def one(text: str) -> str:
    return text.split()[0]


@pytest.fixture
def work(engine):
    """Items in four scripts by two annotators, in two projects and none; a review with a
    flag, a rated review, and a draft."""
    create_project(engine, "aya-urd")
    create_project(engine, "aya-tha")
    with Server(engine) as harness:
        amina = harness.member("annotator", languages=LANGUAGES, name="Amina")
        bilal = harness.member("annotator", languages=LANGUAGES, name="Bilal")
        reviewer = harness.member("reviewer", languages=LANGUAGES, name="Rafi")
        urdu = amina.submission(inputs="پانی کہاں سے آتا ہے؟", targets="بادلوں سے بارش ہوتی ہے۔",
                                project_id="aya-urd")
        thai = amina.submission(language="tha_Thai", inputs="ประเทศไทยมีกี่จังหวัด",
                                targets="ประเทศไทยมีเจ็ดสิบเจ็ดจังหวัด", project_id="aya-tha")
        hindi = bilal.submission(language="hin_Deva", inputs="भारत की राजधानी क्या है?",
                                 targets="नई दिल्ली भारत की राजधानी है।")
        english = bilal.submission(language="eng_Latn", inputs="Why is the Sky blue?",
                                   targets="Rayleigh scattering.", kind="reannotation",
                                   original_inputs="Why sky blue", original_targets="Light.")
        draft = amina.submission(inputs="مسودہ ابھی لکھا جا رہا ہے", targets="ادھورا",
                                 state="draft")
        amina.push([urdu, thai, draft])
        bilal.push([hindi, english])
        flag = reviewer.item("review", {"id": new_id(), "submission_id": hindi["id"],
                                        "flag": "wrong_language", "reason": "this is Urdu"})
        reviewer.push([flag, reviewer.review(english["id"], rating=5)])
    ids = {name: json.loads(item["payload"])["id"] for name, item in
           (("urdu", urdu), ("thai", thai), ("hindi", hindi), ("english", english),
            ("draft", draft))}
    return {"ids": ids, "amina": amina, "bilal": bilal, "reviewer": reviewer,
            "devices": {"amina": amina.device_id, "bilal": bilal.device_id}}


# --- who may see what ------------------------------------------------------------------------


def test_items_need_a_session(dashboard, work):
    browser = dashboard.browser()
    for path in ("/dashboard/items?q=پانی", f"/dashboard/items/{work['ids']['urdu']}"):
        response = browser.client.get(path)
        assert response.status_code == 303
        assert response.headers["location"].startswith("/dashboard/sign-in?next=")
    refused = browser.post(f"/dashboard/items/{work['ids']['urdu']}/decide",
                           {"state": "rejected"}, csrf=False)
    assert refused.status_code == 303 and refused.headers["location"] == "/dashboard/sign-in"
    assert _state(dashboard.engine, work["ids"]["urdu"]) == "submitted"


def test_auditors_and_annotators_are_refused(dashboard, work):
    rahel = dashboard.auditor()
    assert rahel.get("/dashboard/items").status_code == 403
    assert rahel.get(f"/dashboard/items/{work['ids']['urdu']}").status_code == 403
    assert rahel.post(f"/dashboard/items/{work['ids']['urdu']}/decide",
                      {"state": "rejected"}).status_code == 403
    # An annotator has no way in: their device token does not sign in to the dashboard.
    annotator = dashboard.browser()
    assert annotator.sign_in(token=work["amina"].token).status_code == 403
    assert annotator.client.get("/dashboard/items").status_code == 303
    assert _state(dashboard.engine, work["ids"]["urdu"]) == "submitted"


def test_a_coordinator_never_sees_another_coordinators_project(dashboard, work):
    farida = dashboard.coordinator(name="Farida")
    noor = dashboard.coordinator(name="Noor")
    set_coordinators(dashboard.engine, "aya-urd", add=["Farida"])
    urdu = work["ids"]["urdu"]
    assert "پانی کہاں سے آتا ہے؟" in found(farida.get("/dashboard/items"))
    listed = found(noor.get("/dashboard/items"))
    assert "پانی کہاں سے آتا ہے؟" not in listed
    assert "ประเทศไทยมีกี่จังหวัด" in listed   # a project naming nobody is everyone's
    assert found(noor.get("/dashboard/items?q=پانی")) == []
    assert found(noor.get("/dashboard/items?project=aya-urd")) == []
    assert noor.get(f"/dashboard/items/{urdu}").status_code == 404
    for action, form in (("decide", {"state": "rejected"}), ("flag", {"flag": "harmful"}),
                         ("unflag", {}), ("relabel", {"new_language": "hin_Deva"})):
        assert noor.post(f"/dashboard/items/{urdu}/{action}", form).status_code == 404, action
    assert _state(dashboard.engine, urdu) == "submitted"
    assert 'value="aya-urd"' not in noor.get("/dashboard/items").text  # not offered either
    page = farida.get(f"/dashboard/items/{urdu}")
    assert page.status_code == 200 and "پانی کہاں سے آتا ہے؟" in page.text


def test_drafts_and_unknown_items_are_not_found(dashboard, work):
    farida = dashboard.coordinator()
    assert farida.get(f"/dashboard/items/{work['ids']['draft']}").status_code == 404
    assert farida.get("/dashboard/items/no-such-item").status_code == 404
    assert farida.get("/dashboard/items/" + "x" * 5000).status_code == 404
    assert "مسودہ" not in " ".join(found(farida.get("/dashboard/items")))
    assert found(farida.get("/dashboard/items?q=مسودہ")) == []


# --- searching -------------------------------------------------------------------------------


@pytest.mark.parametrize(("query", "expected"), [
    ("بارش", "پانی کہاں سے آتا ہے؟"),            # Urdu, a word of the completion
    ("จังหวัด", "ประเทศไทยมีกี่จังหวัด"),          # Thai: no spaces between words
    ("กี่", "ประเทศไทยมีกี่จังหวัด"),              # ...and a word shorter than the index's unit
    ("राजधानी", "भारत की राजधानी क्या है?"),      # Hindi
    ("sky BLUE", "Why is the Sky blue?"),          # every word, any case
    ('"the sky"', "Why is the Sky blue?"),          # a phrase
])
def test_search_finds_a_word_in_any_script(dashboard, work, query, expected):
    farida = dashboard.coordinator()
    assert found(farida.get("/dashboard/items", params={"q": query})) == [expected]


@pytest.mark.parametrize(("walked", "step"), [(1, 200), (2, 1), (10_000, 1), (10_000, 200)])
def test_words_are_found_whether_the_walk_fills_the_page_or_the_index_does(
        dashboard, work, monkeypatch, walked, step):
    """PostgreSQL reads items in order for the words (search.WALKED of them, search.STEP at
    a time at first) and turns to the trigram index when those do not fill the page: the
    same items either way, page after page, with flags and reviews, and a quote or a
    backslash in a word."""
    from sync.server.quality import search

    monkeypatch.setattr(search, "WALKED", walked)
    monkeypatch.setattr(search, "STEP", step)
    farida = dashboard.coordinator()
    with Server(dashboard.engine) as harness:
        amina = work["amina"]
        amina.harness = harness
        amina.push([amina.submission(inputs=f'بارش {n} "قطرے" \\ سوال', targets="بادل")
                    for n in range(5)])

    def listed(limit: int = 2, **params) -> list[str]:
        query, pages, after = items_page.ItemQuery.parse(**params), [], None
        while True:
            page = search.find_items(dashboard.engine, farida.user.id, query, after=after,
                                     limit=limit)
            pages += [row.inputs for row in page.rows]
            if page.next_after is None:
                return pages
            after = page.next_after

    rain = [f'بارش {n} "قطرے" \\ سوال' for n in reversed(range(5))]
    assert listed(q="بارش") == [*rain, "پانی کہاں سے آتا ہے؟"]
    assert listed(q="بارش", limit=50) == listed(q="بارش")
    assert listed(q='"قطرے"') == listed(q='\\ سوال') == rain
    assert listed(q="राजधानी", flagged="yes") == ["भारत की राजधानी क्या है?"]
    assert listed(q="राजधानी", flagged="no") == []
    assert listed(q="Rayleigh", reviewed="yes") == ["Why is the Sky blue?"]
    assert listed(q="Rayleigh", reviewed="no") == []
    assert listed(q="برف بارش") == []


def test_search_finds_nothing_for_a_word_that_is_not_there(dashboard, work):
    farida = dashboard.coordinator()
    assert found(farida.get("/dashboard/items", params={"q": "برف"})) == []
    assert found(farida.get("/dashboard/items", params={"q": "sky green"})) == []
    page = farida.get("/dashboard/items", params={"q": "برف"})
    assert 'id="no-items"' in page.text


@pytest.mark.parametrize("query", [
    '"', '""', '"unclosed', "*", "sky*", "NEAR(", "NEAR(sky blue)", "sky OR blue", "AND",
    "-sky", "^sky", "sky:blue", "body:sky", "'; DROP TABLE submissions; --", "%", "_", "\\",
    "%_\\'", "a\x00b", "(", ")", "{}", "[", "@@", "\\x", "ab" * 90,
])
def test_hostile_searches_answer_a_page_never_a_crash(dashboard, work, query):
    farida = dashboard.coordinator()
    response = farida.get("/dashboard/items", params={"q": query})
    assert response.status_code == 200, response.text[-2000:]
    assert 'id="items"' in response.text
    assert found(farida.get("/dashboard/items")) != []  # nothing was dropped


def test_a_search_too_long_or_with_too_many_words_says_so(dashboard, work):
    farida = dashboard.coordinator()
    huge = farida.get("/dashboard/items", params={"q": "پانی " * 2000})  # 50 KB of address
    assert huge.status_code == 400 and "q" in huge.text
    long = farida.get("/dashboard/items", params={"q": "x" * 201})
    assert long.status_code == 400 and 'id="search-problem"' in long.text
    assert "at most 200 characters" in long.text
    many = farida.get("/dashboard/items", params={"q": " ".join("abcdefghij")})
    assert many.status_code == 400 and "at most 8 words" in many.text


@pytest.mark.parametrize("params", [
    {"since": "2026-13-40"}, {"until": "yesterday"}, {"state": "draft"}, {"kind": "poem"},
    {"flagged": "maybe"}, {"sort": "random"}, {"author": "nobody-by-this-name"},
    {"after": "abc"}, {"after": str(10**30)}, {"before": "-1"},
])
def test_bad_filters_are_named_not_crashes(dashboard, work, params):
    farida = dashboard.coordinator()
    response = farida.get("/dashboard/items", params=params)
    assert response.status_code == 400, response.text[-1000:]
    name = next(iter(params))
    assert name in response.text


def test_the_index_follows_new_revisions_and_decisions(dashboard, work):
    farida = dashboard.coordinator()
    amina, urdu = work["amina"], work["ids"]["urdu"]
    with Server(dashboard.engine) as harness:
        amina.harness = harness
        amina.push([amina.submission(id=urdu, inputs="برف کہاں سے آتی ہے؟", targets="پہاڑوں سے۔",
                                     project_id="aya-urd", base_revision=1)])
    assert found(farida.get("/dashboard/items", params={"q": "برف"})) == ["برف کہاں سے آتی ہے؟"]
    assert found(farida.get("/dashboard/items", params={"q": "بارش"})) == []
    farida.post(f"/dashboard/items/{urdu}/decide", {"state": "accepted"})
    assert found(farida.get("/dashboard/items", params={"q": "برف", "state": "accepted"})) \
        == ["برف کہاں سے آتی ہے؟"]


# --- filters and pages -----------------------------------------------------------------------


def test_filters(dashboard, work):
    farida = dashboard.coordinator()

    def listed(**params) -> set[str]:
        return {one(text) for text in found(farida.get("/dashboard/items", params=params))}

    assert listed() == {"پانی", "ประเทศไทยมีกี่จังหวัด", "भारत", "Why"}
    assert listed(language="hin_Deva") == {"भारत"}
    assert listed(project="aya-tha") == {"ประเทศไทยมีกี่จังหวัด"}
    assert listed(kind="reannotation") == {"Why"}
    assert listed(author="Bilal") == {"भारत", "Why"}
    assert listed(device=work["devices"]["amina"]) == {"پانی", "ประเทศไทยมีกี่จังหวัด"}
    assert listed(device="no-such-device") == set()
    assert listed(flagged="yes") == {"भारत"}
    assert listed(flagged="no") == {"پانی", "ประเทศไทยมีกี่จังหวัด", "Why"}
    assert listed(reviewed="yes") == {"भारत", "Why"}
    assert listed(reviewed="no") == {"پانی", "ประเทศไทยมีกี่จังหวัด"}
    assert listed(since="2000-01-01", until="2999-12-31") == listed()
    assert listed(until="2000-01-01") == set()
    assert listed(state="rejected") == set()
    assert listed(q="ہے", author="Amina", flagged="no", reviewed="no") == {"پانی"}
    oldest = found(farida.get("/dashboard/items", params={"sort": "oldest"}))
    assert oldest == list(reversed(found(farida.get("/dashboard/items"))))


def test_the_list_marks_exactly_the_flagged_items(dashboard, work):
    """Each row says whether its item is held by a flag (asked for the page's items only)."""
    from sync.server.quality.search import ItemQuery, find_items

    farida = dashboard.coordinator()
    rows = find_items(dashboard.engine, farida.user.id, ItemQuery.parse()).rows
    assert {row.id for row in rows if row.flagged} == {work["ids"]["hindi"]}
    page = farida.get("/dashboard/items").text
    assert page.count('<span class="badge bad">Flagged</span>') == 1


def test_pages_are_stable_while_items_arrive(dashboard, work, monkeypatch):
    monkeypatch.setattr(items_page, "PAGE_SIZE", 3)
    farida = dashboard.coordinator()
    amina = work["amina"]
    with Server(dashboard.engine) as harness:
        amina.harness = harness
        amina.push([amina.submission(inputs=f"سوال نمبر {n}", targets="جواب") for n in range(6)])
        everything = found(farida.get("/dashboard/items?sort=oldest&language=urd_Arab"))
        first = farida.get("/dashboard/items?sort=oldest&language=urd_Arab")
        seen = found(first)
        assert len(seen) == 3
        amina.push([amina.submission(inputs="ایک نیا سوال", targets="جواب")])  # arrives now
        page, pages = first, [found(first)]
        while 'id="next-page"' in page.text:
            link = html.unescape(re.search(r'href="([^"]+)" id="next-page"', page.text).group(1))
            page = farida.get(link)
            pages.append(found(page))
        walked = [text for p in pages for text in p]
        assert walked[:7] == found(farida.get("/dashboard/items?sort=oldest&language=urd_Arab"
                                              ))[:3] + walked[3:7]
        assert len(walked) == len(set(walked)) == 8  # no row twice, none skipped
        assert walked[-1] == "ایک نیا سوال" and everything[0] == walked[0]
        back = html.unescape(re.search(r'href="([^"]+)" id="prev-page"', page.text).group(1))
        assert found(farida.get(back)) == pages[-2]


@pytest.mark.parametrize("walk", ["day index", "arrival order"])
def test_a_range_of_days_pages_through_exactly_its_items_either_way(engine, monkeypatch, walk):
    """SQLite walks a range of days in the day index or in arrival order, whichever reads
    less (search._by_day_index); each walk, forced here, lists exactly the items that arrived on
    those days, newest or oldest first, page after page and back, even where days and
    arrival numbers disagree (a clock set back). PostgreSQL's planner chooses by itself."""
    from sync.server.people import users
    from sync.server.quality import search
    from sync.server.quality.search import ItemQuery, find_items

    monkeypatch.setattr(search, "_by_day_index", lambda *_a, **_k: walk == "day index")
    coordinator = users.invite(engine, name="Farida", role="coordinator")[0].id
    create_project(engine, "hidden")
    noor = users.invite(engine, name="Noor", role="coordinator")[0].id
    set_coordinators(engine, "hidden", add=[noor])
    with Server(engine) as harness:
        amina = harness.member("annotator", languages=LANGUAGES, name="Amina")
        items = [amina.submission(inputs=f"سوال {n}", project_id="hidden" if n % 7 == 0
                                  else None, state="draft" if n % 11 == 0 else "submitted")
                 for n in range(40)]
        amina.push(items)
        amina.push([amina.delete(json.loads(items[5]["payload"])["id"])])
    S = tables.submissions
    with engine.begin() as conn:  # a day each, in an order arrival numbers do not follow
        for n, arrival in enumerate(conn.execute(sa.select(S.c.arrival)
                                                 .order_by(S.c.arrival)).scalars()):
            day = f"2026-03-{(n * 7) % 31 + 1:02d}T12:00:00.000Z"
            conn.execute(S.update().where(S.c.arrival == arrival).values(created_at=day))
        rows = conn.execute(sa.select(S.c.arrival, S.c.created_at).where(
            S.c.state != "draft", S.c.deleted == sa.false(),
            sa.or_(S.c.project_id.is_(None), S.c.project_id != "hidden"))).all()
    assert len(rows) > 25
    for since, until in (("2026-03-05", "2026-03-20"), ("", "2026-03-10"), ("2026-03-25", ""),
                         ("2026-03-01", "2026-03-31"), ("2026-04-01", "")):
        expected = sorted(arrival for arrival, day in rows
                          if (since or "0") <= day[:10] <= (until or "9"))
        for sort in ("newest", "oldest"):
            query = ItemQuery.parse(since=since, until=until, sort=sort)
            want = expected if sort == "oldest" else expected[::-1]
            pages, after = [], None
            while True:
                page = find_items(engine, coordinator, query, after=after, limit=4)
                pages.append([row.arrival for row in page.rows])
                if page.next_after is None:
                    break
                after = page.next_after
            assert [a for p in pages for a in p] == want, (since, until, sort)
            if len(pages) > 1:  # and back a page
                back = find_items(engine, coordinator, query, before=page.prev_before, limit=4)
                assert [row.arrival for row in back.rows] == pages[-2]
    if engine.dialect.name == "sqlite":  # and SQLite walks the way it was told to, where
        # its own choice would be the other way (one bound: arrival order; two: the days)
        index = "submissions_items_by_day" if walk == "day index" else "submissions_by_arrival"
        for since in ("", "2026-03-05"):
            with engine.connect() as conn:
                statement, key = search._statement(conn, noor, ItemQuery.parse(
                    since=since, until="2026-03-20"))
                sql = statement.order_by(key.desc()).limit(51).compile(  # a page and one
                    conn, compile_kwargs={"literal_binds": True})
                plan = " ".join(row[-1] for row in
                                conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}"))
            assert f"INDEX {index}" in plan, (since, plan)


# --- one item ---------------------------------------------------------------------------------


def test_the_item_page_shows_texts_in_their_direction_and_the_whole_story(dashboard, work):
    farida = dashboard.coordinator()
    english, hindi = work["ids"]["english"], work["ids"]["hindi"]
    sample = audits.draw_sample(dashboard.engine, per_language=5, auditors=["Rahel"] if _auditor(
        dashboard, "Rahel") else [], languages=["eng_Latn"], seed=1, created_by="Farida")
    audits.record_audit(dashboard.engine, sample_id=sample, submission_id=english,
                        auditor="Rahel", rating=2, acceptable=False, comment="too short")
    page = farida.get(f"/dashboard/items/{english}")
    assert page.status_code == 200
    text = page.text
    assert "<del>sky</del>" in text.replace("<del>Why sky blue</del>", "") or "<ins>" in text
    assert "<ins>" in text and "<del>" in text          # the word diff of the edit
    assert "Why sky blue" in text                          # the original
    assert "Rafi" in text and "too short" in text and "Rahel" in text
    assert 'id="history"' in text and "handed in" in text and "reviewed" in text
    urdu_page = farida.get(f"/dashboard/items/{work['ids']['urdu']}").text
    assert 'dir="rtl" lang="ur' in urdu_page and "پانی کہاں سے آتا ہے؟" in urdu_page
    hindi_page = farida.get(f"/dashboard/items/{hindi}").text
    assert "this is Urdu" in hindi_page and 'id="flagged"' in hindi_page
    assert len(text.encode()) < 200 * 1024


def test_a_post_edit_shows_its_machine_translation_hter_and_time(dashboard, work):
    farida = dashboard.coordinator()
    bilal = work["bilal"]
    with Server(dashboard.engine) as harness:
        bilal.harness = harness
        item = bilal.submission(language="hin_Deva", kind="postedit", inputs="The cat sat.",
                                targets="बिल्ली बैठी थी।", original_inputs="The cat sat.",
                                original_targets="बिल्ली बैठा।", seconds_spent=95)
        bilal.push([item])
    page = farida.get(f"/dashboard/items/{json.loads(item['payload'])['id']}").text
    assert 'id="hter"' in page and 'id="time-spent"><bdi dir="ltr">1:35<' in page
    assert "The cat sat." in page and "<ins>" in page


# --- acting on it ------------------------------------------------------------------------------


def test_a_coordinator_rejects_relabels_flags_and_unflags_from_the_item_page(dashboard, work):
    farida = dashboard.coordinator(name="Farida")
    urdu = work["ids"]["urdu"]
    flagged = farida.post(f"/dashboard/items/{urdu}/flag", {"flag": "harmful", "note": "slur"})
    assert flagged.status_code == 303
    assert flagged.headers["location"] == f"/dashboard/items/{urdu}?done=flagged#actions"
    assert _verdict(dashboard.engine, urdu) == "flagged"
    assert found(farida.get("/dashboard/items?flagged=yes&language=urd_Arab")) \
        == ["پانی کہاں سے آتا ہے؟"]
    farida.post(f"/dashboard/items/{urdu}/unflag", {"note": "checked: fine"})
    assert _verdict(dashboard.engine, urdu) == "rules"
    hindi = work["ids"]["hindi"]  # a reviewer's flag is dismissed by an unflag too
    assert _verdict(dashboard.engine, hindi) == "flagged"
    farida.post(f"/dashboard/items/{hindi}/unflag", {})
    assert _verdict(dashboard.engine, hindi) == "rules"
    assert found(farida.get("/dashboard/items?flagged=yes")) == []
    relabeled = farida.post(f"/dashboard/items/{hindi}/relabel", {"new_language": "urd_Arab"})
    assert relabeled.status_code == 303
    farida.post(f"/dashboard/items/{urdu}/decide", {"state": "rejected"})
    with read_transaction(dashboard.engine) as conn:
        rows = {r.id: r for r in conn.execute(sa.select(tables.submissions))}
    assert rows[urdu].state == "rejected"
    [decision] = decisions.history(dashboard.engine, urdu)
    assert (decision.state, decision.decided_by) == ("rejected", "Farida")
    logged = auditlog.entries(dashboard.engine, actor="Farida", limit=10)
    assert [e.action for e in reversed(logged)] == ["flag", "unflag", "unflag", "relabel",
                                                    "decide"]
    assert logged[-1].subject == urdu and logged[-1].detail["flag"] == "harmful"
    assert rows[hindi].language == "urd_Arab"
    assert json.loads(rows[hindi].payload)["relabeled_from"][0]["by"] == "Farida"
    history = farida.get(f"/dashboard/items/{urdu}").text
    for said in ("flagged", "unflagged", "decided", "Farida", "checked: fine"):
        assert said in history or said == "checked: fine", said
    assert "<span class=\"badge bad\" id=\"state\">rejected</span>" in history


def test_actions_need_the_forms_csrf_token_and_a_real_choice(dashboard, work):
    farida = dashboard.coordinator()
    urdu = work["ids"]["urdu"]
    assert farida.post(f"/dashboard/items/{urdu}/decide", {"state": "rejected"},
                       csrf=False).status_code == 403
    assert farida.post(f"/dashboard/items/{urdu}/decide", {"state": "rejected",
                                                           "csrf": "forged"}).status_code == 403
    assert farida.post(f"/dashboard/items/{urdu}/decide", {"state": "draft"}).status_code == 400
    assert farida.post(f"/dashboard/items/{urdu}/flag", {"flag": "ugly"}).status_code == 400
    assert farida.post(f"/dashboard/items/{urdu}/relabel", {}).status_code == 400
    assert farida.post(f"/dashboard/items/{urdu}/relabel",
                       {"new_language": "xx_Nope"}).status_code == 400
    assert farida.post(f"/dashboard/items/{urdu}/flag",
                       {"flag": "harmful", "note": "x" * 3000}).status_code == 400
    assert _state(dashboard.engine, urdu) == "submitted"
    assert _verdict(dashboard.engine, urdu) == "rules"


@pytest.mark.parametrize("tag", ["ur", "ar"])
def test_item_pages_are_right_to_left_in_urdu_and_arabic(dashboard, work, tag):
    farida = dashboard.coordinator()
    farida.post("/dashboard/language", {"lang": tag, "back": "/dashboard/items"})
    for path in ("/dashboard/items", f"/dashboard/items/{work['ids']['english']}"):
        page = farida.get(path)
        assert f'<html lang="{tag}" dir="rtl">' in page.text, path
        assert 'dir="ltr" lang="en' in page.text  # the English item stays left to right


def _auditor(dashboard, name: str) -> bool:
    dashboard.person("auditor", name=name, languages=("eng_Latn",))
    return True


def _state(engine, submission_id: str) -> str:
    with read_transaction(engine) as conn:
        return conn.execute(sa.select(tables.submissions.c.state)
                            .where(tables.submissions.c.id == submission_id)).scalar()


def _verdict(engine, submission_id: str) -> str:
    with read_transaction(engine) as conn:
        return acceptance.is_accepted(conn, submission_id).reason


def test_the_feedback_thread_and_a_decision_with_its_reason_on_the_item_page(dashboard, work):
    farida = dashboard.coordinator(name="Farida")
    urdu = work["ids"]["urdu"]
    page = farida.get(f"/dashboard/items/{urdu}")
    assert 'id="thread"' in page.text and 'id="comment-form"' in page.text
    left = farida.post(f"/dashboard/items/{urdu}/comment",
                       {"body": "براہ کرم جواب مکمل کریں", "back": f"/dashboard/items/{urdu}"})
    assert left.status_code == 303
    assert left.headers["location"] == f"/dashboard/items/{urdu}?done=commented"
    farida.post(f"/dashboard/items/{urdu}/decide", {"state": "rejected",
                                                    "reason": "جواب ادھورا ہے"})
    page = farida.get(f"/dashboard/items/{urdu}?done=rejected").text
    assert "براہ کرم جواب مکمل کریں" in page and "جواب ادھورا ہے" in page
    [decision] = decisions.history(dashboard.engine, urdu)
    assert decision.reason == "جواب ادھورا ہے"


def test_an_unflagged_item_leaves_the_flagged_page_until_flagged_again(dashboard, work):
    farida = dashboard.coordinator()
    hindi = work["ids"]["hindi"]
    assert "this is Urdu" in farida.get("/dashboard/flagged").text
    farida.post(f"/dashboard/items/{hindi}/unflag", {"note": "it is Hindi"})
    assert "this is Urdu" not in farida.get("/dashboard/flagged").text
    reviewer = work["reviewer"]
    with Server(dashboard.engine) as harness:  # a new flag after the unflag holds it again
        reviewer.harness = harness
        reviewer.push([reviewer.item("review", {"id": new_id(), "submission_id": hindi,
                                                "flag": "nonsense", "reason": "gibberish"})])
    assert "gibberish" in farida.get("/dashboard/flagged").text
    assert _verdict(dashboard.engine, hindi) == "flagged"
