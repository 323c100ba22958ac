"""What endpoints in several modules depend on: the database engine and the calling device.

    @router.get("/v1/leaderboard")
    def leaderboard(device: CurrentDevice, engine: DatabaseEngine) -> Leaderboard: ...

The engine lives on ``app.state`` (set by :func:`sync.server.api.factory.create_app`), so
routers in other modules need no globals.
"""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.engine import Engine

from sync.protocol import ErrorBody
from sync.server.people import authentication, users

bearer = HTTPBearer(auto_error=False, description="The device token from /v1/enroll.")
ERRORS = {status: {"model": ErrorBody} for status in (400, 401, 403, 413, 415, 422, 426, 429)}
_APP_VERSION = re.compile(r"\bQalam/([A-Za-z0-9.+_-]{1,50})")


def database_engine(request: Request) -> Engine:
    return request.app.state.engine


def current_device(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> users.Device:
    """The device whose token the request carries (401 otherwise); notes its app version."""
    token = credentials.credentials if credentials else None
    agent = _APP_VERSION.search(request.headers.get("user-agent", ""))
    return authentication.authenticate(request.app.state.engine, token,
                                       app_version=agent.group(1) if agent else None)


DatabaseEngine = Annotated[Engine, Depends(database_engine)]
CurrentDevice = Annotated[users.Device, Depends(current_device)]
