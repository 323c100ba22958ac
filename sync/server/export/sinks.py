"""Rows to a file a batch at a time, column by column: JSONL lines or Parquet row groups.

    sink = sink_for("jsonl", path, schema)        # or "parquet" / "hf"
    sink.write_columns(columns)                   # one list per schema field, equal lengths
    sink.write(row)                               # or rows one by one, dicts keyed by field
    sink.close(); sink.rows, sink.bytes           # bytes: the Arrow size (the card's num_bytes)

The bytes are exactly what ``json.JSONEncoder(ensure_ascii=False).encode(row)`` per line and
``pyarrow.Table.from_pydict`` per row group make; only the work moves from each value to each
column (the stdlib's C string encoder over a column, one ``%`` per line; ``pa.array`` per
column): Python steps per batch of rows and per column, not per value.
A second config of the same rows (``qalam``) whose first fields are another sink's reuses the
start of that sink's lines, encoded once (:meth:`JsonlSink.heads`, :meth:`~JsonlSink.write_heads`).

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
        distinct = set(values)
        if len(distinct) * 4 > len(values):  # mostly different: encode each
            return list(map(_STRING, values))
        return _looked_up(values, distinct, _STRING)
    if kinds in ({str, _NONE}, {int, _NONE}, {int}, {_NONE}):  # no two equal across types
        return _looked_up(values, set(values), _scalar)
    if kinds <= {int, float, _NONE}:  # exact types: bool (true/false) is not among them
        texts = ["null" if value is None else repr(value) for value in values]
        if _SPECIAL.isdisjoint(texts):
            return texts
    return list(map(_ENCODER.encode, values))


def _looked_up(values: list, distinct: set, encode) -> list[str]:
    """Few distinct values (a language, a kind, nulls): each encoded once."""
    return list(map({value: encode(value) for value in distinct}.__getitem__, values))


def _scalar(value) -> str:
    return "null" if value is None else _STRING(value) if type(value) is str else repr(value)


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
    kinds = set(map(type, values))
    if kinds <= {str, _NONE}:
        return sum(map(len, filter(None, values)))
    if not any(issubclass(kind, str) for kind in kinds):  # numbers, lists: no text
        return 0
    return sum(len(value) for value in values if isinstance(value, str))


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

    def write_columns(self, columns: list[list]) -> None:
        """``columns`` in the sink's field order."""
        if columns and columns[0]:
            self.write_heads(*self.heads(columns))

    def heads(self, columns: list[list]) -> tuple[list[bytes], int]:
        """The rows of ``columns`` (this sink's first fields) as the start of their lines,
        UTF-8, up to the closing brace; and their size (:func:`values_size`). Another sink
        whose first fields are these finishes the same lines (:meth:`write_heads`)."""
        names = self.names[:len(columns)]
        start = "{" + ", ".join(f"{_STRING(name)}: %s" for name in names)
        lines = list(map(start.__mod__, zip(*map(encoded_column, columns), strict=True)))
        heads = list(map(str.encode, lines))
        if all(set(map(type, column)) <= {str} for column in columns):
            # A value's non-ASCII characters are the line's only ones (keys, punctuation
            # and JSON's escapes are ASCII): its bytes past its characters are the line's.
            size = (sum(map(len, heads)) - sum(map(len, lines)) + 4 * len(lines) * len(columns)
                    + sum(sum(map(len, column)) for column in columns))
        else:
            size = sum(map(column_size, columns))
        return heads, size

    def write_heads(self, heads: list[bytes], size: int, rest: list[list] | None = None
                    ) -> None:
        """Rows whose first fields :meth:`heads` made (``size``: theirs), with ``rest``
        the values of this sink's remaining fields, if it has more."""
        if not heads:
            return
        if rest:
            names = self.names[len(self.names) - len(rest):]
            end = "".join(f", {_STRING(name)}: %s" for name in names) + "}\n"
            tails = map(str.encode, map(end.__mod__,
                                        zip(*map(encoded_column, rest), strict=True)))
            parts = [b""] * (2 * len(heads))
            parts[::2], parts[1::2] = heads, tails
            self._file.write(b"".join(parts))
            size += sum(map(column_size, rest))
        else:
            self._file.write(b"}\n".join(heads) + b"}\n")
        self.rows += len(heads)
        self.bytes += size

    def close(self) -> None:
        try:
            self._hand_on()
        finally:
            self._file.close()


class ParquetSink(_Rows):
    """Columns turned into Arrow arrays as they come (or handed in as arrays: a second
    config shares the first's), written one row group at a time (bounded memory). A row
    group's arrays are joined into one (``concat_arrays``: the same bytes as one
    ``from_pydict`` of the group); sizes come from the arrays, not from each value."""

    def __init__(self, path: Path, schema):
        import pyarrow.parquet as pq

        self.path = path
        self._start(schema.names)
        self._schema = schema
        self._writer = pq.ParquetWriter(path, schema, compression="zstd")
        self._parts: list[list] = [[] for _ in self.names]  # per column: arrays of the group
        self._buffered = self._chars = 0

    def arrays(self, columns: list[list], first: int = 0) -> list:
        """``columns`` (this sink's fields from the ``first``) as Arrow arrays."""
        import pyarrow as pa

        return [pa.array(column, type=self._schema.field(first + i).type)
                for i, column in enumerate(columns)]

    def write_columns(self, columns: list[list], arrays: list | None = None) -> None:
        """As :meth:`JsonlSink.write_columns`; ``arrays``: the first columns already as
        :meth:`arrays` made them."""
        n = len(columns[0]) if columns else 0
        if not n:
            return
        arrays = list(arrays or [])
        arrays += self.arrays(columns[len(arrays):], len(arrays))
        self.bytes += sum(map(array_size, arrays))  # a sum: however the row groups fall
        self.rows += n
        start = 0
        while start < n:
            take = min(n - start, ROW_GROUP_ROWS - self._buffered)
            part = columns if (start, take) == (0, n) else [column[start:start + take]
                                                            for column in columns]
            chars = sum(map(column_chars, part))
            if self._chars + chars >= ROW_GROUP_BYTES:  # the row that reaches it ends the group
                per_row = [sum(len(value) for value in row if isinstance(value, str))
                           for row in zip(*part, strict=True)]
                budget = ROW_GROUP_BYTES - self._chars
                take = next(i for i, total in enumerate(accumulate(per_row), 1)
                            if total >= budget)
                chars = sum(per_row[:take])
            for parts, array in zip(self._parts, arrays, strict=True):
                parts.append(array.slice(start, take))
            self._buffered += take
            self._chars += chars
            start += take
            if self._buffered >= ROW_GROUP_ROWS or self._chars >= ROW_GROUP_BYTES:
                self._flush()

    def _flush(self) -> None:
        import pyarrow as pa

        if not self._buffered:
            return
        self._writer.write_table(pa.Table.from_arrays(
            [parts[0] if len(parts) == 1 else pa.concat_arrays(parts) for parts in self._parts],
            schema=self._schema))
        self._parts = [[] for _ in self.names]
        self._buffered = self._chars = 0

    def close(self) -> None:
        try:
            self._hand_on()
            self._flush()
        finally:
            self._writer.close()


def array_size(array) -> int:
    """:func:`values_size` of an Arrow array's values, counted by Arrow: text is its UTF-8
    bytes and 4 bytes a value, a number 8, a null nothing."""
    import pyarrow as pa
    import pyarrow.compute as pc

    present = len(array) - array.null_count
    kind = array.type
    if pa.types.is_string(kind):
        return (pc.sum(pc.binary_length(array)).as_py() or 0) + 4 * present
    if pa.types.is_integer(kind) or pa.types.is_floating(kind):
        return 8 * present
    return values_size(array.to_pylist())
