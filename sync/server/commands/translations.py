"""``qalam-server ui-translations``: the interface translated by its users (issue 16).

    qalam-server ui-translations progress [--language hau_Latn]
    qalam-server ui-translations import ha.po --language hau_Latn [--by Noor]
    qalam-server ui-translations export --language hau_Latn --out ha.po
    qalam-server ui-translations list --language hau_Latn [--status disputed]
    qalam-server ui-translations decide SUGGESTION accepted|rejected --by Noor [--reason ...]
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

from sync.server.commands import command, group, option
from sync.server.commands.output import json_option, listing, when
from sync.server.people.users import check_languages


def _language(code: str) -> str:
    """A registry code, or a tag the registry resolves ("ha" -> "hau_Latn", "ps")."""
    from app.errors import QalamError
    from i18n import languages

    try:
        return check_languages([code])[0]
    except QalamError:
        try:
            return languages.resolve(code).code
        except languages.UnknownLanguage as error:
            raise QalamError(str(error)) from None


def progress_rows(engine, language: str | None = None):
    from sync.server.translation import catalogs

    return catalogs.progress(engine, language=language)


def print_progress(args, engine, language: str | None = None, *, title=None) -> int:
    found = progress_rows(engine, language)
    return listing(
        args, found, title=title,
        empty="No translations of the interface yet (devices suggest them on the Translate "
              "screen; `qalam-server ui-translations import` loads a .po).",
        header=["LANGUAGE", "TRANSLATED", "OF", "SHARE", "PENDING", "DISPUTED", "REJECTED",
                "TRANSLATORS", "REVIEWERS"],
        row=lambda p: [p.language, str(p.translated), str(p.total), f"{p.share:.0%}",
                       str(p.pending), str(p.disputed), str(p.rejected), str(p.translators),
                       str(p.reviewers)],
        as_json=[{**asdict(p), "share": round(p.share, 4)} for p in found])


group("ui-translations", help="translations of the interface by its users",
      description="Progress per language, .po import and export, and a coordinator's decision "
                  "on a suggested translation.")


@command("ui-translations", "progress", help="how far each language's interface has come",
         description="Per language: messages with an accepted translation, suggestions "
                     "waiting for review, disputed or rejected, and how many people took part.")
@option("--language", metavar="CODE")
@json_option()
def cmd_progress(args, engine, url) -> int:
    return print_progress(args, engine, _language(args.language) if args.language else None)


@command("ui-translations", "import", help="take a community .po as accepted translations",
         description="Import a gettext .po file for one language: its translations count as "
                     "accepted, attributed to the coordinator (--by). The file is checked "
                     "whole first; a bad one is refused with its line and the reason.")
@option("file", metavar="FILE.po")
@option("--language", metavar="CODE", required=True, help="registry code, e.g. hau_Latn")
@option("--by", metavar="COORDINATOR", help="who imports (default: the only coordinator)")
def cmd_import(args, engine, url) -> int:
    from sync.server.translation import po

    result = po.import_po(engine, Path(args.file), language=_language(args.language),
                          by=args.by or _only_coordinator(engine))
    print(f"{args.file}: {result.imported} translations accepted into {result.language}, "
          f"{result.unchanged} unchanged, {result.unknown} not in this version's messages, "
          f"{result.skipped} fuzzy or untranslated left out.")
    return 0


@command("ui-translations", "export", help="write a language's accepted translations as .po",
         description="Write every message of the interface with its accepted translation "
                     "(a valid gettext catalog, translators credited in its header).")
@option("--language", metavar="CODE", required=True)
@option("--out", metavar="FILE.po", required=True)
def cmd_export(args, engine, url) -> int:
    from sync.server.translation import po

    count = po.export_po(engine, _language(args.language), Path(args.out))
    print(f"{args.out}: {count} translated messages of {args.language}.")
    return 0


@command("ui-translations", "list", help="list suggested translations",
         description="Suggested translations of one language, newest first, with their "
                     "status and votes.")
@option("--language", metavar="CODE", required=True)
@option("--status", choices=["pending", "accepted", "rejected", "disputed", "superseded"])
@option("--limit", type=int, default=200)
@json_option()
def cmd_list(args, engine, url) -> int:
    from sync.server.translation import suggestions

    found = suggestions.listing(engine, _language(args.language), status=args.status,
                                limit=max(1, min(args.limit, 10_000)))
    return listing(
        args, found, empty="No suggestions.",
        header=["ID", "STATUS", "BY", "WHEN", "ACCEPT", "REJECT", "MESSAGE", "TRANSLATION"],
        row=lambda s: [s.id, s.status, s.author, when(s.updated_at), str(s.accepts),
                       str(s.rejects), _short(s.msgid), _short(s.msgstr[0] if s.msgstr else "")])


@command("ui-translations", "decide", help="accept or reject a suggested translation",
         description="A coordinator's verdict, which decides outright (kept with the others).")
@option("suggestion", metavar="SUGGESTION")
@option("decision", choices=["accepted", "rejected"])
@option("--by", metavar="COORDINATOR", help="who decides (default: the only coordinator)")
@option("--reason", default="", help="why (required to reject)")
def cmd_decide(args, engine, url) -> int:
    from sync.server.translation import suggestions

    status = suggestions.decide(engine, args.suggestion, args.decision,
                                by=args.by or _only_coordinator(engine), reason=args.reason)
    print(f"{args.suggestion} is {status}; devices get it (and the catalog) on their next sync.")
    return 0


def _only_coordinator(engine) -> str:
    import sqlalchemy as sa

    from app.errors import QalamError
    from sync.server import tables

    with engine.connect() as conn:
        names = conn.execute(sa.select(tables.users.c.name).where(
            tables.users.c.role == "coordinator",
            tables.users.c.blocked_at.is_(None))).scalars().all()
    if len(names) != 1:
        raise QalamError("say which coordinator with --by (the server has "
                         f"{len(names)} coordinators).")
    return names[0]


def _short(text: str, width: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[:width - 1] + "…"

