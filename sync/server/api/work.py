"""``POST /v1/work``: lease new work for the calling device's user.

The rules are :mod:`sync.server.work.distribution`'s.
"""

from __future__ import annotations

from fastapi import APIRouter

from sync.protocol import WorkRequest, WorkResult
from sync.server.api.deps import ERRORS, CurrentDevice, DatabaseEngine
from sync.server.work.distribution import serve_work

router = APIRouter(tags=["work"])


@router.post("/v1/work", response_model=WorkResult, responses=ERRORS)
def request_work(body: WorkRequest, device: CurrentDevice,
                 engine: DatabaseEngine) -> WorkResult:
    """Lease new work for this device's user; the tasks arrive with the next pull."""
    return serve_work(engine, device, limit=body.limit)
