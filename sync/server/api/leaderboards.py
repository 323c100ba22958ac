"""``GET /v1/leaderboard``: the boards the app keeps to show offline.

They are scored by :mod:`sync.server.quality.leaderboards`.
"""

from __future__ import annotations

from fastapi import APIRouter

from sync.protocol import Leaderboards
from sync.server.api.deps import ERRORS, CurrentDevice, DatabaseEngine
from sync.server.quality.leaderboards import leaderboards

router = APIRouter(tags=["people"])


@router.get("/v1/leaderboard", response_model=Leaderboards, responses=ERRORS)
def get_leaderboard(device: CurrentDevice, engine: DatabaseEngine) -> Leaderboards:
    """Day, week and overall boards, across languages and for each of the caller's languages,
    with the caller's own row: the app keeps them to show offline."""
    return leaderboards(engine, device)
