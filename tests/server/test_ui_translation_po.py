"""``qalam-server ui-translations import`` / ``export``: a community ``.po`` in, a valid
gettext catalog out (``msgfmt --check``), entries round-trip; bad and hostile files refused
with the line and the reason, nothing stored."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from babel.messages.pofile import read_po

from i18n import messages
from sync.server import cli
from sync.server.translation import catalogs, po

HAUSA = "hau_Latn"


def _entries(count: int = 12):
    """Template messages with Hausa-looking translations that keep placeholders and &."""
    chosen = []
    for entry in messages.template_entries():
        if entry.context or len(chosen) >= count:
            continue
        if entry.msgid_plural:
            strings = [f"{entry.msgid} (ha)", f"{entry.msgid_plural} (ha)"]
        else:
            strings = [f"{entry.msgid} (ha)"]
        chosen.append((entry, strings))
    plural = next(e for e in messages.template_entries() if e.msgid_plural and not e.context)
    if all(e.msgid_plural is None for e, _ in chosen):
        chosen.append((plural, [f"{plural.msgid} (ha)", f"{plural.msgid_plural} (ha)"]))
    return chosen


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def write_po(path, entries, *, plural_forms="nplurals=2; plural=(n != 1);", extra=""):
    lines = ['msgid ""', 'msgstr ""', '"Content-Type: text/plain; charset=UTF-8\\n"',
             f'"Plural-Forms: {plural_forms}\\n"', '"Language: ha\\n"', ""]
    for entry, strings in entries:
        lines.append(f"msgid {_quote(entry.msgid)}")
        if entry.msgid_plural:
            lines.append(f"msgid_plural {_quote(entry.msgid_plural)}")
            lines += [f"msgstr[{i}] {_quote(s)}" for i, s in enumerate(strings)]
        else:
            lines.append(f"msgstr {_quote(strings[0])}")
        lines.append("")
    path.write_text("\n".join(lines) + extra, encoding="utf-8")
    return path


@pytest.fixture
def noor(harness):
    return harness.invite("coordinator", languages=[], name="noor")


def test_import_then_export_round_trips_and_msgfmt_checks_it(harness, noor, tmp_path):
    entries = _entries()
    source = write_po(tmp_path / "ha.po", entries)
    result = po.import_po(harness.engine, source, language=HAUSA, by="noor")
    assert (result.imported, result.unchanged) == (len(entries), 0)
    assert po.import_po(harness.engine, source, language=HAUSA, by="noor").unchanged == \
        len(entries)  # the same file again changes nothing

    out = tmp_path / "out.po"
    assert po.export_po(harness.engine, HAUSA, out) == len(entries)
    with open(out, "rb") as f:
        exported = read_po(f)
    got = {(m.context, m.id if isinstance(m.id, str) else m.id[0]):
           list(m.string) if isinstance(m.string, tuple) else [m.string]
           for m in exported if m.id and all(m.string if isinstance(m.string, tuple)
                                             else [m.string])}
    assert got == {(e.context, e.msgid): s for e, s in entries}
    assert len([m for m in exported if m.id]) == len(messages.template_entries())
    assert "noor, " in "\n".join(po.translator_lines(out))
    assert "Plural-Forms: nplurals=2; plural=(((n == 1)) ? 0 : 1);" in out.read_text("utf-8")
    msgfmt = shutil.which("msgfmt")
    assert msgfmt, "gettext's msgfmt (build_scripts/system_deps.sh installs it)"
    checked = subprocess.run([msgfmt, "--check", "-o", str(tmp_path / "ha.mo"), str(out)],
                             capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    assert catalogs.progress(harness.engine)[0].translated == len(entries)
    from sync.server.people import auditlog

    logged = auditlog.entries(harness.engine)
    assert [(e.action, e.subject) for e in logged][:2] == [("export", "out.po"),
                                                          ("import", "ha.po")]


def test_the_cli_imports_and_exports(db_url, harness, noor, tmp_path, capsys):
    source = write_po(tmp_path / "ha.po", _entries(3))
    assert cli.main(["--db", db_url, "ui-translations", "import", str(source),
                     "--language", "ha"]) == 0
    assert f"{len(_entries(3))} translations accepted into hau_Latn" in capsys.readouterr().out
    assert cli.main(["--db", db_url, "ui-translations", "export", "--language", HAUSA,
                     "--out", str(tmp_path / "x.po")]) == 0
    assert cli.main(["--db", db_url, "queue"]) == 0
    shown = capsys.readouterr().out
    assert "Translations of the interface:" in shown and "hau_Latn" in shown


@pytest.mark.parametrize(("body", "line", "reason"), [
    ('msgid "&File"\nmsgstr "Fayil"\n', 6, "accelerator"),
    ('msgid "Saved"\nmsgstr "An ajiye {n}"\n', 6, "placeholders differ"),
    ('msgid "&File"\nmsgstr "&Fayil\n', 7, ""),                       # unterminated string
    ('msgid "&File"\nmsgstr[0] "&Fayil"\nmsgstr[1] "&Fayiloli"\n', 6, ""),  # plural of none
])
def test_a_bad_po_is_refused_with_its_line_and_nothing_is_stored(harness, noor, tmp_path,
                                                                 body, line, reason):
    path = write_po(tmp_path / "bad.po", [], extra=body)
    with pytest.raises(po.PoRefused, match=r"bad\.po, line \d+") as refused:
        po.import_po(harness.engine, path, language=HAUSA, by="noor")
    assert reason in str(refused.value)
    assert catalogs.progress(harness.engine) == []


def test_a_wrong_plural_rule_is_refused(harness, noor, tmp_path):
    path = write_po(tmp_path / "ar.po", _entries(2), plural_forms="nplurals=6; plural=0;")
    with pytest.raises(po.PoRefused, match=r"line 1 .*Plural-Forms"):
        po.import_po(harness.engine, path, language=HAUSA, by="noor")


def test_a_po_bomb_is_refused_unread(harness, noor, tmp_path):
    bomb = tmp_path / "bomb.po"
    with open(bomb, "wb") as f:
        f.write(b'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n')
        f.write(b'msgid "&File"\nmsgstr "&F')
        f.seek(2 * 1024**3)  # a 2 GB sparse file: its size alone refuses it
        f.write(b'"\n')
    with pytest.raises(po.PoRefused, match=r"bytes; a \.po file may have at most"):
        po.import_po(harness.engine, bomb, language=HAUSA, by="noor")
    many = write_po(tmp_path / "many.po", [], extra="".join(
        f'msgid "m{i}"\nmsgstr "x"\n\n' for i in range(po.MAX_PO_MESSAGES + 1)))
    with pytest.raises(po.PoRefused, match="more than 20,000 messages"):
        po.import_po(harness.engine, many, language=HAUSA, by="noor")


def test_only_a_coordinators_import_counts(harness, tmp_path):
    harness.invite("annotator", languages=[HAUSA], name="bala")
    with pytest.raises(po.PoRefused, match="not a coordinator"):
        po.import_po(harness.engine, write_po(tmp_path / "ha.po", _entries(1)),
                     language=HAUSA, by="bala")
