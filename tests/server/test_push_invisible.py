"""The server refuses a pushed *submitted* record whose prompt or completion has no visible
character, as the app's store does at submit (app.text.require_visible); a draft may hold
anything while its author types, and real text with ZWNJ/ZWJ passes."""

import pytest

from tests.server.helpers import statuses

ZWNJ, ZWJ = "\u200c", "\u200d"


@pytest.mark.parametrize(("field", "text"), [
    ("inputs", "\u200b\u200c\u200d"),
    ("targets", "\u2060\ufeff"),
    ("targets", "\u2067\u2069 \u200f"),
    ("inputs", "   "),
    ("inputs", ""),
])
def test_a_submitted_record_without_visible_text_is_refused_naming_the_field(harness, field,
                                                                             text):
    amina = harness.member()
    result = amina.push([amina.submission(**{field: text})])["results"][0]
    assert result["status"] == "rejected"
    reason = result["reason"]
    assert reason.startswith(f"{field}: ") and ("visible" in reason or "empty" in reason)


def test_a_draft_may_hold_invisible_text_until_it_is_submitted(harness):
    amina = harness.member()
    assert statuses(amina.push([amina.submission(state="draft", inputs="\u200b")])) == \
        ["created"]


def test_real_text_with_joiners_is_accepted(harness):
    amina = harness.member(languages=("pes_Arab",))
    item = amina.submission(language="pes_Arab", inputs=f"چه می{ZWNJ}خواهید؟",
                            targets=f"می{ZWNJ}خواهم{ZWJ}")
    assert statuses(amina.push([item])) == ["created"]
