"""``qalam``: the desktop app, and its headless commands.

    qalam                         open the app on the default data directory
    qalam --data-dir DIR          keep all state under DIR (tests, a USB stick)
    qalam --demo                  load the demo workspace (sample tasks in eight languages)
    qalam --version
"""

from __future__ import annotations

import argparse
import sys

from app import __version__, paths


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="qalam",
        description="Write, improve and review multilingual prompt/completion data, offline.",
    )
    parser.add_argument("--version", action="version", version=f"Qalam {__version__}")
    parser.add_argument(
        "--data-dir", metavar="DIR",
        help="keep all data under DIR instead of the user data directory "
        "(also: QALAM_DATA_DIR)",
    )
    parser.add_argument(
        "--demo", action="store_true",
        help="load the demo workspace: sample tasks in Arabic, Urdu, Hindi, Bengali, "
        "Swahili, Yoruba, Amharic and French",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    data_dir = paths.data_dir(args.data_dir)
    from ui.application import run

    return run(data_dir, demo=args.demo)


if __name__ == "__main__":
    sys.exit(main())
