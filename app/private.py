"""Files and folders only their owner can open: databases, keys, exports with personal data.

    folder = private_dir(data_dir)                  # mkdir -p; folders it makes are 0700
    create_file(folder / "qalam.db")                # empty and 0600, before SQLite opens it
    with open_private(folder / "key.pem", "wb") as f:
        f.write(pem)                                # 0600 before its first byte
    restrict_tree(export_folder)                    # 0600 files, 0700 folders, all the way down

The modes are set explicitly (``fchmod``/``chmod``), so they do not depend on the umask.
SQLite makes a database's ``-wal`` and ``-shm`` files with the database file's own mode, so a
database created here keeps its journal private too. Folders and files that already exist are
left as they are, except by :func:`restrict_tree`, which is for what we have just written.
Windows has no such modes (``chmod`` only sets read-only there): the user's profile folder is
what keeps data private, and these functions only create.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import IO, Any

FILE_MODE = 0o600
DIR_MODE = 0o700
_POSIX = os.name == "posix"


def private_dir(path: str | os.PathLike) -> Path:
    """``path`` as a folder, made with its missing parents; the folders made here are 0700."""
    path = Path(path)
    missing = []
    for folder in (path, *path.parents):
        if folder.exists():
            break
        missing.append(folder)
    path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    if _POSIX:
        for folder in missing:
            os.chmod(folder, DIR_MODE)
    return path


def create_file(path: str | os.PathLike) -> bool:
    """Make ``path`` an empty 0600 file unless it exists; True when it was made.

    SQLite opens an empty file as a new database, so calling this before connecting gives a
    new database (and its ``-wal``/``-shm`` files) mode 0600 from the start.
    """
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        return False
    try:
        if _POSIX:
            os.fchmod(descriptor, FILE_MODE)
    finally:
        os.close(descriptor)
    return True


def open_private(path: str | os.PathLike, mode: str = "wb", **options: Any) -> IO:
    """Open ``path`` for writing (created, or emptied), 0600 before anything is written.

    ``mode`` is ``"wb"`` or ``"w"``; ``options`` go to :func:`open` (``encoding``, ``newline``).
    """
    if mode not in ("w", "wb"):
        raise ValueError(f"open_private writes a file from scratch; mode {mode!r} is not 'w' "
                         "or 'wb'.")
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    try:
        if _POSIX:
            os.fchmod(descriptor, FILE_MODE)  # an existing file keeps its mode otherwise
        return os.fdopen(descriptor, mode, **options)
    except BaseException:
        os.close(descriptor)
        raise


def restrict_tree(root: str | os.PathLike) -> None:
    """Make ``root`` and everything under it private: folders 0700, files 0600.

    For files that other libraries write with their own ``open`` (Parquet, zip), inside a
    folder that is already private while they are written.
    """
    if not _POSIX:
        return
    root = Path(root)
    os.chmod(root, DIR_MODE if root.is_dir() else FILE_MODE)
    for folder, folders, files in os.walk(root):
        for name, mode in [*((n, DIR_MODE) for n in folders), *((n, FILE_MODE) for n in files)]:
            path = Path(folder, name)
            if not path.is_symlink():  # chmod would change what the link points to
                os.chmod(path, mode)
