"""The dashboard's commands: a coordinator's or auditor's password, and moving the files
older servers kept on disk into the database.

    qalam-server set-password Farida                  # asks twice, without echo
    printf '%s\\n' "$PASSWORD" | qalam-server set-password Farida --password-stdin
    qalam-server move-files                           # ./qalam-server-files -> the database

The password is stored as an Argon2id hash (:mod:`sync.server.web.sessions`); setting a new
one signs that person out of every dashboard session.
"""

from __future__ import annotations

import getpass
import sys
from pathlib import Path

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


@command("move-files", help="move export archives from the old files folder into the database",
         description="Servers before this version kept the dashboard's export archives in a "
                     "local folder (qalam-server-files beside a SQLite database, or in the "
                     "working folder, or $QALAM_SERVER_FILES). This copies each finished "
                     "export's archive into the database, where every server process can "
                     "offer it for download, and deletes the local copy. Running it again "
                     "changes nothing.")
@option("folder", metavar="FOLDER", nargs="?", type=Path,
        help="the old files folder (default: where the old server kept it)")
def cmd_move_files(args, engine, url) -> int:
    from sync.server.web import files  # the dashboard: only when needed

    folder = args.folder or files.legacy_folder(url)
    if not folder.is_dir():
        print(f"Nothing to move: there is no folder {folder}.")
        return 0
    moved = files.move_legacy(engine, folder)
    print(f"Moved {len(moved.archives)} export archive(s) from {folder} into the database.")
    for path in moved.left:
        print(f"Left in place (no finished export of that name; an unfinished import's upload "
              f"is imported again from the dashboard): {path}")
    return 0
