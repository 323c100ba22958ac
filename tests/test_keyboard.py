"""Typing Amharic and Yoruba without their keyboard layouts: the schemes (app/transliteration.py)
on their own, then through real key events into a ContentEdit, the on-screen keyboard and the
actions (ui/keyboard.py)."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import unicodedata

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QMainWindow, QVBoxLayout, QWidget

from app import transliteration as tr
from i18n import languages
from tests.keys import type_text
from ui.content_edit import ContentEdit
from ui.keyboard import KeyboardController, OnScreenKeyboard, TransliterationFilter


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def amharic(keys: str) -> str:
    return tr.transliterate(tr.schemes()["amh_Ethi"], keys)


def yoruba(keys: str) -> str:
    return tr.transliterate(tr.schemes()["yor_Latn"], keys)


# --------------------------------------------------------------------------- the schemes


@pytest.mark.parametrize(("keys", "word"), [
    ("selam", "ሰላም"),
    ("ityoPya", "ኢትዮጵያ"),
    ("buna", "ቡና"),
    ("TEna", "ጤና"),
    ("amarNa", "አማርኛ"),
    ("amarnya", "አማርኛ"),
    ("IndEt neh", "እንዴት ነህ"),
    ("Cew", "ጨው"),
    ("qWanqWa", "ቋንቋ"),
    ("shay", "ሻይ"),
    ("chgr", "ችግር"),
    ("sIhtet", "ስህተት"),  # I closes the syllable: s-h is not ሽ here
    ("s'htet", "ስህተት"),  # so does '
    ("zhurnal", "ዡርናል"),
    ("Tsehay", "ጸሃይ"),  # Ts is ጸ (S too)
    ("A`lem", "ዓለም"),  # a backtick: the historical twin, same order
    ("s`lasE", "ሥላሴ"),
    ("ealem", "ኧለም"),
    ("Ityop'ya", "እትዮፕያ"),  # I alone is እ; p is ፕ, P ጵ
])
def test_amharic_words(keys, word):
    assert amharic(keys) == word


def test_amharic_orders_and_labialised_forms():
    assert [amharic(k) for k in ("ke", "ku", "ki", "ka", "kE", "k", "ko")] == list("ከኩኪካኬክኮ")
    assert [amharic(k) for k in ("kWe", "kWi", "kWa", "kWE", "kW")] == list("ኰኲኳኴኵ")
    assert [amharic(k) for k in ("lWa", "mWa", "bWa", "TWa")] == list("ሏሟቧጧ")
    assert [amharic(k) for k in ("a", "e", "u", "i", "A", "E", "I", "o")] == list("አአኡኢኣኤእኦ")
    assert [amharic(k) for k in ("q", "K", "T", "C", "P", "S", "Ts")] == list("ቅኽጥጭጵጽጽ")


def test_every_order_follows_the_unicode_layout():
    # The table is computed from code point offsets: check it against the character names.
    for key, row in tr.CONSONANTS.items():
        first = unicodedata.name(chr(row)).split()[-1]  # "SA" for ሰ
        consonant = first[:-1] if first.endswith("A") else first
        if not key.isupper() or key in "HNQKZDGTCPS":
            assert unicodedata.name(amharic(key + "u")).endswith(" " + consonant + "U")
            assert unicodedata.name(amharic(key + "o")).endswith(" " + consonant + "O")


def test_amharic_punctuation_and_digits():
    assert amharic("selam::") == "ሰላም።"
    assert amharic("a,b;k") == "አ፣ብ፤ክ"
    assert amharic(":-") == "፣"
    assert amharic("<<selam>>") == "«ሰላም»"
    assert amharic("10:30, 1,000") == "10:30, 1,000"  # after a digit: ASCII
    assert amharic("selam, selam") == "ሰላም፣ ሰላም"
    assert amharic("2024") == "2024"


def test_a_backslash_types_the_next_key_as_it_is():
    assert amharic("\\k") == "k"
    assert amharic("\\\\") == "\\"
    assert yoruba("ire\\.") == "ire."


def test_feed_is_incremental():
    scheme = tr.schemes()["amh_Ethi"]
    text, seen = "", []
    for key in "selam":
        n, out = scheme.feed(text, key)
        text = text[: len(text) - n] + out
        seen.append(text)
    assert seen == ["ስ", "ሰ", "ሰል", "ሰላ", "ሰላም"]


def test_memory_is_forgotten_when_the_text_before_the_cursor_changes():
    scheme = tr.schemes()["amh_Ethi"]
    assert scheme.feed("ስ", "'") == (0, "")  # closes ስ
    assert scheme.feed("ስ", "a") == (0, "አ")  # still closed: a new vowel
    assert scheme.feed("ስ", "'") == (0, "")
    assert scheme.feed("ሰላም ስ", "a") == (1, "ሳ")  # elsewhere now: ስ is open again


@pytest.mark.parametrize(("keys", "word"), [
    ("O.mo.", "Ọmọ"),
    ("e.`ko.'", "ẹ̀kọ́"),
    ("S.e'", "Ṣé"),
    ("Yoru`ba'", "Yorùbá"),
    ("e.'", "ẹ́"),
    ("e'.", "ẹ́"),  # the tone first, then the dot: same letter
    ("n' lo.", "ń lọ"),
    ("n`", "ǹ"),
    ("m'", "ḿ"),
    ("O.lo.'run", "Ọlọ́run"),
    ("a_", "ā"),
    ("a'`", "à"),  # a second tone replaces the first
    ("n''", "n'"),  # the same tone key twice: the key itself
    ("ki'a'-ki'a'", "kíá-kíá"),  # a hyphen is a hyphen
    ("o.mo..", "ọmọ."),  # . after ọ is a full stop
])
def test_yoruba(keys, word):
    typed = yoruba(keys)
    assert typed == nfc(typed) == nfc(word)


def test_yoruba_marks_without_a_precomposed_form_stay_combining():
    assert yoruba("e.'") == "\u1eb9\u0301"  # ẹ + combining acute: NFC has nothing shorter
    assert tr.apply_mark("ọ̀", tr.ACUTE) == nfc("ọ́")
    assert tr.apply_mark("k", tr.ACUTE) is None


def test_schemes_cover_ethiopic_yoruba_the_indic_scripts_and_urdu():
    assert {"amh_Ethi", "tir_Ethi", "yor_Latn", "hin_Deva", "mar_Deva", "ben_Beng",
            "tam_Taml", "guj_Gujr", "pan_Guru", "urd_Arab"} <= set(tr.schemes())
    assert tr.transliterate(tr.schemes()["tir_Ethi"], "Qedamay") == "ቐዳማይ"
    assert tr.scheme_for("fra_Latn") is None
    for code in tr.schemes():
        languages.get(code)  # every code is a registry code


def test_keys_for_reads_back():
    ethiopic = tr.schemes()["amh_Ethi"]
    for char in "ሰላምኳሏአኧዓ።":
        assert tr.transliterate(tr.schemes()["amh_Ethi"], ethiopic.keys_for(char)) == char
    assert tr.schemes()["yor_Latn"].keys_for(nfc("ẹ́")) == "e.'"


# --------------------------------------------------------------------------- in a field


@pytest.fixture
def window(qtbot):
    window = QWidget()
    layout = QVBoxLayout(window)
    fields = {}
    for code in ("amh_Ethi", "yor_Latn", "fra_Latn"):
        edit = ContentEdit(accessible_name=code)
        edit.set_language(languages.get(code))
        layout.addWidget(edit)
        fields[code] = edit
    window.fields = fields
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


@pytest.fixture
def controller(window):
    controller = KeyboardController(window)
    controller.attach(window)
    return controller


def focus(qtbot, controller, edit):
    edit.setFocus()
    qtbot.waitUntil(edit.hasFocus)
    controller.track(edit)  # what focusChanged does when the window is active


def test_typing_selam_gives_salam_and_undoes_key_by_key(qtbot, window, controller):
    edit = window.fields["amh_Ethi"]
    focus(qtbot, controller, edit)
    changes = []
    edit.textChanged.connect(lambda: changes.append(edit.text()))
    controller.transliteration_action.setChecked(True)
    qtbot.keyClicks(edit, "selam")
    assert edit.text() == "ሰላም"
    assert len(changes) >= 5  # autosave listens to textChanged
    assert edit.document().isUndoAvailable()
    edit.undo()
    assert edit.text() == "ሰላ"  # the last key
    while edit.document().isUndoAvailable():
        edit.undo()
    assert edit.text() == ""
    edit.redo()
    assert edit.text() != ""


def test_each_key_is_one_undo_step(qtbot, window, controller):
    edit = window.fields["amh_Ethi"]
    focus(qtbot, controller, edit)
    controller.transliteration_action.setChecked(True)
    seen = []
    for key in "selam":
        qtbot.keyClicks(edit, key)
        seen.append(edit.text())
    assert seen == ["ስ", "ሰ", "ሰል", "ሰላ", "ሰላም"]
    undone = []
    while edit.document().isUndoAvailable():
        edit.undo()
        undone.append(edit.text())
    # Never a half edit (the ስ deleted but ሰ not yet typed): every state is one we typed.
    assert set(undone) <= {*seen, ""}
    assert undone[-1] == ""


def test_typing_with_type_text_and_a_selection(qtbot, window, controller):
    edit = window.fields["amh_Ethi"]
    focus(qtbot, controller, edit)
    controller.transliteration_action.setChecked(True)
    type_text(edit, "IndEt neh")
    assert edit.text() == "እንዴት ነህ"
    cursor = edit.textCursor()
    cursor.movePosition(QTextCursor.End)
    cursor.movePosition(QTextCursor.Left, QTextCursor.KeepAnchor, 2)
    edit.setTextCursor(cursor)
    type_text(edit, "nat")  # replaces the selected ነህ
    assert edit.text() == "እንዴት ናት"


def test_off_leaves_latin_latin(qtbot, window, controller):
    edit = window.fields["amh_Ethi"]
    focus(qtbot, controller, edit)
    assert controller.transliteration_action.isChecked()  # on by default where a scheme is
    controller.transliteration_action.trigger()
    qtbot.keyClicks(edit, "selam")
    assert edit.text() == "selam"
    controller.transliteration_action.setChecked(True)
    qtbot.keyClicks(edit, " selam")
    controller.transliteration_action.trigger()  # off again
    qtbot.keyClicks(edit, " ok")
    assert edit.text() == "selam ሰላም ok"


def test_shortcut_toggles_transliteration(qtbot, window, controller):
    edit = window.fields["amh_Ethi"]
    focus(qtbot, controller, edit)
    qtbot.keyClick(edit, Qt.Key_T, Qt.ControlModifier | Qt.ShiftModifier)
    assert not controller.transliteration_action.isChecked()
    qtbot.keyClick(edit, Qt.Key_T, Qt.ControlModifier | Qt.ShiftModifier)
    assert controller.transliteration_action.isChecked()
    qtbot.keyClicks(edit, "buna")
    assert edit.text() == "ቡና"


def test_yoruba_tone_after_dot(qtbot, window, controller):
    edit = window.fields["yor_Latn"]
    focus(qtbot, controller, edit)
    controller.transliteration_action.setChecked(True)
    qtbot.keyClicks(edit, "e.'")
    assert nfc(edit.text()) == nfc("ẹ́")
    type_text(edit, " Yoru`ba'")
    assert nfc(edit.text()) == nfc("ẹ́ Yorùbá")


def test_read_only_fields_and_other_languages_are_left_alone(qtbot, window, controller):
    controller.transliteration_action.setChecked(True)
    french = window.fields["fra_Latn"]
    focus(qtbot, controller, french)
    qtbot.keyClicks(french, "selam e.'")
    assert french.text() == "selam e.'"
    filter_ = TransliterationFilter()
    amharic_field = window.fields["amh_Ethi"]
    amharic_field.setReadOnly(True)
    assert filter_.scheme(amharic_field) is None


def test_actions_are_disabled_for_a_language_without_a_scheme(qtbot, window, controller):
    focus(qtbot, controller, window.fields["fra_Latn"])
    assert not controller.transliteration_action.isEnabled()
    assert not controller.keyboard_action.isEnabled()
    focus(qtbot, controller, window.fields["yor_Latn"])
    assert controller.transliteration_action.isEnabled()
    assert controller.keyboard_action.isEnabled()
    assert controller.transliteration_action.shortcut().toString() == "Ctrl+Shift+T"
    assert controller.keyboard_action.shortcut().toString() == "Ctrl+Shift+K"


def test_focus_is_followed_through_focus_changes(qtbot, window, controller):
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    window.fields["fra_Latn"].setFocus()
    qtbot.waitUntil(lambda: controller.current_edit() is window.fields["fra_Latn"])
    assert not controller.keyboard_action.isEnabled()
    window.fields["amh_Ethi"].setFocus()
    qtbot.waitUntil(lambda: controller.current_edit() is window.fields["amh_Ethi"])
    assert controller.keyboard_action.isEnabled()


# --------------------------------------------------------------------------- on-screen keyboard


def key(keyboard: OnScreenKeyboard, text: str):
    return next(k for k in keyboard.buttons() if k.text() == text)


def test_on_screen_key_inserts_at_the_cursor(qtbot, window, controller):
    edit = window.fields["amh_Ethi"]
    focus(qtbot, controller, edit)
    edit.setPlainText("ሰም")
    cursor = edit.textCursor()
    cursor.setPosition(1)
    edit.setTextCursor(cursor)
    controller.keyboard_action.setChecked(True)
    assert controller.panel.isVisible()
    keyboard = controller.keyboard
    qtbot.mouseClick(keyboard.findChild(QWidget, "row_1208"), Qt.LeftButton)  # ለ
    assert keyboard.forms() == list("ለሉሊላሌልሎሏ")
    qtbot.mouseClick(key(keyboard, "ላ"), Qt.LeftButton)
    assert edit.text() == "ሰላም"
    assert edit.textCursor().position() == 2
    assert edit.hasFocus()  # keys take no focus: typing goes on in the field
    edit.undo()
    assert edit.text() == "ሰም"


def test_on_screen_keys_have_names_tooltips_and_the_script_font(qtbot, window, controller):
    focus(qtbot, controller, window.fields["amh_Ethi"])
    keyboard = controller.keyboard
    qtbot.mouseClick(keyboard.findChild(QWidget, "row_12A8"), Qt.LeftButton)  # ከ
    assert keyboard.forms() == tr.ethiopic_forms(0x12A8)
    ka = key(keyboard, "ኳ")
    assert ka.accessibleName() == "Ethiopic syllable kwaa"
    assert "kWa" in ka.toolTip()
    assert "Noto Sans Ethiopic" in ka.font().families()
    for button in keyboard.buttons():
        assert button.accessibleName() and button.toolTip()
        assert button.focusPolicy() == Qt.NoFocus


def test_yoruba_keyboard_marks_the_letter_before_the_cursor(qtbot, window, controller):
    edit = window.fields["yor_Latn"]
    focus(qtbot, controller, edit)
    keyboard = controller.keyboard
    assert keyboard.language() == "yor_Latn"
    qtbot.mouseClick(key(keyboard, "ẹ"), Qt.LeftButton)
    acute = keyboard.findChild(QWidget, "mark_0301")
    qtbot.mouseClick(acute, Qt.LeftButton)
    assert edit.text() == nfc("ẹ́")
    grave = keyboard.findChild(QWidget, "mark_0300")
    qtbot.mouseClick(grave, Qt.LeftButton)  # replaces the high tone
    assert edit.text() == nfc("ẹ̀")
    qtbot.mouseClick(key(keyboard, "Ṣ"), Qt.LeftButton)
    qtbot.mouseClick(key(keyboard, "é"), Qt.LeftButton)
    assert edit.text() == nfc("ẹ̀Ṣé")
    assert key(keyboard, "Ṣ").accessibleName() == "Latin capital letter s with dot below"


def test_panel_follows_the_ui_direction(qtbot):
    keyboard = OnScreenKeyboard()
    qtbot.addWidget(keyboard)
    keyboard.setLayoutDirection(Qt.RightToLeft)
    keyboard.set_language("amh_Ethi")
    keyboard.resize(600, 200)
    keyboard.show()
    qtbot.waitExposed(keyboard)
    first, second = (keyboard.findChild(QWidget, f"row_{r:04X}") for r in (0x1200, 0x1208))
    assert first.x() > second.x()  # ሀ on the right, ለ to its left


def test_main_window_dock(qtbot):
    window = QMainWindow()
    edit = ContentEdit()
    edit.set_language(languages.get("amh_Ethi"))
    window.setCentralWidget(edit)
    qtbot.addWidget(window)
    controller = KeyboardController(window)
    controller.attach(window)
    window.show()
    qtbot.waitExposed(window)
    focus(qtbot, controller, edit)
    qtbot.keyClick(edit, Qt.Key_K, Qt.ControlModifier | Qt.ShiftModifier)
    assert controller.panel.objectName() == "keyboardDock" and controller.panel.isVisible()
    controller.panel.close()  # the dock's own close button
    assert not controller.keyboard_action.isChecked()


def test_in_the_main_window_typing_is_autosaved(tmp_path):
    # In a process of its own: the real window, its own keyboard controller (View menu), real
    # key events, and a look in the store afterwards.
    import subprocess
    import sys
    from pathlib import Path

    script = f"""
import os, sys
os.environ["QT_QPA_PLATFORM"] = "offscreen"
from PySide6.QtWidgets import QApplication
app = QApplication([])
from app import paths
from app.store import Store
from tests.keys import type_text
from ui.application import open_window
data = {str(tmp_path)!r}
window = open_window(__import__("pathlib").Path(data))
window.show()
window.set_language("amh_Ethi")
window.new_submission()
editor = window.editor
for _ in range(200):
    app.processEvents()
    if editor.submission is not None and editor.prompt.hasFocus():
        break
    __import__("time").sleep(0.01)
window.keyboard.track(editor.prompt)
assert window.keyboard.transliteration_action.isEnabled()
window.keyboard.transliteration_action.setChecked(True)
type_text(editor.prompt, "selam IndEt neh?")
assert editor.prompt.text() == "ሰላም እንዴት ነህ?", editor.prompt.text()
window.close()
window.shutdown()
with Store.open(paths.database_path(__import__("pathlib").Path(data)), readonly=True) as s:
    (item,) = s.submissions()
    assert item.inputs == "ሰላም እንዴት ነህ?", item.inputs
print("ok")
os._exit(0)
"""
    root = Path(__file__).resolve().parent.parent
    result = subprocess.run([sys.executable, "-c", script], cwd=root, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0 and "ok" in result.stdout, result.stderr[-2000:]


# --------------------------------------------------------------------------- Indic and Urdu


def field(qtbot, code):
    edit = ContentEdit(accessible_name=code)
    edit.set_language(languages.get(code))
    qtbot.addWidget(edit)
    edit.show()
    qtbot.waitExposed(edit)
    edit.activateWindow()
    qtbot.waitUntil(edit.isActiveWindow)
    edit.setFocus()
    qtbot.waitUntil(edit.hasFocus)
    controller = KeyboardController(edit)
    controller.attach(edit)
    controller.track(edit)
    return edit, controller


def test_itrans_typed_live_gives_devanagari_and_backspace_takes_back_a_key(qtbot):
    edit, controller = field(qtbot, "hin_Deva")
    assert controller.transliteration_action.isChecked()  # on by default for Hindi
    seen = []
    for key in "namaste":
        qtbot.keyClicks(edit, key)
        seen.append(edit.text())
    # A key may change the last letters shown: s, then t, makes स्त
    assert seen == ["न्", "न", "नम्", "नम", "नमस्", "नमस्त्", "नमस्ते"]
    qtbot.keyClick(edit, Qt.Key_Backspace)
    assert edit.text() == "नमस्त्"                # the e taken back, not a whole letter
    qtbot.keyClicks(edit, "e bhArata.")
    assert edit.text() == "नमस्ते भारत।"
    qtbot.keyClick(edit, Qt.Key_Backspace)        # the danda
    qtbot.keyClick(edit, Qt.Key_Backspace)        # the a: the virama comes back
    assert edit.text() == "नमस्ते भारत्"
    edit.undo()
    assert edit.text() == "नमस्ते भारत"


@pytest.mark.parametrize(("code", "keys", "text"), [
    ("urd_Arab", "pAkistAna kI rAjadhAnI kyA hai?", "پاکستان کی راجدھانی کیا ہے؟"),
    ("urd_Arab", "qalama.", "قلم۔"),
    ("ben_Beng", "AmAra sonAra bAMlA", "আমার সোনার বাংলা"),
    ("tam_Taml", "vaNakkam tamizh", "வணக்கம் தமிழ்"),
    ("pan_Guru", "namaste prema", "ਨਮਸਤੇ ਪ੍ਰੇਮ"),
    ("hin_Deva", "3.5 kilo", "3.5 किलो"),  # a decimal point stays one
])
def test_the_library_schemes_typed_live(qtbot, code, keys, text):
    edit, _controller = field(qtbot, code)
    qtbot.keyClicks(edit, keys)
    assert edit.text() == text


def test_the_schemes_come_from_the_library():
    from indic_transliteration import sanscript

    hindi = tr.scheme_for("hin_Deva")
    assert isinstance(hindi, tr.Composing)
    assert hindi.convert("kShatriya") == sanscript.transliterate(
        "kShatriya", sanscript.ITRANS, sanscript.DEVANAGARI)
    assert hindi.keys_for("नमस्ते") == "namaste"
    assert ("क", "ka") in hindi.letters()


# --------------------------------------------------------------------------- per language


@pytest.fixture
def settings(tmp_path):
    from PySide6.QtCore import QSettings

    return QSettings(str(tmp_path / "settings.ini"), QSettings.IniFormat)


def test_each_language_remembers_its_input_method(qtbot, window, settings):
    # Issue 12: one global switch; after Amharic, the shortcut in Yoruba turned it *off*.
    controller = KeyboardController(window, settings=settings)
    controller.attach(window)
    amharic, yoruba = window.fields["amh_Ethi"], window.fields["yor_Latn"]
    focus(qtbot, controller, amharic)
    assert controller.transliteration_action.isChecked()        # on where a scheme exists
    qtbot.keyClick(amharic, Qt.Key_T, Qt.ControlModifier | Qt.ShiftModifier)
    assert not controller.transliteration_action.isChecked()    # Amharic: off
    focus(qtbot, controller, yoruba)
    assert controller.transliteration_action.isChecked()        # Yoruba keeps its own: on
    qtbot.keyClicks(yoruba, "e.")
    assert yoruba.text() == "ẹ"
    qtbot.keyClick(yoruba, Qt.Key_T, Qt.ControlModifier | Qt.ShiftModifier)
    qtbot.keyClicks(yoruba, " e.")
    assert yoruba.text() == "ẹ e."                              # Yoruba now off
    focus(qtbot, controller, amharic)
    qtbot.keyClicks(amharic, "selam")
    assert amharic.text() == "selam"                            # Amharic still off
    again = KeyboardController(window, settings=settings)      # the next start
    assert not again.methods.is_on("amh_Ethi") and not again.methods.is_on("yor_Latn")
    assert again.methods.is_on("tir_Ethi") and not again.methods.is_on("fra_Latn")


def test_the_indicator_shows_state_and_scheme_and_opens_the_cheat_sheet(qtbot, window,
                                                                        controller):
    toolbar = controller.toolbar_indicator(window)
    status = controller.status_indicator(window)
    focus(qtbot, controller, window.fields["amh_Ethi"])
    assert toolbar.text() == status.text() == "SERA: on" and toolbar.isChecked()
    assert toolbar.accessibleName() and status.accessibleName()
    qtbot.mouseClick(toolbar, Qt.LeftButton)                    # one click: off
    assert toolbar.text() == "SERA: off" and not controller.transliteration_action.isChecked()
    focus(qtbot, controller, window.fields["yor_Latn"])
    assert status.text() == "Yoruba tones: on"
    focus(qtbot, controller, window.fields["fra_Latn"])
    assert not status.isVisibleTo(window)                       # French: nothing to show
    focus(qtbot, controller, window.fields["amh_Ethi"])
    qtbot.mouseClick(status, Qt.LeftButton)                     # one click: the sheet
    sheet = controller.cheat_sheet()
    assert sheet is not None and sheet.isVisible()
    rows = dict(sheet.rows())
    assert rows["bet"] == "በት" and rows["bEt"] == "ቤት"          # "house" needs bEt
    sheet.close()


def test_the_hindi_cheat_sheet_lists_examples_and_every_letter(qtbot):
    from ui.keyboard import CheatSheet

    sheet = CheatSheet("hin_Deva")
    qtbot.addWidget(sheet)
    rows = dict(sheet.rows())
    assert rows["namaste"] == "नमस्ते" and rows["kamala"] == "कमल"
    letters = {sheet.letters.item(r, 1).text(): sheet.letters.item(r, 0).text()
               for r in range(sheet.letters.rowCount())}
    assert letters["क"] == "ka" and letters["आ"] == "A"


def test_the_actions_work_without_a_focused_field(qtbot):
    from PySide6.QtWidgets import QPushButton

    window = QMainWindow()
    button = QPushButton("elsewhere")
    window.setCentralWidget(button)
    qtbot.addWidget(window)
    controller = KeyboardController(window)
    controller.attach(window)
    window.show()
    qtbot.waitExposed(window)
    button.setFocus()
    controller.set_language("hin_Deva")                          # the window's language
    assert controller.transliteration_action.isEnabled()
    assert controller.keyboard_action.isEnabled() and controller.cheat_sheet_action.isEnabled()
    controller.transliteration_action.trigger()
    assert not controller.methods.is_on("hin_Deva")
    controller.keyboard_action.trigger()
    assert controller.panel.isVisible() and controller.keyboard.language() == "hin_Deva"
    said = []
    controller.message.connect(said.append)
    qtbot.mouseClick(key(controller.keyboard, "क"), Qt.LeftButton)  # no field to type in
    assert said and "text field" in said[0]
    controller.set_language("fra_Latn")
    assert not controller.transliteration_action.isEnabled()


def test_the_library_loads_off_the_ui_thread_when_hindi_is_chosen(qtbot, monkeypatch):
    # The first ITRANS key would otherwise wait ~0.1 s for the library's tables.
    import threading

    from ui import keyboard

    threads = []
    monkeypatch.setattr(tr, "warm_up", lambda: threads.append(threading.current_thread()))
    monkeypatch.setattr(keyboard, "_warming", None)
    controller = KeyboardController()
    controller.set_language("fra_Latn")
    assert threads == [] and keyboard._warming is None      # no scheme: nothing to load
    controller.set_language("hin_Deva")
    keyboard._warming.join(5)
    assert len(threads) == 1 and threads[0] is not threading.main_thread()
