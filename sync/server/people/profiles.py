"""What annotators chose to tell about themselves, for the export's demographics table.

    profile = get_profile(conn, user_id)            # sync.protocol.Profile, or None
    set_profile(engine, user_id, Profile(country="PK"))
    for user_id, profile in all_profiles(conn): ...  # the demographics table, streamed

A device reads and writes only its own user's profile (``GET``/``PUT /v1/profile``,
:mod:`sync.server.api.profiles`). Every field is optional. Values are
checked by :func:`app.profile.check` (the app checks the same way before saving): languages
must be registry codes, the country a two-letter code CLDR knows; an error names the field.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from app import clock
from app import profile as app_profile
from sync.protocol import ErrorCode, Profile
from sync.server import tables
from sync.server.db import read, run_write
from sync.server.errors import ServerError


def _checked(profile: Profile) -> Profile:
    try:
        clean = app_profile.check(app_profile.Profile.from_payload(profile.model_dump()))
    except app_profile.InvalidProfile as exc:
        raise ServerError(ErrorCode.invalid_request, str(exc), {"field": exc.field}) from exc
    return Profile.model_validate(clean.as_payload())


def get_profile(target: Engine | Connection, user_id: str) -> Profile | None:
    """The user's stored profile, or None when they never gave one."""

    def work(conn: Connection) -> Profile | None:
        row = conn.execute(
            sa.select(tables.profiles).where(tables.profiles.c.user_id == user_id)).first()
        return _profile(row) if row is not None else None

    return read(target, work)


def _profile(row) -> Profile:
    return Profile(age_range=row.age_range, gender=row.gender, country=row.country,
                   languages=json.loads(row.languages), dialects=json.loads(row.dialects))


def all_profiles(conn: Connection) -> Iterator[tuple[str, Profile]]:
    """``(user_id, profile)`` for every user who gave one, in user id order, streamed (for
    the export's demographics table; leave out blocked users there)."""
    rows = conn.execution_options(stream_results=True, yield_per=1000).execute(
        sa.select(tables.profiles).order_by(tables.profiles.c.user_id))
    for row in rows:
        yield row.user_id, _profile(row)


def set_profile(target: Engine | Connection, user_id: str, profile: Profile) -> Profile:
    """Check and store the whole profile of ``user_id``; returns what was stored."""
    profile = _checked(profile)
    values = {
        "age_range": profile.age_range, "gender": profile.gender, "country": profile.country,
        "languages": json.dumps(profile.languages, ensure_ascii=False),
        "dialects": json.dumps(profile.dialects, ensure_ascii=False),
    }

    def work(conn: Connection) -> Profile:
        now = clock.utc_now()
        updated = conn.execute(
            tables.profiles.update().where(tables.profiles.c.user_id == user_id)
            .values(updated_at=now, **values))
        if updated.rowcount == 0:
            # A concurrent first PUT inserting the same user is an IntegrityError: run_write
            # retries, and the retry takes the update path.
            conn.execute(tables.profiles.insert().values(user_id=user_id, updated_at=now,
                                                         **values))
        return profile

    return run_write(target, work)
