"""Repair: do both ends hold the same records, and if not, which to send again.

    answer = digest(engine, device, DigestRequest(...))   # match, or what the server holds
    result = ids(engine, device, IdsRequest(...))         # missing_on_server, stale_on_device

A device compares a digest of its user's live records (ids and revisions) with the server's
now and then; after a mismatch it sends its ids, and each side learns what to send again. A
device's records are all of its user's, from any of their devices (pull sends them).
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from sync.protocol import (
    ID_PATTERN,
    DigestRequest,
    DigestResult,
    IdsRequest,
    IdsResult,
    record_digest,
)
from sync.server import tables
from sync.server.db import current_seq, read, run_write
from sync.server.people.users import Device

Target = Engine | Connection
CHUNK = 500  # ids per IN (...) list
REVIEWS = tables.reviews
SUBMISSIONS = tables.submissions


def _held(conn: Connection, device: Device, entity: str) -> dict[str, int]:
    """What a synced device of this user holds: the user's live records of ``entity``.

    A device keeps its user's submissions from all of their devices (pull sends them), so
    both ends compare the user's records, not only those this device created.
    """
    table = SUBMISSIONS if entity == "submission" else REVIEWS
    rows = conn.execute(sa.select(table.c.id, table.c.revision).where(
        table.c.author_id == device.user_id, table.c.deleted == sa.false()))
    return {r.id: r.revision for r in rows}


def digest(target: Target, device: Device, request: DigestRequest) -> DigestResult:
    def work(conn: Connection) -> DigestResult:
        head = current_seq(conn)
        held = _held(conn, device, request.entity)
        server_digest = record_digest(held.items())
        return DigestResult(
            match=len(held) == request.count and server_digest == request.digest,
            server_count=len(held), server_digest=server_digest, server_cursor=head,
            server_behind=request.cursor > head,
        )

    return read(target, work)


def ids(target: Target, device: Device, request: IdsRequest) -> IdsResult:
    table = SUBMISSIONS if request.entity == "submission" else REVIEWS

    def work(conn: Connection) -> IdsResult:
        held = _held(conn, device, request.entity)
        # Ids that no record can have (not sync.protocol.Id) are never looked up.
        wanted = [record_id for record_id in request.ids if ID_PATTERN.fullmatch(record_id)]
        found = {}
        for start in range(0, len(wanted), CHUNK):
            for row in conn.execute(sa.select(table.c.id, table.c.author_id, table.c.revision,
                                              table.c.deleted)
                                    .where(table.c.id.in_(wanted[start:start + CHUNK]))):
                found[row.id] = row
        missing, stale = [], []
        for record_id, revision in request.ids.items():
            row = found.get(record_id)
            if row is None:
                missing.append(record_id)
            elif row.author_id != device.user_id:
                continue  # not the user's: nothing to repair either way
            elif row.deleted or revision < row.revision:
                stale.append(record_id)
            elif revision > row.revision:
                missing.append(record_id)  # the server lost changes (restored from backup)
        stale.extend(record_id for record_id in held if record_id not in request.ids)
        return IdsResult(missing_on_server=sorted(missing), stale_on_device=sorted(stale))

    result = read(target, work)
    if result.stale_on_device:
        # The device pulls these again from cursor 0; those it pushed itself last would be
        # left out of its pages (see pull._not_echoed) unless marked as changed elsewhere.
        def forget(conn: Connection) -> None:
            stale = result.stale_on_device
            for start in range(0, len(stale), CHUNK):
                conn.execute(table.update().where(
                    table.c.id.in_(stale[start:start + CHUNK]),
                    table.c.changed_by == device.id).values(changed_by=None))

        run_write(target, forget)
    return result
