"""The FastAPI app: the endpoints of :mod:`sync.protocol`, over :mod:`sync.server.engine`.

    app = create_app(engine)      # uvicorn.run(app) — see sync.server.cli

Every error, including validation errors, unknown paths, wrong methods and crashes, is an
:class:`~sync.protocol.ErrorBody` with a stable ``code``.
"""


import importlib
import logging
from typing import Annotated

from fastapi import FastAPI, Query, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.gzip import GZipMiddleware
from starlette.responses import JSONResponse

from app import __version__, clock
from sync import protocol
from sync.protocol import (
    DEFAULT_PULL_LIMIT,
    MAX_BODY_BYTES,
    MAX_PULL_LIMIT,
    MAX_SEQ,
    MIN_PROTOCOL_VERSION,
    PROTOCOL_VERSION,
    DigestRequest,
    DigestResult,
    EnrollRequest,
    EnrollResult,
    ErrorBody,
    ErrorCode,
    IdsRequest,
    IdsResult,
    ItemStatus,
    PullPage,
    PushBatch,
    PushResult,
    ServerInfo,
)
from sync.server import deps, identity
from sync.server import engine as ops
from sync.server.body import RequestBodyMiddleware, error_response
from sync.server.db import current_seq, read
from sync.server.errors import ServerError

log = logging.getLogger("qalam.server")
ERRORS = deps.ERRORS
# Routers of the coordinator's side, each in its own module (an APIRouter named ``router``).
ROUTERS = ("sync.server.distribution", "sync.server.leaderboards", "sync.server.profiles",
           "sync.server.web")


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
    app.state.tls_fingerprint = tls_fingerprint.replace(":", "").lower()
    _install_error_handlers(app)

    Device = deps.CurrentDevice

    @app.get("/v1/info", response_model=ServerInfo, tags=["sync"])
    def info() -> ServerInfo:
        """Who the server is and which protocol versions it speaks (no token needed)."""
        server_id = read(engine, lambda conn: identity.server_identity(conn).server_id)
        return ServerInfo(
            server_id=server_id, protocol_version=PROTOCOL_VERSION,
            min_protocol_version=MIN_PROTOCOL_VERSION, max_body_bytes=max_body_bytes,
            server_time=clock.utc_now(),
        )

    @app.post("/v1/enroll", response_model=EnrollResult, responses=ERRORS, tags=["sync"])
    def enroll(body: EnrollRequest, request: Request) -> EnrollResult:
        """Exchange a one-time code from a coordinator for this device's token."""
        client = request.client.host if request.client else ""
        return identity.enroll(engine, body, client=client)

    # Null fields are left out (an item's answer carries only what its status needs): on a
    # 2,000-item batch the nulls were about half of the raw answer. Clients read them as None.
    @app.post("/v1/push", response_model=PushResult, response_model_exclude_none=True,
              responses=ERRORS, tags=["sync"])
    def push(batch: PushBatch, device: Device, request: Request) -> PushResult:
        """Apply outbox entries, idempotently; every item gets its own answer."""
        result = ops.apply_push(engine, device, batch)
        if _client_protocol(request) >= 2:
            result = PushResult(high_water=result.high_water, results=[
                r.model_copy(update={"id": None})
                if r.status in (ItemStatus.created, ItemStatus.duplicate) else r
                for r in result.results])
        return result

    @app.get("/v1/pull", response_model=PullPage, responses=ERRORS, tags=["sync"])
    def pull(
        device: Device,
        cursor: Annotated[int, Query(ge=0, le=MAX_SEQ)] = 0,
        limit: Annotated[int, Query(ge=1, le=MAX_PULL_LIMIT)] = DEFAULT_PULL_LIMIT,
    ) -> PullPage:
        """Changes this device's user may see, after ``cursor``, in order."""
        return ops.pull_page(engine, device, cursor=cursor, limit=limit)

    @app.post("/v1/digest", response_model=DigestResult, responses=ERRORS, tags=["sync"])
    def digest(body: DigestRequest, device: Device) -> DigestResult:
        """Does the server hold the same records (ids and revisions) as the device?"""
        return ops.digest(engine, device, body)

    @app.post("/v1/ids", response_model=IdsResult, responses=ERRORS, tags=["sync"])
    def ids(body: IdsRequest, device: Device) -> IdsResult:
        """Which records each side should send again, after a digest mismatch."""
        return ops.ids(engine, device, body)

    @app.get("/healthz", tags=["operations"])
    def healthz() -> dict:
        """200 when the database answers (no token needed)."""
        try:
            seq = read(engine, current_seq)
        except OperationalError as exc:
            raise ServerError(ErrorCode.unavailable, "The database does not answer.") from exc
        return {"ok": True, "database": engine.dialect.name, "server_seq": seq}

    for module in ROUTERS:
        app.include_router(importlib.import_module(module).router)

    app.add_middleware(RequestBodyMiddleware, max_body_bytes=max_body_bytes)
    app.add_middleware(GZipMiddleware, minimum_size=1000)
    return app


def _client_protocol(request: Request) -> int:
    """The protocol version the client announced (RequestBodyMiddleware checked it)."""
    try:
        return int(request.headers.get(protocol.PROTOCOL_HEADER, MIN_PROTOCOL_VERSION))
    except ValueError:
        return MIN_PROTOCOL_VERSION


_HTTP_CODES = {
    401: ErrorCode.unauthorized, 403: ErrorCode.forbidden, 404: ErrorCode.not_found,
    413: ErrorCode.payload_too_large, 415: ErrorCode.unsupported_encoding,
    426: ErrorCode.upgrade_required, 429: ErrorCode.rate_limited, 503: ErrorCode.unavailable,
}


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ServerError)
    async def server_error(_request: Request, exc: ServerError):
        return error_response(exc)

    @app.exception_handler(RequestValidationError)
    async def invalid(_request: Request, exc: RequestValidationError):
        errors = [
            {"loc": [str(part) for part in e.get("loc", ())], "msg": str(e.get("msg", "")),
             "type": str(e.get("type", ""))}
            for e in exc.errors()[:20]
        ]
        first = errors[0] if errors else {"loc": [], "msg": "invalid request"}
        where = ".".join(first["loc"])
        return JSONResponse(
            jsonable_encoder(ErrorBody(
                code=ErrorCode.invalid_request,
                message=f"The request is not valid: {where}: {first['msg']}.",
                detail={"errors": errors},
            ).model_dump(mode="json")),
            status_code=422,
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        if exc.status_code in (404, 405) and request.url.path.startswith("/dashboard/"):
            from sync.server.web.site import not_found_page  # people read these, not clients

            return not_found_page(request)
        if exc.status_code == 404:
            message = f"There is nothing at {request.url.path}."
        elif exc.status_code == 405:
            message = f"{request.method} is not allowed on {request.url.path}."
        else:
            message = str(exc.detail)
        code = _HTTP_CODES.get(exc.status_code, ErrorCode.invalid_request)
        if exc.status_code >= 500:
            code = ErrorCode.internal
        return error_response(ServerError(code, message, status=exc.status_code,
                                          headers=dict(exc.headers or {})))

    @app.exception_handler(OperationalError)
    async def database_down(_request: Request, exc: OperationalError):
        log.error("database error: %s", exc)
        return error_response(ServerError(
            ErrorCode.unavailable, "The database is busy or unavailable; try again shortly.",
            headers={"Retry-After": "5"}))

    @app.exception_handler(Exception)
    async def crash(request: Request, exc: Exception):
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return error_response(ServerError(
            ErrorCode.internal, "The server failed unexpectedly; the error was logged."))


__all__ = ["create_app"]
