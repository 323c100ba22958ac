"""What annotators chose to tell about themselves, for the demographics table (issue 6)."""

from fastapi import APIRouter

router = APIRouter(tags=["people"])
