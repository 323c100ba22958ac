"""What a person reads when something fails (ui.errors)."""

from app.errors import QalamError
from ui.errors import error_text


def test_qalams_own_errors_speak_for_themselves_and_others_never_show_python():
    assert error_text(QalamError("The file is not a task file.")) == \
        "The file is not a task file."
    full = OSError(28, "No space left on device", "/media/stick/work.qalam")
    assert error_text(full) == "No space left on device (/media/stick/work.qalam)"
    shown = error_text(KeyError("task_id"))
    assert "KeyError" not in shown and "task_id" not in shown and "log" in shown
