"""Reading a big XML file one record at a time, bounded, with nothing fetched or expanded:
what the XLIFF, TMX and TBX importers share.

    for record in records(path, {"tu"}, on_start=remember_header):
        ...   # a complete <tu> element; freed once the loop moves on

libxml2 is asked for no DTD, no entities, no network and no huge texts; a file with a
DOCTYPE is refused outright (entity expansion). Elements outside records are freed as soon as
they end; a record is bounded in elements (:data:`MAX_RECORD_ELEMENTS`) and bytes
(:data:`MAX_RECORD_BYTES`), and the parser may read at most :data:`MAX_QUIET_BYTES` (or
:data:`MAX_QUIET_ATTRIBUTES` ``=`` signs) without completing an element. Every refusal is a
:class:`~app.taskfile.TaskFileError` naming the file, the line and, where there is one, the
field.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from app.taskfile import TaskFileError

MAX_RECORD_ELEMENTS = 10_000
MAX_RECORD_BYTES = 16 * 1024 * 1024
MAX_QUIET_BYTES = 10_000_000
MAX_QUIET_ATTRIBUTES = 10_000


class Quiet(Exception):
    """The parser read too far without producing an element."""


class Counting:
    """A binary file that counts what it reads (``add`` hears each read's size: progress)
    and stops a parser that reads too far without an event (the reader sets ``quiet`` and
    ``equals`` back to 0 on each): libxml2 holds a start tag's attributes, or a text, in
    memory until it is complete, and an attribute costs some 300 bytes of it."""

    def __init__(self, raw, add: Callable[[int], None] | None = None):
        self.raw, self.add = raw, add
        self.done = self.quiet = self.equals = 0

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        self.done += len(data)
        if self.add is not None:
            self.add(len(data))
        self.quiet += len(data)
        self.equals += data.count(b"=")
        if self.quiet > MAX_QUIET_BYTES or self.equals > MAX_QUIET_ATTRIBUTES:
            raise Quiet
        return data


def parser(counting: Counting):
    """lxml's iterparse over ``counting``: no DTD, no entities, no network, no huge texts."""
    from lxml import etree

    return etree.iterparse(
        counting, events=("start", "end"), resolve_entities=False, no_network=True,
        load_dtd=False, huge_tree=False, remove_comments=True, remove_pis=True)


@contextmanager
def refusals(path: Path, last: Callable[[], object]):
    """Turn the parser's refusals into a :class:`TaskFileError` naming the file and line
    (``last()``: the last element the parser produced, or None)."""
    from lxml import etree

    try:
        yield
    except etree.XMLSyntaxError as exc:
        raise TaskFileError(path, exc.lineno or None, None,
                            f"is not well-formed XML ({exc.msg}).") from exc
    except Quiet:
        element = last()
        raise TaskFileError(path, element.sourceline if element is not None else None, None,
                            f"goes on for more than {MAX_QUIET_BYTES // 1_000_000} MB, or "
                            f"{MAX_QUIET_ATTRIBUTES:,} attributes, after this line without "
                            "completing an element; it was refused.") from None


def local(element) -> str:
    tag = element.tag
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def xml_lang(element) -> str | None:
    return element.get("{http://www.w3.org/XML/1998/namespace}lang") or element.get("lang")


def records(path: Path, names: set[str], *,
            on_start: Callable[[object, str], None] | None = None) -> Iterator:
    """Each complete element named in ``names`` (local names), in file order; ``on_start``
    sees the start of every element outside a record (the root first)."""
    with path.open("rb") as raw:
        counting = Counting(raw)
        root = record = last = None
        elements = start = 0
        with refusals(path, lambda: last):
            for event, element in parser(counting):
                counting.quiet = counting.equals = 0
                last = element
                name = local(element)
                if root is None:
                    root = element
                    if element.getroottree().docinfo.doctype:
                        raise TaskFileError(path, 1, None, "has a DOCTYPE; Qalam refuses them "
                                                           "(entity expansion).")
                if record is not None and element is not record:
                    elements += event == "start"
                    if elements > MAX_RECORD_ELEMENTS or \
                            counting.done - start > MAX_RECORD_BYTES:
                        raise TaskFileError(
                            path, record.sourceline, None,
                            f"<{local(record)}> holds more than {MAX_RECORD_ELEMENTS:,} "
                            f"elements or {MAX_RECORD_BYTES // (1024 * 1024)} MB; it was "
                            "refused.")
                    continue
                if event == "start":
                    if name in names:
                        record, elements, start = element, 0, counting.done
                    elif on_start is not None:
                        on_start(element, name)
                    continue
                if element is record:
                    record = None
                    yield element
                if element is not root:
                    forget(element)
        if root is None:
            raise TaskFileError(path, None, None, "is empty.")


def forget(element) -> None:
    """Free an element that was handled, and what came before it: memory stays flat."""
    element.clear(keep_tail=True)
    while element.getprevious() is not None:
        del element.getparent()[0]
