"""Leaderboards: points and quality scores per language and period (being built; issue 6)."""

from fastapi import APIRouter

router = APIRouter(tags=["people"])
