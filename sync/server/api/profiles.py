"""The caller's own profile, for the export's demographics table.

    GET /v1/profile            -> Profile     the caller's own profile (empty when none given)
    PUT /v1/profile  Profile   -> Profile     replace it (what is left out is no longer given)

Stored and checked by :mod:`sync.server.people.profiles`.
"""

from __future__ import annotations

from fastapi import APIRouter

from sync.protocol import Profile
from sync.server.api.deps import ERRORS, CurrentDevice, DatabaseEngine
from sync.server.people.profiles import get_profile, set_profile

router = APIRouter(tags=["people"])


@router.get("/v1/profile", response_model=Profile, responses=ERRORS)
def read_profile(device: CurrentDevice, engine: DatabaseEngine) -> Profile:
    """What this device's user chose to share (every field empty when nothing was given)."""
    return get_profile(engine, device.user_id) or Profile()


@router.put("/v1/profile", response_model=Profile, responses=ERRORS)
def write_profile(body: Profile, device: CurrentDevice, engine: DatabaseEngine) -> Profile:
    """Replace this device's user's profile; a field left out or empty is no longer given."""
    return set_profile(engine, device.user_id, body)
