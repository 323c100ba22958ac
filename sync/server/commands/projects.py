"""``qalam-server project …`` and ``qalam-server import-tasks``: projects and the work in them.

    qalam-server project create aya-urd --name "Aya Urdu" --settings '{"dialects": ["Dakhini"]}'
    qalam-server project list
    qalam-server project show aya-urd
    qalam-server project set aya-urd distribution.page_size=10 rules.min_edit_distance=5
    qalam-server project set aya-urd acceptance.min_accepted_per_language=100
    qalam-server project guidelines set aya-urd original.md --kind original --language urd_Arab
    qalam-server project guidelines list aya-urd          # what exists, per kind and language
    qalam-server import-tasks urd.jsonl --project aya-urd               # JSONL, CSV, Parquet
    qalam-server import-tasks doc.xlf --project pe-swh                  # XLIFF 2.x/1.2: post-edits

``project set`` takes dotted setting names (see :mod:`sync.server.work.projects`); each value is
read as JSON, so ``10``, ``2.5``, ``true`` and ``'["a","b"]'`` are numbers, booleans and
lists. ``project guidelines set`` sets one kind's Markdown in one language (English when
no ``--language``: every language falls back to it; ``--draft`` marks a machine draft);
``remove`` takes one away. ``import-tasks`` shows a progress bar on a terminal and ends
with one summary line.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import sqlalchemy as sa

from app.errors import QalamError
from app.guidelines import DEFAULT_LANGUAGE, MAX_GUIDELINE_CHARS
from app.guidelines import parse as parse_guidelines
from app.kinds import TASK_KINDS
from app.taskfile import ORIGINS
from sync.server import db, tables
from sync.server.work.projects import (
    ProjectSettings,
    check_project_id,
    create_project,
    guideline_language,
    list_guidelines,
    list_projects,
    set_guideline,
    update_settings,
)

PROJECTS = tables.projects
TASKS = tables.tasks


def register(sub, common) -> dict:
    project = sub.add_parser("project", parents=[common],
                             help="create, list, show and configure projects",
                             description="Projects group tasks and carry their rules "
                                         "(distribution, acceptance, points).")
    actions = project.add_subparsers(dest="project_command", required=True, metavar="ACTION")
    create = actions.add_parser("create", parents=[common], help="create a project",
                                description="Create a project; devices get it on their next "
                                            "pull.")
    create.add_argument("id", metavar="ID", help="1 to 64 letters, digits and . _ : -")
    create.add_argument("--name", help="a name people read (default: the id)")
    create.add_argument("--description", default="", help="a sentence about the project")
    create.add_argument("--settings", metavar="JSON",
                        help='settings as a JSON object, e.g. \'{"distribution": '
                             '{"page_size": 10}}\' (default: the Aya defaults)')
    listing = actions.add_parser("list", parents=[common], help="list projects",
                                 description="Every project with its task count.")
    listing.add_argument("--json", action="store_true", help="one JSON object per line")
    show = actions.add_parser("show", parents=[common], help="a project's settings and tasks",
                              description="A project's settings (defaults filled in) and its "
                                          "tasks per language, kind and origin.")
    show.add_argument("id", metavar="ID")
    show.add_argument("--json", action="store_true", help="the project as one JSON object")
    change = actions.add_parser(
        "set", parents=[common], help="change settings (key=value …)",
        description="Change a project's settings by dotted name, e.g. "
                    "distribution.page_size=10 acceptance.min_accepted_per_language=100 "
                    "rules.min_edit_distance=5 dialects='[\"Dakhini\"]'. Values are JSON.")
    change.add_argument("id", metavar="ID")
    change.add_argument("assignments", nargs="+", metavar="KEY=VALUE")
    guides = actions.add_parser(
        "guidelines", parents=[common], help="set, list or remove guidelines per language",
        description="The guidelines annotators read beside each kind of work, one Markdown "
                    "text per language; devices get a change on their next pull. The app "
                    "shows the content language's text, else the interface language's, else "
                    "English.")
    steps = guides.add_subparsers(dest="guidelines_command", required=True, metavar="ACTION")
    put = steps.add_parser("set", parents=[common], help="set one kind's text in one language",
                           description="Set the guidelines for one kind of work in one "
                                       "language from a UTF-8 Markdown file.")
    put.add_argument("id", metavar="ID")
    put.add_argument("file", type=Path, metavar="FILE",
                     help="a UTF-8 Markdown file (- reads standard input)")
    put.add_argument("--draft", action="store_true",
                     help="mark the text as a machine draft awaiting native review")
    remove = steps.add_parser("remove", parents=[common],
                              help="remove one kind's text in one language",
                              description="Remove the guidelines for one kind of work in one "
                                          "language; the app falls back to English.")
    remove.add_argument("id", metavar="ID")
    for action in (put, remove):
        action.add_argument("--kind", choices=TASK_KINDS, required=True,
                            help="the kind of work")
        action.add_argument("--language", metavar="CODE", default=DEFAULT_LANGUAGE,
                            help="a language code such as urd_Arab or ur (default: "
                                 f"{DEFAULT_LANGUAGE}, which every language falls back to)")
    listed = steps.add_parser("list", parents=[common], help="what guidelines a project has",
                              description="Each kind and language a project has guidelines "
                                          "for, with their length and draft mark.")
    listed.add_argument("id", metavar="ID")
    listed.add_argument("--json", action="store_true", help="one JSON object per line")

    tasks = sub.add_parser(
        "import-tasks", parents=[common], help="import a task file into a project",
        description="Import tasks from JSONL or CSV (Qalam's schema or the Aya dataset's), "
                    "Parquet, or XLIFF 2.x/1.2 (post-editing: source and machine "
                    "translation). The whole file or nothing; importing it twice adds nothing.")
    tasks.add_argument("file", type=Path, metavar="FILE")
    tasks.add_argument("--project", required=True, help="project id (created when new)")
    tasks.add_argument("--project-name", help="project name when it is new (default: the id)")
    tasks.add_argument("--kind", choices=[k for k in TASK_KINDS if k != "review"],
                       help="the kind of rows that do not say theirs")
    tasks.add_argument("--origin", choices=ORIGINS,
                       help="where the rows' text came from, when they do not say "
                            "(human-written work is served first)")
    # Not choices=FORMATS: that would load the importers (and their libraries) for every
    # command; import_file names the formats when given another.
    tasks.add_argument("--format", dest="file_format", metavar="FORMAT",
                       help="jsonl, csv, parquet or xliff (default: from the file's "
                            "extension)")
    return {"project": cmd_project, "import-tasks": cmd_import_tasks}


def cmd_project(args, engine, url) -> int:
    return {"create": _create, "list": _list, "show": _show, "set": _set,
            "guidelines": _guidelines}[args.project_command](args, engine)


def _create(args, engine) -> int:
    check_project_id(args.id)
    settings = None
    if args.settings is not None:
        try:
            settings = json.loads(args.settings)
        except json.JSONDecodeError as exc:
            raise QalamError(f"--settings is not valid JSON ({exc.msg}).") from None
        if not isinstance(settings, dict):
            raise QalamError("--settings must be a JSON object ({…}).")
    try:
        created = create_project(engine, args.id, name=args.name, description=args.description,
                                 settings=settings)
    except ValueError as exc:
        raise QalamError(f"--settings: {exc}.") from None
    if not created:
        raise QalamError(f"Project {args.id} already exists; nothing changed "
                         "(`project set` changes its settings).")
    print(f"Created project {args.id}" + (f" ({args.name})." if args.name else "."))
    return 0


def _task_counts(engine) -> dict[str, int]:
    with db.read_transaction(engine) as conn:
        return dict(conn.execute(
            sa.select(TASKS.c.project_id, sa.func.count())
            .where(TASKS.c.deleted == sa.false()).group_by(TASKS.c.project_id)).all())


def _list(args, engine) -> int:
    projects = list_projects(engine)
    counts = _task_counts(engine)
    if args.json:
        for project in projects:
            print(json.dumps({**project, "tasks": counts.get(project["id"], 0)},
                             ensure_ascii=False))
        return 0
    if not projects:
        print("No projects yet; `qalam-server project create ID` makes one.")
        return 0
    rows = [[p["id"], p["name"], str(counts.get(p["id"], 0))] for p in projects]
    _print_table(["ID", "NAME", "TASKS"], rows)
    return 0


def _show(args, engine) -> int:
    with db.read_transaction(engine) as conn:
        row = conn.execute(sa.select(PROJECTS).where(PROJECTS.c.id == args.id)).first()
        if row is None:
            raise QalamError(f"No project {args.id!r}; `qalam-server project list` shows "
                             "them.")
        counts = conn.execute(
            sa.select(TASKS.c.language, TASKS.c.kind, TASKS.c.origin, sa.func.count())
            .where(TASKS.c.project_id == args.id, TASKS.c.deleted == sa.false())
            .group_by(TASKS.c.language, TASKS.c.kind, TASKS.c.origin)
            .order_by(TASKS.c.language, TASKS.c.kind, TASKS.c.origin)).all()
    payload = json.loads(row.payload)
    settings = ProjectSettings.from_dict(payload.get("settings")).to_dict()
    tasks = [{"language": c[0], "kind": c[1], "origin": c[2], "tasks": c[3]} for c in counts]
    written = {kind: sorted(texts) for kind, texts in
               sorted(parse_guidelines(payload.get("guidelines")).items())}
    if args.json:
        print(json.dumps({"id": row.id, "name": row.name,
                          "description": payload.get("description", ""),
                          "deleted": bool(row.deleted), "revision": row.revision,
                          "settings": settings, "guidelines": written, "tasks": tasks},
                         ensure_ascii=False))
        return 0
    print(f"Project:     {row.id}{' (deleted)' if row.deleted else ''}")
    print(f"Name:        {row.name}")
    if payload.get("description"):
        print(f"Description: {payload['description']}")
    print(f"Revision:    {row.revision}")
    print("Settings:")
    for key, value in _flatten(settings):
        print(f"  {key} = {json.dumps(value, ensure_ascii=False)}")
    print("Guidelines:  " + ("; ".join(f"{kind}: {', '.join(codes)}"
                                       for kind, codes in written.items())
                             or "none (the app shows Qalam's general ones)"))
    if not tasks:
        print("Tasks:       none yet; `qalam-server import-tasks FILE --project "
              f"{row.id}` loads them.")
        return 0
    print(f"Tasks:       {sum(c['tasks'] for c in tasks)}")
    _print_table(["LANGUAGE", "KIND", "ORIGIN", "TASKS"],
                 [[c["language"], c["kind"], c["origin"], str(c["tasks"])] for c in tasks],
                 indent="  ")
    return 0


def _flatten(settings: dict, prefix: str = ""):
    for key, value in settings.items():
        if isinstance(value, dict):
            yield from _flatten(value, f"{prefix}{key}.")
        else:
            yield f"{prefix}{key}", value


def parse_assignments(assignments: list[str]) -> dict:
    """``["distribution.page_size=10", "dialects=[\\"a\\"]"]`` -> nested settings changes.

    Raises QalamError naming the key whose value is not JSON.
    """
    changes: dict = {}
    for text in assignments:
        key, sep, raw = text.partition("=")
        key = key.strip()
        if not sep or not key:
            raise QalamError(f"{text!r}: expected KEY=VALUE, e.g. distribution.page_size=10.")
        try:
            value = json.loads(raw)
        except json.JSONDecodeError:
            raise QalamError(f"setting {key!r}: {raw!r} is not a number, true/false or a "
                             "JSON list.") from None
        *sections, name = key.split(".")
        if len(sections) > 1 or not all(sections) or not name:
            raise QalamError(f"unknown setting {key!r}: use a name such as "
                             "distribution.page_size.")
        place = changes
        for section in sections:
            place = place.setdefault(section, {})
            if not isinstance(place, dict):
                raise QalamError(f"setting {key!r} conflicts with {section!r} set above.")
        place[name] = value
    return changes


def _set(args, engine) -> int:
    changes = parse_assignments(args.assignments)
    settings = update_settings(engine, args.id, changes).to_dict()
    values = dict(_flatten(settings))
    for key, _ in _flatten(changes):
        print(f"{args.id}: {key} = {json.dumps(values.get(key), ensure_ascii=False)}")
    return 0


def _guidelines(args, engine) -> int:
    if args.guidelines_command == "list":
        return _list_guidelines(args, engine)
    language = guideline_language(args.language)
    if args.guidelines_command == "remove":
        set_guideline(engine, args.id, kind=args.kind, language=language, text=None)
        print(f"{args.id}: removed the {args.kind} guidelines in {language}; devices get the "
              "change on their next sync.")
        return 0
    text = _read_markdown(args.file)
    set_guideline(engine, args.id, kind=args.kind, language=language, text=text,
                  draft=args.draft)
    print(f"{args.id}: {args.kind} guidelines in {language} set ({len(text):,} characters"
          f"{', a machine draft' if args.draft else ''}); devices get them on their next "
          "sync.")
    return 0


def _read_markdown(path: Path) -> str:
    try:
        data = sys.stdin.buffer.read() if str(path) == "-" else path.read_bytes()
    except OSError as exc:
        raise QalamError(f"{path}: cannot be read ({exc.strerror}).") from None
    if len(data) > 4 * MAX_GUIDELINE_CHARS:  # bounded before decoding; the text is checked
        raise QalamError(f"{path}: {len(data):,} bytes is too long for guidelines.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise QalamError(f"{path}: not UTF-8 text (byte {exc.start + 1}); save it as "
                         "UTF-8.") from None


def _list_guidelines(args, engine) -> int:
    rows = list_guidelines(engine, args.id)
    if args.json:
        for row in rows:
            print(json.dumps(row, ensure_ascii=False))
        return 0
    if not rows:
        print(f"{args.id}: no guidelines yet; the app shows Qalam's general ones. "
              f"`qalam-server project guidelines set {args.id} FILE.md --kind original "
              "--language urd_Arab` sets some.")
        return 0
    _print_table(["KIND", "LANGUAGE", "CHARACTERS", "DRAFT"],
                 [[r["kind"], r["language"], f"{r['characters']:,}",
                   "yes" if r["draft"] else ""] for r in rows])
    return 0


def cmd_import_tasks(args, engine, url) -> int:
    from tqdm import tqdm

    from sync.server.work.imports import FORMATS, import_file

    bars: dict[str, tqdm] = {}

    def progress(done: int, total: int, stage: str) -> None:
        bar = bars.get(stage)
        if bar is None:
            for other in bars.values():
                other.close()
            parquet = (args.file_format or "") == "parquet" or \
                args.file.suffix.lower() in FORMATS["parquet"]
            reading = stage == "reading" and not parquet
            bar = bars[stage] = tqdm(
                total=total, desc=f"{'Checking' if stage == 'reading' else 'Storing'} "
                                  f"{args.file.name}",
                unit="B" if reading else " rows", unit_scale=True, leave=False,
                file=sys.stderr, disable=None)
        bar.total = max(total, done)
        bar.update(done - bar.n)

    try:
        result = import_file(engine, args.file, project_id=args.project, kind=args.kind,
                             origin=args.origin, file_format=args.file_format,
                             project_name=args.project_name, progress=progress)
    finally:
        for bar in bars.values():
            bar.close()
    print(f"{args.file.name}: {result.added} new, {result.updated} updated, "
          f"{result.unchanged} unchanged tasks in project {args.project}"
          f"{' (new project)' if result.project_created else ''}.")
    return 0


def _print_table(header: list[str], rows: list[list[str]], indent: str = "") -> None:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    for line in [header, *rows]:
        print(indent + "  ".join(cell.ljust(width)
                                 for cell, width in zip(line, widths, strict=True)).rstrip())
