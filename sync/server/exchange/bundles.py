"""Importing a device's offline bundle on the server, and writing the answer bundle.

The file is verified by :func:`sync.bundle.read` (the same code the app's ``qalam bundle
import`` uses: signed manifest first, every member bounded and checked against it). The
batches inside then go, one member at a time, through :func:`sync.server.exchange.push.apply_push`,
the very function the ``/v1/push`` endpoint uses, so a bundle imported twice — or imported
after the same work arrived over the network — changes nothing the second time.

    summary = import_bundle(engine, Path("amina.qalam"), answer=Path("amina.answer.qalam"))
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from app.errors import SyncError
from sync import bundle
from sync.protocol import ItemStatus
from sync.server import tables
from sync.server.db import read
from sync.server.exchange.pull import pull_page
from sync.server.exchange.push import apply_push
from sync.server.people import server_identity, users
from sync.server.work.distribution import serve_work


@dataclass(frozen=True)
class BundleImport:
    device_id: str
    user_name: str
    items: int
    created: int
    duplicates: int
    conflicts: int
    rejected: int
    pages: int
    leased: int     # new work items carried home in the answer
    answer: Path


def _device_key(engine: Engine, manifest: dict) -> str | None:
    device_id = manifest.get("device_id", "")
    return read(engine, lambda conn: conn.execute(
        sa.select(tables.devices.c.public_key).where(tables.devices.c.id == device_id)
    ).scalar())


def _protocol(manifest: dict) -> int:
    """The protocol of the app that wrote a push bundle (bundles before protocol 3 do not
    say): its answer carries only records that app knows."""
    value = manifest.get("protocol")
    return value if isinstance(value, int) and not isinstance(value, bool) else 2


def import_bundle(engine: Engine, path: Path, *, answer: Path | None = None) -> BundleImport:
    """Verify and apply a push bundle; write the answer bundle for the device to take home."""
    received = bundle.read(path, lambda manifest: _device_key(engine, manifest))
    if received.kind != "push":
        raise SyncError("bundle", f"{path.name} is not a device's push bundle.")
    device = users.load_device(engine, received.device_id)
    results, batch_ids = [], []
    counts = dict.fromkeys(ItemStatus, 0)
    items = 0
    for batch in received.batches():  # one member at a time: memory stays bounded
        if batch.device_id != device.id:
            raise SyncError("bundle", f"{path.name} mixes work of several devices.")
        result = apply_push(engine, device, batch)
        results.append(result)
        batch_ids.append(batch.batch_id)
        items += len(batch.items)
        for item in result.results:
            counts[item.status] += 1
    # A device on the USB-stick route gets its next page of work the same way a networked one
    # does (POST /v1/work): leased now, carried home in the answer's pull pages.
    work = serve_work(engine, device)
    pages = []
    cursor = int(received.manifest.get("pull_cursor", 0))
    while True:
        page = pull_page(engine, device, cursor=cursor, protocol=_protocol(received.manifest))
        pages.append(page)
        cursor = page.next_cursor
        if not page.more:
            break
    server = server_identity.ensure_server_identity(engine)
    answer = answer or path.with_name(path.stem + ".answer" + bundle.SUFFIX)
    bundle.write_answer(
        answer, device_id=device.id, server_id=server.server_id,
        batch_ids=batch_ids, acks=results, pages=pages,
        private_key=server.private_key(engine),
    )
    return BundleImport(
        device_id=device.id, user_name=device.user_name,
        items=items,
        created=counts[ItemStatus.created], duplicates=counts[ItemStatus.duplicate],
        conflicts=counts[ItemStatus.conflict], rejected=counts[ItemStatus.rejected],
        pages=len(pages), leased=work.leased, answer=answer,
    )

