"""What every dashboard page shares: the templates, the signed-in person, forms, errors.

    router = new_router()

    @router.get("/overview")
    def overview(page: Coordinator) -> HTMLResponse:
        return page.render("overview.html", rows=...)

    @router.post("/people/block")
    def block(page: CoordinatorForm, form: Annotated[BlockForm, Form()]) -> Response: ...

:class:`Page` carries the request, the database engine, the session (if any) and the UI
language (:class:`~sync.server.web.locale.UiLanguage`); ``page.render`` fills a Jinja2 template
with them. Routes made by :func:`new_router` answer in HTML whatever goes wrong: no session
sends the browser to the sign-in page, a missing or stale CSRF token or a page the role may not
see is a 403 page, a :class:`~sync.server.errors.ServerError` is a page with its message —
never the JSON error bodies of the sync API.
"""

from __future__ import annotations

import functools
import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from starlette.responses import HTMLResponse, RedirectResponse, Response

from app import __version__
from i18n.languages import UnknownLanguage, language_name
from i18n.languages import get as get_language
from i18n.translation import N_
from sync.server.errors import ServerError
from sync.server.people.auditlog import Actor
from sync.server.web import fonts, sessions
from sync.server.web.locale import UiLanguage, choices, negotiate, normalize

log = logging.getLogger("qalam.server.web")
PREFIX = "/dashboard"
SESSION_COOKIE = "qalam_session"
LANGUAGE_COOKIE = "qalam_lang"      # the sign-in page's language, before there is a session
SIGN_IN_CSRF_COOKIE = "qalam_csrf"  # double-submit token of the sign-in form
TEMPLATES = Path(__file__).resolve().parent / "templates"


@functools.cache
def stylesheet() -> tuple[bytes, str]:
    """The one stylesheet (the fonts' part, generated from the font files, then
    static/dashboard.css) and its version, a hash that pages put in its address."""
    css = fonts.font_css().encode() + (TEMPLATES.parent / "static" / "dashboard.css").read_bytes()
    return css, hashlib.sha256(css).hexdigest()[:12]

# Pages read only the site's own stylesheet; no scripts at all.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; font-src 'self'; "
                               "img-src 'self' data:; "
                               "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}

KIND_NAMES = {"original": N_("Original"), "reannotation": N_("Re-annotation"),
              "postedit": N_("Post-edit"), "review": N_("Review")}
ROLE_NAMES = {"annotator": N_("Annotator"), "reviewer": N_("Reviewer"),
              "coordinator": N_("Coordinator"), "auditor": N_("Auditor")}

_env = Environment(
    loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(("html", "svg")),
    undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
)


# --- what can go wrong on a page -------------------------------------------------------------


class SignInNeeded(Exception):
    pass


class NotAllowed(Exception):
    pass


class FormExpired(Exception):
    pass


class DashboardRoute(APIRoute):
    """Turns the dashboard's failures into HTML pages or a redirect to the sign-in page."""

    def get_route_handler(self) -> Callable:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            try:
                return await handler(request)
            except SignInNeeded:
                if request.method != "GET":  # a form cannot be sent again by a redirect
                    return RedirectResponse(f"{PREFIX}/sign-in", 303)
                target = request.url.path + (f"?{request.url.query}" if request.url.query
                                             else "")
                return RedirectResponse(f"{PREFIX}/sign-in?next={quote(target)}", 303)
            except NotAllowed:
                return _problem(request, 403, "not_allowed")
            except FormExpired:
                return _problem(request, 403, "form_expired")
            except RequestValidationError as exc:
                fields = sorted({".".join(str(p) for p in e.get("loc", ())[1:])
                                 for e in exc.errors()})
                return _problem(request, 400, "invalid", detail=", ".join(fields))
            except ServerError as exc:
                return _problem(request, exc.status, "server", detail=exc.message)
            except OperationalError:
                log.exception("database error on %s", request.url.path)
                return _problem(request, 503, "database", session=False)
            except Exception:  # a page, not a JSON error, for the person at the browser
                log.exception("dashboard error on %s", request.url.path)
                return _problem(request, 500, "crash", session=False)

        return route


def new_router() -> APIRouter:
    return APIRouter(route_class=DashboardRoute)


def not_found_page(request: Request) -> HTMLResponse:
    """An unknown /dashboard/… address, as a page (the API answers JSON for its own)."""
    return _problem(request, 404, "not_found", session=False)


def _problem(request: Request, status: int, kind: str, detail: str = "", *,
             session: bool = True) -> HTMLResponse:
    """The problem page; ``session=False`` when the database may be what failed."""
    page = Page.build(request, _session_of(request) if session else None)
    return page.render("problem.html", status=status, kind=kind, detail=detail)


# --- the page --------------------------------------------------------------------------------


@dataclass
class Page:
    request: Request
    engine: Engine
    session: sessions.Session | None
    ui: UiLanguage

    @classmethod
    def build(cls, request: Request, session: sessions.Session | None) -> Page:
        if session is not None:
            tag = session.language
        else:
            tag = request.cookies.get(LANGUAGE_COOKIE) or negotiate(
                request.headers.get("accept-language", ""))
        return cls(request, request.app.state.engine, session, UiLanguage.get(normalize(tag)))

    @property
    def actor(self) -> Actor:
        """The signed-in person and the address the request came from (the audit log's
        who and where; behind a named proxy, the client's own, see ``serve``)."""
        client = self.request.client
        return Actor(self.session.user_name if self.session else "",
                     address=client.host if client else "",
                     user_id=self.session.user_id if self.session else None)

    @property
    def csrf(self) -> str:
        return self.session.csrf if self.session else ""

    def url(self, path: str = "") -> str:
        return f"{PREFIX}{path}"

    def render(self, template: str, *, status: int = 200, **values) -> HTMLResponse:
        ui = self.ui
        html = _env.get_template(template).render(
            page=self, ui=ui, session=self.session, _=ui.gettext, ngettext=ui.ngettext,
            pgettext=ui.pgettext, number=ui.number, percent=ui.percent, when=ui.when,
            lang_of=lambda code: language_cell(code, ui.tag), url=self.url,
            kind_name=lambda kind: ui.gettext(KIND_NAMES[kind]) if kind in KIND_NAMES else kind,
            role_name=lambda role: ui.gettext(ROLE_NAMES[role]) if role in ROLE_NAMES else role,
            version=__version__,
            ui_choices=choices(), ui_name=dict(choices()).get(ui.tag, ui.tag),
            path=self.request.url.path, css_version=stylesheet()[1],
            **values)
        return HTMLResponse(html, status_code=status, headers=SECURITY_HEADERS)

    def redirect(self, path: str) -> RedirectResponse:
        return RedirectResponse(self.url(path), 303, headers={"Cache-Control": "no-store"})


@dataclass(frozen=True)
class LanguageCell:
    code: str
    name: str     # in the coordinator's UI language ("Thai", "تھائی")
    native: str   # in its own script ("ไทย"): for a tooltip, not drawn in the page
    dir: str      # the direction and language of *text in* the language (prompts, guidelines)
    lang: str


def language_cell(code: str | None, ui: str = "en") -> LanguageCell:
    """A content language for a table cell: its name in the UI language (CLDR), so a page
    shows no script but the coordinator's own (and fetches no font for it)."""
    if not code:
        return LanguageCell("", "–", "–", "auto", "")
    try:
        found = get_language(code)
    except UnknownLanguage:
        return LanguageCell(code, code, code, "auto", "")
    return LanguageCell(found.code, language_name(found.code, ui), found.native_name,
                        found.direction, found.bcp47)


# --- dependencies ----------------------------------------------------------------------------


def _session_of(request: Request) -> sessions.Session | None:
    cached = getattr(request.state, "web_session", False)
    if cached is not False:
        return cached
    session = sessions.load_session(request.app.state.engine,
                                    request.cookies.get(SESSION_COOKIE))
    request.state.web_session = session
    return session


def public_page(request: Request) -> Page:
    return Page.build(request, _session_of(request))


def signed_in_page(request: Request) -> Page:
    session = _session_of(request)
    if session is None:
        raise SignInNeeded
    return Page.build(request, session)


def coordinator_page(page: Annotated[Page, Depends(signed_in_page)]) -> Page:
    if not page.session.is_coordinator:
        raise NotAllowed
    return page


async def _checked(request: Request, page: Page) -> Page:
    form = await request.form()
    if not sessions.csrf_ok(page.session, form.get("csrf")):
        raise FormExpired
    return page


async def signed_in_form(request: Request,
                         page: Annotated[Page, Depends(signed_in_page)]) -> Page:
    return await _checked(request, page)


async def coordinator_form(request: Request,
                           page: Annotated[Page, Depends(coordinator_page)]):
    return await _checked(request, page)


PublicPage = Annotated[Page, Depends(public_page)]
SignedIn = Annotated[Page, Depends(signed_in_page)]
Coordinator = Annotated[Page, Depends(coordinator_page)]
SignedInForm = Annotated[Page, Depends(signed_in_form)]
CoordinatorForm = Annotated[Page, Depends(coordinator_form)]
