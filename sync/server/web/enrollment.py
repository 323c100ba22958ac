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
from sync.protocol import certificate_short_code
from sync.server import tables
from sync.server.db import read
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


@router.get("/enrollment")
def enrollment(page: Coordinator) -> Response:
    return page.render("enrollment.html", recent=_recent(page.engine), now=clock.utc_now(),
                       roles=users.ROLES, server=_default_server(page), values={},
                       invited=None)


@router.post("/enrollment")
def invite(
    page: CoordinatorForm,
    name: Annotated[str, Form(max_length=200)],
    role: Annotated[str, Form(max_length=20)],
    languages: Annotated[str, Form(max_length=2000)] = "",
    days: Annotated[float, Form(gt=0, le=365)] = users.DEFAULT_CODE_DAYS,
    server: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    codes = [c for c in languages.replace(" ", ",").split(",") if c.strip()]
    user, code, expires = users.invite(page.engine, name=name, role=role or None,
                                       languages=codes or None, days=days, by=page.actor)
    server = server.strip() or _default_server(page)
    fingerprint = page.request.app.state.tls_fingerprint
    link = enrollment_link(server, code, fingerprint)
    return page.render(
        "enrollment.html", recent=_recent(page.engine), now=clock.utc_now(),
        roles=users.ROLES, server=server, values={},
        invited={"user": user, "code": code, "expires": expires, "server": server,
                 "link": link, "certificate": (certificate_short_code(fingerprint)
                                               if fingerprint else ""),
                 "qr": qr_svg(link,
                              page.ui.gettext("Enrollment code for {name}", name=user.name))})
