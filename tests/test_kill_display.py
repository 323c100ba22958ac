"""The kill test at a real display: the real app (``.venv/bin/qalam``) on Xvfb with a window
manager (openbox), fontconfig seeing only DejaVu Sans, typed into with xdotool, and killed
with SIGKILL 8 times at random moments, half of them during continuous typing.

    .venv/bin/python -m pytest -q -p no:cacheprovider -s tests/test_kill_display.py
    QALAM_KILLS=20 .venv/bin/python -m pytest ...   # the issue's 20 kills, by hand
    (make test-display installs Xvfb, xdotool and openbox first)

After every kill: the database is intact; nothing the store had made durable (and so nothing
the app could have shown as "Saved") is lost; at most ~2 s of continuous typing is lost.
After every restart: the same item is open, the keyboard is in the same field (the next
keystrokes land there, at the end of its text), and the recovery notice is shown (its log
line). Prints the figures: characters typed, lost, the longest loss in seconds.
"""

from __future__ import annotations

import os
import random
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from app import paths, session
from app.store import Store
from ui import keyboard

ROOT = Path(__file__).resolve().parent.parent
QALAM = ROOT / ".venv" / "bin" / "qalam"
# The rounds go in a cycle of four (typing on, a burst then a pause, typing on, a burst
# and a move to the other field): 8 kills go through it twice, so each kind of moment is
# hit twice and the field moves both ways (20 repeat the same cycle for a minute more: run
# them by hand with QALAM_KILLS=20).
KILLS = int(os.environ.get("QALAM_KILLS", "8"))
TYPING_INTERVAL_S = 0.1      # a steady typist: 10 characters a second
MAX_LOSS_S = 2.5             # "at most ~2 s": the 1 s ceiling, plus X and write latency
COLUMNS = {"prompt": "inputs", "completion": "targets"}
TOOLS = ("Xvfb", "xdotool", "openbox", "fc-match")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(any(shutil.which(t) is None for t in TOOLS) or not QALAM.exists(),
                       reason="needs Xvfb, xdotool, openbox (make test-display) and "
                              ".venv/bin/qalam"),
]


# --- the display ---------------------------------------------------------------------------


def _fontconfig(folder: Path) -> Path:
    """A fontconfig that sees DejaVu Sans only (a laptop without fonts for these scripts)."""
    fonts = folder / "fonts"
    fonts.mkdir()
    found = subprocess.run(["fc-match", "-f", "%{file}", "DejaVu Sans"],
                           capture_output=True, text=True).stdout.strip()
    if not found.endswith("DejaVuSans.ttf"):
        pytest.skip("DejaVu Sans is not installed (fonts-dejavu-core)")
    (fonts / "DejaVuSans.ttf").symlink_to(found)
    conf = folder / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n'
        f"  <dir>{fonts}</dir>\n  <cachedir>{folder / 'fc-cache'}</cachedir>\n"
        "</fontconfig>\n")
    return conf


@pytest.fixture(scope="module")
def display(tmp_path_factory):
    """Xvfb at 1366x768 with openbox; yields the environment to run X clients in."""
    folder = tmp_path_factory.mktemp("display")
    read_fd, write_fd = os.pipe()
    xvfb = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_fd), "-screen", "0", "1366x768x24", "-nolisten",
         "tcp"], pass_fds=(write_fd,), stderr=subprocess.DEVNULL)
    os.close(write_fd)
    with os.fdopen(read_fd) as numbers:
        number = numbers.readline().strip()
    env = {**os.environ, "DISPLAY": f":{number}", "FONTCONFIG_FILE": str(_fontconfig(folder)),
           "QT_QPA_PLATFORM": "xcb"}
    env.pop("WAYLAND_DISPLAY", None)
    manager = subprocess.Popen(["openbox"], env=env, stderr=subprocess.DEVNULL)
    time.sleep(0.5)
    try:
        yield env
    finally:
        for process in (manager, xvfb):
            process.terminate()
            process.wait(10)


def xdotool(env, *args: str, timeout: float = 20) -> str:
    return subprocess.run(["xdotool", *args], env=env, capture_output=True, text=True,
                          timeout=timeout, check=True).stdout.strip()


# --- the app -------------------------------------------------------------------------------


class App:
    """The real app on the display; its log (stderr) says what it recovered."""

    def __init__(self, env, data_dir: Path, log: Path):
        self.log = log
        self.process = subprocess.Popen(
            [str(QALAM), "--data-dir", str(data_dir), "--ui-language", "ur"],
            env=env, stdout=subprocess.DEVNULL, stderr=open(log, "wb"))  # noqa: SIM115
        xdotool(env, "windowactivate", "--sync", self._window(env))

    def _window(self, env, timeout: float = 60) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"the app exited: {self.log.read_text()[-2000:]}")
            found = subprocess.run(["xdotool", "search", "--onlyvisible", "--pid",
                                    str(self.process.pid)], env=env, capture_output=True,
                                   text=True).stdout.split()
            if found:
                return found[0]
            time.sleep(0.05)
        raise AssertionError("the app's window never appeared")

    def recovered(self, timeout: float = 10) -> dict | None:
        """The recovery notice's log line as a dict, once it is there."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            match = re.search(r"recovered after an unclean exit: (.*)", self.log.read_text())
            if match:
                return dict(part.split("=", 1) for part in match.group(1).split())
            time.sleep(0.05)
        return None

    def kill(self) -> float:
        self.process.send_signal(signal.SIGKILL)
        killed = time.monotonic()
        self.process.wait(10)
        return killed


class Typist:
    """Types one character every TYPING_INTERVAL_S into the focused window, with xdotool,
    remembering when each was sent."""

    ALPHABET = "abcdefghijklmnopqrstuvwxyz    "

    def __init__(self, env, rng: random.Random, count: int | None):
        self.env, self.rng, self.count = env, rng, count
        self.sent: list[tuple[str, float]] = []
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while not self._stop.is_set() and (self.count is None or len(self.sent) < self.count):
            char = self.rng.choice(self.ALPHABET)
            subprocess.run(["xdotool", "type", "--delay", "0", "--", char], env=self.env,
                           capture_output=True)
            self.sent.append((char, time.monotonic()))
            self._stop.wait(TYPING_INTERVAL_S)

    def stop(self):
        self._stop.set()
        self.thread.join(5)


class Watcher:
    """Polls the database (read-only) for the longest durable text of the field: whatever it
    saw there had returned from a write, so the app may have shown it as "Saved"."""

    def __init__(self, data_dir: Path, item: str, column: str):
        self.durable = ""
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._run, args=(data_dir, item, column),
                                       daemon=True)
        self.thread.start()

    def _run(self, data_dir, item, column):
        with Store.open(paths.database_path(data_dir), readonly=True) as store:
            while not self._stop.is_set():
                text = getattr(store.submission(item), column)
                if len(text) > len(self.durable):
                    self.durable = text
                self._stop.wait(0.05)

    def stop(self):
        self._stop.set()
        self.thread.join(5)


def _place(data_dir: Path):
    with Store.open(paths.database_path(data_dir), readonly=True) as store:
        return session.recall(store)


def _wait_place(data_dir: Path, test, timeout: float = 15):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        place = _place(data_dir)
        if place is not None and test(place):
            return place
        time.sleep(0.05)
    raise AssertionError(f"the place never became what was expected: {_place(data_dir)}")


def _stored(data_dir: Path, item: str) -> dict[str, str]:
    with Store.open(paths.database_path(data_dir), readonly=True) as store:
        assert store.integrity_check() == "ok"
        submission = store.submission(item)
        return {"prompt": submission.inputs, "completion": submission.targets}


# --- the test ------------------------------------------------------------------------------


def test_kill_9_at_a_real_display_loses_nothing_saved_and_reopens_in_the_same_field(
    display, tmp_path
):
    rng = random.Random(int(os.environ.get("QALAM_KILL_SEED", "1207")))
    data_dir = tmp_path / "data"
    data_dir.mkdir(mode=0o700)
    # The test types Latin letters and compares them with what is stored: Urdu's input
    # method (on by default) would turn them into Urdu letters, so it is off here.
    (data_dir / "settings.ini").write_text(
        f"[{keyboard.SETTINGS_GROUP}]\nurd_Arab=false\n", "utf-8")
    typed_total = lost_total = 0
    worst_loss_s = 0.0
    item, field = None, "prompt"
    text = {"prompt": "", "completion": ""}
    restarts_checked = 0
    for round_number in range(KILLS + 1):
        app = App(display, data_dir, tmp_path / f"round-{round_number}.log")
        if round_number > 0:  # after a kill: the same item, the same field, and the notice
            said = app.recovered()
            assert said is not None, f"round {round_number}: no recovery notice"
            assert (said["item"], said["field"]) == (item, field), (round_number, said)
            restarts_checked += 1
        if round_number == KILLS:
            app.kill()
            break
        if item is None:
            xdotool(display, "key", "ctrl+n")
            item = _wait_place(data_dir,
                               lambda p: p.item is not None and p.field == "prompt").item
        elif round_number % 4 == 3:  # move to the other field now and then
            xdotool(display, "key", "Tab" if field == "prompt" else "shift+Tab")
            field = "completion" if field == "prompt" else "prompt"
            _wait_place(data_dir, lambda p, f=field: p.field == f)
            xdotool(display, "key", "ctrl+End")  # the caret where typing appends
        continuous = round_number % 2 == 0
        watcher = Watcher(data_dir, item, COLUMNS[field])
        typist = Typist(display, rng, None if continuous else rng.randint(5, 20))
        if continuous:
            time.sleep(rng.uniform(1.0, 3.5))             # killed while typing goes on
        else:
            typist.thread.join(10)
            time.sleep(rng.uniform(0.0, 2.0))             # killed at any moment after
        killed = app.kill()
        typist.stop()
        watcher.stop()

        stored = _stored(data_dir, item)
        expected = text[field] + "".join(char for char, _at in typist.sent)
        assert expected.startswith(stored[field]), (round_number, stored[field], expected)
        assert stored[field].startswith(watcher.durable), "lost what the store had saved"
        for other in COLUMNS:
            if other != field:
                assert stored[other] == text[other], f"round {round_number}: {other} changed"
        kept = len(stored[field]) - len(text[field])
        lost = typist.sent[kept:]
        typed_total += len(typist.sent)
        lost_total += len(lost)
        if lost:
            loss_s = killed - lost[0][1]
            worst_loss_s = max(worst_loss_s, loss_s)
            if continuous:
                assert loss_s <= MAX_LOSS_S, (round_number, loss_s, len(lost))
        text[field] = stored[field]
    print(f"\nkill test at a real display: {KILLS} kills, {restarts_checked} restarts checked; "
          f"{typed_total} characters typed, {lost_total} lost (none of them saved), longest "
          f"loss {worst_loss_s:.2f} s of typing")
    assert restarts_checked == KILLS


if __name__ == "__main__":
    sys.exit(pytest.main(["-q", "-s", "-p", "no:cacheprovider", __file__]))
