"""``qalam``: the desktop app, and its headless commands.

    qalam                         open the app on the default data directory
    qalam --data-dir DIR          keep all state under DIR (tests, a USB stick)
    qalam --demo                  load the demo workspace (sample tasks in nine languages)
    qalam --ui-language ur        run the interface in Urdu this time (also: QALAM_UI_LANGUAGE;
                                  en-XA and ar-XB are pseudo-locales for testing)
    qalam --version

    qalam enroll --server URL --code CODE   connect this computer to a server
    qalam sync                              one sync, headless (exit 0 when all acknowledged)
    qalam bundle export FILE | import FILE  offline bundles for a USB stick
"""

from __future__ import annotations

import argparse
import sys

from app import buildinfo, paths


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="qalam",
        description="Write, improve and review multilingual prompt/completion data, offline.",
    )
    parser.add_argument("--version", action="version", version=buildinfo.describe())
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
    parser.add_argument(
        "--ui-language", metavar="LOCALE", type=_ui_locale,
        help="the interface language for this run, e.g. ur, fr, or the pseudo-locales en-XA "
        "and ar-XB (also: QALAM_UI_LANGUAGE); by default the one chosen on first start",
    )
    # Headless commands never import Qt: they run on a server-less laptop or in a cron job.
    from sync import cli as sync_cli

    sync_cli.add_commands(parser.add_subparsers(dest="command", metavar="COMMAND"))
    from ui import self_test

    self_test.add_arguments(parser)
    return parser


def _ui_locale(value: str) -> str:
    from i18n import catalogs

    try:
        return catalogs.get(value).tag
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from ui import self_test

    if (code := self_test.dispatch(args)) is not None:
        return code
    if args.command is not None:
        from sync import cli as sync_cli

        return sync_cli.run(args)
    data_dir = paths.data_dir(args.data_dir)
    from ui.application import run

    return run(data_dir, demo=args.demo, ui_language=args.ui_language)


if __name__ == "__main__":
    sys.exit(main())
