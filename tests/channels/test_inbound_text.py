"""Residents' text is text; payloads only from buttons the assistant offered (channels/inbound_text.py)."""
from __future__ import annotations

import pytest

from channels.inbound_text import (
    MAX_INPUT_CHARS,
    as_typed,
    cut,
    offered_payloads,
    resident_text,
)

EVENTS = [
    {"event": "user", "text": "社保卡"},
    {"event": "bot", "text": "要办理吗？", "data": {"buttons": [{"title": "办理", "payload": "/start_application"}]}},
    {"event": "action", "name": "action_listen"},
]


@pytest.mark.parametrize("typed, expected", [
    ("/restart", "restart"),
    ('/greet{"district":"镜湖区"}', 'greet{"district":"镜湖区"}'),
    ("  //restart", "restart"),
    ("/ /restart", "restart"),  # would become "/restart" again after one strip
    ("/", ""),
    ("社保卡怎么办", "社保卡怎么办"),
    ("1/2", "1/2"),
])
def test_typed_slashes_are_removed(typed, expected):
    assert resident_text(typed) == expected
    assert not resident_text(typed).startswith("/")


def test_only_offered_payloads_pass():
    offered = offered_payloads(EVENTS)
    assert offered == ["/start_application"]
    assert resident_text("/start_application", offered=offered) == "/start_application"
    assert resident_text("/restart", offered=offered) == "restart"
    assert resident_text('/start_application{"x":1}', offered=offered) == 'start_application{"x":1}'


def test_the_latest_bot_message_decides():
    later = [*EVENTS, {"event": "bot", "text": "好的", "data": {}}]
    assert offered_payloads(later) == []
    assert resident_text("/start_application", offered=offered_payloads(later)) == "start_application"
    assert offered_payloads([]) == []


def test_opening_greet_only_when_allowed():
    assert resident_text("/greet", opening_allowed=True) == "/greet"
    assert resident_text("/greet") == "greet"
    assert resident_text("/restart", opening_allowed=True) == "restart"


def test_long_input_is_cut_above_the_assistants_own_limit():
    from bot.text import MAX_MESSAGE_CHARS

    assert MAX_INPUT_CHARS > MAX_MESSAGE_CHARS  # so the assistant's "太长了" note still answers
    assert len(resident_text("社" * 100_000)) == MAX_INPUT_CHARS
    assert cut("短") == "短" and as_typed("/短") == "短"
