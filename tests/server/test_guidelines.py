"""Guidelines per language on the server (issue 12, item 7): a coordinator sets one kind's
Markdown in one language with `qalam-server project guidelines set`, lists what exists, and every
device gets the change on its next pull, like the project itself."""

import json

import pytest
import sqlalchemy as sa

from app import syncstate
from app.store import Store
from sync.client import SyncClient
from sync.server import tables
from sync.server.cli import main
from sync.server.errors import ServerError
from sync.server.work.projects import create_project, list_guidelines, set_guideline

URDU = "# لکھنا\n\nاپنی زبان میں لکھیں۔\n"


def run(capsys, *args):
    status = main(list(args))
    out = capsys.readouterr()
    return status, out.out, out.err


def _project_row(engine, project_id="aya-urd"):
    with engine.connect() as conn:
        return conn.execute(sa.select(tables.projects)
                            .where(tables.projects.c.id == project_id)).first()


def test_guidelines_command_sets_a_language_and_lists_what_exists(capsys, db_url, engine,
                                                                   tmp_path):
    create_project(engine, "aya-urd")
    before = _project_row(engine)
    urdu = tmp_path / "original.ur.md"
    urdu.write_text(URDU, encoding="utf-8")
    english = tmp_path / "original.md"
    english.write_text("# Writing\n\nWrite in your language.\n", encoding="utf-8")

    status, out, err = run(capsys, "project", "guidelines", "set", "aya-urd", "--kind",
                           "original", "--language", "ur", str(urdu), "--db", db_url)
    assert status == 0, err
    assert "original guidelines in urd_Arab set" in out  # the tag resolved to the code
    status, out, err = run(capsys, "project", "guidelines", "set", "aya-urd", str(english),
                           "--kind", "original", "--db", db_url)  # no --language: English
    assert status == 0, err
    status, out, err = run(capsys, "project", "guidelines", "set", "aya-urd", "--kind",
                           "review", "--language", "hin_Deva", "--draft", str(english),
                           "--db", db_url)
    assert status == 0, err

    after = _project_row(engine)
    assert after.revision == before.revision + 3 and after.server_seq > before.server_seq
    stored = json.loads(after.payload)["guidelines"]
    assert stored == {"original": {"eng_Latn": "# Writing\n\nWrite in your language.\n",
                                   "urd_Arab": URDU},
                      "review": {"hin_Deva": {"text": "# Writing\n\nWrite in your "
                                                      "language.\n", "draft": True}}}

    status, out, _ = run(capsys, "project", "guidelines", "list", "aya-urd", "--db", db_url)
    assert status == 0
    lines = out.splitlines()
    assert lines[0].split() == ["KIND", "LANGUAGE", "CHARACTERS", "DRAFT"]
    assert [line.split()[:2] for line in lines[1:]] == [
        ["original", "eng_Latn"], ["original", "urd_Arab"], ["review", "hin_Deva"]]
    assert lines[-1].split()[-1] == "yes"
    status, out, _ = run(capsys, "project", "guidelines", "list", "aya-urd", "--json",
                         "--db", db_url)
    assert json.loads(out.splitlines()[1]) == {"kind": "original", "language": "urd_Arab",
                                               "characters": len(URDU), "draft": False}
    status, out, _ = run(capsys, "project", "show", "aya-urd", "--db", db_url)
    assert "Guidelines:  original: eng_Latn, urd_Arab; review: hin_Deva" in out

    status, out, err = run(capsys, "project", "guidelines", "remove", "aya-urd", "--kind",
                           "review", "--language", "hin_Deva", "--db", db_url)
    assert status == 0, err
    assert [row["kind"] for row in list_guidelines(engine, "aya-urd")] == ["original"] * 2


def test_setting_the_same_text_again_changes_nothing_devices_would_pull(engine):
    create_project(engine, "aya-urd")
    set_guideline(engine, "aya-urd", kind="original", language="urd_Arab", text=URDU)
    row = _project_row(engine)
    set_guideline(engine, "aya-urd", kind="original", language="urd_Arab", text=URDU)
    assert _project_row(engine).server_seq == row.server_seq


def test_old_shape_guidelines_on_the_server_read_as_english(engine):
    create_project(engine, "aya-urd")
    payload = json.loads(_project_row(engine).payload)
    payload["guidelines"] = {"original": "# Writing"}  # as stored before guidelines had languages
    with engine.begin() as conn:
        conn.execute(tables.projects.update().where(tables.projects.c.id == "aya-urd")
                     .values(payload=json.dumps(payload)))
    assert list_guidelines(engine, "aya-urd") == [
        {"kind": "original", "language": "eng_Latn", "characters": 9, "draft": False}]
    set_guideline(engine, "aya-urd", kind="original", language="urd_Arab", text=URDU)
    assert json.loads(_project_row(engine).payload)["guidelines"] == {
        "original": {"eng_Latn": "# Writing", "urd_Arab": URDU}}


@pytest.mark.parametrize("language, expected", [
    ("xx_Zzzz", "'xx_Zzzz' is not a language Qalam knows"),
    ("", "'' is not a language Qalam knows"),
])
def test_guidelines_in_an_unknown_language_are_refused_with_a_reason(capsys, db_url, engine,
                                                                      tmp_path, language,
                                                                      expected):
    create_project(engine, "aya-urd")
    path = tmp_path / "g.md"
    path.write_text(URDU, encoding="utf-8")
    status, _, err = run(capsys, "project", "guidelines", "set", "aya-urd", str(path),
                         "--kind", "original", "--language", language, "--db", db_url)
    assert status == 1 and expected in err
    assert list_guidelines(engine, "aya-urd") == []


@pytest.mark.parametrize("content, expected", [
    ("\ufeff".encode() + b"\xff\xfe broken", "not UTF-8 text"),
    (b"  \n\t\n", "are empty"),
    (("x" * 50_001).encode(), "the limit is 50,000"),
], ids=["not utf-8", "blank", "too long"])
def test_bad_guideline_files_are_refused_naming_the_file(capsys, db_url, engine, tmp_path,
                                                          content, expected):
    create_project(engine, "aya-urd")
    path = tmp_path / "bad.md"
    path.write_bytes(content)
    status, _, err = run(capsys, "project", "guidelines", "set", "aya-urd", str(path),
                         "--kind", "original", "--db", db_url)
    assert status == 1 and expected in err, err
    assert list_guidelines(engine, "aya-urd") == []


def test_guidelines_of_an_unknown_project_are_refused(engine):
    with pytest.raises(ServerError, match="No project 'nope'"):
        set_guideline(engine, "nope", kind="original", language="urd_Arab", text=URDU)


def test_a_device_pulls_new_guidelines_per_language(harness, tmp_path):
    create_project(harness.engine, "aya-urd")
    set_guideline(harness.engine, "aya-urd", kind="original", language="eng_Latn",
                  text="# Writing")
    _, code, _ = harness.invite("annotator", ["urd_Arab"], name="Amina")
    store = Store.open(tmp_path / "laptop.db")
    client = SyncClient("http://testserver", http=harness.client, sleep=lambda _: None)
    enrolled = client.enroll(code=code, device_id=store.device_id)
    syncstate.set_meta(store, "user_id", enrolled.user_id)
    client.token = enrolled.token
    try:
        assert client.sync(lambda job: job(store)).complete
        project = store.project("aya-urd")
        assert project.guideline("original", content="urd_Arab") == "# Writing"  # English

        set_guideline(harness.engine, "aya-urd", kind="original", language="urd_Arab",
                      text=URDU)
        assert client.sync(lambda job: job(store)).complete
        project = store.project("aya-urd")
        assert project.guideline("original", content="urd_Arab") == URDU
        assert json.loads(project.guidelines)["original"] == {"eng_Latn": "# Writing",
                                                              "urd_Arab": URDU}
    finally:
        store.close()
