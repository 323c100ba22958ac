"""Quality checks for the screens: debounced, run on the background reader, never on the
typing path (language identification takes milliseconds, a model load much longer).

    watcher = QualityWatcher(context.background, parent=self)   # the reader lane
    watcher.findings_ready.connect(show)
    watcher.schedule(kind="original", language="yor_Latn", inputs=..., targets=...)
    watcher.check_now(callback, **same)   # before submit: callback(findings)
"""

from __future__ import annotations

import json

from PySide6.QtCore import QObject, Signal

from app.store import Store
from ui.tasks import Debounced, Lane

CHECK_DELAY_MS = 300
EARLIER_LIMIT = 300


def _settings(store: Store, project_id: str | None):
    from app import quality

    if not project_id:
        return quality.QualitySettings()
    try:
        settings = json.loads(store.project(project_id).settings).get("quality")
        return quality.QualitySettings.from_dict(settings)
    except Exception:  # a project without (valid) quality settings uses the defaults
        return quality.QualitySettings()


def check_job(*, exclude_id: str | None = None, project_id: str | None = None, **fields):
    """A background job: the quality findings for ``fields`` (check_submission's)."""

    def job(store: Store) -> list:
        # Imported on the worker: quality pulls in regex, rapidfuzz and the language model.
        from app import quality

        earlier = []
        if fields.get("kind") in ("original", "reannotation"):
            earlier = [
                s.inputs for s in store.submissions(
                    language=fields["language"], state="submitted", limit=EARLIER_LIMIT
                ) if s.id != exclude_id and s.inputs
            ]
        return quality.check_submission(
            earlier=earlier, settings=_settings(store, project_id), **fields
        )

    return job


def warm_up(store: Store) -> None:
    """Load the language-identification model now (a background job at start-up), not at
    the first check while someone is typing."""
    from app import quality

    quality.identify_language("warm up")


class QualityWatcher(QObject):
    findings_ready = Signal(list)

    def __init__(self, reader: Lane, parent=None):
        super().__init__(parent)
        self._debounced = Debounced(reader, delay_ms=CHECK_DELAY_MS, parent=self)
        self.findings: list = []

    def schedule(self, **fields) -> None:
        self._debounced.schedule(check_job(**fields), self._deliver)

    def check_now(self, callback, **fields) -> None:
        def done(findings):
            self._deliver(findings)
            callback(findings or [])

        self._debounced.run_now(check_job(**fields), done)

    def clear(self) -> None:
        self._debounced.cancel()
        self._deliver([])

    def _deliver(self, findings) -> None:
        self.findings = list(findings or [])
        self.findings_ready.emit(self.findings)
