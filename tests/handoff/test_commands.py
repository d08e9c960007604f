"""The words that take a queued resident back to the assistant (bot/handoff/commands.py)."""
from __future__ import annotations

import pytest

from bot.handoff.commands import asks_to_return


@pytest.mark.parametrize("text", ["不等了", "回到机器人", "不等了！", " 回到 機器人。", "取消转人工"])
def test_return_words_in_any_spelling(text):
    assert asks_to_return(text)


@pytest.mark.parametrize("text", ["不等了你们太慢了，社保卡到底怎么补", "机器人", "社保卡怎么办", "", None])
def test_other_messages_go_to_the_agent(text):
    assert not asks_to_return(text)
