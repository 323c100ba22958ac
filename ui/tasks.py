"""Work off the UI thread, all of it: one runner, three lanes, one way back, one shutdown.

    tasks = TaskRunner(db_path)
    tasks.writer.run(lambda store: store.save_draft(...), on_done=show_saved, on_error=show)
    tasks.reader.run(lambda store: store.count_tasks(), on_done=show_count)
    tasks.io.run(lambda: client.sync(tasks.writer.call), on_done=report, on_error=fail)
    tasks.writer.then(count)     # once every write queued so far has landed (no waiting)
    tasks.writer.flush()         # block until then: window close and crash recovery only
    tasks.close()                # reads dropped, writes finished, stores closed

The lanes:

- ``writer``: the one writer (DESIGN.md): every store write, one at a time, in the order they
  were queued, on one thread holding the read-write store (opened, and migrated, there).
- ``reader``: reads and checks that must not hold up typing (language identification, diffs,
  progress figures), on one thread with its own read-only store.
- ``io``: the network and slow files (a sync, an enrollment, a bundle on a USB stick, a task
  file), on a few threads with no store: what they store goes through ``writer.call``.

Everything comes back one way: a queued signal runs each callback on the UI thread, in the
order its thread sent it (:meth:`TaskRunner.to_ui` hands progress back the same way). A failure
nobody asked to hear of goes to the one default handler, :meth:`TaskRunner.unhandled` (the log,
with the traceback). Once the runner is closed only the writer's outcomes are still delivered
(they say what is durable: an editor closing after a shutdown must not save twice); nothing
of the reader or the network is. The UI thread never
waits on the disk or the network, except in :meth:`Lane.flush` (closing, where waiting is the
point); :meth:`Lane.call`, which waits, refuses to run on it.
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

IO_WORKERS = 4  # a sync, an enrollment, a bundle and a task file at once, at most


class Lane:
    """One kind of work on its own thread(s). ``run`` hands the job the lane's store (the
    writer's, or the reader's read-only one); the ``io`` lane's jobs take no argument."""

    def __init__(self, runner: TaskRunner, name: str, *, workers: int = 1,
                 opener: Callable[[], Store] | None = None, finish_queued: bool = False):
        self._runner = runner
        self.name = name
        self._executor = ThreadPoolExecutor(max_workers=workers,
                                            thread_name_prefix=f"qalam-{name}")
        self._opener = opener
        self._store: Store | None = None
        # The writer finishes what was queued before it closes (nothing saved is dropped);
        # the other lanes drop what has not started.
        self._finish_queued = finish_queued
        self._closed = False

    def run(self, job: Callable[..., Any], *, on_done: Callable[[Any], None] | None = None,
            on_error: Callable[[BaseException], None] | None = None) -> Future | None:
        """Queue ``job``; ``on_done(value)`` or ``on_error(exception)`` follows on the UI
        thread. The future holds the value or the exception too. Once closed the writer
        refuses new work (raises); the other lanes return None."""
        if self._closed and not self._finish_queued:
            return None
        return self._executor.submit(self._work, job, on_done, on_error)

    def _work(self, job, on_done, on_error):
        if self._closed and not self._finish_queued:
            return None  # queued before the lane closed: nobody waits for it any more
        try:
            value = job(self._ensure_store()) if self._opener is not None else job()
        except Exception as exc:  # handed to the UI thread, never swallowed
            self._runner.deliver(on_error or self._runner.unhandled, exc,
                                 after_close=self._finish_queued)
            raise
        if on_done is not None:
            self._runner.deliver(on_done, value, after_close=self._finish_queued)
        return value

    def _ensure_store(self) -> Store:
        if self._store is None:
            self._store = self._opener()
        return self._store

    def open_now(self) -> None:
        """Open the store on the lane's thread now (a failure shows at the first job)."""
        self._executor.submit(self._ensure_store)

    def call(self, job: Callable[..., Any]) -> Any:
        """Run ``job`` on this lane and wait for its value (or its exception), from another
        worker thread: the sync and bundles store what they receive this way."""
        if threading.current_thread() is threading.main_thread():
            raise RuntimeError("the UI thread never waits on a lane: use run()")
        future = self.run(job)
        if future is None:
            raise RuntimeError(f"the {self.name} lane is closed")
        return future.result()

    def then(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` on the UI thread once every job queued so far has run, without
        waiting for it (count what was typed once it is on disk)."""
        self.run(lambda *_store: None, on_done=lambda _none: callback(),
                 on_error=lambda _error: callback())

    def flush(self, timeout: float = 30.0) -> None:
        """Block until every job queued so far has run: for the writer, until it is durable
        (window close, quit, crash recovery, tests). Nothing to do once closed."""
        if not self._closed:
            self._executor.submit(lambda: None).result(timeout)

    def close(self) -> None:
        if self._closed:
            return
        if self._finish_queued:
            self.flush()
        self._closed = True
        store = self._store

        def close_store():
            if store is not None:
                store.close()

        if self._opener is None:  # never wait on the network: a sync still running ends alone
            self._executor.shutdown(wait=False, cancel_futures=True)
            return
        self._executor.submit(close_store)
        self._executor.shutdown(wait=True)


class TaskRunner(QObject):
    """The writer, the reader and the io lanes of one database (see the module docstring)."""

    # Emitted from any thread; Qt queues it to this object's (the UI) thread.
    _back = Signal(object, object, bool)  # callback, its arguments, even once closed

    def __init__(self, db_path: Path, parent: QObject | None = None):
        super().__init__(parent)
        self.db_path = Path(db_path)
        self._closed = False
        self._back.connect(self._deliver)
        self.writer = Lane(self, "writer", opener=lambda: Store.open(self.db_path),
                           finish_queued=True)
        self.writer.open_now()  # opening and migrating happen there too, not on the UI thread
        self.reader = Lane(self, "reader",
                           opener=lambda: Store.open(self.db_path, readonly=True))
        self.io = Lane(self, "io", workers=IO_WORKERS)

    def deliver(self, callback: Callable[..., None], *args, after_close: bool = False) -> None:
        """Call ``callback(*args)`` on the UI thread, from any thread (not once the runner
        is closed, unless ``after_close``)."""
        self._back.emit(callback, args, after_close)

    def to_ui(self, callback: Callable[..., None]) -> Callable[..., None]:
        """``callback`` made callable from any thread (a progress report): it runs on the UI
        thread, in order."""
        return lambda *args: self.deliver(callback, *args)

    def _deliver(self, callback, args, after_close: bool) -> None:
        if after_close or not self._closed:
            callback(*args)

    def unhandled(self, error: BaseException) -> None:
        """The one default for a failure no caller asked to hear of: the log, traceback and
        all (what a person sees is the operations' business: ui/operations.py)."""
        log.error("a background task failed", exc_info=error)

    def close(self) -> None:
        """The one shutdown: the network is left to end alone (unheard), queued reads are
        dropped, queued writes finish; then the stores close."""
        if self._closed:
            return
        self._closed = True
        self.io.close()
        self.reader.close()
        self.writer.close()


class Debounced(QObject):
    """Run a job on ``lane`` ``delay_ms`` after the last :meth:`schedule`; deliver only the
    newest result (an older one that finishes late is dropped).

        checks = Debounced(tasks.reader, delay_ms=300)
        checks.schedule(lambda store: expensive(text), on_done=show)
    """

    def __init__(self, lane: Lane, *, delay_ms: int = 300, parent=None):
        super().__init__(parent)
        self.lane = lane
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

        self.lane.run(job, on_done=done, on_error=lambda error: done(None))
