"""Projects: their settings and per-language guidelines, edited on the project's page.

    GET  /dashboard/projects                           every project, with its tasks
    GET  /dashboard/projects/{id}?kind=…&language=…    settings, guidelines (one to edit)
    POST /dashboard/projects/{id}/settings             the numbers and switches, dialects
    POST /dashboard/projects/{id}/guidelines           kind, language, text, draft | remove

Saving goes through the same functions as ``qalam-server project set`` and ``project
guidelines set`` (:func:`~sync.server.work.projects.update_settings`,
:func:`~sync.server.work.projects.set_guideline`), so devices get the change on their next
pull and it is written to the audit log. Only a coordinator of the project may save
(:func:`~sync.server.work.projects.may_coordinate`: those named for it, or every coordinator
while nobody is). A form with a mistake comes back as it was typed, the problem beside the
field.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Annotated

import sqlalchemy as sa
from fastapi import Form
from starlette.responses import Response

from app import guidelines
from app.kinds import TASK_KINDS
from i18n.translation import N_
from sync.protocol import ErrorCode
from sync.server import tables
from sync.server.db import read, read_transaction
from sync.server.errors import ServerError
from sync.server.web.site import Coordinator, CoordinatorForm, NotAllowed, Page, new_router
from sync.server.work import projects

router = new_router()
MAX_DIALECTS = 200
TASKS = tables.tasks


@dataclass(frozen=True)
class Setting:
    section: str
    key: str
    label: str  # N_: translated when shown

    @property
    def name(self) -> str:
        return f"{self.section}.{self.key}"

    @property
    def default(self):
        return getattr(getattr(projects.ProjectSettings(), self.section), self.key)


SETTINGS = (
    Setting("distribution", "page_size", N_("Tasks a device holds at once")),
    Setting("distribution", "audits_per_item", N_("People each item goes to, at most")),
    Setting("distribution", "lease_hours", N_("Hours before unfinished work goes to others")),
    Setting("acceptance", "min_edit_distance", N_("Edit distance an edit needs to count")),
    Setting("acceptance", "min_accepted_per_language",
            N_("Accepted contributions a language needs to be exported")),
    Setting("acceptance", "min_mean_rating", N_("Mean peer rating an edit needs (1 to 5)")),
    Setting("acceptance", "min_ratings", N_("Ratings an edit needs before its mean counts")),
    Setting("acceptance", "exclude_flagged", N_("Flagged items wait for a coordinator")),
)


def _project(page: Page, project_id: str) -> dict:
    found = next((p for p in projects.list_projects(page.engine) if p["id"] == project_id),
                 None)
    if found is None:
        raise ServerError(ErrorCode.not_found, f"No project {project_id!r}.")
    return found


def _may_edit(page: Page, project_id: str) -> bool:
    return read(page.engine, lambda conn: projects.may_coordinate(
        conn, page.session.user_id, project_id))


@router.get("/projects")
def project_list(page: Coordinator) -> Response:
    with read_transaction(page.engine) as conn:
        tasks = dict(conn.execute(sa.select(TASKS.c.project_id, sa.func.count())
                                  .where(TASKS.c.deleted == sa.false())
                                  .group_by(TASKS.c.project_id)).all())
    return page.render("projects.html", projects=projects.list_projects(page.engine),
                       tasks=tasks)


def _render(page: Page, project_id: str, *, status: int = 200, values: dict | None = None,
            errors: dict | None = None, guide: dict | None = None, done: str = "") -> Response:
    project = _project(page, project_id)
    settings = project["settings"]
    shown = {s.name: settings[s.section][s.key] for s in SETTINGS}
    shown["dialects"] = "\n".join(settings.get("dialects") or [])
    payload = read(page.engine, lambda conn: conn.execute(
        sa.select(tables.projects.c.payload)
        .where(tables.projects.c.id == project_id)).scalar())
    texts = guidelines.parse(json.loads(payload).get("guidelines"))
    rows = [{"kind": kind, "language": language, "characters": len(g.text), "draft": g.draft}
            for kind, by_language in sorted(texts.items())
            for language, g in sorted(by_language.items())]
    guide = dict(guide or {})
    if "text" not in guide and guide.get("kind") in texts \
            and guide.get("language") in texts[guide["kind"]]:
        chosen = texts[guide["kind"]][guide["language"]]
        guide.update(text=chosen.text, draft=chosen.draft)
    return page.render(
        "project.html", status=status, project=project, settings=SETTINGS,
        values={**shown, **(values or {})}, errors=errors or {}, guide=guide, rows=rows,
        kinds=TASK_KINDS, may_edit=_may_edit(page, project_id),
        coordinators=projects.coordinators(page.engine, project_id), done=done)


@router.get("/projects/{project_id}")
def project_page(page: Coordinator, project_id: str, kind: str = "", language: str = "",
                 done: str = "") -> Response:
    return _render(page, project_id, guide={"kind": kind, "language": language}, done=done)


def _number(text: str, default) -> tuple[object, str | None]:
    """The typed value as the setting's type, or a message to show beside the field."""
    text = text.strip()
    try:
        value = float(text) if isinstance(default, float) else int(text)
    except ValueError:
        return None, (N_("A number, 0 or more.") if isinstance(default, float)
                      else N_("A whole number, 0 or more."))
    if value < 0:
        return None, N_("A number, 0 or more.")
    return value, None


@router.post("/projects/{project_id}/settings")
async def save_settings(page: CoordinatorForm, project_id: str) -> Response:
    _project(page, project_id)
    if not _may_edit(page, project_id):
        raise NotAllowed
    form = await page.request.form()
    typed = {s.name: str(form.get(s.name, ""))[:40] for s in SETTINGS
             if not isinstance(s.default, bool)}
    typed["dialects"] = str(form.get("dialects", ""))[:20_000]
    errors: dict[str, str] = {}
    changes: dict[str, dict] = {"distribution": {}, "acceptance": {}}
    for setting in SETTINGS:
        if isinstance(setting.default, bool):
            changes[setting.section][setting.key] = form.get(setting.name) == "on"
            typed[setting.name] = changes[setting.section][setting.key]
            continue
        value, problem = _number(typed[setting.name], setting.default)
        if problem:
            errors[setting.name] = page.ui.gettext(problem)
        else:
            changes[setting.section][setting.key] = value
    dialects = [line.strip() for line in typed["dialects"].splitlines() if line.strip()]
    if len(dialects) > MAX_DIALECTS or any(len(d) > 100 for d in dialects):
        errors["dialects"] = page.ui.gettext(
            "At most {n} dialects, one per line, each under 100 characters.", n=MAX_DIALECTS)
    changes["dialects"] = dialects
    if not errors:
        try:
            projects.update_settings(page.engine, project_id, changes, by=page.actor)
        except ServerError as exc:
            errors["settings"] = exc.message
    if errors:
        return _render(page, project_id, status=400, values=typed, errors=errors)
    return page.redirect(f"/projects/{project_id}?done=settings")


@router.post("/projects/{project_id}/guidelines")
def save_guidelines(
    page: CoordinatorForm, project_id: str,
    kind: Annotated[str, Form(max_length=20)] = "",
    language: Annotated[str, Form(max_length=40)] = "",
    text: Annotated[str, Form(max_length=4 * guidelines.MAX_GUIDELINE_CHARS)] = "",
    draft: Annotated[str, Form(max_length=5)] = "",
    remove: Annotated[str, Form(max_length=5)] = "",
) -> Response:
    _project(page, project_id)
    if not _may_edit(page, project_id):
        raise NotAllowed
    typed = {"kind": kind, "language": language.strip(), "text": text, "draft": draft == "on"}
    errors: dict[str, str] = {}
    if kind not in TASK_KINDS:
        errors["kind"] = page.ui.gettext("Choose a kind of work.")
    try:
        typed["language"] = projects.guideline_language(typed["language"])
    except ServerError:
        errors["language"] = page.ui.gettext(
            "{code} is not a language code Qalam knows; use a code such as urd_Arab or "
            "hin_Deva.", code=typed["language"] or "–")
    if not remove and not text.strip():
        errors["text"] = page.ui.gettext("Write the guidelines (Markdown), or remove them.")
    if not errors:
        try:
            projects.set_guideline(page.engine, project_id, kind=kind,
                                   language=typed["language"], text=None if remove else text,
                                   draft=typed["draft"], by=page.actor)
        except ServerError as exc:
            errors["text"] = exc.message
    if errors:
        return _render(page, project_id, status=400, errors=errors, guide=typed)
    return page.redirect(f"/projects/{project_id}?done={'removed' if remove else 'guidelines'}")
