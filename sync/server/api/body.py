"""Request bodies: size limits checked while reading, gzip/zstd decompressed with a bound.

An ASGI middleware in front of the app. It reads the whole body (at most
``MAX_BODY_BYTES`` plus a little on the wire), inflates it into at most ``MAX_BODY_BYTES``
(so a zip bomb stops at the limit, never in memory), and hands the app the plain body. The
protocol-version check is here too, so an outdated client is turned away before its body is
read.
"""

from __future__ import annotations

import io
import zlib

import zstandard
from starlette.datastructures import Headers
from starlette.responses import JSONResponse

from sync.protocol import (
    MAX_BODY_BYTES,
    MIN_PROTOCOL_VERSION,
    PROTOCOL_HEADER,
    PROTOCOL_VERSION,
    ErrorCode,
)
from sync.server.errors import ServerError

WIRE_SLACK = 64 * 1024           # compressed or not, a body never needs more than this extra
ZSTD_MAX_WINDOW = 1 << 24        # refuse frames that would need a bigger window (memory)
EXEMPT_FROM_VERSION = {"/v1/info"}  # how a client learns which versions the server speaks
# File uploads (the dashboard's task import) are streamed to the app, which spools them to
# disk, with their own, larger limit: an Aya task file is often tens of megabytes.
STREAMED_UPLOADS = {"/dashboard/import": 1 << 30}


class TooLarge(Exception):
    pass


class BadBody(Exception):
    pass


def error_response(error: ServerError) -> JSONResponse:
    return JSONResponse(error.body().model_dump(mode="json"), status_code=error.status,
                        headers=error.headers)


def too_large(limit: int) -> ServerError:
    return ServerError(
        ErrorCode.payload_too_large,
        f"The request body is larger than the server accepts ({limit:,} bytes once "
        "decompressed); send fewer items per batch.",
        {"max_body_bytes": limit},
    )


def protocol_version(headers: Headers) -> int:
    """The client's protocol version (1 when the header is missing); ServerError otherwise."""
    raw = headers.get(PROTOCOL_HEADER)
    if raw is None:
        return 1
    try:
        version = int(raw.strip())
    except ValueError:
        raise ServerError(ErrorCode.invalid_request,
                          f"The {PROTOCOL_HEADER} header must be a whole number.") from None
    if not MIN_PROTOCOL_VERSION <= version <= PROTOCOL_VERSION:
        raise ServerError(
            ErrorCode.upgrade_required,
            "This server speaks sync protocol versions "
            f"{MIN_PROTOCOL_VERSION}–{PROTOCOL_VERSION}, not {version}; update Qalam (or the "
            "server). Nothing was changed.",
            {"protocol_version": PROTOCOL_VERSION, "min_protocol_version": MIN_PROTOCOL_VERSION,
             "client_protocol_version": version},
        )
    return version


def inflate(raw: bytes, encoding: str, limit: int) -> bytes:
    if encoding in ("", "identity"):
        if len(raw) > limit:
            raise TooLarge
        return raw
    if encoding in ("gzip", "x-gzip"):
        return _gunzip(raw, limit)
    if encoding == "zstd":
        return _unzstd(raw, limit)
    raise AssertionError(encoding)


def _gunzip(raw: bytes, limit: int) -> bytes:
    out = bytearray()
    data = raw
    try:
        while data:
            inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
            pending = data
            while pending and not inflater.eof:
                out += inflater.decompress(pending, limit + 1 - len(out))  # never 0: unbounded
                if len(out) > limit:
                    raise TooLarge
                pending = inflater.unconsumed_tail
            if not inflater.eof:
                raise BadBody("the gzip data ends early")
            data = inflater.unused_data
    except zlib.error as exc:
        raise BadBody(f"not valid gzip data ({exc})") from None
    return bytes(out)


def _unzstd(raw: bytes, limit: int) -> bytes:
    out = bytearray()
    try:
        reader = zstandard.ZstdDecompressor(max_window_size=ZSTD_MAX_WINDOW).stream_reader(
            io.BytesIO(raw), read_across_frames=True)
        while chunk := reader.read(min(65536, limit + 1 - len(out))):
            out += chunk
            if len(out) > limit:
                raise TooLarge
    except zstandard.ZstdError as exc:
        raise BadBody(f"not valid zstd data ({exc})") from None
    return bytes(out)


def _bounded(headers: Headers, receive, limit: int):
    """``receive`` for a streamed upload: refused up front when it says it is too big, cut
    off (as if the client left) when it sends more than ``limit`` bytes anyway."""
    length = headers.get("content-length")
    if length is not None and length.isdigit() and int(length) > limit:
        raise too_large(limit)
    if headers.get("content-encoding", "identity").strip().lower() not in ("", "identity"):
        raise ServerError(ErrorCode.unsupported_encoding,
                          "Upload the file as it is (no Content-Encoding).")
    received = 0

    async def bounded():
        nonlocal received
        message = await receive()
        received += len(message.get("body", b""))
        if received > limit:
            return {"type": "http.disconnect"}
        return message

    return bounded


class RequestBodyMiddleware:
    def __init__(self, app, max_body_bytes: int = MAX_BODY_BYTES):
        self.app = app
        self.limit = max_body_bytes

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = Headers(scope=scope)
        try:
            if scope["path"].startswith("/v1/") and scope["path"] not in EXEMPT_FROM_VERSION:
                protocol_version(headers)
            if scope["method"] not in ("POST", "PUT", "PATCH"):
                return await self.app(scope, receive, send)
            upload_limit = STREAMED_UPLOADS.get(scope["path"])
            if upload_limit is not None:
                return await self.app(scope, _bounded(headers, receive, upload_limit), send)
            body = await self._read(headers, receive)
        except ServerError as error:
            return await error_response(error)(scope, receive, send)
        if body is None:
            return None  # the client went away
        scope = dict(scope)
        scope["headers"] = [
            (k, v) for k, v in scope["headers"]
            if k not in (b"content-encoding", b"content-length", b"transfer-encoding")
        ] + [(b"content-length", str(len(body)).encode())]
        sent = False

        async def replay():
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        return await self.app(scope, replay, send)

    async def _read(self, headers: Headers, receive) -> bytes | None:
        encoding = headers.get("content-encoding", "identity").strip().lower()
        if encoding not in ("", "identity", "gzip", "x-gzip", "zstd"):
            raise ServerError(ErrorCode.unsupported_encoding,
                              f"Content-Encoding {encoding!r} is not supported; send the body "
                              "as is, gzip or zstd.", {"supported": ["gzip", "zstd"]})
        wire_limit = self.limit + WIRE_SLACK
        length = headers.get("content-length")
        if length is not None and length.isdigit() and int(length) > wire_limit:
            raise too_large(self.limit)
        raw = bytearray()
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return None
            raw += message.get("body", b"")
            if len(raw) > wire_limit:
                raise too_large(self.limit)
            if not message.get("more_body", False):
                break
        try:
            return inflate(bytes(raw), encoding, self.limit)
        except TooLarge:
            raise too_large(self.limit) from None
        except BadBody as exc:
            raise ServerError(ErrorCode.invalid_request,
                              f"The request body could not be decompressed: {exc}.") from None
