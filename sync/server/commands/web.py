"""``qalam-server set-password NAME``: a coordinator's or auditor's dashboard password.

    qalam-server set-password Farida                  # asks twice, without echo
    printf '%s\\n' "$PASSWORD" | qalam-server set-password Farida --password-stdin

The password is stored as an Argon2id hash (:mod:`sync.server.web.sessions`); setting a new
one signs that person out of every dashboard session.
"""

from __future__ import annotations

import getpass
import sys

from sync.server.commands import command, option


@command("set-password", help="set a dashboard password",
         description="Set (or replace) the password a coordinator or auditor signs in to the "
                     "dashboard (/dashboard/) with. It is asked twice on the terminal, or read "
                     "from the first line of standard input with --password-stdin. Replacing "
                     "a password ends that person's dashboard sessions.")
@option("name", metavar="NAME", help="the person's name (or user id)")
@option("--password-stdin", action="store_true",
        help="read the password from standard input (scripts)")
def cmd_set_password(args, engine, url) -> int:
    from sync.server.web import sessions  # the whole dashboard: only when needed

    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        if not sys.stdin.isatty():
            print("qalam-server: no terminal to ask for the password on; use "
                  "--password-stdin.", file=sys.stderr)
            return 2
        password = getpass.getpass(f"New dashboard password for {args.name}: ")
        again = getpass.getpass("The same password again: ")
        if password != again:
            print("qalam-server: the two passwords differ; nothing was changed.",
                  file=sys.stderr)
            return 1
    user = sessions.set_password(engine, args.name, password)
    print(f"Dashboard password set for {user.name} ({user.role}). They sign in at "
          "/dashboard/ on this server.")
    return 0
