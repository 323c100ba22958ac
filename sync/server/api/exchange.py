"""The exchange with devices over HTTP: push, pull, digest and ids.

    POST /v1/push     PushBatch     -> PushResult     outbox entries, idempotent
    GET  /v1/pull?cursor=&limit=    -> PullPage       changes for this device, in order
    POST /v1/digest   DigestRequest -> DigestResult   does the server hold what I hold?
    POST /v1/ids      IdsRequest    -> IdsResult      repair after a digest mismatch

Each endpoint is one call of the transaction functions offline bundles use too
(:mod:`sync.server.exchange`).
"""

from __future__ import annotations

import email.message
import json
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from sync import protocol
from sync.protocol import (
    DEFAULT_PULL_LIMIT,
    MAX_PULL_LIMIT,
    MAX_SEQ,
    MIN_PROTOCOL_VERSION,
    DigestRequest,
    DigestResult,
    IdsRequest,
    IdsResult,
    ItemStatus,
    PullPage,
    PushBatch,
    PushResult,
)
from sync.server.api.deps import ERRORS, CurrentDevice, DatabaseEngine
from sync.server.exchange import repair
from sync.server.exchange.pull import pull_page
from sync.server.exchange.push import apply_push

router = APIRouter(tags=["sync"])


def _inline_schema(model) -> dict:
    """``model``'s JSON schema with the definitions of its parts put in place, so it can
    stand in an operation of /openapi.json (where ``#/$defs/...`` would point nowhere)."""
    schema = model.model_json_schema()
    parts = schema.pop("$defs", {})

    def placed(node):
        if isinstance(node, dict):
            if set(node) == {"$ref"}:
                return placed(parts[node["$ref"].rsplit("/", 1)[1]])
            return {key: placed(value) for key, value in node.items()}
        if isinstance(node, list):
            return [placed(value) for value in node]
        return node

    return placed(schema)


async def pushed_batch(request: Request) -> PushBatch:
    """The body of a push, read and checked in one pass by pydantic-core (Rust JSON, no
    Python objects made only to be validated: json.loads and the model's check of them were
    most of the work of receiving a batch).

    Whatever that pass refuses is judged again the way FastAPI judges a declared body, so
    that decides: a payload holding an escaped lone surrogate is valid JSON to Python, and
    stays one item's problem (:mod:`sync.server.exchange.payloads` rejects it), not the
    batch's; anything else gets the same 422 with its place in the body."""
    body = await request.body()
    json_body = body and _declares_json(request.headers.get("content-type"))
    if json_body:
        try:
            return PushBatch.model_validate_json(body)
        except ValidationError:
            pass
    try:
        data = json.loads(body) if json_body else (body or None)
    except json.JSONDecodeError as exc:
        raise RequestValidationError([{"type": "json_invalid", "loc": ("body", exc.pos),
                                       "msg": "JSON decode error", "input": {},
                                       "ctx": {"error": exc.msg}}]) from None
    except (ValueError, RecursionError):  # not UTF-8, or nested past Python's limit
        raise RequestValidationError([{"type": "json_invalid", "loc": ("body",),
                                       "msg": "JSON decode error", "input": {}}]) from None
    if data is None:
        raise RequestValidationError([{"type": "missing", "loc": ("body",),
                                       "msg": "Field required", "input": None}])
    try:
        return PushBatch.model_validate(data)
    except ValidationError as exc:
        raise RequestValidationError([{**error, "loc": ("body", *error["loc"])}
                                      for error in exc.errors(include_url=False)]) from None


def _declares_json(content_type: str | None) -> bool:
    """Whether the body says it is JSON, as FastAPI decides it (strict content type)."""
    if not content_type:
        return False
    message = email.message.Message()
    message["content-type"] = content_type
    subtype = message.get_content_subtype()
    return message.get_content_maintype() == "application" and (
        subtype == "json" or subtype.endswith("+json"))


@router.post("/v1/push", response_model=PushResult, response_model_exclude_none=True,
             responses=ERRORS, openapi_extra={"requestBody": {"required": True, "content": {
                 "application/json": {"schema": _inline_schema(PushBatch)}}}})
def push(device: CurrentDevice, batch: Annotated[PushBatch, Depends(pushed_batch)],
         request: Request, engine: DatabaseEngine) -> Response:
    """Apply outbox entries, idempotently; every item gets its own answer."""
    result = apply_push(engine, device, batch)
    return Response(answer(result, _client_protocol(request)), media_type="application/json")


def answer(result: PushResult, protocol_version: int) -> bytes:
    """A push's answer as JSON, encoded once (pydantic-core) from the result as built.

    Null fields are left out (an item's answer carries only what its status needs): on a
    2,000-item batch the nulls were about half of the raw answer. Clients read them as None.
    Protocol 2+ clients match created and duplicate answers by seq, so those go without id.
    """
    exclude = None
    if protocol_version >= 2:
        exclude = {"results": {n: {"id"} for n, r in enumerate(result.results)
                               if r.status in _MATCHED_BY_SEQ}}
    return result.model_dump_json(exclude_none=True, exclude=exclude)


_MATCHED_BY_SEQ = (ItemStatus.created, ItemStatus.duplicate)


@router.get("/v1/pull", response_model=PullPage, responses=ERRORS)
def pull(
    device: CurrentDevice,
    engine: DatabaseEngine,
    request: Request,
    cursor: Annotated[int, Query(ge=0, le=MAX_SEQ)] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_PULL_LIMIT)] = DEFAULT_PULL_LIMIT,
) -> PullPage:
    """Changes this device's user may see, after ``cursor``, in order."""
    return pull_page(engine, device, cursor=cursor, limit=limit,
                     protocol=_client_protocol(request))


@router.post("/v1/digest", response_model=DigestResult, responses=ERRORS)
def digest(body: DigestRequest, device: CurrentDevice, engine: DatabaseEngine) -> DigestResult:
    """Does the server hold the same records (ids and revisions) as the device?"""
    return repair.digest(engine, device, body)


@router.post("/v1/ids", response_model=IdsResult, responses=ERRORS)
def ids(body: IdsRequest, device: CurrentDevice, engine: DatabaseEngine) -> IdsResult:
    """Which records each side should send again, after a digest mismatch."""
    return repair.ids(engine, device, body)


def _client_protocol(request: Request) -> int:
    """The protocol version the client announced (RequestBodyMiddleware checked it)."""
    try:
        return int(request.headers.get(protocol.PROTOCOL_HEADER, MIN_PROTOCOL_VERSION))
    except ValueError:
        return MIN_PROTOCOL_VERSION
