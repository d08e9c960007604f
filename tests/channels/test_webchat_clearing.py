"""Recognising 清除记录 and the answer to its confirmation (channels/webchat/clearing.py)."""
from __future__ import annotations

import pytest

from channels.webchat import clearing


@pytest.mark.parametrize("text", ["清除记录", " 清除聊天记录。", "删除记录！"])
def test_asks_to_clear(text):
    assert clearing.asks_to_clear(text)


@pytest.mark.parametrize("text", ["清除记录怎么办理", "社保卡", "清除"])
def test_other_text_does_not_ask(text):
    assert not clearing.asks_to_clear(text)


@pytest.mark.parametrize("text, expected", [
    ("确定清除", True), ("1", True), ("1. 确定清除", True), ("确定", True),
    ("不清除", False), ("2", False), ("2. 不清除", False), ("算了", False),
    ("社保卡怎么办", None), ("3", None),
])
def test_answers(text, expected):
    assert clearing.answer(text) is expected


def test_the_confirmation_asks_once_and_its_buttons_answer_it():
    assert clearing.CONFIRM.startswith("确定要清除本机的聊天记录吗？")
    assert [clearing.answer(b["payload"]) for b in clearing.CONFIRM_BUTTONS] == [True, False]
