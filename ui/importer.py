"""Importing a coordinator's task file: parsed off the UI thread, stored in one transaction.

    importer = TaskImporter(writer, parent=window)
    importer.progressed.connect(bar.setValue)        # (lines done, total lines)
    importer.finished.connect(on_done)               # (added, total) — or failed(message)
    importer.start(path)

The file dialog's filter comes from :func:`task_file_filter`: the patterns are isolated in
the shown name, so that "(*.jsonl *.csv)" reads left to right in a right-to-left interface.

``app.taskfile.read_task_file`` validates the whole file first and names file, line and field
for a bad record, in the interface's language (``TaskFileError.localized``); ``Store.add_tasks``
then stores every task in one transaction on the store writer. A bad file therefore imports
nothing at all.
"""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from app.errors import QalamError
from app.taskfile import TaskFileError, read_task_file
from i18n.bidi import format_message
from i18n.translation import _
from ui.writer import StoreWriter

TASK_FILE_PATTERNS = ("*.jsonl", "*.csv")  # what app.taskfile reads


def task_file_filter() -> str:
    """The "Task files" filter for QFileDialog, to use with its ``HideNameFilterDetails``
    option. Each shown name carries its patterns bidi-isolated (Qt's own "(*.jsonl *.csv)"
    would be reordered by an Urdu or Arabic name before it); the trailing plain "(…)" is what
    Qt parses, and the option keeps it out of sight."""
    patterns = " ".join(TASK_FILE_PATTERNS)
    tasks = format_message(_("Task files ({patterns})"), patterns=patterns)
    everything = format_message(_("All files ({patterns})"), patterns="*")
    return f"{tasks} ({patterns});;{everything} (*)"


class TaskImporter(QObject):
    progressed = Signal(int, int)   # lines read, total lines
    storing = Signal(int)           # tasks validated, now being stored
    finished = Signal(int, int)     # tasks added (new), tasks in the file
    failed = Signal(str)            # a message naming file, line and field
    _failed = Signal(str)

    def __init__(self, writer: StoreWriter, parent=None):
        super().__init__(parent)
        self.writer = writer
        self.running = False
        self._thread: threading.Thread | None = None
        self._failed.connect(self._on_failed)

    def start(self, path: Path, *, project: str | None = None) -> None:
        if self.running:
            return
        self.running = True
        self._thread = threading.Thread(
            target=self._read, args=(Path(path), project), name="qalam-import", daemon=True
        )
        self._thread.start()

    def _read(self, path: Path, project: str | None) -> None:
        try:
            tasks = read_task_file(
                path, project=project, progress=lambda done, total: self.progressed.emit(
                    done, total)
            )
        except TaskFileError as exc:  # file, place and problem, in the interface's language
            self._fail(exc.localized())
            return
        except QalamError as exc:
            self._fail(str(exc))
            return
        except Exception as exc:  # an unexpected failure is still shown, never swallowed
            self._fail(format_message(_("{file}: could not be imported ({error})."),
                file=path.name, error=exc))
            return
        self.storing.emit(len(tasks))
        self.writer.run(
            lambda store: store.add_tasks(tasks),
            on_done=lambda added: self._done(added, len(tasks)),
            on_error=lambda error: self._fail(str(error)),
        )

    def _fail(self, message: str) -> None:
        # From the reading thread: queued to the UI thread, where ``running`` changes.
        self._failed.emit(message)

    def _on_failed(self, message: str) -> None:
        self.running = False
        self.failed.emit(message)

    def _done(self, added: int, total: int) -> None:
        self.running = False
        self.finished.emit(added, total)

    def wait(self, timeout: float = 120.0) -> None:
        if self._thread is not None:
            self._thread.join(timeout)
