"""Offline bundles: the sync protocol carried on a USB stick (DESIGN.md invariant 5).

A bundle is a zip file::

    manifest.json    what is inside: kind, device, server, the SHA-256 of every member
    manifest.sig     Ed25519 signature of manifest.json's exact bytes
    batches/0001.json ...   push bundles: sync.protocol.PushBatch, as sent over the network
    acks/0001.json ...      answer bundles: sync.protocol.PushResult, one per batch
    pages/0001.json ...     answer bundles: sync.protocol.PullPage, in cursor order

A device writes a *push* bundle from its outbox; the coordinator imports it on the server
(``qalam-server import-bundle``), which applies each batch through the same idempotent path as
the network and writes an *answer* bundle (acknowledgements plus pull pages); the device imports
that. Importing either twice changes nothing the second time. A bundle whose members do not
match the manifest, or whose signature does not verify, is refused with a message saying so.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from app import __version__, clock, syncstate
from app.errors import SyncError
from app.store import Store
from sync import keys, protocol
from sync.protocol import PullPage, PushBatch, PushResult

FORMAT = "qalam-bundle"
VERSION = 1
SUFFIX = ".qalam"
BATCH_BYTES = 1_000_000


@dataclass
class Bundle:
    manifest: dict
    batches: list[PushBatch] = field(default_factory=list)
    acks: list[PushResult] = field(default_factory=list)
    pages: list[PullPage] = field(default_factory=list)

    @property
    def kind(self) -> str:
        return self.manifest["kind"]

    @property
    def device_id(self) -> str:
        return self.manifest["device_id"]


def _write(path: Path, manifest: dict, members: dict[str, bytes], private_key) -> None:
    manifest = {
        **manifest,
        "format": FORMAT,
        "version": VERSION,
        "created_at": clock.utc_now(),
        "app_version": __version__,
        "members": {name: hashlib.sha256(data).hexdigest() for name, data in members.items()},
    }
    manifest_bytes = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode()
    partial = path.with_name(path.name + ".partial")
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", manifest_bytes)
        archive.writestr("manifest.sig", keys.sign(private_key, manifest_bytes))
        for name, data in members.items():
            archive.writestr(name, data)
    partial.replace(path)  # a half-written bundle never carries the final name


def read(path: Path, public_key_for: Callable[[dict], str | None]) -> Bundle:
    """Read and verify a bundle. ``public_key_for(manifest)`` names the key that must have
    signed it (a device's, on the server; the server's, on a device)."""
    name = Path(path).name
    try:
        with zipfile.ZipFile(path) as archive:
            manifest_bytes = archive.read("manifest.json")
            signature = archive.read("manifest.sig").decode()
            manifest = json.loads(manifest_bytes)
            if manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
                raise SyncError("bundle", f"{name} is not a Qalam bundle this version reads.")
            members = {}
            for member, digest in manifest["members"].items():
                data = archive.read(member)
                if hashlib.sha256(data).hexdigest() != digest:
                    raise SyncError(
                        "bundle", f"{name} was changed after it was made ({member} differs)."
                    )
                members[member] = data
    except SyncError:
        raise
    except (zipfile.BadZipFile, KeyError, OSError, EOFError, ValueError) as exc:
        raise SyncError(
            "bundle", f"{name} is damaged or incomplete; copy it again ({exc})."
        ) from exc
    public_key = public_key_for(manifest)
    if not public_key:
        raise SyncError("bundle", f"{name} comes from a device or server this side does not know.")
    if not keys.verify(public_key, manifest_bytes, signature):
        raise SyncError("bundle", f"{name} is not signed by who it claims; it was refused.")
    bundle = Bundle(manifest)
    try:
        for member in sorted(members):
            data = members[member]
            if member.startswith("batches/"):
                bundle.batches.append(PushBatch.model_validate_json(data))
            elif member.startswith("acks/"):
                bundle.acks.append(PushResult.model_validate_json(data))
            elif member.startswith("pages/"):
                bundle.pages.append(PullPage.model_validate_json(data))
    except ValidationError as exc:
        raise SyncError("bundle", f"{name} holds records this version cannot read.") from exc
    return bundle


# --- the device's side -----------------------------------------------------------------------


def export_push(run_on_store, path: Path, *, private_key, server_id: str = "") -> int:
    """Write every pending change into a push bundle; returns how many items it holds.

    ``run_on_store(job)`` runs ``job(store)`` where the store lives (the app's single writer):
    only the claim happens there; the file is built, signed and written here, so a slow USB
    stick never holds up the writer (and with it, autosave). The items stay queued (in
    flight) until an answer acknowledges them, over the network or in an answer bundle, so a
    lost stick loses nothing.
    """
    device_id, batches, cursor = run_on_store(lambda store: (
        store.device_id,
        syncstate.claim_all(store, max_bytes=BATCH_BYTES, max_items=protocol.MAX_BATCH_ITEMS),
        syncstate.pull_cursor(store)))
    members = {}
    count = 0
    for number, batch in enumerate(batches, start=1):
        model = PushBatch.of(device_id, batch, clock.utc_now())
        members[f"batches/{number:04d}.json"] = model.model_dump_json().encode()
        count += len(batch.items)
    _write(path, {"kind": "push", "device_id": device_id, "server_id": server_id,
                  "pull_cursor": cursor, "items": count},
           members, private_key)
    return count


def import_answer(run_on_store, path: Path, *, server_public_key: str) -> dict:
    """Apply an answer bundle: acknowledgements, then pull pages. Idempotent.

    The file is read and its signature checked here; only applying it runs on the store
    (``run_on_store``, as for :func:`export_push`)."""
    bundle = read(path, lambda manifest: server_public_key)
    if bundle.kind != "answer":
        raise SyncError("bundle", f"{Path(path).name} is not an answer bundle from the server.")

    def apply(store: Store) -> dict:
        if bundle.device_id != store.device_id:
            raise SyncError("bundle", f"{Path(path).name} was made for another device.")
        counts = {"acknowledged": 0, "conflicts": 0, "rejected": 0, "pulled": 0}
        for batch_id, ack in zip(bundle.manifest["batch_ids"], bundle.acks, strict=True):
            outcome = syncstate.apply_push_results(store, batch_id, ack.results)
            counts["acknowledged"] += outcome.acknowledged
            counts["conflicts"] += outcome.conflicts
            counts["rejected"] += outcome.rejected
        for page in bundle.pages:
            if page.next_cursor <= syncstate.pull_cursor(store):
                continue  # already have these (a later network sync, or this bundle again)
            counts["pulled"] += syncstate.apply_pull_page(store, page).applied
        return counts

    return run_on_store(apply)


# --- the server's side -----------------------------------------------------------------------


def write_answer(path: Path, *, device_id: str, server_id: str, batch_ids: list[str],
                 acks: list[PushResult], pages: list[PullPage], private_key) -> None:
    members = {f"acks/{n:04d}.json": a.model_dump_json().encode()
               for n, a in enumerate(acks, start=1)}
    members |= {f"pages/{n:04d}.json": p.model_dump_json().encode()
                for n, p in enumerate(pages, start=1)}
    _write(path, {"kind": "answer", "device_id": device_id, "server_id": server_id,
                  "batch_ids": batch_ids}, members, private_key)
