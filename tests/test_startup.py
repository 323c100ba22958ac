"""What the command-line tools load before they answer: light commands start at once.

`qalam-server invite` took about 5 s because the server imported app.schema for three
constants, and with it sqlite-utils, pandas and numpy; every command's parser also imported
the dashboard, the importers and the statistics libraries. Each check runs in a new Python
process, the way a coordinator or annotator starts the tools.
"""

import json
import subprocess
import sys

from app.store import Store
from sync.server import db
from sync.server.cli import main

# Libraries only some commands need; none of them may load for a light command.
HEAVY = ("pandas", "numpy", "sqlite_utils", "scipy", "pyarrow", "krippendorff", "lxml",
         "tqdm", "jinja2")
LIGHT_COMMANDS = {
    "invite": ["invite", "--name", "Amina", "--role", "annotator", "--languages", "urd_Arab"],
    "devices": ["devices"],
    "revoke": ["revoke", "no-such-device"],
    "decide": ["decide", "no-such-submission", "accepted"],
    "queue": ["queue"],
}

SERVER_PROBE = """
import contextlib, io, json, sys
heavy, commands, url = json.loads(sys.argv[1])
import sync.server.cli as cli
loaded = {"import": [m for m in heavy if m in sys.modules]}
parser = cli._parser()
for name, argv in commands.items():
    parser.parse_args(argv)
loaded["parse"] = [m for m in heavy if m in sys.modules]
for name, argv in commands.items():
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        cli.main([*argv, "--db", url])
    loaded[name] = [m for m in heavy if m in sys.modules]
print(json.dumps(loaded))
"""

APP_PROBE = """
import contextlib, io, json, sys
heavy = json.loads(sys.argv[1])
import ui.cli
with contextlib.redirect_stdout(io.StringIO()):
    try:
        ui.cli.main(["--version"])
    except SystemExit:
        pass
print(json.dumps([m for m in heavy if m in sys.modules]))
"""


def _probe(code: str, *args) -> object:
    result = subprocess.run([sys.executable, "-c", code, *args], capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_light_server_commands_do_not_load_pandas_numpy_or_sqlite_utils(tmp_path, capsys):
    url = str(tmp_path / "server.db")
    assert main(["init", "--db", url]) == 0
    loaded = _probe(SERVER_PROBE, json.dumps([HEAVY, LIGHT_COMMANDS, url]))
    assert loaded == {stage: [] for stage in ["import", "parse", *LIGHT_COMMANDS]}


def test_app_version_does_not_load_qt_pandas_or_the_network():
    loaded = _probe(APP_PROBE, json.dumps([*HEAVY, "PySide6", "httpx"]))
    assert loaded == []


def test_schema_check_reads_the_same_head_revision_as_alembic():
    # Every command compares the database's schema with db.head_revision(), which reads
    # the migration files' names instead of loading alembic.
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(db.MIGRATIONS))
    assert db.head_revision() == ScriptDirectory.from_config(config).get_current_head()


def test_the_servers_app_does_not_load_the_apps_store_or_pandas():
    # The leaderboards scored work through app.activity, which imports the app's store and
    # with it sqlite-utils; scoring is app.rules on plain values now.
    code = ("import json, sys; import sync.server.api.factory; "
            "print(json.dumps([m for m in sys.argv[1:] if m in sys.modules]))")
    assert _probe(code, "pandas", "numpy", "sqlite_utils", "app.store", "app.activity") == []


FIRST_PAINT_PROBE = """
import json, sys
from pathlib import Path
from ui.application import open_window
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication

app = QApplication([])
loaded = {}

class FirstPaint(QObject):
    def eventFilter(self, watched, event):
        if event.type() == QEvent.Paint and "painted" not in loaded:
            loaded["painted"] = [m for m in ("sqlite_utils", "numpy") if m in sys.modules]
        return False

spy = FirstPaint()
app.installEventFilter(spy)
window = open_window(Path(sys.argv[1]), ui_language="en")
window.show()
while not window.session.begun:
    app.processEvents()
window.writer.flush()
loaded["begun"] = [m for m in ("sqlite_utils", "numpy") if m in sys.modules]
window.close()
window.shutdown()
print(json.dumps(loaded))
"""


def test_the_first_paint_of_a_current_store_waits_for_no_sqlite_utils(tmp_path):
    # A store this version made opens without its schema's steps (app.store._is_current),
    # and the first transaction, the "running" mark, comes after the first paint: the 40 ms
    # of sqlite-utils' imports are not before it. numpy never loads.
    from app import paths

    Store.open(paths.database_path(tmp_path)).close()
    loaded = _probe(FIRST_PAINT_PROBE, str(tmp_path))
    assert loaded == {"painted": [], "begun": ["sqlite_utils"]}
