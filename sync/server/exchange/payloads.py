"""What a pushed record must look like, checked before any database work.

    record, problem = check_item(item, device)   # problem: a sentence naming the field

Only the fields the server relies on are required; devices may send more (timestamps, local
counters, warnings), which are kept and passed on as they are.
"""

from __future__ import annotations

import json

from app.errors import TextRejected
from app.kinds import REVIEW_FLAGS, SUBMISSION_STATES, TASK_KINDS
from app.text import clean_field, require_visible
from sync.protocol import MAX_SEQ, PushItem, payload_hash
from sync.server.people.users import Device

MAX_ITEM_BYTES = 3 * 1024 * 1024     # one record; the body limit is sync.protocol's
MAX_REVISION = 2**31 - 2             # revisions fit a 32-bit column, even after one more edit
MAX_DEPTH = 32                       # JSON nesting levels in one record
MAX_ID = 64                          # ids stored in columns (sync.protocol.Id's length)
DEVICE_STATES = ("draft", "submitted")
FINAL_STATES = ("accepted", "rejected")
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
        record = json.loads(item.payload)
    except ValueError as exc:
        raise Invalid(f"payload: is not valid JSON ({exc}).") from None
    except RecursionError:
        raise Invalid(f"payload: nested more than {MAX_DEPTH} levels deep.") from None
    if not isinstance(record, dict):
        raise Invalid("payload: must be a JSON object.")
    _check_strings(record, "payload")
    if record.get("id") != item.id:
        raise Invalid(f"id: the payload's id {record.get('id')!r} is not the item's {item.id!r}.")
    if item.op == "delete":
        return record
    if item.entity == "submission":
        _check_submission(record, device)
    else:
        _check_review(record)
    return record


def _check_strings(value, where: str, depth: int = 0) -> None:
    """No NUL or lone surrogate anywhere: neither SQLite nor PostgreSQL text can hold them.

    Nesting is bounded too, so comparing and re-serializing records cannot exhaust the stack.
    """
    if depth > MAX_DEPTH:
        raise Invalid(f"payload: nested more than {MAX_DEPTH} levels deep.")
    if isinstance(value, str):
        if "\x00" in value:
            raise Invalid(f"{where}: contains a NUL character.")
        if any("\ud800" <= ch <= "\udfff" for ch in value):
            raise Invalid(f"{where}: contains a broken (lone surrogate) character.")
    elif isinstance(value, dict):
        for key, inner in value.items():
            _check_strings(key, where, depth + 1)
            _check_strings(inner, f"{key}" if where == "payload" else f"{where}.{key}",
                           depth + 1)
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            _check_strings(inner, f"{where}[{index}]", depth + 1)


def _optional_text(record: dict, field: str) -> None:
    value = record.get(field)
    if value is not None and not isinstance(value, str):
        raise Invalid(f"{field}: must be text or null (got {type(value).__name__}).")


def _optional_id(record: dict, field: str) -> None:
    _optional_text(record, field)
    value = record.get(field)
    if value is not None and len(value) > MAX_ID:
        raise Invalid(f"{field}: an id has at most {MAX_ID} characters (got {len(value)}).")


def _check_submission(record: dict, device: Device) -> None:
    from i18n.languages import UnknownLanguage, get

    kind = record.get("kind")
    if kind not in TASK_KINDS:
        raise Invalid(f"kind: must be one of {', '.join(TASK_KINDS)} (got {kind!r}).")
    language = record.get("language")
    try:
        get(language)
    except UnknownLanguage:
        raise Invalid(f"language: {language!r} is not a registry code such as 'urd_Arab'.") \
            from None
    # A coordinator writes in any language; a blocked user's work is held whatever it is
    # (a blocked coordinator acts as an annotator with, often, no languages of their own).
    if device.role != "coordinator" and not device.blocked \
            and language not in device.languages:
        raise Invalid(f"language: {language} is not one of your languages "
                      f"({', '.join(device.languages) or 'none'}); ask your coordinator.")
    for field in ("inputs", "targets"):
        if not isinstance(record.get(field), str):
            raise Invalid(f"{field}: required text (got {type(record.get(field)).__name__}).")
        try:
            clean_field(field, record[field])
        except TextRejected as exc:
            raise Invalid(f"{field}: {exc}") from None
    state = record.get("state")
    if state not in SUBMISSION_STATES:
        raise Invalid(f"state: must be draft or submitted (got {state!r}).")
    if state != "draft":  # a draft may hold anything while its author types
        for field in ("inputs", "targets"):
            try:
                require_visible(field, record[field])
            except TextRejected as exc:
                raise Invalid(f"{field}: {exc}") from None
    for field in ("task_id", "project_id"):
        _optional_id(record, field)
    _optional_text(record, "dialect")


def _check_review(record: dict) -> None:
    target = record.get("submission_id")
    if not isinstance(target, str) or not target:
        raise Invalid("submission_id: required, the id of the reviewed submission.")
    _optional_id(record, "submission_id")
    ratings = 0
    for field in ("rating_inputs", "rating_targets"):
        value = record.get(field)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
            raise Invalid(f"{field}: must be a whole number from 1 to 5 (got {value!r}).")
        ratings += 1
    flag = record.get("flag")  # a reviewer may flag an item without scoring it
    if flag is not None and flag not in REVIEW_FLAGS:
        raise Invalid(f"flag: must be one of {', '.join(REVIEW_FLAGS)} (got {flag!r}).")
    if not ratings and flag is None:
        raise Invalid("rating_inputs, rating_targets: a review needs at least one rating (1–5) "
                      "or a flag.")
    for field in ("reason", "task_id"):
        _optional_text(record, field)


def content(record: dict) -> dict:
    """The part of a record that two copies must share to be the same."""
    return {k: v for k, v in record.items() if k not in VOLATILE}
