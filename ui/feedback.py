"""The feedback beside an item in My work: the thread (a coordinator's comments, reviewers'
reasons, the annotator's replies), one reply per comment, and "Revise" for a rejected item
that was given feedback.

    panel = FeedbackPanel(context)
    panel.show_item(submission)            # hidden when the item has no feedback
    panel.revise_requested.connect(...)    # the item, reopened as a draft

Each comment is drawn in its own direction (a coordinator may write in English about an Urdu
item): the first strong character decides, as the Unicode bidi algorithm's paragraph level
does.
"""

from __future__ import annotations

import html
import unicodedata

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.store import Comment, Submission
from i18n import languages
from i18n.bidi import format_message
from i18n.translation import _
from ui import operations
from ui.content_edit import ContentEdit
from ui.operations import Context


def is_rtl(text: str) -> bool:
    """The paragraph direction of ``text`` by its first strong character (rule P2)."""
    for ch in text:
        kind = unicodedata.bidirectional(ch)
        if kind in ("R", "AL"):
            return True
        if kind == "L":
            return False
    return False


def _read(comment: Comment) -> Comment:
    from dataclasses import replace

    return replace(comment, read_at="seen")


def who(comment: Comment) -> str:
    if comment.kind == "reply":
        return _("You")
    if comment.kind == "review":
        return _("A reviewer")
    return comment.author_name or _("Your coordinator")


class FeedbackPanel(QWidget):
    revise_requested = Signal(object)  # Submission, reopened as a draft
    changed = Signal(object)           # Submission whose feedback changed (read, replied)

    def __init__(self, context: Context, parent: QWidget | None = None):
        super().__init__(parent, objectName="feedbackPanel")
        self.context = context
        self.item: Submission | None = None
        self.thread: list[Comment] = []
        heading = QLabel(_("Feedback"))
        heading.setStyleSheet("font-weight: bold;")
        self.view = QTextBrowser(objectName="feedbackThread")
        self.view.setAccessibleName(_("Feedback on this item"))
        self.view.setOpenLinks(False)
        self.reply_label = QLabel(wordWrap=True)
        self.reply_box = ContentEdit(accessible_name=_("Your reply"))
        self.reply_box.setObjectName("feedbackReply")
        self.reply_box.setMaximumHeight(72)
        self.reply_label.setBuddy(self.reply_box)
        self.send = QPushButton(_("Sen&d reply"), objectName="feedbackSend")
        self.send.setAccessibleName(_("Send reply"))
        self.send.clicked.connect(self.send_reply)
        self.revise = QPushButton(_("Revis&e and resubmit"), objectName="feedbackRevise")
        self.revise.setAccessibleName(_("Revise and resubmit"))
        self.revise.setToolTip(_("Reopen this rejected item as a draft; once you submit it "
                                 "again, it goes back to review."))
        self.revise.clicked.connect(self.revise_item)
        self.note = QLabel(wordWrap=True, objectName="feedbackNote")
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.send)
        buttons.addWidget(self.revise)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(heading)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.reply_label)
        layout.addWidget(self.reply_box)
        layout.addWidget(self.note)
        layout.addLayout(buttons)
        self.setVisible(False)

    # --- what is shown -------------------------------------------------------------------

    def show_item(self, submission: Submission | None, *, seen: bool = True) -> None:
        """Show the item's thread (hidden without one); ``seen``: the annotator chose the
        item, so its feedback is no longer new."""
        self.item = submission
        self.thread = self.context.reader.feedback(submission.id) if submission else []
        self.setVisible(bool(self.thread))
        if not self.thread:
            return
        self.reply_box.set_language(languages.get(submission.language))
        self._draw()
        if seen:
            self.mark_seen()

    def mark_seen(self) -> None:
        """The annotator looked at this thread: its comments are no longer new."""
        item = self.item
        if item is None or not any(c.read_at is None for c in self.thread if c.opens_thread):
            return
        self.thread = [c if c.read_at else _read(c) for c in self.thread]
        operations.mark_feedback_read(parent=self, submission_id=item.id,
                                      on_done=lambda _count: self.changed.emit(item))

    def _draw(self) -> None:
        blocks = []
        ui_dir = "rtl" if self.layoutDirection() == Qt.RightToLeft else "ltr"
        for comment in self.thread:
            rtl = is_rtl(comment.body)
            body = html.escape(comment.body).replace("\n", "<br>")
            indent = "margin-inline-start: 24px;" if comment.kind == "reply" else ""
            when = comment.created_at[:16].replace("T", " ")
            heading = format_message("{who} · {when}", who=who(comment), when=when)
            blocks.append(
                f'<p dir="{ui_dir}" style="margin-bottom: 2px; color: #555; {indent}">'
                f"<b>{html.escape(heading)}</b></p>"
                f'<p dir="{"rtl" if rtl else "ltr"}" align="{"right" if rtl else "left"}" '
                f'style="margin-top: 0; {indent}">{body}</p>')
        self.view.setHtml("".join(blocks))
        target = self.reply_target()
        self.reply_box.setVisible(target is not None)
        self.send.setVisible(target is not None)
        self.reply_label.setVisible(target is not None)
        if target is not None:
            self.reply_label.setText(format_message(
                _("Your re&ply to {who} (one reply per comment):"), who=who(target)))
        revisable = self.item is not None and self.item.state == "rejected"
        self.revise.setVisible(revisable)
        self.note.setStyleSheet("")
        self.note.setText(_("This item was rejected; you may revise it and submit it again.")
                          if revisable else "")

    def reply_target(self) -> Comment | None:
        """The oldest comment the annotator has not answered yet."""
        answered = {c.reply_to for c in self.thread if c.reply_to}
        return next((c for c in self.thread if c.opens_thread and c.id not in answered), None)

    # --- what the annotator does -----------------------------------------------------------

    def send_reply(self) -> None:
        target = self.reply_target()
        if target is None or self.item is None:
            return
        item = self.item

        def sent(_comment: Comment) -> None:
            self.reply_box.clear()
            self.show_item(self.context.reader.submission(item.id))
            self.note.setText(_("Reply saved; it is sent at the next sync."))
            self.changed.emit(item)

        operations.reply_to_feedback(parent=self, comment_id=target.id,
                                     body=self.reply_box.toPlainText(), on_done=sent)

    def revise_item(self) -> None:
        if self.item is None:
            return
        operations.revise(parent=self, submission_id=self.item.id,
                          on_done=self.revise_requested.emit)

    def tell(self, text: str) -> None:
        self.note.setText(text)
        self.note.setStyleSheet("color: #b00020;")
