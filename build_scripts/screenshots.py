"""Screenshots of every screen: English UI, Arabic content, under Xvfb.

    make screenshots                       # installs Xvfb if missing, then runs this
    xvfb-run -a -s "-screen 0 1400x900x24" python build_scripts/screenshots.py [OUT_DIR]

Builds a throwaway workspace (the demo project, plus a few peer edits to review and some
finished work so Progress has figures), drives each screen into a typical state, and saves
``<screen>.png`` in ``docs/screenshots/`` (or OUT_DIR). Look at them after every UI change:
nothing clipped, nothing overlapping.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "xcb")

from PySide6.QtCore import QEvent, Qt  # noqa: E402
from PySide6.QtGui import QKeyEvent  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from app import paths  # noqa: E402
from app.demo import seed_demo  # noqa: E402
from app.store import Store  # noqa: E402

SIZE = (1280, 800)
LANGUAGE = "arb_Arab"

REVIEWS = [
    {"id": "shot-review-1", "project": "demo", "kind": "review", "language_code": LANGUAGE,
     "author": "peer-17", "review_of": "peer-sub-1",
     "original_inputs": "سؤال: ما هي عاصمة مصر؟ جواب:",
     "original_targets": "القاهرة",
     "inputs": "ما هي عاصمة مصر، ولماذا اختيرت عاصمةً للبلاد؟",
     "targets": "عاصمة مصر هي القاهرة. اختيرت لموقعها على نهر النيل قرب الدلتا، "
                "فهي تربط شمال البلاد بجنوبها."},
    {"id": "shot-review-2", "project": "demo", "kind": "review", "language_code": LANGUAGE,
     "author": "peer-4", "review_of": "peer-sub-2",
     "original_inputs": "اشرح المثل: الوقت كالسيف",
     "original_targets": "يعني الوقت مهم.",
     "inputs": "اشرح معنى المثل «الوقت كالسيف إن لم تقطعه قطعك».",
     "targets": "يعني المثل أن الوقت ثمين، فإن لم تستغله في عمل نافع ضاع منك."},
]


def seed(data_dir: Path) -> None:
    import json

    with Store.open(paths.database_path(data_dir)) as store:
        seed_demo(store)
        rows = "\n".join(json.dumps(r, ensure_ascii=False) for r in REVIEWS)
        task_file = data_dir / "reviews.jsonl"
        task_file.write_text(rows + "\n", encoding="utf-8")
        from app.taskfile import read_task_file

        store.add_tasks(read_task_file(task_file))
        store.set_user_id("me")
        # Finished work, so My work and Progress have something to show.
        original = store.new_submission(language=LANGUAGE, kind="original",
                                        task_id=f"demo-{LANGUAGE}-original-2")
        store.save_draft(original.id, inputs="ما معنى المثل «الصديق وقت الضيق»؟",
                         targets="يعني أن الصديق الحقيقي يظهر عندما تمر بشدة، فيقف معك "
                                 "ويساعدك.")
        store.submit(original.id)
        for n in (2, 3):
            task = store.task(f"demo-{LANGUAGE}-reannotation-{n}")
            item = store.new_submission(language=LANGUAGE, kind="reannotation",
                                        task_id=task.id, inputs=task.inputs,
                                        targets=task.targets)
            store.rate(item.id, field="inputs", value=1)
            store.rate(item.id, field="targets", value=-1)
            store.save_draft(item.id, inputs=task.inputs,
                             targets=task.targets + " وهذا شرح أوضح.")
            # an earlier editing session, so history has two revisions to compare
            store.db.execute("UPDATE revisions SET created_at = '2026-01-01T00:00:00.000Z' "
                             "WHERE submission_id = ?", [item.id])
            store.save_draft(item.id, inputs=task.inputs.replace("السؤال:", "").strip(),
                             targets=task.targets + " وهذا شرح أوضح وأكمل للإجابة.")
            store.submit(item.id)
            # a peer's rating of this edit, as sync would bring it
            store.db.execute(
                "INSERT INTO reviews (id, submission_id, rating_inputs, rating_targets, "
                "reason, created_at, updated_at, reviewer, state) "
                "VALUES (?, ?, ?, ?, '', '2026-01-01', '2026-01-01', 'peer-9', 'submitted')",
                [f"received-{n}", item.id, 4, 5 - n % 2],
            )


def save(pixmap, path: Path) -> None:
    """A 256-colour PNG: UI screenshots lose nothing visible and shrink to a third, small
    enough for the README."""
    from PySide6.QtGui import QImage

    image = pixmap.toImage().convertToFormat(QImage.Format_Indexed8, Qt.ThresholdDither)
    image.save(str(path), "PNG", 9)


def key(widget, key_code, modifiers=Qt.NoModifier, text=""):
    for kind in (QEvent.KeyPress, QEvent.KeyRelease):
        QApplication.sendEvent(widget, QKeyEvent(kind, key_code, modifiers, text))


def settle(app, window, rounds: int = 30) -> None:
    import time

    for _ in range(rounds):
        app.processEvents()
        time.sleep(0.01)
    window.writer.flush()
    window.background.wait()
    for _ in range(rounds):
        app.processEvents()
        time.sleep(0.01)


def type_into(widget, text: str) -> None:
    for char in text:
        key(widget, Qt.Key_Space if char == " " else Qt.Key_unknown, text=char)
        QApplication.processEvents()


def main() -> int:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication(sys.argv[:1])
    app.setApplicationName("Qalam")
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp)
        seed(data_dir)
        from ui.application import open_window

        window = open_window(data_dir, ui_language="en")
        window.resize(*SIZE)
        window.show()
        window.set_language(LANGUAGE)
        settle(app, window)
        shots = []

        def shoot(name: str) -> None:
            settle(app, window)
            path = out / f"{name}.png"
            save(window.grab(), path)
            shots.append(path)

        # Write: a topic opened, some text typed, checks shown.
        write = window.screens["write"]
        window.show_screen("write")
        write.open_task(write.tasks.task_at(0))
        settle(app, window)
        write.editor.prompt.setFocus()
        type_into(write.editor.prompt, "كيف أخزن التمر بعد الجني حتى لا يفسد؟")
        write.editor.completion.setFocus()
        type_into(write.editor.completion, "جفف التمر جيدًا في الظل، ثم ضعه في أوعية نظيفة "
                                           "محكمة الإغلاق في مكان بارد وجاف.")
        shoot("write")

        # Improve: rated, edited, diff and distance showing.
        improve = window.screens["improve"]
        window.show_screen("improve")
        improve.open_task(improve.tasks.task_at(0))
        settle(app, window)
        improve.rate("inputs", 1)
        improve.rate("targets", -1)
        settle(app, window)
        edit = improve.completion.edit
        edit.setFocus()
        edit.moveCursor(edit.textCursor().MoveOperation.End)
        type_into(edit, " ويجب أن تكون الإجابة جملة كاملة.")
        shoot("improve")

        # Review: a peer's edit, scored, with a further improvement open.
        review = window.screens["review"]
        window.show_screen("review")
        review.open_task(review.tasks.task_at(0))
        settle(app, window)
        review.scores["inputs"].choose(5)
        review.scores["targets"].choose(4)
        review.reason.setText("الإجابة أوضح، لكن ينقصها مثال.")
        review._save_review()
        review.start_improvement()
        shoot("review")

        # Post-edit: a session under way.
        postedit = window.screens["postedit"]
        window.show_screen("postedit")
        postedit.batch_size.setValue(6)
        postedit.start_session()
        settle(app, window)
        postedit.submit()
        settle(app, window)
        target = postedit.target
        target.setFocus()
        target.moveCursor(target.textCursor().MoveOperation.End)
        type_into(target, " مع الحرص على شرب الماء.")
        shoot("postedit")

        # My work: two revisions compared.
        work = window.screens["work"]
        window.show_screen("work")
        settle(app, window)
        work.kind_filter.setCurrentIndex(work.kind_filter.findData("reannotation"))
        work.apply_filters()
        settle(app, window)
        for row in range(work.model.rowCount()):
            work.list.setCurrentIndex(work.model.index(row))
            if work.revisions.count() >= 2:
                break
        if work.revisions.count() >= 2:
            work.revisions.item(0).setSelected(True)
            work.revisions.item(work.revisions.count() - 1).setSelected(True)
        shoot("mywork")

        window.show_screen("progress")
        shoot("progress")

        window.show_shortcuts()
        settle(app, window)
        dialog = window._shortcuts_dialog
        save(dialog.grab(), out / "shortcuts.png")
        shots.append(out / "shortcuts.png")
        dialog.close()

        window.close()
        window.shutdown()
    for path in shots:
        print(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}: "
              f"{path.stat().st_size // 1024} KB")
    return 0


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    # Skip interpreter teardown: PySide6 can crash while collecting widgets at exit, after
    # every file is written.
    os._exit(code)
