"""Entry point of the frozen app (PyInstaller starts here): ``qalam`` as installed by pip,
plus the checks of an installed copy (ui/self_test.py) and the build in ``--version``.

Those are handled here first so that every bundle has them whatever ui/cli.py offers; once
ui/cli.py wires ``self_test.add_arguments``/``dispatch`` and ``buildinfo.describe()`` itself,
this pre-parse is a no-op duplicate that can go.
"""

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    from app import buildinfo
    from ui import self_test

    early = argparse.ArgumentParser(add_help=False)
    early.add_argument("--version", action="store_true")
    early.add_argument("--data-dir")
    self_test.add_arguments(early)
    known, _rest = early.parse_known_args(argv)
    if known.version:
        print(buildinfo.describe())
        return 0
    code = self_test.dispatch(known)
    if code is not None:
        return code
    from ui.cli import main as cli_main

    return cli_main(argv)


if __name__ == "__main__":
    sys.exit(main())
