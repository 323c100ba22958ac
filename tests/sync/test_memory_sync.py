"""A project's translation memory and glossary reach a real device through a real sync, and
the device matches against them offline; a second sync pulls only what changed."""

from app import memory
from sync.server.work.glossary import import_glossary
from sync.server.work.memory import import_tmx
from sync.server.work.projects import create_project
from tests.sync.live import Device

TMX = """<tmx version="1.4"><header srclang="en" segtype="sentence" o-tmf="x" adminlang="en"
 creationtool="t" creationtoolversion="1" datatype="plaintext"/><body>
<tu><tuv xml:lang="en"><seg>Boil the water for ten minutes.</seg></tuv>
<tuv xml:lang="ur"><seg>پانی دس منٹ تک ابالیں۔</seg></tuv></tu>
</body></tmx>"""


def test_memory_and_glossary_sync_down_and_match_offline(tmp_path, live_server):
    create_project(live_server.engine, "pe-urd")
    tmx = tmp_path / "m.tmx"
    tmx.write_text(TMX, encoding="utf-8")
    import_tmx(live_server.engine, tmx, project_id="pe-urd")
    terms = tmp_path / "g.csv"
    terms.write_text("en,ur\nwater,پانی\n", encoding="utf-8")
    import_glossary(live_server.engine, terms, project_id="pe-urd")

    amina = Device.enrolled(tmp_path / "amina", live_server)   # her languages include Urdu
    assert amina.sync().complete
    with amina.store() as store:
        found = memory.segment_help(store, source_language="eng_Latn",
                                    target_language="urd_Arab",
                                    source="Boil the water for 10 minutes.",
                                    target="پانی ابالیں۔")
        version = memory.version(store)
    [match] = found.matches
    assert match.target == "پانی دس منٹ تک ابالیں۔" and 70 <= match.score < 100
    assert [hit.term.target for hit in found.hits] == ["پانی"]
    assert {issue.check for issue in found.issues} == {"numbers"}

    report = amina.sync()                 # nothing new: the cursor moved past them
    assert report.complete and report.pulled == 0
    with amina.store() as store:
        assert memory.version(store) == version
