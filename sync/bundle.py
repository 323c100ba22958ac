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
that. Importing either twice changes nothing the second time.

A bundle comes from outside, so :func:`read` trusts nothing before it is checked: the zip's
directory is bounded (:data:`MAX_MEMBERS`) before it is parsed; manifest.json and
manifest.sig are read as size-capped streams and the signature verified before any other
member is decompressed; then the zip must hold exactly the members the signed manifest lists,
each named as its kind allows, each read as a stream that stops at its cap
(:data:`MEMBER_BYTES`, :data:`TOTAL_BYTES`) whatever its header declares, and each matching
its SHA-256. Every refusal is a :class:`~app.errors.SyncError` naming the file and what is
wrong; what zipfile or zlib said goes to the log.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
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

log = logging.getLogger(__name__)


# What a bundle may hold. A push bundle's batch is what one /v1/push request may carry; the
# server's pages and acknowledgements are bounded by what a device can hold in memory.
MAX_MEMBERS = 10_000
MANIFEST_BYTES = 2 * 1024 * 1024       # names and digests of MAX_MEMBERS members fit
SIGNATURE_BYTES = 1024                 # an Ed25519 signature in base64 is 88
MEMBER_BYTES = {"batches": protocol.MAX_BODY_BYTES, "acks": 64 * 1024 * 1024,
                "pages": 64 * 1024 * 1024}
TOTAL_BYTES = 1024 * 1024 * 1024
KIND_MEMBERS = {"push": ("batches",), "answer": ("acks", "pages")}
_MEMBER_NAME = re.compile(r"(batches|acks|pages)/(\d{4,6})\.json")
_DIGEST = re.compile(r"[0-9a-f]{64}")
_CHUNK = 64 * 1024
# The zip directory is checked before zipfile parses it (its size is what parsing costs).
_END = struct.Struct("<4s4H2LH")       # end of central directory record
_END_SIGNATURE, _ZIP64_LOCATOR = b"PK\x05\x06", b"PK\x06\x07"
_DIRECTORY_BYTES = (MAX_MEMBERS + 2) * 256


@dataclass
class Bundle:
    """A bundle whose signed manifest was verified, and every member's size and digest
    checked against it. Its records are read again, one member at a time, when iterated
    (each member's digest checked again: the file may change on a USB stick meanwhile)."""

    path: Path
    manifest: dict

    @property
    def kind(self) -> str:
        return self.manifest["kind"]

    @property
    def device_id(self) -> str:
        return self.manifest["device_id"]

    def batches(self) -> Iterator[PushBatch]:
        return self._records("batches", PushBatch)

    def acks(self) -> Iterator[PushResult]:
        return self._records("acks", PushResult)

    def pages(self) -> Iterator[PullPage]:
        return self._records("pages", PullPage)

    def _records(self, folder: str, model):
        digests = self.manifest["members"]
        names = sorted((n for n in digests if n.startswith(folder + "/")), key=_member_order)
        with _Reader(self.path) as reader:
            for member in names:
                data = reader.member(member, digests[member])
                try:
                    yield model.model_validate_json(data)
                except ValidationError as exc:
                    log.warning("%s: %s does not validate: %s", self.path, member, exc)
                    raise reader.refuse("holds records this version cannot read") from None


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
    """Verify a bundle. ``public_key_for(manifest)`` names the key that must have signed it
    (a device's, on the server; the server's, on a device).

    Nothing but the manifest and its signature is decompressed before the signature is
    verified; then every member is read as a bounded stream, its size and SHA-256 checked
    against the signed manifest. Any refusal is a :class:`SyncError` naming the file."""
    with _Reader(Path(path)) as reader:
        manifest_bytes, manifest = reader.manifest()
        signature = reader.signature()
        public_key = public_key_for(manifest)
        if not public_key:
            raise reader.refuse("comes from a device or server this side does not know")
        if not keys.verify(public_key, manifest_bytes, signature):
            raise reader.refuse("is not signed by who it claims; it was refused")
        reader.check_members(manifest)
        for member, digest in manifest["members"].items():
            reader.member(member, digest, keep=False)
    return Bundle(Path(path), manifest)


def _member_order(member: str) -> tuple[str, int]:
    folder, number = _MEMBER_NAME.fullmatch(member).groups()
    return folder, int(number)  # 10000 comes after 9999


def _cap(member: str) -> int:
    return MEMBER_BYTES[member.split("/", 1)[0]]


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):,.0f} MB"


class _Reader:
    """One open bundle file, read with every size bounded before it is trusted.

    The zip's directory is checked (member count, size, no zip64) before :mod:`zipfile`
    parses it; members are read as streams that stop at their cap, whatever their headers
    declare. Library errors (a bad CRC, a cut deflate stream) are logged and become one
    sentence naming the file."""

    def __init__(self, path: Path):
        self.path, self.name = path, path.name
        self.handle = self.archive = None
        self.infos: dict[str, zipfile.ZipInfo] = {}

    def refuse(self, problem: str) -> SyncError:
        return SyncError("bundle", f"{self.name} {problem}.")

    def damaged(self, detail: object, member: str | None = None) -> SyncError:
        log.warning("bundle %s%s: %s", self.path, f" ({member})" if member else "", detail)
        where = f" ({member} cannot be read)" if member else ""
        return self.refuse(f"is damaged or incomplete{where}; copy it again")

    def __enter__(self) -> _Reader:
        try:
            self.handle = self.path.open("rb")
        except FileNotFoundError:
            raise self.refuse("cannot be opened: there is no such file") from None
        except OSError as exc:
            log.warning("bundle %s: %s", self.path, exc)
            raise self.refuse("cannot be opened; check the disk or USB stick") from None
        try:
            self._check_directory()
            self.archive = zipfile.ZipFile(self.handle)
            self._index()
        except SyncError:
            self.close()
            raise
        except _LIBRARY_ERRORS as exc:
            self.close()
            raise self.damaged(exc) from None
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def close(self) -> None:
        if self.archive is not None:
            self.archive.close()
        if self.handle is not None:
            self.handle.close()

    def _check_directory(self) -> None:
        """The end of the zip says how many members it has and how big its directory is;
        both are checked before zipfile reads the directory into memory."""
        size = self.handle.seek(0, os.SEEK_END)
        tail_size = min(size, _END.size + 0xFFFF)  # the record, and a comment of up to 64 KB
        self.handle.seek(size - tail_size)
        tail = self.handle.read(tail_size)
        at = tail.rfind(_END_SIGNATURE)
        if at < 0 or at + _END.size > len(tail):
            raise self.damaged("no end of central directory record (not a zip, or cut short)")
        _, _, _, _, count, directory_size, _, _ = _END.unpack_from(tail, at)
        if tail[max(0, at - 20):at][:4] == _ZIP64_LOCATOR or count == 0xFFFF \
                or directory_size == 0xFFFFFFFF:
            raise self.refuse("is larger than a Qalam bundle can be; it was refused")
        if count > MAX_MEMBERS + 2 or directory_size > _DIRECTORY_BYTES:
            raise self.refuse(f"holds more than {MAX_MEMBERS:,} files; a Qalam bundle holds "
                              "fewer, so it was refused")
        self.handle.seek(0)

    def _index(self) -> None:
        for info in self.archive.infolist():
            if info.filename in self.infos:
                raise self.refuse(f"holds {info.filename!r} twice; it was refused")
            self.infos[info.filename] = info
        if len(self.infos) > MAX_MEMBERS + 2:
            raise self.refuse(f"holds more than {MAX_MEMBERS:,} files; a Qalam bundle holds "
                              "fewer, so it was refused")

    def manifest(self) -> tuple[bytes, dict]:
        if "manifest.json" not in self.infos:
            raise self.refuse("has no manifest.json: it is not a Qalam bundle, or it is damaged")
        data = self._read("manifest.json", MANIFEST_BYTES)
        try:
            manifest = json.loads(data)
        except (ValueError, RecursionError) as exc:
            raise self.damaged(f"manifest.json: {exc}") from None
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT \
                or manifest.get("version") != VERSION:
            raise self.refuse("is not a Qalam bundle this version reads")
        # Its shape, before its device id is looked up (it is not yet known to be signed).
        if not isinstance(manifest.get("members"), dict) \
                or manifest.get("kind") not in KIND_MEMBERS \
                or not isinstance(manifest.get("device_id"), str):
            raise self.refuse("has a manifest this version cannot read")
        return data, manifest

    def signature(self) -> str:
        if "manifest.sig" not in self.infos:
            raise self.refuse("is not signed (it has no manifest.sig); it was refused")
        data = self._read("manifest.sig", SIGNATURE_BYTES)
        return data.decode("ascii", errors="replace").strip()

    def check_members(self, manifest: dict) -> None:
        """The signed manifest against the zip: the same members, each named as a bundle
        member of its kind, none bigger than its cap, all together within TOTAL_BYTES."""
        members, folders = manifest["members"], KIND_MEMBERS[manifest["kind"]]
        if len(members) > MAX_MEMBERS:
            raise self.refuse(f"lists {len(members):,} members; a bundle holds at most "
                              f"{MAX_MEMBERS:,}")
        for member, digest in members.items():
            found = _MEMBER_NAME.fullmatch(member)
            if found is None or found.group(1) not in folders:
                raise self.refuse(f"lists {member!r}, which a {manifest['kind']} bundle "
                                  "does not hold; it was refused")
            if not isinstance(digest, str) or not _DIGEST.fullmatch(digest):
                raise self.refuse(f"has a manifest whose digest of {member} is not a SHA-256")
            if member not in self.infos:
                raise self.refuse(f"is missing {member}, which its manifest lists; copy it "
                                  "again")
        for member in self.infos:
            if member not in members and member not in ("manifest.json", "manifest.sig"):
                raise self.refuse(f"holds {member!r}, which its manifest does not list; it "
                                  "was refused")
        total = 0
        for member in members:
            declared, cap = self.infos[member].file_size, _cap(member)
            if declared > cap:
                raise self.too_big(member, cap)
            total += declared
        if total > TOTAL_BYTES:
            raise self.refuse(f"holds {_megabytes(total)} once unpacked; a bundle holds at "
                              f"most {_megabytes(TOTAL_BYTES)}, so it was refused")

    def member(self, member: str, digest: str, *, keep: bool = True) -> bytes:
        """A listed member's bytes (``keep``) once its SHA-256 matches ``digest``."""
        info = self.infos.get(member)
        if info is None:
            raise self.refuse(f"is missing {member}, which its manifest lists; copy it again")
        sha = hashlib.sha256()
        kept = []
        for chunk in self._chunks(member, _cap(member)):
            sha.update(chunk)
            if keep:
                kept.append(chunk)
        if sha.hexdigest() != digest:
            raise self.refuse(f"was changed after it was made ({member} differs)")
        return b"".join(kept)

    def _read(self, member: str, cap: int) -> bytes:
        return b"".join(self._chunks(member, cap))

    def _chunks(self, member: str, cap: int) -> Iterator[bytes]:
        """The member's bytes as it inflates, stopped as soon as they pass ``cap``.

        The header's sizes are checked first, but never trusted alone: bytes are counted
        as they come out of the decompressor."""
        info = self.infos[member]
        if info.flag_bits & 0x1 or info.compress_type not in (zipfile.ZIP_STORED,
                                                              zipfile.ZIP_DEFLATED):
            raise self.refuse(f"stores {member} in a way Qalam does not read (encrypted, or "
                              "an unusual compression); it was refused")
        if info.file_size > cap:
            raise self.too_big(member, cap)
        count = 0
        try:
            with self.archive.open(info) as stream:
                while chunk := stream.read(_CHUNK):
                    count += len(chunk)
                    if count > cap:
                        raise self.too_big(member, cap)
                    yield chunk
        except _LIBRARY_ERRORS as exc:
            raise self.damaged(exc, member) from None

    def too_big(self, member: str, cap: int) -> SyncError:
        return self.refuse(f"holds a {member} of more than {_megabytes(cap)} once unpacked, "
                           "more than a bundle may carry; it was refused")


# What zipfile, zlib and the disk raise on a damaged file (logged; the person gets a sentence).
_LIBRARY_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError,
                   RuntimeError, NotImplementedError, struct.error)


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
    now = clock.utc_now()
    return write_push(path, device_id=device_id, server_id=server_id, pull_cursor=cursor,
                      batches=[PushBatch.of(device_id, batch, now) for batch in batches],
                      private_key=private_key)


def write_push(path: Path, *, device_id: str, server_id: str, pull_cursor: int,
               batches: list[PushBatch], private_key) -> int:
    """Write push batches as a signed push bundle; returns how many items it holds."""
    members = {f"batches/{number:04d}.json": batch.model_dump_json().encode()
               for number, batch in enumerate(batches, start=1)}
    count = sum(len(batch.items) for batch in batches)
    _write(path, {"kind": "push", "device_id": device_id, "server_id": server_id,
                  "pull_cursor": pull_cursor, "items": count,
                  "protocol": protocol.PROTOCOL_VERSION},
           members, private_key)
    return count


def import_answer(run_on_store, path: Path, *, server_public_key: str) -> dict:
    """Apply an answer bundle: acknowledgements, then pull pages. Idempotent.

    The file is read, its signature and members checked, and its records parsed here; only
    applying them runs on the store (``run_on_store``, as for :func:`export_push`)."""
    name = Path(path).name
    bundle = read(path, lambda manifest: server_public_key)
    if bundle.kind != "answer":
        raise SyncError("bundle", f"{name} is not an answer bundle from the server.")
    acks, pages = list(bundle.acks()), list(bundle.pages())
    batch_ids = bundle.manifest.get("batch_ids")
    if not isinstance(batch_ids, list) or len(batch_ids) != len(acks):
        raise SyncError("bundle", f"{name} has a manifest this version cannot read.")

    def apply(store: Store) -> dict:
        if bundle.device_id != store.device_id:
            raise SyncError("bundle", f"{name} was made for another device.")
        counts = {"acknowledged": 0, "conflicts": 0, "rejected": 0, "pulled": 0}
        for batch_id, ack in zip(batch_ids, acks, strict=True):
            outcome = syncstate.apply_push_results(store, batch_id, ack.results)
            counts["acknowledged"] += outcome.acknowledged
            counts["conflicts"] += outcome.conflicts
            counts["rejected"] += outcome.rejected
        for page in pages:
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
