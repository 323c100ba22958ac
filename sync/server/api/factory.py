"""The FastAPI app: the endpoints of :mod:`sync.protocol` and the dashboard, on one engine.

    app = create_app(engine)      # uvicorn.run(app) — see sync.server.cli

The routers are listed in :data:`ROUTERS`, in the order their routes are matched and shown in
``/openapi.json``. Every error, including validation errors, unknown paths, wrong methods and
crashes, is an :class:`~sync.protocol.ErrorBody` with a stable ``code``
(:mod:`sync.server.api.errors`).
"""

from __future__ import annotations

from fastapi import FastAPI
from sqlalchemy.engine import Engine
from starlette.middleware.gzip import GZipMiddleware

from app import __version__
from sync import protocol
from sync.protocol import MAX_BODY_BYTES, ErrorBody
from sync.server import web
from sync.server.api import enrollment, exchange, health, leaderboards, profiles, work
from sync.server.api.body import RequestBodyMiddleware
from sync.server.api.errors import install_error_handlers

ROUTERS = (enrollment.router, exchange.router, health.router, work.router,
           leaderboards.router, profiles.router, web.router)


def create_app(engine: Engine, *, max_body_bytes: int = MAX_BODY_BYTES,
               tls_fingerprint: str = "") -> FastAPI:
    """The server's app. ``tls_fingerprint`` (hex SHA-256 of the certificate ``serve --tls``
    uses) goes on enrollment cards, so a device pins that certificate without typing."""
    app = FastAPI(
        title="Qalam sync server", version=__version__,
        description=(protocol.__doc__ or "").strip(),
        responses={500: {"model": ErrorBody}, 503: {"model": ErrorBody}},
    )
    app.state.engine = engine
    app.state.max_body_bytes = max_body_bytes
    app.state.tls_fingerprint = tls_fingerprint.replace(":", "").lower()
    install_error_handlers(app)
    for router in ROUTERS:
        app.include_router(router)
    app.add_middleware(RequestBodyMiddleware, max_body_bytes=max_body_bytes)
    app.add_middleware(GZipMiddleware, minimum_size=1000)
    return app


__all__ = ["create_app"]
