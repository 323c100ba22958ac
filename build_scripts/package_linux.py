"""Package the Linux onedir bundle as ``dist/qalam-<version>-linux-<arch>.tar.gz``.

    python build_scripts/package_linux.py dist/qalam        # `make dist` runs it on Linux

The archive holds one folder, ``qalam-<version>/``: the bundle, ``qalam.desktop`` and
``qalam.png`` for the desktop menu, ``install-desktop-entry.sh`` (adds the menu entry for
this user, no root needed) and ``README.txt``. Entries are owned by root with the build's
timestamp (``SOURCE_DATE_EPOCH`` when set), so two builds of one commit give one archive.
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import sys
import tarfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app import __version__  # noqa: E402

INSTALL_SCRIPT = """#!/bin/sh
# Add Qalam to this user's application menu (no root needed). Run it from this folder.
set -e
here=$(cd "$(dirname "$0")" && pwd)
apps="${XDG_DATA_HOME:-$HOME/.local/share}/applications"
icons="${XDG_DATA_HOME:-$HOME/.local/share}/icons/hicolor/256x256/apps"
mkdir -p "$apps" "$icons"
cp "$here/qalam.png" "$icons/qalam.png"
sed -e "s|^Exec=qalam|Exec=\\"$here/qalam\\"|" -e "s|^TryExec=qalam|TryExec=$here/qalam|" \\
    "$here/qalam.desktop" > "$apps/qalam.desktop"
command -v update-desktop-database >/dev/null && update-desktop-database "$apps" || true
echo "Qalam is in your applications menu; it runs from $here"
"""

README = """Qalam {version} for Linux ({arch})

Run ./qalam from this folder; nothing needs installing, and no Python.
./install-desktop-entry.sh adds Qalam to your applications menu.

Portable use (a USB stick): put an empty file named portable.txt beside the qalam
executable and Qalam keeps all its data in the data/ folder here, not in your home folder.
A qalam-provisioning.json placed here sets the server to sync with on first start.

Check this copy: ./qalam --self-test /tmp/qalam-check   (prints one line per check)
Licences of everything bundled: _internal/licenses/ and _internal/resources/fonts/.
"""


def archive_name(version: str = __version__) -> str:
    return f"qalam-{version}-linux-{platform.machine().lower()}.tar.gz"


def package(bundle: Path, out: Path) -> Path:
    folder = f"qalam-{__version__}"
    mtime = int(os.environ.get("SOURCE_DATE_EPOCH", time.time()))

    def normalize(info: tarfile.TarInfo) -> tarfile.TarInfo:
        info.uid = info.gid = 0
        info.uname = info.gname = "root"
        info.mtime = mtime
        return info

    def add_text(tar: tarfile.TarFile, name: str, text: str, mode: int) -> None:
        data = text.encode()
        info = normalize(tarfile.TarInfo(f"{folder}/{name}"))
        info.size, info.mode = len(data), mode
        tar.addfile(info, io.BytesIO(data))

    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".tmp")
    with tarfile.open(tmp, "w:gz", compresslevel=9) as tar:
        for path in sorted(bundle.rglob("*")):
            tar.add(path, f"{folder}/{path.relative_to(bundle).as_posix()}", recursive=False,
                    filter=normalize)
        tar.add(ROOT / "resources" / "qalam.desktop", f"{folder}/qalam.desktop",
                filter=normalize)
        tar.add(ROOT / "resources" / "icons" / "qalam.png", f"{folder}/qalam.png",
                filter=normalize)
        add_text(tar, "install-desktop-entry.sh", INSTALL_SCRIPT, 0o755)
        add_text(tar, "README.txt", README.format(version=__version__,
                                                  arch=platform.machine()), 0o644)
    tmp.replace(out)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("bundle", type=Path, help="the onedir bundle (dist/qalam)")
    parser.add_argument("--out", type=Path, help="archive path (default: dist/<name>)")
    args = parser.parse_args(argv)
    out = args.out or args.bundle.parent / archive_name()
    package(args.bundle, out)
    print(f"{out}: {out.stat().st_size / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
