"""Hostile inputs: peak memory and time of a normal import beside each hostile file.

    .venv/bin/python bench/hostile.py                     # this checkout
    .venv/bin/python bench/hostile.py --tree /tmp/old     # another one (git archive REV)
    .venv/bin/python bench/hostile.py --only bundle       # bundles, or jsonl, csv, …

Each file is read in its own Python process, and the peak is that process's own high-water
RSS (``VmHWM``, which starts afresh at exec). For offline bundles the child verifies the
bundle and parses its batches (``sync.bundle.read``, as ``qalam-server import-bundle`` and
``qalam bundle import`` do); for task files it imports into a fresh SQLite database
(``sync.server.work.imports.import_file``). Every hostile file is printed beside the normal file
of its kind measured in the same run, with the ratio of their peaks: a hostile file should
cost about what a normal one does, whatever it claims or inflates to.

The files are built by the regression tests' own builders (tests/sync/test_hostile_bundles.py
and tests/server/test_hostile_imports.py), plus the issue's 600 MB bundle and a 12 MB XLIFF
of ``<a/>``. ``--tree`` runs the children on another checkout's code (say, before the fix:
``git archive <rev> | tar -x -C /tmp/old``), with this checkout's files and database.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey  # noqa: E402

from app.ids import new_id  # noqa: E402
from sync import keys  # noqa: E402
from tests.server import test_hostile_imports as imports_cases  # noqa: E402
from tests.sync import test_hostile_bundles as bundle_cases  # noqa: E402

MB = 1024 * 1024

_BUNDLE_CHILD = imports_cases.PEAK_MB + """
import json, sys, time
from pathlib import Path
from app.errors import SyncError
from sync import bundle
path, key = Path(sys.argv[1]), sys.argv[2]
start, error, items = time.perf_counter(), None, 0
try:
    read = bundle.read(path, lambda manifest: key)
    batches = read.batches() if callable(read.batches) else read.batches  # older checkouts
    items = sum(len(batch.items) for batch in batches)
except SyncError as exc:
    error = str(exc)
print(json.dumps({"error": error, "count": items, "seconds": time.perf_counter() - start,
                  "peak_mb": peak_mb()}))
"""

_IMPORT_CHILD = imports_cases.PEAK_MB + """
import json, sys, time
from pathlib import Path
from app.taskfile import TaskFileError
from sync.server import db
try:
    from sync.server.work.imports import import_file
except ImportError:  # a checkout from before sync/server/work/
    from sync.server.imports import import_file
path, url = Path(sys.argv[1]), sys.argv[2]
start, error, added = time.perf_counter(), None, 0
try:
    added = import_file(db.create_engine(url), path, project_id="bench").added
except TaskFileError as exc:
    error = str(exc)
except Exception as exc:  # what an older checkout let through
    error = f"{type(exc).__name__}: {exc}"
print(json.dumps({"error": error, "count": added, "seconds": time.perf_counter() - start,
                  "peak_mb": peak_mb()}))
"""

_MIGRATE = """
import sys
from sync.server import db
try:
    from sync.server.people.server_identity import ensure_server_identity
except ImportError:  # a checkout from before sync/server/people/
    from sync.server.identity import ensure_server_identity
engine = db.create_engine(sys.argv[1])
db.migrate(engine)
ensure_server_identity(engine)
"""


def run_child(code: str, args: list[str], tree: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    done = subprocess.run([sys.executable, "-c", code, *args], cwd=tree, env=env,
                          capture_output=True, text=True, timeout=1800)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["?"])[-1]
        return {"error": f"crashed: {last}", "count": 0, "seconds": float("nan"),
                "peak_mb": float("nan")}
    return json.loads(done.stdout.strip().splitlines()[-1])


def show(label: str, path: Path, result: dict, baseline: dict | None) -> None:
    ratio = "" if baseline is None else f"{result['peak_mb'] / baseline['peak_mb']:5.2f}x"
    outcome = result["error"] or f"ok, {result['count']:,}"
    print(f"  {label:<28} {path.stat().st_size / MB:8.2f} MB {result['seconds']:8.2f} s "
          f"{result['peak_mb']:8.0f} MB {ratio:>6}  {outcome[:90]}")


def bundles(folder: Path, tree: Path) -> None:
    key, device_id = Ed25519PrivateKey.generate(), new_id()
    public = keys.public_key_text(key)
    normal = bundle_cases.normal_bundle(folder / "normal.qalam", key, device_id)
    big = {"batches/0001.json": bytes(8 * MB)}
    crowd = {f"batches/{n:05d}.json": b"" for n in range(1, 10_003)}
    hostile = {
        "unsigned, inflates to 600 MB": bundle_cases.inflating_bundle(
            folder / "bomb.qalam", device_id),
        "signed, 8 MB batch": bundle_cases.forge(
            folder / "big.qalam", big, device_id=device_id, key=key),
        "10,002 members": bundle_cases.forge(
            folder / "crowd.qalam", crowd, device_id=device_id, key=key),
        "cut in half": _cut(normal, folder / "cut.qalam"),
    }
    print("\noffline bundles (sync.bundle.read, then every batch parsed)")
    base = run_child(_BUNDLE_CHILD, [str(normal), public], tree)
    show("normal, 3,000 items", normal, base, None)
    for label, path in hostile.items():
        show(label, path, run_child(_BUNDLE_CHILD, [str(path), public], tree), base)


def _cut(path: Path, to: Path) -> Path:
    to.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    return to


def task_files(folder: Path, tree: Path, families: list[str]) -> None:
    template = folder / "template.db"
    subprocess.run([sys.executable, "-c", _MIGRATE, f"sqlite:///{template}"], cwd=tree,
                   env={**os.environ, "PYTHONPATH": str(tree)}, check=True)
    cases = list(imports_cases.HOSTILE)
    cases.append(("xliff2-12-mb-of-a", "xliff2", lambda path: _a_elements(path),
                  "a-elements.xlf", None))
    for family in families:
        normal = imports_cases.normal_file(folder / imports_cases.NORMAL_NAMES[family], family)
        print(f"\n{family} (sync.server.work.imports.import_file into SQLite)")
        base = _import(normal, template, tree)
        show("normal, 12,000 tasks", normal, base, None)
        for case, case_family, build, name, _ in cases:
            if case_family == family:
                path = build(folder / name)
                show(case, path, _import(path, template, tree), base)


def _a_elements(path: Path) -> Path:
    """The issue's file: 12 MB of <a/> inside <file>, then one unit."""
    with path.open("w") as out:
        out.write(imports_cases.XLIFF_2 + "<a/>" * (3 * MB)
                  + imports_cases.UNIT_2.format(n=1, text="maji") + "</file>\n</xliff>\n")
    return path


def _import(path: Path, template: Path, tree: Path) -> dict:
    database = path.with_suffix(".db")
    shutil.copyfile(template, database)
    try:
        return run_child(_IMPORT_CHILD, [str(path), f"sqlite:///{database}"], tree)
    finally:
        database.unlink()


def main() -> None:
    families = list(imports_cases.NORMAL_NAMES)
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tree", type=Path, default=ROOT,
                        help="the checkout whose code the children run (default: this one)")
    parser.add_argument("--only", choices=["bundle", *families], action="append",
                        help="measure only these (repeatable)")
    args = parser.parse_args()
    only = args.only or ["bundle", *families]
    print(f"code: {args.tree}; columns: file size, seconds, peak RSS, peak / normal's peak")
    with tempfile.TemporaryDirectory(prefix="qalam-hostile-") as folder:
        if "bundle" in only:
            bundles(Path(folder), args.tree.resolve())
        task_files(Path(folder), args.tree.resolve(), [f for f in families if f in only])


if __name__ == "__main__":
    main()
