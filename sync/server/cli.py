"""``qalam-server``: run and administer the central server.

    qalam-server init                                   # ./qalam-server.db
    qalam-server serve --tls                            # HTTPS on 127.0.0.1:8443
    qalam-server serve --forwarded-allow-ips 127.0.0.1  # behind a reverse proxy on this host
    qalam-server invite --name Amina --role annotator --languages urd_Arab,hin_Deva
    qalam-server devices
    qalam-server revoke DEVICE
    qalam-server import-tasks urd.jsonl --project aya-urd
    qalam-server import-bundle amina.qalam               # writes amina.answer.qalam
    qalam-server provision --server https://192.168.1.20:8443 --project aya --out stick/
    qalam-server decide SUBMISSION accepted

Every command takes ``--db`` (a SQLite file path or a ``postgresql+psycopg://`` URL; default
``$QALAM_DATABASE_URL`` or ``./qalam-server.db``), before or after the command's name, and
works on the database directly, so only someone who can reach the database (a coordinator)
can run them. Exit status: 0 done, 1 refused or failed (the message says why), 2 wrong usage.

Each command is declared beside the function that runs it (``@command``, ``@option``: see
:mod:`sync.server.commands`); the core ones are here, the others in ``commands/``. What they
print goes through :mod:`sync.server.commands.output`. A command's modules are imported when
it runs, not when the parser is built: ``invite`` must not wait for the dashboard, the
importers or the statistics libraries to load.
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import sys
from pathlib import Path, PurePosixPath, PureWindowsPath

import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from app import __version__
from app.errors import QalamError
from sync import protocol
from sync.server import commands, db, tables
from sync.server.commands import command, option
from sync.server.commands.output import json_option, listing, when
from sync.server.people import server_identity, users

DEFAULT_PORT = 8443
DEVICES = tables.devices
USERS = tables.users


def _add_db_option(parser: argparse.ArgumentParser, default) -> None:
    parser.add_argument(
        "--db", metavar="URL", default=default,
        help="SQLite file path or postgresql+psycopg://user:pass@host/db "
             f"(default: ${db.ENV_DATABASE_URL} or ./{db.DEFAULT_DATABASE})",
    )


def _parser() -> argparse.ArgumentParser:
    # argparse copies every default of a subcommand's parser over what the main parser read,
    # so a --db default on the subcommands would erase `qalam-server --db X COMMAND`'s X.
    # They leave it unset (SUPPRESS) unless it is given there; the main parser's default is
    # the one that stands.
    common = argparse.ArgumentParser(add_help=False)
    _add_db_option(common, argparse.SUPPRESS)
    parser = argparse.ArgumentParser(
        prog="qalam-server", description="Qalam's central sync server.")
    _add_db_option(parser, None)
    parser.add_argument("--version", action="version", version=f"qalam-server {__version__}")
    commands.build(parser, common)
    return parser


def command_names() -> list[str]:
    """Every command that runs something, as typed after ``qalam-server``."""
    return [" ".join(path) for path, entry in commands.load_all().items() if entry.run]


def main(argv: list[str] | None = None) -> int:
    try:
        code = _main(argv)
        sys.stdout.flush()  # here, where a closed pipe can still be answered quietly
    except BrokenPipeError:
        # `qalam-server export … | head`: the reader has gone, so nothing more can be said.
        # Standard output is pointed at /dev/null so that Python's own flush at exit does
        # not print the same error again (the `signal` module's docs, "Note on SIGPIPE").
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141  # 128 + SIGPIPE, what a shell reports for a program a pipe ended
    return code


def _main(argv: list[str] | None) -> int:
    args = _parser().parse_args(argv)
    url = db.database_url(args.db)
    try:
        engine = db.create_engine(url)
        try:
            if args.command_run.checks_schema:
                _ready(engine, url)
            return args.command_run.run(args, engine, url)
        finally:
            engine.dispose()
    except QalamError as exc:
        print(f"qalam-server: {exc}", file=sys.stderr)
        return 1
    except SQLAlchemyError as exc:
        reason = getattr(exc, "orig", None) or exc
        print(f"qalam-server: the database at {_safe(url)} cannot be used: {reason}",
              file=sys.stderr)
        return 1


def _safe(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def _prepare(engine) -> server_identity.ServerIdentity:
    db.migrate(engine)
    return server_identity.ensure_server_identity(engine)


def _ready(engine, url: str) -> None:
    """Every command but init and serve (which upgrade it) needs the current schema."""
    found = db.schema_revision(engine)
    if found is None:
        raise QalamError(f"{_safe(url)} is not a Qalam server database yet; run "
                         "`qalam-server init` first.")
    if found != (head := db.head_revision()):
        raise QalamError(f"{_safe(url)} has schema {found}; this qalam-server needs {head}. "
                         "Run `qalam-server init` to upgrade it (nothing is lost).")


@command("init", help="create or upgrade the database",
         description="Create the database (or upgrade its schema) and the server's identity "
                     "and signing key.", checks_schema=False)
def cmd_init(args, engine, url) -> int:
    server = _prepare(engine)
    print(f"Database ready: {_safe(url)} (schema {db.schema_revision(engine)})")
    print(f"Server id:      {server.server_id}")
    print(f"Signing key:    {server.public_key}")
    return 0


def _proxy_addresses(text: str) -> list[str]:
    """``--forwarded-allow-ips``: IP addresses or networks; uvicorn would quietly take a typo
    for a host name that never matches, and ``*`` would let any client choose its address."""
    found = [part.strip() for part in text.split(",") if part.strip()]
    if not found:
        raise argparse.ArgumentTypeError("give the proxy's address, e.g. 127.0.0.1")
    for part in found:
        try:
            ipaddress.ip_network(part, strict=False)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"{part!r} is not an IP address or network (e.g. 127.0.0.1, 10.0.0.0/24); "
                "name only the reverse proxy's own addresses") from None
    return found


@command("serve", help="run the HTTP(S) server",
         description="Serve the sync protocol (upgrading the schema first).",
         checks_schema=False)
@option("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
@option("--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})")
@option("--tls", action="store_true",
        help="serve HTTPS with a self-signed certificate kept next to the database (made on "
             "first use)")
@option("--tls-dir", type=Path,
        help="where the certificate lives (default: the SQLite file's folder, or the current "
             "folder for PostgreSQL)")
@option("--allow-http", action="store_true",
        help="allow plain HTTP on a non-loopback address (tokens travel in the clear)")
@option("--announce", action="store_true",
        help="announce the server on the local network (mDNS, _qalam._tcp) with its "
             "certificate's short code")
@option("--forwarded-allow-ips", metavar="IPS", type=_proxy_addresses,
        help="behind a reverse proxy: its addresses or networks, comma-separated (e.g. "
             "127.0.0.1 or 10.0.0.0/24); X-Forwarded-For and X-Forwarded-Proto are believed "
             "from these only. By default they are ignored from everyone, and each client is "
             "known by its own address (rate limits count per address)")
@option("--workers", type=int, default=1, metavar="N",
        help="worker processes serving requests (default 1); more than 1 needs PostgreSQL")
@option("--job-threads", type=int, default=2, metavar="N",
        help="dashboard imports and exports each process runs at once (default 2; 0: this "
             "server runs none, another server on the same database does)")
@option("--db-connections", type=int, default=db.DEFAULT_CONNECTIONS, metavar="N",
        help=f"database connections each process opens at most (default "
             f"{db.DEFAULT_CONNECTIONS}): its job threads and job poller take one each, "
             "requests share the rest; on PostgreSQL, workers × N must stay under the "
             "server's max_connections")
def cmd_serve(args, engine, url) -> int:
    if not _address_allowed(args) or not _workers_allowed(args, engine):
        return 2
    _warn_of_too_many_connections(args, engine)
    server = _prepare(engine)
    _warn_of_old_files(url)
    ssl, short, fingerprint = _certificate(args, url) if args.tls else ({}, "", "")
    scheme = "https" if args.tls else "http"
    announcement = _announce(args, server.server_id, short) if args.announce else None
    workers = f" ({args.workers} worker processes)" if args.workers > 1 else ""
    print(f"Serving {_safe(url)} on {scheme}://{args.host}:{args.port}{workers}")
    print(f"Dashboard: {scheme}://{args.host}:{args.port}/dashboard (a coordinator signs in "
          "with a password from `qalam-server set-password NAME`)", flush=True)
    try:
        _run_uvicorn(args, engine, url, ssl, fingerprint)
    finally:
        if announcement is not None:
            announcement.close()
    return 0


def _run_uvicorn(args, engine, url: str, ssl: dict, fingerprint: str) -> None:
    """One process serving the app, or (``--workers N``) uvicorn's own supervisor of N
    worker processes on one listening socket.

    uvicorn's multi-process mode rather than gunicorn: no second server to install or
    configure, the same TLS and proxy options either way, it runs on Windows too (gunicorn
    does not), and it restarts a worker that dies. A worker is started from an import
    string, so what it needs (the database URL, the certificate's fingerprint for the
    enrollment cards, the job threads) goes to it through the environment."""
    import uvicorn

    from sync.server.api import factory

    options = {"host": args.host, "port": args.port, "log_level": "info", **ssl,
               **proxy_options(args.forwarded_allow_ips)}
    engine.dispose()  # the serving process(es) open their own, at most --db-connections
    if args.workers == 1:
        # The fingerprint goes on the dashboard's enrollment cards: their link pins this
        # certificate on each device with nothing to type.
        uvicorn.run(factory.serving_app(url, connections=args.db_connections,
                                        job_threads=args.job_threads,
                                        tls_fingerprint=fingerprint), **options)
        return
    os.environ[db.ENV_DATABASE_URL] = url
    os.environ[factory.ENV_TLS_FINGERPRINT] = fingerprint
    os.environ[factory.ENV_JOB_THREADS] = str(args.job_threads)
    os.environ[factory.ENV_DB_CONNECTIONS] = str(args.db_connections)
    uvicorn.run("sync.server.api.factory:app_from_environment", factory=True,
                workers=args.workers, **options)


def _warn_of_old_files(url: str) -> None:
    from sync.server.web.files import legacy_folder

    folder = legacy_folder(url)
    if folder.is_dir() and any(path.is_file() for path in folder.rglob("*")):
        print(f"WARNING: {folder} holds files of an older qalam-server; export archives are "
              "now kept in the database. Run `qalam-server move-files` to move them in.",
              file=sys.stderr)


def _workers_allowed(args, engine) -> bool:
    """False (said why) for fewer than one worker, or several on SQLite."""
    if args.workers < 1 or args.job_threads < 0:
        print("qalam-server: --workers must be at least 1 and --job-threads at least 0.",
              file=sys.stderr)
        return False
    if args.db_connections < args.job_threads + 2:
        print(f"qalam-server: --db-connections must be at least {args.job_threads + 2}: one "
              "for each job thread, one for the job poller and at least one for requests.",
              file=sys.stderr)
        return False
    if args.workers > 1 and db.is_sqlite(engine):
        print(f"qalam-server: --workers {args.workers} needs a PostgreSQL database "
              "(--db postgresql+psycopg://user:password@host/db): several processes cannot "
              "share one SQLite file safely. Serve SQLite with --workers 1.", file=sys.stderr)
        return False
    return True


def _warn_of_too_many_connections(args, engine) -> None:
    """A warning when the processes may open more connections than PostgreSQL accepts
    (past its ``max_connections``, requests fail at the busiest moment)."""
    if db.is_sqlite(engine):
        return
    with engine.connect() as conn:
        accepted = int(conn.exec_driver_sql("SHOW max_connections").scalar())
    wanted = args.workers * args.db_connections
    if wanted >= accepted:
        print(f"WARNING: {args.workers} process(es) × {args.db_connections} connections "
              f"= {wanted}, but PostgreSQL accepts {accepted} (max_connections, some kept "
              "for administrators): at a peak, requests would fail. Lower --db-connections, "
              "raise max_connections, or put PgBouncer in front.", file=sys.stderr)


def _address_allowed(args) -> bool:
    """False (said why) for a port out of range, or plain HTTP on a network address without
    --allow-http; a warning for plain HTTP that is allowed there."""
    if not 0 <= args.port <= 65535:
        print("qalam-server: --port must be 0–65535.", file=sys.stderr)
        return False
    loopback = protocol.is_loopback(args.host)
    if not args.tls and not loopback and not args.allow_http:
        print(f"qalam-server: refusing plain HTTP on {args.host}: device tokens would cross "
              "the network unencrypted. Use --tls, or --allow-http behind a TLS proxy.",
              file=sys.stderr)
        return False
    if not args.tls and not loopback:
        print(f"WARNING: serving plain HTTP on {args.host}; tokens and work travel unencrypted.",
              file=sys.stderr)
    return True


def _certificate(args, url: str) -> tuple[dict, str, str]:
    """``serve --tls``: uvicorn's certificate options, the short code and the fingerprint of
    the certificate kept beside the database (made on first use), printed for the coordinator."""
    from sync.server.people.tls import ensure_certificate

    cert = ensure_certificate(args.tls_dir or _default_tls_dir(url), hosts=[args.host])
    print(f"{'Made' if cert.created else 'Using'} certificate {cert.cert_path}")
    print(f"SHA-256 fingerprint: {cert.fingerprint}")
    print(f"Short code (compare on each device): {cert.short_code}")
    ssl = {"ssl_certfile": str(cert.cert_path), "ssl_keyfile": str(cert.key_path)}
    return ssl, cert.short_code, cert.fingerprint


def proxy_options(forwarded_allow_ips: list[str] | None) -> dict:
    """uvicorn's settings for forwarded headers: off unless the proxies are named.

    uvicorn's own default believes X-Forwarded-For from 127.0.0.1, so any client of a TLS
    terminator on the same host could choose its address and escape every rate limit."""
    if not forwarded_allow_ips:
        return {"proxy_headers": False}
    return {"proxy_headers": True, "forwarded_allow_ips": forwarded_allow_ips}


def _announce(args, server_id: str, short_code: str):
    from sync.discovery import advertise

    addresses = None if args.host in ("0.0.0.0", "::") else [args.host]
    try:
        return advertise(port=args.port, server_id=server_id, tls=args.tls,
                         short_code=short_code, addresses=addresses)
    except Exception as exc:  # a network without multicast must not stop the server
        print(f"WARNING: could not announce the server on the local network ({exc}).",
              file=sys.stderr)
        return None


def _default_tls_dir(url: str) -> Path:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database:
        return Path(parsed.database).expanduser().resolve().parent
    return Path.cwd()


@command("invite", help="make a one-time enrollment code",
         description="Create the user if new and print a one-time code their device enrolls "
                     "with.")
@option("--name", required=True, help="the person's name (unique)")
@option("--role", choices=users.ROLES, help="required for a new user")
@option("--languages", metavar="CODES",
        help="comma-separated registry codes, e.g. hin_Deva,urd_Arab")
@option("--days", type=float, default=users.DEFAULT_CODE_DAYS,
        help=f"days the code stays valid (default {users.DEFAULT_CODE_DAYS})")
def cmd_invite(args, engine, url) -> int:
    languages = args.languages.split(",") if args.languages is not None else None
    user, code, expires = users.invite(engine, name=args.name, role=args.role,
                                       languages=languages, days=args.days)
    langs = ", ".join(user.languages) or "all languages"
    print(f"Enrollment code for {user.name} ({user.role}; {langs}):")
    print()
    print(f"    {code}")
    print()
    print(f"Valid until {when(expires)} UTC; it works once. Read it out or "
          "send it privately.")
    return 0


@command("devices", help="list enrolled devices",
         description="List devices: user, role, last seen, app version, pull backlog and "
                     "pushed sequence, revocation.")
@json_option()
def cmd_devices(args, engine, url) -> int:
    head, found = _devices(engine)
    return listing(
        args, found, empty="No devices enrolled yet; `qalam-server invite` makes a code.",
        header=["DEVICE", "USER", "ROLE", "LAST SEEN", "APP", "PENDING", "LAST SEQ", "REVOKED"],
        row=lambda e: [e["device"], e["user"], e["role"], when(e["last_seen"]),
                       e["app_version"], str(e["pending"]), str(e["last_seq"]),
                       when(e["revoked"]) or "no"],
        footer=f"server change sequence: {head}; PENDING = changes the device has not pulled "
               "yet")


def _devices(engine) -> tuple[int, list[dict]]:
    """The server's change sequence, and each device with its user and pull backlog."""
    from sync.server.exchange.pull import pending_changes

    with db.read_transaction(engine) as conn:
        rows = conn.execute(
            sa.select(DEVICES, USERS.c.name.label("user_name"), USERS.c.role, USERS.c.languages,
                      USERS.c.blocked_at)
            .select_from(DEVICES.join(USERS, USERS.c.id == DEVICES.c.user_id))
            .order_by(USERS.c.name, DEVICES.c.enrolled_at)
        ).all()
        found = []
        for row in rows:
            device = users.Device.of(row.id, row.user_id, row.user_name, row.role,
                                     row.languages, row.blocked_at)
            found.append({
                "device": row.id, "name": row.name, "user": row.user_name, "role": row.role,
                "last_seen": row.last_seen or "", "app_version": row.app_version,
                "pending": pending_changes(conn, device, row.pull_cursor),
                "pull_cursor": row.pull_cursor, "last_seq": row.high_water,
                "revoked": row.revoked_at or "",
            })
        return db.current_seq(conn), found


@command("revoke", help="revoke a device's access",
         description="Revoke a device's token(s); it can enroll again with a new code. Its "
                     "work on the server is kept.")
@option("device", metavar="DEVICE", help="device id (or a unique prefix)")
def cmd_revoke(args, engine, url) -> int:
    device_id = users.revoke(engine, args.device)
    print(f"Revoked {device_id}. It can enroll again with a new code; its work is kept.")
    return 0


@command("import-bundle", help="apply a device's offline bundle (USB stick)",
         description="Verify and apply a device's offline bundle through the same idempotent "
                     "path as the network, and write the answer bundle to carry back to the "
                     "device.")
@option("file", type=Path, metavar="FILE")
@option("--answer", type=Path, metavar="FILE",
        help="where to write the answer (default: FILE.answer.qalam beside it)")
def cmd_import_bundle(args, engine, url) -> int:
    from sync.server.exchange.bundles import import_bundle

    result = import_bundle(engine, args.file, answer=args.answer)
    print(f"{args.file.name} from {result.user_name} ({result.device_id}): {result.items} "
          f"items — {result.created} new, {result.duplicates} already here, "
          f"{result.conflicts} conflicts, {result.rejected} refused; {result.leased} new "
          "work items for the device.")
    print(f"Answer for the device: {result.answer}")
    return 0


@command("provision", help="write a provisioning folder for new installs",
         description="Write a provisioning folder, DIR/qalam-provisioning (server address, "
                     "project, the certificate's fingerprint, optionally enrollment codes and "
                     "an initial task file), to copy as it is beside the installer or the "
                     "unpacked app: the app then asks only for the code. The command says "
                     "exactly where the file must end up.")
@option("--server", required=True, metavar="URL")
@option("--project", required=True)
@option("--out", required=True, type=Path, metavar="DIR",
        help="where to write the qalam-provisioning folder (DIR itself when it already has "
             "that name)")
@option("--tls-dir", type=Path, help="where serve --tls keeps its certificate (default: as serve)")
@option("--code", action="append", default=[],
        help="an enrollment code from `invite` (repeatable; only on a copy meant for those "
             "people)")
@option("--tasks", type=Path, metavar="FILE",
        help="an initial task file, so work can start without a network")
def cmd_provision(args, engine, url) -> int:
    from urllib.parse import urlsplit

    from app.provisioning import folder_for, write_provisioning
    from sync.server.people.tls import ensure_certificate

    fingerprint = None
    if args.server.startswith("https://"):
        cert = ensure_certificate(args.tls_dir or _default_tls_dir(url),
                                  hosts=[urlsplit(args.server).hostname])
        fingerprint = cert.fingerprint
    folder = folder_for(args.out)  # named as the app looks for it, whatever --out says
    try:
        path = write_provisioning(folder, server_url=args.server, project=args.project,
                                  fingerprint=fingerprint, codes=args.code,
                                  tasks_file=args.tasks)
    except ValueError as error:
        print(f"qalam-server: {error}", file=sys.stderr)
        return 1
    print(_provision_instructions(folder, path))
    return 0


def _provision_instructions(folder: Path, path: Path) -> str:
    """Where to put the folder, as exactly as words allow: its path, the path its file must
    have on the stick, and a worked example (tests follow these lines literally)."""
    inside = PurePosixPath(folder.name, path.name)
    return "\n".join([
        "Wrote the provisioning folder:",
        f"  {folder.resolve()}",
        "Copy that folder, as it is (keep its name), into the folder that holds Qalam: beside",
        "the qalam or qalam.exe program of the unpacked app, Qalam.app, the .AppImage file, or",
        "the Windows setup .exe. The file must end up at:",
        f"  <the folder that holds Qalam>/{inside}",
        f"for example E:\\Qalam\\{PureWindowsPath(inside)} on a USB stick,",
        f"or /media/usb/qalam/{inside} for the unpacked Linux app.",
    ])


@command("decide", help="accept or reject a submission",
         description="Record a reviewer's decision on a submitted item; its author's devices "
                     "get it on their next pull.")
@option("submission", metavar="SUBMISSION")
@option("state", choices=("accepted", "rejected"))
@option("--reason", help="a note for the author")
def cmd_decide(args, engine, url) -> int:
    from sync.server.work import decisions

    revision = decisions.decide(engine, args.submission, args.state, reason=args.reason)
    print(f"{args.submission} is {args.state} (revision {revision}).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
