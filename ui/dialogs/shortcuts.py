"""The shortcuts sheet (F1, Ctrl+/): every action of the window with its keys."""

from __future__ import annotations

from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from i18n.translation import N_, _
from ui import fitting

EXTRA = (
    ("Tab / Shift+Tab", N_("Move between fields")),
    ("Ctrl+Z / Ctrl+Shift+Z", N_("Undo / redo in any editor")),
    ("Arrow keys", N_("Review: change a score; lists: move")),
    # The Post-edit screen's own keys (ui/screens/postedit.py)
    ("Ctrl+R", N_("Post-edit: use the chosen memory match")),
    ("Ctrl+G", N_("Post-edit: insert a glossary term")),
    ("Ctrl+D", N_("Post-edit: dismiss a QA check for this segment")),
    ("Ctrl+Shift+F", N_("Post-edit: search the translation memory")),
    ("Ctrl+H", N_("Post-edit: find and replace in translations")),
    ("Ctrl+Alt+Z", N_("Post-edit: undo the last replace")),
    # The Translate screen's own (ui/screens/translate.py)
    ("F8", N_("Translate Qalam: the next untranslated message")),
    ("Ctrl+F", N_("Translate Qalam: search the messages")),
)


class ShortcutsDialog(QDialog):
    def __init__(self, actions, parent=None):
        super().__init__(parent)
        self.setWindowTitle(_("Keyboard shortcuts"))
        self.setObjectName("shortcutsSheet")
        rows = []
        for action in actions:
            keys = ", ".join(
                seq.toString(QKeySequence.NativeText) for seq in action.shortcuts()
            )
            if keys:
                rows.append((keys, action.text().replace("&", "")))
        rows += [(keys, _(text)) for keys, text in EXTRA]
        from ui.screens.review import score_key  # the keys its labels give in this language

        rows.append((f"{score_key('inputs')} / {score_key('targets')} → 1–5",
                     _("Review: score the prompt / completion")))
        table = QTableWidget(len(rows), 2, self)
        table.setAccessibleName(_("Keyboard shortcuts"))
        table.setHorizontalHeaderLabels([_("Keys"), _("Action")])
        table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        table.verticalHeader().hide()
        for row, (keys, text) in enumerate(rows):
            table.setItem(row, 0, QTableWidgetItem(keys))
            table.setItem(row, 1, QTableWidgetItem(text))
        table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeToContents)
        table.horizontalHeader().setSectionResizeMode(1, QHeaderView.Stretch)
        self.table = table
        buttons = QDialogButtonBox(QDialogButtonBox.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(table)
        layout.addWidget(buttons)
        self.resize(560, 560)
        fitting.fit_dialog(self)  # the table scrolls on a small screen
