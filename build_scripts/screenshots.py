"""Screenshots of every screen under Xvfb: English UI with Arabic content, or a UI language.

    make screenshots                       # installs Xvfb if missing, then runs this
    make screenshots LANG=ur               # Urdu UI and content (also ar, hi, am, my), at
                                           # 1366x768 and 1024x600 (SCREEN_SIZES=...)
    xvfb-run -a -s "-screen 0 1024x600x24" python build_scripts/screenshots.py [OUT_DIR]
        [--ui LANG] [--size 1024x600]

With ``--ui``, the UI is in that language, the content too, and the shots show the whole
screen as a person at that laptop sees it: a window manager (openbox, started here when it is
installed) frames the window, which opens as the app opens it (its own size, or maximized
where that does not fit), and fontconfig sees only DejaVu Sans — a laptop with no font for
these scripts, where every other glyph must come from the fonts the app bundles and
registers itself. They go to ``docs/screenshots/<LANG>/<SIZE>/`` (not committed: look at
them): the first-start dialog, every screen, and the dialogs (settings, profile, sync,
shortcuts, about).

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

# For ``--ui LANG``: the content language, what is typed on each screen, a review reason, and
# one peer edit to review (original prompt, original completion, edited prompt, edited
# completion).
SAMPLES = {
    "ar": {"content": "arb_Arab"},
    "ur": {"content": "urd_Arab",
           "prompt": "بارش کے بعد گندم کو کیسے محفوظ کریں؟",
           "completion": "گندم کو دھوپ میں اچھی طرح سکھائیں اور صاف، بند برتنوں میں خشک جگہ پر "
                         "رکھیں۔",
           "improve": " جواب مکمل جملے میں ہونا چاہیے۔", "postedit": " اور پانی ابال کر پئیں۔",
           "reason": "جواب بہتر ہے، مگر ایک مثال کی کمی ہے۔",
           "review": ("سوال: پاکستان کا دارالحکومت؟ جواب:", "اسلام آباد",
                      "پاکستان کا دارالحکومت کون سا شہر ہے؟",
                      "پاکستان کا دارالحکومت اسلام آباد ہے، جو ساٹھ کی دہائی میں بسایا گیا۔")},
    "hi": {"content": "hin_Deva",
           "prompt": "बारिश के बाद गेहूँ को कैसे सुरक्षित रखें?",
           "completion": "गेहूँ को धूप में अच्छी तरह सुखाएँ और साफ़, बंद डिब्बों में सूखी जगह पर "
                         "रखें।",
           "improve": " उत्तर पूरे वाक्य में होना चाहिए।", "postedit": " और पानी उबालकर पिएँ।",
           "reason": "उत्तर बेहतर है, पर एक उदाहरण की कमी है।",
           "review": ("प्रश्न: भारत की राजधानी? उत्तर:", "दिल्ली",
                      "भारत की राजधानी कौन-सा शहर है?",
                      "भारत की राजधानी नई दिल्ली है, जिसे 1931 में राजधानी बनाया गया।")},
    "am": {"content": "amh_Ethi",
           "prompt": "ከዝናብ በኋላ ስንዴን እንዴት ማስቀመጥ ይቻላል?",
           "completion": "ስንዴውን በፀሐይ በደንብ አድርቀው በንጹህና በተዘጋ እቃ ውስጥ ደረቅ ቦታ "
                         "ያስቀምጡት።",
           "improve": " መልሱ ሙሉ ዓረፍተ ነገር መሆን አለበት።", "postedit": " ውሃውንም አፍልተው ይጠጡ።",
           "reason": "መልሱ ተሻሽሏል፣ ግን ምሳሌ ይጎድለዋል።",
           "review": ("ጥያቄ፦ የኢትዮጵያ ዋና ከተማ? መልስ፦", "አዲስ አበባ",
                      "የኢትዮጵያ ዋና ከተማ የትኛው ከተማ ነው?",
                      "የኢትዮጵያ ዋና ከተማ አዲስ አበባ ናት፤ ከአንድ መቶ ዓመት በላይ ሆኗታል።")},
    "my": {"content": "mya_Mymr",
           "prompt": "မိုးရာသီတွင် စပါးကို ဘယ်လို စိုက်ရမလဲ။",
           "completion": "လယ်ကွင်းကို ရေသွင်းပြီး ပျိုးပင်များကို အတန်းလိုက် စိုက်ပါ။",
           "improve": " အဖြေကို ဝါကျအပြည့်အစုံဖြင့် ရေးပါ။",
           "postedit": " ရေကို ကျိုချက်ပြီးမှ သောက်ပါ။",
           "reason": "အဖြေ ပိုကောင်းလာသော်လည်း ဥပမာ မပါသေးပါ။",
           "review": ("မေးခွန်း - မြန်မာနိုင်ငံ၏ မြို့တော်? အဖြေ -", "နေပြည်တော်",
                      "မြန်မာနိုင်ငံ၏ မြို့တော်မှာ မည်သည့်မြို့ ဖြစ်သနည်း။",
                      "မြန်မာနိုင်ငံ၏ မြို့တော်မှာ နေပြည်တော် ဖြစ်သည်။")},
}


DEJAVU = Path("/usr/share/fonts/truetype/dejavu")


def dejavu_only(folder: Path) -> None:
    """Point fontconfig at a configuration that lists only DejaVu (before Qt starts): the
    app must show every script with the fonts it bundles and registers itself."""
    if not (DEJAVU / "DejaVuSans.ttf").exists():
        raise SystemExit(f"DejaVu Sans is not in {DEJAVU} (apt-get install fonts-dejavu-core)")
    conf = folder / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n'
        f"  <dir>{DEJAVU}</dir>\n"
        f"  <cachedir>{folder / 'cache'}</cachedir>\n</fontconfig>\n", encoding="utf-8")
    os.environ["FONTCONFIG_FILE"] = str(conf)


def window_manager():
    """Start openbox on the display (xvfb-run starts none), or None when it is missing."""
    import shutil
    import subprocess
    import time

    if shutil.which("openbox") is None or not os.environ.get("DISPLAY"):
        print("no window manager (openbox): windows are shot without a frame")
        return None
    manager = subprocess.Popen(["openbox"], stderr=subprocess.DEVNULL)
    time.sleep(0.5)
    return manager

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


def _sample_rows(sample: dict) -> list[dict]:
    """The review item a --ui language brings."""
    language = sample["content"]
    rows = []
    if "review" in sample:
        original_inputs, original_targets, inputs, targets = sample["review"]
        rows.append({"id": f"shot-review-{language}", "project": "demo", "kind": "review",
                     "language_code": language, "author": "peer-17",
                     "review_of": f"peer-sub-{language}", "original_inputs": original_inputs,
                     "original_targets": original_targets, "inputs": inputs,
                     "targets": targets})
    return rows


def seed(data_dir: Path, sample: dict | None = None) -> None:
    import json

    with Store.open(paths.database_path(data_dir)) as store:
        seed_demo(store)
        extra = _sample_rows(sample) if sample else []
        rows = "\n".join(json.dumps(r, ensure_ascii=False) for r in REVIEWS + extra)
        task_file = data_dir / "reviews.jsonl"
        task_file.write_text(rows + "\n", encoding="utf-8")
        from app.taskfile import read_task_file

        store.add_tasks(read_task_file(task_file))
        store.set_user_id("me")
        if LANGUAGE != "arb_Arab":
            return
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
    window.tasks.reader.flush()
    for _ in range(rounds):
        app.processEvents()
        time.sleep(0.01)


def type_into(widget, text: str) -> None:
    for char in text:
        key(widget, Qt.Key_Space if char == " " else Qt.Key_unknown, text=char)
        QApplication.processEvents()


def main() -> int:
    global LANGUAGE
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", type=Path)
    parser.add_argument("--ui", default="", help="UI language: " + ", ".join(SAMPLES))
    parser.add_argument("--size", default="", help="the screen's size, e.g. 1024x600 (a "
                        "folder name for the shots; the display's own size is what counts)")
    args = parser.parse_args()
    ui = args.ui if args.ui in SAMPLES else ""  # make passes $LANG, e.g. C.UTF-8: ignored
    sample = SAMPLES.get(ui, {})
    LANGUAGE = sample.get("content", LANGUAGE)
    out = args.out or ROOT / "docs" / "screenshots" / ui / (args.size if ui else "")
    out.mkdir(parents=True, exist_ok=True)
    texts = {**ARABIC_TEXTS, **sample}
    with tempfile.TemporaryDirectory() as tmp:
        if not ui:
            return _shoot_all(Path(tmp), out, ui, sample, texts)
        dejavu_only(Path(tmp))
        manager = window_manager()
        try:
            return _shoot_all(Path(tmp), out, ui, sample, texts)
        finally:
            if manager is not None:
                manager.terminate()


ARABIC_TEXTS = {
    "prompt": "كيف أخزن التمر بعد الجني حتى لا يفسد؟",
    "completion": "جفف التمر جيدًا في الظل، ثم ضعه في أوعية نظيفة محكمة الإغلاق في مكان بارد "
                  "وجاف.",
    "improve": " ويجب أن تكون الإجابة جملة كاملة.",
    "reason": "الإجابة أوضح، لكن ينقصها مثال.",
    "postedit": " مع الحرص على شرب الماء.",
}


def wait(app, seconds: float) -> None:
    import time

    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.01)


def screen_shot(app):
    """The whole screen, window manager's frames and all: what is off screen is not in it."""
    return app.primaryScreen().grabWindow(0)


def first_start(app, ui: str, out: Path) -> Path:
    """The first-start dialog as the app opens it: fonts registered, nothing else yet."""
    from ui import ui_locale
    from ui.dialogs.first_run import FirstRunDialog
    from ui.fonts import register_bundled_fonts

    register_bundled_fonts()  # as ui.application.run does, before the first dialog
    ui_locale.apply(ui)       # a system whose language is this one
    dialog = FirstRunDialog(ui)
    dialog.show()
    wait(app, 1.0)
    path = out / "first-run.png"
    save(screen_shot(app), path)
    dialog.close()
    return path


def _shoot_all(tmp: Path, out: Path, ui: str, sample: dict, texts: dict) -> int:
    app = QApplication(sys.argv[:1])
    app.setApplicationName("Qalam")
    data_dir = tmp / "data"
    data_dir.mkdir()
    seed(data_dir, sample)
    from ui.application import open_window

    shots = [first_start(app, ui, out)] if ui else []
    window = open_window(data_dir, ui_language=ui or "en")
    if not ui:
        window.resize(*SIZE)  # the README's pictures: the window alone, at one size
    window.show()
    window.set_language(LANGUAGE)
    settle(app, window)
    if ui:
        wait(app, 1.0)  # the window manager frames (and maybe maximizes) the window

    def shoot(name: str, widget=None) -> None:
        settle(app, window)
        path = out / f"{name}.png"
        save(screen_shot(app) if ui else (widget or window).grab(), path)
        shots.append(path)

    # Write: a topic opened, some text typed, checks shown.
    write = window.screens["write"]
    window.show_screen("write")
    write.open_task(write.tasks.task_at(0))
    settle(app, window)
    write.editor.prompt.setFocus()
    type_into(write.editor.prompt, texts["prompt"])
    write.editor.completion.setFocus()
    type_into(write.editor.completion, texts["completion"])
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
    type_into(edit, texts["improve"])
    shoot("improve")

    # Review: a peer's edit, scored, with a further improvement open.
    review = window.screens["review"]
    window.show_screen("review")
    review.open_task(review.tasks.task_at(0))
    settle(app, window)
    review.scores["inputs"].choose(5)
    review.scores["targets"].choose(4)
    review.reason.setText(texts["reason"])
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
    type_into(target, texts["postedit"])
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

    # Translate Qalam: the first message open, into the interface's language.
    translate = window.screens["translate"]
    window.show_screen("translate")
    settle(app, window)
    if translate.model.rowCount():
        translate.list.setCurrentIndex(translate.model.index(0, 0))
    shoot("translate")

    window.show_shortcuts()
    settle(app, window)
    dialog = window._shortcuts_dialog
    shoot("shortcuts", dialog)
    dialog.close()
    if ui:
        _shoot_dialogs(app, window, data_dir, shoot)

    window.close()
    window.shutdown()
    for path in shots:
        print(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}: "
              f"{path.stat().st_size // 1024} KB")
    return 0


def _shoot_dialogs(app, window, data_dir: Path, shoot) -> None:
    """Settings, profile, sync and About, each over the window, as the screen shows them."""
    from app.profile import Profile
    from i18n.translation import current_locale
    from ui.dialogs.about import about_dialog
    from ui.dialogs.profile import ProfileDialog
    from ui.dialogs.settings import SettingsDialog

    for name, make in (
        ("settings", lambda: SettingsDialog(current_locale(), None, window)),
        ("profile", lambda: ProfileDialog(Profile(), [LANGUAGE], window.context, window)),
        ("about", lambda: about_dialog(data_dir, window)),
    ):
        dialog = make()
        dialog.show()
        wait(app, 0.5)
        shoot(name)
        dialog.close()
    window.show_sync_panel()
    wait(app, 0.5)
    shoot("sync")
    window._sync_panel.close()


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    # Skip interpreter teardown: PySide6 can crash while collecting widgets at exit, after
    # every file is written.
    os._exit(code)
