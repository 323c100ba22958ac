import subprocess
import sys

from app import buildinfo


def _qalam(*args):
    return subprocess.run(
        [sys.executable, "-m", "ui.cli", *args], capture_output=True, text=True, timeout=60
    )


def test_version():
    result = _qalam("--version")
    assert result.returncode == 0 and result.stdout.strip() == buildinfo.describe()


def test_help_names_every_option():
    result = _qalam("--help")
    assert result.returncode == 0
    for option in ("--data-dir", "--demo", "--version"):
        assert option in result.stdout


def test_unknown_option_is_a_clear_error():
    result = _qalam("--frobnicate")
    assert result.returncode == 2 and "unrecognized arguments: --frobnicate" in result.stderr
