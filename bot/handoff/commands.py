"""What a queued resident says to leave the queue and go back to the assistant.

Exact phrases after normalisation (bot/text.py: traditional → simplified, full-width,
spaces and punctuation), as the flows' command words are (bot/flows/engine.py): a
sentence that merely contains them ("不等了你们太慢") goes to the agent like any other.
Only a queued request is left this way; once an agent has it, the words reach the agent,
who closes the conversation with a note.
"""
from __future__ import annotations

from bot.text import normalize

RETURN_WORDS = frozenset({
    "回到机器人", "返回机器人", "回机器人", "找机器人", "不等了", "不等了谢谢", "不用等了", "算了不等了",
    "取消转人工", "取消人工", "不转人工了", "不要人工了",
})


def asks_to_return(text: str | None) -> bool:
    """True when the whole message is one of RETURN_WORDS."""
    return normalize(text).strip(" ,?") in RETURN_WORDS
