"""``qalam-server`` subcommands beyond the core ones in :mod:`sync.server.cli`, one module per
area of the coordinator's work (projects and imports, distribution, quality, exports, ...).

Each module here defines::

    def register(sub, common) -> dict[str, Callable[[args, engine, url], int]]

which adds its subparsers to ``sub`` (every parser takes ``parents=[common]`` for ``--db``)
and returns the functions that run them, by command name. The CLI finds the modules itself,
so adding an area is adding a file.

Every command's parser is built each time ``qalam-server`` runs, whichever command it runs:
a module here imports at its top only what its parsers need, and the rest (the dashboard,
the importers, statistics) inside the functions that use it, so ``invite`` starts at once.
``tests/test_startup.py`` checks which libraries a light command loads.
"""

from __future__ import annotations

import importlib
import pkgutil


def register_all(sub, common) -> dict:
    commands: dict = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        added = module.register(sub, common)
        clash = set(added) & set(commands)
        if clash:
            raise RuntimeError(f"{info.name} redefines commands {sorted(clash)}")
        commands.update(added)
    return commands
