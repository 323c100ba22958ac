"""Translation memory and glossary on the server: TMX, TBX (2008 and v3) and CSV imports,
refused with line and field when bad; who pulls them; the post-edit TMX that OmegaT opens and
that imports back unchanged; the glossary exported as TBX. Both backends."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from lxml import etree

from app.taskfile import TaskFileError
from sync.server import tables
from sync.server.cli import main as cli
from sync.server.errors import ServerError
from sync.server.export import export_postedits
from sync.server.export.glossary import export_glossary
from sync.server.quality import moderation
from sync.server.work import decisions, memory
from sync.server.work.glossary import import_glossary
from sync.server.work.memory import import_tmx, refresh_postedits
from sync.server.work.projects import create_project
from tests.server.helpers import statuses

PROJECT = "pe-urd"

TMX = """<?xml version="1.0" encoding="UTF-8"?>
<tmx version="1.4">
  <header creationtool="OmegaT" creationtoolversion="6" segtype="sentence" o-tmf="OmegaT TMX"
          adminlang="EN-US" srclang="en" datatype="plaintext"/>
  <body>
    <tu tuid="1">
      <tuv xml:lang="en"><seg>Wash your hands with <bpt i="1">&lt;b&gt;</bpt>soap<ept
        i="1">&lt;/b&gt;</ept>.</seg></tuv>
      <tuv xml:lang="ur-PK"><seg>اپنے ہاتھ صابن سے دھوئیں۔</seg></tuv>
      <tuv xml:lang="hi"><seg>अपने हाथ साबुन से धोएँ।</seg></tuv>
    </tu>
    <tu>
      <tuv xml:lang="EN"><seg>Boil the water.</seg></tuv>
      <tuv xml:lang="ur"><seg>پانی ابالیں۔</seg></tuv>
    </tu>
  </body>
</tmx>
"""

TBX_2008 = """<?xml version="1.0" encoding="UTF-8"?>
<martif type="TBX-Basic" xml:lang="en">
  <martifHeader><fileDesc><sourceDesc><p>health terms</p></sourceDesc></fileDesc></martifHeader>
  <text><body>
    <termEntry id="e1">
      <descrip type="definition">cleaning the hands</descrip>
      <langSet xml:lang="en"><tig><term>hand washing</term></tig></langSet>
      <langSet xml:lang="ur"><tig><term>ہاتھ دھونا</term></tig></langSet>
    </termEntry>
    <termEntry id="e2">
      <langSet xml:lang="en"><ntig><termGrp><term>soap</term></termGrp></ntig></langSet>
      <langSet xml:lang="ur"><ntig><termGrp><term>صابن</term></termGrp></ntig></langSet>
    </termEntry>
    <termEntry id="e3">
      <langSet xml:lang="fr"><tig><term>savon</term></tig></langSet>
    </termEntry>
  </body></text>
</martif>
"""

TBX_V3 = """<?xml version="1.0" encoding="UTF-8"?>
<tbx type="TBX-Core" style="dca" xml:lang="en" xmlns="urn:iso:std:iso:30042:ed-2">
  <tbxHeader><fileDesc><sourceDesc><p>v3</p></sourceDesc></fileDesc></tbxHeader>
  <text><body>
    <conceptEntry id="c1">
      <langSec xml:lang="en"><termSec><term>water</term></termSec></langSec>
      <langSec xml:lang="ur"><termSec><term>پانی</term></termSec></langSec>
    </conceptEntry>
  </body></text>
</tbx>
"""


@pytest.fixture
def project(harness):
    create_project(harness.engine, PROJECT)
    return PROJECT


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def pulled(member, entity):
    member.protocol = 4
    return [json.loads(i["payload"]) for i in member.pull_all() if i["entity"] == entity]


# --- TMX -------------------------------------------------------------------------------------


def test_a_tmx_is_stored_once_and_reaches_the_devices_of_its_languages(harness, project,
                                                                        tmp_path):
    path = write(tmp_path, "health.tmx", TMX)
    first = import_tmx(harness.engine, path, project_id=project)
    assert (first.added, first.unchanged) == (3, 0)   # en-ur twice, en-hi once
    again = import_tmx(harness.engine, path, project_id=project)
    assert (again.added, again.unchanged) == (0, 3)

    urdu = harness.member(languages=["urd_Arab"])
    units = pulled(urdu, "tm_unit")
    assert sorted(u["source"] for u in units) == ["Boil the water.", "Wash your hands with soap."]
    assert {(u["source_language"], u["target_language"], u["origin"]) for u in units} == {
        ("eng_Latn", "urd_Arab", "tmx")}
    hindi = harness.member(languages=["hin_Deva"])
    assert [u["target"] for u in pulled(hindi, "tm_unit")] == ["अपने हाथ साबुन से धोएँ।"]
    coordinator = harness.member(role="coordinator", languages=[])
    assert len(pulled(coordinator, "tm_unit")) == 3


def test_older_clients_and_blocked_users_get_no_memory(harness, project, tmp_path):
    import_tmx(harness.engine, write(tmp_path, "a.tmx", TMX), project_id=project)
    older = harness.member(languages=["urd_Arab"])
    older.protocol = 3  # knows no "tm_unit": a page holding one would not even parse
    assert {i["entity"] for i in older.pull_all()} <= {"project", "task", "submission",
                                                         "review", "comment"}
    blocked = harness.member(languages=["urd_Arab"])
    moderation.block(harness.engine, blocked.user_id, reason="spam")
    assert pulled(blocked, "tm_unit") == []


BAD_TMX = {
    "doctype": ('<?xml version="1.0"?>\n<!DOCTYPE tmx SYSTEM "tmx14.dtd">\n<tmx version="1.4">'
                '<header srclang="en"/><body/></tmx>', 1, None, "DOCTYPE"),
    "no srclang": ('<tmx version="1.4">\n<header segtype="sentence"/>\n<body><tu>'
                   '<tuv xml:lang="en"><seg>a</seg></tuv></tu></body></tmx>', 2, "srclang",
                   "missing"),
    "unknown language": ('<tmx version="1.4"><header srclang="en"/><body>\n<tu>\n'
                         '<tuv xml:lang="en"><seg>a</seg></tuv>\n'
                         '<tuv xml:lang="qqq-zz"><seg>b</seg></tuv></tu></body></tmx>', 4,
                         "xml:lang", "'qqq-zz'"),
    "empty seg": ('<tmx version="1.4"><header srclang="en"/><body>\n<tu>\n'
                  '<tuv xml:lang="en"><seg>a</seg></tuv>\n'
                  '<tuv xml:lang="ur"><seg>  </seg></tuv></tu></body></tmx>', 4, "seg", ""),
    "no source tuv": ('<tmx version="1.4"><header srclang="en"/><body>\n<tu>\n'
                      '<tuv xml:lang="ur"><seg>b</seg></tuv></tu></body></tmx>', 2, "tuv",
                      "source language"),
    "not tmx": ('<xliff version="2.0"/>', 1, None, "not a TMX file"),
    "broken": ('<tmx version="1.4"><header srclang="en"/><body>\n<tu></body></tmx>', 2, None,
               "well-formed"),
}


@pytest.mark.parametrize("case", sorted(BAD_TMX))
def test_a_bad_tmx_is_refused_with_line_and_field_and_nothing_stored(harness, project,
                                                                      tmp_path, case):
    text, line, field, words = BAD_TMX[case]
    path = write(tmp_path, "bad.tmx", text)
    with pytest.raises(TaskFileError) as caught:
        import_tmx(harness.engine, path, project_id=project)
    error = caught.value
    assert (error.line, error.field) == (line, field), str(error)
    assert words in str(error) and str(error).startswith("bad.tmx")
    assert pulled(harness.member(role="coordinator", languages=[]), "tm_unit") == []


def test_a_tmx_good_until_its_last_unit_stores_nothing(harness, project, tmp_path):
    text = TMX.replace("</body>", '<tu><tuv xml:lang="ur"><seg>x</seg></tuv></tu></body>')
    with pytest.raises(TaskFileError):
        import_tmx(harness.engine, write(tmp_path, "late.tmx", text), project_id=project)
    assert pulled(harness.member(role="coordinator", languages=[]), "tm_unit") == []


def test_a_unit_cannot_outgrow_its_bound(harness, project, tmp_path):
    seg = "<ph>x</ph>" * 10_001
    text = (f'<tmx version="1.4"><header srclang="en"/><body><tu><tuv xml:lang="en">'
            f"<seg>a{seg}</seg></tuv></tu></body></tmx>")
    with pytest.raises(TaskFileError, match="10,000 elements"):
        import_tmx(harness.engine, write(tmp_path, "big.tmx", text), project_id=project)


def test_an_unknown_project_is_refused(harness, tmp_path):
    with pytest.raises(ServerError, match="No project 'nope'"):
        import_tmx(harness.engine, write(tmp_path, "a.tmx", TMX), project_id="nope")


# --- accepted post-edits, the TMX export, OmegaT ---------------------------------------------


def _accepted_postedit(harness, project):
    member = harness.member()
    pushed = member.submission(project_id=project, kind="postedit",
                               original_inputs="Islamabad is the capital.",
                               inputs="Islamabad is the capital.",
                               original_targets="پاکستان کا دارالحکومت اسلام آباد ہے",
                               targets="اسلام آباد پاکستان کا دارالحکومت ہے۔",
                               completion_distance=24, hter=0.57)
    assert statuses(member.push([pushed])) == ["created"]
    item_id = json.loads(pushed["payload"])["id"]
    decisions.decide(harness.engine, item_id, "accepted")
    return item_id


def test_accepted_post_edits_enter_the_memory_and_leave_it_when_rejected(harness, project):
    item = _accepted_postedit(harness, project)      # a coordinator's decision: in at once
    [unit] = pulled(harness.member(), "tm_unit")
    assert (unit["source"], unit["target"], unit["origin"]) == (
        "Islamabad is the capital.", "اسلام آباد پاکستان کا دارالحکومت ہے۔", "postedit")
    assert (unit["source_language"], unit["target_language"]) == ("eng_Latn", "urd_Arab")
    result = refresh_postedits(harness.engine, project_id=project)   # the rules agree
    assert (result.added, result.unchanged, result.removed) == (0, 1, 0)
    decisions.decide(harness.engine, item, "rejected")               # out at once
    member = harness.member()
    member.protocol = 4
    [gone] = [i for i in member.pull_all() if i["entity"] == "tm_unit"]
    assert gone["deleted"]
    assert refresh_postedits(harness.engine, project_id=project).removed == 0


def test_refresh_follows_the_rules_verdicts_too(harness, project):
    item = _accepted_postedit(harness, project)
    with harness.engine.connect() as conn:
        author = conn.execute(sa.select(tables.submissions.c.author_id)
                              .where(tables.submissions.c.id == item)).scalar()
    # A blocked contributor's work counts nowhere (acceptance rule 2), decision or not:
    # refresh takes it out of the memory, and unblocking brings it back.
    moderation.block(harness.engine, author, reason="copied text")
    assert refresh_postedits(harness.engine, project_id=project).removed == 1
    coordinator = harness.member(role="coordinator", languages=[])
    coordinator.protocol = 4
    assert [i["deleted"] for i in coordinator.pull_all() if i["entity"] == "tm_unit"] == [True]
    moderation.unblock(harness.engine, author)
    assert refresh_postedits(harness.engine, project_id=project).added == 1


def test_the_post_edit_tmx_opens_in_omegat_and_imports_back_unchanged(harness, project,
                                                                       tmp_path):
    _accepted_postedit(harness, project)
    refresh_postedits(harness.engine, project_id=project)
    [path] = export_postedits(harness.engine, tmp_path / "tm", fmt="tmx",
                              project_id=project).files
    root = etree.parse(str(path)).getroot()
    header = root.find("header")
    # What OmegaT's TMX reader needs of a project memory: a real source language (the
    # project's), the segmentation type, the format and tool, the admin language.
    for attribute in ("srclang", "segtype", "o-tmf", "adminlang", "creationtool",
                      "creationtoolversion", "datatype"):
        assert header.get(attribute), attribute
    assert header.get("srclang") == "en" and root.get("version") == "1.4"
    assert header.get("segtype") in ("block", "paragraph", "sentence", "phrase")
    langs = [tuv.get("{http://www.w3.org/XML/1998/namespace}lang")
             for tuv in root.iter("tuv")]
    assert langs == ["en", "ur"]
    back = import_tmx(harness.engine, path, project_id=project)
    assert (back.added, back.unchanged) == (0, 1)   # the very units it came from


# --- glossary --------------------------------------------------------------------------------


@pytest.mark.parametrize("name, text, terms", [
    ("terms.tbx", TBX_2008, {("hand washing", "ہاتھ دھونا"), ("soap", "صابن")}),
    ("v3.tbx", TBX_V3, {("water", "پانی")}),
    ("terms.csv", "en,ur,hi,note\nhand washing,ہاتھ دھونا,,\nsoap,صابن,साबुन,for hands\n",
     {("hand washing", "ہاتھ دھونا"), ("soap", "صابن")}),
])
def test_glossaries_import_from_tbx_both_forms_and_csv(harness, project, tmp_path, name, text,
                                                       terms):
    path = write(tmp_path, name, text)
    result = import_glossary(harness.engine, path, project_id=project)
    assert result.added >= len(terms)
    assert import_glossary(harness.engine, path, project_id=project).added == 0
    got = pulled(harness.member(languages=["urd_Arab"]), "term")
    assert {(t["source_term"], t["target_term"]) for t in got} == terms
    assert {(t["source_language"], t["target_language"]) for t in got} == {
        ("eng_Latn", "urd_Arab")}


def test_tbx_definitions_travel_with_the_terms(harness, project, tmp_path):
    import_glossary(harness.engine, write(tmp_path, "t.tbx", TBX_2008), project_id=project)
    notes = {t["source_term"]: t["note"] for t in pulled(harness.member(), "term")}
    assert notes == {"hand washing": "cleaning the hands", "soap": ""}


BAD_GLOSSARIES = {
    "csv header": ("bad.csv", "en,klingon\nsoap,x\n", 1, "klingon", "neither a language"),
    "csv one language": ("bad.csv", "en,note\nsoap,x\n", 1, None, "target language"),
    "csv empty source": ("bad.csv", "en,ur\nsoap,صابن\n,پانی\n", 3, "en", ""),
    "csv long row": ("bad.csv", "en,ur\nsoap,صابن,extra\n", 2, None, "more values"),
    "tbx doctype": ("bad.tbx", '<?xml version="1.0"?>\n'
                    '<!DOCTYPE martif SYSTEM "TBXcoreStructV02.dtd">\n<martif xml:lang="en"/>',
                    1, None, "DOCTYPE"),
    "tbx no lang": ("bad.tbx", '<martif type="TBX">\n<text/></martif>', 1, "xml:lang", "missing"),
    "tbx empty term": ("bad.tbx", '<martif xml:lang="en"><text><body>\n<termEntry>\n'
                       '<langSet xml:lang="en"><tig>\n<term> </term></tig></langSet>'
                       '</termEntry></body></text></martif>', 4, "term", ""),
    "tbx langset": ("bad.tbx", '<tbx xml:lang="en"><text><body>\n<conceptEntry>\n'
                    '<langSec xml:lang="zz-top"><termSec><term>a</term></termSec></langSec>'
                    '</conceptEntry></body></text></tbx>', 3, "xml:lang", "'zz-top'"),
    "tbx root": ("bad.tbx", '<glossary xml:lang="en"/>', 1, None, "not a TBX file"),
}


@pytest.mark.parametrize("case", sorted(BAD_GLOSSARIES))
def test_a_bad_glossary_is_refused_with_line_and_field(harness, project, tmp_path, case):
    name, text, line, field, words = BAD_GLOSSARIES[case]
    with pytest.raises(TaskFileError) as caught:
        import_glossary(harness.engine, write(tmp_path, name, text), project_id=project)
    assert (caught.value.line, caught.value.field) == (line, field), str(caught.value)
    assert words in str(caught.value)
    assert pulled(harness.member(role="coordinator", languages=[]), "term") == []


def test_the_glossary_exports_as_tbx_that_imports_back_unchanged(harness, project, tmp_path):
    import_glossary(harness.engine, write(tmp_path, "t.tbx", TBX_2008), project_id=project)
    import_glossary(harness.engine, write(tmp_path, "v3.tbx", TBX_V3), project_id=project)
    result = export_glossary(harness.engine, tmp_path / "out", project_id=project)
    [path] = result.files
    assert path.name == "glossary.en-ur.tbx" and result.rows == 3
    root = etree.parse(str(path)).getroot()
    assert root.tag == "martif" and root.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"
    back = import_glossary(harness.engine, path, project_id=project)
    assert (back.added, back.unchanged) == (0, 3)


def test_the_cli_says_how_many_units_and_terms_it_stored(harness, project, db_url, tmp_path,
                                                         capsys):
    assert cli(["tm", "import", str(write(tmp_path, "h.tmx", TMX)), "--project", project,
                "--db", db_url]) == 0
    assert "3 units stored" in capsys.readouterr().out
    assert cli(["glossary", "import", str(write(tmp_path, "t.tbx", TBX_2008)), "--project",
                project, "--db", db_url]) == 0
    assert "2 terms stored" in capsys.readouterr().out
    assert cli(["tm", "import", str(write(tmp_path, "bad.tmx", BAD_TMX["empty seg"][0])),
                "--project", project, "--db", db_url]) == 1
    assert "bad.tmx, line 4, field 'seg'" in capsys.readouterr().err
    assert cli(["glossary", "export", "--project", project, "--out", str(tmp_path / "g"),
                "--db", db_url]) == 0
    assert "glossary.en-ur.tbx" in capsys.readouterr().out
    from sync.server.people import auditlog

    logged = [(e.action, e.subject, e.detail.get("kind") or e.detail.get("format"))
              for e in reversed(auditlog.entries(harness.engine))]
    assert logged == [("import", "h.tmx", "tm"), ("import", "t.tbx", "glossary"),
                      ("export", str(tmp_path / "g"), "tbx")]   # the refused file: nothing


def test_hostile_files_are_refused_before_they_cost_much(harness, project, tmp_path):
    # A text that never ends its element: refused after 10 MB, not read to the end.
    endless = tmp_path / "endless.tmx"
    with endless.open("w", encoding="utf-8") as out:
        out.write('<tmx version="1.4"><header srclang="en"/><body><tu><tuv xml:lang="en">'
                  "<seg>")
        out.write("a" * 12_000_000)
    with pytest.raises(TaskFileError, match=r"more than 10 MB|Resource limit exceeded"):
        import_tmx(harness.engine, endless, project_id=project)
    # A tag with a flood of attributes.
    flood = tmp_path / "flood.tbx"
    flood.write_text('<martif xml:lang="en"><text ' + " ".join(
        f'a{n}="x"' for n in range(20_000)) + "/></martif>", encoding="utf-8")
    with pytest.raises(TaskFileError, match="attributes"):
        import_glossary(harness.engine, flood, project_id=project)
    # Entity expansion never starts: the DOCTYPE is refused (billion laughs).
    laughs = tmp_path / "laughs.tbx"
    laughs.write_text('<?xml version="1.0"?>\n<!DOCTYPE m [<!ENTITY a "aaaaaaaaaa">'
                      '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>\n'
                      '<martif xml:lang="en"><text>&b;</text></martif>', encoding="utf-8")
    with pytest.raises(TaskFileError, match="DOCTYPE"):
        import_glossary(harness.engine, laughs, project_id=project)
    # A term the length of a document.
    long_term = tmp_path / "long.csv"
    long_term.write_text("en,ur\n" + "x" * 2000 + ",y\n", encoding="utf-8")
    with pytest.raises(TaskFileError) as caught:
        import_glossary(harness.engine, long_term, project_id=project)
    assert (caught.value.line, caught.value.field) == (2, "en")
    assert pulled(harness.member(role="coordinator", languages=[]), "term") == []


def test_the_server_keeps_the_memory_in_step_with_the_rules_by_itself(harness):
    """Reviews that make a post-edit pass the rules reach the memory with no decision and no
    `tm refresh`: each server process's job poller calls keep_current; one takes each turn."""
    from tests.server.test_acceptance import add_task, edit

    engine = harness.engine
    create_project(engine, PROJECT, settings={"acceptance": {"min_ratings": 2,
                                                             "min_mean_rating": 3.5}})
    add_task(engine, {"id": "pe-task-1", "project_id": PROJECT, "language": "urd_Arab",
                      "kind": "postedit", "origin": "translated",
                      "source_text": "Boil the water.", "source_language": "eng_Latn"})
    amina = harness.member()
    reviewer = harness.member("reviewer", languages=["urd_Arab"])
    reader = harness.member()  # enrolling is logged: every member before the turns
    coordinator = harness.member(role="coordinator", languages=[])
    item = edit(amina, 9, project=PROJECT, kind="postedit", task_id="pe-task-1")
    assert statuses(amina.push([item])) == ["created"]
    item_id = json.loads(item["payload"])["id"]
    assert memory.keep_current(engine, every=0) == [PROJECT]  # not rated yet: nothing in
    assert pulled(reader, "tm_unit") == []

    assert statuses(reviewer.push([reviewer.review(item_id, rating=4)])) == ["created"]
    assert memory.keep_current(engine) == []  # another process took this turn moments ago
    assert memory.keep_current(engine, every=0) == [PROJECT]
    [unit] = pulled(reader, "tm_unit")
    assert (unit["source"], unit["origin"]) == ("Boil the water.", "postedit")
    assert memory.keep_current(engine, every=0) == []  # nothing changed since: no work

    with engine.connect() as conn:
        author = conn.execute(sa.select(tables.submissions.c.author_id)
                              .where(tables.submissions.c.id == item_id)).scalar()
    moderation.block(engine, author, reason="copied text")  # the audit log moves
    assert memory.keep_current(engine, every=0) == [PROJECT]
    coordinator.protocol = 4
    assert [i["deleted"] for i in coordinator.pull_all() if i["entity"] == "tm_unit"] == [True]


def test_a_running_server_refreshes_the_memory_without_being_asked(harness):
    """The job poller of every server process is what calls keep_current."""
    import time

    from sync.server.web.jobs import Runner
    from tests.server.test_acceptance import add_task, edit

    engine = harness.engine
    create_project(engine, PROJECT, settings={"acceptance": {"min_ratings": 2}})
    add_task(engine, {"id": "pe-task-2", "project_id": PROJECT, "language": "urd_Arab",
                      "kind": "postedit", "origin": "translated",
                      "source_text": "Wash your hands.", "source_language": "eng_Latn"})
    amina, reviewer = harness.member(), harness.member("reviewer", languages=["urd_Arab"])
    reader = harness.member()
    item = edit(amina, 9, project=PROJECT, kind="postedit", task_id="pe-task-2")
    item_id = json.loads(item["payload"])["id"]
    assert statuses(amina.push([item])) == ["created"]
    assert statuses(reviewer.push([reviewer.review(item_id, rating=5)])) == ["created"]
    runner = Runner(engine, threads=1)
    runner.start_polling(every=0.05)
    try:
        deadline = time.monotonic() + 30  # bound, not a benchmark
        while not pulled(reader, "tm_unit") and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        runner.stop()
    assert [u["source"] for u in pulled(reader, "tm_unit")] == ["Wash your hands."]
