"""The About box: which build this is, where the data is, and the licences of what ships.

    from ui.dialogs.about import show_about
    show_about(parent=window, data_dir=data_dir)     # e.g. from a Help > About action

A dialog of its own rather than ``QMessageBox.about``, whose height follows its text: in a
tall script on a netbook at 125% (480 pixels) that ran off the screen. Here the text scrolls
and the dialog fits the screen (ui/fitting.py).
"""

from __future__ import annotations

import html
from pathlib import Path

from app import buildinfo, paths
from i18n.bidi import format_message
from i18n.translation import _
from ui.fonts import BUNDLED_SCRIPTS

__all__ = ["about_dialog", "about_html", "show_about"]


FONTS_LICENCE = "SIL Open Font License 1.1"
MODEL_LICENCE = "CC BY-SA 3.0"
QT_LICENCE = "LGPL v3"


def about_html(data_dir: Path) -> str:
    """The About box's rich text (every value escaped)."""
    from PySide6 import __version__ as pyside_version
    from PySide6.QtCore import qVersion
    from PySide6.QtGui import QGuiApplication

    portable = paths.portable_data_dir(paths.frozen_app_dir())
    # A path reads left to right whatever the interface's direction (LRI ... PDI).
    where = "\u2066" + html.escape(str(data_dir)) + "\u2069"
    if portable is not None and Path(data_dir).resolve() == portable.resolve():
        where += " " + html.escape(_("(portable: kept beside the program)"))
    if buildinfo.REVISION is None:
        build = _("Development build (run from the source code)")
    else:
        build = format_message(_("Build {revision}, {date}, {platform}"),
                               revision=buildinfo.REVISION, date=buildinfo.BUILD_DATE,
                               platform=buildinfo.PLATFORM)
    your_data, included = _("Your data"), _("Included with Qalam")
    lines = [
        f"<h3>Qalam {html.escape(buildinfo.VERSION)}</h3>",
        f"<p>{html.escape(build)}</p>",
        "<p>" + html.escape(_("Write, improve and review multilingual prompt/completion "
                              "data, offline.")) + "</p>",
        f"<p><b>{html.escape(your_data)}</b><br>{where}</p>",
        f"<p><b>{html.escape(included)}</b><br>",
        html.escape(_("Noto fonts for {count} scripts: {licence}").format(
            count=len(BUNDLED_SCRIPTS), licence=FONTS_LICENCE)) + "<br>",
        html.escape(_("fastText language identification model (lid.176), by Facebook AI "
                      "Research: {licence}").format(licence=MODEL_LICENCE)) + "<br>",
        html.escape(_("Qt {qt} and Qt for Python {pyside}: {licence}").format(
            qt=qVersion(), pyside=pyside_version, licence=QT_LICENCE)) + "<br>",
        html.escape(_("Qalam itself: Apache License 2.0")) + "</p>",
        "<p>" + html.escape(_("The licence texts are in the licenses and resources/fonts "
                              "folders of the installed program.")) + "</p>",
    ]
    # Every paragraph in the interface's direction, even those that start with a Latin name.
    direction = "rtl" if QGuiApplication.isRightToLeft() else "ltr"
    return f'<div dir="{direction}">' + "\n".join(lines) + "</div>"


def about_dialog(data_dir: Path, parent=None):
    """The About dialog: :func:`about_html` in a scrolling text view, and a Close button."""
    from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout

    from ui import fitting

    dialog = QDialog(parent, objectName="aboutDialog")
    dialog.setWindowTitle(_("About Qalam"))
    text = QTextBrowser(objectName="aboutText", openExternalLinks=True)
    text.setAccessibleName(_("About Qalam"))
    text.setHtml(about_html(data_dir))
    buttons = QDialogButtonBox(QDialogButtonBox.Close)
    buttons.rejected.connect(dialog.reject)
    layout = QVBoxLayout(dialog)
    layout.addWidget(text)
    layout.addWidget(buttons)
    document = text.document()
    document.setTextWidth(480)
    dialog.resize(520, int(document.size().height()) + buttons.sizeHint().height() + 60)
    fitting.fit_dialog(dialog)
    return dialog


def show_about(*, parent, data_dir: Path) -> None:
    """Open :func:`about_dialog` (modal, like the message box it replaces)."""
    about_dialog(data_dir, parent).exec()
