"""The one writer: every store write runs, in order, on a single worker thread.

    writer = StoreWriter(db_path)
    writer.run(lambda store: store.save_draft(id, inputs=..., targets=...),
               on_done=show_saved, on_error=show_error)

The UI thread never waits on the disk, except in :meth:`flush` (window close and quit, where
waiting is the point). Callbacks run on the UI thread, in submission order.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from app.store import Store

log = logging.getLogger(__name__)


class StoreWriter(QObject):
    # Emitted from the worker thread; Qt queues it to this object's (the UI) thread.
    _finished = Signal(object, object, object)  # callback, value, error

    def __init__(self, db_path: Path, parent: QObject | None = None):
        super().__init__(parent)
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="qalam-writer")
        self._store: Store | None = None
        self._closed = False
        self._finished.connect(self._deliver)
        # Opening (and migrating) happens on the worker too; errors surface on first use.
        self._opened = self._executor.submit(self._open, db_path)

    def _open(self, db_path: Path) -> None:
        self._store = Store.open(db_path)

    def run(
        self, job: Callable[[Store], Any], *, on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
    ) -> Future:
        def work():
            self._opened.result()
            try:
                value = job(self._store)
            except Exception as exc:  # handed to the UI thread, never swallowed
                if on_error is None:
                    log.exception("store write failed")
                self._finished.emit(on_error, None, exc)
                raise
            self._finished.emit(on_done, value, None)
            return value

        return self._executor.submit(work)

    def _deliver(self, callback, value, error) -> None:
        if callback is not None:
            callback(error if error is not None else value)

    def flush(self, timeout: float = 30.0) -> None:
        """Block until every write queued so far is durable (nothing to do once closed)."""
        if self._closed:
            return
        self._executor.submit(lambda: None).result(timeout)

    def close(self) -> None:
        if self._closed:
            return
        self.flush()
        store = self._store

        def close_store():
            if store is not None:
                store.close()

        self._executor.submit(close_store).result()
        self._executor.shutdown(wait=True)
        self._closed = True
