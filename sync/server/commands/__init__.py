"""``qalam-server``'s commands, each declared beside the function that runs it.

    from sync.server.commands import command, option

    @command("revoke", help="revoke a device's access",
             description="Revoke a device's token(s); it can enroll again with a new code.")
    @option("device", metavar="DEVICE", help="device id (or a unique prefix)")
    def cmd_revoke(args, engine, url) -> int:
        ...

``@option`` takes what ``argparse``'s ``add_argument`` takes, in the order the help lists
them; ``group("project", help=..., description=...)`` declares ``qalam-server project
ACTION`` and ``@command("project", "create", ...)`` one of its actions. A command runs as
``run(args, engine, url)`` and returns the exit status; what it prints goes through
:mod:`sync.server.commands.output` (tables, or JSON with ``--json``). The core commands live
in :mod:`sync.server.cli`, the others in this package, one module per area of the
coordinator's work (projects and imports, distribution, quality, exports, ...): adding an
area is adding a file, which :func:`build` finds itself.

Every command is declared each time ``qalam-server`` runs, whichever command it runs: a module
here imports at its top only what its declarations need, and the rest (the dashboard, the
importers, statistics) inside the functions that use it, so ``invite`` starts at once.
``tests/test_startup.py`` checks which libraries a light command loads.

A small layer over ``argparse`` rather than click: the usage lines, error messages and exit
statuses people and scripts already know stay exactly as they were, and ``--db`` keeps working
before or after a command's name (every command's parser takes it from ``common``: see
``sync.server.cli._parser``).
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field

Run = Callable[[argparse.Namespace, object, str], int]  # (args, engine, url) -> exit status


@dataclass
class Command:
    """One ``qalam-server`` command, or a group of them (``run`` is None)."""

    path: tuple[str, ...]
    help: str
    description: str
    run: Run | None = None
    options: list[tuple[tuple, dict]] = field(default_factory=list)
    checks_schema: bool = True   # False: init and serve, which upgrade the schema themselves


DECLARED: dict[tuple[str, ...], Command] = {}  # in the order the help lists them


def _declare(entry: Command) -> None:
    if entry.path in DECLARED:
        raise RuntimeError(f"qalam-server {' '.join(entry.path)} is declared twice")
    parent = entry.path[:-1]
    if parent and (parent not in DECLARED or DECLARED[parent].run is not None):
        raise RuntimeError(f"declare group({', '.join(map(repr, parent))}) before "
                           f"qalam-server {' '.join(entry.path)}")
    DECLARED[entry.path] = entry


def group(*path: str, help: str, description: str) -> None:
    """Declare ``qalam-server PATH ACTION``: a command whose actions are declared after it."""
    _declare(Command(path, help, description))


def command(*path: str, help: str, description: str,
            checks_schema: bool = True) -> Callable[[Run], Run]:
    """Declare ``qalam-server PATH`` as run by the decorated function."""
    def declare(run: Run) -> Run:
        options = list(reversed(getattr(run, "_qalam_options", [])))
        _declare(Command(path, help, description, run, options, checks_schema))
        return run
    return declare


def option(*names: str, **settings) -> Callable[[Run], Run]:
    """An argument of the command declared above it, as ``argparse``'s ``add_argument``."""
    def add(run: Run) -> Run:
        # Decorators apply from the bottom up: kept in reverse, read back in the order written.
        run._qalam_options = [*getattr(run, "_qalam_options", []), (names, settings)]
        return run
    return add


def options(*added: Callable[[Run], Run]) -> Callable[[Run], Run]:
    """Several :func:`option` as one decorator, for arguments commands share."""
    def add(run: Run) -> Run:
        for one in reversed(added):
            run = one(run)
        return run
    return add


def load_all() -> dict[tuple[str, ...], Command]:
    """Import every module of this package (their decorators declare their commands)."""
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        importlib.import_module(f"{__name__}.{info.name}")
    return DECLARED


def build(parser: argparse.ArgumentParser, common: argparse.ArgumentParser) -> None:
    """Add every declared command to ``parser``; each takes ``common``'s options (``--db``).

    A command's parser sets ``args.command_run`` (its :class:`Command`) when it is chosen.
    """
    actions = {(): parser.add_subparsers(dest="command", required=True, metavar="COMMAND")}
    for entry in load_all().values():
        sub = actions[entry.path[:-1]].add_parser(
            entry.path[-1], parents=[common], help=entry.help, description=entry.description)
        for names, settings in entry.options:
            sub.add_argument(*names, **settings)
        if entry.run is None:
            actions[entry.path] = sub.add_subparsers(
                dest=f"{entry.path[-1]}_command", required=True, metavar="ACTION")
        else:
            sub.set_defaults(command_run=entry)

