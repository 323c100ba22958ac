"""Render resources/icons/qalam.svg to the PNG, .ico and .icns files the builds need.

    .venv/bin/python build_scripts/make_icons.py     # after editing the SVG; commit the output

Uses Qt's own SVG renderer and image writers (QT_QPA_PLATFORM=offscreen is enough).
"""

from __future__ import annotations

import os
import struct
import sys
from pathlib import Path

ICONS = Path(__file__).resolve().parent.parent / "resources" / "icons"
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QImageWriter, QPainter
    from PySide6.QtSvg import QSvgRenderer

    _app = QGuiApplication(sys.argv[:1])
    renderer = QSvgRenderer(str(ICONS / "qalam.svg"))
    if not renderer.isValid():
        print("qalam.svg does not parse", file=sys.stderr)
        return 1
    images = {}
    for size in SIZES:
        image = QImage(size, size, QImage.Format_ARGB32_Premultiplied)
        image.fill(Qt.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.Antialiasing)
        renderer.render(painter)
        painter.end()
        images[size] = image
        if size in (16, 32, 48, 64, 128):
            image.save(str(ICONS / f"qalam-{size}.png"))
    images[256].save(str(ICONS / "qalam.png"))
    (ICONS / "qalam.ico").write_bytes(_ico({s: _png(images[s]) for s in (16, 24, 32, 48, 256)}))
    if b"icns" in {bytes(f) for f in QImageWriter.supportedImageFormats()}:
        images[512].save(str(ICONS / "qalam.icns"))
    else:
        print("Qt cannot write .icns here; keep the committed one", file=sys.stderr)
    return 0


def _png(image) -> bytes:
    from PySide6.QtCore import QBuffer, QIODevice

    buffer = QBuffer()
    buffer.open(QIODevice.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(buffer.data())


def _ico(pngs: dict[int, bytes]) -> bytes:
    """A Windows .ico holding one PNG per size (Vista and later read PNG entries)."""
    header = struct.pack("<HHH", 0, 1, len(pngs))
    entries, data = b"", b""
    offset = 6 + 16 * len(pngs)
    for size, png in pngs.items():
        side = 0 if size >= 256 else size  # 0 means 256
        entries += struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(png), offset + len(data))
        data += png
    return header + entries + data


if __name__ == "__main__":
    sys.exit(main())
