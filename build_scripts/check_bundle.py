"""Check a finished onedir bundle against bundle_rules.py, and show where the bytes go.

    python build_scripts/check_bundle.py dist/qalam          # `make dist` runs it

Lists the bundle's Qt modules, Qt libraries and Qt plugins, and fails (exit status 1) on:

* a Qt module, library or plugin the allow-lists in bundle_rules.py do not name;
* test files (``tests/`` folders, ``test_*.py``, ``conftest.py``), on disk or frozen;
* frozen or on-disk code of development tools (pytest, ruff, pip, setuptools, hatchling,
  schemathesis, PyInstaller...) or of the server (bundle_rules.DEV_TOOLS);
* a dangling symlink (a library trimmed away under a link that stayed);
* a library left to the system (bundle_rules.SYSTEM_LIBS: fontconfig, X11, GLib, D-Bus...);
* on Linux, a Qt plugin whose Qt/ICU libraries do not resolve inside the bundle (a library
  trimmed away that something kept still needs).

Then prints the biggest files and the total. Needs PyInstaller (to read the frozen archive).
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bundle_rules

_TEST_FILE = re.compile(r"(^|/)(tests?|testing)/|(^|/)(test_\w+|\w+_test|conftest)\.py[co]?$")


def frozen_modules(bundle: Path, executable: Path) -> list[str]:
    """Names of the modules frozen into the executable's archive and base_library.zip."""
    from PyInstaller.archive.readers import CArchiveReader

    names: list[str] = []
    archive = CArchiveReader(str(executable))
    for entry in archive.toc:
        if entry.endswith(".pyz"):
            names += list(archive.open_embedded_archive(entry).toc)
    base = next(bundle.rglob("base_library.zip"), None)
    if base is not None:
        with zipfile.ZipFile(base) as z:
            names += [n.removesuffix(".pyc").replace("/", ".") for n in z.namelist()
                      if n.endswith(".pyc")]
    return names


def _is_dev_tool(module: str) -> bool:
    top = module.split(".")[0]
    return top in bundle_rules.DEV_TOOLS or module.startswith("sync.server")


def _executable(bundle: Path) -> Path:
    for name in ("qalam", "qalam.exe", "Contents/MacOS/qalam"):
        if (bundle / name).is_file():
            return bundle / name
    raise SystemExit(f"{bundle}: no qalam executable in it (run `make dist`)")


def _unresolved_qt(bundle: Path, plugins: list[Path]) -> list[str]:
    """Qt/ICU libraries that a kept plugin links against but the bundle lacks (Linux)."""
    if not sys.platform.startswith("linux") or shutil.which("ldd") is None:
        return []
    internal = next((p.parent for p in bundle.rglob("libpython3*.so*")), bundle)
    qt_lib = next((p.parent for p in bundle.rglob("libQt6Core.so*")), internal)
    env = {"LD_LIBRARY_PATH": f"{qt_lib}:{internal}", "PATH": "/usr/bin:/bin"}
    problems = []
    for plugin in plugins:
        out = subprocess.run(["ldd", str(plugin)], capture_output=True, text=True,
                             env=env).stdout
        for line in out.splitlines():
            name = line.strip().split(" ")[0]
            if "not found" in line and name.startswith(("libQt6", "libicu")):
                problems.append(f"{plugin.name} needs {name}")
    return problems


def check(bundle: Path, *, top: int = 15) -> list[str]:
    """The problems found in ``bundle`` (empty when it passes); prints the inventory."""
    problems: list[str] = []
    files = sorted(p for p in bundle.rglob("*") if p.is_file() and not p.is_symlink())
    rel = {p: p.relative_to(bundle).as_posix() for p in files}

    modules, libraries, plugins, plugin_files = set(), set(), set(), []
    for path, name in rel.items():
        if (module := bundle_rules.pyside_module(name.split("_internal/")[-1])) is not None:
            modules.add(module)
        elif (library := bundle_rules.qt_library(name)) is not None:
            libraries.add(library)
        elif (plugin := bundle_rules.plugin_key(name)) is not None:
            plugins.add(plugin)
            plugin_files.append(path)
    print(f"Qt modules:   {' '.join(sorted(modules))}")
    print(f"Qt libraries: {' '.join(sorted(libraries))}")
    print(f"Qt plugins:   {' '.join(sorted(plugins))}")
    problems += [f"Qt module not imported by the app: {m}" for m in sorted(modules)
                 if m not in bundle_rules.QT_MODULES]
    problems += [f"Qt library not needed: Qt6{m}" for m in sorted(libraries)
                 if not bundle_rules.qt_library_allowed(m)]
    problems += [f"Qt plugin not allowed: {p}" for p in sorted(plugins)
                 if p not in bundle_rules.QT_PLUGINS]
    for name in rel.values():
        if name.rsplit("/", 1)[-1] in bundle_rules.SYSTEM_LIBS:
            problems.append(f"library the system must provide: {name}")
        if "/translations/" in name and name.endswith(".qm") \
                and not bundle_rules.qt_translation_allowed(name.rsplit("/", 1)[-1]):
            problems.append(f"Qt translation of a language not shipped: {name}")
        if _TEST_FILE.search(name):
            problems.append(f"test file: {name}")
        top_dir = name.split("_internal/")[-1].split("/")[0]
        if top_dir.split("-")[0] in bundle_rules.DEV_TOOLS and top_dir != "":
            problems.append(f"development tool on disk: {name}")

    frozen = frozen_modules(bundle, _executable(bundle))
    print(f"Frozen Python modules: {len(frozen)}")
    problems += [f"frozen test module: {m}" for m in frozen
                 if re.search(r"(^|\.)(tests?|conftest|test_\w+)(\.|$)", m)]
    problems += [f"frozen development tool: {m}" for m in frozen if _is_dev_tool(m)]
    problems += _unresolved_qt(bundle, plugin_files)
    problems += [f"dangling symlink: {p.relative_to(bundle).as_posix()}"
                 for p in bundle.rglob("*") if p.is_symlink() and not p.exists()]

    sizes = sorted(((p.stat().st_size, rel[p]) for p in files), reverse=True)
    total = sum(size for size, _ in sizes)
    print(f"\nBiggest files (of {len(files)}, {total / 1e6:.1f} MB in all):")
    for size, name in sizes[:top]:
        print(f"  {size / 1e6:7.2f} MB  {name}")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("bundle", type=Path, help="the onedir bundle, e.g. dist/qalam")
    parser.add_argument("--top", type=int, default=15, help="how many big files to list")
    args = parser.parse_args(argv)
    problems = check(args.bundle, top=args.top)
    if problems:
        print(f"\n{len(problems)} problem(s):", file=sys.stderr)
        for problem in problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    print("\nbundle ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
