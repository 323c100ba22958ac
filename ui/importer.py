"""Importing a coordinator's task file: parsed off the UI thread, stored in one transaction.

    importer = TaskImporter(context, parent=window)
    importer.progressed.connect(bar.setValue)        # (lines done, total lines)
    importer.finished.connect(on_done)               # (added, total) — or failed(message)
    importer.start(path)

The file dialog's filter comes from :func:`task_file_filter`: the patterns are isolated in
the shown name, so that "(*.jsonl *.csv)" reads left to right in a right-to-left interface.

The work is the ``import_tasks`` operation (ui/operations.py): ``app.taskfile.read_task_file``
validates the whole file first on the io lane and names file, line and field for a bad record,
in the interface's language (``TaskFileError.localized``); ``Store.add_tasks`` then stores
every task in one transaction on the store writer. A bad file therefore imports nothing at
all. This object is the import in flight: whether one runs, and its progress as signals.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal

from app.errors import QalamError
from i18n.bidi import format_message
from i18n.translation import _
from ui import operations
from ui.errors import error_text

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


def failure_text(path: Path, error: BaseException) -> str:
    """Why nothing was imported: file, place and problem for a bad record (in the interface's
    language); Qalam's own errors as they are; anything else named with the file."""
    # Imported here, where reading the file has loaded it: its record models are not needed
    # to draw the first window.
    from app.taskfile import TaskFileError

    if isinstance(error, TaskFileError):
        return error.localized()
    if isinstance(error, QalamError):
        return error_text(error)
    return format_message(_("{file}: could not be imported ({error})."),
                          file=path.name, error=error_text(error))


class TaskImporter(QObject):
    progressed = Signal(int, int)   # lines read, total lines
    storing = Signal(int)           # tasks validated, now being stored
    finished = Signal(int, int)     # tasks added (new), tasks in the file
    failed = Signal(str)            # a message naming file, line and field

    def __init__(self, context: operations.Context, parent=None):
        super().__init__(parent)
        self.context = context
        self.running = False

    def start(self, path: Path, *, project: str | None = None) -> None:
        if self.running:
            return
        self.running = True
        path = Path(path)
        operations.import_tasks(
            parent=self, path=path, project=project, progress=self.progressed.emit,
            storing=self.storing.emit, on_done=self._done,
            on_error=lambda error: self._failed(failure_text(path, error)))

    def _failed(self, message: str) -> None:
        self.running = False
        self.failed.emit(message)

    def _done(self, counts: tuple[int, int]) -> None:
        self.running = False
        self.finished.emit(*counts)
