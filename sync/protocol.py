"""The sync protocol: the one definition of Qalam's wire format, used by client and server.

Everything a device and the server say to each other is one of the models below, as JSON
(request bodies gzip- or zstd-compressed). Both ends import this module; the server's
OpenAPI schema is generated from it.

    POST /v1/enroll   EnrollRequest  -> EnrollResult      one-time code -> device token
    GET  /v1/info                    -> ServerInfo        no auth; version negotiation
    POST /v1/push     PushBatch      -> PushResult        outbox entries, idempotent
    GET  /v1/pull?cursor=&limit=     -> PullPage          changes for this device, in order
    POST /v1/digest   DigestRequest  -> DigestResult      does the server hold what I hold?
    POST /v1/ids      IdsRequest     -> IdsResult         repair after a digest mismatch
    POST /v1/work     WorkRequest    -> WorkResult        lease new work (arrives by pull)
    GET  /v1/leaderboard             -> Leaderboards      points and scores, for offline view
    GET  /v1/profile                 -> Profile           what the annotator chose to share
    PUT  /v1/profile  Profile        -> Profile

Every request carries ``Qalam-Protocol: <version>``; a server that cannot talk to that version
answers 426 with code ``upgrade_required`` and the client keeps its queue untouched. Every
authenticated request carries ``Authorization: Bearer <device token>``. Errors are
:class:`ErrorBody` with a stable ``code``.

Idempotency (DESIGN.md invariant 2): an item is identified by (device_id, seq). The server
keeps each device's applied sequence numbers under a unique constraint, so an item sent twice
— a lost reply, a retry, the same bundle imported twice — is answered ``duplicate`` and changes
nothing. ``hash`` is the SHA-256 of the exact payload bytes; a seq seen before with a different
hash is ``rejected`` (a device must never reuse a number).
"""

from __future__ import annotations

import hashlib
import json
import re
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

# 2: ItemResult.id is left out of ``created``/``duplicate`` answers (the client matches
#    answers by seq); /v1/work, /v1/leaderboard and /v1/profile.
# 3: comments (feedback on an item, to its author) are pulled, and a reply is pushed, as the
#    entity "comment"; older clients are sent none.
# 4: the translation memory ("tm_unit") and glossary ("term") of the device's language pairs
#    are pulled; older clients are sent neither.
# 5: translations of the interface: pushed ``ui_translation`` and ``ui_vote``, pulled
#    ``ui_translation`` and ``ui_catalog``; older clients are sent neither.
PROTOCOL_VERSION = 5
#: The first protocol whose clients know the "comment" entity.
COMMENTS_PROTOCOL = 3
#: The first protocol whose clients know the "tm_unit" and "term" entities.
MEMORY_PROTOCOL = 4
#: The first protocol whose clients know the interface translation entities.
TRANSLATION_PROTOCOL = 5
MIN_PROTOCOL_VERSION = 1  # the oldest client protocol this code still serves
PROTOCOL_HEADER = "Qalam-Protocol"

MAX_BODY_BYTES = 4 * 1024 * 1024  # decompressed request body the server accepts
MAX_BATCH_ITEMS = 2000
DEFAULT_PULL_LIMIT = 200
MAX_PULL_LIMIT = 1000

# Sequence numbers and cursors stay below this: they fit a signed 64-bit column with room.
MAX_SEQ = 2**62

_ID_CHARACTER = "[A-Za-z0-9_.:-]"
Id = Annotated[str, Field(min_length=1, max_length=64, pattern=f"^{_ID_CHARACTER}+$")]
#: What :data:`Id` accepts, for ids that arrive outside a model: ``ID_PATTERN.fullmatch(x)``.
ID_PATTERN = re.compile(f"{_ID_CHARACTER}{{1,64}}")
Entity = Literal["submission", "review"]
PushedEntity = Literal["submission", "review", "comment", "ui_translation", "ui_vote"]
PulledEntity = Literal["project", "task", "submission", "review", "comment", "tm_unit", "term",
                       "ui_translation", "ui_catalog"]
#: Entities only clients of TRANSLATION_PROTOCOL and later know (pushed or pulled).
TRANSLATION_ENTITIES = frozenset({"ui_translation", "ui_vote", "ui_catalog"})
Role = Literal["annotator", "reviewer", "coordinator", "auditor"]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ErrorCode(StrEnum):
    invalid_request = "invalid_request"
    unauthorized = "unauthorized"          # no or unknown token
    token_revoked = "token_revoked"        # re-enroll; the queue is kept
    forbidden = "forbidden"                # role or ownership
    not_found = "not_found"
    invalid_code = "invalid_code"          # enrollment code unknown, used or expired
    payload_too_large = "payload_too_large"
    unsupported_encoding = "unsupported_encoding"
    upgrade_required = "upgrade_required"
    rate_limited = "rate_limited"
    unavailable = "unavailable"
    internal = "internal"


class ErrorBody(Model):
    code: ErrorCode
    message: str                            # a sentence a person can act on
    detail: dict | None = None


# --- identity ---------------------------------------------------------------------------------


class EnrollRequest(Model):
    code: Annotated[str, Field(min_length=4, max_length=32)]
    device_id: Id                           # made on the device (app.store meta)
    device_name: Annotated[str, Field(max_length=200)] = ""
    app_version: Annotated[str, Field(max_length=50)] = ""
    public_key: Annotated[str, Field(max_length=200)] = ""  # base64 Ed25519, signs bundles
    # base64 Ed25519 signature of enrollment_proof(code, device_id, public_key) by the device's
    # key: proves the device holds it (re-enrolling a known device id requires it).
    proof: Annotated[str, Field(max_length=200)] = ""


class EnrollResult(Model):
    token: str                              # shown once; the server keeps only its hash
    device_id: Id
    user_id: Id
    user_name: str
    role: Role
    languages: list[str]                    # registry codes, e.g. "urd_Arab"
    server_id: Id
    server_public_key: str = ""             # base64 Ed25519, signs answer bundles


class ServerInfo(Model):
    server_id: Id
    protocol_version: int
    min_protocol_version: int
    max_body_bytes: int
    server_time: str                        # ISO 8601 UTC; clients warn on > 5 min skew


# --- push -------------------------------------------------------------------------------------


class PushItem(Model):
    seq: Annotated[int, Field(gt=0)]        # the device's outbox sequence number
    entity: PushedEntity
    id: Id
    op: Literal["upsert", "delete"]
    base_revision: Annotated[int, Field(ge=0)] | None = None  # server revision it was based on
    hash: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
    payload: str                            # the record as JSON text, exactly as hashed


class PushBatch(Model):
    device_id: Id
    batch_id: Id
    items: Annotated[list[PushItem], Field(max_length=MAX_BATCH_ITEMS)]
    client_time: str | None = None

    @classmethod
    def of(cls, device_id: str, batch, client_time: str) -> PushBatch:
        """A device's claimed outbox batch (``app.syncstate.Batch``) as sent: network or
        bundle, the same items."""
        return cls(device_id=device_id, batch_id=batch.batch_id, client_time=client_time,
                   items=[PushItem(seq=i.seq, entity=i.entity, id=i.record_id, op=i.op,
                                   base_revision=i.base_revision,
                                   hash=payload_hash(i.payload), payload=i.payload)
                          for i in batch.items])


class ItemStatus(StrEnum):
    created = "created"          # applied; ``revision`` is the record's new server revision
    duplicate = "duplicate"      # seen before; success, nothing changed
    conflict = "conflict"        # the server's copy moved on; both kept, the user chooses
    rejected = "rejected"        # invalid; quarantined on the device, the queue goes on


class ItemResult(Model):
    seq: int
    # The record's id; left out of created/duplicate answers to protocol 2+ clients, which
    # match answers by seq (random ids were most of a big answer's compressed bytes).
    id: Id | None = None
    status: ItemStatus
    revision: int | None = None
    reason: str | None = None               # for rejected
    server_revision: int | None = None      # for conflict
    server_payload: str | None = None       # for conflict: the server's current version


class PushResult(Model):
    results: list[ItemResult]
    high_water: int                         # highest seq the server has applied for the device


# --- pull -------------------------------------------------------------------------------------


class PullItem(Model):
    cursor: int                             # server change sequence, strictly increasing
    entity: PulledEntity
    id: Id
    revision: int
    deleted: bool = False
    payload: str                            # JSON text


class PullPage(Model):
    items: list[PullItem]
    next_cursor: int                        # store it with the applied rows, in one transaction
    more: bool
    server_id: Id


# --- convergence ------------------------------------------------------------------------------


class DigestRequest(Model):
    entity: Entity = "submission"
    count: int
    digest: str                             # record_digest() over the device's records
    cursor: int                             # the device's pull cursor


class DigestResult(Model):
    match: bool
    server_count: int
    server_digest: str
    server_cursor: int                      # the server's newest change sequence
    # True when the device has seen changes the server no longer has: restored from a backup.
    server_behind: bool


class IdsRequest(Model):
    entity: Entity = "submission"
    ids: dict[str, int]                     # id -> revision the device holds


class IdsResult(Model):
    missing_on_server: list[str]            # the device should push these again
    stale_on_device: list[str]              # the device should pull these again (cursor 0)


# --- the coordinator's side: work, leaderboards, profiles ------------------------------------


class WorkRequest(Model):
    # How many items the device wants to hold at most (the project's page size caps it).
    limit: int | None = Field(default=None, ge=1, le=200)


class WorkResult(Model):
    leased: int                             # new items; they arrive with the next pull
    open: int                               # items this user holds, not yet done
    queued: int                             # items still waiting in the user's languages


Period = Literal["day", "week", "all"]


class LeaderboardRow(Model):
    rank: int
    user_id: Id
    name: str
    points: int
    contributions: int
    quality_score: float | None = None      # app.rules.Progress.quality_score
    aya_score: float | None = None


class Leaderboard(Model):
    period: Period
    language: str | None = None             # None: across all languages
    since: str | None = None                # start of the period (UTC), None for "all"
    rows: list[LeaderboardRow]
    me: LeaderboardRow | None = None        # the caller's own row, even outside the top


class Leaderboards(Model):
    generated_at: str
    boards: list[Leaderboard]               # day/week/all × (each of my languages, and all)


AgeRange = Literal["18-24", "25-34", "35-44", "45-54", "55-64", "65+"]


class Profile(Model):
    """Every field is optional: only what the annotator chose to give."""

    age_range: AgeRange | None = None
    gender: str | None = Field(default=None, max_length=50)
    country: str | None = Field(default=None, pattern=r"^[A-Z]{2}$")  # ISO 3166-1 alpha-2
    languages: list[str] = Field(default_factory=list, max_length=20)  # registry codes
    dialects: list[Annotated[str, Field(max_length=100)]] = Field(default_factory=list,
                                                                  max_length=20)


# --- helpers both ends use --------------------------------------------------------------------


def enrollment_proof(code: str, device_id: str, public_key: str) -> bytes:
    """What a device signs with its key when it enrolls: bound to this code, this device id
    and this key, so a signature cannot be replayed with another code or for another device.
    The code is taken as typed, reduced to its letters and digits (both ends do the same)."""
    letters = "".join(ch for ch in code.upper() if ch.isascii() and ch.isalnum())
    return f"qalam-enroll-v1\n{letters}\n{device_id}\n{public_key}".encode()


def payload_hash(payload: str) -> str:
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


# One encoder for every record: json.dumps with options builds a new one per call, which
# costs about as much as encoding a short record.
_CANONICAL = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def freeze(record: dict) -> str:
    """The canonical JSON text of a record: what is hashed, sent and stored."""
    return _CANONICAL.encode(record)


SHORT_CODE_CHARACTERS = 16  # base32: 80 bits


def certificate_short_code(fingerprint_hex: str) -> str:
    """The code a person compares by eye: 16 base32 characters (80 bits) of the certificate's
    SHA-256, in groups of four, e.g. 'MFRG-GZDF-MZTW-Q2LK'.

    The server prints it at ``serve --tls`` (and announces it on the local network); the app
    shows it before trusting a field server. 80 bits put a forged certificate whose hash
    matches by chance out of reach of any search, and the device checks the full SHA-256
    after every handshake anyway (:func:`sync.tls.pinned_context`).
    """
    import base64

    code = base64.b32encode(bytes.fromhex(fingerprint_hex)).decode()[:SHORT_CODE_CHARACTERS]
    return "-".join(code[i:i + 4] for i in range(0, SHORT_CODE_CHARACTERS, 4))


def is_loopback(host: str) -> bool:
    """Plain HTTP is allowed only here (both ends enforce it): nothing crosses a network."""
    import ipaddress

    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def record_digest(pairs) -> str:
    """Digest of (id, revision) pairs, order-independent: both ends compute it the same way."""
    h = hashlib.sha256()
    for record_id, revision in sorted(pairs):
        h.update(f"{record_id}:{revision}\n".encode())
    return h.hexdigest()
