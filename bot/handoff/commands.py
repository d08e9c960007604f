"""What a resident says to leave the queue, to leave a message (留言) or to ask about one.

Exact phrases after normalisation (bot/text.py: traditional → simplified, full-width,
spaces and punctuation), as the flows' command words are (bot/flows/engine.py): a
sentence that merely contains them ("不等了你们太慢") goes to the agent like any other.
Only a queued request is left this way; once an agent has it, the words reach the agent,
who closes the conversation with a note.

LEAVE_WORDS and STATUS_WORDS also reach the assistant as exact commands
(bot/nlu/commands.py: start_application and check_progress, whose action tells them apart
by these words), so no intent had to be trained for them.
"""
from __future__ import annotations

from bot.text import normalize

RETURN_WORDS = frozenset({
    "回到机器人", "返回机器人", "回机器人", "找机器人", "不等了", "不等了谢谢", "不用等了", "算了不等了",
    "取消转人工", "取消人工", "不转人工了", "不要人工了",
})


def asks_to_return(text: str | None) -> bool:
    """True when the whole message is one of RETURN_WORDS."""
    return _said(text) in RETURN_WORDS

LEAVE_WORDS = frozenset({"留言", "我要留言", "我想留言", "要留言", "留个言", "留言吧", "我留言", "给我回电话"})
STATUS_WORDS = frozenset({"查留言", "留言进度", "我的留言", "查询留言", "留言查询", "查我的留言", "留言处理进度",
                          "留言怎么样了"})


def _said(text: str | None) -> str:
    return normalize(text).strip(" ,?")


def asks_to_leave_message(text: str | None) -> bool:
    """True when the whole message is one of LEAVE_WORDS."""
    return _said(text) in LEAVE_WORDS


def asks_ticket_status(text: str | None) -> bool:
    """True when the whole message is one of STATUS_WORDS."""
    return _said(text) in STATUS_WORDS
