"""The FastAPI app: the endpoints of :mod:`sync.protocol` and the dashboard, on one engine.

    app = create_app(engine)      # uvicorn.run(app) — see sync.server.cli
    # serve --workers N: each worker process builds its own from the environment
    uvicorn.run("sync.server.api.factory:app_from_environment", factory=True, workers=N)

The routers are listed in :data:`ROUTERS`, in the order their routes are matched and shown in
``/openapi.json``. Every error, including validation errors, unknown paths, wrong methods and
crashes, is an :class:`~sync.protocol.ErrorBody` with a stable ``code``
(:mod:`sync.server.api.errors`).
"""

from __future__ import annotations

import gc
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio.to_thread
from fastapi import FastAPI
from sqlalchemy.engine import Engine
from starlette.middleware.gzip import GZipMiddleware

from app import __version__
from sync import protocol
from sync.protocol import MAX_BODY_BYTES, ErrorBody
from sync.server import db, web
from sync.server.api import enrollment, exchange, health, leaderboards, profiles, work
from sync.server.api.body import RequestBodyMiddleware
from sync.server.api.errors import install_error_handlers
from sync.server.web.jobs import DEFAULT_THREADS, Runner

ENV_TLS_FINGERPRINT = "QALAM_TLS_FINGERPRINT"
ENV_JOB_THREADS = "QALAM_JOB_THREADS"
ENV_DB_CONNECTIONS = "QALAM_DB_CONNECTIONS"
ROUTERS = (enrollment.router, exchange.router, health.router, work.router,
           leaderboards.router, profiles.router, web.router)


def create_app(engine: Engine, *, max_body_bytes: int = MAX_BODY_BYTES,
               tls_fingerprint: str = "", job_threads: int = DEFAULT_THREADS,
               request_threads: int | None = None) -> FastAPI:
    """The server's app. ``tls_fingerprint`` (hex SHA-256 of the certificate ``serve --tls``
    uses) goes on enrollment cards, so a device pins that certificate without typing.
    ``job_threads``: how many dashboard imports and exports this process runs at once (0:
    none, other processes run them); while the app runs it also looks for queued ones.
    ``request_threads``: how many requests use the database at once (anyio's default, 40,
    when not given); more wait for a thread, not for a connection."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if request_threads is not None:
            anyio.to_thread.current_default_thread_limiter().total_tokens = request_threads
        app.state.jobs.start_polling()
        try:
            yield
        finally:
            app.state.jobs.stop()

    app = FastAPI(
        title="Qalam sync server", version=__version__,
        description=(protocol.__doc__ or "").strip(),
        responses={500: {"model": ErrorBody}, 503: {"model": ErrorBody}},
        lifespan=lifespan,
    )
    app.state.engine = engine
    app.state.max_body_bytes = max_body_bytes
    app.state.tls_fingerprint = tls_fingerprint.replace(":", "").lower()
    app.state.jobs = Runner(engine, job_threads)
    install_error_handlers(app)
    for router in ROUTERS:
        app.include_router(router)
    app.add_middleware(RequestBodyMiddleware, max_body_bytes=max_body_bytes)
    app.add_middleware(GZipMiddleware, minimum_size=1000)
    return app


def app_from_environment() -> FastAPI:
    """The app of one worker process of ``serve --workers N`` (uvicorn starts each worker
    from this import string): the database, the certificate's fingerprint and the number of
    job threads come from the environment ``serve`` set before starting them."""
    job_threads = int(os.environ.get(ENV_JOB_THREADS, DEFAULT_THREADS))
    connections = int(os.environ.get(ENV_DB_CONNECTIONS, db.DEFAULT_CONNECTIONS))
    return serving_app(db.database_url(None), connections=connections,
                       job_threads=job_threads,
                       tls_fingerprint=os.environ.get(ENV_TLS_FINGERPRINT, ""))


def serving_app(url: str, *, connections: int, job_threads: int,
                tls_fingerprint: str = "") -> FastAPI:
    """The app of a serving process whose database use is bounded by ``connections``: each
    job thread and the job poller hold one; requests share the rest."""
    engine = db.create_engine(url, connections=connections)
    app = create_app(engine, tls_fingerprint=tls_fingerprint, job_threads=job_threads,
                     request_threads=request_threads(connections, job_threads))
    # What is loaded by now (modules, models, the app) lives as long as the process: moved
    # out of the collector's sight, a full collection during a push no longer walks it. It
    # was about a fifth of a push's CPU (three full collections over ~10,000 records).
    gc.collect()
    gc.freeze()
    return app


def request_threads(connections: int, job_threads: int) -> int:
    """What is left of ``connections`` for requests once the job threads and poller have
    theirs (at least 1)."""
    return max(1, connections - job_threads - (1 if job_threads else 0))


__all__ = ["app_from_environment", "create_app", "serving_app"]
