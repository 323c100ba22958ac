"""The device's headless sync commands, added to ``qalam``'s command line by ui/cli.py.

    qalam enroll --server https://hub.example.org --code K7PD-3QXM-9
    qalam sync                         # exit 0 when everything is acknowledged
    qalam bundle export work.qalam     # pending work for a USB stick
    qalam bundle import work.answer.qalam

What these print is for an annotator, in the interface language (``--ui-language`` or
``QALAM_UI_LANGUAGE``): counts with their plurals, sizes of what crossed the network, retries
with what happened and when the next try is. Progress goes to stderr while a command runs: on
a terminal one line, rewritten at most once a second; otherwise (a script, a scheduled job) a
line when the stage changes and every few seconds while it runs. The libraries' own words go
to the log, shown with ``--verbose``. Exit status: 0 done, 1 failed or incomplete (the message
says why), 2 usage.
"""

from __future__ import annotations

import argparse
import logging
import math
import os
import shutil
import sys
import threading
import time
from pathlib import Path

from app import paths
from app.errors import QalamError
from i18n import formatting, translation
from i18n.bidi import strip_isolates
from i18n.translation import N_, _, ngettext
from sync.progress import attention_lines, count_text, progress_text, sync_summary

COMMANDS = ("enroll", "sync", "bundle")

UNTRUSTED_ADVICE = N_(
    "If it is your coordinator's field server, use the link on your enrollment card "
    "(qalam enroll --link …), or give --fingerprint with the code the server printed.")

def add_commands(sub) -> None:
    # --data-dir may also come after the command name (SUPPRESS keeps the main parser's value).
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--data-dir", metavar="DIR", default=argparse.SUPPRESS,
                        help="the data directory to use (as for the app)")
    common.add_argument("--verbose", action="store_true",
                        help="also show the details of what happens (the log) on stderr")
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
    _show_log(getattr(args, "verbose", False))
    _use_language(getattr(args, "ui_language", None))
    data_dir = paths.data_dir(args.data_dir)
    printer = ProgressPrinter()
    try:
        if args.command == "enroll":
            return _enroll(args, data_dir, printer)
        if args.command == "sync":
            return _sync(args, data_dir, printer)
        return _bundle(args, data_dir)
    except QalamError as exc:
        printer.close()
        # the isolation marks that keep a sentence's values in order in the app show as
        # stray characters on some terminals
        print(f"qalam: {strip_isolates(str(exc))}", file=sys.stderr)
        return 1


def _enroll(args, data_dir: Path, printer: ProgressPrinter) -> int:
    from sync import device

    server, code, fingerprint = args.server, args.code, args.fingerprint
    if args.link:
        link = device.read_enrollment_link(args.link)
        if link is None:
            print("qalam: " + _("{link} is not an enrollment link ({form}).").format(
                link=repr(args.link), form=f"{device.ENROLLMENT_LINK}?server=…&code=…"),
                file=sys.stderr)
            return 2
        # the card's link names the server's certificate: it is pinned, nothing to type
        server, code, fingerprint = link.server, link.code, fingerprint or link.fingerprint
    if not server or not code:
        print("qalam: " + _("enroll needs --server and --code (or --link)."), file=sys.stderr)
        return 2
    try:
        enrollment = device.enroll(data_dir, server, code, allow_http=args.allow_http,
                                   fingerprint=fingerprint or None, progress=printer)
    except device.UntrustedCertificate as error:
        printer.close()
        print("qalam: " + strip_isolates(str(error)) + " " + _(UNTRUSTED_ADVICE),
              file=sys.stderr)
        return 1
    printer.close()
    print(_("Enrolled as {name} ({role}) with {server}.").format(
        name=enrollment.user_name, role=enrollment.role, server=enrollment.server_url))
    return 0


def _sync(args, data_dir: Path, printer: ProgressPrinter) -> int:
    from sync import device

    deadline = time.monotonic() + args.max_time if args.max_time else None
    report = device.sync_now(data_dir, progress=printer, deadline=deadline)
    printer.close()
    for warning in report.warnings:
        print(warning, file=sys.stderr)
    for line in sync_summary(report):
        print(line)
    return 0 if report.complete else 1


def _bundle(args, data_dir: Path) -> int:
    from sync import device

    if args.bundle_action == "export":
        count = device.export_bundle(data_dir, args.file)
        print(ngettext("{n} item written to {file}.", "{n} items written to {file}.",
                       count).format(n=count_text(count), file=args.file))
        return 0
    counts = device.import_bundle(data_dir, args.file)
    confirmed = ngettext("{n} item confirmed", "{n} items confirmed",
                         counts["acknowledged"]).format(n=count_text(counts["acknowledged"]))
    received = ngettext("{n} update received", "{n} updates received",
                        counts["pulled"]).format(n=count_text(counts["pulled"]))
    print(_("{confirmed}; {received}.").format(confirmed=confirmed, received=received))
    for line in attention_lines(counts["conflicts"], counts["rejected"]):
        print(line)
    return 0


class ProgressPrinter:
    """Shows progress (:class:`sync.client.SyncProgress`) on ``stream`` while bytes move.

    On a terminal: one line per stage, rewritten with ``\\r`` at most every ``interval``
    seconds, its last numbers shown before the next stage's line. Otherwise: a line when the
    stage changes and, while a stage runs, every ``log_interval`` seconds if something moved
    (the counts are cumulative: the next line has them). Called from the client's worker
    threads.
    """

    def __init__(self, stream=None, *, interactive: bool | None = None, interval: float = 1.0,
                 log_interval: float = 5.0, clock=time.monotonic):
        self.stream = stream if stream is not None else sys.stderr
        if interactive is None:
            interactive = bool(getattr(self.stream, "isatty", lambda: False)())
        self.interactive = interactive
        self.interval = interval if interactive else log_interval
        self.clock = clock
        self._lock = threading.Lock()
        self._stage: str | None = None
        self._shown = ""         # the text on screen (or printed last)
        self._latest = ""        # the newest text, shown or not
        self._shown_at = -math.inf
        self._width = 0          # of the line being rewritten (terminal only)

    def __call__(self, progress) -> None:
        if progress.stage == "done":
            return  # the command's own summary follows
        text = progress_text(progress)
        with self._lock:
            now = self.clock()
            if progress.stage != self._stage:
                self._finish_line()
                self._stage = progress.stage
            elif text == self._shown or now - self._shown_at < self.interval:
                self._latest = text
                return
            self._show(text, now)

    def close(self) -> None:
        """Show the last numbers and end the line (before printing anything else)."""
        with self._lock:
            self._finish_line()
            self._stage = None

    def _finish_line(self) -> None:
        if self.interactive and self._width:
            if self._latest != self._shown:
                self._show(self._latest, self.clock())
            self.stream.write("\n")
            self.stream.flush()
        self._shown = self._latest = ""
        self._width = 0

    def _show(self, text: str, now: float) -> None:
        if self.interactive:
            # A line longer than the terminal wraps, and \r would rewrite its last row only.
            line = text[:shutil.get_terminal_size().columns - 1]
            self.stream.write("\r" + line + " " * max(0, self._width - len(line)))
            self._width = len(line)
        else:
            self.stream.write(text + "\n")
        self.stream.flush()
        self._shown = self._latest = text
        self._shown_at = now


# --- set-up ----------------------------------------------------------------------------------


def _show_log(verbose: bool) -> None:
    """The log on stderr with --verbose; otherwise nowhere (never a library's words mixed
    into what a person reads)."""
    root = logging.getLogger()
    if verbose:
        logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                            format="%(levelname)s %(name)s: %(message)s")
    elif not root.handlers:
        root.addHandler(logging.NullHandler())


def _use_language(tag: str | None) -> None:
    """The interface language chosen on the command line or in QALAM_UI_LANGUAGE (the app's
    own setting needs Qt to read; without either the commands speak English)."""
    from i18n import catalogs

    tag = tag or os.environ.get("QALAM_UI_LANGUAGE")
    if not tag:
        return
    try:
        tag = catalogs.get(tag).tag
    except ValueError:
        return
    translation.install(tag)
    formatting.configure(tag)
