"""``qalam-server tm …`` and ``qalam-server glossary …``: what post-editors reuse.

    qalam-server tm import health.tmx --project pe-urd     # TMX 1.4: "1,200 units stored"
    qalam-server tm refresh --project pe-urd               # the accepted post-edits, again
    qalam-server glossary import terms.tbx --project pe-urd   # TBX 2008 or v3, or CSV
    qalam-server glossary export --project pe-urd --out terms/    # TBX, per language pair

Units and terms reach the devices of their target languages on the next pull. Importing the
same file twice stores nothing new; a bad file is refused whole, naming the line and field.
"""

from __future__ import annotations

from pathlib import Path

from sync.server.commands import command, group, option

group("tm", help="import and refresh a project's translation memory",
      description="The translation memory post-editors see beside each segment: TMX imports "
                  "and the project's accepted post-edits, per language pair.")


@command("tm", "import", help="import a TMX file into a project's translation memory",
         description="Store the translation units of a TMX file (1.4; 1.1-1.3 read the same) "
                     "in the project's memory. The whole file or nothing; importing it twice "
                     "stores nothing new.")
@option("file", type=Path, metavar="FILE.tmx")
@option("--project", required=True, help="project id")
def cmd_tm_import(args, engine, url) -> int:
    from sync.server.people.auditlog import Actor
    from sync.server.work.memory import import_tmx

    result = import_tmx(engine, args.file, project_id=args.project, by=Actor.command_line())
    print(f"{args.file.name}: {result.stored:,} units stored in project {args.project}'s "
          f"translation memory ({result.added:,} new, {result.unchanged:,} already there).")
    return 0


@command("tm", "refresh", help="put a project's accepted post-edits in its memory",
         description="Add the project's accepted post-edits to its translation memory and "
                     "remove those no longer accepted, now (a running server does it by "
                     "itself within five minutes of a change).")
@option("--project", required=True, help="project id")
def cmd_tm_refresh(args, engine, url) -> int:
    from sync.server.people.auditlog import Actor
    from sync.server.work.memory import refresh_postedits

    result = refresh_postedits(engine, project_id=args.project, by=Actor.command_line())
    print(f"project {args.project}: {result.stored:,} accepted post-edits in the translation "
          f"memory ({result.added:,} new, {result.removed:,} removed).")
    return 0


group("glossary", help="import and export a project's glossary",
      description="Terms post-editors see marked in the source, per language pair.")


@command("glossary", "import", help="import terms from TBX or CSV into a project",
         description="Store the terms of a TBX file (TBX 2008 <martif> or TBX v3 <tbx>) or a "
                     "CSV file (header: source language, target languages, optional note) in "
                     "the project's glossary. The whole file or nothing.")
@option("file", type=Path, metavar="FILE")
@option("--project", required=True, help="project id")
@option("--format", dest="file_format", choices=["tbx", "csv"],
        help="tbx or csv (default: from the file's extension)")
def cmd_glossary_import(args, engine, url) -> int:
    from sync.server.people.auditlog import Actor
    from sync.server.work.glossary import import_glossary

    result = import_glossary(engine, args.file, project_id=args.project,
                             file_format=args.file_format, by=Actor.command_line())
    print(f"{args.file.name}: {result.stored:,} terms stored in project {args.project}'s "
          f"glossary ({result.added:,} new, {result.unchanged:,} already there).")
    return 0


@command("glossary", "export", help="export a project's glossary as TBX",
         description="Write the project's terms as TBX 2008 (TBX-Basic), one file per language "
                     "pair, into a new or empty folder.")
@option("--project", required=True, help="project id")
@option("--out", required=True, type=Path, metavar="DIR")
def cmd_glossary_export(args, engine, url) -> int:
    from sync.server.export.glossary import export_glossary
    from sync.server.people import auditlog
    from sync.server.people.auditlog import Actor

    result = export_glossary(engine, args.out, project_id=args.project)
    auditlog.record_alone(engine, "export", Actor.command_line(), subject=str(args.out),
                          project_id=args.project, detail={"format": "tbx",
                                                           "rows": result.rows})
    print(f"{result.rows:,} terms (tbx) in {result.out_dir}")
    for path in result.files:
        print(f"  {path}")
    return 0
