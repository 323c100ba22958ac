"""Enrollment codes: invite someone, then show the one-time code large, on a printable card
with a QR code.

    GET  /dashboard/enrollment
    POST /dashboard/enrollment        name, role, languages, days, server -> the code page

The code is shown once (the server keeps only its hash, :mod:`sync.server.people.codes`). The QR
code (segno, inline SVG) holds ``qalam://enroll?server=URL&code=CODE&fp=SHA256``: pasted into
the app (or given to ``qalam enroll --link``) it connects and pins the server's self-signed
certificate with nothing typed; the code and the certificate's short code under it are what a
person types and compares without the link.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

import segno
import sqlalchemy as sa
from fastapi import Form
from markupsafe import Markup
from starlette.responses import Response

from app import clock
from i18n.languages import UnknownLanguage
from i18n.languages import get as get_language
from sync.protocol import certificate_short_code
from sync.server import tables
from sync.server.db import read
from sync.server.errors import ServerError
from sync.server.people import users
from sync.server.web.site import Coordinator, CoordinatorForm, new_router

router = new_router()
RECENT = 50
ENROLLMENT_CODES = tables.enrollment_codes
USERS = tables.users


def enrollment_link(server: str, code: str, fingerprint: str = "") -> str:
    """What the QR code holds: the server, the code, and the full SHA-256 of the server's
    certificate when it has a self-signed one (``serve --tls``)."""
    values = {"server": server, "code": code}
    if fingerprint and server.startswith("https://"):
        values["fp"] = fingerprint
    return "qalam://enroll?" + urlencode(values)


def qr_svg(text: str, title: str) -> Markup:
    svg = segno.make(text, error="m").svg_inline(scale=4, border=2, omitsize=True, title=title)
    return Markup(svg)  # segno escapes the title; the rest is its own markup


def _recent(engine) -> list:
    return read(engine, lambda conn: conn.execute(
        sa.select(ENROLLMENT_CODES.c.created_at, ENROLLMENT_CODES.c.expires_at,
                  ENROLLMENT_CODES.c.used_at, USERS.c.name, USERS.c.role)
        .select_from(ENROLLMENT_CODES.join(USERS, USERS.c.id == ENROLLMENT_CODES.c.user_id))
        .order_by(ENROLLMENT_CODES.c.created_at.desc()).limit(RECENT)).all())


def _default_server(page) -> str:
    return str(page.request.base_url).rstrip("/")


def _page(page, *, invited=None, values=None, errors=None, server="", status=200) -> Response:
    return page.render("enrollment.html", status=status, recent=_recent(page.engine),
                       now=clock.utc_now(), roles=users.ROLES,
                       server=server or _default_server(page), values=values or {},
                       errors=errors or {}, invited=invited)


@router.get("/enrollment")
def enrollment(page: Coordinator) -> Response:
    return _page(page)


def _check(page, typed: dict) -> tuple[dict, dict]:
    """The form's values as :func:`users.invite` takes them, and a message per bad field."""
    ui, errors, checked = page.ui, {}, {}
    checked["name"] = typed["name"].strip()
    if not checked["name"]:
        errors["name"] = ui.gettext("Give the person's name.")
    if typed["role"] not in users.ROLES:
        errors["role"] = ui.gettext("Choose a role.")
    codes = [c.strip() for c in typed["languages"].replace(" ", ",").split(",") if c.strip()]
    unknown = [c for c in codes if not _known(c)]
    if unknown:
        errors["languages"] = ui.gettext(
            "{codes}: not language codes Qalam knows; use codes such as urd_Arab or hin_Deva.",
            codes=", ".join(unknown))
    elif not codes and typed["role"] != "coordinator" and checked["name"] \
            and not _exists(page, checked["name"]):
        errors["languages"] = ui.gettext("Give the languages this person works in.")
    checked["languages"] = [_known(c) for c in codes] or None
    try:
        checked["days"] = float(typed["days"])
        if not 0 < checked["days"] <= 365:
            raise ValueError
    except ValueError:
        errors["days"] = ui.gettext("A number of days from 1 to 365.")
    server = typed["server"].strip()
    if server and not server.startswith(("http://", "https://")):
        errors["server"] = ui.gettext("An address such as https://192.168.1.20:8443.")
    checked["server"] = server or _default_server(page)
    return checked, errors


def _exists(page, name: str) -> bool:
    try:
        users.get_user(page.engine, name)
    except ServerError:
        return False
    return True


def _known(code: str) -> str | None:
    try:
        return get_language(code).code
    except UnknownLanguage:
        return None


@router.post("/enrollment")
def invite(
    page: CoordinatorForm,
    name: Annotated[str, Form(max_length=200)] = "",
    role: Annotated[str, Form(max_length=20)] = "",
    languages: Annotated[str, Form(max_length=2000)] = "",
    days: Annotated[str, Form(max_length=20)] = str(users.DEFAULT_CODE_DAYS),
    server: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    typed = {"name": name, "role": role, "languages": languages, "days": days,
             "server": server}
    checked, errors = _check(page, typed)
    if not errors:
        try:
            user, code, expires = users.invite(page.engine, name=checked["name"], role=role,
                                               languages=checked["languages"],
                                               days=checked["days"], by=page.actor)
        except ServerError as exc:
            errors["name"] = exc.message
    if errors:
        return _page(page, values=typed, errors=errors, server=typed["server"], status=400)
    server = checked["server"]
    fingerprint = page.request.app.state.tls_fingerprint
    link = enrollment_link(server, code, fingerprint)
    return _page(page, server=server, invited={
        "user": user, "code": code, "expires": expires, "server": server, "link": link,
        "certificate": certificate_short_code(fingerprint) if fingerprint else "",
        "qr": qr_svg(link, page.ui.gettext("Enrollment code for {name}", name=user.name))})
