"""``qalam-server queue`` and ``qalam-server leases``: where the work is.

    qalam-server queue                      # per language and kind: waiting, out, done, lapsed
    qalam-server queue --language urd_Arab
    qalam-server leases --user Amina        # what Amina holds, newest first
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict

from sync.server.people.users import check_languages


def register(sub, common) -> dict:
    queue = sub.add_parser(
        "queue", parents=[common], help="show the work queues per language and kind",
        description="Per language and kind of work: tasks still waiting to be served (below "
                    "the audit cap), tasks that reached the cap, and leases that are out, "
                    "done or expired unfinished.")
    queue.add_argument("--language", metavar="CODE", help="one language, e.g. urd_Arab")
    queue.add_argument("--json", action="store_true", help="one JSON object per line")

    leases = sub.add_parser(
        "leases", parents=[common], help="list work handed out to annotators",
        description="List leases, newest first: the task, who holds it, since and until "
                    "when, and whether it is live, done or expired.")
    leases.add_argument("--user", metavar="NAME", help="one person's leases (name or id)")
    leases.add_argument("--limit", type=int, default=200,
                        help="at most this many (default 200; 0 for all)")
    leases.add_argument("--json", action="store_true", help="one JSON object per line")
    return {"queue": cmd_queue, "leases": cmd_leases}


def _print_table(header: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    for line in [header, *rows]:
        print("  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True))
              .rstrip())


def cmd_queue(args, engine, url) -> int:
    from sync.server.work import distribution

    language = check_languages([args.language])[0] if args.language else None
    rows = distribution.queue_status(engine, language=language)
    if args.json:
        for row in rows:
            print(json.dumps(asdict(row), ensure_ascii=False))
        return 0
    if not rows:
        print(f"No tasks{' in ' + language if language else ''} yet; "
              "`qalam-server import-tasks` loads them.")
        return 0
    header = ["LANGUAGE", "KIND", "TASKS", "WAITING", "CAPPED", "LEASED", "DONE", "EXPIRED"]
    _print_table(header, [[r.language, r.kind, str(r.tasks), str(r.waiting), str(r.capped),
                           str(r.leased), str(r.done), str(r.expired)] for r in rows])
    print("\nWAITING/CAPPED count tasks (below or at the audit cap); LEASED, DONE and EXPIRED "
          "count leases.")
    return 0


def cmd_leases(args, engine, url) -> int:
    from sync.server.work import distribution

    if args.limit < 0:
        print("qalam-server: --limit must be 0 or more.", file=sys.stderr)
        return 2
    found = distribution.list_leases(engine, user=args.user, limit=args.limit or None)
    if args.json:
        for lease in found:
            print(json.dumps(asdict(lease), ensure_ascii=False))
        return 0
    if not found:
        print(f"No leases{' for ' + args.user if args.user else ''} yet.")
        return 0

    def when(stamp: str | None) -> str:
        return (stamp or "")[:16].replace("T", " ")

    header = ["TASK", "LANGUAGE", "KIND", "USER", "LEASED", "EXPIRES", "STATE"]
    _print_table(header, [[lease.task_id, lease.language, lease.kind, lease.user,
                           when(lease.leased_at), when(lease.expires_at),
                           lease.state if lease.state != "done"
                           else f"done {when(lease.done_at)}"] for lease in found])
    if args.limit and len(found) == args.limit:
        print(f"\n(the newest {args.limit}; --limit 0 lists all)")
    return 0

