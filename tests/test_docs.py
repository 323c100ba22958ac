"""Every ``qalam-server`` command is shown in README.md, as sqlite-utils' tests/test_docs.py
keeps its CLI reference complete: a command added without a line of documentation fails here.
"""

import re
from pathlib import Path

import pytest

from sync.server.cli import command_names

README = Path(__file__).resolve().parents[1] / "README.md"


def _shown(command: str, text: str) -> bool:
    """``qalam-server COMMAND`` appears, not merely a longer command that starts the same."""
    return re.search(rf"qalam-server {re.escape(command)}(?![\w-])", text) is not None


@pytest.mark.parametrize("command", command_names())
def test_every_server_command_is_documented_in_the_readme(command):
    assert _shown(command, README.read_text(encoding="utf-8")), (
        f"README.md never shows `qalam-server {command}`: add it with what it is for")


def test_a_command_is_not_documented_by_a_longer_one_that_starts_the_same():
    assert not _shown("block", "qalam-server blocked")
    assert not _shown("import", "qalam-server import-tasks urd.jsonl")
    assert _shown("block", "qalam-server block USER")
    assert _shown("project guidelines set", "`qalam-server project guidelines set aya-urd`")
