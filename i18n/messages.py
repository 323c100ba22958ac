"""What there is to translate: every message of ``i18n/qalam.pot``, with the screen it is shown
on, for the Translate screen (app and UI) and the server's checks and catalogs.

    for entry in template_entries():
        entry.key, entry.msgid, entry.msgid_plural, entry.comments, entry.places
        screen_title(entry.places[0])          # "Write", translated when shown

A message is keyed by ``(context, msgid)``, as gettext keys it. ``places`` are the source
files it comes from (one screen or dialog each, so the accelerators of one place must differ:
:func:`i18n.checks.accelerator_clash`). A project's guideline texts are translated the same
way, keyed by the context ``guideline:<project>:<kind>`` (:func:`guideline_context`).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from i18n.translation import N_

GUIDELINE_PREFIX = "guideline:"

# Where a message is shown, by the file it comes from (most specific first).
_SCREENS: tuple[tuple[str, str], ...] = (
    ("ui/screens/write.py", N_("Write")),
    ("ui/screens/improve.py", N_("Improve")),
    ("ui/screens/review.py", N_("Review")),
    ("ui/screens/postedit.py", N_("Post-edit")),
    ("ui/screens/my_work.py", N_("My work")),
    ("ui/screens/progress.py", N_("Progress")),
    ("ui/screens/translate.py", N_("Translate Qalam")),
    ("ui/screens/", N_("Every screen")),
    ("ui/editor.py", N_("Write")),
    ("ui/main_window.py", N_("Menus and toolbar")),
    ("ui/dialogs/settings.py", N_("Settings")),
    ("ui/dialogs/first_run.py", N_("First start")),
    ("ui/dialogs/sync_panel.py", N_("Sync and connection")),
    ("ui/dialogs/profile.py", N_("My profile")),
    ("ui/dialogs/about.py", N_("About Qalam")),
    ("ui/dialogs/shortcuts.py", N_("Keyboard shortcuts")),
    ("ui/keyboard.py", N_("On-screen keyboard")),
    ("ui/guidelines.py", N_("Guidelines")),
    ("ui/", N_("Every screen")),
    ("i18n/qt_strings.py", N_("Standard buttons and menus")),
    ("sync/server/", N_("Coordinators' dashboard")),
    ("sync/", N_("Sync")),
    ("app/", N_("Messages")),
    (GUIDELINE_PREFIX, N_("Guidelines")),
)


@dataclass(frozen=True)
class Entry:
    context: str | None
    msgid: str
    msgid_plural: str | None = None
    comments: tuple[str, ...] = ()
    places: tuple[str, ...] = ()

    @property
    def key(self) -> tuple[str | None, str]:
        return self.context, self.msgid

    @property
    def is_guideline(self) -> bool:
        return bool(self.context) and self.context.startswith(GUIDELINE_PREFIX)


def screen_title(place: str) -> str:
    """The untranslated title of the screen a source file (or Qt context) is shown on."""
    for prefix, title in _SCREENS:
        if place.startswith(prefix):
            return title
    return N_("Standard buttons and menus") if place[:1].isupper() else N_("Messages")


@functools.cache
def template_entries() -> tuple[Entry, ...]:
    """Every message of the template, in its order (read once per process)."""
    from i18n import catalogs

    entries = []
    for message in catalogs.read_pot():
        if not message.id:
            continue
        plural = isinstance(message.id, tuple)
        places = tuple(sorted({path for path, _line in message.locations}))
        if message.context and not places:
            places = (message.context,)
        entries.append(Entry(message.context, message.id[0] if plural else message.id,
                             message.id[1] if plural else None,
                             tuple(message.auto_comments), places))
    return tuple(entries)


@functools.cache
def template_index() -> dict[tuple[str | None, str], Entry]:
    return {entry.key: entry for entry in template_entries()}


def guideline_context(project_id: str, kind: str) -> str:
    return f"{GUIDELINE_PREFIX}{project_id}:{kind}"


def parse_guideline_context(context: str | None) -> tuple[str, str] | None:
    """``(project_id, kind)`` of a guideline's context, None for an interface message."""
    if not context or not context.startswith(GUIDELINE_PREFIX):
        return None
    project_id, sep, kind = context[len(GUIDELINE_PREFIX):].rpartition(":")
    return (project_id, kind) if sep and project_id and kind else None


def neighbours(entry: Entry) -> list[Entry]:
    """The messages shown on the same screen as ``entry`` (sharing a place)."""
    places = set(entry.places)
    return [other for other in template_entries()
            if other.key != entry.key and places.intersection(other.places)]
