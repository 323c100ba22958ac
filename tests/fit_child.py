"""Measure the main window, each screen and every dialog against the screen Qt is given.

    QT_QPA_PLATFORM=offscreen:configfile=screen.json QT_SCALE_FACTOR=1.25 \\
        python tests/fit_child.py DATA_DIR ur

Run by tests/test_fit.py in a process of its own: the screen size (Qt's offscreen platform
reads it from the JSON file) and the scale factor are fixed when the QApplication starts.
Prints one JSON object: the available geometry and, for the window on each screen and for
each dialog, its frame and the status bar, in Qt's (device-independent) pixels.
"""

from __future__ import annotations

import itertools
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QRect  # noqa: E402
from PySide6.QtWidgets import QApplication, QScrollArea  # noqa: E402

CONTENT = {"ur": "urd_Arab", "hi": "hin_Deva", "am": "amh_Ethi", "my": "mya_Mymr",
           "ar": "arb_Arab", "en": "eng_Latn"}
TEXT = {
    "urd_Arab": ("پاکستان کا دارالحکومت کون سا شہر ہے اور وہ کب بسایا گیا؟", "اسلام آباد"),
    "hin_Deva": ("भारत की राजधानी कौन-सा शहर है और वह कब बनी?", "नई दिल्ली"),
    "amh_Ethi": ("የኢትዮጵያ ዋና ከተማ የትኛው ከተማ ነው? መቼስ ተመሠረተ?", "አዲስ አበባ"),
    "mya_Mymr": ("မြန်မာနိုင်ငံ၏ မြို့တော်မှာ မည်သည့်မြို့ ဖြစ်သနည်း။", "နေပြည်တော်"),
    "arb_Arab": ("ما هي عاصمة مصر ومتى أصبحت عاصمة؟", "القاهرة"),
    "eng_Latn": ("What is the capital of Kenya, and when did it become one?", "Nairobi"),
}


def rect(r: QRect) -> list[int]:
    return [r.x(), r.y(), r.width(), r.height()]


def settle(app, seconds: float = 0.05) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.005)


def seed(data_dir: Path, language: str) -> None:
    from app import paths
    from app.demo import seed_demo
    from app.store import Store

    prompt, completion = TEXT[language]
    with Store.open(paths.database_path(data_dir)) as store:
        seed_demo(store)
        store.set_user_id("me")
        store.add_tasks([
            {"id": "fit-original", "project_id": None, "kind": "original",
             "language": language, "instructions": prompt},
            {"id": "fit-re", "project_id": None, "kind": "reannotation", "language": language,
             "origin": "templated", "inputs": prompt, "targets": completion},
            {"id": "fit-pe", "project_id": None, "kind": "postedit", "language": language,
             "source_text": "Boil drinking water for one minute.", "mt_text": completion},
            {"id": "fit-review", "project_id": None, "kind": "review", "language": language,
             "author": "peer-1", "review_of": "peer-sub-1", "original_inputs": prompt,
             "original_targets": completion, "inputs": prompt,
             "targets": completion + " " + completion},
        ])


def status_bar(window) -> list[int]:
    bar = window.statusBar()
    return rect(QRect(bar.mapToGlobal(bar.rect().topLeft()), bar.size())) \
        if bar.isVisible() else []


def overlaps(panel) -> list[str]:
    """Parts of an Improve field panel drawn over each other (a panel squeezed below its
    minimum): the rating row, the boxes, the diff, the findings, top to bottom."""
    parts = [("rating", panel.rating), ("original", panel.original), ("edit", panel.edit),
             ("diff", panel.diff), ("findings", panel.findings)]
    shown = [(name, widget.geometry()) for name, widget in parts if widget.isVisible()]
    found = []
    for (upper, a), (lower, b) in itertools.pairwise(shown):
        if upper == "original" and lower == "edit":
            continue  # side by side
        if a.bottom() >= b.top():
            found.append(f"{upper} over {lower}")
    return found


def form_overlaps(widget) -> list[str]:
    """Form rows whose label is drawn over its value, or whose value is cut (narrower than
    its text), and labels wider than their form (their text cut at its edge)."""
    from PySide6.QtWidgets import QFormLayout, QLabel

    found = []
    for form in widget.findChildren(QFormLayout):
        for index in range(form.count()):
            label = form.itemAt(index).widget()
            if isinstance(label, QLabel) and label.isVisible() and (
                    label.geometry().right() > form.geometry().right()
                    or label.geometry().left() < form.geometry().left()):
                found.append(label.text())
        for row in range(form.rowCount()):
            label = form.itemAt(row, QFormLayout.LabelRole)
            field = form.itemAt(row, QFormLayout.FieldRole)
            if not (label and field and label.widget() and label.widget().isVisible()):
                continue
            value = field.widget()
            if label.geometry().intersects(field.geometry()) or (
                    value is not None and value.width() < value.minimumSizeHint().width()):
                found.append(label.widget().text())
    return found


def measure_dialog(app, dialog, wait: float = 0.05) -> dict:
    dialog.show()
    settle(app, wait)
    minimum = dialog.minimumSizeHint().expandedTo(dialog.minimumSize())
    found = {"frame": rect(dialog.frameGeometry()),
             "minimum": [minimum.width(), minimum.height()]}
    dialog.close()
    return found


def main() -> None:
    data_dir, ui = Path(sys.argv[1]), sys.argv[2]
    app = QApplication(sys.argv[:1])
    from ui.fonts import register_bundled_fonts

    register_bundled_fonts()
    language = CONTENT[ui]
    seed(data_dir, language)
    from ui.application import open_window

    window = open_window(data_dir, ui_language=ui)
    window.set_language(language)
    window.show()
    settle(app, 0.3)
    out = {"available": rect(app.primaryScreen().availableGeometry()),
           "maximized": window.isMaximized(), "screens": {}, "dialogs": {}}
    for name in ("write", "improve", "review", "postedit", "work", "progress"):
        window.show_screen(name)
        screen = window.screens[name]
        if name in ("improve", "review", "postedit") and screen.tasks.task_at(0) is not None:
            screen.open_task(screen.tasks.task_at(0))  # the item's fields, in its script
        elif name == "write":
            screen.open_task(screen.tasks.task_at(0))
        window.writer.flush()
        settle(app, 0.2)
        # The longest thing a screen's status line says: it wraps, the screen does not
        # grow wider than the window (a Burmese "Choose a segment" once did).
        from i18n.translation import _

        screen.tell(_("Not saved: the disk is full. Free some space; what you typed stays "
                      "here and is saved by itself as soon as there is room."))
        settle(app, 0.1)
        page = window.stack.currentWidget()
        out["screens"][name] = {
            "frame": rect(window.frameGeometry()), "status": status_bar(window),
            "scrolls": page.verticalScrollBar().isVisible(),
            "scrolls_sideways": page.horizontalScrollBar().isVisible() or any(
                area.horizontalScrollBar().isVisible() and area.isVisible()
                for area in screen.findChildren(QScrollArea)),
        }
        if name == "progress":
            deadline = time.monotonic() + 10
            while screen.report is None and time.monotonic() < deadline:
                settle(app)  # the figures, counted on the background reader
            settle(app, 0.2)
            out["progress_overlaps"] = form_overlaps(screen)
        if name == "improve":
            screen.rate("inputs", 1)  # rated: the findings show under the boxes
            screen.rate("targets", 1)
            window.writer.flush()
            settle(app, 0.3)
            out["improve_overlaps"] = overlaps(screen.prompt) + overlaps(screen.completion)
            # Two short lines in the prompt's box: shown whole, no scroll bar.
            edit = screen.prompt.edit
            edit.set_text("\n".join([TEXT[language][1]] * 2))
            settle(app, 0.1)
            bar = edit.verticalScrollBar()
            out["improve_box"] = {"height": edit.height(), "min": edit.minimumHeight(),
                                  "scrolls": bar.isVisible() and bar.maximum() > 0,
                                  "line": edit.fontMetrics().lineSpacing()}
    out["guidelines_shown"] = window.guidelines.isVisible()
    dialogs = out["dialogs"]
    from app.profile import Profile
    from ui.dialogs.about import about_dialog
    from ui.dialogs.first_run import FirstRunDialog
    from ui.dialogs.profile import ProfileDialog
    from ui.dialogs.settings import SettingsDialog

    dialogs["first_run"] = measure_dialog(app, FirstRunDialog(ui))
    dialogs["settings"] = measure_dialog(app, SettingsDialog(ui, None, window))
    dialogs["profile"] = measure_dialog(app, ProfileDialog(Profile(), [language],
                                                           window.context, window))
    window.show_sync_panel()
    dialogs["sync"] = measure_dialog(app, window._sync_panel)
    window.show_shortcuts()
    dialogs["shortcuts"] = measure_dialog(app, window._shortcuts_dialog)
    dialogs["about"] = measure_dialog(app, about_dialog(data_dir, window))
    bad = data_dir / "tasks.jsonl"
    first = json.dumps({"id": "x", "kind": "original", "language": language})
    bad.write_text(first + '\n{"id": 3}\n', encoding="utf-8")  # line 2 is not a task
    window.import_tasks(bad)
    progress = window._import_dialog
    if progress is not None:
        dialogs["import_progress"] = measure_dialog(app, progress, wait=0)  # closes soon
    deadline = time.monotonic() + 20
    while getattr(window, "_import_error", None) is None and time.monotonic() < deadline:
        settle(app)
    dialogs["import_error"] = measure_dialog(app, window._import_error)
    print(json.dumps(out), flush=True)
    window.close()
    window.shutdown()


if __name__ == "__main__":
    main()
    sys.stdout.flush()
    os._exit(0)  # skip teardown: PySide6 may crash collecting widgets at exit
