"""What residents are told about a hand-off and a message (留言) (Chinese, short: one message each)."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from bot.handoff.desk import DeskState
from bot.handoff.hours import local, when_text
from bot.handoff.tickets import TicketView
from bot.handoff.views import Ticket
from bot.handoff.waits import minutes_to_say

WEEKDAYS = "一二三四五六日"
BACK_HINT = "不想等了，回复“不等了”或“回到机器人”。"
QUEUED = ("已为您转人工：您排在第{position}位，预计等待约{minutes}分钟。"
          "工作人员会在这里回复您，您现在发的消息他们都能看到。")
#: After GOV_HANDOFF_MAX_WAIT_MINUTES, or at once when the expected wait is longer.
LEAVE_LATER = "等了{wait}分钟还没人接，可以回复“留言”，留下电话，{days}个工作日内给您回电。"
LEAVE_NOW = "排队的人较多，也可以回复“留言”，留下电话，{days}个工作日内给您回电。"
WITH_AGENT = "工作人员已经在为您服务，请直接在这里说您的问题。"
CANCELLED = "好的，已取消转人工。您可以继续问我，比如“社保卡怎么办”。"
HANDED_BACK = "本次人工服务已结束，感谢您的耐心。还有问题可以继续问我。"
#: A flow the resident left for a person is still there (its draft is kept).
FLOW_WAITING = "您刚才在办的{step}还没办完，填过的内容都在：回复“再说一遍”接着填，说“不办了”退出。"
FLOW_KEPT = "您正在办的{step}已保存，人工服务结束后回复“再说一遍”就能接着填。"
#: "留言" while queued (channels/handoff_gate.py): the queue is left, the 留言 flow starts.
TO_MESSAGE = "好的，已取消排队，改为留言。"
CLOSED = ("现在不是人工服务时间。人工服务时间：{hours}。{next}")
CLOSED_NEXT = "下次上班：{when}。"
CLOSED_OFFER = ("您可以回复“留言”，留下电话和要办的事，工作人员上班后{days}个工作日内给您回电；"
                "急事请拨打12345政务服务便民热线（24小时）。")
CLOSED_IN_FLOW = "急事请拨打12345政务服务便民热线（24小时）。您填的内容都还在。"
#: The numbered choice of a 留言 offer (WeChat: "1" picks it; web chat: a button).
LEAVE_BUTTON = {"title": "1. 留言", "payload": "留言"}
PERSON_BUTTON = {"title": "1. 转人工", "payload": "转人工"}
OFFER_PERSON = "抱歉，还是没能帮上您。可以请工作人员来帮您：回复 1 或“转人工”。"
OFFER_MESSAGE = ("抱歉，还是没能帮上您。现在不是人工服务时间，可以留言，工作人员上班后给您回电：回复 1 或“留言”。"
                 "急事请拨打12345政务服务便民热线。")
NO_TICKETS = ("这个对话里没有查到您的留言。在别的对话或渠道留的，请拨打12345政务服务便民热线查询。"
              "想留言的话，请说“留言”。")


def queued_text(ticket: Ticket, *, max_wait: int = 10, days: int = 2) -> str:
    """Position, expected wait, when a message (留言) may be left instead, and how to go back."""
    if ticket.position is None or ticket.expected_wait_s is None:
        return WITH_AGENT
    minutes = minutes_to_say(timedelta(seconds=ticket.expected_wait_s))
    leave = (LEAVE_NOW if minutes > max_wait else LEAVE_LATER).format(wait=max_wait, days=days)
    return QUEUED.format(position=ticket.position, minutes=minutes) + leave + BACK_HINT


def closed_text(desk: DeskState, *, days: int = 2, in_flow: bool = False) -> str:
    """Out of hours: the hours, the next opening, and 留言 (or, in a flow, that the answers are kept)."""
    following = CLOSED_NEXT.format(when=when_text(desk.next_opening, desk.at)) if desk.next_opening else ""
    text = CLOSED.format(hours=desk.hours_text, next=following)
    return text + (CLOSED_IN_FLOW if in_flow else CLOSED_OFFER.format(days=days))


def cancelled_text(flow_step: str | None) -> str:
    """After 不等了: back to the assistant, or to the flow the resident left."""
    if flow_step:
        return "好的，已取消转人工。" + FLOW_WAITING.format(step=flow_step)
    return CANCELLED


def handed_back_text(flow_step: str | None) -> str:
    """After an agent closed the hand-off: the same, with the flow the resident left."""
    return HANDED_BACK + (FLOW_WAITING.format(step=flow_step) if flow_step else "")


def day_label(day: date) -> str:
    return f"{day.month}月{day.day}日（周{WEEKDAYS[day.weekday()]}）"


def ticket_done_text(ticket: TicketView) -> str:
    """留言成功: the number to quote, the deadline and the number staff will call."""
    return (f"留言成功。留言编号：{ticket.display}。\n"
            f"工作人员会在{day_label(ticket.due_on)}前打 {ticket.phone} 给您回电，请留意接听。\n"
            "想看处理情况，发“查留言”。")


def _ticket_line(ticket: TicketView, today: date) -> str:
    left = local(ticket.created_at).date()
    head = f"· 留言编号 {ticket.display}（{left.month}月{left.day}日留言）："
    if ticket.status != "open":
        closed = local(ticket.closed_at).date() if ticket.closed_at else None
        return head + (f"已处理（{closed.month}月{closed.day}日）" if closed else "已处理")
    if ticket.overdue(today):
        return head + f"处理中，已过了约定的{day_label(ticket.due_on)}，我们会尽快联系您；急事请拨打12345"
    return head + f"处理中，工作人员会在{day_label(ticket.due_on)}前打 {ticket.phone} 回电"


def tickets_status_text(tickets: Sequence[TicketView], today: date) -> str:
    """查留言: this conversation's messages and where each stands (never another's)."""
    if not tickets:
        return NO_TICKETS
    return "您的留言：\n" + "\n".join(_ticket_line(t, today) for t in tickets)
