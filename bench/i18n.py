"""Start-up cost of localization: catalog load, Qt translators, direction, formats, fonts.

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/i18n.py [--runs 7] [--locale ur]

Each run is a fresh process (what an annotator's start pays: cold imports, no caches). The
baseline, measured in the same process just before, is creating the bare QApplication.
Target: localization under 50 ms (median).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_MS = 50.0


def one_run(locale: str) -> dict[str, float]:
    import time

    sys.path.insert(0, str(ROOT))
    start = time.perf_counter()
    from PySide6.QtWidgets import QApplication

    app = QApplication([])
    baseline = time.perf_counter() - start

    # PySide6 initialises a Qt namespace's types on first use; the main window pays this
    # whether or not anything is localized, so it is timed apart, not as localization.
    start = time.perf_counter()
    from PySide6.QtCore import QLocale, QSettings, Qt, QTranslator  # noqa: F401
    from PySide6.QtGui import QGuiApplication  # noqa: F401

    qt_types = time.perf_counter() - start

    start = time.perf_counter()
    from i18n import catalogs

    catalogs.mo_path(locale)  # (builds it if stale: make i18n-compile first)
    t0 = time.perf_counter()
    from ui import ui_locale

    ui_locale.apply(locale)  # gettext catalog + Qt translators + direction + formats
    t1 = time.perf_counter()
    from ui.fonts import register_bundled_fonts

    register_bundled_fonts()
    t2 = time.perf_counter()
    from i18n.translation import _

    _("Saved")
    del app
    return {
        "baseline_ms": baseline * 1000,
        "qt_types_ms": qt_types * 1000,
        "total_ms": (t2 - start) * 1000,
        "locale_ms": (t1 - t0) * 1000,
        "fonts_ms": (t2 - t1) * 1000,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--locale", default="ur")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(one_run(args.locale)))
        return 0
    env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
    # Build the .mo once outside the timed runs.
    subprocess.run([sys.executable, "-m", "i18n.tools", "compile"], cwd=ROOT, env=env,
                   check=True, capture_output=True)
    results = []
    for _ in range(args.runs):
        out = subprocess.run([sys.executable, __file__, "--child", "--locale", args.locale],
                             env=env, check=True, capture_output=True, text=True)
        results.append(json.loads(out.stdout.strip().splitlines()[-1]))
    median = {key: statistics.median(r[key] for r in results) for key in results[0]}
    print(f"localization start-up, {args.locale}, median of {args.runs} fresh processes")
    print(f"  baseline: bare QApplication        {median['baseline_ms']:7.1f} ms")
    print(f"  Qt type set-up any window pays     {median['qt_types_ms']:7.1f} ms (not counted)")
    print(f"  localization total                 {median['total_ms']:7.1f} ms "
          f"({median['total_ms'] / median['baseline_ms']:.2f}x baseline)")
    print(f"    catalog + Qt translators + direction + formats {median['locale_ms']:6.1f} ms")
    print(f"    bundled font registration                     {median['fonts_ms']:6.1f} ms")
    verdict = "OK" if median["total_ms"] < TARGET_MS else "OVER"
    print(f"  target < {TARGET_MS:.0f} ms: {verdict}")
    return 0 if verdict == "OK" else 1


if __name__ == "__main__":
    sys.exit(main())
