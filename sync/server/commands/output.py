"""What ``qalam-server`` commands print: aligned tables for people, JSON with ``--json``.

    @command("blocked", help="list blocked contributors", description="...")
    @json_option()
    def cmd_blocked(args, engine, url) -> int:
        return listing(args, moderation.blocked_users(engine),
                       header=["NAME", "ROLE", "SINCE", "REASON"],
                       row=lambda user: [user.name, user.role, user.blocked_at, user.reason],
                       empty="Nobody is blocked.")

With ``--json`` a list prints one JSON object per line (a dataclass, a dict or a pydantic
model each), anything else one object; without it, the table or the text. Every command's
``--json`` goes through :func:`emit`, so scripts see one format everywhere.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
from collections.abc import Callable, Iterable, Sequence

from sync.server.commands import option

JSON_LINES = "one JSON object per line"


def json_option(help: str = JSON_LINES):
    """The ``--json`` switch :func:`emit` and :func:`listing` answer to."""
    return option("--json", action="store_true", help=help)


def table(header: Sequence[str], rows: Iterable[Sequence[str]], *, indent: str = "") -> None:
    """Columns as wide as their widest cell, two spaces apart, no trailing blanks."""
    lines = [list(header), *map(list, rows)]
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    for line in lines:
        print(indent + "  ".join(cell.ljust(width)
                                 for cell, width in zip(line, widths, strict=True)).rstrip())


def json_line(value) -> None:
    """One value as one line of JSON, its text as it is (no \\u escapes)."""
    if hasattr(value, "model_dump_json"):  # a pydantic model: its own encoder
        print(value.model_dump_json())
        return
    if dataclasses.is_dataclass(value):
        value = dataclasses.asdict(value)
    print(json.dumps(value, ensure_ascii=False))


def emit(args: argparse.Namespace, value, text: Callable[[], None]) -> int:
    """``value`` as JSON when ``--json`` was given (a list: a line per item), else ``text()``;
    returns 0, the exit status."""
    if not getattr(args, "json", False):
        text()
    elif isinstance(value, list):
        for item in value:
            json_line(item)
    else:
        json_line(value)
    return 0


def listing(args: argparse.Namespace, records: list, *, header: Sequence[str],
            row: Callable[[object], Sequence[str]], empty: str | None = None,
            title: str | None = None, footer: str | None = None, as_json=None) -> int:
    """``records`` as a table (``row`` makes a record's cells), or as JSON lines.

    ``title`` comes first, even over ``empty`` (said instead of a table of no rows); ``footer``
    after a blank line under the table; ``as_json`` is what ``--json`` prints when it is not
    ``records`` themselves (another order, or one object holding them)."""
    def text() -> None:
        if title is not None:
            print(title)
        if not records and empty is not None:
            print(empty)
            return
        table(header, [row(record) for record in records])
        if footer:
            print(f"\n{footer}")

    return emit(args, records if as_json is None else as_json, text)


def when(stamp: str | None) -> str:
    """A stored timestamp to the minute, as people read it: ``2025-03-01 14:05``."""
    return (stamp or "")[:16].replace("T", " ")
