"""The one exception tree of Qalam's core.

    QalamError
     ├── TextRejected        text that cannot be stored (NUL, lone surrogate, too long)
     ├── StoreError          the local database cannot be used as it is
     │    ├── SchemaTooNew   made by a newer Qalam; refused, never touched
     │    └── DiskFull       the disk (or the database's quota) is full; nothing was written
     ├── NotFound            a record id that does not exist
     ├── InvalidState        an action the record's state does not allow
     └── SyncError           sync stopped for a reason retrying cannot fix (``kind`` says which)

Foreign errors (sqlite3, OS) are translated where they enter, re-raised with ``from exc``.
Every message is a complete sentence a person can act on; the UI shows it as it is.
"""

from __future__ import annotations


class QalamError(Exception):
    """Base of every error Qalam raises on purpose."""


class TextRejected(QalamError):
    """Text that cannot be stored. Names the field and, where it helps, the position."""

    def __init__(self, field: str, message: str, position: int | None = None):
        self.field = field
        self.position = position
        super().__init__(message)


class StoreError(QalamError):
    """The local database cannot be opened or used."""


class SchemaTooNew(StoreError):
    """The database was written by a newer version of Qalam."""


class DiskFull(StoreError):
    """SQLite's "database or disk is full": the write was rolled back, everything stored
    before it is intact, and the same write succeeds once space is freed."""

    def __init__(self, folder: object):
        from i18n.bidi import format_message  # the message is for the person at the keyboard
        from i18n.translation import _

        self.folder = folder
        super().__init__(format_message(_(
            "The disk that holds {folder} is full, so nothing new could be stored. Free some "
            "space there (delete or move files) and try again."
        ), folder=folder))


class NotFound(QalamError):
    """No record with that id."""


class InvalidState(QalamError):
    """The record's state does not allow this action (e.g. editing a submitted item)."""


class SyncError(QalamError):
    """Sync cannot go on by retrying. Local work is untouched; the queue is kept.

    ``kind`` is one of: ``auth`` (token unknown or revoked: enroll again), ``upgrade``
    (client and server speak incompatible protocol versions), ``protocol`` (the server refused
    a request as invalid), ``config`` (not enrolled, bad server address), ``tls`` (the server's
    certificate does not match the one trusted), ``bundle`` (an offline bundle is damaged).
    """

    def __init__(self, kind: str, message: str):
        self.kind = kind
        super().__init__(message)
