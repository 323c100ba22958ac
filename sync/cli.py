"""The device's headless sync commands, added to ``qalam``'s command line by ui/cli.py.

    qalam enroll --server https://hub.example.org --code K7PD-3QXM-9
    qalam sync                         # exit 0 when everything is acknowledged
    qalam bundle export work.qalam     # pending work for a USB stick
    qalam bundle import work.answer.qalam

Progress goes to stderr, one line per stage change, so ``qalam sync`` suits scripts and
scheduled jobs. Exit status: 0 done, 1 failed or incomplete (the message says why), 2 usage.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from app import paths
from app.errors import QalamError

COMMANDS = ("enroll", "sync", "bundle")


def add_commands(sub) -> None:
    # --data-dir may also come after the command name (SUPPRESS keeps the main parser's value).
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--data-dir", metavar="DIR", default=argparse.SUPPRESS,
                        help="the data directory to use (as for the app)")
    enroll = sub.add_parser("enroll", parents=[common],
                            help="connect this computer to a server with a code",
                            description="Exchange the one-time code from your coordinator "
                                        "for this device's token. Local work is untouched.")
    enroll.add_argument("--server", metavar="URL",
                        help="the server's address, e.g. https://192.168.1.20:8443")
    enroll.add_argument("--code", help="the enrollment code, e.g. K7PD-3QXM-9")
    enroll.add_argument("--link", metavar="LINK",
                        help="instead of --server and --code: the qalam://enroll link on "
                             "the coordinator's enrollment card")
    enroll.add_argument("--fingerprint", metavar="CODE",
                        help="the certificate short code the server printed (field servers "
                             "with a self-signed certificate)")
    enroll.add_argument("--allow-http", action="store_true",
                        help="allow a plain-HTTP server that is not on this computer")

    sync = sub.add_parser("sync", parents=[common],
                          help="send pending work and receive new tasks, once",
                          description="One full sync: push pending work, pull what is new, "
                                      "check both sides agree. Exit 0 when everything is "
                                      "acknowledged.")
    sync.add_argument("--max-time", type=float, metavar="SECONDS",
                      help="give up retrying after this long (default: keep trying)")

    bundle = sub.add_parser("bundle", help="offline bundles for a USB stick")
    actions = bundle.add_subparsers(dest="bundle_action", required=True, metavar="ACTION")
    export = actions.add_parser("export", parents=[common],
                                help="write pending work to a bundle file")
    export.add_argument("file", type=Path, metavar="FILE")
    answer = actions.add_parser("import", parents=[common],
                                help="apply the server's answer bundle")
    answer.add_argument("file", type=Path, metavar="FILE")


def run(args: argparse.Namespace) -> int:
    from sync import device

    data_dir = paths.data_dir(args.data_dir)
    try:
        if args.command == "enroll":
            server, code = args.server, args.code
            if args.link:
                parsed = device.parse_enrollment_link(args.link)
                if parsed is None:
                    print(f"qalam: {args.link!r} is not an enrollment link "
                          f"({device.ENROLLMENT_LINK}?server=…&code=…).", file=sys.stderr)
                    return 2
                server, code = parsed
            if not server or not code:
                print("qalam: enroll needs --server and --code (or --link).", file=sys.stderr)
                return 2
            enrollment = device.enroll(data_dir, server, code,
                                       allow_http=args.allow_http,
                                       fingerprint=args.fingerprint)
            print(f"Enrolled as {enrollment.user_name} ({enrollment.role}) with "
                  f"{enrollment.server_url}.")
            return 0
        if args.command == "sync":
            deadline = time.monotonic() + args.max_time if args.max_time else None
            report = device.sync_now(data_dir, progress=_ProgressLine(), deadline=deadline)
            for warning in report.warnings:
                print(f"warning: {warning}", file=sys.stderr)
            print(f"{report.acknowledged} sent, {report.pulled} received, {report.conflicts} "
                  f"conflicts, {report.rejected} refused.")
            return 0 if report.complete else 1
        if args.bundle_action == "export":
            count = device.export_bundle(data_dir, args.file)
            print(f"{count} items written to {args.file}.")
            return 0
        counts = device.import_bundle(data_dir, args.file)
        print(f"{counts['acknowledged']} items confirmed, {counts['pulled']} updates received, "
              f"{counts['conflicts']} conflicts, {counts['rejected']} refused.")
        return 0
    except QalamError as exc:
        print(f"qalam: {exc}", file=sys.stderr)
        return 1


class _ProgressLine:
    """Prints a line to stderr whenever the sync's stage changes."""

    def __init__(self):
        self.stage = None

    def __call__(self, progress) -> None:
        if progress.stage == self.stage:
            return
        self.stage = progress.stage
        detail = f" (retrying in {progress.retry_in:.0f} s: {progress.message})" \
            if progress.stage == "waiting" and progress.retry_in is not None else ""
        print(f"{progress.stage}: {progress.items_sent} sent, {progress.items_received} "
              f"received, {progress.bytes_sent // 1024} KB up{detail}", file=sys.stderr)
