"""How a device meets the server: who the server is, and a one-time code for a token.

    GET  /v1/info     -> ServerInfo      no token needed; versions the server speaks
    POST /v1/enroll   EnrollRequest -> EnrollResult
"""

from __future__ import annotations

from fastapi import APIRouter, Request

from app import clock
from sync.protocol import (
    MIN_PROTOCOL_VERSION,
    PROTOCOL_VERSION,
    EnrollRequest,
    EnrollResult,
    ServerInfo,
)
from sync.server.api.deps import ERRORS, DatabaseEngine
from sync.server.db import read
from sync.server.people import enrollment
from sync.server.people.server_identity import server_identity

router = APIRouter(tags=["sync"])


@router.get("/v1/info", response_model=ServerInfo)
def info(request: Request, engine: DatabaseEngine) -> ServerInfo:
    """Who the server is and which protocol versions it speaks (no token needed)."""
    server_id = read(engine, lambda conn: server_identity(conn).server_id)
    return ServerInfo(
        server_id=server_id, protocol_version=PROTOCOL_VERSION,
        min_protocol_version=MIN_PROTOCOL_VERSION,
        max_body_bytes=request.app.state.max_body_bytes, server_time=clock.utc_now(),
    )


@router.post("/v1/enroll", response_model=EnrollResult, responses=ERRORS)
def enroll(body: EnrollRequest, request: Request, engine: DatabaseEngine) -> EnrollResult:
    """Exchange a one-time code from a coordinator for this device's token."""
    client = request.client.host if request.client else ""
    return enrollment.enroll(engine, body, client=client)
