"""Reading and checking off the UI thread: one worker with its own read-only store.

    background = Background(db_path)
    background.run(lambda store: store.count_tasks(), on_done=show_count)

    checks = Debounced(background, delay_ms=300)
    checks.schedule(lambda store: expensive(text), on_done=show)   # only the newest result

Quality checks (language identification), diffs, HTER and progress figures are computed
here, never on the typing path. Jobs only read: every write goes through ``StoreWriter``.
Results are handed back to the UI thread through a queued signal, in order.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from app.store import Store

log = logging.getLogger(__name__)


class Background(QObject):
    _finished = Signal(object, object, object)  # callback, value, error

    def __init__(self, db_path: Path, parent: QObject | None = None):
        super().__init__(parent)
        self.db_path = Path(db_path)
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="qalam-reader")
        self._local = threading.local()
        self._finished.connect(self._deliver)
        self._closed = False

    def _store(self) -> Store:
        store = getattr(self._local, "store", None)
        if store is None:
            store = self._local.store = Store.open(self.db_path, readonly=True)
        return store

    def run(
        self, job: Callable[[Store], Any], *, on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
    ) -> Future | None:
        if self._closed:
            return None

        def work():
            try:
                value = job(self._store())
            except Exception as exc:
                if on_error is None:
                    log.exception("background job failed")
                self._finished.emit(on_error, None, exc)
                return None
            self._finished.emit(on_done, value, None)
            return value

        return self._executor.submit(work)

    def _deliver(self, callback, value, error) -> None:
        if callback is not None and not self._closed:
            callback(error if error is not None else value)

    def wait(self, timeout: float = 30.0) -> None:
        """Block until every job queued so far has run (tests, shutdown)."""
        if not self._closed:
            self._executor.submit(lambda: None).result(timeout)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True

        def close_store():
            store = getattr(self._local, "store", None)
            if store is not None:
                store.close()

        self._executor.submit(close_store)
        self._executor.shutdown(wait=True, cancel_futures=True)


class Debounced(QObject):
    """Run a background job ``delay_ms`` after the last :meth:`schedule`; deliver only the
    newest result (an older one that finishes late is dropped)."""

    def __init__(self, background: Background, *, delay_ms: int = 300, parent=None):
        super().__init__(parent)
        self.background = background
        self._timer = QTimer(self, singleShot=True, interval=delay_ms)
        self._timer.timeout.connect(self._fire)
        self._pending: tuple[Callable, Callable] | None = None
        self._generation = 0
        self.busy = False

    def schedule(self, job: Callable[[Store], Any], on_done: Callable[[Any], None]) -> None:
        self._pending = (job, on_done)
        self._generation += 1
        self._timer.start()

    def run_now(self, job: Callable[[Store], Any], on_done: Callable[[Any], None]) -> None:
        self._pending = (job, on_done)
        self._generation += 1
        self._fire()

    def cancel(self) -> None:
        self._timer.stop()
        self._pending = None
        self._generation += 1

    def _fire(self) -> None:
        self._timer.stop()
        if self._pending is None:
            return
        job, on_done = self._pending
        self._pending = None
        generation = self._generation
        self.busy = True

        def done(value):
            if generation == self._generation:
                self.busy = False
                on_done(value)

        self.background.run(job, on_done=done, on_error=lambda error: done(None))
