"""What a person does to their work, one keyword-only function per action (Anki's
aqt/operations): a screen calls one of them in one line, and says nothing of threads or SQL.

    operations.restore_revision(parent=self, submission_id=item.id, number=3,
                                on_done=lambda submission: self.say_restored(3))

Each runs its store call on the one writer (ui/tasks.py; the network and files on the io lane)
and then:

- on success, ``on_done(result)``; then the window's ``changes_made`` signal carries a
  :class:`Changes` naming the kinds of records that changed, with ``parent`` as the initiator,
  and each screen refreshes only what it names (``Screen.on_changes``);
- on failure, ``on_error(exception)`` when given, else the failure is shown where ``parent``
  shows failures (its ``tell``), through :func:`ui.errors.show_error`: a sentence, never a
  Python ``repr``.

``parent`` is where the action came from (a screen, a dialog, an editor's autosaver): it has
the window's :class:`Context` as ``parent.context``, and a ``tell(text)``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings

from app import profile as app_profile
from app import syncstate, ui_translations
from app.store import Review, Saved, Store, Submission
from i18n.translation import _
from ui.errors import show_error
from ui.tasks import Lane, TaskRunner

Done = Callable[[Any], None] | None
Failed = Callable[[BaseException], None] | None


@dataclass(frozen=True)
class Changes:
    """What kinds of records an action changed (Anki's ``OpChanges``)."""

    submissions: bool = False   # the annotator's items: drafts, submissions, improvements
    reviews: bool = False       # their reviews of peers' edits
    tasks: bool = False         # the task lists (an import, what a sync or a bundle brought)
    sync_state: bool = False    # what waits to be sent, conflicts, items the server refused
    profile: bool = False
    leaderboards: bool = False  # points and boards (a sync may bring new ones)
    translations: bool = False  # suggested translations of the interface, votes, catalogs
    item: Submission | None = None  # the one item changed, when exactly one was


def item_changed(submission: Submission) -> Changes:
    return Changes(submissions=True, item=submission)


def pulled(count: int) -> Changes:
    """What a sync or an answer bundle changed, ``count`` records having come down."""
    return Changes(sync_state=True, leaderboards=True, tasks=count > 0,
                   submissions=count > 0, reviews=count > 0, translations=count > 0)


def _ignore(_changes: Changes, _initiator: object) -> None:
    pass


@dataclass
class Context:
    """What a screen or a dialog needs of the window: the UI thread's read-only store, the
    task runner, the settings, and where changes are announced (the window's
    ``changes_made``; nowhere for a screen built alone, in a test)."""

    reader: Store
    tasks: TaskRunner | None
    settings: QSettings | None
    announce: Callable[[Changes, object], None] = _ignore

    @property
    def writer(self) -> Lane:
        return self.tasks.writer

    @property
    def background(self) -> Lane:
        """The reader lane: checks, diffs and figures off the typing path."""
        return self.tasks.reader

    @property
    def data_dir(self) -> Path:
        return self.reader.path.parent


# --- the plumbing every action shares ----------------------------------------------------------


def _run(parent, lane: Lane, job: Callable[..., Any], *, changes: Changes | Callable[[Any],
         Changes], on_done: Done, on_error: Failed, failure: str | None = None) -> None:
    """``job`` on ``lane``; then ``on_done`` and the announcement of ``changes`` (a value, or
    a function of the result), or the failure (``failure`` is its sentence, with {reason})."""
    context = parent.context

    def done(result) -> None:
        if on_done is not None:
            on_done(result)
        context.announce(changes(result) if callable(changes) else changes, parent)

    def failed(error: BaseException) -> None:
        show_error(parent=parent, error=error, template=failure)

    lane.run(job, on_done=done, on_error=on_error or failed)


def _write(parent, job: Callable[[Store], Any], **how) -> None:
    _run(parent, parent.context.tasks.writer, job, **how)


# --- items: drafts, submissions, ratings, revisions --------------------------------------------


def new_item(*, parent, on_done: Done = None, on_error: Failed = None, **fields) -> None:
    """Start an item (a draft): from scratch, or on a task (``store.new_submission``)."""
    _write(parent, lambda store: store.new_submission(**fields), changes=item_changed,
           on_done=on_done, on_error=on_error)


def save_draft(*, parent, fields: dict, on_done: Done = None, on_error: Failed = None) -> None:
    """Save the text of a draft (``store.save_draft(**fields)``); ``on_done`` gets the
    :class:`app.store.Saved`."""

    def changes(saved: Saved) -> Changes:
        return item_changed(saved.submission)

    _write(parent, lambda store: store.save_draft(**fields), changes=changes,
           on_done=on_done, on_error=on_error, failure=_("Not saved: {reason}"))


def submit_draft(*, parent, submission_id: str, on_done: Done = None,
                 on_error: Failed = None) -> None:
    _write(parent, lambda store: store.submit(submission_id), changes=item_changed,
           on_done=on_done, on_error=on_error, failure=_("Not submitted: {reason}"))


def rate(*, parent, submission_id: str, field: str, value: int | None, on_done: Done = None,
         on_error: Failed = None) -> None:
    """Thumbs up (1), down (-1) or neither (None) for an item's original prompt or
    completion."""
    _write(parent, lambda store: store.rate(submission_id, field=field, value=value),
           changes=item_changed, on_done=on_done, on_error=on_error,
           failure=_("Not saved: {reason}"))


def save_targets(*, parent, edits: list[tuple], on_done: Done = None,
                 on_error: Failed = None) -> None:
    """Set several post-edits' translations at once (find and replace, its undo):
    ``store.save_targets``; ``on_done`` gets the items that changed."""
    _write(parent, lambda store: store.save_targets(edits), changes=Changes(submissions=True),
           on_done=on_done, on_error=on_error, failure=_("Not saved: {reason}"))


def dismiss_check(*, parent, submission_id: str, key: str, on_done: Done = None,
                  on_error: Failed = None) -> None:
    """Hide a QA check (:mod:`app.qa`) for this item; kept with it, synced with it."""
    _write(parent, lambda store: store.dismiss_check(submission_id, key), changes=item_changed,
           on_done=on_done, on_error=on_error, failure=_("Not saved: {reason}"))


def restore_revision(*, parent, submission_id: str, number: int, on_done: Done = None,
                     on_error: Failed = None) -> None:
    """Make revision ``number`` the newest (history is never rewritten)."""
    _write(parent, lambda store: store.restore_revision(submission_id, number),
           changes=item_changed, on_done=on_done, on_error=on_error)


# --- feedback on an item --------------------------------------------------------------------


def mark_feedback_read(*, parent, submission_id: str, on_done: Done = None,
                       on_error: Failed = None) -> None:
    """The item's feedback was shown: My work stops marking it as new."""
    _write(parent, lambda store: store.mark_feedback_read(submission_id),
           changes=Changes(), on_done=on_done, on_error=on_error)


def reply_to_feedback(*, parent, comment_id: str, body: str, on_done: Done = None,
                      on_error: Failed = None) -> None:
    """The annotator's one reply to a comment (sent at the next sync); ``on_done`` gets the
    stored :class:`app.store.Comment`."""
    _write(parent, lambda store: store.reply(comment_id, body),
           changes=Changes(sync_state=True), on_done=on_done, on_error=on_error,
           failure=_("Not sent: {reason}"))


def revise(*, parent, submission_id: str, on_done: Done = None,
           on_error: Failed = None) -> None:
    """Reopen a rejected item that was given feedback as a draft, to be revised and
    submitted again (``store.reopen``); ``on_done`` gets the draft."""
    _write(parent, lambda store: store.reopen(submission_id), changes=item_changed,
           on_done=on_done, on_error=on_error)


# --- reviews ----------------------------------------------------------------------------------


def _review_of(store: Store, task_id: str) -> Review:
    return store.review_for_task(task_id) or store.save_review(task_id)


def save_review(*, parent, task_id: str, values: dict, on_done: Done = None,
                on_error: Failed = None) -> None:
    """Keep the scores, reason and flag of a review draft (``store.save_review``)."""
    _write(parent, lambda store: store.save_review(task_id, **values),
           changes=Changes(reviews=True), on_done=on_done, on_error=on_error,
           failure=_("Not saved: {reason}"))


def start_improvement(*, parent, task_id: str, on_done: Done = None,
                      on_error: Failed = None) -> None:
    """Open the reviewer's own further improvement of the edit under review (a new item
    linked to the edit and to the review); ``on_done`` gets the improvement."""
    _write(parent, lambda store: store.start_improvement(_review_of(store, task_id).id),
           changes=lambda improvement: Changes(reviews=True, submissions=True,
                                               item=improvement),
           on_done=on_done, on_error=on_error)


def submit_review(*, parent, task_id: str, on_done: Done = None,
                  on_error: Failed = None) -> None:
    """Submit the review of ``task_id`` (and its improvement, if any); ``on_done`` gets the
    :class:`app.store.Review`."""

    def job(store: Store) -> tuple[Review, Submission | None]:
        review = store.submit_review(_review_of(store, task_id).id)
        improvement = store.submission(review.improvement_id) if review.improvement_id \
            else None
        return review, improvement

    def changes(result) -> Changes:
        _review, improvement = result
        return Changes(reviews=True, submissions=improvement is not None, item=improvement)

    _write(parent, job, changes=changes,
           on_done=None if on_done is None else lambda result: on_done(result[0]),
           on_error=on_error, failure=_("Not submitted: {reason}"))


# --- translations of the interface (issue 16) --------------------------------------------------


def suggest_translation(*, parent, fields: dict, on_done: Done = None,
                        on_error: Failed = None) -> None:
    """Save my translation of a message (``app.ui_translations.suggest(**fields)``); refused
    with :class:`app.ui_translations.TranslationRefused` before anything is written."""
    _write(parent, lambda store: ui_translations.suggest(store, **fields),
           changes=Changes(translations=True, sync_state=True), on_done=on_done,
           on_error=on_error, failure=_("Not saved: {reason}"))


def vote_translation(*, parent, translation_id: str, verdict: str, reason: str = "",
                     on_done: Done = None, on_error: Failed = None) -> None:
    """Accept or reject (with a reason) a peer's suggested translation."""
    _write(parent, lambda store: ui_translations.vote(store, translation_id, verdict,
                                                      reason=reason),
           changes=Changes(translations=True, sync_state=True), on_done=on_done,
           on_error=on_error, failure=_("Not saved: {reason}"))


# --- the person, the tasks, the sync ------------------------------------------------------


def save_profile(*, parent, profile: app_profile.Profile, on_done: Done = None,
                 on_error: Failed = None) -> None:
    """Keep the annotator's profile (durable when ``on_done`` runs; sent at the next
    sync)."""
    _write(parent, lambda store: app_profile.save(store, profile),
           changes=Changes(profile=True), on_done=on_done, on_error=on_error)


def resolve_conflict(*, parent, conflict_id: str, keep: str, on_done: Done = None,
                     on_error: Failed = None) -> None:
    """Keep ``"local"`` (sent again) or the ``"server"``'s version of a conflicting item."""
    _write(parent, lambda store: syncstate.resolve_conflict(store, conflict_id, keep),
           changes=Changes(sync_state=True, submissions=True), on_done=on_done,
           on_error=on_error)


def import_tasks(*, parent, path: Path, project: str | None = None,
                 progress: Callable[[int, int], None] | None = None,
                 storing: Callable[[int], None] | None = None, on_done: Done = None,
                 on_error: Failed = None) -> None:
    """Read and check a coordinator's task file on the io lane (``progress(lines, total)``
    as it goes), then store every task in one transaction on the writer
    (``storing(count)`` first). ``on_done`` gets (tasks added, tasks in the file); a bad
    file stores nothing (:class:`app.taskfile.TaskFileError` names file, line and field)."""
    tasks = parent.context.tasks
    report = tasks.to_ui(progress) if progress is not None else None

    def job() -> tuple[int, int]:
        from app.taskfile import read_task_file  # pydantic's record models: not at start

        rows = read_task_file(Path(path), project=project, progress=report)
        if storing is not None:
            tasks.deliver(storing, len(rows))
        return tasks.writer.call(lambda store: store.add_tasks(rows)), len(rows)

    _run(parent, tasks.io, job, changes=Changes(tasks=True), on_done=on_done,
         on_error=on_error)


def export_bundle(*, parent, path: Path, on_done: Done = None,
                  on_error: Failed = None) -> None:
    """Write the pending work to an offline bundle (a USB stick can be slow: the io lane;
    the store work goes through the writer). ``on_done`` gets the number of items."""
    from sync import device  # the bundle and protocol modules: not at start

    context = parent.context
    _run(parent, context.tasks.io,
         lambda: device.export_bundle(context.data_dir, Path(path),
                                      run_on_store=context.tasks.writer.call),
         changes=Changes(sync_state=True), on_done=on_done, on_error=on_error)


def import_bundle(*, parent, path: Path, on_done: Done = None,
                  on_error: Failed = None) -> None:
    """Apply the server's answer bundle; ``on_done`` gets its counts (``acknowledged``,
    ``pulled``)."""
    from sync import device

    context = parent.context
    _run(parent, context.tasks.io,
         lambda: device.import_bundle(context.data_dir, Path(path),
                                      run_on_store=context.tasks.writer.call),
         changes=lambda counts: pulled(counts["pulled"]), on_done=on_done,
         on_error=on_error)
