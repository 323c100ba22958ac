"""What a pushed item must look like, checked before any database work.

    record, problem = check_item(item, device)   # problem: a sentence naming the field

The item's envelope is checked here (sizes, hash, JSON, no NUL or broken characters anywhere,
nesting); the record inside is the record contract, :class:`app.records.SubmissionRecord` or
:class:`app.records.ReviewRecord`, whose first problem becomes the reason
(:func:`app.records.first_problem`); a reply is :class:`app.records.CommentRecord`. Only the
fields the server relies on are required;
devices may send more (timestamps, local counters, warnings), which are kept and passed on as
they are.
"""

from __future__ import annotations

import re

from pydantic import ValidationError

from app.records import (
    CommentRecord,
    ReviewRecord,
    SubmissionRecord,
    UiTranslationRecord,
    UiVoteRecord,
    first_problem,
)
from sync.protocol import MAX_SEQ, PushItem, payload_hash
from sync.server import jsontext
from sync.server.people.users import Device

MAX_ITEM_BYTES = 3 * 1024 * 1024     # one record; the body limit is sync.protocol's
MAX_REVISION = 2**31 - 2             # revisions fit a 32-bit column, even after one more edit
MAX_DEPTH = 32                       # JSON nesting levels in one record
_SURROGATE = re.compile("[\ud800-\udfff]")
# Fields that differ between copies of the same content: not compared for conflicts.
VOLATILE = frozenset({"revision", "base_revision", "created_at", "updated_at", "submitted_at",
                      "warnings", "user_id"})


class Invalid(Exception):
    """A pushed item the server will not apply; the message names the field."""


def check_item(item: PushItem, device: Device) -> tuple[dict | None, str | None]:
    """``(record, None)`` for an item that may be applied, ``(None, reason)`` otherwise."""
    try:
        return _check(item, device), None
    except Invalid as exc:
        return None, str(exc)


def _check(item: PushItem, device: Device) -> dict:
    if item.seq > MAX_SEQ:
        raise Invalid(f"seq: {item.seq} is too large.")
    if item.base_revision is not None and item.base_revision > MAX_REVISION:
        raise Invalid(f"base_revision: {item.base_revision} is too large.")
    try:
        data = item.payload.encode("utf-8")
    except UnicodeEncodeError:
        raise Invalid("payload: contains a broken (lone surrogate) character.") from None
    if len(data) > MAX_ITEM_BYTES:
        raise Invalid(f"payload: {len(data):,} bytes; one record may have at most "
                      f"{MAX_ITEM_BYTES:,}.")
    if payload_hash(item.payload) != item.hash:
        raise Invalid("hash: does not match the payload (SHA-256 of its UTF-8 bytes).")
    try:
        record = jsontext.loads(data)
    except ValueError as exc:
        raise Invalid(f"payload: is not valid JSON ({exc}).") from None
    except RecursionError:
        raise Invalid(f"payload: nested more than {MAX_DEPTH} levels deep.") from None
    if not isinstance(record, dict):
        raise Invalid("payload: must be a JSON object.")
    if not _plain(item.payload):
        _check_strings(record, "payload")
    if record.get("id") != item.id:
        raise Invalid(f"id: the payload's id {record.get('id')!r} is not the item's {item.id!r}.")
    if item.op == "delete":
        return record
    _check_record(item.entity, record, device)
    return record


def _check_record(entity: str, record: dict, device: Device) -> None:
    """The record contract; the record itself is kept exactly as pushed."""
    # A coordinator writes in any language; a blocked user's work is held whatever it is
    # (a blocked coordinator acts as an annotator with, often, no languages of their own).
    languages = None if device.role == "coordinator" or device.blocked else device.languages
    model = _MODELS[entity]
    try:
        model.model_validate(record, context={"languages": languages})
    except ValidationError as exc:
        raise Invalid(first_problem(exc).reason) from None


_MODELS = {"submission": SubmissionRecord, "review": ReviewRecord, "comment": CommentRecord,
           "ui_translation": UiTranslationRecord, "ui_vote": UiVoteRecord}


def _plain(payload: str) -> bool:
    """Whether the JSON text cannot hold what :func:`_check_strings` looks for, so the walk
    is not needed: a NUL or a lone surrogate only gets into a string through a ``\\u``
    escape (a raw one fails JSON or UTF-8 before this), and nesting deeper than
    ``MAX_DEPTH`` needs more opening brackets than that."""
    return ("\\u" not in payload and "\x00" not in payload
            and payload.count("{") + payload.count("[") <= MAX_DEPTH)


def _check_strings(value, where: str, depth: int = 0) -> None:
    """No NUL or lone surrogate anywhere: neither SQLite nor PostgreSQL text can hold them.

    Nesting is bounded too, so comparing and re-serializing records cannot exhaust the stack.
    """
    if depth > MAX_DEPTH:
        raise Invalid(f"payload: nested more than {MAX_DEPTH} levels deep.")
    if isinstance(value, str):
        if "\x00" in value:
            raise Invalid(f"{where}: contains a NUL character.")
        if _SURROGATE.search(value):
            raise Invalid(f"{where}: contains a broken (lone surrogate) character.")
    elif isinstance(value, dict):
        for key, inner in value.items():
            _check_strings(key, where, depth + 1)
            _check_strings(inner, f"{key}" if where == "payload" else f"{where}.{key}",
                           depth + 1)
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            _check_strings(inner, f"{where}[{index}]", depth + 1)


def content(record: dict) -> dict:
    """The part of a record that two copies must share to be the same."""
    return {k: v for k, v in record.items() if k not in VOLATILE}
