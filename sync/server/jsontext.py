"""JSON text read as ``json.loads`` reads it, faster: one decoder for the payloads a push
checks and the payloads an export judges."""

from __future__ import annotations

import json

import msgspec

_DECODE = msgspec.json.Decoder().decode


def loads(data: bytes | str):
    """``json.loads(data)``, value or error. msgspec's decoder gives exactly what
    ``json.loads`` gives or refuses the text (a NaN, a lone surrogate, a float past the
    largest, nesting past its limit); then ``json.loads`` itself decides."""
    try:
        return _DECODE(data)
    except Exception:  # refused: the slow way decides
        return json.loads(data.decode("utf-8") if isinstance(data, bytes) else data)
