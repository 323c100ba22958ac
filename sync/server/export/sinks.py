"""Rows to a file a batch at a time, column by column: JSONL lines or Parquet row groups.

    sink = sink_for("jsonl", path, schema)        # or "parquet" / "hf"
    sink.write_columns(columns)                   # one list per schema field, equal lengths
    sink.write(row)                               # or rows one by one, dicts keyed by field
    sink.close(); sink.rows, sink.bytes           # bytes: the Arrow size (the card's num_bytes)

The bytes are exactly what ``json.JSONEncoder(ensure_ascii=False).encode(row)`` per line and
``pyarrow.Table.from_pydict`` per row group make; only the work moves from each value to each
column (the stdlib's C string encoder over a column, one ``%`` per line; ``pa.array`` per
column), so a million rows cost about what a plain ``json.dumps`` loop over them costs.
A JSONL line's encoded columns can be handed in (``encoded``): a second config of the same
rows (``qalam``) reuses the first's instead of encoding them again.

Parquet row groups end where they always did: after :data:`ROW_GROUP_ROWS` rows, or at the
row whose text takes the group to :data:`ROW_GROUP_BYTES` characters (memory stays flat).
"""

from __future__ import annotations

import json
from itertools import accumulate
from pathlib import Path

from sync.server.export.output import values_size

ROW_GROUP_ROWS = 10_000
ROW_GROUP_BYTES = 32 * 1024 * 1024

_ENCODER = json.JSONEncoder(ensure_ascii=False)
_STRING = json.encoder.encode_basestring  # the C one when the stdlib has it, as the encoder
_SPECIAL = frozenset({"nan", "inf", "-inf"})  # floats json writes as NaN, Infinity, -Infinity
_NONE = type(None)


def encoded_column(values: list) -> list[str]:
    """Each value as ``json.JSONEncoder(ensure_ascii=False)`` writes it inside an object."""
    kinds = set(map(type, values))
    if kinds <= {str}:
        return list(map(_STRING, values))
    if kinds <= {str, _NONE}:
        return ["null" if value is None else _STRING(value) for value in values]
    if kinds <= {int, float, _NONE}:  # exact types: bool (true/false) is not among them
        texts = ["null" if value is None else repr(value) for value in values]
        if _SPECIAL.isdisjoint(texts):
            return texts
    return list(map(_ENCODER.encode, values))


def column_size(values: list) -> int:
    """:func:`values_size` of one column: text and numbers summed without a step per value."""
    kinds = set(map(type, values))
    present = len(values) - values.count(None)
    if kinds <= {str, _NONE}:
        return len("".join(filter(None, values)).encode("utf-8")) + 4 * present
    if kinds <= {int, float, bool, _NONE}:
        return 8 * present
    return values_size(values)


def column_chars(values: list) -> int:
    """Characters of the text values in a column (a row group's text budget)."""
    if set(map(type, values)) <= {str, _NONE}:
        return sum(map(len, filter(None, values)))
    return sum(len(value) for value in values if isinstance(value, str))


def _sizes(columns: list[list], sizes: list[int] | None) -> int:
    known = list(sizes or [])
    return sum(known) + sum(map(column_size, columns[len(known):]))


def sink_for(fmt: str, path: Path, schema):
    path.parent.mkdir(parents=True, exist_ok=True)
    return JsonlSink(path, schema.names) if fmt == "jsonl" else ParquetSink(path, schema)


class _Rows:
    """Rows given one by one (dicts), handed on as columns :data:`ROWS_AT_ONCE` at a time."""

    ROWS_AT_ONCE = 1000

    def _start(self, names) -> None:
        self.names = list(names)
        self.rows = self.bytes = 0
        self._pending: list[tuple] = []

    def write(self, row: dict) -> None:
        self._pending.append(tuple(row[name] for name in self.names))
        if len(self._pending) >= self.ROWS_AT_ONCE:
            self._hand_on()

    def _hand_on(self) -> None:
        if self._pending:
            columns = [list(column) for column in zip(*self._pending, strict=True)]
            self._pending = []
            self.write_columns(columns)


class JsonlSink(_Rows):
    """One JSON object per line, UTF-8; each batch of columns is one write."""

    def __init__(self, path: Path, names: list[str]):
        self.path = path
        self._start(names)
        self._file = open(path, "wb")  # noqa: SIM115  (closed in close())
        keys = ", ".join(f"{_STRING(name)}: %s" for name in self.names)
        self._line = "{" + keys + "}"

    def write_columns(self, columns: list[list], encoded: list[list[str]] | None = None,
                      sizes: list[int] | None = None) -> None:
        """``columns`` in the sink's field order; ``encoded`` and ``sizes``: the first of
        them already as :func:`encoded_column` and :func:`column_size` made them (fewer than
        ``columns`` is fine)."""
        if not columns or not columns[0]:
            return
        texts = list(encoded or [])
        texts += [encoded_column(column) for column in columns[len(texts):]]
        lines = list(map(self._line.__mod__, zip(*texts, strict=True)))
        lines.append("")
        self._file.write("\n".join(lines).encode("utf-8"))
        self.rows += len(columns[0])
        self.bytes += _sizes(columns, sizes)

    def close(self) -> None:
        try:
            self._hand_on()
        finally:
            self._file.close()


class ParquetSink(_Rows):
    """Columns buffered and written one row group at a time (bounded memory)."""

    def __init__(self, path: Path, schema):
        import pyarrow.parquet as pq

        self.path = path
        self._start(schema.names)
        self._schema = schema
        self._writer = pq.ParquetWriter(path, schema, compression="zstd")
        self._columns: list[list] = [[] for _ in self.names]
        self._chars = 0

    def write_columns(self, columns: list[list], encoded=None,
                      sizes: list[int] | None = None) -> None:
        """As :meth:`JsonlSink.write_columns` (``encoded`` is not needed here)."""
        if columns and columns[0]:
            self.bytes += _sizes(columns, sizes)  # a sum: however the row groups fall
        while columns and columns[0]:
            take = min(len(columns[0]), ROW_GROUP_ROWS - len(self._columns[0]))
            chars = sum(column_chars(column[:take]) for column in columns)
            if self._chars + chars >= ROW_GROUP_BYTES:  # the row that reaches it ends the group
                per_row = [sum(len(value) for value in row if isinstance(value, str))
                           for row in zip(*(column[:take] for column in columns), strict=True)]
                budget = ROW_GROUP_BYTES - self._chars
                take = next(i for i, total in enumerate(accumulate(per_row), 1)
                            if total >= budget)
                chars = sum(per_row[:take])
            for buffered, column in zip(self._columns, columns, strict=True):
                buffered.extend(column[:take])
            self._chars += chars
            self.rows += take
            columns = [column[take:] for column in columns]
            if len(self._columns[0]) >= ROW_GROUP_ROWS or self._chars >= ROW_GROUP_BYTES:
                self._flush()

    def _flush(self) -> None:
        import pyarrow as pa

        if not self._columns[0]:
            return
        self._writer.write_table(pa.Table.from_pydict(dict(zip(self.names, self._columns,
                                                               strict=True)),
                                                      schema=self._schema))
        self._columns = [[] for _ in self.names]
        self._chars = 0

    def close(self) -> None:
        try:
            self._hand_on()
            self._flush()
        finally:
            self._writer.close()
