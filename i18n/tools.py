"""Catalog maintenance: ``python -m i18n.tools COMMAND`` (the make targets call these).

    extract              re-extract i18n/qalam.pot (unchanged file when no message changed)
    update               merge the .pot into every shipped .po (new strings empty, changed
                         ones fuzzy; headers such as X-Review-Status kept)
    compile              build every .mo, pseudo-locales included
    init LOCALE          start a catalog for a new language (see docs/translating.md)
    stats                translated share per catalog
    todo [LOCALE...]     untranslated and fuzzy entries as JSON lines, one per entry
    merge FILE|-         take translated JSON lines (todo's format, "msgstr" filled) back in

The JSON lines of ``todo``/``merge``::

    {"locale": "ur", "context": null, "msgid": "Saved", "msgid_plural": null,
     "msgstr": "", "fuzzy": false, "nplurals": 2, "categories": ["one", "other"],
     "example_counts": [1, 0], "comments": [], "locations": ["ui/editor.py"]}

For a plural entry ``msgstr`` is a list, one string per form, in the order of
``categories``. ``merge`` refuses a line whose placeholders differ from the source.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import sys
import tempfile
from pathlib import Path

from i18n import catalogs, checks, plurals

ROOT = catalogs.I18N_DIR.parent
EXTRACT_ARGS = [
    "-F", "babel.cfg",
    "-k", "NP_:1c,2",
    "-k", "QT_TRANSLATE_NOOP:1c,2",
    "--add-comments=Translators:",
    "--strip-comments",
    "--add-location=file",  # no line numbers: moving code does not churn the .pot
    "--sort-output",
    "--project=Qalam",
    "--version=1",
    "--copyright-holder=Qalam contributors",
    "--msgid-bugs-address=https://github.com/qalam/qalam/issues",
    "--ignore-dirs=.* ._ var build dist tests bench",
]
# What changes with the calendar, not with the messages.
_DATE_LINE = re.compile(
    r'^(?:"POT-Creation-Date: .*\\n"|# Copyright \(C\) \d+ .*|# FIRST AUTHOR .*)\n', re.MULTILINE
)
#: Our own header fields, which Babel drops when it reads and writes a catalog.
EXTRA_HEADERS = ("X-Review-Status", "X-Reviewed-By")


# --------------------------------------------------------------------------- extract


def extract_to(output: Path) -> None:
    """Run ``pybabel extract`` over the source tree into ``output``."""
    from babel.messages.frontend import CommandLineInterface

    # Locations are written relative to the working directory: run from the repository.
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        CommandLineInterface().run(
            ["pybabel", "-q", "extract", *EXTRACT_ARGS, "-o", str(output.resolve()), "."]
        )
    finally:
        os.chdir(cwd)
    # Our messages are str.format templates; a "%" before a letter in one ("{percent}% sure")
    # makes Babel guess printf style too, and msgfmt --check-format would then reject a
    # translation that moves the "%". Say it is not printf style.
    text = output.read_text(encoding="utf-8")
    text = text.replace("#, python-brace-format, python-format\n",
                        "#, python-brace-format, no-python-format\n")
    # The same guess with no placeholder at all ("95% interval" in a dashboard template).
    text = text.replace("#, python-format\n", "#, no-python-format\n")
    output.write_text(text, encoding="utf-8")


def without_date(text: str) -> str:
    return _DATE_LINE.sub("", text)


def extract(pot: Path = catalogs.POT_PATH) -> bool:
    """Re-extract ``pot``; returns whether it changed. An unchanged message set leaves the
    file (and its POT-Creation-Date) untouched, so re-running gives an identical file."""
    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp) / "qalam.pot"
        extract_to(fresh)
        new = fresh.read_text(encoding="utf-8")
    old = pot.read_text(encoding="utf-8") if pot.exists() else ""
    if without_date(old) == without_date(new):
        return False
    pot.write_text(new, encoding="utf-8")
    return True


# --------------------------------------------------------------------------- .po files


def raw_headers(path: Path) -> dict[str, str]:
    """Header fields of a ``.po`` as written (Babel keeps only the standard ones)."""
    text = path.read_text(encoding="utf-8")
    match = re.search(r'^msgid ""\nmsgstr ""\n((?:".*"\n)+)', text, re.MULTILINE)
    headers: dict[str, str] = {}
    if match:
        body = "".join(json.loads(line) for line in match.group(1).splitlines())
        for line in body.split("\n"):
            name, sep, value = line.partition(":")
            if sep:
                headers[name.strip()] = value.strip()
    return headers


def read_catalog(tag: str):
    from babel.messages.pofile import read_po

    with open(catalogs.po_path(tag), "rb") as f:
        return read_po(f, locale=catalogs.get(tag).babel, domain=catalogs.DOMAIN)


def write_catalog(tag: str, catalog, extra: dict[str, str]) -> None:
    """Write a ``.po`` with Babel, then put our extra header fields back in."""
    from babel.messages.pofile import write_po

    for message in catalog:
        if "no-python-format" in message.flags:  # see extract_to
            message.flags.discard("python-format")
    buffer = io.BytesIO()
    write_po(buffer, catalog, include_lineno=False, ignore_obsolete=True)
    text = buffer.getvalue().decode("utf-8")
    lines = "".join(
        f'"{name}: {extra[name]}\\n"\n' for name in EXTRA_HEADERS if extra.get(name)
    )
    text = text.replace('"Generated-By:', lines + '"Generated-By:', 1)
    catalogs.po_path(tag).write_text(text, encoding="utf-8")


def _extra(tag: str) -> dict[str, str]:
    path = catalogs.po_path(tag)
    return raw_headers(path) if path.exists() else {}


def update(tags: list[str] | None = None) -> None:
    template = catalogs.read_pot()
    for tag in tags or [loc.tag for loc in catalogs.SHIPPED]:
        extra = _extra(tag)
        catalog = read_catalog(tag)
        catalog.update(template, update_creation_date=True)
        write_catalog(tag, catalog, extra)


def init(tag: str) -> Path:
    """A new, empty catalog for ``tag`` (which must be in catalogs.SHIPPED and plurals)."""
    from babel.messages.catalog import Catalog

    loc = catalogs.get(tag)
    path = catalogs.po_path(loc.tag)
    if path.exists():
        raise SystemExit(f"{path} exists; use update")
    base = loc.babel.split("_")[0].split("-")[0]
    if base not in plurals.PLURAL_FORMS:
        raise SystemExit(f"add {base!r} to PLURAL_FORMS in i18n/plurals.py first (from CLDR)")
    template = catalogs.read_pot()
    catalog = Catalog(locale=loc.babel, domain=catalogs.DOMAIN, project="Qalam", version="1",
                      copyright_holder="Qalam contributors",
                      msgid_bugs_address=template.msgid_bugs_address)
    catalog.mime_headers = [("Plural-Forms", plurals.PLURAL_FORMS[base])]
    catalog.update(template)
    catalog.fuzzy = False
    path.parent.mkdir(parents=True, exist_ok=True)
    write_catalog(loc.tag, catalog, {"X-Review-Status": "untranslated"})
    return path


# --------------------------------------------------------------------------- todo / merge


def _base(tag: str) -> str:
    return catalogs.get(tag).babel.split("_")[0]


def todo(tags: list[str] | None = None):
    """Yield a dict per untranslated or fuzzy entry of each catalog."""
    for tag in tags or [loc.tag for loc in catalogs.SHIPPED]:
        catalog = read_catalog(tag)
        base = _base(tag)
        for message in catalog:
            if not message.id:
                continue
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            if all(strings) and not message.fuzzy:
                continue
            plural = isinstance(message.id, tuple)
            yield {
                "locale": tag,
                "context": message.context,
                "msgid": message.id[0] if plural else message.id,
                "msgid_plural": message.id[1] if plural else None,
                "msgstr": list(strings) if plural else strings[0],
                "fuzzy": message.fuzzy,
                "nplurals": plurals.nplurals(base),
                "categories": plurals.categories(base),
                "example_counts": plurals.example_counts(base),
                "comments": list(message.auto_comments),
                "locations": sorted({path for path, _line in message.locations}),
            }


def merge(lines: list[dict]) -> dict[str, int]:
    """Put translated entries into their catalogs; returns {locale: entries merged}.

    Raises ValueError (nothing written) when an entry is unknown or fails checks.problems.
    """
    by_locale: dict[str, list[dict]] = {}
    for entry in lines:
        by_locale.setdefault(catalogs.get(entry["locale"]).tag, []).append(entry)
    prepared = []
    for tag, entries in by_locale.items():
        catalog = read_catalog(tag)
        for entry in entries:
            msgid = entry["msgid"]
            key = (msgid, entry["msgid_plural"]) if entry.get("msgid_plural") else msgid
            message = catalog.get(key if isinstance(key, str) else key[0],
                                  context=entry.get("context"))
            if message is None:
                raise ValueError(f"{tag}: no entry {msgid!r} (context {entry.get('context')!r})")
            strings = entry["msgstr"]
            if isinstance(message.id, tuple):
                if not isinstance(strings, list) or len(strings) != plurals.nplurals(_base(tag)):
                    raise ValueError(f"{tag}: {msgid!r} needs a list of "
                                     f"{plurals.nplurals(_base(tag))} forms")
                sources = [message.id[0] if n == 1 else message.id[1]
                           for n in plurals.example_counts(_base(tag))]
                pairs = list(zip(sources, strings, strict=True))
                message.string = tuple(strings)
            else:
                if not isinstance(strings, str):
                    raise ValueError(f"{tag}: {msgid!r} takes one string")
                pairs = [(msgid, strings)]
                message.string = strings
            for source, translated in pairs:
                if not translated:
                    raise ValueError(f"{tag}: empty translation for {msgid!r}")
                found = checks.problems(source, translated)
                if found:
                    raise ValueError(f"{tag}: {msgid!r}: {'; '.join(found)}")
            message.flags.discard("fuzzy")
            message.previous_id = []
        prepared.append((tag, catalog, len(entries)))
    for tag, catalog, _count in prepared:
        write_catalog(tag, catalog, _extra(tag))
    return {tag: count for tag, _catalog, count in prepared}


# --------------------------------------------------------------------------- CLI


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m i18n.tools", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("extract")
    sub.add_parser("update")
    sub.add_parser("compile")
    sub.add_parser("stats")
    p_init = sub.add_parser("init")
    p_init.add_argument("locale")
    p_todo = sub.add_parser("todo")
    p_todo.add_argument("locales", nargs="*")
    p_merge = sub.add_parser("merge")
    p_merge.add_argument("file")
    args = parser.parse_args(argv)

    if args.command == "extract":
        changed = extract()
        print(f"{catalogs.POT_PATH.relative_to(ROOT)}: {'updated' if changed else 'unchanged'}")
    elif args.command == "update":
        update()
    elif args.command == "compile":
        for path in catalogs.compile_all():
            print(path.relative_to(ROOT))
    elif args.command == "init":
        print(init(args.locale).relative_to(ROOT))
    elif args.command == "stats":
        template = catalogs.read_pot()
        for loc in catalogs.SHIPPED:
            share = catalogs.completeness(read_catalog(loc.tag), template)
            status = _extra(loc.tag).get("X-Review-Status", "")
            print(f"{loc.tag:4} {share:7.1%}  {status}")
    elif args.command == "todo":
        for entry in todo(args.locales or None):
            print(json.dumps(entry, ensure_ascii=False))
    elif args.command == "merge":
        stream = sys.stdin if args.file == "-" else open(args.file, encoding="utf-8")  # noqa: SIM115
        with stream:
            lines = [json.loads(line) for line in stream if line.strip()]
        for tag, count in merge(lines).items():
            print(f"{tag}: {count} merged")
    return 0


if __name__ == "__main__":
    sys.exit(main())
