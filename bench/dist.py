"""Bundle size and frozen start-up, against a bare PySide6 hello-world frozen in the same run.

    make bench-dist                                  # builds dist/ first
    .venv/bin/python bench/dist.py dist/qalam --runs 9

Freezes a hello-world (a QLabel; PyInstaller's defaults: onedir, windowed, nothing trimmed)
with the same PyInstaller into a temporary directory, then measures both bundles:

* size: the unpacked onedir (bytes of all files; symlinks not counted twice) and the
  compressed download (.tar.gz, level 9, as build_scripts/package_linux.py makes it);
* first paint: wall time from starting the executable to its main window's first paint
  (the app prints a line then: ``qalam --first-paint``), a new process each run, median of
  ``--runs``; the first run of each is reported apart (closest to a cold start: the OS
  has not cached the bundle's files yet, unless an earlier command read them). Qalam is
  measured twice: on a data directory it has used before (an annotator's daily start; the
  target applies to this one) and on a fresh one (the very first start: the database is
  created and migrated first).

Targets (issue 7): download <= 50 MB, unpacked <= 120 MB, first paint <= 3x the hello-world.
Runs headless (``QT_QPA_PLATFORM=offscreen``) unless the variable is set.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MB = 1e6
TARGET_DOWNLOAD_MB, TARGET_UNPACKED_MB, TARGET_PAINT_RATIO = 50, 120, 3.0

HELLO = '''\
import sys

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QLabel

app = QApplication(sys.argv)
label = QLabel("Hello, world")


class Painted(QObject):
    def eventFilter(self, watched, event):
        if event.type() == QEvent.Paint and watched is label:
            label.removeEventFilter(self)
            QTimer.singleShot(0, done)
        return False


def done():
    print("first-paint", flush=True)
    app.quit()


watcher = Painted()
label.installEventFilter(watcher)
label.show()
app.exec()
'''


def freeze_hello(work: Path) -> Path:
    """Freeze the hello-world with PyInstaller's defaults; returns its onedir folder."""
    script = work / "hello.py"
    script.write_text(HELLO, encoding="utf-8")
    pyinstaller = Path(sys.executable).parent / "pyinstaller"
    subprocess.run([str(pyinstaller), "--noconfirm", "--onedir", "--windowed",
                    "--log-level", "ERROR", "--name", "hello", "--distpath", str(work / "dist"),
                    "--workpath", str(work / "build"), "--specpath", str(work), str(script)],
                   check=True)
    return work / "dist" / "hello"


def unpacked_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def targz_size(folder: Path, work: Path) -> int:
    out = work / f"{folder.name}.tar.gz"
    with tarfile.open(out, "w:gz", compresslevel=9) as tar:
        tar.add(folder, folder.name)
    return out.stat().st_size


def _executable(folder: Path) -> Path:
    for name in (folder.name, f"{folder.name}.exe"):
        if (folder / name).is_file():
            return folder / name
    raise SystemExit(f"no executable in {folder}")


def first_paint(exe: Path, args: list[str], env: dict) -> float:
    """Seconds from starting ``exe`` to its "first-paint" line."""
    started = time.perf_counter()
    process = subprocess.Popen([str(exe), *args], stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True, env=env)
    for line in process.stdout:
        if line.startswith("first-paint"):
            elapsed = time.perf_counter() - started
            break
    else:
        raise RuntimeError(f"{exe.name} exited without painting ({process.wait()})")
    process.wait(timeout=60)
    return elapsed


def measure_paint(programs: dict[str, tuple[Path, list[str]]], runs: int,
                  data_root: Path) -> dict[str, tuple[float, float]]:
    """{name: (first run, median of the others)} in seconds. The programs take turns, run
    after run, so that a busy machine slows them alike; each run gets a fresh data dir."""
    times: dict[str, list[float]] = {name: [] for name in programs}
    env = {**os.environ}
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    for i in range(runs + 1):
        for name, (exe, args) in programs.items():
            env["QALAM_DATA_DIR"] = str(data_root / f"{name}-{i}")  # fresh unless --data-dir
            times[name].append(first_paint(exe, args, env))
    return {name: (t[0], statistics.median(t[1:])) for name, t in times.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("bundle", type=Path, nargs="?", default=ROOT / "dist" / "qalam")
    parser.add_argument("--runs", type=int, default=7, help="timed runs after the first")
    args = parser.parse_args(argv)
    if not args.bundle.is_dir():
        raise SystemExit(f"no bundle at {args.bundle}: run `make dist`")

    with tempfile.TemporaryDirectory(prefix="qalam-bench-dist-") as tmp:
        work = Path(tmp)
        started = time.perf_counter()
        hello = freeze_hello(work)
        print(f"froze the hello-world in {time.perf_counter() - started:.0f} s")
        qalam = _executable(args.bundle)
        used = work / "used-data"
        env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen")}
        first_paint(qalam, ["--first-paint", "--data-dir", str(used)], env)  # create it once
        paint = measure_paint({
            "hello-world": (_executable(hello), []),
            "qalam": (qalam, ["--first-paint", "--data-dir", str(used)]),
            "qalam, new": (qalam, ["--first-paint"]),
        }, args.runs, work / "data")
        sizes = {"hello-world": hello, "qalam": args.bundle}
        rows = [(name, unpacked_size(folder), targz_size(folder, work), *paint[name])
                for name, folder in sizes.items()]
        rows.append(("qalam, new", rows[1][1], rows[1][2], *paint["qalam, new"]))

    print(f"\n{'':12} {'unpacked':>10} {'.tar.gz':>10} {'1st paint':>10} "
          f"{'median':>10}  (first paint: new process, median of {args.runs})")
    for name, unpacked, packed, first, median in rows:
        print(f"{name:12} {unpacked / MB:8.1f}MB {packed / MB:8.1f}MB {first * 1000:8.0f}ms "
              f"{median * 1000:8.0f}ms")
    (_, _, _, _, hello_paint), (_, unpacked, packed, _, paint), *_ = rows
    ratio = paint / hello_paint
    print(f"(qalam's very first start, on a new data directory: "
          f"{rows[2][4] / hello_paint:.2f}x the hello-world)")
    verdicts = [
        ("download (.tar.gz)", f"{packed / MB:.1f} MB", f"<= {TARGET_DOWNLOAD_MB} MB",
         packed / MB <= TARGET_DOWNLOAD_MB),
        ("unpacked onedir", f"{unpacked / MB:.1f} MB", f"<= {TARGET_UNPACKED_MB} MB",
         unpacked / MB <= TARGET_UNPACKED_MB),
        ("first paint vs hello-world", f"{ratio:.2f}x", f"<= {TARGET_PAINT_RATIO:.0f}x",
         ratio <= TARGET_PAINT_RATIO),
    ]
    print()
    for what, value, target, ok in verdicts:
        print(f"{what:28} {value:>10}  target {target:>9}  {'ok' if ok else 'MISSED'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
