"""Small things a person meets at once: a screen's message stays with its screen, and the
Improve screen's instructions name the boxes they mean, not a side."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QLabel

from app import paths
from app.store import Store

TASKS = [
    {"id": "re-urd", "project_id": None, "kind": "reannotation", "language": "urd_Arab",
     "origin": "templated", "inputs": "پاکستان کا دارالحکومت؟", "targets": "اسلام آباد"},
    {"id": "pe-urd", "project_id": None, "kind": "postedit", "language": "urd_Arab",
     "source_text": "Boil water.", "mt_text": "پانی ابالیں۔"},
]


@pytest.fixture
def data_dir(tmp_path):
    with Store.open(paths.database_path(tmp_path)) as store:
        store.add_tasks(TASKS)
    return tmp_path


def test_a_screens_status_message_does_not_stay_on_other_screens(qtbot, open_app, data_dir):
    window = open_app(data_dir)
    window.set_language("urd_Arab")
    window.show_screen("postedit")
    postedit = window.screens["postedit"]
    postedit.status_changed.emit("Session finished: 3 of 3 segments confirmed.", False)
    assert window.statusBar().currentMessage().startswith("Session finished")
    window.show_screen("write")
    assert window.statusBar().currentMessage() == ""
    # ...and a message a hidden screen sends later (a save finishing) is not shown either
    postedit.status_changed.emit("Draft — saved", False)
    assert window.statusBar().currentMessage() == ""


@pytest.mark.parametrize("ui", ["en", "ur"])
def test_improve_instructions_name_the_boxes_not_a_side(qtbot, open_app, data_dir, ui):
    window = open_app(data_dir, ui_language=ui)
    window.set_language("urd_Arab")
    window.show_screen("improve")
    screen = window.screens["improve"]
    screen.open_task(screen.tasks.task_at(0))
    qtbot.waitUntil(lambda: screen.submission is not None, timeout=5000)
    screen.rate("inputs", 1)
    screen.rate("targets", 1)
    qtbot.waitUntil(lambda: not screen.prompt.edit.isReadOnly(), timeout=5000)
    hint = screen.hint.text()
    box_label = next(label for label in screen.prompt.findChildren(QLabel)
                     if label.buddy() is screen.prompt.edit)
    assert box_label.text().replace("&", "") in hint
    for side in ("right", "left", "دائیں", "بائیں"):
        assert side not in hint, hint
