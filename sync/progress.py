"""What a sync says to a person, in the interface language: its stages, its progress, its
retries, its summary and where to settle what it left. One place for the words the command
line (sync/cli.py) and the app's sync panel (ui/dialogs/sync_panel.py) both show.

    progress_text(progress)     # "Sending your work… 3 of 40 items sent · 46 kB sent, …"
    retry_text(progress)        # "The connection broke. Trying again in 12 seconds."
    sync_summary(report)        # the lines ``qalam sync`` ends with
    format_size(2_400_000)      # "2.4 MB"
"""

from __future__ import annotations

import math
import re

from i18n import formatting, translation
from i18n.translation import N_, _, ngettext

# The stages of a sync ("waiting" is told by retry_text instead).
STAGES = {
    "connecting": N_("Connecting…"),
    "pushing": N_("Sending your work…"),
    "pulling": N_("Receiving tasks and decisions…"),
    "verifying": N_("Checking that both sides agree…"),
    "done": N_("Up to date"),
}


def progress_text(progress) -> str:
    """One line for a :class:`sync.client.SyncProgress`: the stage (or the retry), the items
    and the bytes so far."""
    if progress.stage == "waiting":
        stage = retry_text(progress)
    else:
        stage = _(STAGES[progress.stage]) if progress.stage in STAGES else progress.stage
    parts = []
    if progress.stage in ("pushing", "waiting") and (progress.items_sent or progress.pending):
        total = progress.items_sent + progress.pending
        parts.append(ngettext("{sent} of {total} item sent", "{sent} of {total} items sent",
                              total).format(sent=count_text(progress.items_sent),
                                            total=count_text(total)))
    if progress.stage in ("pulling", "waiting") and progress.items_received:
        parts.append(ngettext("{n} update received", "{n} updates received",
                              progress.items_received).format(
                                  n=count_text(progress.items_received)))
    if progress.bytes_sent or progress.bytes_received:
        parts.append(_("{sent} sent, {received} received").format(
            sent=format_size(progress.bytes_sent), received=format_size(progress.bytes_received)))
    return " ".join((stage, " · ".join(parts))) if parts else stage


def retry_text(progress) -> str:
    """What happened and when the next try is: "The connection broke. Trying again in 12
    seconds." (and, for a request with a bound on its tries: "That will be try 3 of 6.")"""
    seconds = math.ceil(progress.retry_in or 0)
    if seconds <= 0:
        when = _("Trying again now.")
    elif seconds < 90:
        when = ngettext("Trying again in {n} second.", "Trying again in {n} seconds.",
                        seconds).format(n=count_text(seconds))
    else:
        minutes = round(seconds / 60)
        when = ngettext("Trying again in {n} minute.", "Trying again in {n} minutes.",
                        minutes).format(n=count_text(minutes))
    parts = [progress.message, when]
    if progress.attempts:
        parts.append(_("That will be try {next} of {total}.").format(
            next=count_text(progress.attempt + 1), total=count_text(progress.attempts)))
    return " ".join(part for part in parts if part)


def sync_summary(report) -> list[str]:
    """The lines ``qalam sync`` ends with (a :class:`sync.client.SyncReport`)."""
    lines = [_("Sync finished: {items_sent}, {updates_received} ({bytes_sent} sent, "
               "{bytes_received} received).").format(
        items_sent=ngettext("{n} item sent", "{n} items sent", report.acknowledged).format(
            n=count_text(report.acknowledged)),
        updates_received=ngettext("{n} update received", "{n} updates received",
                                  report.pulled).format(n=count_text(report.pulled)),
        bytes_sent=format_size(report.bytes_sent),
        bytes_received=format_size(report.bytes_received))]
    lines += attention_lines(report.open_conflicts, report.rejected)
    if report.pending:
        lines.append(ngettext(
            "{n} item is still waiting to be sent; run qalam sync again.",
            "{n} items are still waiting to be sent; run qalam sync again.",
            report.pending).format(n=count_text(report.pending)))
    return lines


def attention_lines(conflicts: int, refused: int) -> list[str]:
    """Where to settle conflicts and see refusals: the app's sync panel, named as its menu
    names it (File › Sync and connection…)."""
    lines = []
    where = _("{menu} › {action}").format(menu=_menu_text(_("&File")),
                                          action=_menu_text(_("S&ync and connection…")))
    if conflicts:
        lines.append(ngettext(
            "{n} item was changed both here and elsewhere; both versions are kept until you "
            "choose one. Open Qalam and choose {where} to compare them and keep one.",
            "{n} items were changed both here and elsewhere; both versions are kept until you "
            "choose. Open Qalam and choose {where} to compare them and keep one of each.",
            conflicts).format(n=count_text(conflicts), where=where))
    if refused:
        lines.append(ngettext(
            "{n} item was refused by the server; Qalam shows why under {where}.",
            "{n} items were refused by the server; Qalam shows why under {where}.",
            refused).format(n=count_text(refused), where=where))
    return lines


def _menu_text(label: str) -> str:
    """A menu label as a person sees it: without its accelerator ("&File", "文件(&F)")."""
    return re.sub(r"\s*\(&\w\)", "", label).replace("&&", "\0").replace("&", "").replace(
        "\0", "&")


def count_text(n: int) -> str:
    """A count in the interface language's digits."""
    return formatting.format_integer(n)


def format_size(n: int) -> str:
    """Bytes for a person, in the interface language's units and digits (Babel/CLDR units):
    "0.8 kB", "46 kB", "2.4 MB" (decimal units, as the network counts)."""
    from babel.units import format_unit

    if n < 10_000:
        value, unit, pattern = n / 1000, "digital-kilobyte", "#,##0.0"
    elif n < 1_000_000:
        value, unit, pattern = n / 1000, "digital-kilobyte", "#,##0"
    else:
        value, unit, pattern = n / 1_000_000, "digital-megabyte", "#,##0.0"
    return formatting.native(format_unit(value, unit, length="short", format=pattern,
                                         locale=_babel_locale()))


def _babel_locale() -> str:
    tag = translation.current_locale()
    base = {"en-XA": "en", "ar-XB": "ar"}.get(tag, tag)  # the pseudo-locales
    return base.replace("-", "_")
