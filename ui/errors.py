"""How a failure reads to the person at the keyboard, and the one place it is shown.

    show_error(parent=screen, error=error, template=_("Not saved: {reason}"))
    status.showMessage(format_message(_("Not saved: {reason}"), reason=error_text(error)))

Qalam's own errors (:class:`app.errors.QalamError`) already say what went wrong and what to
do; anything else is a bug or the system's trouble: the person gets a plain sentence and the
details go to the log, never a Python ``repr``.
"""

from __future__ import annotations

import logging

from app.errors import QalamError
from i18n.bidi import format_message
from i18n.translation import _

log = logging.getLogger(__name__)


def error_text(error: BaseException) -> str:
    if isinstance(error, QalamError):
        return str(error)
    if isinstance(error, OSError) and error.strerror:
        # disk full, permission denied, a stick pulled out: the system's own words help
        where = f" ({error.filename})" if error.filename else ""
        return f"{error.strerror}{where}"
    log.error("unexpected error shown to the user", exc_info=error)
    return _("Something unexpected went wrong; the details are in Qalam's log.")


def show_error(*, parent, error: BaseException, template: str | None = None) -> str:
    """Show ``error`` where ``parent`` (a screen, a dialog, an editor) shows failures: its
    ``tell(text)``, else a message box. ``template`` wraps the reason ("Not saved:
    {reason}"). Returns the text shown."""
    text = error_text(error)
    if template is not None:
        text = format_message(template, reason=text)
    tell = getattr(parent, "tell", None)
    if tell is not None:
        tell(text)
    else:
        from PySide6.QtWidgets import QMessageBox

        QMessageBox.warning(parent, _("Qalam"), text)
    return text
