"""One-time enrollment codes that survive being read over a bad phone line.

    >>> code = new_code()            # e.g. 'K7PD-3QXM-9'
    >>> normalize("k7pd 3qxm 9")     # what a person types -> the canonical form
    'K7PD-3QXM-9'

Eight random characters and a check character from a 31-symbol alphabet with nothing that
looks alike: digits 2–9 and the letters without I, L and O (no 0/O, no 1/I/L). Eight
characters hold about 40 bits; with failed attempts rate-limited per address, guessing is
hopeless. The check character makes every single wrong character and every swap of two
neighbouring characters a *typo* that is reported as such, before the database is asked:
31 is prime and each position has its own weight, so the weighted sum changes in both cases.
"""

from __future__ import annotations

import hashlib
import secrets

from sync.protocol import ErrorCode
from sync.server.errors import ServerError

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
assert len(ALPHABET) == 31
DATA_LENGTH = 8
LOOKALIKES = {"0": "O/0", "O": "O/0", "1": "1/I/L", "I": "1/I/L", "L": "1/I/L"}
EXAMPLE = "K7PD-3QXM-9"


def check_character(data: str) -> str:
    total = sum((position + 1) * ALPHABET.index(ch) for position, ch in enumerate(data))
    return ALPHABET[total % len(ALPHABET)]


def new_code() -> str:
    data = "".join(secrets.choice(ALPHABET) for _ in range(DATA_LENGTH))
    return _format(data + check_character(data))


def _format(chars: str) -> str:
    return f"{chars[:4]}-{chars[4:8]}-{chars[8:]}"


def normalize(text: str) -> str:
    """The canonical form of a typed code; raises ServerError(invalid_code) for a typo."""
    chars = "".join(ch for ch in text.upper() if ch not in " -_.\t")
    for ch in chars:
        if ch in LOOKALIKES:
            raise _typo(
                f"The code contains {ch!r}, which codes never use (they have no {LOOKALIKES[ch]}"
                "). Check that character with your coordinator."
            )
        if ch not in ALPHABET:
            raise _typo(
                f"The code contains {ch!r}, which is not a code character. Codes look like "
                f"{EXAMPLE}: digits 2–9 and letters."
            )
    if len(chars) != DATA_LENGTH + 1:
        raise _typo(
            f"A code has {DATA_LENGTH + 1} characters, like {EXAMPLE}; this one has "
            f"{len(chars)}."
        )
    if check_character(chars[:DATA_LENGTH]) != chars[DATA_LENGTH]:
        raise _typo(
            "The code has a typo: its last character does not match the others. Read it "
            "again character by character."
        )
    return _format(chars)


def code_hash(code: str) -> str:
    """What the database keeps: the SHA-256 of the canonical code, never the code."""
    return hashlib.sha256(normalize(code).encode()).hexdigest()


def _typo(message: str) -> ServerError:
    return ServerError(ErrorCode.invalid_code, message, {"reason": "typo"}, status=400)
