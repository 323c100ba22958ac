"""``qalam-server`` commands for feedback and accountability: the audit log and comments on
an item (who coordinates a project: ``project coordinators``, in :mod:`.projects`)."""

from __future__ import annotations

from sync.server.commands import command, option
from sync.server.commands.output import json_option, listing


@command("log", help="show the audit log",
         description="What coordinators did (minted codes, decisions, relabels, blocks, "
                     "revocations, imports, exports, settings, comments), when and from "
                     "where, newest first.")
@option("--action", metavar="KIND", default=None,
        help="only this kind of action (mint_code, decide, relabel, block, unblock, revoke, "
             "import, export, settings, guidelines, coordinators, comment)")
@option("--by", metavar="NAME", default=None, help="only what this person did")
@option("--before", metavar="ID", type=int, default=None,
        help="entries older than this one (the next page)")
@option("--limit", type=int, default=50, help="entries to show (at most 200; default 50)")
@json_option()
def cmd_log(args, engine, url) -> int:
    from sync.server.people import auditlog

    found = auditlog.entries(engine, action=args.action, actor=args.by, before=args.before,
                             limit=args.limit)
    footer = (f"Older entries: qalam-server log --before {found[-1].id}"
              if len(found) == max(1, min(args.limit, auditlog.MAX_PAGE)) else None)
    return listing(args, [e.as_dict() for e in found], empty="Nothing logged yet.",
                   header=["ID", "WHEN", "ACTION", "WHO", "FROM", "SUBJECT"],
                   row=lambda e: [str(e["id"]), e["at"][:19], e["action"], e["actor"],
                                  e["address"], e["subject"]],
                   footer=footer)


@command("comment", help="leave a comment for an item's author",
         description="A coordinator's comment on a submitted item: the author's devices get "
                     "it on their next sync (nobody else's); the author may reply once.")
@option("submission", metavar="SUBMISSION", help="the item's id")
@option("text", metavar="TEXT", help="the comment (at most 4,000 characters)")
@option("--as", dest="as_user", metavar="NAME", required=True,
        help="the coordinator who writes it (name or id)")
def cmd_comment(args, engine, url) -> int:
    from sync.server.people import users
    from sync.server.people.auditlog import Actor
    from sync.server.work import feedback

    user = users.get_user(engine, args.as_user)
    comment_id = feedback.comment(engine, args.submission, args.text,
                                  by=Actor.command_line(user_id=user.id, name=user.name))
    print(f"Comment {comment_id} left on {args.submission}; its author's devices get it on "
          "their next sync.")
    return 0
