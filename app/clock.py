"""Timestamps as stored: ISO 8601, UTC, millisecond precision, always ASCII digits."""

from __future__ import annotations

from datetime import UTC, datetime


def utc_now() -> str:
    """``'2026-11-26T06:41:44.123Z'`` — sorts as text in time order."""
    return stamp(datetime.now(UTC))


def stamp(moment: datetime) -> str:
    """A time as stored (see :func:`utc_now`); ``moment`` must know its time zone."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))
