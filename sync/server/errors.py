"""The server's one exception, carrying a stable :class:`~sync.protocol.ErrorCode`.

Functions of every capability raise :class:`ServerError`; the HTTP layer turns it into an
:class:`~sync.protocol.ErrorBody` with the status below, and the CLI prints its message.
"""

from __future__ import annotations

from app.errors import QalamError
from sync.protocol import ErrorBody, ErrorCode

STATUS = {
    ErrorCode.invalid_request: 400,
    ErrorCode.unauthorized: 401,
    ErrorCode.token_revoked: 401,
    ErrorCode.forbidden: 403,
    ErrorCode.not_found: 404,
    ErrorCode.invalid_code: 403,
    ErrorCode.payload_too_large: 413,
    ErrorCode.unsupported_encoding: 415,
    ErrorCode.upgrade_required: 426,
    ErrorCode.rate_limited: 429,
    ErrorCode.unavailable: 503,
    ErrorCode.internal: 500,
}


class ServerError(QalamError):
    """An error with a stable code, a sentence a person can act on, and optional detail."""

    def __init__(
        self, code: ErrorCode, message: str, detail: dict | None = None, *,
        status: int | None = None, headers: dict[str, str] | None = None,
    ):
        super().__init__(message)
        self.code = ErrorCode(code)
        self.message = message
        self.detail = detail
        self.status = status or STATUS[self.code]
        self.headers = headers or {}

    def body(self) -> ErrorBody:
        return ErrorBody(code=self.code, message=self.message, detail=self.detail)
