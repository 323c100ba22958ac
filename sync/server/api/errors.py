"""Every failure as an :class:`~sync.protocol.ErrorBody` with a stable ``code``.

    install_error_handlers(app)       # sync.server.api.factory does this

Validation errors, unknown paths, wrong methods, a database that does not answer and crashes
alike; a :class:`~sync.server.errors.ServerError` carries its own code and status. A missing
dashboard page is an HTML page instead (:func:`sync.server.web.site.not_found_page`): people
read those, not clients.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse

from sync.protocol import ErrorBody, ErrorCode
from sync.server.api.body import error_response
from sync.server.errors import ServerError
from sync.server.web.site import not_found_page

log = logging.getLogger("qalam.server")

_HTTP_CODES = {
    401: ErrorCode.unauthorized, 403: ErrorCode.forbidden, 404: ErrorCode.not_found,
    413: ErrorCode.payload_too_large, 415: ErrorCode.unsupported_encoding,
    426: ErrorCode.upgrade_required, 429: ErrorCode.rate_limited, 503: ErrorCode.unavailable,
}


def install_error_handlers(app: FastAPI) -> None:
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
            return not_found_page(request)  # people read these, not clients
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
