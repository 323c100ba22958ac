"""A smaller ICU data library for the Linux bundle (32 MB -> about 3 MB).

PySide6's Linux wheels link Qt Core against ICU 73, whose data library ``libicudata.so.73``
is 32 MB, the largest file in the bundle. Qt Core calls ICU for only four things: case
mapping (``u_strToUpper``; its tables are compiled into libicuuc, not in the data), time
zones (``ucal_*``), collation (``ucol_*``, QCollator) and legacy text codecs (``ucnv_*``,
QStringConverter for encodings other than UTF-8/16/32 and Latin-1, which Qalam never uses).
This keeps the data those need for the shipped languages and drops the rest: other locales,
display names of languages, regions, currencies and units, number spell-out rules,
transliterators, break-iterator dictionaries and the 200 legacy converters.

    python build_scripts/icu_data.py LIBICUDATA OUT_DIR     # -> OUT_DIR/libicudata.so.73

The package format (a header, a table of contents, 16-byte aligned items) is read and
written here: ICU 72's ``icupkg`` rewrites ICU 73 data into a package whose collation data
no longer loads ("Could not create collator: 4"), which ui/self_test.py's ICU check caught.
Needs binutils (nm, readelf) and a C compiler (cc/gcc) to wrap the data in a shared library
exporting ``icudt73_dat``; :func:`build` returns None when one is missing, and the spec then
keeps the full file.
Windows and macOS builds do not ship ICU data (Qt uses the system's), so this is Linux only.
"""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bundle_rules import SHIPPED_LANGUAGES

#: Trees whose items are all dropped: display names and rules Qt Core never asks ICU for.
DROPPED_TREES = ("brkitr", "curr", "lang", "rbnf", "region", "translit", "unit")
#: Trees kept for the shipped languages only (plus their shared root, pool and index).
PER_LOCALE_TREES = ("", "coll", "zone")
#: Top-level items dropped: Unicode character names (u_charName: unused).
DROPPED_FILES = ("unames.icu",)

_LOCALE_RES = re.compile(r"^([a-z]{2,3})(?:_.*)?\.res$")
_SHARED = {"root.res", "pool.res", "res_index.res", "ucadata.icu"}


def keep(item: str) -> bool:
    """Whether a package item (``coll/ar.res``, ``ibm-943_P15A-2003.cnv``) is kept."""
    tree, _, name = item.rpartition("/")
    if tree in DROPPED_TREES or name in DROPPED_FILES or name.endswith(".cnv"):
        return False
    if tree not in PER_LOCALE_TREES:
        return True
    if name in _SHARED:
        return True
    match = _LOCALE_RES.match(name)
    if match is None:  # zoneinfo64.res, metaZones.res, likelySubtags.res, cnvalias.icu, ...
        return True
    return match.group(1) in SHIPPED_LANGUAGES


def _symbol(library: Path) -> tuple[str, int, int]:
    """(name, file offset, size) of the ``icudtNN_dat`` symbol, read with nm/readelf."""
    nm = subprocess.run(["nm", "-D", "-S", str(library)], capture_output=True, text=True,
                        check=True).stdout
    match = re.search(r"^([0-9a-f]+) ([0-9a-f]+) R (icudt\d+_dat)$", nm, re.M)
    if match is None:
        raise ValueError(f"{library}: no icudtNN_dat symbol")
    address, size, name = int(match.group(1), 16), int(match.group(2), 16), match.group(3)
    sections = subprocess.run(["readelf", "-S", "-W", str(library)], capture_output=True,
                              text=True, check=True).stdout
    for line in sections.splitlines():
        fields = line.replace("[ ", "[").split()
        if len(fields) > 5 and fields[1] == ".rodata":
            section_address, section_offset = int(fields[3], 16), int(fields[4], 16)
            return name, address - section_address + section_offset, size
    raise ValueError(f"{library}: no .rodata section")


def read_package(data: bytes) -> tuple[bytes, list[tuple[str, bytes]]]:
    """Split an ICU common data package (``icudt73l.dat``) into its header and its items
    ``(name, bytes)``, names without the package prefix (``coll/ar.res``), in TOC order."""
    header_size = struct.unpack_from("<H", data, 0)[0]
    if data[2:4] != b"\xda\x27" or data[12:16] != b"CmnD":
        raise ValueError("not an ICU common data package")
    toc = header_size
    count = struct.unpack_from("<I", data, toc)[0]
    offsets = [struct.unpack_from("<II", data, toc + 4 + 8 * i) for i in range(count)]
    items = []
    for i, (name_offset, data_offset) in enumerate(offsets):
        name_end = data.index(b"\0", toc + name_offset)
        name = data[toc + name_offset:name_end].decode("ascii")
        end = toc + offsets[i + 1][1] if i + 1 < count else len(data)
        items.append((name.split("/", 1)[1], data[toc + data_offset:end]))
    return data[:header_size], items


def write_package(header: bytes, prefix: str, items: list[tuple[str, bytes]]) -> bytes:
    """An ICU common data package of ``items`` (sorted by name, as ICU's binary search of
    the TOC needs), each item 16-byte aligned like icupkg's output."""
    items = sorted(items, key=lambda item: item[0])
    names = b"".join(f"{prefix}/{name}".encode("ascii") + b"\0" for name, _ in items)
    toc_size = 4 + 8 * len(items)
    position = len(header) + toc_size + len(names)
    body, entries, name_offset = b"", [], toc_size
    for name, item in items:
        padding = -position % 16
        body += b"\xaa" * padding  # what ICU's own tools pad with
        position += padding
        entries.append((name_offset, position - len(header)))
        name_offset += len(f"{prefix}/{name}") + 1
        body += item
        position += len(item)
    toc = struct.pack("<I", len(items)) + b"".join(struct.pack("<II", *e) for e in entries)
    return header + toc + names + body


def build(library: Path, out_dir: Path) -> Path | None:
    """Write the filtered ``libicudata.so.NN`` into ``out_dir``; None if a tool is missing."""
    compiler = shutil.which("cc") or shutil.which("gcc")
    if compiler is None or not all(shutil.which(t) for t in ("nm", "readelf")):
        return None
    name, offset, size = _symbol(library)
    package = name.removesuffix("_dat") + "l"  # icudt73l: little-endian
    with open(library, "rb") as f:
        f.seek(offset)
        header, items = read_package(f.read(size))
    small = write_package(header, package, [(n, b) for n, b in items if keep(n)])
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        data_file = Path(tmp) / f"{package}.dat"
        data_file.write_bytes(small)
        assembly = Path(tmp) / "icudata.s"
        assembly.write_text(
            f"\t.section .rodata\n\t.globl {name}\n\t.type {name}, @object\n"
            f"\t.balign 16\n{name}:\n"
            f'\t.incbin "{data_file}"\n\t.size {name}, .-{name}\n'
            '\t.section .note.GNU-stack,"",@progbits\n'
        )
        target = out_dir / library.name
        subprocess.run([compiler, "-shared", "-nostdlib", f"-Wl,-soname,{library.name}",
                        "-o", str(target), str(assembly)], check=True)
    return target


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__.split("\n\n")[2], file=sys.stderr)
        return 2
    target = build(Path(argv[0]), Path(argv[1]))
    if target is None:
        print("nm, readelf or a C compiler is missing", file=sys.stderr)
        return 1
    print(f"{target}: {target.stat().st_size / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
