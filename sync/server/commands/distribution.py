"""``qalam-server queue`` and ``qalam-server leases``: where the work is.

    qalam-server queue                      # per language and kind: waiting, out, done, lapsed
    qalam-server queue --language urd_Arab
    qalam-server leases --user Amina        # what Amina holds, newest first
"""

from __future__ import annotations

import sys

from sync.server.commands import command, option
from sync.server.commands.output import json_option, listing, when
from sync.server.people.users import check_languages


@command("queue", help="show the work queues per language and kind",
         description="Per language and kind of work: tasks still waiting to be served (below "
                     "the audit cap), tasks that reached the cap, and leases that are out, "
                     "done or expired unfinished.")
@option("--language", metavar="CODE", help="one language, e.g. urd_Arab")
@json_option()
def cmd_queue(args, engine, url) -> int:
    from sync.server.work import distribution

    language = check_languages([args.language])[0] if args.language else None
    if args.json:
        return listing(args, distribution.queue_status(engine, language=language), header=[],
                       row=lambda r: [])
    listing(
        args, distribution.queue_status(engine, language=language),
        empty=f"No tasks{' in ' + language if language else ''} yet; "
              "`qalam-server import-tasks` loads them.",
        header=["LANGUAGE", "KIND", "TASKS", "WAITING", "CAPPED", "LEASED", "DONE", "EXPIRED"],
        row=lambda r: [r.language, r.kind, str(r.tasks), str(r.waiting), str(r.capped),
                       str(r.leased), str(r.done), str(r.expired)],
        footer="WAITING/CAPPED count tasks (below or at the audit cap); LEASED, DONE and "
               "EXPIRED count leases.")
    from sync.server.commands.translations import progress_rows

    if progress_rows(engine, language):  # the interface's translations, where any began
        from sync.server.commands.translations import print_progress

        print("\nTranslations of the interface:")
        print_progress(args, engine, language)
    return 0


@command("leases", help="list work handed out to annotators",
         description="List leases, newest first: the task, who holds it, since and until "
                     "when, and whether it is live, done or expired.")
@option("--user", metavar="NAME", help="one person's leases (name or id)")
@option("--limit", type=int, default=200, help="at most this many (default 200; 0 for all)")
@json_option()
def cmd_leases(args, engine, url) -> int:
    from sync.server.work import distribution

    if args.limit < 0:
        print("qalam-server: --limit must be 0 or more.", file=sys.stderr)
        return 2
    found = distribution.list_leases(engine, user=args.user, limit=args.limit or None)
    return listing(
        args, found, empty=f"No leases{' for ' + args.user if args.user else ''} yet.",
        header=["TASK", "LANGUAGE", "KIND", "USER", "LEASED", "EXPIRES", "STATE"],
        row=lambda lease: [lease.task_id, lease.language, lease.kind, lease.user,
                           when(lease.leased_at), when(lease.expires_at),
                           lease.state if lease.state != "done"
                           else f"done {when(lease.done_at)}"],
        footer=f"(the newest {args.limit}; --limit 0 lists all)"
               if args.limit and len(found) == args.limit else None)
