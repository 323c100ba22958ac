"""``GET /healthz``: 200 when the database answers, for load balancers and monitors."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy.exc import OperationalError

from sync.protocol import ErrorCode
from sync.server.api.deps import DatabaseEngine
from sync.server.db import current_seq, read
from sync.server.errors import ServerError

router = APIRouter(tags=["operations"])


@router.get("/healthz")
def healthz(engine: DatabaseEngine) -> dict:
    """200 when the database answers (no token needed)."""
    try:
        seq = read(engine, current_seq)
    except OperationalError as exc:
        raise ServerError(ErrorCode.unavailable, "The database does not answer.") from exc
    return {"ok": True, "database": engine.dialect.name, "server_seq": seq}
