"""What residents are told about a hand-off (Chinese, short: one message each)."""
from __future__ import annotations

from datetime import timedelta

from bot.handoff.views import Ticket
from bot.handoff.waits import minutes_to_say

BACK_HINT = "不想等了，回复“不等了”或“回到机器人”。"
QUEUED = ("已为您转人工：您排在第{position}位，预计等待约{minutes}分钟。"
          "工作人员会在这里回复您，您现在发的消息他们都能看到。" + BACK_HINT)
WITH_AGENT = "工作人员已经在为您服务，请直接在这里说您的问题。"
CANCELLED = "好的，已取消转人工。您可以继续问我，比如“社保卡怎么办”。"
HANDED_BACK = "本次人工服务已结束，感谢您的耐心。还有问题可以继续问我。"


def queued_text(ticket: Ticket) -> str:
    """Position, expected wait and how to go back; or that an agent already has it."""
    if ticket.position is None or ticket.expected_wait_s is None:
        return WITH_AGENT
    return QUEUED.format(position=ticket.position,
                         minutes=minutes_to_say(timedelta(seconds=ticket.expected_wait_s)))
