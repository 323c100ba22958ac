"""The app under the crash test: the real main window, typed into with real key events.

    python -m tests.crash_child DATA_DIR SEED

Prints one JSON line per event on stdout: ``opened`` (what the editor shows after start),
``ready``, and ``saved`` each time the editor reports a durable save (the text the store
returned). The parent kills it with SIGKILL at a random moment.
"""

import json
import os
import random
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication

from ui.application import open_window

TEXTS = {
    "urd_Arab": "بارش کے موسم میں چاول کی فصل کو پانی کم دیں۔ ",
    "hin_Deva": "बरसात में धान के खेत में पानी रुकना नहीं चाहिए। ",
    "amh_Ethi": "ንጹህ ውሃ ለጤና በጣም አስፈላጊ ነው። ",
    "yor_Latn": "Ọmọ tí a kò kọ́ ni yóò gbé ilé tí a kọ́ tà. ",
    "tha_Thai": "น้ำสะอาดช่วยลดโรคภัยไข้เจ็บ ",
    "fra_Latn": "Le mil pousse bien quand la pluie arrive tôt. ",
}


def emit(event: str, **fields) -> None:
    print(json.dumps({"event": event, **fields}, ensure_ascii=False), flush=True)


def main() -> None:
    data_dir, seed = Path(sys.argv[1]), int(sys.argv[2])
    rng = random.Random(seed)
    app = QApplication(sys.argv[:1])
    window = open_window(data_dir)
    window.show()
    editor = window.editor
    shown = editor.submission
    emit("opened", id=shown.id if shown else None, inputs=editor.prompt.text(),
         targets=editor.completion.text())
    editor.saved.connect(
        lambda s: emit("saved", id=s.id, inputs=s.inputs, targets=s.targets)
    )
    state = {"text": "", "left": 0}

    def key(widget, key_code, char="", modifiers=Qt.NoModifier):
        for kind in (QEvent.KeyPress, QEvent.KeyRelease):
            app.sendEvent(widget, QKeyEvent(kind, key_code, modifiers, char))

    def tick():
        if editor.submission is None or state["left"] <= 0:
            language = rng.choice(list(TEXTS))
            window.set_language(language)
            key(window, Qt.Key_N, "", Qt.ControlModifier)  # Ctrl+N: a new item
            state["text"], state["left"] = TEXTS[language] * 3, rng.randint(20, 120)
            return
        if not (editor.prompt.hasFocus() or editor.completion.hasFocus()):
            return  # the new item is still being created
        if rng.random() < 0.03:
            key(app.focusWidget(), Qt.Key_Tab)  # move between prompt and completion
        widget = app.focusWidget()
        if widget in (editor.prompt, editor.completion):
            widget.moveCursor(widget.textCursor().MoveOperation.End)
            char = state["text"][0]
            state["text"] = state["text"][1:] or state["text"]
            key(widget, Qt.Key_Space if char == " " else Qt.Key_unknown, char)
            state["left"] -= 1

    timer = QTimer(interval=rng.choice([3, 8, 15]), timeout=tick)
    timer.start()
    emit("ready")
    app.exec()


if __name__ == "__main__":
    main()
