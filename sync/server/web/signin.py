"""Signing in and out, and the UI language switch.

    GET  /dashboard/sign-in          the form (name + password, or a device token)
    POST /dashboard/sign-in          -> the session cookie, then the page asked for
    POST /dashboard/sign-out
    POST /dashboard/language         the switch on every page (kept in the session)

Before a session exists the sign-in form is protected by a double-submit token (a cookie and
the same value in the form), and its language lives in a cookie.
"""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import Form, Request
from starlette.responses import RedirectResponse, Response

from sync.server.web import sessions
from sync.server.web.locale import normalize
from sync.server.web.site import (
    LANGUAGE_COOKIE,
    PREFIX,
    SESSION_COOKIE,
    SIGN_IN_CSRF_COOKIE,
    PublicPage,
    SignedIn,
    SignedInForm,
    new_router,
)

router = new_router()


def _cookie_options(request: Request) -> dict:
    return {"httponly": True, "samesite": "strict", "path": PREFIX,
            "secure": request.url.scheme == "https"}


def _safe_next(target: str | None, default: str) -> str:
    # Only paths inside the dashboard: never an open redirect to another site.
    if target and target.startswith(PREFIX + "/") and "//" not in target and "\\" not in target:
        return target
    return default


def _home(session: sessions.Session) -> str:
    return f"{PREFIX}/" if session.is_coordinator else f"{PREFIX}/audits"


@router.get("/sign-in")
def sign_in_form(page: PublicPage, next: str | None = None) -> Response:
    if page.session is not None:
        return RedirectResponse(_safe_next(next, _home(page.session)), 303)
    return _form(page, next=next)


def _form(page, *, next: str | None = None, problem: str = "", retry: int = 0,
          name: str = "", status: int = 200) -> Response:
    token = page.request.cookies.get(SIGN_IN_CSRF_COOKIE) or secrets.token_urlsafe(32)
    response = page.render("sign_in.html", status=status, sign_in_csrf=token,
                           next=_safe_next(next, ""), problem=problem, retry=retry, name=name)
    response.set_cookie(SIGN_IN_CSRF_COOKIE, token, max_age=3600,
                        **_cookie_options(page.request))
    return response


@router.post("/sign-in")
def sign_in(
    page: PublicPage,
    csrf: Annotated[str, Form()] = "",
    name: Annotated[str, Form(max_length=200)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
    token: Annotated[str, Form(max_length=200)] = "",
    next: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    request = page.request
    expected = request.cookies.get(SIGN_IN_CSRF_COOKIE, "")
    if not expected or not secrets.compare_digest(expected, csrf):
        return _form(page, next=next, problem="expired", name=name, status=403)
    if not token and not (name and password):
        return _form(page, next=next, problem="missing", name=name, status=400)
    try:
        session, cookie = sessions.sign_in(
            page.engine, name=name, password=password, token=token,
            client=request.client.host if request.client else "", language=page.ui.tag)
    except sessions.SignInRefused as refused:
        status = 429 if refused.kind == "rate" else 403
        response = _form(page, next=next, problem=refused.kind, name=name, status=status,
                         retry=refused.retry_after // 60 + 1)
        if refused.retry_after:
            response.headers["Retry-After"] = str(refused.retry_after)
        return response
    response = RedirectResponse(_safe_next(next, _home(session)), 303)
    response.set_cookie(SESSION_COOKIE, cookie, max_age=sessions.SESSION_HOURS * 3600,
                        **_cookie_options(request))
    response.delete_cookie(SIGN_IN_CSRF_COOKIE, path=PREFIX)
    return response


@router.post("/sign-out")
def sign_out(page: SignedInForm) -> Response:
    sessions.sign_out(page.engine, page.session)
    response = RedirectResponse(f"{PREFIX}/sign-in", 303)
    response.delete_cookie(SESSION_COOKIE, path=PREFIX)
    return response


@router.post("/language")
async def switch_language(
    page: PublicPage,
    csrf: Annotated[str, Form()] = "",
    lang: Annotated[str, Form(max_length=20)] = "en",
    back: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    tag = normalize(lang)
    if page.session is not None:
        if not sessions.csrf_ok(page.session, csrf):
            return page.render("problem.html", status=403, kind="form_expired", detail="")
        sessions.set_language(page.engine, page.session, tag)
        return RedirectResponse(_safe_next(back, _home(page.session)), 303)
    expected = page.request.cookies.get(SIGN_IN_CSRF_COOKIE, "")
    if not expected or not secrets.compare_digest(expected, csrf):
        return page.render("problem.html", status=403, kind="form_expired", detail="")
    response = RedirectResponse(_safe_next(back, f"{PREFIX}/sign-in"), 303)
    response.set_cookie(LANGUAGE_COOKIE, tag, max_age=365 * 86400,
                        **_cookie_options(page.request))
    return response


@router.get("/")
def home(page: SignedIn) -> Response:
    if not page.session.is_coordinator:
        return RedirectResponse(f"{PREFIX}/audits", 303)
    return RedirectResponse(f"{PREFIX}/overview", 303)
