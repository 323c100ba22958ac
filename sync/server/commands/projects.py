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
from sync.server.commands import command, group, option, options
from sync.server.commands.output import emit, json_option, listing, table
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


group("project", help="create, list, show and configure projects",
      description="Projects group tasks and carry their rules (distribution, acceptance, "
                  "points).")


@command("project", "create", help="create a project",
         description="Create a project; devices get it on their next pull.")
@option("id", metavar="ID", help="1 to 64 letters, digits and . _ : -")
@option("--name", help="a name people read (default: the id)")
@option("--description", default="", help="a sentence about the project")
@option("--settings", metavar="JSON",
        help='settings as a JSON object, e.g. \'{"distribution": {"page_size": 10}}\' '
             "(default: the Aya defaults)")
def cmd_project_create(args, engine, url) -> int:
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


@command("project", "list", help="list projects",
         description="Every project with its task count.")
@json_option()
def cmd_project_list(args, engine, url) -> int:
    counts = _task_counts(engine)
    projects = [{**project, "tasks": counts.get(project["id"], 0)}
                for project in list_projects(engine)]
    return listing(args, projects, header=["ID", "NAME", "TASKS"],
                   row=lambda p: [p["id"], p["name"], str(p["tasks"])],
                   empty="No projects yet; `qalam-server project create ID` makes one.")


@command("project", "show", help="a project's settings and tasks",
         description="A project's settings (defaults filled in) and its tasks per language, "
                     "kind and origin.")
@option("id", metavar="ID")
@json_option("the project as one JSON object")
def cmd_project_show(args, engine, url) -> int:
    shown = _project(engine, args.id)
    return emit(args, shown, lambda: _print_project(shown))


def _project(engine, project_id: str) -> dict:
    """A project as ``project show --json`` prints it: settings with their defaults filled in,
    the languages each kind has guidelines in, and its tasks per language, kind and origin."""
    with db.read_transaction(engine) as conn:
        row = conn.execute(sa.select(PROJECTS).where(PROJECTS.c.id == project_id)).first()
        if row is None:
            raise QalamError(f"No project {project_id!r}; `qalam-server project list` shows "
                             "them.")
        counts = conn.execute(
            sa.select(TASKS.c.language, TASKS.c.kind, TASKS.c.origin, sa.func.count())
            .where(TASKS.c.project_id == project_id, TASKS.c.deleted == sa.false())
            .group_by(TASKS.c.language, TASKS.c.kind, TASKS.c.origin)
            .order_by(TASKS.c.language, TASKS.c.kind, TASKS.c.origin)).all()
    payload = json.loads(row.payload)
    return {"id": row.id, "name": row.name, "description": payload.get("description", ""),
            "deleted": bool(row.deleted), "revision": row.revision,
            "settings": ProjectSettings.from_dict(payload.get("settings")).to_dict(),
            "guidelines": {kind: sorted(texts) for kind, texts in
                           sorted(parse_guidelines(payload.get("guidelines")).items())},
            "tasks": [{"language": c[0], "kind": c[1], "origin": c[2], "tasks": c[3]}
                      for c in counts]}


def _print_project(shown: dict) -> None:
    print(f"Project:     {shown['id']}{' (deleted)' if shown['deleted'] else ''}")
    print(f"Name:        {shown['name']}")
    if shown["description"]:
        print(f"Description: {shown['description']}")
    print(f"Revision:    {shown['revision']}")
    print("Settings:")
    for key, value in _flatten(shown["settings"]):
        print(f"  {key} = {json.dumps(value, ensure_ascii=False)}")
    print("Guidelines:  " + ("; ".join(f"{kind}: {', '.join(codes)}"
                                       for kind, codes in shown["guidelines"].items())
                             or "none (the app shows Qalam's general ones)"))
    tasks = shown["tasks"]
    if not tasks:
        print("Tasks:       none yet; `qalam-server import-tasks FILE --project "
              f"{shown['id']}` loads them.")
        return
    print(f"Tasks:       {sum(c['tasks'] for c in tasks)}")
    table(["LANGUAGE", "KIND", "ORIGIN", "TASKS"],
          [[c["language"], c["kind"], c["origin"], str(c["tasks"])] for c in tasks],
          indent="  ")


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


@command("project", "set", help="change settings (key=value …)",
         description="Change a project's settings by dotted name, e.g. "
                     "distribution.page_size=10 acceptance.min_accepted_per_language=100 "
                     "rules.min_edit_distance=5 dialects='[\"Dakhini\"]'. Values are JSON.")
@option("id", metavar="ID")
@option("assignments", nargs="+", metavar="KEY=VALUE")
def cmd_project_set(args, engine, url) -> int:
    changes = parse_assignments(args.assignments)
    settings = update_settings(engine, args.id, changes).to_dict()
    values = dict(_flatten(settings))
    for key, _ in _flatten(changes):
        print(f"{args.id}: {key} = {json.dumps(values.get(key), ensure_ascii=False)}")
    return 0


group("project", "guidelines", help="set, list or remove guidelines per language",
      description="The guidelines annotators read beside each kind of work, one Markdown text "
                  "per language; devices get a change on their next pull. The app shows the "
                  "content language's text, else the interface language's, else English.")
KIND_AND_LANGUAGE = options(
    option("--kind", choices=TASK_KINDS, required=True, help="the kind of work"),
    option("--language", metavar="CODE", default=DEFAULT_LANGUAGE,
           help="a language code such as urd_Arab or ur (default: "
                f"{DEFAULT_LANGUAGE}, which every language falls back to)"),
)


@command("project", "guidelines", "set", help="set one kind's text in one language",
         description="Set the guidelines for one kind of work in one language from a UTF-8 "
                     "Markdown file.")
@option("id", metavar="ID")
@option("file", type=Path, metavar="FILE", help="a UTF-8 Markdown file (- reads standard input)")
@option("--draft", action="store_true",
        help="mark the text as a machine draft awaiting native review")
@KIND_AND_LANGUAGE
def cmd_guidelines_set(args, engine, url) -> int:
    language = guideline_language(args.language)
    text = _read_markdown(args.file)
    set_guideline(engine, args.id, kind=args.kind, language=language, text=text,
                  draft=args.draft)
    print(f"{args.id}: {args.kind} guidelines in {language} set ({len(text):,} characters"
          f"{', a machine draft' if args.draft else ''}); devices get them on their next "
          "sync.")
    return 0


@command("project", "guidelines", "remove", help="remove one kind's text in one language",
         description="Remove the guidelines for one kind of work in one language; the app "
                     "falls back to English.")
@option("id", metavar="ID")
@KIND_AND_LANGUAGE
def cmd_guidelines_remove(args, engine, url) -> int:
    language = guideline_language(args.language)
    set_guideline(engine, args.id, kind=args.kind, language=language, text=None)
    print(f"{args.id}: removed the {args.kind} guidelines in {language}; devices get the "
          "change on their next sync.")
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


@command("project", "guidelines", "list", help="what guidelines a project has",
         description="Each kind and language a project has guidelines for, with their length "
                     "and draft mark.")
@option("id", metavar="ID")
@json_option()
def cmd_guidelines_list(args, engine, url) -> int:
    return listing(
        args, list_guidelines(engine, args.id),
        empty=f"{args.id}: no guidelines yet; the app shows Qalam's general ones. "
              f"`qalam-server project guidelines set {args.id} FILE.md --kind original "
              "--language urd_Arab` sets some.",
        header=["KIND", "LANGUAGE", "CHARACTERS", "DRAFT"],
        row=lambda r: [r["kind"], r["language"], f"{r['characters']:,}",
                       "yes" if r["draft"] else ""])


@command("import-tasks", help="import a task file into a project",
         description="Import tasks from JSONL or CSV (Qalam's schema or the Aya dataset's), "
                     "Parquet, or XLIFF 2.x/1.2 (post-editing: source and machine "
                     "translation). The whole file or nothing; importing it twice adds "
                     "nothing.")
@option("file", type=Path, metavar="FILE")
@option("--project", required=True, help="project id (created when new)")
@option("--project-name", help="project name when it is new (default: the id)")
@option("--kind", choices=[k for k in TASK_KINDS if k != "review"],
        help="the kind of rows that do not say theirs")
@option("--origin", choices=ORIGINS,
        help="where the rows' text came from, when they do not say (human-written work is "
             "served first)")
# Not choices=FORMATS: that would load the importers (and their libraries) for every
# command; import_file names the formats when given another.
@option("--format", dest="file_format", metavar="FORMAT",
        help="jsonl, csv, parquet or xliff (default: from the file's extension)")
@option("--allow-mismatch", action="store_true",
        help="take rows whose language name or script disagrees with their language_code "
             "as they say (refused by default, naming the line and field)")
def cmd_import_tasks(args, engine, url) -> int:
    from sync.server.work.imports import import_file

    progress = _ImportBars(args.file, args.file_format)
    try:
        result = import_file(engine, args.file, project_id=args.project, kind=args.kind,
                             origin=args.origin, file_format=args.file_format,
                             project_name=args.project_name, progress=progress,
                             allow_mismatch=args.allow_mismatch)
    finally:
        progress.close()
    print(f"{args.file.name}: {result.added} new, {result.updated} updated, "
          f"{result.unchanged} unchanged tasks in project {args.project}"
          f"{' (new project)' if result.project_created else ''}.")
    return 0


class _ImportBars:
    """``progress(done, total, stage)`` as one tqdm bar per stage (checking, then storing) on
    standard error, shown on a terminal only; a new stage closes the bar before it."""

    def __init__(self, file: Path, file_format: str | None):
        self.file = file
        self.file_format = file_format
        self.bars: dict = {}

    def __call__(self, done: int, total: int, stage: str) -> None:
        bar = self.bars.get(stage)
        if bar is None:  # not `or`: a tqdm bar of total 0 is false
            bar = self._start(stage, total)
        bar.total = max(total, done)
        bar.update(done - bar.n)

    def _start(self, stage: str, total: int):
        from tqdm import tqdm

        from sync.server.work.imports import FORMATS

        self.close()
        parquet = (self.file_format or "") == "parquet" or \
            self.file.suffix.lower() in FORMATS["parquet"]
        reading = stage == "reading" and not parquet  # Parquet is read in rows, not bytes
        bar = self.bars[stage] = tqdm(
            total=total, desc=f"{'Checking' if stage == 'reading' else 'Storing'} "
                              f"{self.file.name}",
            unit="B" if reading else " rows", unit_scale=True, leave=False, file=sys.stderr,
            disable=None)
        return bar

    def close(self) -> None:
        for bar in self.bars.values():
            bar.close()


@command("project", "coordinators", help="name who coordinates a project",
         description="Once a project names its coordinators, only they comment on and decide "
                     "its items; a project that names nobody is open to every coordinator.")
@option("id", metavar="PROJECT")
@option("--add", metavar="NAME", action="append", default=[], help="a coordinator to add")
@option("--remove", metavar="NAME", action="append", default=[],
        help="a coordinator to take off")
@json_option()
def cmd_project_coordinators(args, engine, url) -> int:
    from sync.server.people.auditlog import Actor
    from sync.server.work import projects

    if args.add or args.remove:
        names = projects.set_coordinators(engine, args.id, add=args.add, remove=args.remove,
                                          by=Actor.command_line())
    else:
        names = projects.coordinators(engine, args.id)
    return emit(args, {"project": args.id, "coordinators": names},
                lambda: print(f"{args.id}: " + (", ".join(names) if names else
                                                 "every coordinator (nobody named)")))
