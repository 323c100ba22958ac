"""The coordinators' dashboard: server-rendered HTML pages (being built; issue 6)."""

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
