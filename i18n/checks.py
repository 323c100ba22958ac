"""Checks a translation must pass: same placeholders as the source, usable accelerators.

    >>> placeholders("Not saved: {reason} (%1)")
    ['%1', '{reason}']
    >>> accelerator("Cu&t"), accelerator("&&Co"), accelerator("حفظ (&S)")
    ('t', None, 's')
"""

from __future__ import annotations

import re

_PLACEHOLDER = re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*(?:![rsa])?(?::[^{}]*)?\}|%(?:L?\d+|n)")
_ACCELERATOR = re.compile(r"&(?!&)(\w)")


def placeholders(text: str) -> list[str]:
    """Sorted placeholders of a message: ``{name}`` fields and Qt's ``%1``/``%n``."""
    return sorted(_PLACEHOLDER.findall(text.replace("{{", "").replace("}}", "")))


def accelerator(text: str) -> str | None:
    """The accelerator letter (lower case) of ``text``, None when it has none."""
    match = _ACCELERATOR.search(text.replace("&&", ""))
    return match.group(1).lower() if match else None


def problems(msgid: str, msgstr: str) -> list[str]:
    """What is wrong with ``msgstr`` as a translation of ``msgid`` ([] when nothing)."""
    found = []
    if placeholders(msgid) != placeholders(msgstr):
        found.append(
            f"placeholders differ: {placeholders(msgid)} in the source, "
            f"{placeholders(msgstr)} in the translation"
        )
    if accelerator(msgid) and not accelerator(msgstr):
        found.append("the source has an accelerator (&) and the translation none")
    if msgid.endswith("\n") != msgstr.endswith("\n"):
        found.append("one ends with a newline and the other does not")
    return found
