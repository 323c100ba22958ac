"""Handing out work: per-language queues, leases, the audit cap (being built; see issue 6)."""

from fastapi import APIRouter

router = APIRouter(tags=["work"])
