"""Start-up time of the command-line tools, beside ``python -c pass`` measured in the same run.

    .venv/bin/python bench/cli.py [--runs 9]

Measures, each in a new process, median of ``--runs`` wall times:

* ``python -c pass``: the interpreter alone, the baseline the ratios are against;
* ``qalam --version``: the app's entry point up to its first answer (no Qt, no database);
* ``qalam-server invite``: a coordinator's everyday command on a fresh, initialised SQLite
  database in a temporary folder (start-up, schema check, one write).

Each process gets a private bytecode cache (``PYTHONPYCACHEPREFIX`` in a temporary folder,
filled by an uncounted first run), as an installed copy has its ``.pyc`` files: with
``PYTHONDONTWRITEBYTECODE`` set, every run would compile the project's sources again.

Target (issue 11): the light server commands (invite, devices, revoke, decide, queue) start in
well under a second. The machines here are shared and noisy: compare the ratios.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent


def _command(script: str, module: str) -> list[str]:
    """The installed entry point when there is one (what a user runs), else ``-m module``."""
    found = shutil.which(script, path=str(BIN))
    return [found] if found else [sys.executable, "-m", module]


def _wall(argv: list[str], cwd: Path) -> float:
    started = time.perf_counter()
    subprocess.run(argv, cwd=cwd, check=True, stdout=subprocess.DEVNULL, env=installed_env(cwd))
    return time.perf_counter() - started


def installed_env(folder: Path) -> dict[str, str]:
    """The environment of a measured child: a bytecode cache of its own under ``folder``, as
    an installed copy has its ``.pyc`` files (bench/ui.py uses it too)."""
    env = {**os.environ, "PYTHONPYCACHEPREFIX": str(folder / "pycache")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def _median(runs: int, argv_for_run, cwd: Path) -> float:
    _wall(argv_for_run(-1), cwd)  # warm the OS's file cache; not counted
    return statistics.median(_wall(argv_for_run(n), cwd) for n in range(runs))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    server = _command("qalam-server", "sync.server.cli")
    app = _command("qalam", "ui.cli")
    with tempfile.TemporaryDirectory() as folder:
        cwd = Path(folder)
        database = str(cwd / "server.db")
        subprocess.run([*server, "init", "--db", database], cwd=cwd, check=True,
                       stdout=subprocess.DEVNULL, env=installed_env(cwd))

        def invite(n: int) -> list[str]:
            return [*server, "invite", "--db", database, "--name", f"Bench {n}",
                    "--role", "annotator", "--languages", "urd_Arab"]

        results = {
            "python -c pass": _median(args.runs, lambda _: [sys.executable, "-c", "pass"], cwd),
            "qalam --version": _median(args.runs, lambda _: [*app, "--version"], cwd),
            "qalam-server invite": _median(args.runs, invite, cwd),
        }
    baseline = results["python -c pass"]
    print(f"median of {args.runs} runs, each a new process")
    for name, seconds in results.items():
        print(f"  {name:<22} {seconds:7.3f} s   {seconds / baseline:6.1f}x python -c pass")


if __name__ == "__main__":
    main()
