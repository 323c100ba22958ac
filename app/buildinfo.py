"""Which build of Qalam this is: version, git revision, build date.

    >>> from app import buildinfo
    >>> buildinfo.describe()          # in a source checkout
    'Qalam 0.1.0 (development build)'

This committed file is the default for a source checkout. ``make dist`` does not edit it: the
PyInstaller spec writes a copy with the values filled in (:func:`render`) and freezes that
copy in its place, so the tree stays clean and the bundle says which commit it was built from.
"""

from __future__ import annotations

from app import __version__

VERSION = __version__
#: Short git revision the bundle was built from ("1a2b3c4d", "+dirty" if the tree had
#: uncommitted changes); None in a source checkout.
REVISION: str | None = None
#: UTC build time, ISO 8601 ("2026-11-26T07:30:00Z"); None in a source checkout.
BUILD_DATE: str | None = None
#: The platform the bundle was built for ("linux-x86_64"); None in a source checkout.
PLATFORM: str | None = None


def is_release_build() -> bool:
    return REVISION is not None


def describe() -> str:
    """One line for ``qalam --version`` and the About box."""
    if REVISION is None:
        return f"Qalam {VERSION} (development build)"
    return f"Qalam {VERSION} (build {REVISION}, {BUILD_DATE}, {PLATFORM})"


def render(*, version: str, revision: str, build_date: str, platform: str) -> str:
    """The source of a filled-in copy of this module: this file with the build's values
    appended (they replace the defaults above). Used by build_scripts/qalam.spec."""
    with open(__file__, encoding="utf-8") as f:
        source = f.read()
    return (
        f"{source}\n\n# --- filled in by build_scripts/qalam.spec\n"
        f"VERSION = {version!r}\nREVISION = {revision!r}\n"
        f"BUILD_DATE = {build_date!r}\nPLATFORM = {platform!r}\n"
    )
