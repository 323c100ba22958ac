"""Hostile offline bundles: refused with a sentence naming the file, before they cost memory.

A bundle comes from a USB stick, so anyone can hand one over. These tests build bundles by
hand (a zip, a manifest, a signature) and bend them: a member that inflates to 600 MB in an
unsigned bundle, a signed member past its cap, too many members, members the manifest does
not list, names that climb out of the bundle, cut or corrupted zips. The reading code is
``sync.bundle.read``, shared by the server's ``import-bundle`` and the app's ``qalam bundle
import``; the server-side tests run on SQLite and PostgreSQL.

Peak memory is measured in a fresh Python process (``ru_maxrss``), beside a normal bundle
read in the same way: ``pytest -s`` prints both.
"""

from __future__ import annotations

import hashlib
import json
import struct
import subprocess
import sys
import warnings
import zipfile
from pathlib import Path

import pytest
import sqlalchemy as sa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.errors import SyncError
from app.ids import new_id
from app.store import Store
from sync import bundle, keys
from sync.protocol import PushBatch, PushItem, payload_hash
from sync.server import tables
from sync.server.exchange.bundles import import_bundle
from tests.server import conftest as server_suite
from tests.server.import_child import PEAK_MB

# The server suite's fixtures (a fresh database on SQLite and on PostgreSQL), used here too.
backend, db_url, engine, postgres, harness, sqlite_template = (
    server_suite.backend, server_suite.db_url, server_suite.engine, server_suite.postgres,
    server_suite.harness, server_suite.sqlite_template)

ROOT = Path(__file__).resolve().parents[2]
MB = 1024 * 1024
INFLATED = 600 * MB  # the bomb: a 600 KB file whose member inflates to 600 MB
LIBRARY_TEXT = ("Bad CRC-32", "File is not a zip file", "Error -3", "zlib", "BadZipFile",
                "Truncated", "EOF")


# --- building bundles by hand ----------------------------------------------------------------


# A submitted original, as the app's store writes it into its outbox.
SUBMISSION = {
    "task_id": None, "project_id": None, "kind": "original", "language": "swh_Latn",
    "dialect": None, "state": "submitted", "warnings": [], "revision": 3,
    "base_revision": None, "created_at": "2025-01-01T10:00:00.000Z",
    "updated_at": "2025-01-01T10:05:00.000Z", "submitted_at": "2025-01-01T10:05:00.000Z",
    "original_inputs": None, "original_targets": None, "rating_inputs": None,
    "rating_targets": None, "prompt_distance": None, "completion_distance": None, "hter": None,
    "seconds_spent": 0.0, "edit_sessions": 0, "parent_id": None, "review_id": None}


def push_batches(device_id: str, count: int, *, per_batch: int = 500) -> list[PushBatch]:
    """``count`` submissions as a device pushes them, in batches of ``per_batch``."""
    batches, seq = [], 0
    words = ["maji", "safi", "kisima", "mvua", "shamba", "mahindi", "chakula", "nyumba"]
    for start in range(0, count, per_batch):
        items = []
        for n in range(start, min(count, start + per_batch)):
            seq += 1
            text = " ".join(words[(n * 7 + k) % len(words)] for k in range(30))
            record_id = new_id()
            payload = json.dumps({**SUBMISSION, "id": record_id, "inputs": f"Swali {n}: {text}?",
                                  "targets": text}, ensure_ascii=False)
            items.append(PushItem(seq=seq, entity="submission", id=record_id, op="upsert",
                                  hash=payload_hash(payload), payload=payload))
        batches.append(PushBatch(device_id=device_id, batch_id=new_id(), items=items))
    return batches


def normal_bundle(path: Path, key, device_id: str, *, items: int = 3000) -> Path:
    """A push bundle written by the real writer."""
    bundle.write_push(path, device_id=device_id, server_id="", pull_cursor=0,
                      batches=push_batches(device_id, items), private_key=key)
    return path


def manifest_bytes(device_id: str, digests: dict[str, str], *, kind: str = "push") -> bytes:
    manifest = {"format": bundle.FORMAT, "version": bundle.VERSION, "kind": kind,
                "device_id": device_id, "server_id": "", "pull_cursor": 0,
                "created_at": "2025-01-01T00:00:00Z", "app_version": "0.1.0",
                "members": digests}
    if kind == "answer":
        manifest["batch_ids"] = []
    return json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode()


def forge(path: Path, members: dict[str, bytes], *, device_id: str, key=None,
          listed: dict[str, bytes] | None = None, extra: tuple[tuple[str, bytes], ...] = (),
          signature: str | None = None, stored: bool = False, kind: str = "push") -> Path:
    """A bundle written by hand: ``members`` in the zip, ``listed`` (default: the same) in
    the manifest with their digests, signed by ``key`` (or carrying ``signature``; neither:
    no manifest.sig), then ``extra`` entries the manifest does not list."""
    listed = members if listed is None else listed
    manifest = manifest_bytes(device_id, {name: hashlib.sha256(data).hexdigest()
                                          for name, data in listed.items()}, kind=kind)
    method = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    with warnings.catch_warnings(), zipfile.ZipFile(path, "w", compression=method) as archive:
        warnings.simplefilter("ignore")  # "Duplicate name": on purpose
        archive.writestr("manifest.json", manifest)
        if key is not None or signature is not None:
            archive.writestr("manifest.sig", signature or keys.sign(key, manifest))
        for name, data in [*members.items(), *extra]:
            archive.writestr(name, data)
    return path


def inflating_bundle(path: Path, device_id: str, *, size: int = INFLATED, key=None) -> Path:
    """A bundle whose one batch is ``size`` bytes of zeros, deflated (600 MB: 600 KB).
    Its manifest lists that member with its true digest; unsigned unless ``key``."""
    chunk, digest = bytes(MB), hashlib.sha256()
    for _ in range(size // MB):
        digest.update(chunk)
    manifest = manifest_bytes(device_id, {"batches/0001.json": digest.hexdigest()})
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED,
                         compresslevel=9) as archive:
        archive.writestr("manifest.json", manifest)
        archive.writestr("manifest.sig", keys.sign(key or Ed25519PrivateKey.generate(),
                                                   manifest))
        with archive.open("batches/0001.json", "w") as member:
            for _ in range(size // MB):
                member.write(chunk)
    return path


def understate(path: Path, member: str, size: int) -> Path:
    """Rewrite ``member``'s declared uncompressed size (local header and directory) to
    ``size``: a header that lies."""
    data = bytearray(path.read_bytes())
    name = member.encode()
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(member)
    struct.pack_into("<L", data, info.header_offset + 22, size)   # local file header
    at = 0
    while (at := data.find(b"PK\x01\x02", at)) >= 0:             # central directory
        if data[at + 46:at + 46 + len(name)] == name:
            struct.pack_into("<L", data, at + 24, size)
        at += 4
    path.write_bytes(bytes(data))
    return path


# --- reading in a fresh process (peak memory) --------------------------------------------------

_READ_CHILD = PEAK_MB + """
import json, sys, time
from pathlib import Path
from app.errors import SyncError
from sync import bundle
path, key = Path(sys.argv[1]), sys.argv[2]
start, error, items = time.perf_counter(), None, 0
try:
    items = sum(len(batch.items) for batch in bundle.read(path, lambda m: key).batches())
except SyncError as exc:
    error = str(exc)
print(json.dumps({"error": error, "items": items, "seconds": time.perf_counter() - start,
                  "peak_mb": peak_mb()}))
"""


def read_in_child(path: Path, public_key: str) -> dict:
    """Read (and parse) a bundle in a fresh process: its error, item count, seconds spent
    reading and the process's peak RSS in MB."""
    done = subprocess.run([sys.executable, "-c", _READ_CHILD, str(path), public_key],
                          cwd=ROOT, capture_output=True, text=True, timeout=600, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- fixtures ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def key():
    return Ed25519PrivateKey.generate()


@pytest.fixture(scope="module")
def public_key(key) -> str:
    return keys.public_key_text(key)


@pytest.fixture(scope="module")
def device_id() -> str:
    return new_id()


@pytest.fixture(scope="module")
def bomb(tmp_path_factory, device_id) -> Path:
    return inflating_bundle(tmp_path_factory.mktemp("bomb") / "bomb.qalam", device_id)


def with_bundle_key(engine, member, private_key):
    """An enrolled device of the test server, whose bundles ``private_key`` signs."""
    with engine.begin() as conn:
        conn.execute(tables.devices.update().where(tables.devices.c.id == member.device_id)
                     .values(public_key=keys.public_key_text(private_key)))
    return member


def refused(path: Path, public_key: str, match: str) -> str:
    """The sentence ``bundle.read`` refuses ``path`` with; it names the file and carries no
    library text."""
    with pytest.raises(SyncError, match=match) as caught:
        bundle.read(path, lambda manifest: public_key)
    message = str(caught.value)
    assert caught.value.kind == "bundle"
    assert message.startswith(path.name), message
    assert not any(text in message for text in LIBRARY_TEXT), message
    return message


# --- the tests -----------------------------------------------------------------------------------


def test_an_unsigned_bundle_inflating_to_600_mb_is_refused_before_anything_is_inflated(
        tmp_path, bomb, key, public_key, device_id):
    normal = read_in_child(normal_bundle(tmp_path / "normal.qalam", key, device_id),
                           public_key)
    hostile = read_in_child(bomb, public_key)
    print(f"\nnormal bundle ({(tmp_path / 'normal.qalam').stat().st_size / 1024:.0f} KB, "
          f"{normal['items']} items): {normal['seconds']:.2f} s, peak {normal['peak_mb']:.0f} MB"
          f"\nunsigned 600 MB bomb ({bomb.stat().st_size / 1024:.0f} KB): "
          f"{hostile['seconds']:.2f} s, peak {hostile['peak_mb']:.0f} MB: {hostile['error']}")
    assert normal["error"] is None and normal["items"] == 3000
    assert "not signed" in hostile["error"] and hostile["error"].startswith("bomb.qalam")
    assert hostile["peak_mb"] < normal["peak_mb"] + 100  # bound, not a benchmark
    assert hostile["seconds"] < 5  # bound, not a benchmark (it was 14.5 s)


def test_the_bomb_is_refused_as_not_signed_by_the_server_import_too(engine, harness, bomb,
                                                                     tmp_path):
    member = with_bundle_key(engine, harness.member(), Ed25519PrivateKey.generate())
    moved = tmp_path / "amina.qalam"
    # The bomb names a device this server knows; another key signed it.
    inflating_bundle(moved, member.device_id, size=64 * MB)
    with pytest.raises(SyncError, match="not signed by who it claims"):
        import_bundle(engine, moved)
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(tables.submissions)
                            ).scalar() == 0
    assert not (tmp_path / "amina.answer.qalam").exists()


def test_a_bundle_without_a_signature_is_refused(tmp_path, public_key, device_id):
    path = forge(tmp_path / "unsigned.qalam", {"batches/0001.json": b"{}"},
                 device_id=device_id)
    refused(path, public_key, "is not signed")


def test_a_signed_member_larger_than_its_cap_is_refused(tmp_path, key, public_key, device_id):
    big = bytes(bundle.MEMBER_BYTES["batches"] + 1)
    path = forge(tmp_path / "big.qalam", {"batches/0001.json": big}, device_id=device_id,
                 key=key)
    message = refused(path, public_key, "more than 4 MB once unpacked")
    assert "batches/0001.json" in message


def test_a_member_whose_header_understates_its_size_stops_at_the_cap(tmp_path, key,
                                                                     public_key, device_id):
    # The header says 1 KB; the deflate stream holds 64 MB. Reading counts what comes out.
    path = forge(tmp_path / "liar.qalam", {"batches/0001.json": bytes(64 * MB)},
                 device_id=device_id, key=key)
    understate(path, "batches/0001.json", 1024)
    message = refused(path, public_key, "damaged or incomplete|changed after it was made")
    assert "batches/0001.json" in message


def test_a_bundle_whose_members_add_up_past_the_total_is_refused(tmp_path, key, public_key,
                                                                 device_id, monkeypatch):
    monkeypatch.setattr(bundle, "TOTAL_BYTES", 3 * MB)
    members = {f"batches/{n:04d}.json": bytes(MB) for n in range(1, 5)}
    path = forge(tmp_path / "total.qalam", members, device_id=device_id, key=key)
    refused(path, public_key, "holds 4 MB once unpacked; a bundle holds at most 3 MB")


def test_a_bundle_with_too_many_members_is_refused_before_its_directory_is_read(
        tmp_path, key, public_key, device_id):
    members = {f"batches/{n:05d}.json": b"" for n in range(1, bundle.MAX_MEMBERS + 2)}
    path = forge(tmp_path / "crowd.qalam", members, device_id=device_id, key=key)
    refused(path, public_key, "holds more than 10,000 files")


def test_a_member_the_manifest_does_not_list_is_refused(tmp_path, key, public_key,
                                                        device_id):
    batch = push_batches(device_id, 2)[0].model_dump_json().encode()
    path = forge(tmp_path / "extra.qalam", {"batches/0001.json": batch}, device_id=device_id,
                 key=key, extra=(("batches/0002.json", batch),))
    refused(path, public_key, "holds 'batches/0002.json', which its manifest does not list")


def test_a_member_the_manifest_lists_but_the_zip_lacks_is_refused(tmp_path, key, public_key,
                                                                  device_id):
    batch = push_batches(device_id, 2)[0].model_dump_json().encode()
    listed = {"batches/0001.json": batch, "batches/0002.json": batch}
    path = forge(tmp_path / "short.qalam", {"batches/0001.json": batch}, listed=listed,
                 device_id=device_id, key=key)
    refused(path, public_key, "is missing batches/0002.json, which its manifest lists")


@pytest.mark.parametrize("name", ["../../etc/cron.d/qalam", "/etc/passwd",
                                  "batches/../manifest.json", "batches\\0001.json",
                                  "pages/0001.json", "batches/1.json"])
def test_member_names_that_are_not_bundle_members_are_refused(tmp_path, key, public_key,
                                                              device_id, name):
    # Listed and signed (a stolen key, or a bug), still refused: a push bundle holds batches.
    path = forge(tmp_path / "names.qalam", {name: b"{}"}, device_id=device_id, key=key)
    refused(path, public_key, "which a push bundle does not hold")
    # Not listed: refused too.
    path = forge(tmp_path / "names2.qalam", {}, device_id=device_id, key=key,
                 extra=((name, b"{}"),))
    refused(path, public_key, "which its manifest does not list")


def test_a_member_stored_twice_is_refused(tmp_path, key, public_key, device_id):
    batch = push_batches(device_id, 2)[0].model_dump_json().encode()
    path = forge(tmp_path / "twice.qalam", {"batches/0001.json": batch}, device_id=device_id,
                 key=key, extra=(("batches/0001.json", batch + b" "),))
    refused(path, public_key, "holds 'batches/0001.json' twice")


def test_a_truncated_bundle_is_refused_without_library_text(tmp_path, key, public_key,
                                                            device_id):
    work = normal_bundle(tmp_path / "work.qalam", key, device_id, items=50)
    for cut_at in (work.stat().st_size // 2, work.stat().st_size - 10, 30):
        cut = tmp_path / "cut.qalam"
        cut.write_bytes(work.read_bytes()[:cut_at])
        refused(cut, public_key, "damaged or incomplete; copy it again")


def test_a_corrupted_member_is_refused_without_bad_crc_text(tmp_path, key, public_key,
                                                            device_id):
    batch = push_batches(device_id, 20)[0].model_dump_json().encode()
    path = forge(tmp_path / "crc.qalam", {"batches/0001.json": batch}, device_id=device_id,
                 key=key, stored=True)
    data = bytearray(path.read_bytes())
    at = data.find(b'"payload"')
    data[at + 1] ^= 0x20  # one letter's case: the CRC no longer matches
    path.write_bytes(bytes(data))
    message = refused(path, public_key, "damaged or incomplete")
    assert "batches/0001.json cannot be read" in message
    deflated = forge(tmp_path / "deflate.qalam", {"batches/0001.json": batch},
                     device_id=device_id, key=key)
    data = bytearray(deflated.read_bytes())
    with zipfile.ZipFile(deflated) as archive:
        info = archive.getinfo("batches/0001.json")
    start = info.header_offset + 30 + len(info.filename)
    data[start:start + 40] = bytes(40)  # the deflate stream's first bytes, zeroed
    deflated.write_bytes(bytes(data))
    refused(deflated, public_key, "damaged or incomplete")


def test_a_file_that_is_not_a_zip_is_refused_without_library_text(tmp_path, public_key):
    for content in (b"not a zip at all", b"", b"PK\x05\x06" + bytes(10)):
        path = tmp_path / "notzip.qalam"
        path.write_bytes(content)
        refused(path, public_key, "damaged or incomplete; copy it again")
    refused(tmp_path / "absent.qalam", public_key, "cannot be opened: there is no such file")


def test_a_manifest_too_large_or_not_json_is_refused(tmp_path, key, public_key, device_id,
                                                     monkeypatch):
    path = tmp_path / "manifest.qalam"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", b"[" * 100_000)
        archive.writestr("manifest.sig", b"x")
    refused(path, public_key, "damaged or incomplete")
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", b" " * (bundle.MANIFEST_BYTES + 1))
        archive.writestr("manifest.sig", b"x")
    refused(path, public_key, "manifest.json of more than 2 MB")
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", b'{"format": "qalam-bundle", "version": 1, '
                                          b'"kind": "push", "device_id": {"a": 1}, '
                                          b'"members": {}}')
        archive.writestr("manifest.sig", b"x")
    refused(path, public_key, "has a manifest this version cannot read")


def test_bundles_written_by_the_current_writer_still_read(tmp_path, key, public_key, device_id):
    work = normal_bundle(tmp_path / "work.qalam", key, device_id, items=1200)
    read = bundle.read(work, lambda manifest: public_key)
    assert sum(len(b.items) for b in read.batches()) == 1200
    assert [b.items[0].seq for b in read.batches()] == [1, 501, 1001]


def test_members_past_9999_are_read_in_their_order(tmp_path, key, public_key, device_id):
    batches = push_batches(device_id, 6, per_batch=1)
    members = {f"batches/{n:04d}.json": b.model_dump_json().encode()
               for n, b in zip([9998, 9999, 10000, 10001, 10002, 10003], batches, strict=True)}
    path = forge(tmp_path / "many.qalam", members, device_id=device_id, key=key)
    read = bundle.read(path, lambda manifest: public_key)
    assert [b.items[0].seq for b in read.batches()] == [1, 2, 3, 4, 5, 6]


def test_a_server_import_of_a_hostile_bundle_stores_nothing(engine, harness, tmp_path):
    device_key = Ed25519PrivateKey.generate()
    member = with_bundle_key(engine, harness.member(languages=["swh_Latn"]), device_key)
    good = push_batches(member.device_id, 5)[0].model_dump_json().encode()
    path = forge(tmp_path / "amina.qalam", {"batches/0001.json": good},
                 device_id=member.device_id, key=device_key,
                 extra=(("batches/0002.json", good),))
    with pytest.raises(SyncError, match="does not list"):
        import_bundle(engine, path)
    forge(path, {"batches/0001.json": good}, device_id=member.device_id, key=device_key)
    assert import_bundle(engine, path).created == 5  # the same, well formed, is imported


def test_the_app_refuses_a_damaged_answer_bundle_with_a_sentence(tmp_path, key, public_key):
    with Store.open(tmp_path / "qalam.db") as store:
        path = forge(tmp_path / "amina.answer.qalam", {"pages/0001.json": b"{}"},
                     device_id=store.device_id, key=key, stored=True, kind="answer")
        data = bytearray(path.read_bytes())
        data[data.rfind(b"{}")] = ord("[")  # the page's bytes, changed after zipping
        path.write_bytes(bytes(data))
        with pytest.raises(SyncError) as caught:
            bundle.import_answer(lambda job: job(store), path, server_public_key=public_key)
    message = str(caught.value)
    assert message == ("amina.answer.qalam is damaged or incomplete (pages/0001.json cannot "
                       "be read); copy it again.")
