"""What every export shares: where files go, the snapshot it reads, and what it reports.

    with staging(out_dir) as folder, snapshot(engine) as conn:
        ... write files under folder, read through conn ...
    # out_dir now holds the files, all of them or (on any error) none

An export is written into a hidden sibling folder and renamed into place at the end, so a
crash or a full disk never leaves a half-written dataset where a finished one is expected.
``out_dir`` must be absent or empty: files of an older export (a test split that no longer
exists) would otherwise load with the new ones. What an export writes holds contributors'
work and demographics, so its files are 0600 and its folders 0700 (:mod:`app.private`).
While an export runs, Python's cyclic garbage collector is paused
(:func:`app.collector.collector_paused`).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.engine import Connection, Engine

from app.errors import QalamError
from app.private import private_dir, restrict_tree
from sync.server.db import is_sqlite

Progress = Callable[[int, int], None]  # (rows done, rows in all)


class ExportError(QalamError):
    """An export that cannot be made; the message says why and what to do."""


@dataclass
class ExportResult:
    """What an export wrote. ``counts``: language code -> annotation type -> rows."""

    out_dir: Path
    format: str
    rows: int
    files: list[Path] = field(default_factory=list)
    splits: dict[str, int] = field(default_factory=dict)
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    contributors: int = 0
    demographics: int = 0
    # Languages left out by the per-language gate: registry code -> accepted items.
    below_gate: dict[str, int] = field(default_factory=dict)
    # Arrow size of each table (dataset_info's num_bytes): "train", "test", "demographics".
    sizes: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def summary(self) -> str:
        lines = [f"{self.rows:,} rows ({self.format}) in {self.out_dir}"]
        if self.splits:
            lines.append("splits: " + ", ".join(f"{k} {v:,}" for k, v in self.splits.items()))
        if self.contributors:
            lines.append(f"contributors: {self.contributors:,}; demographics rows: "
                         f"{self.demographics:,}")
        for language, types in sorted(self.counts.items()):
            lines.append(f"  {language}: " + ", ".join(f"{k} {v:,}" for k, v in
                                                       sorted(types.items())))
        if self.below_gate:
            lines.append("left out (too few accepted contributions): " + ", ".join(
                f"{k} ({v})" for k, v in sorted(self.below_gate.items())))
        lines.append(f"{self.seconds:.1f} s")
        return "\n".join(lines)


@contextmanager
def staging(out_dir: Path) -> Iterator[Path]:
    """A temporary folder beside ``out_dir``, renamed to ``out_dir`` when the block succeeds."""
    out_dir = Path(out_dir)
    if out_dir.exists() and (not out_dir.is_dir() or any(out_dir.iterdir())):
        raise ExportError(f"{out_dir} already exists and is not an empty folder; choose a new "
                          "folder for the export (nothing was written).")
    try:
        private_dir(out_dir.parent)
        temp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", suffix=".partial",
                                     dir=out_dir.parent))  # 0700: private while written
    except OSError as exc:
        raise ExportError(f"Cannot write to {out_dir.parent}: {exc.strerror or exc}.") from exc
    try:
        yield temp
        restrict_tree(temp)  # demographics and contributors' work: 0600, whoever wrote them
        if out_dir.exists():
            out_dir.rmdir()  # empty, checked above
        os.replace(temp, out_dir)
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        raise


@contextmanager
def snapshot(target: Engine | Connection) -> Iterator[Connection]:
    """One read transaction that sees one state of the database from start to end (counts
    in the card and the rows written agree even while devices keep pushing)."""
    if isinstance(target, Connection):
        yield target
        return
    with target.connect() as conn:
        if not is_sqlite(conn):
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
        # SQLite in WAL mode: a read transaction keeps the snapshot of its first read.
        with conn.begin():
            yield conn


def arrow_size(row: dict) -> int:
    """About how many bytes ``row`` takes in an Arrow table (values plus offsets), as the
    Hugging Face card's ``num_bytes`` counts them."""
    size = 0
    for value in row.values():
        if isinstance(value, str):
            size += len(value.encode("utf-8")) + 4
        elif isinstance(value, list):
            size += 4 + sum(len(v.encode("utf-8")) + 4 if isinstance(v, str) else 8
                            for v in value)
        elif value is not None:
            size += 8
    return size


def values_size(values: list) -> int:
    """:func:`arrow_size` of many values at once, the text of all of them encoded together
    (encoding each one apart cost an export more than writing it)."""
    text, size = [], 0
    for value in values:  # one pass: most values are text, None or a number
        if isinstance(value, str):
            text.append(value)
        elif isinstance(value, list):
            size += arrow_size({"": value})
        elif value is not None:
            size += 8
    return size + len("".join(text).encode("utf-8")) + 4 * len(text)


def moved(files: list[Path], temp: Path, out_dir: Path) -> list[Path]:
    """Paths of files written under ``temp`` as they are after the rename to ``out_dir``."""
    return [Path(out_dir) / path.relative_to(temp) for path in files]
